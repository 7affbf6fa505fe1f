import { describe, it, expect } from "vitest";
import { bobyqa, type BobyqaOptions } from "./bobyqa.js";

/** Wraps f to count its calls and to check that every point is within the bounds. */
function instrument(f: (x: Float64Array) => number, options: BobyqaOptions = {}) {
  const counter = { calls: 0, outside: 0 };
  const g = (x: Float64Array): number => {
    counter.calls++;
    for (let i = 0; i < x.length; i++) {
      const lo = options.lower?.[i] ?? -Infinity;
      const up = options.upper?.[i] ?? Infinity;
      if (!(x[i]! >= lo && x[i]! <= up)) counter.outside++;
    }
    return f(x);
  };
  return { g, counter };
}

/** Runs bobyqa and checks the bookkeeping that every run must satisfy. */
function run(f: (x: Float64Array) => number, x0: number[], options: BobyqaOptions = {}) {
  const { g, counter } = instrument(f, options);
  const result = bobyqa(g, x0, options);
  expect(result.evaluations).toBe(counter.calls);
  expect(counter.outside).toBe(0);
  expect(result.x.length).toBe(x0.length);
  return result;
}

function rosenbrock(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i + 1 < x.length; i++) s += 100 * (x[i + 1]! - x[i]! ** 2) ** 2 + (1 - x[i]!) ** 2;
  return s;
}

function maxAbsDiff(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]! - y[i]!));
  return m;
}

describe("bobyqa: unconstrained problems", () => {
  it("minimizes the 2-D Rosenbrock function from (-1.2, 1)", () => {
    const r = run(rosenbrock, [-1.2, 1]);
    expect(r.status).toBe("converged");
    expect(maxAbsDiff(r.x, [1, 1])).toBeLessThan(1e-6);
    expect(r.fx).toBeLessThan(1e-12);
    expect(r.fx).toBe(rosenbrock(r.x));
  });

  it("minimizes the 4-D Rosenbrock function from (-1.2, 1, -1.2, 1)", () => {
    // The valley is ill-conditioned: rhoend = 1e-7 gives |x - 1| ~ 1e-6, so ask for 1e-8.
    const r = run(rosenbrock, [-1.2, 1, -1.2, 1], { rhoend: 1e-8 });
    expect(r.status).toBe("converged");
    expect(maxAbsDiff(r.x, [1, 1, 1, 1])).toBeLessThan(1e-6);
    const rDefault = run(rosenbrock, [-1.2, 1, -1.2, 1]);
    expect(rDefault.status).toBe("converged");
    expect(maxAbsDiff(rDefault.x, [1, 1, 1, 1])).toBeLessThan(5e-6);
  });

  it("minimizes a 10-D convex quadratic with correlations", () => {
    const n = 10;
    const A: number[][] = [];
    for (let i = 0; i < n; i++) {
      A.push([]);
      for (let j = 0; j < n; j++) A[i]!.push(0.7 ** Math.abs(i - j) * (i === j ? 1 + 0.3 * i : 1));
    }
    const xstar = Array.from({ length: n }, (_, i) => 2 * Math.sin(i + 1));
    const f = (x: Float64Array) => {
      let s = 3;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) s += 0.5 * (x[i]! - xstar[i]!) * A[i]![j]! * (x[j]! - xstar[j]!);
      }
      return s;
    };
    const r = run(f, new Array<number>(n).fill(0));
    expect(r.status).toBe("converged");
    expect(maxAbsDiff(r.x, xstar)).toBeLessThan(1e-6);
    expect(r.fx - 3).toBeLessThan(1e-12);
  });

  it("accepts npt between n+2 and (n+1)(n+2)/2", () => {
    for (const npt of [5, 7, 10]) {
      const r = run(rosenbrock, [-1.2, 1, 0.5], { npt, rhoend: 1e-8 });
      expect(r.status).toBe("converged");
      expect(maxAbsDiff(r.x, [1, 1, 1])).toBeLessThan(1e-6);
    }
    expect(() => bobyqa(rosenbrock, [0, 0], { npt: 3 })).toThrow(RangeError);
    expect(() => bobyqa(rosenbrock, [0, 0], { npt: 7 })).toThrow(RangeError);
  });
});

