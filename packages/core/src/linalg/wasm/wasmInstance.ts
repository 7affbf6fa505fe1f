/** The parts of the WebAssembly JS API used here (core is built without DOM or Node typings). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const host = globalThis as unknown as { WebAssembly?: WasmApi; atob?: (data: string) => string };

/** Compiled modules by their bytes (base64), compiled once per process; null where they cannot be. */
const compiled = new Map<string, object | null>();

/**
 * A new instance (with its own memory) of the WebAssembly module whose bytes are `base64`, or null
 * where WebAssembly or its SIMD is unavailable (old engines, or a Content-Security-Policy without
 * 'wasm-unsafe-eval'); callers then use their TypeScript kernels.
 */
export function wasmInstance(base64: string): unknown {
  const wasm = host.WebAssembly;
  if (!wasm || !host.atob) return null;
  let module = compiled.get(base64);
  if (module === undefined) {
    module = null;
    try {
      const text = host.atob(base64);
      const bytes = new Uint8Array(text.length);
      for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
      if (wasm.validate(bytes)) module = new wasm.Module(bytes);
    } catch {
      module = null;
    }
    compiled.set(base64, module);
  }
  if (!module) return null;
  try {
    return new wasm.Instance(module, {}).exports;
  } catch {
    return null;
  }
}
