import { attachCholeskyHelper, choleskyHelperRunning, cholTwoThreads, inverseColumns, invTwoThreads, tailUpdateTwoThreads, type HelperKernelExports } from "./choleskyHelper.js";
import { denseKernelsSharedWasmBase64 } from "./denseKernelsSharedWasm.js";
import { denseKernelsWasmBase64 } from "./denseKernelsWasm.js";
import { wasmInstance, type WasmMemory } from "./wasmInstance.js";

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
/**
 * M −= the nodes' rank update (values S), then M = chol(M) in place (m × m); false if not positive
 * definite. With `scaled`, M is first formed in the kernels' memory as scaleLowerInto(A, ·, m, d, q)
 * forms it (A stays there between calls with the same array), and only what an evaluation reads
 * comes back unless `full`: the first q diagonal entries and the rows from q on.
 */
export type TailKernel = (index: TailUpdateIndex, S: Float64Array, M: Float64Array, m: number, scaled?: ScaledTail) => boolean;

/** The tail formed in the kernels' memory (see `TailKernel`); `changed`: A's values changed since the last call (PIRLS and residual structures form A anew in the same array). */
export interface ScaledTail {
  A: Float64Array;
  d: Float64Array;
  q: number;
  full: boolean;
  changed: boolean;
}

/**
 * One random-effects term's rank update of the tail over all its levels (see `termUpdateFull` in
 * wasm/denseKernels.ts): `a`, the gathered columns of R'WZ (m·p1 rows of nl values) followed by D's
 * entries d00, d01, d11 (nl each; the same array for every call of one objective: it stays in the
 * module's memory between them, unless `reload`), and T's entries t00, t10, t11, into `out`: the
 * m(m + 1)/2 sums. Returns the log-determinant's products as LogProduct keeps them (each flushed
 * product, then the last), or null where a level's block is not positive definite.
 */
export type TermUpdateKernel = (a: Float64Array, m: number, nl: number, p1: number, t00: number, t10: number, t11: number, out: Float64Array, reload?: boolean) => number[] | null;

/**
 * The structure of L's nodes as the kernels read it: the fields of linalg's `BlockedLayout` (see
 * there) that they use.
 */
export interface NodeStructure {
  nNodes: number;
  /** The tail's size, its start (a global row) and its random-effects rows. */
  m: number;
  tailStart: number;
  qRest: number;
  /** The length of the node values. */
  nodeValues: number;
  termRow: readonly number[];
  nodeP: Int32Array;
  nodeTerm: Int32Array;
  nodeRow: Int32Array;
  rowNode: Int32Array;
  diagOff: Int32Array;
  valOff: Int32Array;
  colPtr: Int32Array;
  rowIdx: Int32Array;
  pairPtr: Int32Array;
  pairTarget: Int32Array;
}

/**
 * What the blocked evaluation keeps in the module's memory for one objective (see `blockedFactor` in
 * wasm/denseKernels.ts): the layout's arrays, the transposed tail index and A's node values.
 */
export interface BlockedData {
  layout: NodeStructure;
  /** The transposed tail index (tailRankUpdate's `TailIndex`): the nodes' first tail entries, the dense nodes and the others' lists. */
  tix: Record<"firstTail" | "sparsePtr" | "sparseNode" | "sparseEntry" | "denseNodes" | "denseStart" | "denseLength", Int32Array>;
  /** A's node values (the same array for every call of one objective). */
  A: Float64Array;
  termP: Int32Array;
  /** Where each term's template starts in the packed T. */
  tOff: Int32Array;
  tLength: number;
}
/**
 * S = Λ'AΛ + I on the nodes, eliminated; with `tail`, M −= the nodes' rank update of the tail (M
 * holds Λ'AΛ + I on the tail). T: the terms' templates packed at tOff. The eliminated node values
 * are copied into `L` when given; `reloadA`: A's values changed since the last call. Returns Σ log diag(L_uu)² (NaN if a block is not positive definite).
 */
export type BlockedKernel = (data: BlockedData, T: Float64Array, M: Float64Array, tail: boolean, L: Float64Array | null, reloadA?: boolean) => number;

