/**
 * The Householder QR decomposition A = QR of an n × p matrix as R's `qr()` computes it (LINPACK's
 * `dqrdc2`, whose pivoting never acts on a matrix of full column rank), with `qr.qy` (Q y) and
 * `qr.qty` (Q' y) as LINPACK's `dqrsl` applies the reflections. R's bases use Q's exact columns (ns()
 * keeps columns 3… of Q' applied to the basis; poly() rebuilds Q R's diagonal), so the reflections are
 * formed and applied in LINPACK's order, with its signs.
 */

/** The compact QR: the reflections' vectors below the diagonal of `qr` (R's `$qr`, column-major) and in `qraux`; R on and above the diagonal. */
export interface HouseholderQr {
  n: number;
  p: number;
  /** n × p, column-major: column j is `qr[j*n .. j*n+n-1]`. */
  qr: Float64Array;
  qraux: Float64Array;
}

/**
 * QR of the columns of A (each of length n), or null when a column is (numerically) a combination of
 * the ones before it (R's `dqrdc2` would pivot it to the end and report a lower rank).
 */
export function householderQr(columns: readonly Float64Array[]): HouseholderQr | null {
  const p = columns.length;
  const n = columns[0]?.length ?? 0;
  const x = new Float64Array(n * p);
  columns.forEach((c, j) => x.set(c, j * n));
  const qraux = new Float64Array(p);
  const norms = columns.map((c) => norm(c, 0, n));
  const steps = Math.min(n, p);
  for (let l = 0; l < steps; l++) {
    const cl = l * n;
    if (l === n - 1) {
      qraux[l] = 0;
      break;
    }
    let nrmxl = norm(x, cl + l, cl + n);
    // dqrdc2's rank test: a column whose remaining norm is below 1e-7 of its own norm is dependent
    if (nrmxl < 1e-7 * norms[l]! || nrmxl === 0) return null;
    if (x[cl + l] !== 0) nrmxl = Math.sign(x[cl + l]!) * Math.abs(nrmxl);
    for (let i = l; i < n; i++) x[cl + i]! /= nrmxl;
    x[cl + l] = 1 + x[cl + l]!;
    for (let j = l + 1; j < p; j++) {
      const cj = j * n;
      let t = 0;
      for (let i = l; i < n; i++) t -= x[cl + i]! * x[cj + i]!;
      t /= x[cl + l]!;
      for (let i = l; i < n; i++) x[cj + i]! += t * x[cl + i]!;
    }
    qraux[l] = x[cl + l]!;
    x[cl + l] = -nrmxl;
  }
  return { n, p, qr: x, qraux };
}

/** The Euclidean norm of a[from .. to). */
function norm(a: Float64Array, from: number, to: number): number {
  // scaled as BLAS's dnrm2, so that no square overflows
  let scale = 0;
  let ssq = 1;
  for (let i = from; i < to; i++) {
    const v = a[i]!;
    if (v === 0) continue;
    const av = Math.abs(v);
    if (scale < av) {
      ssq = 1 + ssq * (scale / av) ** 2;
      scale = av;
    } else ssq += (av / scale) ** 2;
  }
  return scale * Math.sqrt(ssq);
}

/** Q y (R's `qr.qy`): the reflections applied last to first. y is overwritten and returned. */
export function qrQy(d: HouseholderQr, y: Float64Array): Float64Array {
  for (let j = Math.min(d.p, d.n - 1) - 1; j >= 0; j--) reflect(d, j, y);
  return y;
}

/** Q' y (R's `qr.qty`): the reflections applied first to last. y is overwritten and returned. */
export function qrQty(d: HouseholderQr, y: Float64Array): Float64Array {
  const ju = Math.min(d.p, d.n - 1);
  for (let j = 0; j < ju; j++) reflect(d, j, y);
  return y;
}

/** y ← H_j y, H_j = I − u u'/u_j with u = (qraux_j, qr[j+1.., j]) (dqrsl's step). */
function reflect(d: HouseholderQr, j: number, y: Float64Array): void {
  const { n, qr, qraux } = d;
  const uj = qraux[j]!;
  if (uj === 0) return;
  const cj = j * n;
  let t = -uj * y[j]!;
  for (let i = j + 1; i < n; i++) t -= qr[cj + i]! * y[i]!;
  t /= uj;
  y[j]! += t * uj;
  for (let i = j + 1; i < n; i++) y[i]! += t * qr[cj + i]!;
}
