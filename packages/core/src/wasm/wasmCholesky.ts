import { choleskyWasmBase64 } from "./choleskyWasm.js";

/** A dense in-place lower Cholesky kernel: the n × n row-major matrix at a[off ..]; false if not positive definite. */
export type CholeskyKernel = (a: Float64Array, n: number, off: number) => boolean;

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
}

/** undefined: not tried yet; null: WebAssembly (or its SIMD) is not available here. */
let kernel: CholeskyKernel | null | undefined;

/**
 * The WebAssembly SIMD Cholesky kernel (built from wasm/cholesky.ts), instantiated on first use, or
 * null where WebAssembly SIMD is unavailable (old engines, or a Content-Security-Policy without
 * 'wasm-unsafe-eval'); callers then use the TypeScript kernel, which gives the same factor up to
 * rounding. The module keeps its own memory, grown to the largest matrix seen; the matrix is copied
 * in and the factor copied back.
 */
export function wasmCholesky(): CholeskyKernel | null {
  if (kernel !== undefined) return kernel;
  kernel = null;
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
    kernel = (a, n, off) => {
      const bytesNeeded = base + n * n * 8;
      if (memory.buffer.byteLength < bytesNeeded) memory.grow(Math.ceil((bytesNeeded - memory.buffer.byteLength) / 65536));
      const view = new Float64Array(memory.buffer, base, n * n);
      view.set(a.subarray(off, off + n * n));
      const ok = exports.chol(base, n) === 1;
      a.set(view, off);
      return ok;
    };
  } catch {
    kernel = null;
  }
  return kernel;
}
