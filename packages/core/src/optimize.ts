import { HlmError } from "./HlmError.js";
import type { Objective } from "./makeObjective.js";
import { bobyqa } from "./optim/bobyqa.js";

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
}

/** What the optimizer did (MixedModels.jl's `OptSummary`). */
export interface OptSummary {
  optimizer: "bobyqa";
  thetaInitial: number[];
  theta: number[];
  /** Objective at the optimum. */
  fmin: number;
  evaluations: number;
  status: string;
  /** Gradient of the objective at the optimum (central differences). */
  gradient: number[];
  /** max over components of min(|scaled gradient|, |gradient|), lme4's convergence statistic. */
  maxGradient: number;
  /** Parameters moved onto their bound of 0 after the optimizer stopped within 1e-5 of it. */
  movedToBoundary: boolean;
  /** Convergence problems, in lme4's words. */
  warnings: string[];
}

/** Minimizes the objective over θ with BOBYQA and checks the result as lme4 does. */
export function optimize(objective: Objective, options: OptimizeOptions = {}): OptSummary {
  const { layout } = objective;
  const start = Float64Array.from(options.thetaStart ?? layout.initial);
  let best = Infinity;
  let cancelled = false;
  const result = bobyqa((theta) => objective.evaluate(theta), start, {
    lower: layout.lower,
    rhobeg: 0.2,
    rhoend: 1e-7,
    maxfun: options.maxEvaluations ?? 100_000,
    onEvaluation: (_x, f, evaluations) => {
      if (f < best) best = f;
      if (options.onProgress && options.onProgress({ evaluations, objective: f, bestObjective: best }) === false) {
        cancelled = true;
        return false;
      }
      return true;
    },
  });
  if (cancelled || result.status === "cancelled") throw new HlmError("CANCELLED", "The fit was cancelled.");
  const theta = Float64Array.from(result.x);
  let fmin = result.fx;
  let evaluations = result.evaluations;
  // lme4's check.boundary: parameters within 1e-5 of the bound 0 are tried at 0
  let movedToBoundary = false;
  const edge: number[] = [];
  for (let i = 0; i < layout.size; i++) if (layout.lower[i] === 0 && theta[i]! > 0 && theta[i]! < 1e-5) edge.push(i);
  if (edge.length > 0) {
    const trial = Float64Array.from(theta);
    for (const i of edge) trial[i] = 0;
    const f = objective.evaluate(trial);
    evaluations++;
    if (f < fmin) {
      theta.set(trial);
      fmin = f;
      movedToBoundary = true;
    }
  }
  const warnings: string[] = [];
  if (result.status === "maxfun") warnings.push(`The optimizer stopped after ${result.evaluations} evaluations without converging.`);
  if (result.status === "roundoff") warnings.push(`The optimizer stopped early: ${result.message}.`);
  const { gradient, maxGradient, problem } = convergenceCheck(objective, theta);
  if (problem) warnings.push(problem);
  else if (maxGradient > 0.002) {
    warnings.push(`Model failed to converge with max|grad| = ${maxGradient.toPrecision(6)} (tol = 0.002).`);
  }
  return {
    optimizer: "bobyqa",
    thetaInitial: [...start],
    theta: [...theta],
    fmin,
    evaluations,
    status: result.status,
    gradient,
    maxGradient,
    movedToBoundary,
    warnings,
  };
}

/**
 * lme4's checkConv: gradient and Hessian of the objective by central differences (step 1e-4),
 * the gradient scaled by the Hessian's Cholesky factor, and max(min(|scaled|, |raw|)).
 */
function convergenceCheck(objective: Objective, theta: Float64Array): { gradient: number[]; maxGradient: number; problem?: string } {
  const k = theta.length;
  const h = 1e-4;
  const f0 = objective.evaluate(theta);
  const x = Float64Array.from(theta);
  const at = (i: number, di: number, j = -1, dj = 0): number => {
    x.set(theta);
    x[i]! += di;
    if (j >= 0) x[j]! += dj;
    return objective.evaluate(x);
  };
  const g: number[] = [];
  const H: number[][] = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < k; i++) {
    const fp = at(i, h);
    const fm = at(i, -h);
    g.push((fp - fm) / (2 * h));
    H[i]![i] = (fp - 2 * f0 + fm) / (h * h);
    for (let j = 0; j < i; j++) {
      const v = (at(i, h, j, h) - at(i, h, j, -h) - at(i, -h, j, h) + at(i, -h, j, -h)) / (4 * h * h);
      H[i]![j] = v;
      H[j]![i] = v;
    }
  }
  if (g.some((v) => !Number.isFinite(v))) return { gradient: g, maxGradient: NaN, problem: "The gradient at the optimum could not be evaluated." };
  // scaled gradient: solve(chol(H), g) with chol upper: R'R = H, so solve R s = g
  const L = new Float64Array(k * k);
  for (let i = 0; i < k; i++) for (let j = 0; j <= i; j++) L[i * k + j] = H[i]![j]!;
  let ok = true;
  for (let i = 0; i < k && ok; i++) {
    for (let j = 0; j <= i; j++) {
      let s = L[i * k + j]!;
      for (let m = 0; m < j; m++) s -= L[i * k + m]! * L[j * k + m]!;
      if (i === j) {
        if (!(s > 0)) ok = false;
        else L[i * k + i] = Math.sqrt(s);
      } else L[i * k + j] = s / L[j * k + j]!;
    }
  }
  if (!ok) {
    // lme4 reports a Hessian that is not positive definite, except at a singular fit where it is expected
    const singular = [...theta].some((v, i) => objective.layout.lower[i] === 0 && v === 0);
    const maxAbs = Math.max(...g.map(Math.abs));
    return singular || maxAbs < 0.002
      ? { gradient: g, maxGradient: maxAbs }
      : { gradient: g, maxGradient: maxAbs, problem: "Model failed to converge: the Hessian of the objective at the optimum is not positive definite." };
  }
  // R = L' (upper); R s = g: back substitution with L'
  const s = Float64Array.from(g);
  for (let i = k - 1; i >= 0; i--) {
    let v = s[i]!;
    for (let j = i + 1; j < k; j++) v -= L[j * k + i]! * s[j]!;
    s[i] = v / L[i * k + i]!;
  }
  let maxGradient = 0;
  for (let i = 0; i < k; i++) maxGradient = Math.max(maxGradient, Math.min(Math.abs(s[i]!), Math.abs(g[i]!)));
  return { gradient: g, maxGradient };
}
