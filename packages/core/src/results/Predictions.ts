import type { LmmFit } from "../fit/LmmFit.js";

/** Options of the prediction: the model options the fit was made with, and whether to add the random effects. */
export interface PredictOptions {
  factors?: readonly string[];
  weights?: string;
  /** A generalized linear mixed model's family and link (so that its response, `cbind(s, f)` or a two-level column, is read as the fit read it). */
  family?: "binomial" | "poisson";
  link?: "logit" | "probit" | "cloglog" | "log";
  /** Add the BLUPs of the rows' groups (lme4's default `re.form = NULL`); false gives X β̂ only (`re.form = NA`). Default true. */
  randomEffects?: boolean;
}

/** Per new row. */
export interface Predictions {
  /** The prediction: X β̂ + Z b̂ (+ offset), or X β̂ (+ offset) with `randomEffects: false`. */
  fit: Float64Array;
  /** The population prediction X β̂ (+ offset). */
  population: Float64Array;
  /** Standard error of X β̂: √(x' Var(β̂) x), the uncertainty of the fixed part given θ̂. */
  se: Float64Array;
  /** The grouping factors whose level in this row the fit has not seen (their random effects count as 0). */
  newLevels: string[][];
  /** R's warnings about the new rows (bs() evaluated beyond its boundary knots), each naming a row. */
  warnings: string[];
}

/** What a prediction reads from a fit, LMM or GLMM: the fixed effects, their covariance, the variance components and the BLUPs. */
export type PredictableFit = Pick<LmmFit, "fixef" | "fixefNames" | "vcov" | "varcorr" | "ranef">;
