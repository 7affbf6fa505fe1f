import { wasmInstance } from "../kernels/wasmInstance.js";
import type { Family } from "./families.js";
import { rowKernel, type RowKernel } from "./rowKernels.js";
import { rowKernelsWasmBase64 } from "./rowKernelsWasm.js";

/** Beyond this many bytes of rows the space is not made (PIRLS's arrays stay in JavaScript memory). */
const MAX_BYTES = 2 ** 30;

interface RowExports {
  base(): number;
  logitMuDeviance(eta: number, y: number, pw: number, c: number, mu: number, each: number, n: number): number;
  logitWorking(eta: number, mu: number, y: number, pw: number, fixed: number, w: number, z: number, n: number): void;
  poissonMuDeviance(eta: number, y: number, pw: number, mu: number, each: number, n: number): number;
  poissonWorking(eta: number, mu: number, y: number, pw: number, fixed: number, w: number, z: number, n: number): void;
  scatterWeights(buf: number, w: number, n: number, onesPtr: number, ones: number, pairPtr: number, at: number, value: number): void;
  scatterResponse(buf: number, w: number, z: number, n: number, zPtr: number, zat: number, zvalue: number, ones: number): number;
  gatherAdd(out: number, src: number, refs: number, b: number, n: number): void;
  gatherAddScaled(out: number, z: number, refs: number, b: number, n: number): void;
}

/** The scatter of A's products over arrays of a row space (`ScatterPlan`'s loops, in WebAssembly). */
export interface ScatterKernels {
  /** Whether an array is in the space (the kernels take only such arrays; the plan and A's values are). */
  owns(a: Float64Array): boolean;
  /** buf[ones[k]] += w_t and buf[at[k]] += w_t value[k] over each row's entries, in the TypeScript loop's order. */
  weights(buf: Float64Array, w: Float64Array, n: number, onesPtr: Int32Array, ones: Int32Array, pairPtr: Int32Array, at: Int32Array, value: Float64Array): void;
  /** buf[zat[k]] += w_t z_t (times zvalue[k] unless `ones`) over each row's entries; returns Σ w_t z_t². */
  response(buf: Float64Array, w: Float64Array, z: Float64Array, n: number, zPtr: Int32Array, zat: Int32Array, zvalue: Float64Array, ones: boolean): number;
}

/** η's gathers over arrays of a row space. */
export interface GatherKernels {
  /** out[t] = src[t] + b[refs[t]] (out may be src), as `out[t] = src[t]; out[t] += 1 · b[refs[t]]` rounds. */
  add(out: Float64Array, src: Float64Array, refs: Int32Array, b: Float64Array): void;
  /** out[t] += z[t] b[refs[t]]. */
  addScaled(out: Float64Array, z: Float64Array, refs: Int32Array, b: Float64Array): void;
}

/**
 * PIRLS's rows in the memory of a WebAssembly instance of its own (wasm/rowKernels.ts), where μ, the
 * deviance and the working weights and response are formed two rows at a time in SIMD lanes (the
 * binomial logit and the Poisson log models), and A's products scattered (every family). `y` and
 * `pw` are copies of the response and prior weights there; `array()` gives a new n-row array there
 * (zeros), `doubles(k)` and `ints(k)` other arrays (the scatter plan's and A's), `copyOf(a)` a copy
 * of an array there. `kernel` runs the
 * WebAssembly kernels when every array it is given is the space's (with this space's `y` and `pw`),
 * and the TypeScript kernel (`rowKernel`) otherwise, or for other links: the two agree
 * within a few units in the last place of each row (the deviance's form avoids log μ's cancellation
 * near μ = 1). `scatter` and `gather` take only the space's arrays (`owns`), n rows each.
 */
export interface RowSpace {
  y: Float64Array;
  pw: Float64Array;
  array(): Float64Array;
  doubles(k: number): Float64Array;
  ints(k: number): Int32Array;
  /** A copy of `a` in the space (its length taken from `doubles` or `ints`). */
  copyOf<A extends Float64Array | Int32Array>(a: A): A;
  kernel: RowKernel;
  scatter: ScatterKernels;
  gather: GatherKernels;
}

/**
 * The row space for `arrays` n-row arrays besides y and pw and `extra` doubles and ints, or null
 * where WebAssembly SIMD is unavailable, or past 1 GiB.
 */
