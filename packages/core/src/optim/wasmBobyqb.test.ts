import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { buildModel, makeObjective, optimize, readCsv } from "../index.js";
import { wasmInstance } from "../kernels/wasmInstance.js";
import type { Objective } from "../objective/Objective.js";
import { bobyqa, type BobyqaOptions, type BobyqaResult } from "./bobyqa.js";
import { bobyqaWasmBase64 } from "./bobyqaWasm.js";
import { initialSteps } from "./optimize.js";
import { bobyqbBytes, wasmBobyqbPays, wasmBobyqbVisited } from "./wasmBobyqb.js";

/** Bits of wasmBobyqbVisited(). */
const ALTMOV = 2;
const CAUCHY = 4;
const RESCUE = 8;
const ROTATIONS = 16;
const FROBENIUS = 32;
const RESCUE_EVALUATES = 64;
const RESCUE_POSTPONES = 128;

type F = (x: Float64Array) => number;

/** The bits of each number, in hex. */
function bits(a: ArrayLike<number>): string {
  const view = new DataView(new ArrayBuffer(8));
  return Array.from(a, (v) => {
    view.setFloat64(0, v);
    return view.getBigUint64(0).toString(16).padStart(16, "0");
  }).join(" ");
}

/** One run, with every evaluation recorded as the bits of the point, of f there, and the count. */
function trace(f: F, x0: ArrayLike<number>, options: BobyqaOptions, wasm: boolean): { result: BobyqaResult; points: string[]; visited: number } {
  const points: string[] = [];
  const user = options.onEvaluation;
  const result = bobyqa(f, x0, {
    ...options,
    wasm,
    onEvaluation: (x, fx, k) => {
      points.push(`${bits(x)} | ${bits([fx])} | ${k}`);
      return user?.(x, fx, k);
    },
  });
  return { result, points, visited: wasm ? wasmBobyqbVisited() : 0 };
}

/** Runs the TypeScript and the WebAssembly iterations and checks they agree to the bit; returns the stages the WebAssembly went through. */
function same(f: F, x0: ArrayLike<number>, options: BobyqaOptions = {}): number {
  const ts = trace(f, x0, options, false);
  const wa = trace(f, x0, options, true);
  expect(wa.points.length).toBe(ts.points.length);
  expect(wa.points).toEqual(ts.points);
  expect(bits(wa.result.x)).toBe(bits(ts.result.x));
  expect(bits([wa.result.fx])).toBe(bits([ts.result.fx]));
  expect(wa.result.evaluations).toBe(ts.result.evaluations);
  expect(wa.result.status).toBe(ts.result.status);
  expect(wa.result.message).toBe(ts.result.message);
  return wa.visited;
}

function rosenbrock(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i + 1 < x.length; i++) s += 100 * (x[i + 1]! - x[i]! ** 2) ** 2 + (1 - x[i]!) ** 2;
  return s;
}

/** Rosenbrock's start (-1.2, 1, -1.2, ...). */
const rosenStart = (n: number): number[] => Array.from({ length: n }, (_, i) => (i % 2 ? 1 : -1.2));

/** A smooth function with a tiny high-frequency ripple: with rhoend 1e-12 BOBYQA's updates lose accuracy and RESCUE runs. */
const rippled: F = (x) => {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i]! - 1) ** 2;
  return s + 1e-6 * Math.sin(1e7 * x[0]! + 3e6 * x[1]!);
};

/** An ill-conditioned quadratic (scales 1 to 1e14). */
const illConditioned: F = (x) => x.reduce((s, v, i) => s + 10 ** (2 * i) * (v - 1) ** 2, 0);

function lcg(seed: number): () => number {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
}

