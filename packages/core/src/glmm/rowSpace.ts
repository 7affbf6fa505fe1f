import { wasmInstance } from "../linalg/wasm/wasmInstance.js";
import type { Family } from "./families.js";
import { rowKernel, type RowKernel } from "./rowKernels.js";
import { rowKernelsWasmBase64 } from "./rowKernelsWasm.js";

/** Beyond this many bytes of rows the space is not made (PIRLS's arrays stay in JavaScript memory). */
const MAX_BYTES = 2 ** 30;

interface RowExports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  base(): number;
  logitMuDeviance(eta: number, y: number, pw: number, c: number, mu: number, n: number): number;
  logitWorking(eta: number, mu: number, y: number, pw: number, fixed: number, w: number, z: number, n: number): void;
  poissonMuDeviance(eta: number, y: number, pw: number, mu: number, n: number): number;
  poissonWorking(eta: number, mu: number, y: number, pw: number, fixed: number, w: number, z: number, n: number): void;
}

/**
 * PIRLS's rows in the memory of a WebAssembly instance of its own (wasm/rowKernels.ts), where μ, the
 * deviance and the working weights and response are formed two rows at a time in SIMD lanes: the
 * binomial logit and the Poisson log models. `y` and `pw` are copies of the response and prior
 * weights there; `array()` gives a new n-row array there (zeros). `kernel` runs the WebAssembly
 * kernels when every array it is given is the space's (with this space's `y` and `pw`), and the
 * TypeScript kernel (`rowKernel`) otherwise, or with `each`: the two agree within a few units in
 * the last place of each row (the deviance's form avoids log μ's cancellation near μ = 1).
 */
export interface RowSpace {
  y: Float64Array;
  pw: Float64Array;
  array(): Float64Array;
  kernel: RowKernel;
}

/**
 * The row space for `arrays` arrays besides y and pw, or null for other families and links, where
 * WebAssembly SIMD is unavailable, or past 1 GiB of rows.
 */
export function rowSpace(family: Family, y: Float64Array, pw: Float64Array, arrays: number): RowSpace | null {
  const key = `${family.name}-${family.link.name}`;
  if (key !== "binomial-logit" && key !== "poisson-log") return null;
  const n = y.length;
  // each array padded to an even length (a zero row: weight 0), so the kernels take rows in pairs
  const even = n + (n % 2);
  const stride = even * 8;
  const count = arrays + 3;
  if (count * stride > MAX_BYTES) return null;
  const wasm = wasmInstance(rowKernelsWasmBase64) as RowExports | null;
  if (!wasm) return null;
  const base = wasm.base();
  const { memory } = wasm;
  const need = base + count * stride;
  if (memory.buffer.byteLength < need) memory.grow(Math.ceil((need - memory.buffer.byteLength) / 65536));
  const buffer = memory.buffer;
  let next = base;
  let left = count;
  const array = (): Float64Array => {
    if (left-- <= 0) throw new RangeError("rowSpace: more arrays than were asked for");
    const a = new Float64Array(buffer, next, n);
    next += stride;
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
  const logit = key === "binomial-logit";
  const kernel: RowKernel = {
    muDeviance(eta, yy, ww, mu, each) {
      if (each || yy !== yw || ww !== pww || !ours(eta) || !ours(mu)) return fallback.muDeviance(eta, yy, ww, mu, each);
      return logit ? wasm.logitMuDeviance(eta.byteOffset, yw.byteOffset, pww.byteOffset, c.byteOffset, mu.byteOffset, even) : wasm.poissonMuDeviance(eta.byteOffset, yw.byteOffset, pww.byteOffset, mu.byteOffset, even);
    },
    working(eta, mu, yy, ww, fixed, w, z) {
      if (yy !== yw || ww !== pww || !ours(eta) || !ours(mu) || !ours(fixed) || !ours(w) || !ours(z)) return fallback.working(eta, mu, yy, ww, fixed, w, z);
      if (logit) wasm.logitWorking(eta.byteOffset, mu.byteOffset, yw.byteOffset, pww.byteOffset, fixed.byteOffset, w.byteOffset, z.byteOffset, even);
      else wasm.poissonWorking(eta.byteOffset, mu.byteOffset, yw.byteOffset, pww.byteOffset, fixed.byteOffset, w.byteOffset, z.byteOffset, even);
    },
  };
  return { y: yw, pw: pww, array, kernel };
}
