import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileWasm, wasmModuleSource } from "../../../scripts/compileWasm.mjs";

describe("src/linalg/wasm/denseKernelsWasm.ts", () => {
  it("is the compiled wasm/denseKernels.ts (run scripts/build-wasm.mjs after editing the kernel)", async () => {
    const committed = readFileSync(new URL("./denseKernelsWasm.ts", import.meta.url), "utf8");
    expect(committed).toBe(wasmModuleSource(await compileWasm()));
  }, 60_000);
});
