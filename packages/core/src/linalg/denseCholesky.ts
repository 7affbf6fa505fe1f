import { wasmCholesky } from "../kernels/wasmKernels.js";

/**
 * Small dense kernels on row-major Float64Array matrices, used per level block (p × p with p
 * small) and for the dense rest block. Plain loops: for these sizes ml-matrix's Matrix objects
 * would allocate per call, in the innermost loop of every objective evaluation.
 */

/**
 * In-place lower Cholesky factor of the symmetric n × n matrix stored at `a[off ..]` with row
 * stride `n` (only the lower triangle is read; the strict upper triangle is zeroed).
 * Returns false if the matrix is not positive definite (a pivot ≤ 0 or NaN); the matrix is then
 * left in an unspecified state.
 *
 * Small n (the per-level blocks, called millions of times) use the plain row-by-row algorithm;
 * from n = 32 on, a blocked left-looking algorithm with register-tiled updates
 * (see `cholBlocked`) does the same arithmetic several times faster; from n = 64 on, where
 * WebAssembly SIMD is available, the same blocked algorithm compiled from `wasm/denseKernels.ts` runs
 * its dot products two lanes at a time (another 2–3×).
 */
export function cholLowerInPlace(a: Float64Array, n: number, off = 0): boolean {
  if (n >= WASM_MIN_N) {
    const wasm = wasmCholesky();
    if (wasm) return wasm(a, n, off);
  }
  if (n >= 32) return cholBlocked(a, n, off); // one block (CHOL_NB) or more: the blocked path
  for (let i = 0; i < n; i++) {
    const ri = off + i * n;
    for (let j = 0; j <= i; j++) {
      const rj = off + j * n;
      let s = a[ri + j]!;
      for (let k = 0; k < j; k++) s -= a[ri + k]! * a[rj + k]!;
      if (i === j) {
        if (!(s > 0)) return false;
        a[ri + i] = Math.sqrt(s);
      } else {
        a[ri + j] = s / a[rj + j]!;
      }
    }
    for (let j = i + 1; j < n; j++) a[ri + j] = 0;
  }
  return true;
}

/** From this order on, the WebAssembly SIMD kernel (same algorithm, 2–3× faster) is used where available. */
export const WASM_MIN_N = 64;

/** The TypeScript blocked kernel alone (n ≥ 32), for tests that compare it with the WebAssembly one. */
export function cholLowerBlockedTs(a: Float64Array, n: number, off = 0): boolean {
  return cholBlocked(a, n, off);
}

/** Rows / columns per block (multiple of 4). */
const CHOL_NB = 32;
/** Length of the k-chunks of the block updates (keeps two block strips in L2). */
const CHOL_KC = 512;

/*
 * Blocked left-looking Cholesky (row-major, lower). For each block row I = [i0, i1):
 *   for each block column J = [j0, j1) left of the diagonal:
 *     A[I,J] -= L[I,0:j0] L[J,0:j0]'          (updRect, 4×2 register tiles, k in chunks)
 *     A[I,J]  = A[I,J] L[J,J]^-T               (solveTile, the in-block triangular part)
 *   A[I,I] -= L[I,0:i0] L[I,0:i0]'  (lower part) (updDiag)
 *   A[I,I]  = chol(A[I,I])                      (factorDiag)
 * Every inner loop is a dot product over contiguous row segments; the tiles give several
 * independent accumulators per loaded value. Index arithmetic is written `(x + y) | 0` so V8
 * compiles it without overflow checks (all indices are < a.length < 2^31).
 */
function cholBlocked(a: Float64Array, n: number, off: number): boolean {
  for (let i0 = 0; i0 < n; i0 += CHOL_NB) {
    const i1 = Math.min(i0 + CHOL_NB, n);
    for (let j0 = 0; j0 < i0; j0 += CHOL_NB) {
      const j1 = j0 + CHOL_NB;
      for (let k0 = 0; k0 < j0; k0 += CHOL_KC) updRect(a, n, off, i0, i1, j0, j1, k0, Math.min(k0 + CHOL_KC, j0));
      solveTile(a, n, off, i0, i1, j0, j1);
    }
    for (let k0 = 0; k0 < i0; k0 += CHOL_KC) updDiag(a, n, off, i0, i1, k0, Math.min(k0 + CHOL_KC, i0));
    if (!factorDiag(a, n, off, i0, i1)) return false;
  }
  for (let i = 0; i < n; i++) {
    const ri = off + i * n;
    for (let j = i + 1; j < n; j++) a[ri + j] = 0;
  }
  return true;
}

