import type { BlockedLayout } from "../linalg/BlockedLayout.js";
import { backSolveTransposed, multiplyLevels, solveRest } from "../linalg/triangular.js";
import type { Model } from "../model/Model.js";
import type { Factorization } from "../objective/ProfiledDeviance.js";

/**
 * β̂ and b̂ from L: back-substitution L'[u; β; −1] = 0 through the tail, then through the nodes
 * in reverse; b = Λθ u, per term (rows of `b[i]` are levels, p_i values each).
 */
export function solveEffects(model: Model, layout: BlockedLayout, fac: Factorization): { beta: number[]; b: Float64Array[] } {
  const { p, reTerms } = model;
  const { termRow } = layout;
  const x = sphericalSolution(layout, fac);
  const q = termRow[reTerms.length]!;
  const beta = Array.from(x.subarray(q, q + p));
  const b = reTerms.map((t, i) => multiplyLevels(fac.T[i]!, t.p, t.nl, x.subarray(termRow[i]!, termRow[i]! + t.nl * t.p)));
  return { beta, b };
}

/** The solution [u; β; −1] of L'x = 0 by rows of L (u: the spherical random effects, in `termRow` order). */
export function sphericalSolution(layout: BlockedLayout, fac: Factorization): Float64Array {
  const { m, tailStart, nNodes, nodeP, nodeRow, diagOff, valOff, colPtr, rowIdx } = layout;
  const x = new Float64Array(tailStart + m);
  x.set(solveRest(fac.LRR, m), tailStart);
  const L = fac.Lnodes;
  for (let u = nNodes - 1; u >= 0; u--) {
    const pu = nodeP[u]!;
    const r0 = nodeRow[u]!;
    const v0 = valOff[u]!;
    for (let e = colPtr[u]!; e < colPtr[u + 1]!; e++) {
      const xe = x[rowIdx[e]!]!;
      const o = v0 + (e - colPtr[u]!) * pu;
      for (let a = 0; a < pu; a++) x[r0 + a]! -= L[o + a]! * xe;
    }
    backSolveTransposed(L, pu, x, diagOff[u]!, r0);
  }
  return x;
}

/** Fitted values Xβ̂ + Zb̂ + offset, conditional on the BLUPs. */
export function fittedValues(model: Model, beta: number[], b: Float64Array[]): Float64Array {
  const { n, p, X } = model;
  const fitted = model.offset ? Float64Array.from(model.offset) : new Float64Array(n);
  for (let j = 0; j < p; j++) {
    const bj = beta[j]!;
    const o = j * n;
    for (let t = 0; t < n; t++) fitted[t]! += X[o + t]! * bj;
  }
  model.reTerms.forEach((term, i) => addTermEffects(fitted, term.refs, term.z, term.p, b[i]!));
  return fitted;
}

/** fitted += Z_i b_i for one term (levels `refs`, p columns per level). */
export function addTermEffects(fitted: Float64Array, refs: Int32Array, z: Float64Array, p: number, bi: Float64Array): void {
  const n = fitted.length;
  if (p === 1) {
    for (let t = 0; t < n; t++) fitted[t]! += z[t]! * bi[refs[t]!]!;
    return;
  }
  for (let t = 0; t < n; t++) {
    const o = refs[t]! * p;
    let s = 0;
    for (let k = 0; k < p; k++) s += z[t * p + k]! * bi[o + k]!;
    fitted[t]! += s;
  }
}
