import { describe, expect, it } from "vitest";
import { HlmError } from "../HlmError.js";
import { wasmRowPasses } from "../kernels/wasmKernels.js";
import { checkMagnitude } from "./checkValues.js";

/** The error checkMagnitude throws for these values, or null. */
function refusal(values: Float64Array, wasm: boolean): { message: string; row: number | undefined } | null {
  try {
    checkMagnitude("x", values, (k) => k + 2, wasm);
    return null;
  } catch (e) {
    if (!(e instanceof HlmError)) throw e;
    return { message: e.message, row: (e as HlmError & { row?: number }).row };
  }
}

describe("checkMagnitude: the WebAssembly scan (from 64 values) finds what the TypeScript finds", () => {
  it("the first index of the largest |x|, ties and NaN included", () => {
    const kernels = wasmRowPasses();
    expect(kernels).not.toBeNull();
    let seed = 7;
    const next = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let trial = 0; trial < 200; trial++) {
      const n = 64 + Math.floor(next() * 300);
      const x = Float64Array.from({ length: n }, () => Math.round((next() - 0.5) * 40));
      if (trial % 3 === 0) x[Math.floor(next() * n)] = NaN;
      if (trial % 7 === 0) x.fill(0);
      let max = 0;
      let at = -1;
      for (let k = 0; k < n; k++) if (Math.abs(x[k]!) > max) (max = Math.abs(x[k]!)), (at = k);
      expect(kernels!.maxAbsAt(x)).toBe(at);
    }
  });

  it.each([
    ["too large", 1e101, 37],
    ["too large, negative", -3e150, 80],
  ])("refuses a value %s with the same sentence and row", (_, value, at) => {
    const x = Float64Array.from({ length: 100 }, (_, k) => 1 + k / 7);
    x[at] = value;
    const viaWasm = refusal(x, true);
    expect(viaWasm).not.toBeNull();
    expect(viaWasm!.message).toContain(`row ${at + 2}`);
    expect(viaWasm).toEqual(refusal(x, false));
  });

  it("refuses values all too small, and passes zeros and ordinary values", () => {
    const tiny = Float64Array.from({ length: 100 }, (_, k) => (k + 1) * 1e-103);
    expect(refusal(tiny, true)!.message).toMatch(/too small to fit: its largest value is 1e-101 \(row 101\)/);
    expect(refusal(tiny, true)).toEqual(refusal(tiny, false));
    expect(refusal(new Float64Array(100), true)).toBeNull();
    expect(refusal(Float64Array.from({ length: 100 }, (_, k) => k - 50), true)).toBeNull();
  });
});
