/** R's quantile(x, probs) with its default type 7; probs ascending (order statistics by selection, O(n)). */
export function quantiles(x: ArrayLike<number>, probs: number[]): number[] {
  const a = Float64Array.from(x);
  const n = a.length;
  let from = 0;
  return probs.map((pr) => {
    const h = (n - 1) * pr;
    const lo = Math.floor(h);
    // after selecting lo, everything from lo on is ≥ a[lo]: the next selection starts there
    const vlo = select(a, lo, from);
    from = lo;
    if (h === lo || lo + 1 >= n) return vlo;
    let vhi = Infinity;
    for (let i = lo + 1; i < n; i++) if (a[i]! < vhi) vhi = a[i]!;
    return vlo + (h - lo) * (vhi - vlo);
  });
}

/** Hoare's selection in a[from..]: rearranges it so that a[k] is the k-th smallest, smaller before, larger after. */
function select(a: Float64Array, k: number, from: number): number {
  let lo = from;
  let hi = a.length - 1;
  while (hi > lo) {
    const pivot = a[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return a[k]!;
}
