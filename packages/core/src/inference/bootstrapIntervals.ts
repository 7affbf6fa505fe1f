/**
 * Parametric bootstrap confidence intervals, as lme4's `confint(m, method = "boot", nsim, seed)`.
 *
 * lme4 (`bootMer`) sets R's seed, simulates all nsim responses from the fitted model in one call of
 * `simulate(m, nsim, use.u = FALSE)`, refits the model to each, and takes the statistic
 * (SDs/correlations and σ on lme4's scale, then β) of every refit; `boot::boot.ci` turns the
 * replicates into intervals. Here R's random numbers (`RRandom`) are drawn in lme4's order, so the
 * same seed gives the same simulated responses and, up to the optimizer's precision, the same intervals.
 */
import { requireRows } from "../model/requireRows.js";
import type { Model } from "../model/Model.js";
import { fitModel } from "../fit/fit.js";
import { HlmError } from "../HlmError.js";
import { thetaLayout, type ThetaLayout } from "../model/thetaLayout.js";
import type { LmmFit } from "../fit/LmmFit.js";
import { modelParameters, thetaToSdCor, type IntervalRow, type ParameterIntervals } from "./parameterIntervals.js";
import { qnorm, RRandom } from "./rRandom.js";

/** Options of `bootstrapIntervals` (lme4's arguments of `confint(method = "boot")`). */
export interface BootstrapOptions {
  /** Number of simulated responses and refits (lme4's `nsim`, default 500). */
  nsim?: number;
  /** R's `set.seed(seed)` before the simulation; default a random seed, reported in the result. */
  seed?: number;
  /** Confidence level (default 0.95). */
  level?: number;
  /** The kind of interval (lme4's `boot.type`): percentile (default), basic or normal. */
  type?: BootstrapType;
  /** Called after each refit; return false to cancel (then HlmError "CANCELLED"). */
  onProgress?: (done: number, total: number) => void | boolean;
}

/** `boot::boot.ci`'s interval types that lme4 offers. */
export type BootstrapType = "perc" | "basic" | "norm";

/** Bootstrap intervals with the bootstrap's own record. */
export interface BootstrapIntervals extends ParameterIntervals {
  nsim: number;
  /** The seed used (the one given, or the random one drawn). */
  seed: number;
  /** Refits that failed (left out of the replicates and the intervals). */
  failed: number;
  /** Per parameter row, the estimates of the refits that succeeded (nsim − failed of them), in simulation order. */
  replicates: Float64Array[];
}

/** The parameters a simulation is drawn from: β, θ (Λθ's entries) and σ. */
export interface SimulationParameters {
  beta: ArrayLike<number>;
  theta: ArrayLike<number>;
  sigma: number;
}

/**
 * Parametric bootstrap intervals of the model's parameters (lme4's `confint(fit, method = "boot")`):
 * nsim responses y* simulated from the fit (as lme4's `simulate`), the model refitted to each (by
 * the same criterion, REML or ML, starting from θ̂ as lme4's `refit`), and `boot.ci`'s interval of
 * each parameter from the replicates. A model with a residual structure is refused (HlmError
 * "OPTIONS"): the simulation does not follow it.
 */
