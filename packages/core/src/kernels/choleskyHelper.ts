import type { WasmMemory } from "./wasmInstance.js";

/**
 * A second thread for the dense Cholesky of large tails (crossed designs), in Node: a worker
 * (`packages/core/worker/choleskyWorker.mjs`) that shares the dense kernels' memory (their
 * shared-memory build) and factors half the rows of each block row (`cholRows`) while this thread
 * factors the other half; updates half the rows of the tail before it (`tailUpdateRows`); and forms
 * half the columns of the triangular inverse after the fit (the conditional variances). Each row's and column's sums are its own, so the results have the single
 * thread's bits.
 * The threads meet through a control block of atomics: this thread blocks on it (Atomics.wait),
 * which Node allows on its main thread and browsers do not; where there is no worker the kernels
 * stay on one thread.
 */

/** The control block's fields (Int32Array over a SharedArrayBuffer), as the worker numbers them. */
const SEQ = 0;
const DONE = 1;
const CMD = 2;
const A = 3;
const N = 4;
const I0 = 5;
const R0 = 6;
const R1 = 7;
const ACK = 8;
/** The tail update's further operands. */
const S_ = 9;
const TCOL = 10;
const TSTART = 11;
const TG = 12;
const TPTR = 13;
const ROW = 14;
const RUNS = 15;
const CTRL_LENGTH = 16;
const ROWS = 1;
const DETACH = 2;
const INVERSE = 3;
const TAIL = 4;

/** The rows per block row (the kernels' NB) and the worker's share: the second half. */
const NB = 32;
const HALF = 16;

/** The parts of Node's Worker used here (core is built without Node typings). */
interface WorkerLike {
  postMessage(message: unknown): void;
  unref(): void;
  on(event: "error" | "exit", listener: () => void): void;
  once(event: "online" | "error", listener: () => void): void;
}

/** The kernels' exports the work shared between two threads calls (this thread's share, and the worker's where it stops answering). */
export interface HelperKernelExports {
  cholRows(a: number, n: number, i0: number, r0: number, r1: number): void;
  tailUpdateRows(S: number, tailCol: number, tStart: number, tG: number, tailPtr: number, M: number, row: number, m: number, runs: number, i0: number, i1: number): void;
  invLowerTColumns(l: number, x: number, n: number, j0: number, j1: number): void;
  cholDiag(a: number, n: number, i0: number, i1: number): number;
  cholClearUpper(a: number, n: number): void;
}

/** The helper thread: its worker, the control block, the commands' and attachments' counts, the memory it works in, whether it failed. */
interface Helper {
  worker: WorkerLike;
  ctrl: Int32Array;
  seq: number;
  attachSeq: number;
  memory: WasmMemory | null;
  broken: boolean;
}

/** The helper thread, once started. */
let helper: Helper | null = null;

/** The worker script beside the package's files (from dist/kernels/ and src/kernels/ alike). */
const WORKER_PATH = "../../worker/choleskyWorker.mjs";

/** A script's location as Node's Worker takes it: a path, or a URL (anything with an href). */
export type ScriptLocation = string | { readonly href: string };

/** The host's parts used here (core is built without DOM or Node typings). */
const host = globalThis as unknown as {
  URL: new (path: string, base: string) => { readonly href: string };
  setTimeout(f: () => void, ms: number): unknown;
  clearTimeout(timer: unknown): void;
  performance: { now(): number };
  process?: { versions?: { node?: unknown } };
  SharedArrayBuffer?: unknown;
};

/**
 * Starts the helper thread where it can run (Node, with shared memory): `worker` is the worker
 * script's path or URL (by default the package's own; a bundle gives its copy). Resolves true when
 * the thread is started (the first factorization that needs it waits for it to be ready), false
 * where it cannot be; never rejects.
 */
