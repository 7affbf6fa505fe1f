import type { ConvergenceCheck } from "./checkConvergence.js";
import type { SatterthwaiteModel } from "./satterthwaite.js";
import type { OptSummary } from "../optim/OptSummary.js";
import type { CorrelationClass, VarianceClass } from "../formula/parseStructure.js";

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
  code: "singular" | "convergence" | "rank-deficient" | "missing-rows" | "scale" | "satterthwaite" | "not-identified";
  message: string;
}

/** A fitted residual structure's part of a fit: nlme's corStruct, varFunc and what follows from them. */
export interface ResidualFit {
  /** The grouping the residuals correlate within. */
  group: string;
  /** The correlation structure: its class, text, time or position covariate (null: the rows' order), parameters on the natural scale. */
  correlation: { class: CorrelationClass; text: string; covariate: string | null; names: string[]; values: number[] } | null;
  /** The variance function; varIdent's `strata` reference first, its values the other strata's SD ratios. */
  variance: { class: VarianceClass; text: string; column: string; names: string[]; values: number[]; strata: string[] } | null;
  /** The structure's unconstrained parameters at the optimum (the optimizer's). */
  unconstrained: number[];
  /** C_i of the first group (nlme's `corMatrix`), rows in the data's order. */
  correlationMatrix: { group: string; matrix: number[][] } | null;
  /** V_i = Z_i G Z_i' + σ² D_i C_i D_i of the first group (nlme's `getVarCov(type = "marginal")`); rows: the data rows, numbered from 1. */
  marginalCovariance: { group: string; rows: number[]; matrix: number[][] };
  /** Xβ̂ (+ offset): the population fitted values, nlme's `fitted(m, level = 0)`. */
  fittedFixed: number[];
  /** Normalized residuals (nlme's `type = "normalized"`): the within-group residuals whitened by L_i⁻¹, over σ̂. */
  normalizedResiduals: Float64Array;
}

/**
 * nlme's t-table (`summary(lme)$tTable`): the denominator degrees of freedom of the containment rule
 * (`containmentDf`), standard errors (under ML, vcov's times √(n / (n − p)), nlme's `adjustSigma`),
 * t statistics and two-sided p-values.
 */
export interface ContainmentTable {
  df: number[];
  se: number[];
  tValues: number[];
  pValues: number[];
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
  /** nlme's t-table of the fixed effects (the "containment" degrees of freedom); null when the groupings are crossed. */
  containment: ContainmentTable | null;
  /** Residual standard deviation σ̂ (with a variance function, the reference stratum's or at d = 1). */
  sigma: number;
  varcorr: VarCorrTerm[];
  /** REML criterion (REML) or deviance (ML) at the optimum. */
  objective: number;
  logLik: number;
  /** The residual correlation structure and variance function, when the model has them (nlme's). */
  residual?: ResidualFit;
  /** Number of parameters: fixed effects + θ (+ the residual structure's) + σ. */
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
  /**
   * min, 1Q, median, 3Q, max of the scaled residuals (R's quantile type 7). Empty for a model fitted
   * from its sums until the database computes them (fitted, residuals and scaledResiduals stay empty).
   */
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
