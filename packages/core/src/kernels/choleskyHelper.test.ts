import { describe, expect, it } from "vitest";
import { attachCholeskyHelper, choleskyHelperRunning, cholTwoThreads, startCholeskyHelper, type CholRowsExports } from "./choleskyHelper.js";
import { denseKernelsSharedWasmBase64 } from "./denseKernelsSharedWasm.js";
import { denseKernelsWasmBase64 } from "./denseKernelsWasm.js";
import { wasmInstance, type WasmMemory } from "./wasmInstance.js";

interface Kernels extends CholRowsExports {
  base(): number;
  chol(a: number, n: number): number;
}

/** A symmetric positive definite n × n matrix with irregular entries (row-major). */
function spd(n: number, seed: number): Float64Array {
  const a = new Float64Array(n * n);
  let s = seed;
  const r = (): number => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) - 0.5;
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      const v = i === j ? n / 4 + r() : r() / 3;
      a[i * n + j] = v;
      a[j * n + i] = v;
    }
  return a;
}

/** The kernels' factor of `a` at base, by `run`, read back. */
function factorWith(k: Kernels, memory: WasmMemory, a: Float64Array, n: number, run: (p: number) => boolean): { ok: boolean; L: Float64Array } {
  const p = k.base();
  const w = new Float64Array(memory.buffer, p, n * n);
  w.set(a);
  const ok = run(p);
  return { ok, L: w.slice() };
}

describe("the dense Cholesky in steps (cholRows, cholDiag): the bits of chol", () => {
  it.each([37, 100, 333, 700])("n = %i, each block row's rows split in two", (n) => {
    const made = wasmInstance(denseKernelsWasmBase64, 8 * n * n)!;
    const k = made.exports as Kernels;
    const a = spd(n, n);
    const whole = factorWith(k, made.memory, a, n, (p) => k.chol(p, n) === 1);
    const steps = factorWith(k, made.memory, a, n, (p) => {
      for (let i0 = 0; i0 < n; i0 += 32) {
        const i1 = Math.min(i0 + 32, n);
        const half = Math.min(i0 + 16, i1);
        // the second half first: the halves do not depend on each other
        if (half < i1) k.cholRows(p, n, i0, half, i1);
        k.cholRows(p, n, i0, i0, half);
        if (!k.cholDiag(p, n, i0, i1)) return false;
      }
      k.cholClearUpper(p, n);
      return true;
    });
    expect(whole.ok).toBe(true);
    expect(steps.ok).toBe(true);
    expect(Array.from(steps.L)).toEqual(Array.from(whole.L));
  });
});

describe("the dense Cholesky on two threads (Node: a worker sharing the kernels' memory)", () => {
  it("gives one thread's bits, refuses what is not positive definite, and follows the kernels to a new memory", async () => {
    expect(await startCholeskyHelper()).toBe(true);
    expect(choleskyHelperRunning()).toBe(true);
    for (const n of [600, 1100]) {
      const made = wasmInstance(denseKernelsSharedWasmBase64, 8 * n * n, {}, true)!;
      expect(made).not.toBeNull();
      const k = made.exports as Kernels;
      expect(attachCholeskyHelper(made.module, made.memory)).toBe(true);
      const a = spd(n, 7 + n);
      const one = factorWith(k, made.memory, a, n, (p) => k.chol(p, n) === 1);
      const two = factorWith(k, made.memory, a, n, (p) => cholTwoThreads(k, p, n));
      expect(two.ok).toBe(true);
      expect(Array.from(two.L)).toEqual(Array.from(one.L));
      // a matrix that is not positive definite, found late (its last diagonal entry)
      const bad = spd(n, 3);
      bad[n * n - 1] = -1;
      expect(factorWith(k, made.memory, bad, n, (p) => cholTwoThreads(k, p, n)).ok).toBe(false);
      expect(choleskyHelperRunning()).toBe(true);
    }
  }, 60_000);
});
