/**
 * R's splines package: the B-spline basis of a knot sequence (`splineDesign`, de Boor's recurrence as
 * splines.c evaluates it), `bs()` (B-splines of any degree, extrapolated beyond the boundary knots by
 * the Taylor polynomial at a pivot inside) and `ns()` (natural cubic splines: the cubic B-splines
 * projected onto the null space of the second derivatives at the two boundary knots, through the QR
 * that splines::ns uses, and linear beyond the boundary knots), with R's default knots (`quantile`,
 * type 7). The derivation is in docs/guide/how-it-works.md.
 */
import { householderQr, qrQty } from "./householderQr.js";

/** The knots of a spline basis as R's `attributes(bs(x, …))` record them (what `predict` reuses). */
export interface SplineKnots {
  /** Interior knots, ascending. */
  knots: number[];
  /** The boundary knots [a, b], a ≤ b. */
  boundary: [number, number];
  /** Whether the basis keeps its first B-spline (R's `intercept`). */
  intercept: boolean;
}

/**
 * The B-spline design matrix (R's `splines::splineDesign(knots, x, ord, derivs)`): per x, the values
 * (or `derivs`-th derivatives, recycled over x) of the nk − ord B-splines of order `ord` on the sorted
 * knot sequence; as columns of length x.length. Every x must lie within [knots[ord−1], knots[nk−ord]];
 * at the right end the last interval is closed, as in R.
 */
export function splineDesign(knots: readonly number[], x: ArrayLike<number>, ord: number, derivs: readonly number[] = [0]): Float64Array[] {
  const nk = knots.length;
  const ncoef = nk - ord;
  const nx = x.length;
  const columns = Array.from({ length: ncoef }, () => new Float64Array(nx));
  const ordm1 = ord - 1;
  const rdel = new Float64Array(ordm1);
  const ldel = new Float64Array(ordm1);
  const a = new Float64Array(ord);
  const b = new Float64Array(ord);
  for (let i = 0; i < nx; i++) {
    const xi = x[i]!;
    // splines.c's set_cursor: the first knot above x; at the last legitimate knot, the closed boundary
    let curs = -1;
    let boundary = false;
    for (let k = 0; k < nk; k++) {
      if (knots[k]! >= xi) curs = k;
      if (knots[k]! > xi) break;
    }
    if (curs > nk - ord && xi === knots[nk - ord]) {
      boundary = true;
      curs = nk - ord;
    }
    if (curs < ord || curs > nk - ord) {
      for (let j = 0; j < ord; j++) if (curs - ord + j >= 0 && curs - ord + j < ncoef) columns[curs - ord + j]![i] = NaN;
      continue;
    }
    const diffTable = (ndiff: number): void => {
      for (let k = 0; k < ndiff; k++) {
        rdel[k] = knots[curs + k]! - xi;
        ldel[k] = xi - knots[curs - (k + 1)]!;
      }
    };
    const nder = derivs[i % derivs.length]!;
    if (nder > 0) {
      // splines.c's evaluate(): the derivative of each B-spline from its coefficient vector e_j
      for (let j = 0; j < ord; j++) {
        if (nder >= ord || (boundary && nder === ordm1)) {
          b[j] = 0;
          continue;
        }
        a.fill(0);
        a[j] = 1;
        let outer = ordm1;
        for (let d = 0; d < nder; d++) {
          for (let k = 0; k < outer; k++) a[k] = (outer * (a[k + 1]! - a[k]!)) / (knots[curs + k]! - knots[curs - outer + k]!);
          outer--;
        }
        diffTable(outer);
        while (outer-- > 0) {
          for (let k = 0; k <= outer; k++) a[k] = (a[k + 1]! * ldel[outer - k]! + a[k]! * rdel[k]!) / (rdel[k]! + ldel[outer - k]!);
        }
        b[j] = a[0]!;
      }
    } else {
      // splines.c's basis_funcs: the ord non-zero B-splines at x by de Boor's recurrence
      diffTable(ordm1);
      b[0] = 1;
      for (let j = 1; j <= ordm1; j++) {
        let saved = 0;
        for (let r = 0; r < j; r++) {
          const den = rdel[r]! + ldel[j - 1 - r]!;
          if (den !== 0) {
            const term = b[r]! / den;
            b[r] = saved + rdel[r]! * term;
            saved = ldel[j - 1 - r]! * term;
          } else {
            if (r !== 0 || rdel[r] !== 0) b[r] = saved;
            saved = 0;
          }
        }
        b[j] = saved;
      }
    }
    for (let j = 0; j < ord; j++) columns[curs - ord + j]![i] = b[j]!;
  }
  return columns;
}

