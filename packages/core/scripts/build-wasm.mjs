/** Rebuilds src/linalg/wasm/denseKernelsWasm.ts from wasm/denseKernels.ts: `node scripts/build-wasm.mjs`. */
import { writeFileSync } from "node:fs";
import { compileWasm, wasmModuleSource } from "./compileWasm.mjs";

const binary = await compileWasm();
writeFileSync(new URL("../src/linalg/wasm/denseKernelsWasm.ts", import.meta.url), wasmModuleSource(binary));
console.log(`src/linalg/wasm/denseKernelsWasm.ts: ${binary.length} bytes of WebAssembly`);
