import { choleskyWasmBase64 } from "./choleskyWasm.js";

/** A dense in-place lower Cholesky kernel: the n × n row-major matrix at a[off ..]; false if not positive definite. */
export type CholeskyKernel = (a: Float64Array, n: number, off: number) => boolean;
/** The inverse of a lower-triangular n × n matrix (row-major), transposed: row j is column j of L⁻¹. */
export type InverseKernel = (L: Float64Array, n: number) => Float64Array;

/** The parts of the WebAssembly JS API used here (core is built without DOM or Node typings). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const host = globalThis as unknown as { WebAssembly?: WasmApi; atob?: (data: string) => string };

interface KernelExports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  base(): number;
  chol(a: number, n: number): number;
  invLowerT(l: number, x: number, n: number): void;
}

/** undefined: not tried yet; null: WebAssembly (or its SIMD) is not available here. */
let kernels: { chol: CholeskyKernel; invLowerT: InverseKernel } | null | undefined;

/**
 * The WebAssembly SIMD kernels (built from wasm/cholesky.ts), instantiated on first use, or null
 * where WebAssembly SIMD is unavailable (old engines, or a Content-Security-Policy without
 * 'wasm-unsafe-eval'); callers then use the TypeScript kernels, which give the same results up to
 * rounding. The module keeps its own memory, grown to the largest matrices seen; the operands are
 * copied in and the results copied back.
 */
function wasmKernels(): typeof kernels {
  if (kernels !== undefined) return kernels;
  kernels = null;
  try {
    const wasm = host.WebAssembly;
    if (!wasm || !host.atob) return null;
    const text = host.atob(choleskyWasmBase64);
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    if (!wasm.validate(bytes)) return null;
    const exports = new wasm.Instance(new wasm.Module(bytes), {}).exports as unknown as KernelExports;
    const { memory } = exports;
    const base = exports.base();
    /** A Float64Array view of `length` doubles at `base`, the memory grown first if needed. */
    const view = (length: number): Float64Array => {
      const bytesNeeded = base + length * 8;
      if (memory.buffer.byteLength < bytesNeeded) memory.grow(Math.ceil((bytesNeeded - memory.buffer.byteLength) / 65536));
      return new Float64Array(memory.buffer, base, length);
    };
    kernels = {
      chol(a, n, off) {
        const w = view(n * n);
        w.set(a.subarray(off, off + n * n));
        const ok = exports.chol(base, n) === 1;
        a.set(w, off);
        return ok;
      },
      invLowerT(L, n) {
        const w = view(2 * n * n);
        w.set(L.subarray(0, n * n));
        exports.invLowerT(base, base + n * n * 8, n);
        return w.slice(n * n, 2 * n * n);
      },
    };
  } catch {
    kernels = null;
  }
  return kernels;
}

/** The WebAssembly SIMD Cholesky kernel, or null where it is unavailable. */
export function wasmCholesky(): CholeskyKernel | null {
  return wasmKernels()?.chol ?? null;
}

/** The WebAssembly SIMD inverse of a lower-triangular matrix (transposed), or null where it is unavailable. */
export function wasmInvertLowerT(): InverseKernel | null {
  return wasmKernels()?.invLowerT ?? null;
}