/**
 * R's `quantile(x, probs, type = 7)` of the values (no missing ones): with h = 1 + (n − 1) p, the
 * order statistic x_(⌊h⌋) moved towards x_(⌈h⌉) by the fraction h − ⌊h⌋.
 */
export function quantile7(values: readonly number[] | Float64Array, probs: readonly number[]): number[] {
  const x = Float64Array.from(values).sort();
  const n = x.length;
  return probs.map((p) => {
    const index = 1 + Math.max(n - 1, 0) * p;
    const lo = Math.floor(index);
    const hi = Math.ceil(index);
    const qs = x[lo - 1]!;
    const h = index - lo;
    return index > lo && x[hi - 1] !== qs ? (1 - h) * qs + h * x[hi - 1]! : qs;
  });
}

/** R's `seq.int(0, 1, length.out = k + 2)` without its ends: the probabilities of k default knots. */
export function knotProbabilities(k: number): number[] {
  const by = 1 / (k + 1);
  return Array.from({ length: k }, (_, i) => (i + 1) * by);
}

/** The knots of `bs(x, df, knots, degree, intercept, Boundary.knots)` on the training values (no missing ones), as splines::bs sets them. */
export function bsKnots(x: Float64Array, options: { df: number | null; knots: number[] | null; degree: number; intercept: boolean; boundary: [number, number] | null }): SplineKnots {
  const boundary = options.boundary ?? range(x);
  let knots = options.knots;
  if (knots === null && options.df !== null) {
    const nIknots = Math.max(0, options.df - (options.degree + 1) + (options.intercept ? 0 : 1));
    knots = nIknots > 0 ? quantile7(inside(x, options.boundary), knotProbabilities(nIknots)) : [];
  }
  return { knots: [...(knots ?? [])].sort((p, q) => p - q), boundary, intercept: options.intercept };
}

/** The knots of `ns(x, df, knots, intercept, Boundary.knots)` on the training values (no missing ones), as splines::ns sets them. */
export function nsKnots(x: Float64Array, options: { df: number | null; knots: number[] | null; intercept: boolean; boundary: [number, number] | null }): SplineKnots {
  let boundary = options.boundary;
  if (boundary === null) boundary = x.length === 1 ? [(x[0]! * 7) / 8, (x[0]! * 9) / 8] : range(x);
  let knots = options.knots;
  if (knots === null && options.df !== null) {
    const nIknots = Math.max(0, options.df - 1 - (options.intercept ? 1 : 0));
    knots = nIknots > 0 ? quantile7(inside(x, options.boundary), knotProbabilities(nIknots)) : [];
  }
  return { knots: [...(knots ?? [])].sort((p, q) => p - q), boundary, intercept: options.intercept };
}

/** The B-spline basis of degree d at x (R's `bs(x, degree = d, knots, Boundary.knots, intercept)`); NaN where x is missing. Columns of length x.length. */
export function bsBasis(x: Float64Array, k: SplineKnots, degree: number): Float64Array[] {
  const ord = degree + 1;
  const [lo, hi] = k.boundary;
  const aknots = [...Array(ord).fill(lo), ...k.knots, ...Array(ord).fill(hi)].sort((p, q) => p - q);
  const ncoef = aknots.length - ord;
  const n = x.length;
  const basis = Array.from({ length: ncoef }, () => new Float64Array(n));
  const set = (idx: number[], cols: Float64Array[]): void => cols.forEach((c, j) => idx.forEach((i, r) => (basis[j]![i] = c[r]!)));
  const { left, right, within, missing } = split(x, lo, hi);
  if (within.length > 0) set(within, splineDesign(aknots, within.map((i) => x[i]!), ord));
  // beyond a boundary knot: the Taylor polynomial of degree d about a pivot a quarter of the way to the next knot
  const factorial = Array.from({ length: ord }, (_, j) => gammaInt(j + 1));
  const taylor = (idx: number[], pivot: number): void => {
    if (idx.length === 0) return;
    const derivs = splineDesign(aknots, Array(ord).fill(pivot), ord, Array.from({ length: ord }, (_, j) => j));
    const cols = derivs.map((col) =>
      Float64Array.from(idx, (i) => {
        const dx = x[i]! - pivot;
        let s = col[0]!;
        for (let j = 1; j < ord; j++) s += (dx ** j * col[j]!) / factorial[j]!;
        return s;
      }),
    );
    set(idx, cols);
  };
  taylor(left, 0.75 * lo + 0.25 * aknots[ord]!);
  taylor(right, 0.75 * hi + 0.25 * aknots[aknots.length - ord - 1]!);
  for (const i of missing) for (const c of basis) c[i] = NaN;
  return k.intercept ? basis : basis.slice(1);
}

