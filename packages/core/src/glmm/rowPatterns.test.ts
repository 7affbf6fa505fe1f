import { describe, expect, it } from "vitest";
import { rowPatterns } from "./rowPatterns.js";

/** X by columns from rows. */
function columns(rows: number[][]): Float64Array {
  const n = rows.length;
  const p = rows[0]!.length;
  const X = new Float64Array(n * p);
  rows.forEach((r, t) => r.forEach((v, j) => (X[j * n + t] = v)));
  return X;
}

describe("rowPatterns", () => {
  it("finds each distinct row once and maps every row to its own", () => {
    const rows: number[][] = [];
    for (let t = 0; t < 600; t++) rows.push([1, t % 3, (t % 5) * 2.5, t % 2 === 0 ? -0 : 0, 1e6 * (t % 4)]);
    const g = rowPatterns(columns(rows), rows.length, 5)!;
    // 3 · 5 · 4 combinations reachable with t mod 60, −0 and 0 alike
    expect(g.count).toBe(60);
    rows.forEach((r, t) => {
      const k = g.pattern[t]!;
      r.forEach((v, j) => expect(g.rows[k * 5 + j] === v).toBe(true));
      expect(g.pattern[t % 60]).toBe(k);
    });
  });
  it("gives up past the limit and without columns", () => {
    const rows = Array.from({ length: 100 }, (_, t) => [1, t * 0.37]);
    expect(rowPatterns(columns(rows), 100, 2)).toBeNull();
    expect(rowPatterns(new Float64Array(0), 100, 0)).toBeNull();
  });
});
