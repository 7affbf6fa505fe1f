// The second thread of the dense Cholesky (src/kernels/choleskyHelper.ts), a Node worker: it
// instantiates the dense kernels' shared-memory build on the memory it is given and then factors
// the rows it is told to (`cholRows`), updates the tail's rows it is told to (`tailUpdateRows`), or
// forms the columns of a triangular inverse it is told to (`invLowerTColumns`), signalling through the control block, until it is told to let go of that
// memory. Plain JavaScript with no imports of the engine: it runs as it is, from the
// package's own files and from the command line's bundle.
import { parentPort } from "node:worker_threads";

// the control block's fields (Int32Array over a SharedArrayBuffer), as choleskyHelper.ts numbers them
const SEQ = 0;
const DONE = 1;
const CMD = 2;
const A = 3;
const N = 4;
const I0 = 5;
const R0 = 6;
const R1 = 7;
const ACK = 8;
const S_ = 9;
const TCOL = 10;
const TSTART = 11;
const TG = 12;
const TPTR = 13;
const ROW = 14;
const RUNS = 15;
const DETACH = 2;
const INVERSE = 3;
const TAIL = 4;

parentPort.on("message", (msg) => {
  // seen: the last command's number when the attach was posted (read then, not now: a command may already have come)
  const { module, memory, ctrl, seq, seen } = msg;
  let kernels = null;
  try {
    kernels = new WebAssembly.Instance(module, { env: { memory } }).exports;
  } catch {
    kernels = null;
  }
  // the answer: the attach's number, or its negative where the module would not instantiate
  Atomics.store(ctrl, ACK, kernels ? seq : -seq);
  Atomics.notify(ctrl, ACK);
  if (kernels) serve(ctrl, kernels, seen);
});

/** Factors the rows each new command asks for, until a command lets go of the memory. */
function serve(ctrl, kernels, seen) {
  for (;;) {
    let s = Atomics.load(ctrl, SEQ);
    // a spin of about a millisecond first: within a factorization the next command follows in tens of
    // microseconds, and waking from Atomics.wait costs about as much each time
    for (let spins = 0; s === seen; s = Atomics.load(ctrl, SEQ)) {
      if (++spins > 200000) {
        Atomics.wait(ctrl, SEQ, seen, 50);
        spins = 0;
      }
    }
    seen = s;
    if (Atomics.load(ctrl, CMD) === DETACH) {
      Atomics.store(ctrl, DONE, s);
      Atomics.notify(ctrl, DONE);
      return;
    }
    // rows of the Cholesky (the matrix at A, the block row at I0), columns of the inverse (L at A, X
    // at I0), or rows of the tail's update (M at A, the scratch row at ROW)
    const cmd = Atomics.load(ctrl, CMD);
    if (cmd === INVERSE) inverseColumns(kernels, ctrl[A], ctrl[I0], ctrl[N], ctrl[R0], ctrl[R1]);
    else if (cmd === TAIL) kernels.tailUpdateRows(ctrl[S_], ctrl[TCOL], ctrl[TSTART], ctrl[TG], ctrl[TPTR], ctrl[A], ctrl[ROW], ctrl[N], ctrl[RUNS], ctrl[R0], ctrl[R1]);
    else kernels.cholRows(ctrl[A], ctrl[N], ctrl[I0], ctrl[R0], ctrl[R1]);
    Atomics.store(ctrl, DONE, s);
    Atomics.notify(ctrl, DONE);
  }
}

/**
 * The inverse's columns j0 … j1 − 1 in calls of CHUNK columns (choleskyHelper.ts's inverseColumns):
 * a WebAssembly function runs its first calls unoptimized (Liftoff), and one long call would stay so.
 */
const CHUNK = 32;
function inverseColumns(kernels, l, x, n, j0, j1) {
  for (let j = j0; j < j1; j += CHUNK) kernels.invLowerTColumns(l, x, n, j, Math.min(j + CHUNK, j1));
}