export function bootstrapIntervals(model: Model, fit: LmmFit, options: BootstrapOptions = {}): BootstrapIntervals {
  requireRows(model, "Bootstrap intervals", "refit the model to responses simulated row by row");
  const steps = bootstrapSteps(model, fit, options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * `bootstrapIntervals` that lets its thread breathe: between refits it yields to the event loop
 * (a macrotask) whenever `sliceMs` (default 40 ms) have passed since it last did, so that a page or
 * Excel's shared runtime stays responsive while hundreds of refits run. The same draws and results.
 */
export async function bootstrapIntervalsAsync(model: Model, fit: LmmFit, options: BootstrapOptions & { sliceMs?: number } = {}): Promise<BootstrapIntervals> {
  const slice = options.sliceMs ?? 40;
  const steps = bootstrapSteps(model, fit, options);
  let since = Date.now();
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    if (Date.now() - since >= slice) {
      await nextTask();
      since = Date.now();
    }
  }
}

/** Resolves in a later task of the event loop (setTimeout 0, in Node, pages and workers alike; core's own types know no timers). */
function nextTask(): Promise<void> {
  const { setTimeout } = globalThis as unknown as { setTimeout(callback: () => void, ms: number): unknown };
  return new Promise((resolve) => void setTimeout(resolve, 0));
}

/** The bootstrap, one refit per step (it yields after each); its return value is the result. */
function* bootstrapSteps(model: Model, fit: LmmFit, options: BootstrapOptions): Generator<void, BootstrapIntervals, void> {
  if (model.residual || fit.residual) {
    throw new HlmError("OPTIONS", "Bootstrap intervals are not available for a model with a residual correlation structure or variance function (the simulated responses do not yet follow the structure); use Wald intervals (method wald) for the fixed effects.");
  }
  const { nsim, seed, level, type } = bootstrapSettings(options);
  const layout = thetaLayout(model.reTerms);
  const parameters = modelParameters(layout, fit);
  const simulation = simulateResponses(model, { beta: fit.fixef, theta: fit.theta, sigma: fit.sigma }, nsim, seed);
  const estimates: Float64Array[] = [];
  const failures = new Map<string, number>();
  const refitWarnings = new Map<string, number>();
  for (let k = 0; k < nsim; k++) {
    const yStar = simulation.next();
    try {
      const refit = fitModel({ ...model, y: yStar }, { satterthwaite: false, thetaStart: fit.theta });
      estimates.push(statistic(layout, refit));
      for (const w of refit.warnings) if (w.code === "singular" || w.code === "convergence") count(refitWarnings, w.code);
    } catch (e) {
      if (e instanceof HlmError && e.code === "CANCELLED") throw e;
      count(failures, e instanceof Error ? e.message : String(e));
    }
    if (options.onProgress?.(k + 1, nsim) === false) {
      throw new HlmError("CANCELLED", `The bootstrap was cancelled after ${k + 1} of ${nsim} refits.`);
    }
    yield;
  }
  const failed = nsim - estimates.length;
  if (estimates.length === 0) {
    throw new HlmError("FIT", `All ${nsim} bootstrap refits failed: ${[...failures.keys()][0]}`);
  }
  const replicates = parameters.map((_, j) => Float64Array.from(estimates, (t) => t[j]!));
  const warnings = refitMessages(failures, refitWarnings, nsim);
  if (model.weights) warnings.push(WEIGHTS_IGNORED);
  const rows: IntervalRow[] = parameters.map((par, j) => {
    const { lower, upper, warning } = bootInterval(par.estimate, replicates[j]!, level, type);
    if (warning) warnings.push(`${par.parameter}: ${warning}`);
    return { ...par, lower, upper };
  });
  return { method: "boot", level, rows, warnings: [...new Set(warnings)], nsim, seed, failed, replicates };
}

/** lme4 1.1-31's `simulate` draws the residuals of a weighted LMM with variance σ², not σ²/w; so does this. */
const WEIGHTS_IGNORED = "The simulated responses ignore the prior weights (residual variance σ² for every observation), as lme4's simulate does.";

/** The options checked, with lme4's defaults. */
function bootstrapSettings(options: BootstrapOptions): { nsim: number; seed: number; level: number; type: BootstrapType } {
  const { nsim = 500, level = 0.95, type = "perc" } = options;
  if (!Number.isInteger(nsim) || nsim < 1) throw new HlmError("OPTIONS", `The number of bootstrap simulations must be a whole number of at least 1, not ${nsim}.`);
  if (!(level > 0 && level < 1)) throw new HlmError("OPTIONS", `The confidence level must be between 0 and 1 (as 0.95), not ${level}.`);
  if (!["perc", "basic", "norm"].includes(type)) throw new HlmError("OPTIONS", `The bootstrap interval type must be "perc", "basic" or "norm", not ${JSON.stringify(type)}.`);
  const seed = options.seed ?? randomSeed();
  if (!Number.isInteger(seed) || Math.abs(seed) > 2147483647) throw new HlmError("OPTIONS", `The seed must be a whole number between -2147483647 and 2147483647 (as R's set.seed), not ${seed}.`);
  return { nsim, seed, level, type };
}

/** A seed for R's set.seed when none is given: a random positive 31-bit integer. */
function randomSeed(): number {
  return 1 + Math.floor(Math.random() * 2147483646);
}

/** The statistic of one refit (lme4's bootFun): SDs, correlations and σ (`Cv_to_Sv`), then β̂. */
function statistic(layout: ThetaLayout, refit: LmmFit): Float64Array {
  const sdcor = thetaToSdCor(layout, refit.theta, refit.sigma);
  const t = new Float64Array(sdcor.length + refit.fixef.length);
  t.set(sdcor);
  t.set(refit.fixef, sdcor.length);
  return t;
}

function count(m: Map<string, number>, key: string): void {
  m.set(key, (m.get(key) ?? 0) + 1);
}

/** The warnings about the refits: failures (lme4: "some bootstrap runs failed"), singular and unconverged fits. */
function refitMessages(failures: Map<string, number>, refitWarnings: Map<string, number>, nsim: number): string[] {
  const out: string[] = [];
  for (const [message, k] of failures) out.push(`${k} of ${nsim} bootstrap refits failed: ${message}`);
  const singular = refitWarnings.get("singular");
  if (singular) out.push(`${singular} of ${nsim} bootstrap refits are singular (boundary) fits.`);
  const convergence = refitWarnings.get("convergence");
  if (convergence) out.push(`${convergence} of ${nsim} bootstrap refits gave a convergence warning.`);
  return out;
}

/**
 * Responses simulated from the model as lme4's `simulate(m, nsim, seed, use.u = FALSE)` draws them:
 * y* = Xβ + offset + σ (Z Λθ u + ε) with u ~ N(0, I_q) and ε ~ N(0, I_n). R draws all nsim u vectors
 * first (q × nsim, column by column), then all nsim ε vectors (n × nsim); u is in the order of the
 * rows of lme4's Zt (term by term, level by level, the term's columns within a level). Two streams
 * of R's generator, the second moved past the 2·q·nsim uniforms of the u's, give the same draws one
 * simulation at a time. As lme4 1.1-31, the noise ignores prior weights.
 */
export function simulateResponses(model: Model, parameters: SimulationParameters, nsim: number, seed: number): { next(): Float64Array } {
  const { n } = model;
  const q = model.reTerms.reduce((s, t) => s + t.p * t.nl, 0);
  const uStream = new RRandom(seed);
  const epsilonStream = new RRandom(seed);
  epsilonStream.skipUniforms(2 * q * nsim);
  const eta = fixedPredictor(model, parameters.beta);
  const templates = termTemplates(model, parameters.theta);
  const { sigma } = parameters;
  return {
    next(): Float64Array {
      const b = randomEffects(templates, uStream.normal(q), model);
      const zb = zTimes(model, b);
      const y = new Float64Array(n);
      for (let t = 0; t < n; t++) y[t] = eta[t]! + sigma * (zb[t]! + epsilonStream.norm());
      return y;
    },
  };
}

/** The fixed part of the linear predictor, Xβ + offset. */
function fixedPredictor(model: Model, beta: ArrayLike<number>): Float64Array {
  const { n, p, X, offset } = model;
  const eta = offset ? Float64Array.from(offset) : new Float64Array(n);
  for (let j = 0; j < p; j++) {
    const bj = beta[j]!;
    for (let t = 0; t < n; t++) eta[t]! += X[j * n + t]! * bj;
  }
  return eta;
}

/** Per term, its template T_i (row-major p_i × p_i, lower triangular) from θ. */
function termTemplates(model: Model, theta: ArrayLike<number>): Float64Array[] {
  let k = 0;
  return model.reTerms.map(({ p }) => {
    const T = new Float64Array(p * p);
    for (let c = 0; c < p; c++) for (let r = c; r < p; r++) T[r * p + c] = theta[k++]!;
    return T;
  });
}

/** b = Λθ u: per term and level, b_l = T_i u_l on that level's p_i entries. */
function randomEffects(templates: Float64Array[], u: Float64Array, model: Model): Float64Array {
  const b = new Float64Array(u.length);
  let offset = 0;
  model.reTerms.forEach(({ p, nl }, i) => {
    const T = templates[i]!;
    for (let l = 0; l < nl; l++, offset += p) {
      for (let r = 0; r < p; r++) {
        let s = 0;
        for (let c = 0; c <= r; c++) s += T[r * p + c]! * u[offset + c]!;
        b[offset + r] = s;
      }
    }
  });
  return b;
}

/** Z b: in row t, per term, the term's z row times the b of the row's level. */
function zTimes(model: Model, b: Float64Array): Float64Array {
  const out = new Float64Array(model.n);
  let offset = 0;
  for (const { p, nl, z, refs } of model.reTerms) {
    for (let t = 0; t < model.n; t++) {
      const at = offset + refs[t]! * p;
      let s = 0;
      for (let c = 0; c < p; c++) s += z[t * p + c]! * b[at + c]!;
      out[t]! += s;
    }
    offset += p * nl;
  }
  return out;
}

/**
 * `boot::boot.ci(type)` for one parameter: the percentile interval (the α/2 and 1 − α/2 quantiles of
 * the replicates t*), the basic one (2 t̂ − those quantiles, swapped), or the normal one
 * (t̂ − bias ∓ z·sd(t*), bias = mean(t*) − t̂). Non-finite replicates are left out, as boot does.
 */
export function bootInterval(estimate: number, replicates: ArrayLike<number>, level: number, type: BootstrapType): { lower: number; upper: number; warning?: string } {
  const t = Array.from(replicates).filter(Number.isFinite);
  if (t.length === 0 || isConstant(t)) return { lower: NaN, upper: NaN, warning: "all bootstrap values are equal, so no interval can be computed." };
  if (type === "norm") {
    const mean = t.reduce((s, v) => s + v, 0) / t.length;
    const variance = t.reduce((s, v) => s + (v - mean) ** 2, 0) / (t.length - 1);
    const bias = mean - estimate;
    const margin = Math.sqrt(variance) * qnorm((1 + level) / 2);
    return { lower: estimate - bias - margin, upper: estimate - bias + margin };
  }
  const sorted = Float64Array.from(t).sort();
  if (type === "perc") {
    const { values, extreme } = normInter(sorted, [(1 - level) / 2, (1 + level) / 2]);
    return { lower: values[0]!, upper: values[1]!, ...(extreme ? { warning: EXTREME } : {}) };
  }
  const { values, extreme } = normInter(sorted, [(1 + level) / 2, (1 - level) / 2]);
  return { lower: 2 * estimate - values[0]!, upper: 2 * estimate - values[1]!, ...(extreme ? { warning: EXTREME } : {}) };
}

const EXTREME = "extreme order statistics used as endpoints (too few bootstrap simulations for this level).";

/** boot's `const(t, min(1e-8, mean(t)/1e6))`: every replicate within that of the mean. */
function isConstant(t: number[]): boolean {
  const mean = t.reduce((s, v) => s + v, 0) / t.length;
  const eps = Math.min(1e-8, mean / 1e6);
  return t.every((v) => Math.abs(v - mean) < eps);
}

/**
 * boot's `norm.inter`: the α quantile of the sorted replicates t*_(1) ≤ … ≤ t*_(R) as the order
 * statistic (R + 1)α when that is a whole number, else interpolated between t*_(k) and t*_(k+1),
 * k = ⌊(R + 1)α⌋, linearly on the normal-quantile scale Φ⁻¹(k/(R+1)); the extremes outside.
 */
export function normInter(sorted: Float64Array, alphas: number[]): { values: number[]; extreme: boolean } {
  const R = sorted.length;
  let extreme = false;
  const values = alphas.map((alpha) => {
    const rk = (R + 1) * alpha;
    if (!(rk > 1 && rk < R)) extreme = true;
    const k = Math.trunc(rk);
    if (k === 0) return sorted[0]!;
    if (k >= R) return sorted[R - 1]!;
    if (k === rk) return sorted[k - 1]!;
    const z = qnorm(alpha);
    const zk = qnorm(k / (R + 1));
    const zk1 = qnorm((k + 1) / (R + 1));
    const tk = sorted[k - 1]!;
    const tk1 = sorted[k]!;
    return tk + ((z - zk) / (zk1 - zk)) * (tk1 - tk);
  });
  return { values, extreme };
}
