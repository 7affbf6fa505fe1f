import { denseKernelsWasmBase64 } from "./denseKernelsWasm.js";
import { wasmInstance } from "./wasmInstance.js";

/** A dense in-place lower Cholesky kernel: the n × n row-major matrix at a[off ..]; false if not positive definite. */
export type CholeskyKernel = (a: Float64Array, n: number, off: number) => boolean;
/** The inverse of a lower-triangular n × n matrix (row-major), transposed: row j is column j of L⁻¹. */
export type InverseKernel = (L: Float64Array, n: number) => Float64Array;

/**
 * The constant indexes of the nodes' rank update of a dense tail, when every node has one column
 * (see `tailUpdate` in wasm/denseKernels.ts): for tail row i, entries tailPtr[i] .. tailPtr[i+1]);
 * entry t multiplies the node values S[tStart[t] .. tG[t]] by S[tG[t]] into tail columns tailCol[·].
 */
export interface TailUpdateIndex {
  tailCol: Int32Array;
  tStart: Int32Array;
  tG: Int32Array;
  tailPtr: Int32Array;
  /** Every node's tail entries fall in consecutive tail columns (the kernel's SIMD runs apply). */
  runs: boolean;
}
/** M −= the nodes' rank update (values S), then M = chol(M) in place (m × m); false if not positive definite. */
export type TailKernel = (index: TailUpdateIndex, S: Float64Array, M: Float64Array, m: number) => boolean;

/**
 * One random-effects term's rank update of the tail over all its levels (see `termUpdate` in
 * wasm/denseKernels.ts): `a`, the gathered columns of R'WZ (m·p1 rows of nl values, the same array
 * for every call of one objective: it stays in the module's memory between them, unless `reload`), `coef`, the
 * levels' coefficients (nl values for p1 = 1, 4·nl for p1 = 2), into `out`: the m(m + 1)/2 sums.
 */
export type TermUpdateKernel = (a: Float64Array, coef: Float64Array, m: number, nl: number, p1: number, out: Float64Array, reload?: boolean) => void;

interface KernelExports {
  base(): number;
  chol(a: number, n: number): number;
  invLowerT(l: number, x: number, n: number): void;
  tailUpdate(S: number, tailCol: number, tStart: number, tG: number, tailPtr: number, M: number, row: number, m: number, runs: number): void;
  termUpdate(a: number, coef: number, w: number, out: number, m: number, nl: number, p1: number): void;
}

/** undefined: not tried yet; null: WebAssembly (or its SIMD) is not available here. */
let kernels: { chol: CholeskyKernel; invLowerT: InverseKernel; tail: TailKernel; term: TermUpdateKernel } | null | undefined;

/**
 * The WebAssembly SIMD kernels (built from wasm/denseKernels.ts), instantiated on first use, or null
 * where WebAssembly SIMD is unavailable (old engines, or a Content-Security-Policy without
 * 'wasm-unsafe-eval'); callers then use the TypeScript kernels, which give the same results up to
 * rounding. The module has a memory of its own, as large as the largest matrices seen (a new
 * instance with a memory twice as large where they do not fit: never grown, see `wasmInstance`);
 * the operands are copied in and the results copied back.
 */