describe("bobyqa: bounds", () => {
  it("lands exactly on an active lower bound", () => {
    const f = (x: Float64Array) => (x[0]! + 1) ** 2 + (x[1]! - 2) ** 2;
    const r = run(f, [1, 1], { lower: [0, -Infinity] });
    expect(r.status).toBe("converged");
    expect(r.x[0]).toBe(0);
    expect(Math.abs(r.x[1]! - 2)).toBeLessThan(1e-6);
    expect(Math.abs(r.fx - 1)).toBeLessThan(1e-12);
  });

  it("finds the constrained optimum of a correlated quadratic on the bound x0 = 0", () => {
    // f = (x-a)' A (x-a) with a = (-1, 1), A = [[2, 0.8], [0.8, 1]]; with x0 >= 0, x1 >= 0 the optimum is
    // x0 = 0 and x1 = a1 - (A10/A11)(0 - a0) = 1 - 0.8 = 0.2.
    const f = (x: Float64Array) => {
      const u = x[0]! + 1;
      const v = x[1]! - 1;
      return 2 * u * u + 1.6 * u * v + v * v;
    };
    const r = run(f, [0.5, 0.5], { lower: [0, 0] });
    expect(r.status).toBe("converged");
    expect(r.x[0]).toBe(0);
    expect(Math.abs(r.x[1]! - 0.2)).toBeLessThan(1e-6);
  });

  it("handles an upper bound, a box and a starting point outside the bounds", () => {
    const f = (x: Float64Array) => (x[0]! - 0.5) ** 2 + (x[1]! + 0.25) ** 2 + (x[2]! - 3) ** 2;
    const options = { lower: [0, -1, -2], upper: [1, 0, 2] };
    const r = run(f, [5, -5, 0], options);
    expect(r.status).toBe("converged");
    expect(maxAbsDiff(r.x, [0.5, -0.25, 2])).toBeLessThan(1e-6);
    expect(r.x[2]).toBe(2);
  });

  it("solves random bound-constrained convex quadratics with the active set exact", () => {
    let seed = 12345;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let trial = 0; trial < 12; trial++) {
      const n = 2 + (trial % 7);
      const M = Array.from({ length: n }, () => Array.from({ length: n }, () => 2 * rnd() - 1));
      const A = M.map((ri, i) => M.map((rj, j) => ri.reduce((s, v, k) => s + v * rj[k]!, 0) + (i === j ? 0.1 * n : 0)));
      const b = Array.from({ length: n }, () => 4 * rnd() - 2);
      const bounded = Array.from({ length: n }, () => rnd() < 0.6);
      // Reference solution by projected Gauss-Seidel.
      const xs = new Float64Array(n);
      for (let it = 0; it < 100000; it++) {
        let change = 0;
        for (let i = 0; i < n; i++) {
          let r = b[i]!;
          for (let j = 0; j < n; j++) if (j !== i) r -= A[i]![j]! * xs[j]!;
          let v = r / A[i]![i]!;
          if (bounded[i] && v < 0) v = 0;
          change = Math.max(change, Math.abs(v - xs[i]!));
          xs[i] = v;
        }
        if (change < 1e-15) break;
      }
      const f = (x: Float64Array) => {
        let s = 0;
        for (let i = 0; i < n; i++) {
          s -= b[i]! * x[i]!;
          for (let j = 0; j < n; j++) s += 0.5 * x[i]! * A[i]![j]! * x[j]!;
        }
        return s;
      };
      const lower = bounded.map((v) => (v ? 0 : -Infinity));
      const r = run(f, new Array<number>(n).fill(1), { lower });
      expect(r.status).toBe("converged");
      expect(maxAbsDiff(r.x, xs)).toBeLessThan(1e-6);
      for (let i = 0; i < n; i++) if (bounded[i] && xs[i] === 0) expect(r.x[i]).toBe(0);
    }
  });

  it("holds variables with lower == upper fixed", () => {
    const f = (x: Float64Array) => (x[0]! - 0.5) ** 2 + (x[1]! + 0.25) ** 2 + (x[2]! - 1) ** 2;
    const r = run(f, [0, 0.2, 0], { lower: [0.3, -Infinity, -Infinity], upper: [0.3, Infinity, Infinity] });
    expect(r.status).toBe("converged");
    expect(r.x[0]).toBe(0.3);
    expect(maxAbsDiff(r.x, [0.3, -0.25, 1])).toBeLessThan(1e-6);
  });

  it("rejects invalid arguments", () => {
    const f = (x: Float64Array) => x[0]! ** 2;
    expect(() => bobyqa(f, [0], { lower: [1], upper: [0] })).toThrow(RangeError);
    expect(() => bobyqa(f, [0, 0], { lower: [0] })).toThrow(RangeError);
    expect(() => bobyqa(f, [NaN])).toThrow(RangeError);
    expect(() => bobyqa(f, [0], { rhobeg: -1 })).toThrow(RangeError);
    expect(() => bobyqa(f, [0], { maxfun: 0 })).toThrow(RangeError);
  });
});

