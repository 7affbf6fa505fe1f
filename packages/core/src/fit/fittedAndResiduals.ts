import { wasmRowPasses } from "../kernels/wasmKernels.js";
import type { Model } from "../model/Model.js";
import { fittedValues } from "./solveEffects.js";

/** Fitted values Xβ̂ + Zb̂ (+ offset), residuals y − fitted, and the scaled (Pearson) residuals (y − fitted)·√w / σ̂. */
export function fittedAndResiduals(model: Model, beta: number[], b: Float64Array[], sigma: number): { fitted: Float64Array; residuals: Float64Array; scaledResiduals: Float64Array } {
  const { n } = model;
  // the same sums in WebAssembly where it runs (fast from a session's first fit)
  const rows = wasmRowPasses(n);
  if (rows) {
    const terms = model.reTerms.map((t, i) => ({ refs: t.refs, z: t.z, p: t.p, b: b[i]! }));
    return rows.fitted({ n, p: model.p, X: model.X, beta, y: model.y, offset: model.offset, weights: model.weights, terms, sigma });
  }
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
