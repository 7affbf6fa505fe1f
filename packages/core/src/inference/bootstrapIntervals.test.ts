import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { conformanceDir } from "../../test/compareReference.js";
import { bootInterval, bootstrapIntervals, bootstrapIntervalsAsync, normInter, simulateResponses, type BootstrapType } from "./bootstrapIntervals.js";
import { buildModel } from "../model/buildModel.js";
import { type Model } from "../model/Model.js";
import { fitModel } from "../fit/fit.js";
import { HlmError } from "../HlmError.js";
import { readCsv } from "../io/readCsv.js";

/** Written by test/fixtures/bootstrap/bootstrap.R (lme4 1.1-31's confint(m, method = "boot"), bootMer, simulate). */
interface BootstrapReference {
  name: string;
  formula: string;
  REML: boolean;
  factors: string[];
  data: string;
  seed: number;
  nsim: number;
  level: number;
  parameters: string[];
  estimates: number[];
  theta: number[];
  beta: number[];
  sigma: number;
  intervals: { type: BootstrapType; lower: number[]; upper: number[] }[];
  failed: number;
  /** nsim × parameters: lme4's bootMer replicates t. */
  replicates: number[][];
  /** simulate(m, nsim = 2, seed): the first 12 responses of each simulation. */
  simulated: number[][];
  /** simulate(m, nsim = 2, seed): the last response of each simulation. */
  simulatedTail: number[];
  lme4_seconds: number;
  /** For REML models with p > 1: replicates and intervals of correct REML refits of the same responses. */
  lmerRefits?: { replicates: number[][]; intervals: BootstrapReference["intervals"] };
}

const references = JSON.parse(readFileSync(new URL("../../test/fixtures/bootstrap/bootstrap.json", import.meta.url), "utf8")) as BootstrapReference[];

function modelOf(ref: BootstrapReference): Model {
  const table = readCsv(readFileSync(`${conformanceDir}${ref.data}`, "utf8"));
  return buildModel(table, ref.formula, { REML: ref.REML, factors: ref.factors });
}

const relErr = (got: number, want: number): number => Math.abs(got - want) / Math.max(Math.abs(want), 1e-300);

describe("lme4's simulate(m, nsim, seed): the same draws", () => {
  it.each(references)("$name", (ref) => {
    const model = modelOf(ref);
    const sim = simulateResponses(model, { beta: ref.beta, theta: ref.theta, sigma: ref.sigma }, 2, ref.seed);
    for (let k = 0; k < 2; k++) {
      const y = sim.next();
      ref.simulated[k]!.forEach((v, t) => expect(relErr(y[t]!, v)).toBeLessThan(1e-9));
      expect(relErr(y[model.n - 1]!, ref.simulatedTail[k]!)).toBeLessThan(1e-9);
    }
  });
});

/**
 * The replicates and intervals to match: lme4's own, except for REML models with more than one fixed
 * effect, where lme4 1.1-31's refit() maximizes a REML criterion with n − 1 degrees of freedom instead
 * of n − p (it passes REML = TRUE, i.e. 1, for the number of fixed effects); there the reference is
 * lme4 with correct REML refits (lmer() on each of the same simulated responses).
 */
function target(ref: BootstrapReference): { replicates: number[][]; intervals: BootstrapReference["intervals"] } {
  return ref.lmerRefits ?? { replicates: ref.replicates, intervals: ref.intervals };
}

describe("prior weights", () => {
  // lme4 1.1-31: simulate(lmer(Yield ~ 1 + (1 | Batch), Dyestuff, weights = w), seed = 3) equals
  // beta + sigma * (theta * u[Batch] + e), the noise not divided by sqrt(w) (checked in R)
  it("leave the simulated noise as lme4's simulate leaves it, and say so", () => {
    const ref = references.find((r) => r.name === "dyestuff_reml")!;
    const plain = modelOf(ref);
    const model: Model = { ...plain, weights: Float64Array.from({ length: plain.n }, (_, t) => (t % 2 ? 4 : 1)) };
    const parameters = { beta: ref.beta, theta: ref.theta, sigma: ref.sigma };
    expect(simulateResponses(model, parameters, 3, 3).next()).toEqual(simulateResponses(plain, parameters, 3, 3).next());
    const b = bootstrapIntervals(model, fitModel(model, { satterthwaite: false }), { nsim: 20, seed: 3 });
    expect(b.warnings).toContain("The simulated responses ignore the prior weights (residual variance σ² for every observation), as lme4's simulate does.");
  });
});