describe("bobyqa's iteration in WebAssembly gives the TypeScript's bits", () => {
  afterEach(() => vi.restoreAllMocks());

  it("on bobyqa.test.ts's problems", () => {
    let visited = 0;
    visited |= same(rosenbrock, [-1.2, 1]);
    visited |= same(rosenbrock, [-1.2, 1, -1.2, 1], { rhoend: 1e-8 });
    visited |= same(rosenbrock, [-1.2, 1, -1.2, 1]);
    const n = 10;
    const A = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => 0.7 ** Math.abs(i - j) * (i === j ? 1 + 0.3 * i : 1)));
    const xstar = Array.from({ length: n }, (_, i) => 2 * Math.sin(i + 1));
    visited |= same((x) => {
      let s = 3;
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) s += 0.5 * (x[i]! - xstar[i]!) * A[i]![j]! * (x[j]! - xstar[j]!);
      return s;
    }, new Array<number>(n).fill(0));
    for (const npt of [5, 7, 10]) visited |= same(rosenbrock, [-1.2, 1, 0.5], { npt, rhoend: 1e-8 });
    visited |= same((x) => (x[0]! + 1) ** 2 + (x[1]! - 2) ** 2, [1, 1], { lower: [0, -Infinity] });
    visited |= same(
      (x) => {
        const u = x[0]! + 1;
        const v = x[1]! - 1;
        return 2 * u * u + 1.6 * u * v + v * v;
      },
      [0.5, 0.5],
      { lower: [0, 0] },
    );
    visited |= same((x) => (x[0]! - 0.5) ** 2 + (x[1]! + 0.25) ** 2 + (x[2]! - 3) ** 2, [5, -5, 0], { lower: [0, -1, -2], upper: [1, 0, 2] });
    const rnd = lcg(12345);
    for (let trial = 0; trial < 12; trial++) {
      const m = 2 + (trial % 7);
      const M = Array.from({ length: m }, () => Array.from({ length: m }, () => 2 * rnd() - 1));
      const Q = M.map((ri, i) => M.map((rj, j) => ri.reduce((s, v, k) => s + v * rj[k]!, 0) + (i === j ? 0.1 * m : 0)));
      const b = Array.from({ length: m }, () => 4 * rnd() - 2);
      const lower = Array.from({ length: m }, () => (rnd() < 0.6 ? 0 : -Infinity));
      const f: F = (x) => {
        let s = 0;
        for (let i = 0; i < m; i++) {
          s -= b[i]! * x[i]!;
          for (let j = 0; j < m; j++) s += 0.5 * x[i]! * Q[i]![j]! * x[j]!;
        }
        return s;
      };
      visited |= same(f, new Array<number>(m).fill(1), { lower });
    }
    visited |= same((x) => (x[0]! - 0.5) ** 2 + (x[1]! + 0.25) ** 2 + (x[2]! - 1) ** 2, [0, 0.2, 0], { lower: [0.3, -Infinity, -Infinity], upper: [0.3, Infinity, Infinity] });
    visited |= same((x) => (x[0]! - 3) ** 2 + Math.cos(x[0]!), [0]);
    visited |= same((x) => Math.cosh(x[0]! - 10), [0]);
    visited |= same((x) => Math.exp(x[0]!) - 2 * x[0]!, [-4], { lower: [-5], upper: [5] });
    for (const x0 of [0, 1e-9, 0.3, 10]) visited |= same((x) => (x[0]! + 0.5) ** 2 + Math.sin(x[0]!), [x0], { lower: [0] });
    visited |= same((x) => (x[0]! - 7) ** 2, [0], { lower: [-1], upper: [2] });
    visited |= same(
      (t) => {
        const [t0, t1, t2] = [t[0]!, t[1]!, t[2]!];
        return (t0 - 0.8) ** 2 + Math.log(1 + (t1 + 0.3 * t0 - 0.2) ** 2) + t2 * (0.5 + 0.2 * t0) + t2 * t2 + 0.1 * t1 * t1 * t2;
      },
      [1, 0, 1],
      { lower: [0, -Infinity, 0] },
    );
    visited |= same((x) => x[0]! - Math.log(x[0]!) + (x[1]! - 1) ** 2 + 0.5 * x[0]! * x[1]!, [0.1, 0]);
    visited |= same((x) => (x[0]! < 0.2 ? Infinity : (x[0]! - 1) ** 2 + (x[1]! - 1) ** 2 + (x[0]! * x[1]! - 1) ** 2), [0.25, 3]);
    visited |= same(() => NaN, [1, 2]);
    const g: F = (x) => (x[0]! - 1) ** 4 + (x[1]! - 2) ** 2 + Math.cosh(x[0]!);
    for (const maxfun of [1, 3, 20]) visited |= same(g, [0, 0], { maxfun });
    visited |= same(g, [0, 0], { onEvaluation: (_x, _f, k) => k < 12 });
    visited |= same(g, [0, 0]);
    visited |= same(g, [0, 0], { ftolAbs: 1e-6 });
    visited |= same(g, [0, 0], { xtolAbs: 1e-3 });
    visited |= same((x) => x[0]! + x[1]!, [5, 5], { lower: [1, 2], upper: [1, 2] });
    expect(visited & (ALTMOV | CAUCHY | ROTATIONS)).toBe(ALTMOV | CAUCHY | ROTATIONS);
  });

  it("on Rosenbrock in 2 to 6 dimensions, with and without bounds, and with npt from n + 2 to (n + 1)(n + 2)/2", () => {
    for (let n = 2; n <= 6; n++) {
      const x0 = rosenStart(n);
      const lower = x0.map(() => -1.5);
      const upper = x0.map((_, i) => (i % 3 === 2 ? 0.8 : 2));
      expect(same(rosenbrock, x0) & ALTMOV).toBe(ALTMOV);
      same(rosenbrock, x0, { lower, upper });
      same(rosenbrock, x0, { lower: x0.map((v) => v - 0.1) });
      for (const npt of [n + 2, Math.min(2 * n + 3, ((n + 1) * (n + 2)) / 2 - 1), ((n + 1) * (n + 2)) / 2]) same(rosenbrock, x0, { npt, lower, upper, rhoend: 1e-9 });
    }
  });

  it("through RESCUE, and when maxfun or a cancellation stops it at each count around RESCUE's evaluations", () => {
    const x0 = [0, 0, 0];
    const options: BobyqaOptions = { rhoend: 1e-12, npt: 10 };
    const visited = same(rippled, x0, options);
    expect(visited & (RESCUE | RESCUE_EVALUATES | RESCUE_POSTPONES)).toBe(RESCUE | RESCUE_EVALUATES | RESCUE_POSTPONES);
    // the first count at which RESCUE has run
    const total = bobyqa(rippled, x0, options).evaluations;
    let first = 0;
    for (let lo = 1, hi = total; lo <= hi; ) {
      const mid = (lo + hi) >> 1;
      bobyqa(rippled, x0, { ...options, maxfun: mid });
      if (wasmBobyqbVisited() & RESCUE) {
        first = mid;
        hi = mid - 1;
      } else lo = mid + 1;
    }
    expect(first).toBeGreaterThan(0);
    const counts = new Set<number>();
    for (let k = first - 2; k <= first + 12; k++) counts.add(k);
    const rnd = lcg(7);
    for (let i = 0; i < 12; i++) counts.add(1 + Math.floor(rnd() * total));
    for (const k of counts) {
      same(rippled, x0, { ...options, maxfun: k });
      same(rippled, x0, { ...options, onEvaluation: (_x, _f, count) => count < k });
    }
  });

  it("when rounding errors stop it, after RESCUE", () => {
    const x0 = [-1, 0.3, 0.8];
    const options: BobyqaOptions = { rhoend: 1e-10 };
    expect(bobyqa(rippled, x0, options).status).toBe("roundoff");
    expect(same(rippled, x0, options) & RESCUE).toBe(RESCUE);
    const y0 = Array.from({ length: 6 }, (_, i) => 0.3 * Math.cos(i));
    const illOptions: BobyqaOptions = { npt: 28, rhoend: 1e-12 };
    expect(bobyqa(illConditioned, y0, illOptions).status).toBe("roundoff");
    expect(same(illConditioned, y0, illOptions) & RESCUE).toBe(RESCUE);
  });

  it("when rounding errors stop it, for each reason", () => {
    const squares: F = (x) => 1e300 * x.reduce((s, v) => s + v * v, 0);
    const linear: F = (x) => x.reduce((s, v) => s + v, 0);
    const cubes: F = (x) => x.reduce((s, v) => s + v * v * v, 0);
    const cases: [F, number[], BobyqaOptions, string][] = [
      [squares, [-0.5661683082580566], { rhoend: 1e-14 }, "non-finite model value"],
      [linear, [-0.1793076992034912], {}, "much cancellation in a denominator"],
      [linear, [0.3830845355987549], { rhoend: 1e-14 }, "failed to reduce the quadratic model"],
      [cubes, [-0.867894172668457, -0.5862931609153748], {}, "non-finite trust-region step"],
    ];
    for (const [f, x0, options, reason] of cases) {
      const r = bobyqa(f, x0, { ...options, maxfun: 3000, wasm: true });
      expect(r.status).toBe("roundoff");
      expect(r.message).toContain(reason);
      same(f, x0, { ...options, maxfun: 3000 });
    }
  });

  it("when f is NaN or Infinity at some points", () => {
    const holes: F = (x) => {
      const s = x.reduce((a, v) => a + v, 0);
      if (s < 0.5) return NaN;
      if (Math.sin(40 * x[0]!) > 0.95) return Infinity;
      return x.reduce((a, v, i) => a + (v - i) ** 2 + Math.sin(3 * v), 0);
    };
    for (const n of [2, 3, 5]) {
      same(holes, Array.from({ length: n }, (_, i) => 0.4 + 0.1 * i));
      same(holes, Array.from({ length: n }, (_, i) => 0.4 + 0.1 * i), { lower: new Array<number>(n).fill(0), upper: new Array<number>(n).fill(3) });
    }
    same((x) => (x[0]! > 1.5 ? -Infinity : (x[0]! - 2) ** 2 + x[1]! ** 2), [0, 0]);
  });

  it("on non-smooth functions, where the least Frobenius norm model replaces the model", () => {
    let visited = 0;
    for (const n of [2, 5, 8]) {
      visited |= same((x) => x.reduce((s, v, i) => s + Math.abs(v - i * 0.3), 0), new Array<number>(n).fill(0.1));
      visited |= same((x) => x.reduce((s, v, i) => s + Math.floor(8 * (v - i * 0.1) ** 2) / 8, 0), new Array<number>(n).fill(0.9), { rhoend: 1e-12 });
    }
    expect(visited & FROBENIUS).toBe(FROBENIUS);
  });

  it("with one variable, fixed variables, and npt other than 2n + 1", () => {
    same((x) => (x[0]! - 3) ** 2 + Math.cos(x[0]!), [0], { rhoend: 1e-10 });
    same((x) => Math.abs(x[0]! - 0.3) + 0.1 * x[0]! ** 2, [2], { lower: [-1], upper: [4] });
    same((x) => Math.exp(x[0]!) - 2 * x[0]!, [-4], { lower: [-5], upper: [5], npt: 3 });
    const f: F = (x) => rosenbrock(x) + (x[2]! - 0.5) ** 2;
    same(f, [-1.2, 1, 0.5, 2], { lower: [-2, 1, -Infinity, 2], upper: [2, 1, Infinity, 2] });
    same(f, [-1.2, 1, 0.5, 2], { lower: [-2, 1, -Infinity, 2], upper: [2, 1, Infinity, 2], npt: 7 });
    same(f, [-1.2, 1, 0.5, 2], { lower: [-2, 0.5, 0, 1], upper: [2, 1.5, 0.2, 3] });
    for (const npt of [6, 8, 12, 15]) same(f, [-1.2, 1, 0.5, 2], { npt, rhoend: 1e-9 });
  });

  it("in nested runs (an objective that runs bobyqa), sequential runs of other sizes, and after f throws", () => {
    const nested = (wasm: boolean): F => (x) => {
      const inner = bobyqa((y) => rosenbrock(y) + (y[0]! - x[0]!) ** 2 + x[1]! ** 2 * (y[y.length - 1]! - 0.5) ** 2, rosenStart(5), { wasm, rhoend: 1e-5 });
      return inner.fx + (x[0]! - 0.5) ** 2 + (x[1]! - 0.25) ** 2;
    };
    // the outer run in WebAssembly with its objective's runs in WebAssembly, against the TypeScript throughout
    const ts = trace(nested(false), [0, 0], {}, false);
    const wa = trace(nested(true), [0, 0], {}, true);
    expect(wa.points).toEqual(ts.points);
    expect(wa.result).toEqual(ts.result);
    // sequential runs, growing and shrinking
    for (const n of [2, 12, 3, 20, 1]) same(rosenbrock, rosenStart(n), { maxfun: 400 });
    // f throws mid-run: the error reaches the caller, and later runs (at the same depth) are unaffected
    let calls = 0;
    const throwing: F = (x) => {
      if (++calls === 30) throw new Error("thrown by f");
      return rosenbrock(x);
    };
    expect(() => bobyqa(throwing, [-1.2, 1, 0.5])).toThrow("thrown by f");
    same(rosenbrock, [-1.2, 1, 0.5]);
    calls = 0;
    expect(() => bobyqa((x) => nested(true)(x) + throwing(x), [0, 0])).toThrow("thrown by f");
    same(nested(true), [0.1, 0.1], { maxfun: 12 });
  });

  it("on mixed models' objectives (sleepstudy, Penicillin, egsingle), as optimize runs them", () => {
    const conformance = (name: string): Objective => {
      const dir = new URL("../../test/conformance/", import.meta.url);
      const spec = JSON.parse(readFileSync(new URL(`${name}.json`, dir), "utf8")) as { dataset: string; formula: string; REML: boolean; factors: string[] };
      const table = readCsv(readFileSync(new URL(`${spec.dataset}.csv`, dir), "utf8"));
      return makeObjective(buildModel(table, spec.formula, { REML: spec.REML, factors: spec.factors }));
    };
    const egsingle = readCsv(readFileSync(new URL("../../test/fixtures/lme4/egsingle.csv", import.meta.url), "utf8"));
    const objectives = [
      conformance("sleepstudy_slopes_reml"),
      conformance("penicillin_crossed"),
      makeObjective(buildModel(egsingle, "math ~ year + (year | childid) + (year | schoolid)", { REML: false, factors: ["childid", "schoolid"] })),
    ];
    let visited = 0;
    for (const objective of objectives) {
      // optimize's call: NLopt's initial steps, θ scaled by them, lme4's tolerances
      const start = Float64Array.from(objective.layout.initial);
      const dx = initialSteps(start, objective.layout.lower);
      const s = dx.map((d) => d / dx[0]!);
      const theta = new Float64Array(start.length);
      const f: F = (y) => objective.evaluate(theta.map((_, i) => y[i]! * s[i]!));
      const options: BobyqaOptions = { lower: Array.from(objective.layout.lower, (l, i) => l / s[i]!), rhobeg: dx[0]!, rhoend: 1e-4 * dx[0]!, ftolAbs: 1e-8, maxfun: 100_000 };
      const x0 = Array.from(start, (t, i) => t / s[i]!);
      visited |= same(f, x0, options);
      const result = bobyqa(f, x0, options);
      const opt = optimize(objective);
      expect(opt.evaluations).toBeGreaterThanOrEqual(result.evaluations);
      if (!opt.movedToBoundary) expect(opt.fmin).toBe(result.fx);
    }
    expect(visited & ALTMOV).toBe(ALTMOV);
  }, 60_000);

  it("runs by default once compiled in the process, and from the first run of four or more variables", () => {
    expect(wasmBobyqbPays(4)).toBe(true);
    // a run that ends in PRELIM goes through none of the stages
    bobyqa(rosenbrock, [-1.2, 1], { wasm: true, maxfun: 4 });
    expect(wasmBobyqbVisited()).toBe(0);
    for (const n of [1, 2, 3]) expect(wasmBobyqbPays(n)).toBe(true);
    bobyqa(rosenbrock, [-1.2, 1], { maxfun: 40 });
    expect(wasmBobyqbVisited()).not.toBe(0);
  });

  it("keeps to the memory it was given (its layout is bobyqbBytes long; no memory grows)", () => {
    const memory = (globalThis as unknown as { WebAssembly: { Memory: { prototype: { grow(pages: number): number } } } }).WebAssembly.Memory;
    const grow = vi.spyOn(memory.prototype, "grow");
    const made = wasmInstance(bobyqaWasmBase64, 1 << 20, { evaluate: () => 0 })!;
    const exports = made.exports as { base(): number; layout(n: number, npt: number): number };
    for (const [n, npt] of [[1, 3], [2, 4], [2, 6], [6, 13], [6, 28], [30, 61], [40, 861]] as const) {
      expect(exports.layout(n, npt) - exports.base()).toBe(bobyqbBytes(n, npt));
    }
    for (const n of [2, 40, 3]) bobyqa(rosenbrock, rosenStart(n), { maxfun: 200, npt: n === 40 ? 861 : 2 * n + 1 });
    expect(grow).not.toHaveBeenCalled();
  });
});
