import type { BlockedLayout } from "../linalg/BlockedLayout.js";
import type { Model } from "../model/Model.js";
import { assembleCrossProducts, type CrossProductValues } from "./assembleCrossProducts.js";
import { blockedLayout } from "./blockedLayout.js";
import { symbolicElimination } from "./symbolicElimination.js";

/**
 * The blocked cross-product matrix A = [Z X y]' W [Z X y], formed once per model (O(n)), laid out
 * as the blocked lower Cholesky factor L of Λ'AΛ + I will be, so that an evaluation of the
 * objective never touches the n observations again (MixedModels.jl's `A` and `L` blocks): the
 * structure (`BlockedLayout`: nodes for the levels of the terms eliminated level by level, a dense
 * tail where factors cross) and A's values in it.
 *
 * Plain Float64Array/Int32Array: these loops are the hot path of model setup and of every
 * evaluation, where ml-matrix's per-element accessors would cost more than the arithmetic.
 */
export interface CrossProducts extends BlockedLayout, CrossProductValues {}

/** Forms the blocks of A for a model (the response is y minus the offset): symbolic elimination, the layout, then the values. */
export function crossProducts(model: Model): CrossProducts {
  const layout = blockedLayout(model.reTerms, model.p, symbolicElimination(model.reTerms, model.n));
  return { ...layout, ...assembleCrossProducts(model, layout) };
}
