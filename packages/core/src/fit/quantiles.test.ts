import { describe, expect, it } from "vitest";
import { quantiles } from "./quantiles.js";

/** R's type 7 from a full sort, the reference. */
function sorted7(x: number[], probs: number[]): number[] {
  const s = [...x].sort((a, b) => a - b);
  return probs.map((p) => {
    const h = (s.length - 1) * p;
    const lo = Math.floor(h);
    return h === lo || lo + 1 >= s.length ? s[lo]! : s[lo]! + (h - lo) * (s[lo + 1]! - s[lo]!);
  });
}

describe("quantiles (R's type 7)", () => {
  const probs = [0, 0.1, 0.25, 0.5, 0.75, 0.9, 1];
  it.each([1, 2, 3, 5, 17, 1000, 12974])("equals a full sort's for n = %i, with ties, negative values and a far outlier", (n) => {
    let s = 7;
    const x = Array.from({ length: n }, (_, i) => {
      s = (s * 16807) % 2147483647;
      const u = s / 2147483647;
      return i % 13 === 0 ? Math.round(u * 4) : i === 5 ? 1e12 : (u - 0.5) * 3;
    });
    expect(quantiles(x, probs)).toEqual(sorted7(x, probs));
    expect(quantiles(Float64Array.from(x), probs)).toEqual(sorted7(x, probs));
  });
  it("takes every value equal, infinities, and leaves its argument as it was", () => {
    expect(quantiles([2, 2, 2], probs)).toEqual(probs.map(() => 2));
    const x = [3, -Infinity, 1, Infinity, 0];
    const copy = [...x];
    expect(quantiles(x, [0, 0.5, 1])).toEqual([-Infinity, 1, Infinity]);
    expect(x).toEqual(copy);
  });
  it("sorts tiny, huge, subnormal and negative values alike (the WebAssembly radix sort from 64 values), and falls back where a value is not finite (an infinity)", () => {
    const x = Array.from({ length: 300 }, (_, i) => [1e-310, -1e-310, 1e300, -1e300, 0, 2.5, -2.5, 7, Number.MIN_VALUE, -Number.MAX_VALUE][i % 10]! * (1 + (i % 7) / 10));
    expect(quantiles(x, probs)).toEqual(sorted7(x, probs));
    const withInfinity = [...x, Infinity, -Infinity];
    expect(quantiles(withInfinity, probs)).toEqual(sorted7(withInfinity, probs));
  });
});
