/**
 * Small dense kernels on row-major Float64Array matrices, used per level block (p × p with p
 * small) and for the dense rest block. Plain loops: for these sizes ml-matrix's Matrix objects
 * would allocate per call, in the innermost loop of every objective evaluation.
 */

/**
 * In-place lower Cholesky factor of the symmetric n × n matrix stored at `a[off ..]` with row
 * stride `n` (only the lower triangle is read; the strict upper triangle is zeroed).
 * Returns false if the matrix is not positive definite.
 */
export function cholLowerInPlace(a: Float64Array, n: number, off = 0): boolean {
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

/** Solves L x = b in place (L lower triangular n × n at `L[off ..]`, row-major). */
export function forwardSolve(L: Float64Array, n: number, b: Float64Array, off = 0, boff = 0): void {
  for (let i = 0; i < n; i++) {
    let s = b[boff + i]!;
    const ri = off + i * n;
    for (let k = 0; k < i; k++) s -= L[ri + k]! * b[boff + k]!;
    b[boff + i] = s / L[ri + i]!;
  }
}

/** Solves L' x = b in place (L lower triangular n × n at `L[off ..]`, row-major). */
export function backSolveTransposed(L: Float64Array, n: number, b: Float64Array, off = 0, boff = 0): void {
  for (let i = n - 1; i >= 0; i--) {
    let s = b[boff + i]!;
    for (let k = i + 1; k < n; k++) s -= L[off + k * n + i]! * b[boff + k]!;
    b[boff + i] = s / L[off + i * n + i]!;
  }
}

/** Inverse of a lower-triangular n × n matrix (row-major), itself lower triangular. */
export function invertLower(L: Float64Array, n: number, off = 0): Float64Array {
  const inv = new Float64Array(n * n);
  const col = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    col.fill(0);
    col[j] = 1;
    forwardSolve(L, n, col, off);
    for (let i = j; i < n; i++) inv[i * n + j] = col[i]!;
  }
  return inv;
}
