import type { ConvergenceCheck } from "./checkConvergence.js";
import type { SatterthwaiteModel } from "./satterthwaite.js";
import type { OptSummary } from "../optim/OptSummary.js";

/** Variance components of one random-effects term: Σ_i = σ² T_i T_i'. */
export interface VarCorrTerm {
  group: string;
  names: string[];
  covariance: number[][];
  sd: number[];
  corr: number[][];
}

/** Conditional modes of the random effects of one grouping factor (terms on the same factor merged). */
export interface RanefTable {
  group: string;
  columns: string[];
  levels: string[];
  /** One row per level: the BLUPs b̂ = Λθ û. */
  values: number[][];
  /** Conditional standard deviations (square roots of the diagonal of Var(b | y)). */
  condsd: number[][];
}

/** Coefficients per level of a grouping factor: fixed effects plus that level's random effects. */
export interface CoefTable {
  group: string;
  columns: string[];
  levels: string[];
  values: number[][];
}

/** A warning about the fit that does not stop it (lme4's messages and warnings). */
export interface FitWarning {
  code: "singular" | "convergence" | "rank-deficient" | "missing-rows" | "scale" | "satterthwaite";
  message: string;
}

/** A fitted linear mixed model: plain data (lme4's `merMod`, MixedModels.jl's `LinearMixedModel`). */
export interface LmmFit {
  formula: string;
  REML: boolean;
  responseName: string;
  nobs: number;
  /** Rows of the data dropped for missing values. */
  nDropped: number;
  /** Levels of each grouping factor, by lme4's name for it. */
  ngrps: Record<string, number>;
  theta: number[];
  thetaNames: string[];
  /** Names of the fixed effects (X's columns kept), as R's model.matrix names them. */
  fixefNames: string[];
  /** β̂: fixed-effects estimates, in the order of `fixefNames`. */
  fixef: number[];
  /** Var(β̂) = σ² R_X⁻¹ R_X⁻ᵀ. */
  vcov: number[][];
  se: number[];
  tValues: number[];
  /** Satterthwaite degrees of freedom and p-values (lmerTest's), filled by `fit()`. */
  satterthwaiteDf: number[];
  pValues: number[];
  /**
   * lmerTest's Satterthwaite quantities at the optimum (the covariance of the variance parameters
   * and the derivatives of vcov(β̂)), for the df of any contrast (`satterthwaiteDf`); null when the
   * fit was made with `satterthwaite: false`. Kept in the units the fit was computed in (`fitModel`
   * may have rescaled the response): degrees of freedom do not depend on them.
   */
  satterthwaite: SatterthwaiteModel | null;
  /** Residual standard deviation σ̂. */
  sigma: number;
  varcorr: VarCorrTerm[];
  /** REML criterion (REML) or deviance (ML) at the optimum. */
  objective: number;
  logLik: number;
  /** Number of parameters: fixed effects + θ + σ. */
  df: number;
  AIC: number;
  BIC: number;
  dfResid: number;
  /** Penalized weighted residual sum of squares at the optimum. */
  pwrss: number;
  fitted: Float64Array;
  residuals: Float64Array;
  /** Pearson residuals (y − fitted)·√w / σ̂. */
  scaledResiduals: Float64Array;
  /** min, 1Q, median, 3Q, max of the scaled residuals (R's quantile type 7). */
  scaledResidQuantiles: number[];
  ranef: RanefTable[];
  coef: CoefTable[];
  /** lme4's isSingular(): some diagonal θ below 1e-4. */
  singular: boolean;
  droppedColumns: string[];
  warnings: FitWarning[];
  optSummary: OptSummary;
  /** lme4's convergence statistics at the optimum. */
  convergence: ConvergenceCheck;
}
