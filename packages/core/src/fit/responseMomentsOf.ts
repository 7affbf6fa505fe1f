import { wasmRowPasses } from "../kernels/wasmKernels.js";
import type { Model } from "../model/Model.js";
import { responseMoments } from "../model/response.js";

/**
 * The response's mean and sum of squared deviations (`responseMoments`), the same sums in
 * WebAssembly where it runs and the response has no offset: fast from a session's first fit.
 */
export function responseMomentsOf(model: Model): { mean: number; ss: number } {
  const rows = !model.offset && model.n >= 64 ? wasmRowPasses() : null;
  if (!rows) return responseMoments(model);
  const { sum, ss } = rows.stats(model.y, 0, model.n);
  return { mean: sum / model.n, ss };
}
