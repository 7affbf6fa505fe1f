/**
 * Triangular solves and inverses on row-major Float64Array matrices: L x = b, L' x = b, L⁻¹, and the
 * solves of the fit's last steps (β̂ from the tail of L, (R_X'R_X)⁻¹, Λθ u per level).
 */
import { WASM_MIN_N } from "./denseCholesky.js";
import { wasmInvertLowerT } from "../kernels/wasmKernels.js";

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

/**
 * The inverse of a lower-triangular n × n matrix L (row-major), transposed: row j of the result is
 * column j of L⁻¹ (zeros before j), so that columns of L⁻¹ are contiguous. Each entry is a dot
 * product of contiguous row segments; from n = 64 on, the WebAssembly SIMD kernel where available.
 */
export function invertLowerTransposed(L: Float64Array, n: number): Float64Array {
  if (n >= WASM_MIN_N) {
    const wasm = wasmInvertLowerT();
    if (wasm) return wasm(L, n);
  }
  return invertLowerTransposedTs(L, n);
}

/** The TypeScript kernel of `invertLowerTransposed` (exported for tests). */
export function invertLowerTransposedTs(L: Float64Array, n: number): Float64Array {
  const x = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const xj = j * n;
    x[xj + j] = 1 / L[j * n + j]!;
    for (let i = j + 1; i < n; i++) {
      const li = i * n;
      let s0 = 0;
      let s1 = 0;
      let k = j;
      for (; k + 1 < i; k += 2) {
        s0 += L[li + k]! * x[xj + k]!;
        s1 += L[li + k + 1]! * x[xj + k + 1]!;
      }
      if (k < i) s0 += L[li + k]! * x[xj + k]!;
      x[xj + i] = -(s0 + s1) / L[li + i]!;
    }
  }
  return x;
}

/** Inverse of a lower-triangular n × n matrix (row-major), itself lower triangular. */
export function invertLower(L: Float64Array, n: number, off = 0): Float64Array {
  // row by row: (L⁻¹)[i][j] = −(Σ_{k=j}^{i−1} L[i][k] (L⁻¹)[k][j]) / L[i][i]; rows of L and of the
  // inverse are read contiguously, and only the lower triangle (n³/6 multiply-adds) is formed
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = off + i * n;
    const d = L[ri + i]!;
    inv[i * n + i] = 1 / d;
    for (let k = 0; k < i; k++) {
      const lik = L[ri + k]!;
      if (lik === 0) continue;
      const rk = k * n;
      for (let j = 0; j <= k; j++) inv[i * n + j]! -= lik * inv[rk + j]!;
    }
    for (let j = 0; j < i; j++) inv[i * n + j] = inv[i * n + j]! / d;
  }
  return inv;
}

/**
 * V = (R_X'R_X)⁻¹ from the X block of L (the lower factor of the rest, m × m, whose rows
 * qRest .. qRest+p−1 hold R_X'); vcov(β̂) = σ² V.
 */
export function crossprodInverseRX(LRR: Float64Array, m: number, qRest: number, p: number, V: Float64Array): void {
  const Li = new Float64Array(p * p);
  // invert the lower-triangular R_X' in place of Li, column by column
  for (let j = 0; j < p; j++) {
    for (let i = j; i < p; i++) {
      let s = i === j ? 1 : 0;
      for (let k = j; k < i; k++) s -= LRR[(qRest + i) * m + qRest + k]! * Li[k * p + j]!;
      Li[i * p + j] = s / LRR[(qRest + i) * m + qRest + i]!;
    }
  }
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = i; k < p; k++) s += Li[k * p + i]! * Li[k * p + j]!;
      V[i * p + j] = s;
      V[j * p + i] = s;
    }
  }
}

/**
 * Solves L_RR'[x; −1] = 0 for x (the rest's part of [û; β̂]), returning [x; −1]; from row `first` on
 * only (the rows above stay 0): with `first` = qRest it gives β̂ alone.
 */
export function solveRest(LRR: Float64Array, m: number, first = 0): Float64Array {
  const z = new Float64Array(m);
  z[m - 1] = -1;
  for (let i = m - 2; i >= first; i--) {
    let s = 0;
    for (let j = i + 1; j < m; j++) s += LRR[j * m + i]! * z[j]!;
    z[i] = -s / LRR[i * m + i]!;
  }
  return z;
}

/** For ℓ blocks of p values: T · block, each. */
export function multiplyLevels(T: Float64Array, p: number, nl: number, u: ArrayLike<number>): Float64Array {
  const out = new Float64Array(nl * p);
  for (let l = 0; l < nl; l++) {
    for (let r = 0; r < p; r++) {
      let s = 0;
      for (let k = 0; k <= r; k++) s += T[r * p + k]! * u[l * p + k]!;
      out[l * p + r] = s;
    }
  }
  return out;
}
