import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fitGlmm } from "../glmm/fitGlmm.js";
import { rowKernelsWasmBase64 } from "../glmm/rowKernelsWasm.js";
import { readCsv } from "../io/readCsv.js";
import { denseKernelsWasmBase64 } from "./denseKernelsWasm.js";
import { wasmCholesky } from "./wasmKernels.js";
import { decodeBase64, wasmInstance } from "./wasmInstance.js";

describe("wasmInstance", () => {
  afterEach(() => vi.restoreAllMocks());

  it("decodes a module's base64 the same by Node's Buffer and by atob (a browser's way)", () => {
    for (const b64 of [denseKernelsWasmBase64, rowKernelsWasmBase64]) {
      const byBuffer = decodeBase64(b64, atob);
      const byAtob = decodeBase64(b64, (text) => atob(text), null);
      expect(byBuffer.length).toBeGreaterThan(1000);
      expect(Array.from(byAtob)).toEqual(Array.from(byBuffer));
      // WebAssembly's magic number
      expect(Array.from(byAtob.subarray(0, 4))).toEqual([0, 0x61, 0x73, 0x6d]);
    }
  });

  it("makes each instance's memory at the size asked for, past the module's static data", () => {
    for (const b64 of [denseKernelsWasmBase64, rowKernelsWasmBase64]) {
      const made = wasmInstance(b64, 5_000_000)!;
      const base = (made.exports as { base(): number }).base();
      expect(made.memory.buffer.byteLength).toBeGreaterThanOrEqual(base + 5_000_000);
      // a second instance has a memory of its own
      const other = wasmInstance(b64, 10)!;
      expect(other.memory.buffer).not.toBe(made.memory.buffer);
    }
  });

  it("never grows a memory (a detached buffer slows every typed array in the process): not for a large dense factor, not in a GLMM fit", () => {
    // core is typed without DOM or Node globals: WebAssembly reached through globalThis
    const memory = (globalThis as unknown as { WebAssembly: { Memory: { prototype: { grow(pages: number): number } } } }).WebAssembly.Memory;
    const grow = vi.spyOn(memory.prototype, "grow");
    const chol = wasmCholesky()!;
    for (const n of [40, 700]) {
      const a = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = i === j ? n : 1 / (1 + i + j);
      expect(chol(a, n, 0)).toBe(true);
      expect(a[(n - 1) * n + n - 1]).toBeGreaterThan(0);
    }
    const table = readCsv(readFileSync(new URL("../../test/conformance-glmm/cbpp.csv", import.meta.url), "utf8"));
    const fit = fitGlmm(table, "cbind(incidence, size - incidence) ~ period + (1 | herd)", { family: "binomial", factors: ["period", "herd"] });
    expect(fit.logLik).toBeCloseTo(-92.026566, 5);
    expect(grow).not.toHaveBeenCalled();
  });
});
