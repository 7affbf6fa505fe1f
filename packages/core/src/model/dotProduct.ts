/**
 * Σ_t x_t y_t over n entries, in four running sums added as s0 + s1 + (s2 + s3): the additions
 * overlap instead of waiting on each other. X'X for the rank test and the dense tail of X and y in
 * the cross-products take it.
 */
export function dotProduct(x: Float64Array, y: Float64Array, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let t = 0;
  for (; t + 3 < n; t += 4) {
    s0 += x[t]! * y[t]!;
    s1 += x[t + 1]! * y[t + 1]!;
    s2 += x[t + 2]! * y[t + 2]!;
    s3 += x[t + 3]! * y[t + 3]!;
  }
  for (; t < n; t++) s0 += x[t]! * y[t]!;
  return s0 + s1 + (s2 + s3);
}
