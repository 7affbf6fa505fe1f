import { describe, expect, it } from "vitest";
import { wasmRowPasses } from "../kernels/wasmKernels.js";
import { smallIntegerIndex } from "./ModelFrameSource.js";

describe("smallIntegerIndex: the WebAssembly pass (from 64 rows) indexes as the TypeScript does", () => {
  let seed = 3;
  const r = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);

  it("whole numbers in a narrow range, over all rows and over a subset, -0 and negatives included", () => {
    expect(wasmRowPasses()).not.toBeNull();
    for (let trial = 0; trial < 40; trial++) {
      const nAll = 64 + Math.floor(r() * 3000);
      const spread = trial % 4 === 0 ? 5 : 1 + Math.floor(r() * nAll);
      const x = Float64Array.from({ length: nAll }, () => Math.floor(r() * spread) - (trial % 3 === 0 ? Math.floor(spread / 2) : 0));
      if (trial % 5 === 0) x[0] = -0;
      const rows = trial % 2 === 0 ? Int32Array.from({ length: nAll }, (_, k) => k) : Int32Array.from({ length: Math.max(64, nAll >> 1) }, () => Math.floor(r() * nAll));
      const typescript = smallIntegerIndex(x, rows, false);
      expect(typescript).not.toBeNull();
      const viaWasm = smallIntegerIndex(x, rows);
      expect(viaWasm!.keys).toEqual(typescript!.keys);
      expect(Array.from(viaWasm!.firstSeen)).toEqual(Array.from(typescript!.firstSeen));
    }
  });

  it("refuses what the TypeScript refuses: a fraction, NaN, an infinity, a range too wide", () => {
    const rows = Int32Array.from({ length: 100 }, (_, k) => k);
    const base = (): Float64Array => Float64Array.from({ length: 100 }, (_, k) => k % 7);
    const cases: [string, (x: Float64Array) => void][] = [
      ["a fraction", (x) => (x[40] = 2.5)],
      ["NaN", (x) => (x[99] = NaN)],
      ["an infinity", (x) => (x[3] = -Infinity)],
      ["a range too wide", (x) => (x[50] = 4 * 100 + 1024)],
    ];
    for (const [, spoil] of cases) {
      const x = base();
      spoil(x);
      expect(smallIntegerIndex(x, rows, false)).toBeNull();
      expect(smallIntegerIndex(x, rows)).toBeNull();
    }
    // just inside the range
    const x = base();
    x[50] = 4 * 100 + 1023;
    expect(smallIntegerIndex(x, rows)).toEqual(smallIntegerIndex(x, rows, false));
  });
});
