import { wasmRowPasses } from "../kernels/wasmKernels.js";

/** R's quantile(x, probs) with its default type 7 (order statistics by bucket selection, O(n)). */
export function quantiles(x: ArrayLike<number>, probs: number[]): number[] {
  const n = x.length;
  // the order statistics the probabilities need: the one at or below h, and the next where h is fractional
  const wanted = new Set<number>();
  for (const pr of probs) {
    const h = (n - 1) * pr;
    const lo = Math.floor(h);
    if (lo >= 0 && lo < n) wanted.add(lo);
    if (h !== lo && lo + 1 < n) wanted.add(lo + 1);
  }
  const stat = orderStatistics(x, [...wanted].sort((p, q) => p - q));
  return probs.map((pr) => {
    const h = (n - 1) * pr;
    const lo = Math.floor(h);
    const vlo = stat.get(lo)!;
    if (h === lo || lo + 1 >= n) return vlo;
    return vlo + (h - lo) * (stat.get(lo + 1)! - vlo);
  });
}

/**
 * The k-th smallest values of x for each k of ks (ascending): the values counted into buckets of
 * equal width between the minimum and the maximum (the bucket of a value only grows with it), then
 * each wanted k found in its bucket, whose few values are sorted. Three passes without a data-
 * dependent branch; quickselect's partitions branch unpredictably on every value (about 10 ns a
 * value a selection, against 1 to 2 here). Not finite values: a plain sort.
 */
function orderStatistics(x: ArrayLike<number>, ks: number[]): Map<number, number> {
  const n = x.length;
  const out = new Map<number, number>();
  if (ks.length === 0) return out;
  // the same selection in WebAssembly where it runs (fast from a session's first fit)
  const inWasm = wasmRowPasses(n)?.order(x, ks);
  if (inWasm) {
    ks.forEach((k, i) => out.set(k, inWasm[i]!));
    return out;
  }
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    min = v < min ? v : min;
    max = v > max ? v : max;
  }
  if (!Number.isFinite(min) || !Number.isFinite(max) || min === max) {
    const sorted = Float64Array.from(x).sort();
    for (const k of ks) out.set(k, min === max && Number.isFinite(min) ? min : sorted[k]!);
    return out;
  }
  const B = Math.max(16, Math.min(1 << 16, n >> 2));
  const scale = B / (max - min);
  const counts = new Int32Array(B + 1);
  for (let i = 0; i < n; i++) {
    const b = Math.floor((x[i]! - min) * scale);
    counts[(b < B ? b : B - 1) + 1]!++;
  }
  for (let b = 0; b < B; b++) counts[b + 1]! += counts[b]!; // counts[b]: values in buckets below b
  // the buckets the ks fall in (found by bisection on the counts), and those buckets' values
  const slot = new Int32Array(B).fill(-1);
  const lists: number[][] = [];
  const bucketOf = ks.map((k) => {
    let lo = 0;
    let hi = B - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (counts[mid]! <= k) lo = mid;
      else hi = mid - 1;
    }
    if (slot[lo]! < 0) {
      slot[lo] = lists.length;
      lists.push([]);
    }
    return lo;
  });
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    const b = Math.floor((v - min) * scale);
    const s = slot[b < B ? b : B - 1]!;
    if (s >= 0) lists[s]!.push(v);
  }
  for (const list of lists) list.sort((p, q) => p - q);
  ks.forEach((k, i) => {
    const b = bucketOf[i]!;
    out.set(k, lists[slot[b]!]![k - counts[b]!]!);
  });
  return out;
}
