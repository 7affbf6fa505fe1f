import { HlmError } from "../HlmError.js";
import type { Objective } from "../objective/Objective.js";
import { bobyqa } from "./bobyqa.js";
import type { OptSummary } from "./OptSummary.js";

/** Progress of the optimizer, for a progress bar or a log. */
export interface OptimizerProgress {
  evaluations: number;
  objective: number;
  bestObjective: number;
}

/** Options of the optimizer stage. */
export interface OptimizeOptions {
  /** Called after each evaluation; return false to cancel (the fit then throws HlmError "CANCELLED"). */
  onProgress?: (progress: OptimizerProgress) => boolean | void;
  /** Maximum number of objective evaluations (default 100,000, as lme4's nloptwrap). */
  maxEvaluations?: number;
  /** Starting θ (default: identity templates, as lme4). */
  thetaStart?: ArrayLike<number>;
  /**
   * Restart BOBYQA from its optimum, with new initial steps there, until a run improves the
   * objective by less than 1e-7 (at most this many restarts; default 0, as lme4). A residual
   * structure's parameters are on scales unlike θ's, where one run can stop short of the optimum.
   */
  restarts?: number;
  /**
   * BOBYQA's stopping rule: the trust region's final radius relative to the first (`xtolRel`,
   * default 1e-4, nloptr's xtol_rel) and the smallest change of the objective an accepted step may
   * make (`ftolAbs`, default 1e-8, lme4's ftol_abs). Tighter values find the optimum more exactly
   * than lme4 does (to compare two ways of computing the same objective, say).
   */
  stopping?: { xtolRel?: number; ftolAbs?: number };
}

/** Minimizes the objective over θ with BOBYQA and checks the result as lme4 does. */
export function optimize(objective: Objective, options: OptimizeOptions = {}): OptSummary {
  let opt = optimizeOnce(objective, options);
  for (let r = 0; r < (options.restarts ?? 0); r++) {
    const again = optimizeOnce(objective, { ...options, thetaStart: opt.theta }, 0.1);
    const gain = opt.fmin - again.fmin;
    const evaluations = opt.evaluations + again.evaluations;
    if (gain > 0) opt = { ...again, thetaInitial: opt.thetaInitial, evaluations, warnings: again.warnings };
    else opt = { ...opt, evaluations };
    if (!(gain > 1e-7)) break;
  }
  return opt;
}

/** One BOBYQA run; a restart from an optimum (`stepScale` < 1) starts with its trust region that much smaller, and ends where a first run would. */
function optimizeOnce(objective: Objective, options: OptimizeOptions, stepScale = 1): OptSummary {
  const { layout } = objective;
  const start = Float64Array.from(options.thetaStart ?? layout.initial);
  let best = Infinity;
  let cancelled = false;
  // NLopt's BOBYQA, as lme4's nloptwrap calls it, starts from NLopt's default initial steps and
  // works on θ_i / s_i with s_i = dx_i / dx_0 and rhobeg = dx_0: the same iteration here
  const dx = initialSteps(start, layout.lower);
  const s = dx.map((d) => d / dx[0]!);
  const theta = new Float64Array(layout.size);
  const toTheta = (y: Float64Array): Float64Array => {
    for (let i = 0; i < y.length; i++) theta[i] = y[i]! * s[i]!;
    return theta;
  };
  const result = bobyqa((y) => objective.evaluate(toTheta(y)), start.map((t, i) => t / s[i]!), {
    lower: Array.from(layout.lower, (l, i) => l / s[i]!),
    // lme4's nloptwrap stops BOBYQA when an accepted step changes the objective by < 1e-8 (ftol_abs)
    rhobeg: stepScale * dx[0]!,
    // and ends it at rho = xtol_rel · rhobeg (nloptr's default xtol_rel, 1e-4)
    rhoend: (options.stopping?.xtolRel ?? 1e-4) * dx[0]!,
    ftolAbs: options.stopping?.ftolAbs ?? 1e-8,
    maxfun: options.maxEvaluations ?? 100_000,
    onEvaluation: (_y, f, evaluations) => {
      if (f < best) best = f;
      if (options.onProgress && options.onProgress({ evaluations, objective: f, bestObjective: best }) === false) {
        cancelled = true;
        return false;
      }
      return true;
    },
  });
  if (cancelled || result.status === "cancelled") throw new HlmError("CANCELLED", "The fit was cancelled.");
  theta.set(toTheta(result.x));
  let fmin = result.fx;
  let evaluations = result.evaluations;
  // lme4's check.boundary: parameters within 1e-5 of the bound 0 are tried at 0 together; then each
  // diagonal below 1e-4 (lme4's singularity tolerance) alone. A trial is kept when the objective does
  // not rise by more than 1e-8, the optimizer's own tolerance (NLopt's BOBYQA, which lme4 uses, puts
  // such parameters on the bound itself).
  let movedToBoundary = false;
  const tryAtZero = (indices: number[]): void => {
    if (indices.length === 0) return;
    const trial = Float64Array.from(theta);
    for (const i of indices) trial[i] = 0;
    const f = objective.evaluate(trial);
    evaluations++;
    if (f <= fmin + 1e-8) {
      theta.set(trial);
      fmin = f;
      movedToBoundary = true;
    }
  };
  const nearZero = (limit: number): number[] => {
    const out: number[] = [];
    for (let i = 0; i < layout.size; i++) if (layout.lower[i] === 0 && theta[i]! > 0 && theta[i]! < limit) out.push(i);
    return out;
  };
  tryAtZero(nearZero(1e-5));
  for (const i of nearZero(1e-4)) tryAtZero([i]);
  const warnings: string[] = [];
  if (result.status === "maxfun") warnings.push(`The optimizer stopped after ${result.evaluations} evaluations without converging.`);
  if (result.status === "roundoff") warnings.push(`The optimizer stopped early: ${result.message}.`);
  return {
    optimizer: "bobyqa",
    thetaInitial: [...start],
    theta: [...theta],
    fmin,
    evaluations,
    status: result.status,
    movedToBoundary,
    warnings,
  };
}

/**
 * NLopt's default initial step of each parameter (nlopt_set_default_initial_step, lower bounds
 * only): 0.75 of the distance to a lower bound below it, else |θ_i|, else 1.
 */
export function initialSteps(theta: Float64Array, lower: ArrayLike<number>): Float64Array {
  return theta.map((t, i) => {
    const lb = lower[i]!;
    if (Number.isFinite(lb) && t > lb) return 0.75 * (t - lb);
    return t !== 0 ? Math.abs(t) : 1;
  });
}
