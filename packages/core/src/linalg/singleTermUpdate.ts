import type { BlockedLayout } from "./BlockedLayout.js";
import { cholLowerInPlace } from "./denseCholesky.js";
import { inflateBlock, LogProduct } from "./smallBlocks.js";
import { forwardSolve } from "./triangular.js";
import { dotProduct } from "../model/dotProduct.js";
import { wasmTermUpdate, type TermUpdateKernel } from "../kernels/wasmKernels.js";

/** One term's update of the tail; with `L` (when `fillsL`), L's node values are written too. */
export interface SingleTermUpdate {
  /** Whether `update` writes L's node values when given the array. */
  fillsL: boolean;
  /** M −= the levels' rank update of the tail; returns Σ_c log det(T'D_cT + I) (NaN if a level's block is not positive definite). */
  update(T: Float64Array, M: Float64Array, L?: Float64Array): number;
}

/**
 * One random-effects term, whose every level meets the whole tail [X y]: with a_c the level's
 * block of R'WZ (m × p) and D_c = Z_c'WZ_c, the level's rank update of the tail is
 * L̃_c L̃_c' = a_c S_c a_c' with S_c = T (T'D_cT + I)⁻¹ T'. It is formed as W W', row r of W being
 * L_c⁻¹T'a_r with L_cL_c' = T'D_cT + I (for one column S_c is the scalar t²/(t²D_c + 1)): the explicit S_c
 * cancels digits when a level's columns differ greatly in size. log|L_θ|² = Σ_c log det(T'D_cT + I).
 * `kernel`: the WebAssembly kernel for one or two columns per level (by default from 8 levels, where
 * it runs), or null for the TypeScript loops; both give the same sums. `changing`: A's values change
 * between updates (a residual structure's whitened rows), so they are read again at each.
 */
export function singleTermUpdate(
  layout: BlockedLayout,
  A: Float64Array,
  kernel: TermUpdateKernel | null = layout.nNodes >= 8 ? wasmTermUpdate() : null,
  changing = false,
): SingleTermUpdate {
  const { nNodes: nl, nodeP, diagOff, valOff, m } = layout;
  const p1 = nodeP[0]!;
  if (p1 <= 2) return batchedUpdate(layout, A, p1, kernel, changing);
  const tmp = new Float64Array(p1 * p1);
  const C = new Float64Array(p1 * p1);
  const col = new Float64Array(p1);
  const b = new Float64Array(m * p1);
  return {
    fillsL: false,
    update(T, M) {
      const ld = new LogProduct();
      for (let c = 0; c < nl; c++) {
        const d = diagOff[c]!;
        const a = valOff[c]!;
        // C = T'D_cT + I = LL'; row r of W is L⁻¹T'a_r, and the update is W W'
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
        ld.flush();
      }
      return ld.value;
    },
  };
}

/**
 * The update for one or two columns per level, over all levels at once: each level's factor in
 * closed form, W's columns over the levels (row r of the tail, column k: one array of nl values),
 * then each entry of the tail's lower triangle as one long dot product over the levels (four running
 * sums), in place of nl short rank updates. A's blocks are gathered into those columns once. W and
 * the sums run in WebAssembly SIMD (`termUpdate` in wasm/denseKernels.ts, the same sums in the same
 * order) where it is available.
 */
