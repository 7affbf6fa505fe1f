/**
 * Numerical derivatives computed the way R's numDeriv package (version 2016.8-1) computes them with
 * its default method "Richardson": central differences at r step sizes h, h/v, h/v^2, ...,
 * improved by Richardson extrapolation.
 *
 * - `gradient` follows `numDeriv::grad` (defaults eps = 1e-4, d = 1e-4).
 * - `jacobian` follows `numDeriv::jacobian` (defaults eps = 1e-4, d = 1e-4).
 * - `hessian` follows `numDeriv::hessian`, which calls `genD` with ITS OWN defaults
 *   eps = 1e-4, d = 0.1 (numDeriv documents that the hessian defaults differ from grad's;
 *   pass `{ d: 1e-4 }` to get genD's stand-alone default instead).
 *
 * The step for coordinate i is h_i = |d * x_i| + eps * (|x_i| < zeroTol), with
 * zeroTol = sqrt(.Machine$double.eps / 7e-7). The floating-point operations are done in the
 * same order as in the R code, so results agree with R to the last bit or nearly so.
 */
import { HlmError } from "./HlmError.js";

/** The `method.args` of numDeriv's Richardson method. */
export interface NumDerivOptions {
  /** Step used where |x_i| < zeroTol (default 1e-4). */
  eps?: number;
  /** Relative step (default 1e-4 for gradient/jacobian, 0.1 for hessian, as in numDeriv). */
  d?: number;
  /** Threshold below which x_i counts as zero (default sqrt(2.220446e-16 / 7e-7)). */
  zeroTol?: number;
  /** Number of Richardson iterations (default 4). */
  r?: number;
  /** Step reduction factor (default 2; numDeriv's extrapolation formula assumes 2). */
  v?: number;
}

interface Settings {
  eps: number;
  d: number;
  zeroTol: number;
  r: number;
  v: number;
}

const ZERO_TOL = Math.sqrt(Number.EPSILON / 7e-7);

function settings(options: NumDerivOptions | undefined, defaultD: number, fn: string): Settings {
  const s: Settings = {
    eps: options?.eps ?? 1e-4,
    d: options?.d ?? defaultD,
    zeroTol: options?.zeroTol ?? ZERO_TOL,
    r: options?.r ?? 4,
    v: options?.v ?? 2,
  };
  if (!(Number.isInteger(s.r) && s.r >= 1)) {
    throw new HlmError("OPTIONS", `${fn}: the number of Richardson iterations r must be a whole number of at least 1, not ${s.r}.`);
  }
  if (!(s.v > 1 && Number.isFinite(s.v))) {
    throw new HlmError("OPTIONS", `${fn}: the step reduction factor v must be a finite number greater than 1, not ${s.v}.`);
  }
  if (!(s.eps >= 0 && s.d >= 0 && Number.isFinite(s.eps) && Number.isFinite(s.d))) {
    throw new HlmError("OPTIONS", `${fn}: the step settings eps and d must be finite and not negative.`);
  }
  return s;
}

/** Initial steps: h = |d*x| + eps*(|x| < zero.tol). */
function initialSteps(x: Float64Array, s: Settings): Float64Array {
  const h = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const xi = x[i]!;
    h[i] = Math.abs(s.d * xi) + (Math.abs(xi) < s.zeroTol ? s.eps : 0);
  }
  return h;
}

/**
 * Richardson extrapolation in place over `r` rows of width `w` stored row-major in `a`
 * (row k = approximation with step h/v^k). After the call row 0 holds the result.
 * Same recurrence as numDeriv: a[k] <- (a[k+1]*4^m - a[k]) / (4^m - 1).
 */
function richardson(a: Float64Array, r: number, w: number): void {
  for (let m = 1; m < r; m++) {
    const p = 4 ** m;
    const q = p - 1;
    for (let k = 0; k < r - m; k++) {
      const o = k * w;
      for (let j = 0; j < w; j++) {
        a[o + j] = (a[o + w + j]! * p - a[o + j]!) / q;
      }
    }
  }
}

/** A copy of x with x[i] += di (and x[j] += dj when j >= 0). A fresh array for every call of f. */
function shifted(x: Float64Array, i: number, di: number, j = -1, dj = 0): Float64Array {
  const y = new Float64Array(x);
  y[i] = x[i]! + di;
  if (j >= 0) y[j] = x[j]! + dj;
  return y;
}

