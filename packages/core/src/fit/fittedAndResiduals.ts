import type { Model } from "../model/Model.js";
import { fittedValues } from "./solveEffects.js";

/** Fitted values Xβ̂ + Zb̂ (+ offset), residuals y − fitted, and the scaled (Pearson) residuals (y − fitted)·√w / σ̂. */
export function fittedAndResiduals(model: Model, beta: number[], b: Float64Array[], sigma: number): { fitted: Float64Array; residuals: Float64Array; scaledResiduals: Float64Array } {
  const { n } = model;
  const fitted = fittedValues(model, beta, b);
  const residuals = new Float64Array(n);
  const scaledResiduals = new Float64Array(n);
  const { y, weights } = model;
  for (let t = 0; t < n; t++) {
    const r = y[t]! - fitted[t]!;
    residuals[t] = r;
    scaledResiduals[t] = (weights ? r * Math.sqrt(weights[t]!) : r) / sigma;
  }

  return { fitted, residuals, scaledResiduals };
}
