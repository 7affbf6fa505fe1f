import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileWasm, wasmModules, wasmModuleSource } from "../../scripts/compileWasm.mjs";

describe("the WebAssembly carriers (every module of scripts/compileWasm.mjs: src/kernels/denseKernelsWasm.ts and its shared-memory build, src/glmm/rowKernelsWasm.ts, src/optim/bobyqaWasm.ts)", () => {
  it.each(Object.keys(wasmModules) as (keyof typeof wasmModules)[])("%s: the compiled kernel source (run scripts/build-wasm.mjs after editing a kernel)", async (name) => {
    const committed = readFileSync(new URL(`../../${wasmModules[name].out}`, import.meta.url), "utf8");
    expect(committed).toBe(wasmModuleSource(await compileWasm(name), name));
  }, 60_000);
});
