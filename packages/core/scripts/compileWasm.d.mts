/** The kernel modules: AssemblyScript source in wasm/<name>.ts, the generated carrier and what it holds. */
export const wasmModules: Record<"denseKernels" | "rowKernels", { out: string; what: string }>;
/** Compiles wasm/<name>.ts (AssemblyScript; default denseKernels) and returns the .wasm bytes. */
export function compileWasm(name?: "denseKernels" | "rowKernels"): Promise<Uint8Array>;
/** The TypeScript module source that carries module `name`'s bytes. */
export function wasmModuleSource(binary: Uint8Array, name?: "denseKernels" | "rowKernels"): string;