describe("bobyqa: one variable", () => {
  it("minimizes unbounded 1-D functions", () => {
    // f = (x-3)^2 + cos x has f' = 2(x-3) - sin x = 0 at x = 3.0471507...; checked with Newton's method.
    let xs = 3;
    for (let i = 0; i < 50; i++) xs -= (2 * (xs - 3) - Math.sin(xs)) / (2 - Math.cos(xs));
    const r = run((x) => (x[0]! - 3) ** 2 + Math.cos(x[0]!), [0]);
    expect(r.status).toBe("converged");
    expect(Math.abs(r.x[0]! - xs)).toBeLessThan(1e-6);

    const r2 = run((x) => Math.cosh(x[0]! - 10), [0]);
    expect(r2.status).toBe("converged");
    expect(Math.abs(r2.x[0]! - 10)).toBeLessThan(1e-6);
  });

  it("minimizes bounded 1-D functions, interior and on the bound", () => {
    const r = run((x) => Math.exp(x[0]!) - 2 * x[0]!, [-4], { lower: [-5], upper: [5] });
    expect(r.status).toBe("converged");
    expect(Math.abs(r.x[0]! - Math.LN2)).toBeLessThan(1e-6);

    for (const x0 of [0, 1e-9, 0.3, 10]) {
      const rb = run((x) => (x[0]! + 0.5) ** 2 + Math.sin(x[0]!), [x0], { lower: [0] });
      expect(rb.status).toBe("converged");
      expect(rb.x[0]).toBe(0);
    }
    const ru = run((x) => (x[0]! - 7) ** 2, [0], { lower: [-1], upper: [2] });
    expect(ru.x[0]).toBe(2);
  });
});

describe("bobyqa: mixed-model-like problem", () => {
  it("finds the optimum with the third parameter exactly on its bound 0", () => {
    // Smooth in t = (t0, t1, t2) with lower bounds [0, -Inf, 0]; df/dt2 = 0.5 + 0.2 t0 > 0 at t2 = 0,
    // so the minimum is t = (0.8, -0.04, 0) with f = 0.
    const f = (t: Float64Array) => {
      const [t0, t1, t2] = [t[0]!, t[1]!, t[2]!];
      return (t0 - 0.8) ** 2 + Math.log(1 + (t1 + 0.3 * t0 - 0.2) ** 2) + t2 * (0.5 + 0.2 * t0) + t2 * t2 + 0.1 * t1 * t1 * t2;
    };
    const options = { lower: [0, -Infinity, 0] };
    const r = run(f, [1, 0, 1], options);
    expect(r.status).toBe("converged");
    expect(r.x[2]).toBe(0);
    expect(Math.abs(r.x[0]! - 0.8)).toBeLessThan(1e-6);
    expect(Math.abs(r.x[1]! + 0.04)).toBeLessThan(1e-6);
    expect(r.fx).toBeLessThan(1e-12);
  });
});

