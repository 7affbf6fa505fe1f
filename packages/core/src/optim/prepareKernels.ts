import { denseKernelsWasmBase64 } from "../kernels/denseKernelsWasm.js";
import { precompileWasm } from "../kernels/wasmInstance.js";
import { bobyqaWasmBase64 } from "./bobyqaWasm.js";

/**
 * Compiles the WebAssembly modules of a linear mixed model's fit (the kernels' module, which also
 * holds the passes over the rows, and BOBYQA's iteration) off the main thread, ahead of the fit: a command line calls it while it reads
 * its data, a worker as it starts, so that their first fit finds them compiled. Resolves when they
 * are; never rejects; without WebAssembly it does nothing (the fits then run their TypeScript).
 */
export function prepareKernels(): Promise<void> {
  return precompileWasm([denseKernelsWasmBase64, bobyqaWasmBase64]);
}