interface KernelExports extends HelperKernelExports {
  base(): number;
  chol(a: number, n: number): number;
  invLowerT(l: number, x: number, n: number): void;
  tailUpdate(S: number, tailCol: number, tStart: number, tG: number, tailPtr: number, M: number, row: number, m: number, runs: number): void;
  termUpdateFull(a: number, coef: number, w: number, out: number, logs: number, m: number, nl: number, p1: number, t00: number, t10: number, t11: number): number;
  blockedFactor(desc: number): number;
  columnStats(x: number, n: number, out: number): void;
  orderStats(x: number, n: number, ks: number, nk: number, out: number, counts: number, mark: number, pick: number): number;
  fittedRows(X: number, beta: number, p: number, y: number, offset: number, w: number, terms: number, nTerms: number, sigma: number, n: number, out: number): void;
  termColumns(refs: number, z: number, X: number, y: number, w: number, diagOff: number, valOff: number, n: number, p: number, pi: number, A: number, nValues: number): void;
  eliminatedColumns(terms: number, k: number, s: number, termRow: number, X: number, y: number, w: number, n: number, p: number, colPtr: number, rowIdx: number, diagOff: number, valOff: number, A: number, nValues: number, pos: number, start: number, order: number): void;
  constancy(X: number, n: number, p: number, groups: number, nls: number, nGroups: number, flags: number, first: number): void;
  nodeVariances(desc: number, sigma2: number): void;
  scaleLowerInto(A: number, M: number, m: number, d: number, q: number): void;
  smallIntegers(x: number, rows: number, n: number, slot: number, keys: number, firstSeen: number): number;
  maxAbsAt(x: number, n: number): number;
  gram(X: number, n: number, p: number, G: number): void;
}

/** The order of a dense factorization from which a helper thread shares it (below, the hand-offs cost more than they save). */
const TWO_THREADS_FROM = 512;

/**
 * The row of M that splits the tail update's work in two even halves: a row's work is its nodes'
 * entries (each a run over its tail entries) and the flush of its i + 1 entries.
 */
function evenSplit(index: TailUpdateIndex, m: number): number {
  const work = new Float64Array(m);
  let total = 0;
  for (let i = 0; i < m; i++) {
    let w = i + 1;
    for (let t = index.tailPtr[i]!; t < index.tailPtr[i + 1]!; t++) w += index.tG[t]! - index.tStart[t]! + 1;
    work[i] = w;
    total += w;
  }
  let acc = 0;
  for (let i = 0; i < m; i++) {
    acc += work[i]!;
    if (acc >= total / 2) return i + 1;
  }
  return m;
}

