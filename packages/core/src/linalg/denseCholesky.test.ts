import { describe, expect, it } from "vitest";
import { cholLowerBlockedTs, cholLowerInPlace } from "./denseCholesky.js";
import { invertLower, invertLowerTransposed, invertLowerTransposedTs } from "./triangular.js";
import { wasmCholesky, wasmInvertLowerT } from "../kernels/wasmKernels.js";

/** Deterministic pseudo-random numbers in [-0.5, 0.5). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296 - 0.5;
  };
}

/** Random symmetric positive-definite n × n matrix B'B + n I (row-major, both triangles filled). */
function randomSpd(n: number, seed: number): Float64Array {
  const r = rng(seed);
  const b = new Float64Array(n * n);
  for (let i = 0; i < b.length; i++) b[i] = r();
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += b[k * n + i]! * b[k * n + j]!;
      if (i === j) s += n;
      a[i * n + j] = s;
      a[j * n + i] = s;
    }
  }
  return a;
}

/** The textbook row-by-row algorithm, as the reference. */
function cholSimple(a: Float64Array, n: number): boolean {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j]!;
      for (let k = 0; k < j; k++) s -= a[i * n + k]! * a[j * n + k]!;
      if (i === j) {
        if (!(s > 0)) return false;
        a[i * n + i] = Math.sqrt(s);
      } else {
        a[i * n + j] = s / a[j * n + j]!;
      }
    }
    for (let j = i + 1; j < n; j++) a[i * n + j] = 0;
  }
  return true;
}

/** Copies the n × n matrix into a bigger array at `off`, with NaN in the strict upper triangle and around it. */
function embed(a: Float64Array, n: number, off: number): Float64Array {
  const big = new Float64Array(off + n * n + 5).fill(Number.NaN);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) big[off + i * n + j] = a[i * n + j]!;
  return big;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
}

const sizes = [1, 2, 3, 7, 31, 32, 33, 64, 100, 257, 600];

describe("cholLowerInPlace", () => {
  it.each(sizes)("n = %i: L L' reproduces the matrix, upper triangle zero, same as the simple algorithm", (n) => {
    const a = randomSpd(n, 1000 + n);
    for (const off of [0, 13]) {
      const w = embed(a, n, off);
      expect(cholLowerInPlace(w, n, off)).toBe(true);
      // Nothing outside the matrix is touched.
      for (let p = 0; p < off; p++) expect(w[p]).toBeNaN();
      for (let p = off + n * n; p < w.length; p++) expect(w[p]).toBeNaN();
      const L = w.subarray(off, off + n * n);
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) expect(L[i * n + j]).toBe(0);
      let err = 0;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j <= i; j++) {
          let s = 0;
          for (let k = 0; k <= j; k++) s += L[i * n + k]! * L[j * n + k]!;
          err = Math.max(err, Math.abs(s - a[i * n + j]!));
        }
      }
      expect(err / maxAbs(a)).toBeLessThan(1e-10);
      const ref = a.slice();
      expect(cholSimple(ref, n)).toBe(true);
      let d = 0;
      for (let p = 0; p < n * n; p++) d = Math.max(d, Math.abs(L[p]! - ref[p]!));
      expect(d / maxAbs(ref)).toBeLessThan(1e-12);
    }
  });

  /** A = L0 L0' with L0[p][p] = 0.5, then A[p][p] -= 1: pivots before p are unchanged, pivot p is -0.75. */
  function withNegativePivot(n: number, p: number): Float64Array {
    const r = rng(7 + n + p);
    const l0 = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++) l0[i * n + j] = r() / Math.sqrt(n);
      l0[i * n + i] = i === p ? 0.5 : 1 + r();
    }
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let k = 0; k <= j; k++) s += l0[i * n + k]! * l0[j * n + k]!;
        a[i * n + j] = s;
        a[j * n + i] = s;
      }
    }
    a[p * n + p] = a[p * n + p]! - 1;
    return a;
  }

  it.each([
    [1, 0],
    [7, 0],
    [7, 3],
    [7, 6],
    [33, 0],
    [33, 32],
    [100, 0],
    [100, 45],
    [100, 63],
    [100, 64],
    [100, 99],
    [257, 150],
    [257, 256],
    [600, 555],
  ])("n = %i, negative pivot at %i: returns false", (n, p) => {
    const a = withNegativePivot(n, p);
    const ref = a.slice();
    expect(cholSimple(ref, n)).toBe(false);
    expect(cholLowerInPlace(a.slice(), n)).toBe(false);
    expect(cholLowerInPlace(embed(a, n, 5), n, 5)).toBe(false);
    // Sanity: without the perturbation the same matrix is positive definite.
    const ok = a.slice();
    ok[p * n + p] = ok[p * n + p]! + 1;
    expect(cholLowerInPlace(ok, n)).toBe(true);
  });

  it.each([1, 7, 33, 100, 257])("n = %i: a zero pivot or a NaN returns false", (n) => {
    const zero = new Float64Array(n * n);
    expect(cholLowerInPlace(zero, n)).toBe(false);
    const a = randomSpd(n, 3);
    const i = n - 1;
    a[i * n + Math.floor(i / 2)] = Number.NaN;
    expect(cholLowerInPlace(a, n)).toBe(false);
  });
});