export async function startCholeskyHelper(worker?: ScriptLocation): Promise<boolean> {
  if (helper) return !helper.broken;
  if (typeof host.process?.versions?.node !== "string" || typeof host.SharedArrayBuffer !== "function") return false;
  try {
    // a name in a variable: bundlers for the browser leave this import alone
    const threads = "node:worker_threads";
    const { Worker } = (await import(/* @vite-ignore */ threads)) as { Worker: new (url: ScriptLocation, options: { execArgv: string[] }) => WorkerLike };
    // none of the process's own flags (`--input-type=module` of `node -e`, say, stops a worker's script)
    const w = new Worker(worker ?? new host.URL(WORKER_PATH, (import.meta as unknown as { url: string }).url), { execArgv: [] });
    const made: Helper = { worker: w, ctrl: new Int32Array(new SharedArrayBuffer(CTRL_LENGTH * 4)), seq: 0, attachSeq: 0, memory: null, broken: false };
    w.on("error", () => (made.broken = true));
    w.on("exit", () => (made.broken = true));
    // started, or not (a script that is not there, say): within seconds; the worker keeps the
    // process alive until then, and from then on the process ends without waiting for it
    const online = await new Promise<boolean>((resolve) => {
      let timer: unknown = null;
      const settle = (ok: boolean): void => {
        if (timer !== null) host.clearTimeout(timer);
        w.unref();
        resolve(ok);
      };
      w.once("online", () => settle(true));
      w.once("error", () => settle(false));
      timer = host.setTimeout(() => settle(false), 5000);
    });
    if (!online) return false;
    helper = made;
    return true;
  } catch {
    return false;
  }
}

/** Factorizations and inverses the helper thread has shared in this process (for tests and reports). */
let shared = 0;

/** The number of factorizations and inverses the helper thread has shared in this process. */
export function choleskyHelperShared(): number {
  return shared;
}

/** Whether a helper thread has been started and has not failed. */
export function choleskyHelperRunning(): boolean {
  return helper !== null && !helper.broken;
}

/** Waits (spinning about a millisecond first: a wake from Atomics.wait costs tens of microseconds each hand-off) until ctrl[i] is `want` (true) or −want (false), or `ms` pass (false). */
function waitFor(ctrl: Int32Array, i: number, want: number, ms: number): boolean {
  const end = host.performance.now() + ms;
  for (let spins = 0; ; spins++) {
    const v = Atomics.load(ctrl, i);
    if (v === want) return true;
    if (v === -want) return false;
    if (spins > 200000) {
      const left = end - host.performance.now();
      if (left <= 0) return false;
      Atomics.wait(ctrl, i, v, Math.min(left, 20));
    }
  }
}

/**
 * Points the helper at the kernels' shared memory (instantiating `module` there): true when it
 * works in that memory (at once where it already did); false where it cannot (then factor alone).
 */
export function attachCholeskyHelper(module: object, memory: WasmMemory): boolean {
  const h = helper;
  if (!h || h.broken) return false;
  if (h.memory === memory) return true;
  if (h.memory) {
    // let go of the old memory: out of its loop, the worker reads its next message
    h.ctrl[CMD] = DETACH;
    const s = ++h.seq;
    Atomics.store(h.ctrl, SEQ, s);
    Atomics.notify(h.ctrl, SEQ);
    if (!waitFor(h.ctrl, DONE, s, 5000)) return fail(h);
    h.memory = null;
  }
  const a = ++h.attachSeq;
  // with the last command's number: the worker waits for the next one from there, whenever it reads the message
  h.worker.postMessage({ module, memory, ctrl: h.ctrl, seq: a, seen: h.seq });
  // the first time, the worker's script loads first (tens of milliseconds)
  if (!waitFor(h.ctrl, ACK, a, 3000)) return fail(h);
  h.memory = memory;
  return true;
}

function fail(h: Helper): false {
  h.broken = true;
  return false;
}

/**
 * Posts a command to the worker (its code and its fields, each at its place in the control block),
 * does this thread's part (`own`) meanwhile, and waits for the worker's; where the worker does not
 * answer, its part is done here (`theirs`) and the helper is not used again.
 */
function handOff(h: Helper, cmd: number, fields: ReadonlyArray<readonly [number, number]>, own: () => void, theirs: () => void): void {
  const c = h.ctrl;
  for (const [at, v] of fields) c[at] = v;
  c[CMD] = cmd;
  const s = ++h.seq;
  Atomics.store(c, SEQ, s);
  Atomics.notify(c, SEQ);
  own();
  if (!waitFor(c, DONE, s, 60_000)) {
    fail(h);
    theirs();
  }
}