export function rowSpace(family: Family, y: Float64Array, pw: Float64Array, arrays: number, extra: { doubles: number; ints: number } = { doubles: 0, ints: 0 }): RowSpace | null {
  const key = `${family.name}-${family.link.name}`;
  const n = y.length;
  // each array padded to an even length (a zero row: weight 0), so the kernels take rows in pairs
  const even = n + (n % 2);
  const stride = even * 8;
  const count = arrays + 3;
  const aligned = (bytes: number): number => Math.ceil(bytes / 16) * 16;
  const bytes = count * stride + aligned(extra.doubles * 8) + aligned(extra.ints * 4);
  if (bytes > MAX_BYTES) return null;
  // the memory made at its full size, never grown (`wasmInstance`)
  const made = wasmInstance(rowKernelsWasmBase64, bytes);
  if (!made) return null;
  const wasm = made.exports as RowExports;
  const base = wasm.base();
  const buffer = made.memory.buffer;
  if (buffer.byteLength < base + bytes) return null;
  let next = base;
  let left = count;
  const array = (): Float64Array => {
    if (left-- <= 0) throw new RangeError("rowSpace: more arrays than were asked for");
    const a = new Float64Array(buffer, next, n);
    next += stride;
    return a;
  };
  let doublesLeft = extra.doubles;
  let doublesAt = base + count * stride;
  const doubles = (k: number): Float64Array => {
    if ((doublesLeft -= k) < 0) throw new RangeError("rowSpace: more doubles than were asked for");
    const a = new Float64Array(buffer, doublesAt, k);
    doublesAt += k * 8;
    return a;
  };
  let intsLeft = extra.ints;
  let intsAt = base + count * stride + aligned(extra.doubles * 8);
  const ints = (k: number): Int32Array => {
    if ((intsLeft -= k) < 0) throw new RangeError("rowSpace: more ints than were asked for");
    const a = new Int32Array(buffer, intsAt, k);
    intsAt += k * 4;
    return a;
  };
  const yw = array();
  yw.set(y);
  const pww = array();
  pww.set(pw);
  // the binomial deviance's constant y log y + (1 − y) log(1 − y) (0 for y = 0 or 1)
  const c = array();
  for (let t = 0; t < n; t++) {
    const v = y[t]!;
    c[t] = (v > 0 ? v * Math.log(v) : 0) + (v < 1 ? (1 - v) * Math.log(1 - v) : 0);
  }
  const fallback = rowKernel(family);
  const ours = (a: Float64Array): boolean => a.buffer === buffer;
  /** One of the space's padded n-row arrays (`array()`, y, pw), which the row kernels take: they write the padding row. */
  const rowsEnd = base + count * stride;
  const row = (a: Float64Array): boolean => a.buffer === buffer && a.byteOffset < rowsEnd;
  const logit = key === "binomial-logit";
  const lanes = logit || key === "poisson-log";
  const kernel: RowKernel = {
    muDeviance(eta, yy, ww, mu, each) {
      if (!lanes || yy !== yw || ww !== pww || !row(eta) || !row(mu) || (each && !row(each))) return fallback.muDeviance(eta, yy, ww, mu, each);
      // the address 0 is below base(): no `each`
      const at = each ? each.byteOffset : 0;
      return logit ? wasm.logitMuDeviance(eta.byteOffset, yw.byteOffset, pww.byteOffset, c.byteOffset, mu.byteOffset, at, even) : wasm.poissonMuDeviance(eta.byteOffset, yw.byteOffset, pww.byteOffset, mu.byteOffset, at, even);
    },
    working(eta, mu, yy, ww, fixed, w, z) {
      if (!lanes || yy !== yw || ww !== pww || !row(eta) || !row(mu) || !row(fixed) || !row(w) || !row(z)) return fallback.working(eta, mu, yy, ww, fixed, w, z);
      if (logit) wasm.logitWorking(eta.byteOffset, mu.byteOffset, yw.byteOffset, pww.byteOffset, fixed.byteOffset, w.byteOffset, z.byteOffset, even);
      else wasm.poissonWorking(eta.byteOffset, mu.byteOffset, yw.byteOffset, pww.byteOffset, fixed.byteOffset, w.byteOffset, z.byteOffset, even);
    },
  };
  const scatter: ScatterKernels = {
    owns: ours,
    weights(buf, w, nn, onesPtr, ones, pairPtr, at, value) {
      wasm.scatterWeights(buf.byteOffset, w.byteOffset, nn, onesPtr.byteOffset, ones.byteOffset, pairPtr.byteOffset, at.byteOffset, value.byteOffset);
    },
    response(buf, w, z, nn, zPtr, zat, zvalue, ones) {
      return wasm.scatterResponse(buf.byteOffset, w.byteOffset, z.byteOffset, nn, zPtr.byteOffset, zat.byteOffset, zvalue.byteOffset, ones ? 1 : 0);
    },
  };
  const gather: GatherKernels = {
    add(out, src, refs, b) {
      wasm.gatherAdd(out.byteOffset, src.byteOffset, refs.byteOffset, b.byteOffset, n);
    },
    addScaled(out, z, refs, b) {
      wasm.gatherAddScaled(out.byteOffset, z.byteOffset, refs.byteOffset, b.byteOffset, n);
    },
  };
  const copyOf = <A extends Float64Array | Int32Array>(a: A): A => {
    const c = (a instanceof Float64Array ? doubles(a.length) : ints(a.length)) as A;
    c.set(a);
    return c;
  };
  return { y: yw, pw: pww, array, doubles, ints, copyOf, kernel, scatter, gather };
}
