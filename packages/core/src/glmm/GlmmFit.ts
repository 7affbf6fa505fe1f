import type { RanefTable, VarCorrTerm } from "../fit/LmmFit.js";
import type { OptSummary } from "../optim/OptSummary.js";
import type { GlmmConvergence } from "./checkGlmmConvergence.js";

/** A fitted generalized linear mixed model: plain data (lme4's `glmerMod` from `glmer`, nAGQ = 1). */
export interface GlmmFit {
  formula: string;
  /** Points of adaptive Gauss–Hermite quadrature: 1 is the Laplace approximation. */
  nAGQ: number;
  family: "binomial" | "poisson";
  link: "logit" | "probit" | "cloglog" | "log";
  responseName: string;
  nobs: number;
  nDropped: number;
  /** Levels of each grouping factor, by lme4's name for it. */
  ngrps: Record<string, number>;
  /** θ̂: the relative covariance factors' entries (no σ in a GLMM). */
  theta: number[];
  thetaNames: string[];
  fixefNames: string[];
  /** β̂. */
  fixef: number[];
  /** Var(β̂) as lme4's `vcov()`: twice the β block of the inverse finite-difference Hessian of the Laplace criterion in (θ, β); `vcovRX` where that Hessian is not positive definite. */
  vcov: number[][];
  vcovSource: "hessian" | "RX";
  se: number[];
  /** (R_X'R_X)⁻¹ at the mode: Var(β̂) conditional on θ̂ (`vcov(m, use.hessian = FALSE)`). */
  vcovRX: number[][];
  seRX: number[];
  /** The finite-difference Hessian of the criterion in (θ, β) (lme4's `optinfo$derivs$Hessian`). */
  hessian: number[][];
  zValues: number[];
  /** Two-sided normal p-values of the z statistics. */
  pValues: number[];
  /** Σ_i = T_i T_i' per term (lme4's VarCorr of a GLMM, σ = 1). */
  varcorr: VarCorrTerm[];
  /** The criterion at the optimum: −2 logLik (lme4's `summary()` "deviance"); with nAGQ > 1, lme4's quadrature value, without the saturated model's −2 logLik. */
  objective: number;
  logLik: number;
  /** Number of parameters: fixed effects + θ. */
  df: number;
  AIC: number;
  BIC: number;
  dfResid: number;
  /** lme4's `deviance()` of a GLMM: the conditional deviance Σ d_i at the modes (not −2 logLik). */
  deviance: number;
  /** −2 log-likelihood of the saturated model (μ = y) with the prior weights. */
  saturatedMinus2LogLik: number;
  /** μ̂ = g⁻¹(η̂), conditional on the modes (a probability for a binomial model). */
  fitted: Float64Array;
  /** η̂ = offset + Xβ̂ + Zb̂. */
  linearPredictor: Float64Array;
  /** (y − μ̂)√w / √V(μ̂). */
  pearsonResiduals: Float64Array;
  /** min, 1Q, median, 3Q, max of the Pearson residuals. */
  pearsonResidQuantiles: number[];
  /** Conditional modes b̂ = Λθ̂ û with their conditional SDs (the Laplace approximation's). */
  ranef: RanefTable[];
  /** lme4's isSingular(): some diagonal θ below 1e-4. */
  singular: boolean;
  droppedColumns: string[];
  /** lme4's convergence check at the optimum (`checkConv`: the scaled gradient, the Hessian's eigenvalues) and its warnings. */
  convergence: GlmmConvergence;
  /** R's warnings about the response (counts or successes that are not whole numbers), each naming a row. */
  responseWarnings: string[];
  /** The two stages: θ by BOBYQA with u and β from PIRLS (nAGQ = 0), then (θ, β) together. */
  optStage1: OptSummary;
  optSummary: OptSummary;
}
