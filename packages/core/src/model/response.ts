/** The response as the fit sees it: y less its offset, and its moments. */
import { wasmRowPasses } from "../kernels/wasmKernels.js";
import type { Model } from "./Model.js";

/**
 * Mean and sum of squared deviations of the response less its offset (y − o); without an offset, in
 * WebAssembly where it runs (the same sums: fast from a session's first fit; `wasm: false` keeps
 * them here, for tests).
 */
export function responseMoments(model: Model, wasm = true): { mean: number; ss: number } {
  if (model.summed) return { mean: model.summed.mean, ss: model.summed.ss };
  const { y, offset, n } = model;
  const rows = wasm && !offset ? wasmRowPasses(n) : null;
  if (rows) {
    const { sum, ss } = rows.stats(y, 0, n);
    return { mean: sum / n, ss };
  }
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