/**
 * `chol` of the n × n matrix at byte address a of the helper's memory on two threads: per block
 * row, the worker factors the second half of its rows left of the diagonal block while this thread
 * factors the first; then this thread the diagonal block. The same bits as `chol`; false where the
 * matrix is not positive definite. Where the worker stops answering, this thread does its rows.
 */
export function cholTwoThreads(k: HelperKernelExports, a: number, n: number): boolean {
  const h = helper!;
  shared++;
  for (let i0 = 0; i0 < n; i0 += NB) {
    const i1 = Math.min(i0 + NB, n);
    const half = i0 + HALF;
    // a hand-off pays once the rows have a few blocks to their left
    if (!h.broken && i0 >= 2 * NB && i1 > half) {
      handOff(h, ROWS, [[A, a], [N, n], [I0, i0], [R0, half], [R1, i1]], () => k.cholRows(a, n, i0, i0, half), () => k.cholRows(a, n, i0, half, i1));
    } else k.cholRows(a, n, i0, i0, i1);
    if (!k.cholDiag(a, n, i0, i1)) return false;
  }
  k.cholClearUpper(a, n);
  return true;
}

/**
 * `invLowerT` (the inverse of the lower-triangular n × n matrix at byte address l, transposed, into
 * x) on two threads: the worker forms the later columns while this thread forms the earlier, the
 * split where their work (∝ (n − j)² a column) is even. The same bits as `invLowerT`.
 */
export function invTwoThreads(k: HelperKernelExports, l: number, x: number, n: number): void {
  const h = helper!;
  shared++;
  // Σ_{j < split} (n − j)² = half of Σ_j (n − j)²: n − split = n / ∛2
  const split = Math.max(0, Math.min(n, Math.round(n - n / Math.cbrt(2))));
  handOff(h, INVERSE, [[A, l], [N, n], [I0, x], [R0, split], [R1, n]], () => inverseColumns(k, l, x, n, 0, split), () => inverseColumns(k, l, x, n, split, n));
}

/** Columns per call of the inverse (the worker's script uses the same). */
const CHUNK = 32;

/**
 * The inverse's columns j0 … j1 − 1 in calls of CHUNK columns: a WebAssembly function runs its first
 * calls unoptimized (V8's Liftoff) and is optimized for the calls after, so one long call (a fit's
 * single inverse) would run unoptimized throughout, about five times slower. The same bits.
 */
export function inverseColumns(k: Pick<HelperKernelExports, "invLowerTColumns">, l: number, x: number, n: number, j0: number, j1: number): void {
  for (let j = j0; j < j1; j += CHUNK) k.invLowerTColumns(l, x, n, j, Math.min(j + CHUNK, j1));
}

/** The tail update's operands (byte addresses in the helper's memory; see `tailUpdate` in wasm/denseKernels.ts). */
export interface TailUpdateOperands {
  S: number;
  tailCol: number;
  tStart: number;
  tG: number;
  tailPtr: number;
  M: number;
  m: number;
  runs: number;
}

/**
 * `tailUpdate` on two threads: this thread updates rows 0 … split − 1 of M (scratch row `row`), the
 * worker the rest (its own cleared scratch row `row2`). The same bits as `tailUpdate`.
 */
export function tailUpdateTwoThreads(k: HelperKernelExports, o: TailUpdateOperands, row: number, row2: number, split: number): void {
  const h = helper!;
  const fields = [[S_, o.S], [TCOL, o.tailCol], [TSTART, o.tStart], [TG, o.tG], [TPTR, o.tailPtr], [A, o.M], [ROW, row2], [N, o.m], [RUNS, o.runs], [R0, split], [R1, o.m]] as const;
  const rows = (r: number, i0: number, i1: number) => (): void => k.tailUpdateRows(o.S, o.tailCol, o.tStart, o.tG, o.tailPtr, o.M, r, o.m, o.runs, i0, i1);
  handOff(h, TAIL, fields, rows(row, 0, split), rows(row2, split, o.m));
}
