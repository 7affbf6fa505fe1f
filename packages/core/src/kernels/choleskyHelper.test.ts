import { describe, expect, it } from "vitest";
import { attachCholeskyHelper, choleskyHelperRunning, cholTwoThreads, invTwoThreads, startCholeskyHelper, type HelperKernelExports } from "./choleskyHelper.js";
import { denseKernelsSharedWasmBase64 } from "./denseKernelsSharedWasm.js";
import { denseKernelsWasmBase64 } from "./denseKernelsWasm.js";
import { wasmInstance, type WasmMemory } from "./wasmInstance.js";

interface Kernels extends HelperKernelExports {
  base(): number;
  chol(a: number, n: number): number;
  invLowerT(l: number, x: number, n: number): void;
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

  it("forms the triangular inverse with one thread's bits", async () => {
    expect(await startCholeskyHelper()).toBe(true);
    const n = 700;
    const made = wasmInstance(denseKernelsSharedWasmBase64, 24 * n * n, {}, true)!;
    const k = made.exports as Kernels;
    expect(attachCholeskyHelper(made.module, made.memory)).toBe(true);
    const L = factorWith(k, made.memory, spd(n, 11), n, (p) => k.chol(p, n) === 1).L;
    const p = k.base();
    new Float64Array(made.memory.buffer, p, n * n).set(L);
    const x1 = p + 8 * n * n;
    const x2 = x1 + 8 * n * n;
    k.invLowerT(p, x1, n);
    invTwoThreads(k, p, x2, n);
    const one = new Float64Array(made.memory.buffer, x1, n * n);
    const two = new Float64Array(made.memory.buffer, x2, n * n);
    expect(one[n + 1]).not.toBe(0);
    expect(Array.from(two)).toEqual(Array.from(one));
    expect(choleskyHelperRunning()).toBe(true);
  }, 60_000);

  it("takes up each new memory at once, however soon the first command follows (no command missed)", async () => {
    expect(await startCholeskyHelper()).toBe(true);
    const n = 520;
    const a = spd(n, 5);
    let reference: number[] | null = null;
    for (let round = 0; round < 12; round++) {
      const made = wasmInstance(denseKernelsSharedWasmBase64, 8 * n * n, {}, true)!;
      const k = made.exports as Kernels;
      expect(attachCholeskyHelper(made.module, made.memory)).toBe(true);
      const t0 = Date.now();
      const two = factorWith(k, made.memory, a, n, (p) => cholTwoThreads(k, p, n));
      // a missed command would wait for the worker for a minute, then give up on it
      expect(Date.now() - t0).toBeLessThan(5000);
      expect(choleskyHelperRunning()).toBe(true);
      reference ??= Array.from(factorWith(k, made.memory, a, n, (p) => k.chol(p, n) === 1).L);
      expect(Array.from(two.L)).toEqual(reference);
    }
  }, 60_000);
});