function wasmKernels(): typeof kernels {
  if (kernels !== undefined) return kernels;
  kernels = null;
  try {
    let made = wasmInstance(denseKernelsWasmBase64, 1 << 20);
    if (!made) return null;
    let exports = made.exports as KernelExports;
    let memory = made.memory;
    let room = 1 << 20;
    const base = exports.base();
    /** Makes sure `bytes` bytes past base fit: else a new instance with twice the room needed (the tail's index is then loaded again). */
    const reserve = (bytes: number): void => {
      if (bytes <= room) return;
      const again = wasmInstance(denseKernelsWasmBase64, 2 * bytes);
      if (!again) throw new RangeError("wasmKernels: no memory for the operands");
      made = again;
      exports = made.exports as KernelExports;
      memory = made.memory;
      room = 2 * bytes;
      loaded = null;
      loadedTerm = null;
    };
    // the tail kernel's layout past base: M (m² f64), row (m f64), S (f64), then the four index
    // arrays (i32), which stay in place between calls with the same index and sizes
    let loaded: { index: TailUpdateIndex; m: number; nS: number } | null = null;
    // the term kernel's layout past base: a (m·p1·nl f64, kept between calls with the same array), coef, w, out
    let loadedTerm: Float64Array | null = null;
    kernels = {
      chol(a, n, off) {
        loaded = null;
        loadedTerm = null;
        reserve(n * n * 8);
        const w = new Float64Array(memory.buffer, base, n * n);
        w.set(a.subarray(off, off + n * n));
        const ok = exports.chol(base, n) === 1;
        a.set(w, off);
        return ok;
      },
      invLowerT(L, n) {
        loaded = null;
        loadedTerm = null;
        reserve(2 * n * n * 8);
        const w = new Float64Array(memory.buffer, base, 2 * n * n);
        w.set(L.subarray(0, n * n));
        exports.invLowerT(base, base + n * n * 8, n);
        return w.slice(n * n, 2 * n * n);
      },
      tail(index, S, M, m) {
        const pM = base;
        const pRow = pM + m * m * 8;
        const pS = pRow + m * 8;
        const pCol = pS + S.length * 8;
        const pStart = pCol + index.tailCol.length * 4;
        const pG = pStart + index.tStart.length * 4;
        const pPtr = pG + index.tG.length * 4;
        const end = pPtr + index.tailPtr.length * 4;
        if (loaded === null || loaded.index !== index || loaded.m !== m || loaded.nS !== S.length) {
          loadedTerm = null;
          reserve(end - base);
          new Float64Array(memory.buffer, pRow, m).fill(0);
          new Int32Array(memory.buffer, pCol, index.tailCol.length).set(index.tailCol);
          new Int32Array(memory.buffer, pStart, index.tStart.length).set(index.tStart);
          new Int32Array(memory.buffer, pG, index.tG.length).set(index.tG);
          new Int32Array(memory.buffer, pPtr, index.tailPtr.length).set(index.tailPtr);
          loaded = { index, m, nS: S.length };
        }
        const w = new Float64Array(memory.buffer, pM, m * m);
        w.set(M.subarray(0, m * m));
        new Float64Array(memory.buffer, pS, S.length).set(S);
        exports.tailUpdate(pS, pCol, pStart, pG, pPtr, pM, pRow, m, index.runs ? 1 : 0);
        const ok = exports.chol(pM, m) === 1;
        M.set(w);
        // a failed factorization leaves `row` cleared (tailUpdate always clears it), so the layout stays valid
        return ok;
      },
      term(a, coef, m, nl, p1, out, reload = false) {
        const pA = base;
        const pCoef = pA + a.length * 8;
        const pW = pCoef + coef.length * 8;
        const pOut = pW + m * p1 * nl * 8;
        const end = pOut + out.length * 8;
        if (loadedTerm !== a || reload) {
          loaded = null;
          reserve(end - base);
          new Float64Array(memory.buffer, pA, a.length).set(a);
          loadedTerm = a;
        }
        new Float64Array(memory.buffer, pCoef, coef.length).set(coef);
        exports.termUpdate(pA, pCoef, pW, pOut, m, nl, p1);
        out.set(new Float64Array(memory.buffer, pOut, out.length));
      },
    };
  } catch {
    kernels = null;
  }
  return kernels;
}

/** The WebAssembly SIMD Cholesky kernel, or null where it is unavailable. */
export function wasmCholesky(): CholeskyKernel | null {
  return wasmKernels()?.chol ?? null;
}

/** The WebAssembly SIMD inverse of a lower-triangular matrix (transposed), or null where it is unavailable. */
export function wasmInvertLowerT(): InverseKernel | null {
  return wasmKernels()?.invLowerT ?? null;
}

/** The WebAssembly kernel of one term's rank update of the tail, or null where it is unavailable. */
export function wasmTermUpdate(): TermUpdateKernel | null {
  return wasmKernels()?.term ?? null;
}

/** The WebAssembly tail kernel (rank update, then Cholesky), or null where it is unavailable. */
export function wasmTailKernel(): TailKernel | null {
  return wasmKernels()?.tail ?? null;
}
