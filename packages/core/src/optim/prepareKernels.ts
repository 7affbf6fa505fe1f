import { startCholeskyHelper, type ScriptLocation } from "../kernels/choleskyHelper.js";
import { denseKernelsSharedWasmBase64 } from "../kernels/denseKernelsSharedWasm.js";
import { denseKernelsWasmBase64 } from "../kernels/denseKernelsWasm.js";
import { precompileWasm } from "../kernels/wasmInstance.js";
import { bobyqaWasmBase64 } from "./bobyqaWasm.js";

/** Options of `prepareKernels`. */
export interface PrepareKernelsOptions {
  /**
   * Start a second thread for the dense Cholesky of large tails (crossed designs), where the engine
   * runs in Node (default true): a worker that shares the kernels' memory, giving the same bits.
   */
  threads?: boolean;
  /** The worker's script (by default `worker/choleskyWorker.mjs` of this package; a bundle gives its copy). */
  worker?: ScriptLocation;
}

/**
 * Compiles the WebAssembly modules of a linear mixed model's fit (the kernels' module, which also
 * holds the passes over the rows, and BOBYQA's iteration) off the main thread, ahead of the fit:
 * a command line calls it while it reads its data, so that its first fit finds them compiled; in
 * Node it also starts the Cholesky's second thread (`threads`). Resolves when they are ready; never
 * rejects; without WebAssembly it does nothing (the fits then run their TypeScript).
 */
export async function prepareKernels(options: PrepareKernelsOptions = {}): Promise<void> {
  const threads = options.threads ?? true;
  await Promise.all([
    precompileWasm(threads ? [denseKernelsWasmBase64, bobyqaWasmBase64, denseKernelsSharedWasmBase64] : [denseKernelsWasmBase64, bobyqaWasmBase64]),
    threads ? startCholeskyHelper(options.worker) : Promise.resolve(false),
  ]);
}
