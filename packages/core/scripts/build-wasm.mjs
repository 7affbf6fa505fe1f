/** Rebuilds src/wasm/choleskyWasm.ts from wasm/cholesky.ts: `node scripts/build-wasm.mjs`. */
import { writeFileSync } from "node:fs";
import { compileWasm, wasmModuleSource } from "./compileWasm.mjs";

const binary = await compileWasm();
writeFileSync(new URL("../src/wasm/choleskyWasm.ts", import.meta.url), wasmModuleSource(binary));
console.log(`src/wasm/choleskyWasm.ts: ${binary.length} bytes of WebAssembly`);
