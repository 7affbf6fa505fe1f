import type { BlockedLayout } from "./BlockedLayout.js";
import { cholLowerInPlace } from "./denseCholesky.js";
import { LogProduct } from "./smallBlocks.js";
import { forwardSolve } from "./triangular.js";

/**
 * Right-looking blocked Cholesky over the nodes, in order: factor u's diagonal block, solve its
 * column (L_eu = S_eu L_uu⁻ᵀ), and subtract the rank update L_·u L_·u' from the later nodes (the
 * tail's share is `tailRankUpdate`'s). Returns Σ log diag(L_uu)² (NaN if a block is not positive definite).
 */
export function eliminateNodes(layout: BlockedLayout, firstTail: Int32Array, S: Float64Array): number {
  const { nNodes, nodeP, diagOff, valOff, colPtr, pairPtr, pairTarget } = layout;
  const ld = new LogProduct();
  for (let u = 0; u < nNodes; u++) {
    const pu = nodeP[u]!;
    const d = diagOff[u]!;
    const v0 = valOff[u]!;
    const e0 = colPtr[u]!;
    const e1 = colPtr[u + 1]!;
    const ft = firstTail[u]!;
    let k = pairPtr[u]!;
    if (pu === 1) {
      const l = Math.sqrt(S[d]!);
      if (!(l > 0)) return NaN;
      S[d] = l;
      ld.times(l);
      const inv = 1 / l;
      for (let o = v0; o < v0 + (e1 - e0); o++) S[o]! *= inv;
      for (let g = e0; g < ft; g++) {
        const lg = S[v0 + g - e0]!;
        for (let e = g; e < e1; e++) S[pairTarget[k++]!]! -= S[v0 + e - e0]! * lg;
      }
    } else if (pu === 2) {
      const l00 = Math.sqrt(S[d]!);
      const l10 = S[d + 2]! / l00;
      const dd = S[d + 3]! - l10 * l10;
      if (!(l00 > 0) || !(dd > 0)) return NaN;
      const l11 = Math.sqrt(dd);
      S[d] = l00;
      S[d + 1] = 0;
      S[d + 2] = l10;
      S[d + 3] = l11;
      ld.times(l00 * l11);
      for (let o = v0; o < v0 + 2 * (e1 - e0); o += 2) {
        const w0 = S[o]! / l00;
        S[o] = w0;
        S[o + 1] = (S[o + 1]! - l10 * w0) / l11;
      }
      for (let g = e0; g < ft; g++) {
        const og = v0 + 2 * (g - e0);
        const g0 = S[og]!;
        const g1 = S[og + 1]!;
        for (let e = g, oe = og; e < e1; e++, oe += 2) S[pairTarget[k++]!]! -= S[oe]! * g0 + S[oe + 1]! * g1;
      }
    } else {
      if (!cholLowerInPlace(S, pu, d)) return NaN;
      for (let i = 0; i < pu; i++) ld.times(S[d + i * pu + i]!);
      for (let e = e0; e < e1; e++) forwardSolve(S, pu, S, d, v0 + (e - e0) * pu);
      for (let g = e0; g < ft; g++) {
        const og = v0 + (g - e0) * pu;
        for (let e = g; e < e1; e++) {
          const oe = v0 + (e - e0) * pu;
          let acc = 0;
          for (let a = 0; a < pu; a++) acc += S[oe + a]! * S[og + a]!;
          S[pairTarget[k++]!]! -= acc;
        }
      }
    }
    ld.flush();
  }
  return 2 * ld.value;
}