function batchedUpdate(layout: BlockedLayout, A: Float64Array, p1: number, kernel: TermUpdateKernel | null, changing: boolean): SingleTermUpdate {
  const { nNodes: nl, diagOff, valOff, m } = layout;
  // a_rk: the level's entry of R'WZ for tail row r, column k, over the levels (one array, row j = r·p1 + k); D_c's entries likewise
  const packed = new Float64Array((m * p1 + 3) * nl);
  const a = Array.from({ length: m * p1 }, (_, j) => packed.subarray(j * nl, (j + 1) * nl));
  const d00 = packed.subarray(m * p1 * nl, (m * p1 + 1) * nl);
  const d01 = packed.subarray((m * p1 + 1) * nl, (m * p1 + 2) * nl);
  const d11 = packed.subarray((m * p1 + 2) * nl, (m * p1 + 3) * nl);
  const gather = (): void => {
    for (let c = 0; c < nl; c++) {
      const v = valOff[c]!;
      for (let j = 0; j < m * p1; j++) a[j]![c] = A[v + j]!;
      const d = diagOff[c]!;
      if (p1 === 1) d00[c] = A[d]!;
      else {
        d00[c] = A[d]!;
        d01[c] = A[d + 1]!;
        d11[c] = A[d + 3]!;
      }
    }
  };
  gather();
  // the per-level coefficients that make W from a (α for one column; α, β, γ, δ for two), then W's columns
  const coef = new Float64Array(kernel ? 0 : (p1 === 1 ? 1 : 4) * nl); // (the kernel forms them in its own memory)
  const alpha = coef.subarray(0, nl);
  const beta = p1 === 1 ? alpha : coef.subarray(nl, 2 * nl);
  const gamma = p1 === 1 ? alpha : coef.subarray(2 * nl, 3 * nl);
  const delta = p1 === 1 ? alpha : coef.subarray(3 * nl, 4 * nl);
  // the coefficients, W and the sums in WebAssembly where it runs (the same operations), else here
  const sums = new Float64Array((m * (m + 1)) / 2);
  const w = kernel ? [] : Array.from({ length: m * p1 }, () => new Float64Array(nl));
  /** The update in WebAssembly, coefficients included: M −= the sums; Σ log of the products as LogProduct sums them. */
  const inWasm = (T: Float64Array, M: Float64Array): number => {
    const logs = kernel!(packed, m, nl, p1, T[0]!, p1 === 1 ? 0 : T[2]!, p1 === 1 ? 0 : T[3]!, sums, changing);
    if (!logs) return NaN;
    for (let r = 0, k = 0; r < m; r++) for (let s2 = 0; s2 <= r; s2++, k++) M[r * m + s2]! -= sums[k]!;
    let sum = 0;
    for (let i = 0; i < logs.length - 1; i++) sum += Math.log(logs[i]!);
    return sum + Math.log(logs[logs.length - 1]!);
  };
  /**
   * L's node values (each level's block of L and its column, L_c⁻¹T'a_r), as scaleNodes and
   * eliminateNodes form them, with their operations: the same bits.
   */
  const fillL = (T: Float64Array, L: Float64Array): void => {
    for (let c = 0; c < nl; c++) {
      const d = diagOff[c]!;
      const v = valOff[c]!;
      if (p1 === 1) {
        const t = T[0]!;
        const l = Math.sqrt(d00[c]! * t * t + 1);
        L[d] = l;
        const inv = 1 / l;
        for (let r = 0; r < m; r++) L[v + r] = a[r]![c]! * t * inv;
      } else {
        const t00 = T[0]!;
        const t10 = T[2]!;
        const t11 = T[3]!;
        const a00 = d00[c]!;
        const a01 = d01[c]!;
        const a11 = d11[c]!;
        const b00 = a00 * t00 + a01 * t10;
        const b10 = a01 * t00 + a11 * t10;
        const l00 = Math.sqrt(t00 * b00 + t10 * b10 + 1);
        const l10 = (t11 * b10) / l00;
        const l11 = Math.sqrt(t11 * a11 * t11 + 1 - l10 * l10);
        L[d] = l00;
        L[d + 1] = 0;
        L[d + 2] = l10;
        L[d + 3] = l11;
        for (let r = 0; r < m; r++) {
          const x0 = a[2 * r]![c]!;
          const x1 = a[2 * r + 1]![c]!;
          const w0 = (x0 * t00 + x1 * t10) / l00;
          L[v + 2 * r] = w0;
          L[v + 2 * r + 1] = (x1 * t11 - l10 * w0) / l11;
        }
      }
    }
  };
  return {
    fillsL: true,
    update(T, M, L) {
      if (changing) gather();
      if (L) fillL(T, L);
      if (kernel) return inWasm(T, M);
      const ld = new LogProduct();
      if (p1 === 1) {
        // S_c = t²/(t²D_c + 1); W_r = S_c a_r, and the update Σ_c S_c a_r a_s
        const t2 = T[0]! * T[0]!;
        for (let c = 0; c < nl; c++) {
          const cc = t2 * d00[c]! + 1; // T'D_cT + I for one column
          ld.times(cc);
          ld.flush();
          alpha[c] = t2 / cc;
        }
        for (let r = 0; r < m; r++) {
          const ar = a[r]!;
          const wr = w[r]!;
          for (let c = 0; c < nl; c++) wr[c] = alpha[c]! * ar[c]!;
        }
        for (let r = 0; r < m; r++) for (let s2 = 0; s2 <= r; s2++) M[r * m + s2]! -= dotProduct(w[r]!, a[s2]!, nl);
        return ld.value;
      }
      // C = T'D_cT + I = LL' in closed form; W's row r is L⁻¹T'a_r: w0 = α x0 + β x1, w1 = γ x0 + δ x1
      const t00 = T[0]!;
      const t10 = T[2]!;
      const t11 = T[3]!;
      for (let c = 0; c < nl; c++) {
        const a00 = d00[c]!;
        const a01 = d01[c]!;
        const a11 = d11[c]!;
        const b00 = a00 * t00 + a01 * t10;
        const b10 = a01 * t00 + a11 * t10;
        const c00 = t00 * b00 + t10 * b10 + 1;
        const c10 = t11 * b10;
        const c11 = t11 * a11 * t11 + 1;
        const l00 = Math.sqrt(c00);
        const l10 = c10 / l00;
        const l11sq = c11 - l10 * l10;
        if (!(l11sq > 0)) return NaN;
        const i00 = 1 / l00;
        const i11 = 1 / Math.sqrt(l11sq);
        ld.times(c00 * l11sq);
        ld.flush();
        const al = t00 * i00;
        const be = t10 * i00;
        alpha[c] = al;
        beta[c] = be;
        gamma[c] = -l10 * i11 * al;
        delta[c] = (t11 - l10 * be) * i11;
      }
      for (let r = 0; r < m; r++) {
        const x0 = a[2 * r]!;
        const x1 = a[2 * r + 1]!;
        const w0 = w[2 * r]!;
        const w1 = w[2 * r + 1]!;
        for (let c = 0; c < nl; c++) {
          const u = x0[c]!;
          const v = x1[c]!;
          w0[c] = alpha[c]! * u + beta[c]! * v;
          w1[c] = gamma[c]! * u + delta[c]! * v;
        }
      }
      for (let r = 0; r < m; r++) {
        for (let s2 = 0; s2 <= r; s2++) M[r * m + s2]! -= dotProduct(w[2 * r]!, w[2 * s2]!, nl) + dotProduct(w[2 * r + 1]!, w[2 * s2 + 1]!, nl);
      }
      return ld.value;
    },
  };
}
