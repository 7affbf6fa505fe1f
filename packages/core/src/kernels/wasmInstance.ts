/** A WebAssembly memory: its bytes (never grown here, see `wasmInstance`). */
export interface WasmMemory {
  buffer: ArrayBuffer;
}

/** The parts of the WebAssembly JS API used here (core is built without DOM or Node typings). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  compile(bytes: Uint8Array): Promise<object>;
  Instance: new (module: object, imports: object) => { exports: unknown };
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
}
const host = globalThis as unknown as { WebAssembly?: WasmApi; atob?: (data: string) => string };

/** Node's Buffer, where present: decodes base64 natively (a JavaScript loop over the text costs ~0.5 ms per 20 KB in a process's first fit). */
const nodeBuffer = (globalThis as unknown as { Buffer?: { from(data: string, encoding: "base64"): Uint8Array } }).Buffer;

/** The bytes of base64 text: by Node's Buffer where there is one (`buffer`; null: none), else by `atob`. */
export function decodeBase64(base64: string, atob: (data: string) => string, buffer: typeof nodeBuffer | null = nodeBuffer): Uint8Array {
  if (buffer) return new Uint8Array(buffer.from(base64, "base64"));
  const text = atob(base64);
  const data = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) data[i] = text.charCodeAt(i);
  return data;
}

/** Compiled modules by their bytes (base64), compiled once per process; null where they cannot be. */
const compiled = new Map<string, object | null>();

/**
 * Compiles modules (their base64) ahead of their first use, off the main thread
 * (WebAssembly.compile), so that `wasmInstance` then finds them compiled: a command line calls this
 * while it reads its data. Resolves when every module is compiled (or found not to compile, which
 * `wasmInstance` would then find too); never rejects.
 */
export async function precompileWasm(base64s: readonly string[]): Promise<void> {
  const wasm = host.WebAssembly;
  const atob = host.atob;
  if (!wasm || !atob) return;
  await Promise.all(
    base64s
      .filter((b) => !compiled.has(b))
      .map(async (b) => {
        let module: object | null;
        try {
          module = await wasm.compile(decodeBase64(b, atob));
        } catch {
          module = null;
        }
        // a first use may have compiled it meanwhile: keep that one
        if (!compiled.has(b)) compiled.set(b, module);
      }),
  );
}

/** Whether the module (its base64) is compiled in this process: its next instance costs no compilation. */
export function wasmCompiled(base64: string): boolean {
  return Boolean(compiled.get(base64));
}

/** Room for a module's own static data below its heap base (`base()`), which is far smaller. */
const STATIC_BYTES = 65536;

/**
 * A new instance of the WebAssembly module whose bytes are `base64` (built with its memory imported
 * as `env.memory`), with a memory of its own holding at least `bytes` past the module's static data
 * and its other imports (functions) from `imports`, each as `env.<name>`; or null where WebAssembly
 * or its SIMD is unavailable (old engines, or a Content-Security-Policy without 'wasm-unsafe-eval'):
 * callers then use their TypeScript kernels.
 *
 * The memory is made at its full size and never grown: growing a memory detaches its old buffer,
 * and the first detached buffer in a process makes V8 check every typed array access for
 * detachment from then on, about a third slower in the engine's loops. A caller that needs more
 * room makes a new instance. `shared`: a shared memory (for a module built for one, whose memory a
 * second thread uses too; null where shared memory is unavailable). The compiled module is returned
 * too, for such a thread.
 */
export function wasmInstance(base64: string, bytes: number, imports: Readonly<Record<string, unknown>> = {}, shared = false): { exports: unknown; memory: WasmMemory; module: object } | null {
  const wasm = host.WebAssembly;
  if (!wasm || !host.atob) return null;
  let module = compiled.get(base64);
  if (module === undefined) {
    module = null;
    try {
      module = new wasm.Module(decodeBase64(base64, host.atob));
    } catch {
      module = null;
    }
    compiled.set(base64, module);
  }
  if (!module) return null;
  try {
    const pages = Math.ceil((STATIC_BYTES + bytes) / 65536);
    const memory = new wasm.Memory(shared ? { initial: pages, maximum: pages, shared: true } : { initial: pages });
    return { exports: new wasm.Instance(module, { env: { ...imports, memory } }).exports, memory, module };
  } catch {
    return null;
  }
}