describe("the blocked kernels: TypeScript and WebAssembly SIMD", () => {
  const wasm = wasmCholesky();
  it("WebAssembly SIMD is available in Node 20, so the kernel is used", () => {
    expect(wasm).not.toBeNull();
  });
  const kernels = { typescript: cholLowerBlockedTs, webassembly: (a: Float64Array, n: number, off = 0) => wasm!(a, n, off) };
  it.each([32, 33, 63, 64, 65, 100, 257, 600])("n = %i: both agree with the simple algorithm and leave the rest alone", (n) => {
    const a = randomSpd(n, 2000 + n);
    const ref = a.slice();
    expect(cholSimple(ref, n)).toBe(true);
    for (const [name, chol] of Object.entries(kernels)) {
      const w = embed(a, n, 9);
      expect(chol(w, n, 9), name).toBe(true);
      for (let p = 0; p < 9; p++) expect(w[p]).toBeNaN();
      for (let p = 9 + n * n; p < w.length; p++) expect(w[p]).toBeNaN();
      let d = 0;
      for (let p = 0; p < n * n; p++) d = Math.max(d, Math.abs(w[9 + p]! - ref[p]!));
      expect(d / maxAbs(ref), name).toBeLessThan(1e-12);
    }
  });
  it.each([
    [64, 0],
    [64, 63],
    [100, 45],
    [257, 256],
  ])("n = %i, negative pivot at %i: both return false", (n, p) => {
    const a = randomSpd(n, 5);
    a[p * n + p] = -1;
    for (const [name, chol] of Object.entries(kernels)) expect(chol(a.slice(), n), name).toBe(false);
  });
});

describe("invertLower", () => {
  it.each([1, 2, 5, 40])("n = %i: L · L⁻¹ = I, lower triangular", (n) => {
    const L = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) L[i * n + j] = i === j ? 1 + i / 3 : Math.sin(i * 7 + j) / 2;
    const inv = invertLower(L, n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += L[i * n + k]! * inv[k * n + j]!;
        expect(s).toBeCloseTo(i === j ? 1 : 0, 10);
        if (j > i) expect(inv[i * n + j]).toBe(0);
      }
    }
  });
});

describe("invertLowerTransposed", () => {
  it.each([1, 2, 5, 40, 63, 64, 65, 130])("n = %i: TypeScript and WebAssembly kernels give column j of L⁻¹ in row j", (n) => {
    const L = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) L[i * n + j] = i === j ? 1 + i / 3 : Math.sin(i * 7 + j) / 2;
    const inv = invertLower(L, n);
    const wasm = wasmInvertLowerT();
    const results = { dispatch: invertLowerTransposed(L, n), typescript: invertLowerTransposedTs(L, n), ...(wasm ? { webassembly: wasm(L, n) } : {}) };
    for (const [name, xt] of Object.entries(results)) {
      let d = 0;
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) d = Math.max(d, Math.abs(xt[j * n + i]! - inv[i * n + j]!));
      expect(d, name).toBeLessThan(1e-12);
    }
  });
});
