import { wasmRowPasses } from "../kernels/wasmKernels.js";
import { dotProduct } from "./dotProduct.js";

/**
 * Which columns of X to keep so that it has full column rank, as lme4's `chkRank.drop.cols`: R's
 * QR with limited column pivoting (LINPACK dqrdc2, tolerance 1e-7): a column whose residual, after
 * projecting out the kept columns before it, has norm below tol times its own norm is dropped; the
 * kept columns stay in their order.
 *
 * The residual norms are read off a Cholesky factorization of X'X (p(p+1)/2 contiguous dot
 * products); only when a column's relative residual is too close to the tolerance for the
 * cross-product to decide does the Householder QR on the columns decide, exactly as R does.
 * `wasm: false` forms X'X in TypeScript (the WebAssembly kernel gives the same bits; for tests).
 */
export function dropRankDeficient(columns: readonly Float64Array[], n: number, tol = 1e-7, wasm = true): { keep: number[]; dropped: number[] } {
  const p = columns.length;
  // X'X in WebAssembly where it runs (fast from a session's first fit): the same sums in dotProduct's order
  const kernels = wasm ? wasmRowPasses(n) : null;
  let G: Float64Array;
  if (kernels) G = kernels.gram(columns, n);
  else {
    G = new Float64Array(p * p);
    for (let i = 0; i < p; i++) {
      const xi = columns[i]!;
      for (let j = 0; j <= i; j++) G[i * p + j] = dotProduct(xi, columns[j]!, n);
    }
  }
  return rankFromGram(G, p, n, tol) ?? dropRankDeficientQR(columns, n, tol);
}

/**
 * The columns to keep, read off a Cholesky factorization of X'X (lower triangle of G, p × p
 * row-major, filled): d, the squared residual norm of column l given the kept ones before it, against
 * tol² times its squared norm. Null when a column is too close to the tolerance for the
 * cross-products to decide (`undecided: "decide"`, for X'X summed without the rows, decides by the
 * tolerance itself instead).
 */
export function rankFromGram(G: Float64Array, p: number, n: number, tol = 1e-7, undecided: "null" | "decide" = "null"): { keep: number[]; dropped: number[] } | null {
  const L = new Float64Array(p * p);
  const keep: number[] = [];
  const dropped: number[] = [];
  for (let l = 0; l < p; l++) {
    const gll = G[l * p + l]! || 1;
    const row = new Float64Array(keep.length);
    keep.forEach((kc, a) => {
      let s = G[l * p + kc]!;
      for (let b = 0; b < a; b++) s -= row[b]! * L[kc * p + keep[b]!]!;
      row[a] = s / L[kc * p + kc]!;
    });
    let d = G[l * p + l]!;
    for (const v of row) d -= v * v;
    const ratio = d / gll;
    // squared-norm test against tol²; cross-products lose ~1e-16 relative, so [1e-18, 1e-11] is undecided
    const lower = undecided === "decide" ? tol * tol : 1e-11;
    if (ratio > lower && keep.length < n) {
      keep.forEach((kc, a) => (L[l * p + kc] = row[a]!));
      L[l * p + l] = Math.sqrt(d);
      keep.push(l);
    } else if (undecided === "decide" || ratio < tol * tol * 1e-4 || keep.length >= n) {
      dropped.push(l);
    } else {
      return null;
    }
  }
  return { keep, dropped };
}

/** dqrdc2's limited pivoting by Householder QR, on copies of the columns. */
export function dropRankDeficientQR(columns: readonly Float64Array[], n: number, tol = 1e-7): { keep: number[]; dropped: number[] } {
  const p = columns.length;
  const work = columns.map((c) => Float64Array.from(c));
  const order = columns.map((_, j) => j);
  const norm = (c: Float64Array, from: number): number => {
    let s = 0;
    for (let i = from; i < n; i++) s += c[i]! * c[i]!;
    return Math.sqrt(s);
  };
  const original = work.map((c) => norm(c, 0) || 1);
  let rank = p;
  let l = 0;
  while (l < Math.min(rank, n)) {
    const col = work[l]!;
    const nrm = norm(col, l);
    if (nrm < original[l]! * tol) {
      // rotate column l to the end
      work.push(work.splice(l, 1)[0]!);
      original.push(original.splice(l, 1)[0]!);
      order.push(order.splice(l, 1)[0]!);
      rank--;
      continue;
    }
    // Householder reflection zeroing col[l+1..n-1]
    const alpha = col[l]! >= 0 ? -nrm : nrm;
    col[l] = col[l]! - alpha;
    const vnorm2 = nrm * nrm - (col[l]! + alpha) * (col[l]! + alpha) + col[l]! * col[l]!;
    if (vnorm2 > 0) {
      for (let j = l + 1; j < p; j++) {
        const c = work[j]!;
        let dot = 0;
        for (let i = l; i < n; i++) dot += col[i]! * c[i]!;
        const f = (2 * dot) / vnorm2;
        for (let i = l; i < n; i++) c[i] = c[i]! - f * col[i]!;
      }
    }
    l++;
  }
  rank = l;
  const keep = order.slice(0, rank);
  const dropped = order.slice(rank).sort((a, b) => a - b);
  return { keep, dropped };
}