/**
 * The natural cubic spline basis at x (R's `ns(x, knots, Boundary.knots, intercept)`): the cubic
 * B-splines times the columns 3… of Q from the QR of C' (C: their second derivatives at the two
 * boundary knots), so that every combination has zero second derivative there; beyond the boundary
 * knots, the tangent line at the nearer one. NaN where x is missing.
 */
export function nsBasis(x: Float64Array, k: SplineKnots): Float64Array[] {
  const [lo, hi] = k.boundary;
  const aknots = [lo, lo, lo, lo, ...k.knots, hi, hi, hi, hi].sort((p, q) => p - q);
  const ncoef = aknots.length - 4;
  const n = x.length;
  let basis = Array.from({ length: ncoef }, () => new Float64Array(n));
  const set = (idx: number[], cols: Float64Array[]): void => cols.forEach((c, j) => idx.forEach((i, r) => (basis[j]![i] = c[r]!)));
  const { left, right, within, missing } = split(x, lo, hi);
  if (within.length > 0) set(within, splineDesign(aknots, within.map((i) => x[i]!), 4));
  const linear = (idx: number[], pivot: number): void => {
    if (idx.length === 0) return;
    const tt = splineDesign(aknots, [pivot, pivot], 4, [0, 1]);
    set(idx, tt.map((col) => Float64Array.from(idx, (i) => col[0]! + (x[i]! - pivot) * col[1]!)));
  };
  linear(left, lo);
  linear(right, hi);
  let constraint = splineDesign(aknots, [lo, hi], 4, [2, 2]);
  if (!k.intercept) {
    constraint = constraint.slice(1);
    basis = basis.slice(1);
  }
  // C' is (number of B-splines) × 2: its QR's Q' applied to each row of the basis, the first two coordinates dropped
  const m = basis.length;
  const qr = householderQr([Float64Array.from(constraint, (c) => c[0]!), Float64Array.from(constraint, (c) => c[1]!)]);
  if (qr === null) throw new Error("ns: the boundary constraints are dependent");
  const out = Array.from({ length: m - 2 }, () => new Float64Array(n));
  const row = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) row[j] = basis[j]![i]!;
    qrQty(qr, row);
    for (let j = 2; j < m; j++) out[j - 2]![i] = row[j]!;
  }
  for (const i of missing) for (const c of out) c[i] = NaN;
  return out;
}

/** The indices of x left of lo, right of hi, within [lo, hi], and missing. */
function split(x: Float64Array, lo: number, hi: number): { left: number[]; right: number[]; within: number[]; missing: number[] } {
  const out = { left: [] as number[], right: [] as number[], within: [] as number[], missing: [] as number[] };
  x.forEach((v, i) => (Number.isNaN(v) ? out.missing : v < lo ? out.left : v > hi ? out.right : out.within).push(i));
  return out;
}

/** The values within the boundary knots when they are given (R's x[!outside]); all of them otherwise. */
function inside(x: Float64Array, boundary: [number, number] | null): Float64Array {
  if (boundary === null) return x;
  return x.filter((v) => v >= boundary[0] && v <= boundary[1]);
}

/** [min, max] of the values. */
function range(x: Float64Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of x) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/** Γ(j) = (j − 1)! for a positive integer j. */
function gammaInt(j: number): number {
  let f = 1;
  for (let i = 2; i < j; i++) f *= i;
  return f;
}
