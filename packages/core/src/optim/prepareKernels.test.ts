import { describe, expect, it } from "vitest";
import { denseKernelsWasmBase64 } from "../kernels/denseKernelsWasm.js";
import { precompileWasm, wasmCompiled, wasmInstance } from "../kernels/wasmInstance.js";
import { bobyqa } from "./bobyqa.js";
import { bobyqaWasmBase64 } from "./bobyqaWasm.js";
import { prepareKernels } from "./prepareKernels.js";
import { wasmBobyqbPays } from "./wasmBobyqb.js";

describe("prepareKernels", () => {
  it("compiles the kernels' and BOBYQA's modules ahead; then even a one-variable problem runs BOBYQA's compiled iteration, with the TypeScript's result", async () => {
    // nothing in this file has compiled them yet (vitest runs each file in a fresh module graph)
    expect(wasmCompiled(bobyqaWasmBase64)).toBe(false);
    expect(wasmBobyqbPays(1)).toBe(false);
    await prepareKernels();
    expect(wasmCompiled(denseKernelsWasmBase64)).toBe(true);
    expect(wasmCompiled(bobyqaWasmBase64)).toBe(true);
    expect(wasmBobyqbPays(1)).toBe(true);
    const f = (x: Float64Array): number => (x[0]! - 0.3) ** 2 + 1;
    const compiled = bobyqa(f, [2], { lower: [0], rhobeg: 0.5, rhoend: 1e-8 });
    const typescript = bobyqa(f, [2], { lower: [0], rhobeg: 0.5, rhoend: 1e-8, wasm: false });
    expect(compiled.x[0]).toBe(typescript.x[0]);
    expect(compiled.evaluations).toBe(typescript.evaluations);
    expect(compiled.x[0]).toBeCloseTo(0.3, 6);
    // a second call has nothing left to do
    await expect(prepareKernels()).resolves.toBeUndefined();
  });

  it("resolves for bytes that do not compile, which wasmInstance then refuses as well", async () => {
    const notWasm = btoa("not a WebAssembly module");
    await expect(precompileWasm([notWasm])).resolves.toBeUndefined();
    expect(wasmCompiled(notWasm)).toBe(false);
    expect(wasmInstance(notWasm, 1024)).toBeNull();
  });
});
