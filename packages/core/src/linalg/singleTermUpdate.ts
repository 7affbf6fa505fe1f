import type { BlockedLayout } from "./BlockedLayout.js";
import { cholLowerInPlace } from "./denseCholesky.js";
import { inflateBlock, LogProduct } from "./smallBlocks.js";
import { forwardSolve } from "./triangular.js";

/**
 * One random-effects term, whose every level meets the whole tail [X y]: with a_c the level's
 * block of R'WZ (m × p) and D_c = Z_c'WZ_c, the level's rank update of the tail is
 * L̃_c L̃_c' = a_c S_c a_c' with S_c = T (T'D_cT + I)⁻¹ T'. It is formed as W W', row r of W being
 * L_c⁻¹T'a_r with L_cL_c' = T'D_cT + I (for one column S_c is the scalar t²/(t²D_c + 1)): the explicit S_c
 * cancels digits when a level's columns differ greatly in size. log|L_θ|² = Σ_c log det(T'D_cT + I).
 */
export function singleTermUpdate(layout: BlockedLayout, A: Float64Array): { update(T: Float64Array, M: Float64Array): number } {
  const { nNodes: nl, nodeP, diagOff, valOff, m } = layout;
  const tmp = new Float64Array(nodeP[0]! * nodeP[0]!);
  const p1 = nodeP[0]!;
  const C = new Float64Array(p1 * p1);
  const col = new Float64Array(p1);
  const b = new Float64Array(m * p1);
  return {
    update(T, M) {
      const ld = new LogProduct();
      for (let c = 0; c < nl; c++) {
        const d = diagOff[c]!;
        const a = valOff[c]!;
        if (p1 === 1) {
          const t2 = T[0]! * T[0]!;
          const cc = t2 * A[d]! + 1; // T'D_cT + I for one column
          ld.times(cc);
          const sc = t2 / cc;
          for (let r = 0; r < m; r++) {
            const br = A[a + r]! * sc;
            for (let s2 = 0; s2 <= r; s2++) M[r * m + s2]! -= br * A[a + s2]!;
          }
        } else if (p1 === 2) {
          // C = T'D_cT + I = LL' and W's rows L⁻¹T'a_r, in closed form
          const t00 = T[0]!;
          const t10 = T[2]!;
          const t11 = T[3]!;
          inflateBlock(T, 2, A, d, C, 0, tmp);
          const l00 = Math.sqrt(C[0]!);
          const l10 = C[1]! / l00;
          const l11sq = C[3]! - l10 * l10;
          if (!(l11sq > 0)) return NaN;
          const i00 = 1 / l00;
          const i11 = 1 / Math.sqrt(l11sq);
          ld.times(C[0]! * l11sq);
          for (let r = 0; r < m; r++) {
            const x0 = A[a + 2 * r]!;
            const x1 = A[a + 2 * r + 1]!;
            const w0 = (t00 * x0 + t10 * x1) * i00;
            b[2 * r] = w0;
            b[2 * r + 1] = (t11 * x1 - l10 * w0) * i11;
          }
          for (let r = 0; r < m; r++) {
            const g0 = b[2 * r]!;
            const g1 = b[2 * r + 1]!;
            const row = r * m;
            for (let s2 = 0, o = 0; s2 <= r; s2++, o += 2) M[row + s2]! -= g0 * b[o]! + g1 * b[o + 1]!;
          }
        } else {
          // C = T'D_cT + I = LL'; row r of W is L⁻¹T'a_r, and the update is W W' (as for p = 2)
          inflateBlock(T, p1, A, d, C, 0, tmp);
          if (!cholLowerInPlace(C, p1)) return NaN;
          for (let i = 0; i < p1; i++) ld.times(C[i * p1 + i]! * C[i * p1 + i]!);
          for (let r = 0; r < m; r++) {
            for (let i = 0; i < p1; i++) {
              let acc = 0;
              for (let u = i; u < p1; u++) acc += T[u * p1 + i]! * A[a + r * p1 + u]!;
              col[i] = acc;
            }
            forwardSolve(C, p1, col);
            for (let i = 0; i < p1; i++) b[r * p1 + i] = col[i]!;
          }
          for (let r = 0; r < m; r++) {
            for (let s2 = 0; s2 <= r; s2++) {
              let acc = 0;
              for (let k = 0; k < p1; k++) acc += b[r * p1 + k]! * b[s2 * p1 + k]!;
              M[r * m + s2]! -= acc;
            }
          }
        }
        ld.flush();
      }
      return ld.value;
    },
  };
}
