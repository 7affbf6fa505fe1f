/** The distinct rows of X: what PIRLS's products with X are formed from where there are few. */
export interface RowPatterns {
  /** Each row's pattern. */
  pattern: Int32Array;
  /** The patterns' rows, row-major (count × p). */
  rows: Float64Array;
  count: number;
}

/**
 * The distinct rows of X (n × p by columns), if there are at most `limit` (by default a quarter as
 * many as rows: factors, their interactions, a numeric variable of a few values), found by hashing
 * each row's values; null past the limit or without columns.
 */
export function rowPatterns(X: Float64Array, n: number, p: number, limit = Math.floor(n / 4)): RowPatterns | null {
  if (p === 0) return null;
  const pattern = new Int32Array(n);
  const size = 1 << Math.ceil(Math.log2(Math.max(2 * limit, 16)));
  const slots = new Int32Array(size).fill(-1);
  const rows = new Float64Array(limit * p);
  const bits = new Float64Array(1);
  const words = new Int32Array(bits.buffer);
  let count = 0;
  for (let t = 0; t < n; t++) {
    let h = 0x811c9dc5;
    for (let j = 0; j < p; j++) {
      bits[0] = X[j * n + t]! + 0; // −0 and 0 alike
      h = Math.imul(h ^ words[0]!, 16777619);
      h = Math.imul(h ^ words[1]!, 16777619);
    }
    // murmur3's finalizer: a double's low word is 0 for whole numbers, and FNV alone leaves the low bits of h alike
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    let slot = (h >>> 0) & (size - 1);
    for (;;) {
      const g = slots[slot]!;
      if (g < 0) {
        if (count === limit) return null;
        for (let j = 0; j < p; j++) rows[count * p + j] = X[j * n + t]!;
        slots[slot] = count;
        pattern[t] = count++;
        break;
      }
      let same = true;
      for (let j = 0; j < p && same; j++) same = rows[g * p + j] === X[j * n + t];
      if (same) {
        pattern[t] = g;
        break;
      }
      slot = (slot + 1) & (size - 1);
    }
  }
  return { pattern, rows: rows.subarray(0, count * p), count };
}
