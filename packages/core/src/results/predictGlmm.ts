/**
 * Predictions of a fitted generalized linear mixed model for new rows: lme4's
 * `predict(glmer, newdata, type = "link" | "response", re.form = NA or NULL, allow.new.levels = TRUE)`.
 *
 * The new rows' X and Z are built as `predict` builds them for a linear mixed model (the fitted
 * data with the new rows appended, the fitted bases of poly(), ns(), scale(), …); the linear
 * predictor η = offset + X β̂ (+ Z b̂) is then taken through the inverse link for `type: "response"`
 * (a probability for a binomial model, a mean count for a Poisson one). A level of a grouping factor
 * the fit has not seen gets the population prediction for that term (its random effects count as 0).
 */
import { HlmError } from "../HlmError.js";
import type { GlmmFit } from "../glmm/GlmmFit.js";
import { LINKS } from "../glmm/links.js";
import type { Table } from "../io/Table.js";
import type { Model } from "../model/Model.js";
import { predict } from "./predict.js";

/** Options of `predictGlmm`: the model options the fit was made with, the scale, and whether to add the random effects. */
export interface GlmmPredictOptions {
  factors?: readonly string[];
  weights?: string;
  /** The scale of `fit` and `population`: "link" (η, lme4's default) or "response" (μ = g⁻¹(η)). */
  type?: "link" | "response";
  /** Add the conditional modes of the rows' groups (lme4's default `re.form = NULL`); false gives the population prediction (`re.form = NA`). Default true. */
  randomEffects?: boolean;
}

/** Per new row. */
export interface GlmmPredictions {
  type: "link" | "response";
  /** The prediction on the chosen scale: g⁻¹ or not of offset + X β̂ + Z b̂ (of offset + X β̂ with `randomEffects: false`). */
  fit: Float64Array;
  /** The population prediction on the chosen scale: of offset + X β̂. */
  population: Float64Array;
  /** The prediction on the link scale (η), whatever `type`. */
  link: Float64Array;
  /** Standard error of X β̂ on the link scale: √(x' Var(β̂) x), with lme4's Var(β̂) (`vcov()`). */
  se: Float64Array;
  /** The grouping factors whose level in this row the fit has not seen (their random effects count as 0). */
  newLevels: string[][];
  /** R's warnings about the new rows (bs() beyond its boundary knots), each naming a row. */
  warnings: string[];
}

/**
 * Predictions for the rows of `newdata` from `fit`, a GLMM fit of `model` (built on `data` with the
 * fit's family, link, factors and weights: `buildModel(data, formula, { family, link, … })`, then
 * `fitGlmmModel(model, …)`).
 */
export function predictGlmm(data: Table, model: Model, fit: GlmmFit, newdata: Table, options: GlmmPredictOptions = {}): GlmmPredictions {
  const type = options.type ?? "link";
  if (type !== "link" && type !== "response") throw new HlmError("OPTIONS", `The type of a prediction is "link" or "response", not "${String(type)}".`);
  if (model.n !== fit.nobs || model.p !== fit.fixef.length) {
    throw new HlmError("OPTIONS", "predictGlmm: the model and the fit do not belong together (different observations or fixed effects).");
  }
  const p = predict(data, model, fit, newdata, {
    family: fit.family,
    link: fit.link,
    ...(options.factors !== undefined ? { factors: options.factors } : {}),
    ...(options.weights !== undefined ? { weights: options.weights } : {}),
    randomEffects: options.randomEffects !== false,
  });
  const inv = LINKS[fit.link].linkinv;
  const scale = (eta: Float64Array): Float64Array => (type === "link" ? Float64Array.from(eta) : eta.map((v) => inv(v)));
  return { type, fit: scale(p.fit), population: scale(p.population), link: p.fit, se: p.se, newLevels: p.newLevels, warnings: p.warnings };
}
