/** The response as the fit sees it: y less its offset, and its moments. */
import type { Model } from "./Model.js";

/** Mean and sum of squared deviations of the response less its offset (y − o). */
export function responseMoments(model: Model): { mean: number; ss: number } {
  const { y, offset, n } = model;
  let mean = 0;
  for (let t = 0; t < n; t++) mean += y[t]! - (offset ? offset[t]! : 0);
  mean /= n;
  let ss = 0;
  for (let t = 0; t < n; t++) {
    const d = y[t]! - (offset ? offset[t]! : 0) - mean;
    ss += d * d; // not d ** 2: a call to pow in optimized code, for every row
  }
  return { mean, ss };
}

/** y minus the offset: the response the penalized least squares fits. */
export function responseMinusOffset(model: Model): Float64Array {
  if (!model.offset) return model.y;
  const y = new Float64Array(model.n);
  for (let t = 0; t < model.n; t++) y[t] = model.y[t]! - model.offset[t]!;
  return y;
}
