import { makeFit } from "../fit/makeFit.js";
import type { FitOptions } from "../fit/fit.js";
import type { LmmFit } from "../fit/LmmFit.js";
import { restoreUnits } from "../fit/responseScaling.js";
import { makeObjective } from "../objective/makeObjective.js";
import type { OptSummary } from "../optim/OptSummary.js";
import { optimize } from "../optim/optimize.js";
import { modelFromSums, type SummedModel, type SumsRow } from "./modelFromSums.js";
import type { CrossProductPlan } from "./planCrossProducts.js";

/**
 * Fits a linear mixed model from its sums (the result of `crossProductsQuery`): `modelFromSums →
 * makeObjective → optimize → makeFit`, the fit given back in the response's units. Everything of
 * `fit()` but what needs the rows again: fitted values, residuals and their quantiles (a second
 * query, `residualsQuery`, computes those in the database).
 */
export function fitFromSums(plan: CrossProductPlan, rows: readonly SumsRow[], options: FitOptions = {}): LmmFit {
  return fitSummedModel(modelFromSums(plan, rows), options);
}

/** The fitting stages on a model given by its sums; with `at`, the fit at that optimizer result's θ (no optimization). */
export function fitSummedModel(summed: SummedModel, options: FitOptions = {}, at?: OptSummary): LmmFit {
  const { model, cross, shift, scale } = summed;
  const objective = makeObjective(model, cross);
  const fit = makeFit(model, objective, at ?? optimize(objective, options), options);
  return shift === 0 && scale === 1 ? fit : restoreUnits(fit, shift, scale, model);
}
