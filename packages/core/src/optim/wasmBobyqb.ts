import { wasmCompiled, wasmInstance, type WasmMemory } from "../kernels/wasmInstance.js";
import { bobyqaWasmBase64 } from "./bobyqaWasm.js";

/** What the iteration needs of bobyqa's evaluator: the count of calls so far, and f at a point (which it copies) with a note of a cancellation. */
export interface BobyqbEvaluator {
  readonly count: number;
  readonly cancelled: boolean;
  call(x: Float64Array): number;
}

/** Where BOBYQB starts: n free variables, npt points, the bounds XL, XU (finite), their differences SL = XL − XBASE, SU = XU − XBASE, and XBASE (n each). */
export interface BobyqbStart {
  n: number;
  npt: number;
  xl: Float64Array;
  xu: Float64Array;
  sl: Float64Array;
  su: Float64Array;
  xbase: Float64Array;
}

/** The problem as BOBYQB runs it: its start, the trust region's radii and the stopping rules. */
export interface BobyqbProblem extends BobyqbStart {
  rhobeg: number;
  rhoend: number;
  ftolAbs: number;
  maxfun: number;
}

/** How a run ended, indexed by the module's status code (wasm/bobyqa.ts). */
export const bobyqbEndings = [
  "rhoend",
  "maxfun",
  "cancelled",
  "ftolAbs",
  "nonFiniteStep",
  "cancellation",
  "nonFiniteModel",
  "noReduction",
  "nonFiniteH",
] as const;
export type BobyqbEnding = (typeof bobyqbEndings)[number];

/** The module's exports (wasm/bobyqa.ts). */
interface BobyqaExports {
  base(): number;
  layout(n: number, npt: number): number;
  run(n: number, npt: number, rhobeg: number, rhoend: number, ftolAbs: number, maxfun: number, count: number): number;
  visited(): number;
}

/** An instance of the module, its memory, and the evaluator of the run in progress on it. */
interface Runner {
  exports: BobyqaExports;
  memory: WasmMemory;
  base: number;
  /** Bytes past base() in its memory. */
  room: number;
  ev: BobyqbEvaluator | null;
  /** The point to evaluate (in the module's memory). */
  x: Float64Array;
  /** The header's flag `cancelled`. */
  flag: Int32Array;
}

/** The header before the inputs (the flag `cancelled`, padded). */
const HEADER = 16;

/**
 * The least n whose first run compiles the module: below it (one variable, a few dozen
 * evaluations), a process's first runs are cheaper in TypeScript than compiling the module (about
 * 1 ms, once per process; none where `prepareKernels` compiled it ahead).
 */
const FIRST_N = 2;
/** Evaluations the TypeScript iteration makes in a process before smaller problems compile the module too (about its cost, at 50-90 µs each before V8 optimizes the TypeScript). */
const TYPESCRIPT_BUDGET = 50;
/** Evaluations made by the TypeScript iteration in this process. */
let typescriptEvaluations = 0;

/** One instance per depth of nesting (an objective may itself run bobyqa), reused by the runs at that depth. */
const runners: Runner[] = [];
let depth = 0;
let last: Runner | null = null;

/** Bytes the module uses past base() for n variables and npt points (its `layout`). */
export function bobyqbBytes(n: number, npt: number): number {
  const ndim = npt + n;
  const f64s = 21 * n + 4 * npt + 4 * ndim + (n * (n + 1)) / 2 + npt * n + ndim * n + npt * (npt - n - 1);
  return HEADER + 8 * f64s + 4 * 3 * npt;
}

/** A new instance with at least `bytes` past base(), its evaluate import calling the runner's evaluator; null without WebAssembly. */
function makeRunner(bytes: number): Runner | null {
  const runner: Runner = {
    exports: null as unknown as BobyqaExports,
    memory: null as unknown as WasmMemory,
    base: 0,
    room: 0,
    ev: null,
    x: new Float64Array(0),
    flag: new Int32Array(1),
  };
  const evaluate = (): number => {
    const ev = runner.ev!;
    const f = ev.call(runner.x);
    runner.flag[0] = ev.cancelled ? 1 : 0;
    return f;
  };
  const made = wasmInstance(bobyqaWasmBase64, bytes, { evaluate });
  if (!made) return null;
  runner.exports = made.exports as BobyqaExports;
  runner.memory = made.memory;
  runner.base = runner.exports.base();
  runner.room = made.memory.buffer.byteLength - runner.base;
  runner.flag = new Int32Array(made.memory.buffer, runner.base, 1);
  return runner;
}

/**
 * Runs BOBYQB (src/optim/bobyqa.ts's iteration: PRELIM, then trust-region and geometry steps until
 * rho reaches rhoend) in WebAssembly, with the same operations in the same order as the TypeScript,
 * so the same points are evaluated and the same result found. `ev` is called for each point (the
 * count and the cancellation are read as the TypeScript reads them). Returns how the run ended, or
 * null where WebAssembly is unavailable (the caller then runs the TypeScript).
 */
export function wasmBobyqb(p: BobyqbProblem, ev: BobyqbEvaluator): BobyqbEnding | null {
  const { n, npt } = p;
  const bytes = bobyqbBytes(n, npt);
  let runner = runners[depth];
  if (runner === undefined || runner.room < bytes) {
    const made = makeRunner(bytes);
    if (!made) return null;
    runners[depth] = runner = made;
  }
  const inputs = new Float64Array(runner.memory.buffer, runner.base + HEADER, 6 * n);
  inputs.set(p.xl, 0);
  inputs.set(p.xu, n);
  inputs.set(p.sl, 2 * n);
  inputs.set(p.su, 3 * n);
  inputs.set(p.xbase, 4 * n);
  runner.x = inputs.subarray(5 * n, 6 * n);
  runner.ev = ev;
  last = runner;
  depth++;
  try {
    const code = runner.exports.run(n, npt, p.rhobeg, p.rhoend, p.ftolAbs, p.maxfun, ev.count);
    return bobyqbEndings[code]!;
  } finally {
    depth--;
    runner.ev = null;
  }
}

/**
 * Whether bobyqa runs its iteration in WebAssembly by default: once the module has been compiled in
 * this process (by a run, or ahead by `prepareKernels`), for a problem of at least FIRST_N variables,
 * or once the TypeScript iteration has made TYPESCRIPT_BUDGET evaluations (its cold runs have then
 * cost about what compiling would).
 */
export function wasmBobyqbPays(n: number): boolean {
  return runners.length > 0 || n >= FIRST_N || typescriptEvaluations >= TYPESCRIPT_BUDGET || wasmCompiled(bobyqaWasmBase64);
}

/** Counts the evaluations of a run of the TypeScript iteration (for wasmBobyqbPays). */
export function typescriptBobyqbRan(evaluations: number): void {
  typescriptEvaluations += evaluations;
}

/**
 * The stages the last WebAssembly run went through, as bits (for tests): 1 a shift of XBASE, 2
 * ALTMOV, 4 ALTMOV's Cauchy step taken, 8 RESCUE, 16 TRSBOX's rotations on the boundary, 32 the
 * least Frobenius norm model, 64 RESCUE evaluating provisional points, 128 RESCUE postponing a point.
 */
export function wasmBobyqbVisited(): number {
  return last ? last.exports.visited() : 0;
}
