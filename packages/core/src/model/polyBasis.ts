/**
 * R's `poly(x, degree)`: the orthogonal polynomials of degree 1 … d over the points x, and the
 * three-term recurrence coefficients (α, norm2) that evaluate them at other points (R's
 * `poly(x, degree, coefs = list(alpha, norm2))`, which `predict` uses). `poly(x, d, raw = TRUE)` is
 * the powers x, x², …, x^d. The derivation is in docs/guide/how-it-works.md.
 */
import { householderQr, qrQy } from "./householderQr.js";

/** The recurrence coefficients of R's `attr(poly(x, d), "coefs")`: α_1 … α_d and norm2_0 … norm2_{d+1} (norm2_0 = 1, norm2_1 = n). */
export interface PolyCoefficients {
  alpha: number[];
  norm2: number[];
}

/**
 * The orthogonal polynomial basis on the training points x (no missing value, more than `degree`
 * distinct values): R's computation, the QR of the centred Vandermonde matrix [1, x̃, …, x̃^d]
 * (x̃ = x − x̄) whose Q scaled by R's diagonal holds p_k(x), the monic polynomials orthogonal over
 * the points; the columns are p_1 … p_d divided by their norms. Null when the QR finds a power
 * dependent on the lower ones (R's "'degree' must be less than number of unique points").
 */
export function polyTraining(x: Float64Array, degree: number): { columns: Float64Array[]; coefs: PolyCoefficients } | null {
  const n = x.length;
  const xbar = mean(x);
  const xc = Float64Array.from(x, (v) => v - xbar);
  const powers = Array.from({ length: degree + 1 }, (_, k) => Float64Array.from(xc, (v) => (k === 0 ? 1 : k === 1 ? v : v ** k)));
  const qr = householderQr(powers);
  if (qr === null) return null;
  const Z: Float64Array[] = [];
  const norm2: number[] = [1];
  const alpha: number[] = [];
  for (let k = 0; k <= degree; k++) {
    const z = new Float64Array(n);
    z[k] = qr.qr[k * n + k]!; // R's diagonal
    qrQy(qr, z);
    let ss = 0;
    let sx = 0;
    for (let i = 0; i < n; i++) {
      const s = z[i]! * z[i]!;
      ss += s;
      sx += xc[i]! * s;
    }
    norm2.push(ss);
    if (k < degree) alpha.push(sx / ss + xbar);
    Z.push(z);
  }
  const columns = Z.slice(1).map((z, k) => {
    const s = Math.sqrt(norm2[k + 2]!);
    return z.map((v) => v / s);
  });
  return { columns, coefs: { alpha, norm2 } };
}

/**
 * The orthogonal polynomials of the recorded coefficients at the points x (R's `poly(x, d, coefs =)`):
 * p_0 = 1, p_1 = x − α_1, p_k = (x − α_k) p_{k−1} − (norm2_k / norm2_{k−1}) p_{k−2}, each p_k divided
 * by √norm2_{k+1}. A missing x gives NaN.
 */
export function polyFromCoefficients(x: Float64Array, coefs: PolyCoefficients): Float64Array[] {
  const { alpha, norm2 } = coefs;
  const degree = alpha.length;
  const n = x.length;
  const Z: Float64Array[] = [new Float64Array(n).fill(1), Float64Array.from(x, (v) => v - alpha[0]!)];
  for (let k = 2; k <= degree; k++) {
    const a = alpha[k - 1]!;
    const r = norm2[k]! / norm2[k - 1]!;
    const prev = Z[k - 1]!;
    const prev2 = Z[k - 2]!;
    Z.push(Float64Array.from(x, (v, i) => (v - a) * prev[i]! - r * prev2[i]!));
  }
  return Z.slice(1, degree + 1).map((z, k) => {
    const s = Math.sqrt(norm2[k + 2]!);
    return z.map((v) => v / s);
  });
}

/** R's `poly(x, d, raw = TRUE)`: the columns x, x², …, x^d. */
export function polyRaw(x: Float64Array, degree: number): Float64Array[] {
  return Array.from({ length: degree }, (_, k) => Float64Array.from(x, (v) => (k === 0 ? v : k === 1 ? v * v : v ** (k + 1))));
}

/** R's mean(): the sum over n, corrected by the mean of the residuals (a second pass). */
export function mean(x: Float64Array): number {
  let s = 0;
  for (const v of x) s += v;
  const m = s / x.length;
  let t = 0;
  for (const v of x) t += v - m;
  return m + t / x.length;
}
