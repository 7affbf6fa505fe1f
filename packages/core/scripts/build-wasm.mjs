/** Rebuilds each WebAssembly carrier (src/…/*Wasm.ts) from its AssemblyScript source in wasm/: `node scripts/build-wasm.mjs`. */
import { writeFileSync } from "node:fs";
import { compileWasm, wasmModules, wasmModuleSource } from "./compileWasm.mjs";

for (const [name, { out }] of Object.entries(wasmModules)) {
  const binary = await compileWasm(name);
  writeFileSync(new URL(`../${out}`, import.meta.url), wasmModuleSource(binary, name));
  console.log(`${out}: ${binary.length} bytes of WebAssembly`);
}