describe("bobyqa: non-finite values", () => {
  it("treats NaN as a large value and still converges", () => {
    // x0 - log(x0) is NaN for x0 < 0; the start at 0.1 with rhobeg 0.2 evaluates there.
    let bad = 0;
    const f = (x: Float64Array) => {
      const v = x[0]! - Math.log(x[0]!) + (x[1]! - 1) ** 2 + 0.5 * x[0]! * x[1]!;
      if (Number.isNaN(v)) bad++;
      return v;
    };
    const r = run(f, [0.1, 0]);
    expect(bad).toBeGreaterThan(0);
    expect(r.status).toBe("converged");
    // Stationary point: x1 = 1 - x0/4 and x0^2 - 12 x0 + 8 = 0.
    const x0 = 6 - Math.sqrt(28);
    expect(maxAbsDiff(r.x, [x0, 1 - x0 / 4])).toBeLessThan(1e-6);
    expect(Number.isFinite(r.fx)).toBe(true);
  });

  it("treats Infinity as a large value", () => {
    const f = (x: Float64Array) => (x[0]! < 0.2 ? Infinity : (x[0]! - 1) ** 2 + (x[1]! - 1) ** 2 + (x[0]! * x[1]! - 1) ** 2);
    const r = run(f, [0.25, 3]);
    expect(r.status).toBe("converged");
    expect(maxAbsDiff(r.x, [1, 1])).toBeLessThan(1e-6);
  });

  it("does not crash when f is never finite", () => {
    const r = run(() => NaN, [1, 2]);
    expect(Number.isNaN(r.fx)).toBe(true);
    expect(r.evaluations).toBeGreaterThan(0);
    expect(r.message).toMatch(/never returned a finite value/);
  });
});

describe("bobyqa: stopping rules and bookkeeping", () => {
  const f = (x: Float64Array) => (x[0]! - 1) ** 4 + (x[1]! - 2) ** 2 + Math.cosh(x[0]!);

  it("respects maxfun, also below npt", () => {
    for (const maxfun of [1, 3, 20]) {
      const r = run(f, [0, 0], { maxfun });
      expect(r.status).toBe("maxfun");
      expect(r.evaluations).toBe(maxfun);
    }
  });

  it("cancels when onEvaluation returns false", () => {
    const seen: number[] = [];
    const r = run(f, [0, 0], {
      onEvaluation: (x, fx, evaluations) => {
        expect(x.length).toBe(2);
        expect(fx).toBe(f(x));
        seen.push(evaluations);
        return evaluations < 12;
      },
    });
    expect(r.status).toBe("cancelled");
    expect(r.evaluations).toBe(12);
    expect(seen).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  });

  it("counts evaluations exactly and returns the best evaluated point", () => {
    const values: number[] = [];
    const r = run(
      (x) => {
        const v = f(x);
        values.push(v);
        return v;
      },
      [0, 0],
    );
    expect(r.status).toBe("converged");
    expect(values.length).toBe(r.evaluations);
    expect(r.fx).toBe(Math.min(...values));
    expect(r.fx).toBe(f(r.x));
  });

  it("stops early with ftolAbs and xtolAbs", () => {
    const full = run(f, [0, 0]);
    const ftol = run(f, [0, 0], { ftolAbs: 1e-6 });
    expect(ftol.status).toBe("converged");
    expect(ftol.message).toMatch(/ftolAbs/);
    expect(ftol.evaluations).toBeLessThan(full.evaluations);
    expect(ftol.fx - full.fx).toBeLessThan(1e-5);
    const xtol = run(f, [0, 0], { xtolAbs: 1e-3 });
    expect(xtol.status).toBe("converged");
    expect(xtol.evaluations).toBeLessThan(full.evaluations);
    expect(maxAbsDiff(xtol.x, full.x)).toBeLessThan(1e-2);
  });

  it("evaluates once when every variable is fixed", () => {
    const r = run((x) => x[0]! + x[1]!, [5, 5], { lower: [1, 2], upper: [1, 2] });
    expect(r.evaluations).toBe(1);
    expect(r.fx).toBe(3);
    expect(Array.from(r.x)).toEqual([1, 2]);
  });
});