/** Gradient of a scalar function, as `numDeriv::grad(f, x)`. */
export function gradient(f: (x: Float64Array) => number, x: ArrayLike<number>, options?: NumDerivOptions): Float64Array {
  const s = settings(options, 1e-4, "gradient");
  const x0 = Float64Array.from(x);
  const n = x0.length;
  const r = s.r;
  const h = initialSteps(x0, s);
  const a = new Float64Array(r * n);
  // numDeriv evaluates all coordinates at once when length(f(x)) == length(x), i.e. when n == 1
  // for a scalar function; that path has no "already zero" shortcut.
  const shortcut = n !== 1;
  for (let k = 0; k < r; k++) {
    const o = k * n;
    for (let i = 0; i < n; i++) {
      if (shortcut && k !== 0 && Math.abs(a[o - n + i]!) < 1e-20) {
        a[o + i] = 0;
      } else {
        const hi = h[i]!;
        a[o + i] = (f(shifted(x0, i, hi)) - f(shifted(x0, i, -hi))) / (2 * hi);
      }
    }
    for (let i = 0; i < n; i++) {
      if (Number.isNaN(a[o + i]!)) {
        throw new HlmError(
          "FIT",
          `gradient: the function returned NaN (or an undefined difference) at step ${h[i]} from x in coordinate ${i + 1}.`,
        );
      }
    }
    for (let i = 0; i < n; i++) h[i] = h[i]! / s.v;
  }
  richardson(a, r, n);
  return a.slice(0, n);
}

/**
 * Jacobian of a vector function, as `numDeriv::jacobian(f, x)`, returned by columns:
 * `jac[k]` is d f(x) / d x_k, the derivative of every output with respect to x_k
 * (column k of numDeriv's length(f) x n matrix).
 */
export function jacobian(
  f: (x: Float64Array) => Float64Array,
  x: ArrayLike<number>,
  options?: NumDerivOptions,
): Float64Array[] {
  const s = settings(options, 1e-4, "jacobian");
  const x0 = Float64Array.from(x);
  const n = x0.length;
  const r = s.r;
  const m = f(new Float64Array(x0)).length;
  const h = initialSteps(x0, s);
  const a: Float64Array[] = [];
  for (let i = 0; i < n; i++) a.push(new Float64Array(r * m));
  const check = (v: Float64Array): Float64Array => {
    if (v.length !== m) {
      throw new HlmError("INTERNAL", `jacobian: the function returned ${v.length} values near x but ${m} values at x.`);
    }
    return v;
  };
  for (let k = 0; k < r; k++) {
    for (let i = 0; i < n; i++) {
      const hi = h[i]!;
      const fp = check(f(shifted(x0, i, hi)));
      const fm = check(f(shifted(x0, i, -hi)));
      const ai = a[i]!;
      const o = k * m;
      const den = 2 * hi;
      for (let j = 0; j < m; j++) ai[o + j] = (fp[j]! - fm[j]!) / den;
    }
    for (let i = 0; i < n; i++) h[i] = h[i]! / s.v;
  }
  return a.map((ai) => {
    richardson(ai, r, m);
    return ai.slice(0, m);
  });
}

/**
 * Hessian of a scalar function, as `numDeriv::hessian(f, x)` (method "Richardson"), which uses
 * `genD`: Richardson-extrapolated second differences on the diagonal and, off the diagonal,
 * (f(x + h_i e_i + h_j e_j) - 2 f(x) + f(x - h_i e_i - h_j e_j) - H_ii h_i^2 - H_jj h_j^2) / (2 h_i h_j),
 * also extrapolated. Symmetric n x n, one Float64Array per row.
 */
export function hessian(f: (x: Float64Array) => number, x: ArrayLike<number>, options?: NumDerivOptions): Float64Array[] {
  const s = settings(options, 0.1, "hessian");
  const x0 = Float64Array.from(x);
  const n = x0.length;
  const r = s.r;
  const v = s.v;
  const f0 = f(new Float64Array(x0));
  const h0 = initialSteps(x0, s);
  const hdiag = new Float64Array(n);
  const approx = new Float64Array(r);
  for (let i = 0; i < n; i++) {
    let hi = h0[i]!;
    for (let k = 0; k < r; k++) {
      const f1 = f(shifted(x0, i, hi));
      const f2 = f(shifted(x0, i, -hi));
      approx[k] = (f1 - 2 * f0 + f2) / (hi * hi);
      hi = hi / v;
    }
    richardson(approx, r, 1);
    hdiag[i] = approx[0]!;
  }
  const H: Float64Array[] = [];
  for (let i = 0; i < n; i++) H.push(new Float64Array(n));
  for (let i = 0; i < n; i++) {
    const Hi = H[i]!;
    Hi[i] = hdiag[i]!;
    for (let j = 0; j < i; j++) {
      let hi = h0[i]!;
      let hj = h0[j]!;
      for (let k = 0; k < r; k++) {
        const f1 = f(shifted(x0, i, hi, j, hj));
        const f2 = f(shifted(x0, i, -hi, j, -hj));
        approx[k] = (f1 - 2 * f0 + f2 - hdiag[i]! * (hi * hi) - hdiag[j]! * (hj * hj)) / (2 * hi * hj);
        hi = hi / v;
        hj = hj / v;
      }
      richardson(approx, r, 1);
      Hi[j] = approx[0]!;
      H[j]![i] = approx[0]!;
    }
  }
  return H;
}