/** a[i][j] -= Σ_{k0 ≤ k < k1} a[i][k] a[j][k] for i in [i0, i1), j in [j0, j1) (all below the diagonal). */
function updRect(
  a: Float64Array,
  n: number,
  off: number,
  i0: number,
  i1: number,
  j0: number,
  j1: number,
  k0: number,
  k1: number,
): void {
  let i = i0;
  for (; i + 3 < i1; i += 4) {
    const r0 = (off + i * n) | 0;
    const r1 = (r0 + n) | 0;
    const r2 = (r1 + n) | 0;
    const r3 = (r2 + n) | 0;
    let j = j0;
    for (; j + 1 < j1; j += 2) {
      const q0 = (off + j * n) | 0;
      const q1 = (q0 + n) | 0;
      let s00 = 0, s01 = 0, s10 = 0, s11 = 0, s20 = 0, s21 = 0, s30 = 0, s31 = 0;
      for (let k = k0; k < k1; k = (k + 1) | 0) {
        const y0 = a[(q0 + k) | 0]!;
        const y1 = a[(q1 + k) | 0]!;
        const x0 = a[(r0 + k) | 0]!;
        const x1 = a[(r1 + k) | 0]!;
        const x2 = a[(r2 + k) | 0]!;
        const x3 = a[(r3 + k) | 0]!;
        s00 += x0 * y0;
        s01 += x0 * y1;
        s10 += x1 * y0;
        s11 += x1 * y1;
        s20 += x2 * y0;
        s21 += x2 * y1;
        s30 += x3 * y0;
        s31 += x3 * y1;
      }
      a[r0 + j] = a[r0 + j]! - s00;
      a[r0 + j + 1] = a[r0 + j + 1]! - s01;
      a[r1 + j] = a[r1 + j]! - s10;
      a[r1 + j + 1] = a[r1 + j + 1]! - s11;
      a[r2 + j] = a[r2 + j]! - s20;
      a[r2 + j + 1] = a[r2 + j + 1]! - s21;
      a[r3 + j] = a[r3 + j]! - s30;
      a[r3 + j + 1] = a[r3 + j + 1]! - s31;
    }
    if (j < j1) {
      const q0 = (off + j * n) | 0;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let k = k0; k < k1; k = (k + 1) | 0) {
        const y = a[(q0 + k) | 0]!;
        s0 += a[(r0 + k) | 0]! * y;
        s1 += a[(r1 + k) | 0]! * y;
        s2 += a[(r2 + k) | 0]! * y;
        s3 += a[(r3 + k) | 0]! * y;
      }
      a[r0 + j] = a[r0 + j]! - s0;
      a[r1 + j] = a[r1 + j]! - s1;
      a[r2 + j] = a[r2 + j]! - s2;
      a[r3 + j] = a[r3 + j]! - s3;
    }
  }
  for (; i < i1; i++) {
    const r0 = (off + i * n) | 0;
    for (let j = j0; j < j1; j++) {
      const q0 = (off + j * n) | 0;
      let s0 = 0, s1 = 0;
      let k = k0;
      for (; k + 1 < k1; k = (k + 2) | 0) {
        s0 += a[(r0 + k) | 0]! * a[(q0 + k) | 0]!;
        s1 += a[(r0 + k + 1) | 0]! * a[(q0 + k + 1) | 0]!;
      }
      if (k < k1) s0 += a[(r0 + k) | 0]! * a[(q0 + k) | 0]!;
      a[r0 + j] = a[r0 + j]! - (s0 + s1);
    }
  }
}