describe("lme4's confint(m, method = 'boot', nsim, seed)", () => {
  it.each(references)("$name: replicates and intervals as lme4's", (ref) => {
    const model = modelOf(ref);
    const fit = fitModel(model, { satterthwaite: false });
    const { replicates, intervals } = target(ref);
    for (const { type, lower, upper } of intervals) {
      const started = performance.now();
      const b = bootstrapIntervals(model, fit, { nsim: ref.nsim, seed: ref.seed, type });
      const seconds = (performance.now() - started) / 1000;
      expect(b.rows.map((r) => r.parameter)).toEqual(ref.parameters);
      expect(b.failed).toBe(ref.failed);
      expect(b.seed).toBe(ref.seed);
      // each refit's estimates: the optimizers' precision apart, measured in SDs of the replicates
      const replicateDiff = maxDifference(b.replicates, replicates);
      // each interval's ends: measured in interval widths
      const intervalDiff = Math.max(...b.rows.map((r, j) => Math.max(Math.abs(r.lower - lower[j]!), Math.abs(r.upper - upper[j]!)) / (upper[j]! - lower[j]!)));
      if (process.env.BOOTSTRAP_REPORT) {
        const own = ref.intervals.find((i) => i.type === type)!;
        const lme4Diff = Math.max(...b.rows.map((r, j) => Math.max(Math.abs(r.lower - own.lower[j]!), Math.abs(r.upper - own.upper[j]!)) / (own.upper[j]! - own.lower[j]!)));
        console.log(
          `${ref.name} ${type}: replicates within ${replicateDiff.toExponential(2)} SD, intervals within ${intervalDiff.toExponential(2)} widths` +
            `${ref.lmerRefits ? ` (of lme4's own confint: ${lme4Diff.toExponential(2)} widths)` : ""}, ${seconds.toFixed(3)} s (lme4 ${ref.lme4_seconds.toFixed(2)} s)`,
        );
      }
      expect(replicateDiff).toBeLessThan(REPLICATE_TOLERANCE);
      expect(intervalDiff).toBeLessThan(INTERVAL_TOLERANCE);
    }
  });
});

/** The largest difference between our replicates and R's, per parameter in SDs of R's replicates. */
function maxDifference(ours: Float64Array[], theirs: number[][]): number {
  let max = 0;
  ours.forEach((t, j) => {
    const column = theirs.map((r) => r[j]!);
    const spread = standardDeviation(column);
    t.forEach((v, k) => (max = Math.max(max, Math.abs(v - column[k]!) / spread)));
  });
  return max;
}

/**
 * Refits of the same response by two optimizers (BOBYQA here, NLopt's BOBYQA in lme4) stop at slightly
 * different points of flat optima (singular fits, correlations near ±1), within ~1e-5 of each other in
 * the objective: measured at most 2.4e-2 replicate SDs (sleepstudy REML, replicate 151: correlation
 * 0.903 vs 0.911, REML criteria 1718.98783 vs 1718.98782), typically below 1e-3. The intervals
 * interpolate or average the replicates and move far less: measured at most 1.8e-4 interval widths.
 */
const REPLICATE_TOLERANCE = 5e-2;
const INTERVAL_TOLERANCE = 1e-3;

function standardDeviation(x: number[]): number {
  const mean = x.reduce((s, v) => s + v, 0) / x.length;
  return Math.sqrt(x.reduce((s, v) => s + (v - mean) ** 2, 0) / (x.length - 1));
}

describe("bootstrapIntervalsAsync", () => {
  it("gives the same intervals as the synchronous bootstrap, yielding to the event loop between refits", async () => {
    const ref = references.find((r) => r.name === "dyestuff_reml")!;
    const model = modelOf(ref);
    const fit = fitModel(model);
    const options = { nsim: 60, seed: ref.seed };
    const sync = bootstrapIntervals(model, fit, options);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0); // runs only while the bootstrap gives the thread back
    const asyncResult = await bootstrapIntervalsAsync(model, fit, { ...options, sliceMs: 0 });
    clearInterval(timer);
    expect(asyncResult).toEqual(sync);
    expect(ticks).toBeGreaterThan(0);
    await expect(bootstrapIntervalsAsync(model, fit, { nsim: 0 })).rejects.toThrow(HlmError);
  });
});

