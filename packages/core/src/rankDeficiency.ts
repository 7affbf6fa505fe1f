/**
 * Which columns of X to keep so that it has full column rank, as lme4's `chkRank.drop.cols`: a
 * Householder QR with R's limited column pivoting (LINPACK dqrdc2, tolerance 1e-7): a column whose
 * remaining norm falls below tol times its original norm moves to the end and is dropped; the kept
 * columns stay in their order.
 *
 * Works on copies of the columns (plain Float64Array loops: n may be large and p small).
 */
export function dropRankDeficient(columns: readonly Float64Array[], n: number, tol = 1e-7): { keep: number[]; dropped: number[] } {
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