/** The lower triangle (j ≤ i) of the diagonal block [i0, i1)² of the update in `updRect`. */
function updDiag(a: Float64Array, n: number, off: number, i0: number, i1: number, k0: number, k1: number): void {
  let i = i0;
  for (; i + 3 < i1; i += 4) {
    if (i > i0) updRect(a, n, off, i, i + 4, i0, i, k0, k1);
    const r0 = (off + i * n) | 0;
    const r1 = (r0 + n) | 0;
    const r2 = (r1 + n) | 0;
    const r3 = (r2 + n) | 0;
    let s00 = 0, s10 = 0, s11 = 0, s20 = 0, s21 = 0, s22 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0;
    for (let k = k0; k < k1; k = (k + 1) | 0) {
      const x0 = a[(r0 + k) | 0]!;
      const x1 = a[(r1 + k) | 0]!;
      const x2 = a[(r2 + k) | 0]!;
      const x3 = a[(r3 + k) | 0]!;
      s00 += x0 * x0;
      s10 += x1 * x0;
      s11 += x1 * x1;
      s20 += x2 * x0;
      s21 += x2 * x1;
      s22 += x2 * x2;
      s30 += x3 * x0;
      s31 += x3 * x1;
      s32 += x3 * x2;
      s33 += x3 * x3;
    }
    a[r0 + i] = a[r0 + i]! - s00;
    a[r1 + i] = a[r1 + i]! - s10;
    a[r1 + i + 1] = a[r1 + i + 1]! - s11;
    a[r2 + i] = a[r2 + i]! - s20;
    a[r2 + i + 1] = a[r2 + i + 1]! - s21;
    a[r2 + i + 2] = a[r2 + i + 2]! - s22;
    a[r3 + i] = a[r3 + i]! - s30;
    a[r3 + i + 1] = a[r3 + i + 1]! - s31;
    a[r3 + i + 2] = a[r3 + i + 2]! - s32;
    a[r3 + i + 3] = a[r3 + i + 3]! - s33;
  }
  for (; i < i1; i++) updRect(a, n, off, i, i + 1, i0, i + 1, k0, k1);
}

/** Triangular solve of the off-diagonal tile [i0, i1) × [j0, j1) against L[J,J]' (column by column). */
function solveTile(a: Float64Array, n: number, off: number, i0: number, i1: number, j0: number, j1: number): void {
  for (let j = j0; j < j1; j++) solveColumn(a, n, off, i0, i1, j, j0, a[off + j * n + j]!);
}

/** a[i][j] = (a[i][j] - Σ_{k0 ≤ k < j} a[i][k] a[j][k]) / d for i in [i0, i1), four rows at a time. */
function solveColumn(a: Float64Array, n: number, off: number, i0: number, i1: number, j: number, k0: number, d: number): void {
  const q = (off + j * n) | 0;
  let i = i0;
  for (; i + 3 < i1; i += 4) {
    const r0 = (off + i * n) | 0;
    const r1 = (r0 + n) | 0;
    const r2 = (r1 + n) | 0;
    const r3 = (r2 + n) | 0;
    let s0 = a[r0 + j]!, s1 = a[r1 + j]!, s2 = a[r2 + j]!, s3 = a[r3 + j]!;
    for (let k = k0; k < j; k = (k + 1) | 0) {
      const y = a[(q + k) | 0]!;
      s0 -= a[(r0 + k) | 0]! * y;
      s1 -= a[(r1 + k) | 0]! * y;
      s2 -= a[(r2 + k) | 0]! * y;
      s3 -= a[(r3 + k) | 0]! * y;
    }
    a[r0 + j] = s0 / d;
    a[r1 + j] = s1 / d;
    a[r2 + j] = s2 / d;
    a[r3 + j] = s3 / d;
  }
  for (; i < i1; i++) {
    const r0 = (off + i * n) | 0;
    let s0 = a[r0 + j]!;
    for (let k = k0; k < j; k = (k + 1) | 0) s0 -= a[(r0 + k) | 0]! * a[(q + k) | 0]!;
    a[r0 + j] = s0 / d;
  }
}

/** Cholesky of the (already updated) diagonal block [i0, i1)², column by column. */
function factorDiag(a: Float64Array, n: number, off: number, i0: number, i1: number): boolean {
  for (let j = i0; j < i1; j++) {
    const q = (off + j * n) | 0;
    let s = a[q + j]!;
    for (let k = i0; k < j; k = (k + 1) | 0) {
      const y = a[(q + k) | 0]!;
      s -= y * y;
    }
    if (!(s > 0)) return false;
    const d = Math.sqrt(s);
    a[q + j] = d;
    solveColumn(a, n, off, j + 1, i1, j, i0, d);
  }
  return true;
}
