/**
 * The finite-difference gradient and Hessian of f at x, with lme4's step δ = 1e-4 (`deriv12`):
 * H_jj = (f(x + δe_j) − 2f(x) + f(x − δe_j))/δ², g_j = (f(x + δe_j) − f(x − δe_j))/2δ, and
 * H_ij = (f(x + δe_i + δe_j) + f(x − δe_i − δe_j) − f(x ± δe_i) − f(x ± δe_j) + 2f(x))/2δ²: as
 * accurate as `deriv12`'s four corners (O(δ²)) from two new points a pair, reusing the axes' (n² + n
 * evaluations against 2n²). A parameter within δ of a lower bound steps down to the bound only, as
 * lme4's does; its pairs take the four corners. `oneSided`: the pairs from one new point each,
 * H_ij = (f(x + δe_i + δe_j) − f(x + δe_i) − f(x + δe_j) + f(x))/δ² (O(δ), n(n − 1)/2 + 2n
 * evaluations), for Newton steps far from the optimum where the Hessian only points the way.
 */
export function finiteHessian(f: (x: Float64Array) => number, x: ArrayLike<number>, fx: number, lower?: ArrayLike<number>, delta = 1e-4, oneSided = false): { gradient: number[]; hessian: number[][] } {
  const n = x.length;
  const ud = new Array<number>(n).fill(delta);
  const ld = Array.from({ length: n }, (_, i) => (lower && Number.isFinite(lower[i]!) && x[i]! - delta < lower[i]! ? x[i]! - lower[i]! : delta));
  const at = (mods: [number, number][]): number => shifted(f, x, mods);
  const H = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const g = new Array<number>(n).fill(0);
  const plus = new Array<number>(n).fill(0);
  const minus = new Array<number>(n).fill(0);
  for (let j = 0; j < n; j++) {
    const fadd = at([[j, ud[j]!]]);
    const fsub = at([[j, -ld[j]!]]);
    plus[j] = fadd;
    minus[j] = fsub;
    H[j]![j] = fadd / ud[j]! ** 2 - (2 * fx) / (ud[j]! * ld[j]!) + fsub / ld[j]! ** 2;
    g[j] = (fadd - fsub) / (ud[j]! + ld[j]!);
    for (let i = 0; i < j; i++) {
      let v: number;
      if (oneSided && ld[i] === delta && ld[j] === delta) {
        v = (at([[i, delta], [j, delta]]) - plus[i]! - plus[j]! + fx) / (delta * delta);
      } else if (ld[i] === delta && ld[j] === delta) {
        v = (at([[i, delta], [j, delta]]) + at([[i, -delta], [j, -delta]]) - plus[i]! - minus[i]! - plus[j]! - minus[j]! + 2 * fx) / (2 * delta * delta);
      } else {
        v =
          at([[i, ud[i]!], [j, ud[j]!]]) / (ud[i]! + ud[j]!) ** 2 -
          at([[i, ud[i]!], [j, -ld[j]!]]) / (ud[i]! + ld[j]!) ** 2 -
          at([[i, -ld[i]!], [j, ud[j]!]]) / (ld[i]! + ud[j]!) ** 2 +
          at([[i, -ld[i]!], [j, -ld[j]!]]) / (ld[i]! + ld[j]!) ** 2;
      }
      H[i]![j] = v;
      H[j]![i] = v;
    }
  }
  return { gradient: g, hessian: H };
}

/**
 * The central-difference gradient of f at x with step δ = 1e-4 (`finiteHessian`'s, without the
 * Hessian: 2n evaluations), or δ_j per parameter; `only`: those components alone (the others 0).
 */
export function centralGradient(f: (x: Float64Array) => number, x: ArrayLike<number>, delta: number | ArrayLike<number> = 1e-4, only?: (j: number) => boolean): number[] {
  return Array.from({ length: x.length }, (_, j) => {
    if (only && !only(j)) return 0;
    const d = typeof delta === "number" ? delta : delta[j]!;
    return (shifted(f, x, [[j, d]]) - shifted(f, x, [[j, -d]])) / (2 * d);
  });
}

/**
 * A first Hessian for Newton steps when the β block is known already (from the first stage's R_X,
 * 2 R_X'R_X): the θ axes by central differences, each β axis by one forward difference (its gradient
 * corrected by the known curvature, g_j = (f(x + δe_j) − f(x))/δ − δH_jj/2), and the θ rows of the
 * Hessian from one-sided pairs: 2k + p + k(k − 1)/2 + kp evaluations for k θs and p βs, against
 * (k + p)(k + p + 3)/2 for `oneSided` pairs. x must be at least δ inside its bounds.
 */
export function seededHessian(f: (x: Float64Array) => number, x: ArrayLike<number>, fx: number, betaBlock: number[][], delta = 1e-4): { gradient: number[]; hessian: number[][] } {
  const n = x.length;
  const k = n - betaBlock.length;
  const at = (mods: [number, number][]): number => shifted(f, x, mods);
  const H = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const g = new Array<number>(n).fill(0);
  const plus = new Array<number>(n).fill(0);
  betaBlock.forEach((row, a) => row.forEach((v, b) => (H[k + a]![k + b] = v)));
  for (let i = 0; i < n; i++) {
    plus[i] = at([[i, delta]]);
    if (i < k) {
      const fsub = at([[i, -delta]]);
      H[i]![i] = (plus[i]! - 2 * fx + fsub) / (delta * delta);
      g[i] = (plus[i]! - fsub) / (2 * delta);
    } else g[i] = (plus[i]! - fx) / delta - (delta / 2) * H[i]![i]!;
  }
  for (let i = 0; i < k; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = (at([[i, delta], [j, delta]]) - plus[i]! - plus[j]! + fx) / (delta * delta);
      H[i]![j] = v;
      H[j]![i] = v;
    }
  }
  return { gradient: g, hessian: H };
}

/** f at x with each (i, d) of `mods` added: x_i + d. */
function shifted(f: (x: Float64Array) => number, x: ArrayLike<number>, mods: [number, number][]): number {
  const y = Float64Array.from(x);
  for (const [i, d] of mods) y[i]! += d;
  return f(y);
}
