/** Compiles wasm/denseKernels.ts (AssemblyScript) and returns the .wasm bytes. */
export function compileWasm(): Promise<Uint8Array>;
/** The TypeScript module source that carries the bytes (src/wasm/denseKernelsWasm.ts). */
export function wasmModuleSource(binary: Uint8Array): string;