/** undefined: not tried yet; null: WebAssembly (or its SIMD) is not available here. */
let kernels: { chol: CholeskyKernel; invLowerT: InverseKernel; tail: TailKernel; term: TermUpdateKernel; blocked: BlockedKernel } | null | undefined;

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
    // the shared-memory build where a helper thread runs (choleskyHelper.ts), else the plain one
    let shared = false;
    const instantiate = (bytes: number, wantShared: boolean): ReturnType<typeof wasmInstance> => {
      const two = wantShared ? wasmInstance(denseKernelsSharedWasmBase64, bytes, {}, true) : null;
      shared = two !== null;
      return two ?? wasmInstance(denseKernelsWasmBase64, bytes);
    };
    let made = instantiate(1 << 20, choleskyHelperRunning());
    if (!made) return null;
    let exports = made.exports as KernelExports;
    let memory = made.memory;
    let room = 1 << 20;
    let base = exports.base();
    /** A new instance with `bytes` past base (the operands kept in place are then loaded again). */
    const remake = (bytes: number, wantShared: boolean): void => {
      const again = instantiate(bytes, wantShared);
      if (!again) throw new RangeError("wasmKernels: no memory for the operands");
      made = again;
      exports = made.exports as KernelExports;
      memory = made.memory;
      room = bytes;
      base = exports.base();
      forget();
    };
    /** Makes sure `bytes` bytes past base fit: else a new instance with twice the room needed. */
    const reserve = (bytes: number): void => {
      if (bytes > room) remake(2 * bytes, shared);
    };
    /** Before a factorization of order n: the shared build, where a helper thread runs and n is large enough to share. */
    const shareFor = (n: number): void => {
      if (!shared && n >= TWO_THREADS_FROM && choleskyHelperRunning()) remake(room, true);
    };
    /** Whether work of order n goes to two threads: the shared build, n large enough, the helper working in this memory. */
    const twoThreads = (n: number): boolean => shared && n >= TWO_THREADS_FROM && attachCholeskyHelper(made!.module, memory);
    /** `chol` at byte address p, on two threads where they pay. */
    const factor = (p: number, n: number): boolean => (twoThreads(n) ? cholTwoThreads(exports, p, n) : exports.chol(p, n) === 1);
    // the tail kernel's layout past base: M (m² f64), row (m f64), S (f64), the four index arrays
    // (i32), then A (m² f64), d and the helper's row (m f64 each); the index and A stay in place
    // between calls with the same index, sizes and A
    let loaded: { index: TailUpdateIndex; m: number; nS: number; A: Float64Array | null; split: number } | null = null;
    // the term kernel's layout past base: a (m·p1·nl f64, kept between calls with the same array), coef, w, out
    let loadedTerm: Float64Array | null = null;
    // the blocked evaluation's layout past base (byte addresses): f64 regions, then the i32 ones
    let loadedBlocked: { data: BlockedData; desc: number; A: number; S: number; T: number; M: number; logs: number } | null = null;
    const forget = (): void => {
      loaded = null;
      loadedTerm = null;
      loadedBlocked = null;
    };
    kernels = {
      chol(a, n, off) {
        forget();
        shareFor(n);
        reserve(n * n * 8);
        const w = new Float64Array(memory.buffer, base, n * n);
        w.set(a.subarray(off, off + n * n));
        const ok = factor(base, n);
        a.set(w, off);
        return ok;
      },
      invLowerT(L, n) {
        forget();
        shareFor(n);
        reserve(2 * n * n * 8);
        const w = new Float64Array(memory.buffer, base, 2 * n * n);
        w.set(L.subarray(0, n * n));
        if (twoThreads(n)) invTwoThreads(exports, base, base + n * n * 8, n);
        else inverseColumns(exports, base, base + n * n * 8, n, 0, n);
        return w.slice(n * n, 2 * n * n);
      },
      tail(index, S, M, m, scaled) {
        shareFor(m);
        const pM = base;
        const pRow = pM + m * m * 8;
        const pS = pRow + m * 8;
        const pCol = pS + S.length * 8;
        const pStart = pCol + index.tailCol.length * 4;
        const pG = pStart + index.tStart.length * 4;
        const pPtr = pG + index.tG.length * 4;
        const end = pPtr + index.tailPtr.length * 4;
        // then A and d, where M is formed in the kernels' memory (`scaled`)
        const pA = (end + 7) & ~7;
        const pD = pA + m * m * 8;
        // the helper thread's scratch row (cleared, as tailUpdate leaves it)
        const pRow2 = pD + m * 8;
        if (loaded === null || loaded.index !== index || loaded.m !== m || loaded.nS !== S.length) {
          forget();
          reserve(pRow2 + m * 8 - base);
          new Float64Array(memory.buffer, pRow, m).fill(0);
          new Float64Array(memory.buffer, pRow2, m).fill(0);
          new Int32Array(memory.buffer, pCol, index.tailCol.length).set(index.tailCol);
          new Int32Array(memory.buffer, pStart, index.tStart.length).set(index.tStart);
          new Int32Array(memory.buffer, pG, index.tG.length).set(index.tG);
          new Int32Array(memory.buffer, pPtr, index.tailPtr.length).set(index.tailPtr);
          loaded = { index, m, nS: S.length, A: null, split: evenSplit(index, m) };
        }
        const at = loaded;
        const w = new Float64Array(memory.buffer, pM, m * m);
        if (scaled) {
          if (at.A !== scaled.A || scaled.changed) {
            new Float64Array(memory.buffer, pA, m * m).set(scaled.A.subarray(0, m * m));
            at.A = scaled.A;
          }
          new Float64Array(memory.buffer, pD, m).set(scaled.d.subarray(0, m));
          exports.scaleLowerInto(pA, pM, m, pD, scaled.q);
        } else w.set(M.subarray(0, m * m));
        new Float64Array(memory.buffer, pS, S.length).set(S);
        const runs = index.runs ? 1 : 0;
        if (twoThreads(m))
          tailUpdateTwoThreads(exports, { S: pS, tailCol: pCol, tStart: pStart, tG: pG, tailPtr: pPtr, M: pM, m, runs }, pRow, pRow2, at.split);
        else exports.tailUpdate(pS, pCol, pStart, pG, pPtr, pM, pRow, m, runs);
        const ok = factor(pM, m);
        if (!scaled || scaled.full) M.set(w);
        else {
          // what an evaluation reads: log |L|'s diagonal and the rows of X and y
          const q = scaled.q;
          for (let r = 0; r < q; r++) M[r * m + r] = w[r * m + r]!;
          M.set(w.subarray(q * m), q * m);
        }
        // a failed factorization leaves `row` cleared (tailUpdate always clears it), so the layout stays valid
        return ok;
      },
      term(a, m, nl, p1, t00, t10, t11, out, reload = false) {
        const coefLength = (p1 === 1 ? 1 : 4) * nl;
        const pA = base;
        const pCoef = pA + a.length * 8;
        const pW = pCoef + coefLength * 8;
        const pOut = pW + m * p1 * nl * 8;
        const pLogs = pOut + out.length * 8;
        const end = pLogs + (nl + 2) * 8;
        if (loadedTerm !== a || reload) {
          forget();
          reserve(end - base);
          new Float64Array(memory.buffer, pA, a.length).set(a);
          loadedTerm = a;
        }
        const count = exports.termUpdateFull(pA, pCoef, pW, pOut, pLogs, m, nl, p1, t00, t10, t11);
        if (count < 0) return null;
        out.set(new Float64Array(memory.buffer, pOut, out.length));
        return Array.from(new Float64Array(memory.buffer, pLogs, count));
      },
      blocked(data, T, M, tail, L, reloadA = false) {
        const { layout, tix } = data;
        const m = layout.m;
        const nv = layout.nodeValues;
        if (loadedBlocked === null || loadedBlocked.data !== data) {
          forget();
          const ints = [
            layout.nodeP, layout.nodeTerm, layout.diagOff, layout.valOff, layout.colPtr, layout.rowIdx, layout.rowNode, layout.pairPtr, layout.pairTarget,
            tix.firstTail, layout.termRow, data.termP, data.tOff, tix.sparsePtr, tix.sparseNode, tix.sparseEntry, tix.denseNodes, tix.denseStart, tix.denseLength,
          ];
          const dense = tix.denseNodes.length > 0 ? m * m : 0;
          reserve(8 * (2 * nv + data.tLength + m * m + m + dense + layout.nNodes + 2) + 4 * (33 + ints.reduce((n, a) => n + a.length, 0)));
          // past base: A, S, T, M, the row workspace (cleared), D, the logs; then the descriptor and the layout's arrays
          const put = placer(memory, base);
          const pA = put.f64(data.A);
          const pS = put.skip(nv * 8);
          const pT = put.skip(data.tLength * 8);
          const pM = put.skip(m * m * 8);
          const pRow = put.f64(new Float64Array(m));
          const pD = put.skip(dense * 8);
          const pLogs = put.skip((layout.nNodes + 2) * 8);
          const pDesc = put.skip(33 * 4);
          const [nodeP, nodeTerm, diagOff, valOff, colPtr, rowIdx, rowNode, pairPtr, pairTarget, firstTail, termRow, termP, tOff, sPtr, sNode, sEntry, dNodes, dStart, dLength] = ints.map((a) => put.i32(a));
          new Int32Array(memory.buffer, pDesc, 33).set([
            layout.nNodes, layout.termRow[data.termP.length]!, layout.tailStart, m, nv, pS, pA,
            nodeP!, nodeTerm!, diagOff!, valOff!, colPtr!, rowIdx!, rowNode!, pairPtr!, pairTarget!, firstTail!, termRow!, termP!, pT, tOff!, pM, pRow,
            sPtr!, sNode!, sEntry!, tix.denseNodes.length, dNodes!, dStart!, dLength!, pD, 0, pLogs,
          ]);
          loadedBlocked = { data, desc: pDesc, A: pA, S: pS, T: pT, M: pM, logs: pLogs };
        } else if (reloadA) new Float64Array(memory.buffer, loadedBlocked.A, nv).set(data.A);
        const b = loadedBlocked;
        new Float64Array(memory.buffer, b.T, T.length).set(T);
        new Int32Array(memory.buffer, b.desc + 31 * 4, 1)[0] = tail ? 1 : 0;
        const mm = new Float64Array(memory.buffer, b.M, m * m);
        if (tail) mm.set(M.subarray(0, m * m));
        const count = exports.blockedFactor(b.desc);
        if (L) L.set(new Float64Array(memory.buffer, b.S, nv));
        if (count < 0) return NaN;
        if (tail) M.set(mm);
        // Σ log of the products, in LogProduct's order
        const logs = new Float64Array(memory.buffer, b.logs, count);
        let sum = 0;
        for (let i = 0; i < count - 1; i++) sum += Math.log(logs[i]!);
        return 2 * (sum + Math.log(logs[count - 1]!));
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

/** The WebAssembly blocked evaluation over the nodes, or null where it is unavailable. */
export function wasmBlocked(): BlockedKernel | null {
  return wasmKernels()?.blocked ?? null;
}

/** The WebAssembly tail kernel (rank update, then Cholesky), or null where it is unavailable. */
export function wasmTailKernel(): TailKernel | null {
  return wasmKernels()?.tail ?? null;
}

/** Σ x, whether every value is 0 or 1, and Σ (x − mean)² (mean = Σ x / n), in row order (see `columnStats` in wasm/denseKernels.ts). */
export type ColumnStatsKernel = (x: Float64Array, from: number, n: number) => { sum: number; binary: boolean; ss: number };
/** The first index of the largest |x_t| (NaN never largest), or −1 where every entry is 0 or NaN (see `maxAbsAt` in wasm/denseKernels.ts). */
export type MaxAbsKernel = (x: Float64Array) => number;
/** The distinct whole numbers of x over `rows` in order of first appearance and each row's index among them, or null where x is not such a column (see `smallIntegers` in wasm/denseKernels.ts). */
export type SmallIntegersKernel = (x: Float64Array, rows: Int32Array) => { keys: number[]; firstSeen: Int32Array } | null;
/** X'X of the columns (each of length n) as a p × p lower triangle, row-major, in `dotProduct`'s order (see `gram` in wasm/denseKernels.ts). */
export type GramKernel = (columns: readonly Float64Array[], n: number) => Float64Array;
/** The order statistics of x at the ascending 0-based ranks ks (see `orderStats` in wasm/denseKernels.ts); null where a value is not finite or all are equal. */
export type OrderKernel = (x: ArrayLike<number>, ks: readonly number[]) => number[] | null;

/** What fittedRows reads: X (n × p column-major), β, y, the offset and prior weights (or null), each term's levels, columns and effects. */
export interface FittedRowsInput {
  n: number;
  p: number;
  X: Float64Array;
  beta: readonly number[];
  y: Float64Array;
  offset: Float64Array | null;
  weights: Float64Array | null;
  terms: readonly { refs: Int32Array; z: Float64Array; p: number; b: Float64Array }[];
  sigma: number;
}
/** Fitted values, residuals and scaled residuals (see `fittedRows` in wasm/denseKernels.ts). */
export type FittedRowsKernel = (input: FittedRowsInput) => { fitted: Float64Array; residuals: Float64Array; scaledResiduals: Float64Array };

/** What termColumns reads: one term's levels, columns (pi per row) and prior weights, X and y, the layout's offsets. */
export interface TermColumnsInput {
  n: number;
  p: number;
  X: Float64Array;
  y: Float64Array;
  weights: Float64Array | null;
  refs: Int32Array;
  z: Float64Array;
  pi: number;
  diagOff: Int32Array;
  valOff: Int32Array;
}
/** One term's blocks of A into `A` (see `termColumns` in wasm/denseKernels.ts). */
export type TermColumnsKernel = (input: TermColumnsInput, A: Float64Array) => void;

/** The layout and the model's terms, for the eliminated terms' blocks of A (`EliminatedColumnsKernel`). */
export interface EliminatedColumnsInput {
  n: number;
  p: number;
  X: Float64Array;
  y: Float64Array;
  weights: Float64Array | null;
  /** Every random-effects term: its levels by row, its columns (n × p_j, row-major), p_j and ℓ_j. */
  terms: readonly { refs: Int32Array; z: Float64Array; p: number; nl: number }[];
  /** The number of eliminated terms (the first s). */
  s: number;
  termRow: readonly number[];
  colPtr: ArrayLike<number>;
  rowIdx: ArrayLike<number>;
  diagOff: ArrayLike<number>;
  valOff: ArrayLike<number>;
}
/** The eliminated terms' node values of A into `A` (see `eliminatedColumns` in wasm/denseKernels.ts). */
export type EliminatedColumnsKernel = (input: EliminatedColumnsInput, A: Float64Array) => void;

/**
 * Var(b | y)'s diagonal for the nodes' levels into each term's `out` (ℓ_i × p_i), from L's node
 * values, Xt (the inverse of the tail's random-effects block, by columns) and the terms' T (see
 * `nodeVariances` in wasm/denseKernels.ts).
 */
export type NodeVariancesKernel = (layout: NodeStructure, L: Float64Array, Xt: Float64Array, T: readonly Float64Array[], sigma2: number, out: Float64Array[]) => void;

/**
 * nlme's containment tests for X's columns (see `constancy` in wasm/denseKernels.ts): which are
 * constant, and for each grouping which vary within its groups (false for the constant ones).
 */
export type ConstancyKernel = (X: Float64Array, n: number, p: number, groups: readonly { refs: Int32Array; nl: number }[]) => { constant: boolean[]; varies: boolean[][] };

let rowPasses: { stats: ColumnStatsKernel; order: OrderKernel; fitted: FittedRowsKernel; termColumns: TermColumnsKernel; eliminatedColumns: EliminatedColumnsKernel; constancy: ConstancyKernel; nodeVariances: NodeVariancesKernel; maxAbsAt: MaxAbsKernel; gram: GramKernel; smallIntegers: SmallIntegersKernel } | null | undefined;

/**
 * Copies operands into a memory one after another from `at` (f64 first: they stay 8-byte aligned
 * as long as every f64 operand comes before the i32 ones): each call returns the operand's address.
 */
function placer(memory: WasmMemory, at: number): { f64(a: ArrayLike<number>): number; i32(a: ArrayLike<number>): number; skip(bytes: number): number } {
  return {
    f64(a) {
      const ptr = at;
      new Float64Array(memory.buffer, ptr, a.length).set(a);
      at += a.length * 8;
      return ptr;
    },
    i32(a) {
      const ptr = at;
      new Int32Array(memory.buffer, ptr, a.length).set(a);
      at += a.length * 4;
      return ptr;
    },
    skip(bytes) {
      const ptr = at;
      at += bytes;
      return ptr;
    },
  };
}

/** The fewest rows (or levels) a pass goes to WebAssembly for: below, copying the operands in costs more than the loop saves. */
export const ROW_PASSES_FROM = 64;

/**
 * The passes over the rows (the model frame's, the cross-products', the post-fit's) in WebAssembly,
 * on an instance of their own (they leave the evaluation kernels' operands in place), for a pass
 * over `rows` rows; null below ROW_PASSES_FROM rows (without `rows`: whatever the size) or where
 * WebAssembly is unavailable. WebAssembly is compiled as it loads: these run at full speed in a
 * session's first fit, where a JavaScript loop would not be compiled yet.
 */
export function wasmRowPasses(rows = ROW_PASSES_FROM): typeof rowPasses {
  if (rows < ROW_PASSES_FROM) return null;
  if (rowPasses !== undefined) return rowPasses;
  rowPasses = null;
  const make = (bytes: number) => {
    const made = wasmInstance(denseKernelsWasmBase64, bytes);
    if (!made) return null;
    const exports = made.exports as KernelExports;
    return { exports, memory: made.memory, base: exports.base(), room: bytes };
  };
  let inst = make(1 << 20);
  if (!inst) return null;
  /** An instance with `bytes` past base (a new one, twice as large as needed, where the current one is too small). */
  const room = (bytes: number): NonNullable<typeof inst> => {
    if (bytes > inst!.room) {
      const again = make(2 * bytes);
      if (!again) throw new RangeError("wasmRowPasses: no memory for the rows");
      inst = again;
    }
    return inst!;
  };
  rowPasses = {
    stats(x, from, n) {
      const k = room(n * 8 + 32);
      new Float64Array(k.memory.buffer, k.base, n).set(x.subarray(from, from + n));
      const out = k.base + n * 8;
      k.exports.columnStats(k.base, n, out);
      const r = new Float64Array(k.memory.buffer, out, 3);
      return { sum: r[0]!, binary: r[1] === 1, ss: r[2]! };
    },
    maxAbsAt(x) {
      const k = room(x.length * 8);
      new Float64Array(k.memory.buffer, k.base, x.length).set(x);
      return k.exports.maxAbsAt(k.base, x.length);
    },
    smallIntegers(x, rows) {
      const n = rows.length;
      const k = room(8 * (x.length + n) + 4 * (2 * n + 4 * n + 1024) + 64);
      const put = placer(k.memory, k.base);
      const pX = put.f64(x);
      const pKeys = put.skip(8 * n);
      const pRows = put.i32(rows);
      const pFirst = put.skip(4 * n);
      const pSlot = put.skip(4 * (4 * n + 1024));
      const count = k.exports.smallIntegers(pX, pRows, n, pSlot, pKeys, pFirst);
      if (count < 0) return null;
      return { keys: Array.from(new Float64Array(k.memory.buffer, pKeys, count)), firstSeen: new Int32Array(k.memory.buffer, pFirst, n).slice() };
    },
    gram(columns, n) {
      const p = columns.length;
      const k = room(8 * (n * p + p * p));
      const X = new Float64Array(k.memory.buffer, k.base, n * p);
      columns.forEach((c, j) => X.set(c.subarray(0, n), j * n));
      const pG = k.base + n * p * 8;
      new Float64Array(k.memory.buffer, pG, p * p).fill(0);
      k.exports.gram(k.base, n, p, pG);
      return new Float64Array(k.memory.buffer, pG, p * p).slice();
    },
    order(x, ks) {
      const n = x.length;
      const B = Math.max(16, Math.min(1 << 16, n >> 2));
      const k = room(n * 16 + ks.length * 12 + (2 * B + 1) * 4 + 64);
      const pX = k.base;
      const pPick = pX + n * 8;
      const pOut = pPick + n * 8;
      const pKs = pOut + ks.length * 8;
      const pCounts = pKs + ks.length * 4;
      const pMark = pCounts + (B + 1) * 4;
      new Float64Array(k.memory.buffer, pX, n).set(x);
      new Int32Array(k.memory.buffer, pKs, ks.length).set(ks);
      if (k.exports.orderStats(pX, n, pKs, ks.length, pOut, pCounts, pMark, pPick) !== 1) return null;
      return Array.from(new Float64Array(k.memory.buffer, pOut, ks.length));
    },
    fitted({ n, p, X, beta, y, offset, weights, terms, sigma }) {
      const zLength = terms.reduce((a, t) => a + t.z.length + t.b.length, 0);
      const bytes = 8 * (n * p + p + n * (offset ? 2 : 1) + (weights ? n : 0) + zLength + 3 * n) + 4 * (terms.length * (n + 4)) + 64;
      const k = room(bytes);
      const put = placer(k.memory, k.base);
      const pX = put.f64(X.subarray(0, n * p));
      const pBeta = put.f64(beta);
      const pY = put.f64(y);
      const pOffset = offset ? put.f64(offset) : 0;
      const pW = weights ? put.f64(weights) : 0;
      // each term: its levels, columns, effects and column count
      const desc = terms.flatMap((t) => [0, put.f64(t.z), put.f64(t.b), t.p]);
      const pOut = put.skip(3 * n * 8);
      terms.forEach((t, i) => (desc[4 * i] = put.i32(t.refs.subarray(0, n))));
      const pTerms = put.i32(desc);
      k.exports.fittedRows(pX, pBeta, p, pY, pOffset, pW, pTerms, terms.length, sigma, n, pOut);
      const out = new Float64Array(k.memory.buffer, pOut, 3 * n);
      return { fitted: out.slice(0, n), residuals: out.slice(n, 2 * n), scaledResiduals: out.slice(2 * n, 3 * n) };
    },
    termColumns({ n, p, X, y, weights, refs, z, pi, diagOff, valOff }, A) {
      const nl = diagOff.length;
      const k = room(8 * (n * p + n + (weights ? n : 0) + z.length + A.length) + 4 * (n + 2 * nl) + 64);
      const put = placer(k.memory, k.base);
      const pX = put.f64(X.subarray(0, n * p));
      const pY = put.f64(y);
      const pW = weights ? put.f64(weights) : 0;
      const pZ = put.f64(z);
      const pA = put.skip(A.length * 8);
      const pRefs = put.i32(refs.subarray(0, n));
      const pDiag = put.i32(diagOff);
      const pVal = put.i32(valOff);
      k.exports.termColumns(pRefs, pZ, pX, pY, pW, pDiag, pVal, n, p, pi, pA, A.length);
      A.set(new Float64Array(k.memory.buffer, pA, A.length));
    },
    eliminatedColumns({ n, p, X, y, weights, terms, s, termRow, colPtr, rowIdx, diagOff, valOff }, A) {
      const zLength = terms.reduce((a, t) => a + t.z.length, 0);
      const maxNl = terms.reduce((a, t) => Math.max(a, t.nl), 0);
      const q = termRow[terms.length]!;
      const ints = terms.length * (n + 4) + termRow.length + colPtr.length + rowIdx.length + diagOff.length + valOff.length + (q + p + 1) + (maxNl + 1) + n;
      const k = room(8 * (n * p + n + (weights ? n : 0) + zLength + A.length) + 4 * ints + 64);
      const put = placer(k.memory, k.base);
      const pX = put.f64(X.subarray(0, n * p));
      const pY = put.f64(y);
      const pW = weights ? put.f64(weights) : 0;
      const desc = terms.flatMap((t) => [0, put.f64(t.z), t.p, t.nl]);
      const pA = put.skip(A.length * 8);
      terms.forEach((t, i) => (desc[4 * i] = put.i32(t.refs.subarray(0, n))));
      const pTerms = put.i32(desc);
      const pTermRow = put.i32(termRow);
      const pColPtr = put.i32(colPtr);
      const pRowIdx = put.i32(rowIdx);
      const pDiag = put.i32(diagOff);
      const pVal = put.i32(valOff);
      const pPos = put.skip(4 * (q + p + 1));
      const pStart = put.skip(4 * (maxNl + 1));
      const pOrder = put.skip(4 * n);
      k.exports.eliminatedColumns(pTerms, terms.length, s, pTermRow, pX, pY, pW, n, p, pColPtr, pRowIdx, pDiag, pVal, pA, A.length, pPos, pStart, pOrder);
      A.set(new Float64Array(k.memory.buffer, pA, A.length));
    },
    constancy(X, n, p, groups) {
      const maxNl = groups.reduce((a, g) => Math.max(a, g.nl), 1);
      const k = room(8 * (n * p + maxNl) + 4 * (groups.length * (n + 2) + p * (groups.length + 1)) + 64);
      const put = placer(k.memory, k.base);
      const pX = put.f64(X.subarray(0, n * p));
      const pFirst = put.skip(maxNl * 8);
      const pGroups = put.i32(groups.map((g) => put.i32(g.refs.subarray(0, n))));
      const pNls = put.i32(groups.map((g) => g.nl));
      const pFlags = put.skip(p * (groups.length + 1) * 4);
      k.exports.constancy(pX, n, p, pGroups, pNls, groups.length, pFlags, pFirst);
      const f = new Int32Array(k.memory.buffer, pFlags, p * (groups.length + 1));
      return {
        constant: Array.from({ length: p }, (_, j) => f[j] === 1),
        varies: groups.map((_, g) => Array.from({ length: p }, (__, j) => f[p + g * p + j] === 1)),
      };
    },
    nodeVariances(layout, L, Xt, T, sigma2, out) {
      const { nNodes, tailStart, qRest, nodeP, nodeRow, rowNode, nodeTerm, termRow, diagOff, valOff, colPtr, rowIdx } = layout;
      const maxP = T.reduce((a, t) => Math.max(a, Math.round(Math.sqrt(t.length))), 1);
      const f64s = L.length + Xt.length + T.reduce((a, t) => a + t.length, 0) + out.reduce((a, o) => a + o.length, 0) + (tailStart + qRest) * maxP + qRest * maxP + maxP * maxP;
      const i32s = 23 + 2 * T.length + 5 * nNodes + rowNode.length + termRow.length + colPtr.length + rowIdx.length + 2 * nNodes + 2 * qRest;
      const k = room(8 * f64s + 4 * i32s + 64);
      const put = placer(k.memory, k.base);
      const pL = put.f64(L);
      const pXt = put.f64(Xt);
      const pT = T.map((t) => put.f64(t));
      const pOut = out.map((o) => put.skip(o.length * 8));
      const pAcc = put.f64(new Float64Array((tailStart + qRest) * maxP));
      const pG = put.skip(qRest * maxP * 8);
      const pD = put.skip(maxP * maxP * 8);
      const pTerms = put.i32(pT.flatMap((t, i) => [t, pOut[i]!]));
      const fields = [nNodes, tailStart, qRest, maxP, put.i32(nodeP), put.i32(nodeRow), put.i32(rowNode), put.i32(nodeTerm), put.i32(termRow), put.i32(diagOff), put.i32(valOff), put.i32(colPtr), put.i32(rowIdx), pL, pXt, pTerms, pAcc, pG, pD];
      fields.push(put.i32(new Int32Array(nNodes)), put.skip(4 * nNodes), put.i32(new Int32Array(qRest)), put.skip(4 * qRest));
      k.exports.nodeVariances(put.i32(fields), sigma2);
      out.forEach((o, i) => o.set(new Float64Array(k.memory.buffer, pOut[i]!, o.length)));
    },
  };
  return rowPasses;
}