describe("boot.ci's interval rules", () => {
  it("interpolates order statistics on the normal-quantile scale (norm.inter)", () => {
    const t = Float64Array.from({ length: 9 }, (_, i) => i + 1);
    // R: boot:::norm.inter(1:9, c(0.2, 0.25, 0.9))
    const { values, extreme } = normInter(t, [0.2, 0.25, 0.9]);
    expect(values[0]).toBe(2);
    expect(values[1]).toBeCloseTo(2.526861810669756, 14);
    expect(values[2]).toBe(9);
    expect(extreme).toBe(true);
  });
});

describe("options", () => {
  const ref = references.find((r) => r.name === "dyestuff_reml")!;
  const model = modelOf(ref);
  const fit = fitModel(model, { satterthwaite: false });
  it.each([
    [{ nsim: 0 }, /at least 1, not 0/],
    [{ nsim: 2.5 }, /not 2\.5/],
    [{ level: 1 }, /between 0 and 1.*not 1/],
    [{ type: "bca" as BootstrapType }, /"bca"/],
    [{ seed: 1.5 }, /seed.*not 1\.5/],
  ])("refuses %o", (options, message) => {
    expect(() => bootstrapIntervals(model, fit, options)).toThrow(message);
    try {
      bootstrapIntervals(model, fit, options);
    } catch (e) {
      expect((e as HlmError).code).toBe("OPTIONS");
    }
  });

  it("reports progress, cancels when asked, and draws and reports a seed when none is given", () => {
    const seen: number[] = [];
    const b = bootstrapIntervals(model, fit, { nsim: 5, onProgress: (done) => void seen.push(done) });
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    expect(Number.isInteger(b.seed)).toBe(true);
    expect(b.replicates.every((t) => t.length === 5)).toBe(true);
    const again = bootstrapIntervals(model, fit, { nsim: 5, seed: b.seed });
    expect(again.replicates).toEqual(b.replicates);
    expect(() => bootstrapIntervals(model, fit, { nsim: 5, seed: 1, onProgress: (done) => done < 3 })).toThrow(expect.objectContaining({ code: "CANCELLED" }));
  });

  it("says so when the order statistics run out (nsim too small for the level)", () => {
    const b = bootstrapIntervals(model, fit, { nsim: 10, seed: 3 });
    expect(b.warnings.some((w) => w.includes("extreme order statistics"))).toBe(true);
  });

  it("gives no interval, with a warning, for a parameter whose replicates are all equal", () => {
    const r = bootInterval(1, [2, 2, 2], 0.95, "perc");
    expect(r.lower).toBeNaN();
    expect(r.warning).toMatch(/all bootstrap values are equal/);
  });
});

describe("bootstrapIntervals with a residual structure", () => {
  it("refuses it in one sentence, synchronously and asynchronously", async () => {
    const data = readCsv(readFileSync(new URL("../../test/conformance-nlme/Orthodont.csv", import.meta.url), "utf8"));
    const options = { REML: true, variance: "varIdent(form = ~ 1 | Sex)" };
    const model = buildModel(data, "distance ~ age * Sex + (1 | Subject)", options);
    const fit = fitModel(model, options);
    const message = "Bootstrap intervals are not available for a model with a residual correlation structure or variance function (the simulated responses do not yet follow the structure); use Wald intervals (method wald) for the fixed effects.";
    expect(() => bootstrapIntervals(model, fit, { nsim: 2, seed: 1 })).toThrow(new HlmError("OPTIONS", message));
    await expect(bootstrapIntervalsAsync(model, fit, { nsim: 2, seed: 1 })).rejects.toThrow(message);
  });
});
