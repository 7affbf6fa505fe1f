import { HlmError } from "../HlmError.js";
import type { Table } from "../io/Table.js";
import { buildModel } from "../model/buildModel.js";
import type { Model, ModelOptions } from "../model/Model.js";
import type { Objective } from "../objective/Objective.js";
import { optimize, type OptimizeOptions } from "../optim/optimize.js";
import type { OptSummary } from "../optim/OptSummary.js";
import { agqAllowed, agqObjective } from "./agqObjective.js";
import { glmFamily } from "./families.js";
import type { GlmmFit } from "./GlmmFit.js";
import { jointObjective, laplaceObjective } from "./laplaceObjective.js";
import { makeGlmmFit } from "./makeGlmmFit.js";
import { newtonPolish } from "./newtonPolish.js";
import { makePirls } from "./pirls.js";

/** Options of `fitGlmm`: the family (required) and link, the model's (factors, weights) and the optimizer's. */
export interface GlmmOptions extends Omit<ModelOptions, "REML" | "family" | "correlation" | "variance">, OptimizeOptions {
  family: "binomial" | "poisson";
  /**
   * Points of adaptive Gauss–Hermite quadrature (lme4's nAGQ): 1 (default) is the Laplace
   * approximation; more needs a single scalar random-effects term, and the criterion is then lme4's
   * (without the saturated model's −2 log-likelihood).
   */
  nAGQ?: number;
}

/**
 * Fits a generalized linear mixed model by the Laplace approximation (or adaptive quadrature), as
 * lme4's `glmer`: `buildModel`, then θ by BOBYQA with u and β from PIRLS (nAGQ = 0), then (θ, β)
 * together on the Laplace criterion (`secondStage`: Newton steps or BOBYQA, finished by Newton
 * steps), then `makeGlmmFit`.
 */
export function fitGlmm(table: Table, formula: string, options: GlmmOptions): GlmmFit {
  const model = buildModel(table, formula, { ...options, REML: false });
  return fitGlmmModel(model, options);
}

/** The fitting stages on a model already built (with `family` among its options). */
export function fitGlmmModel(model: Model, options: GlmmOptions): GlmmFit {
  const family = glmFamily(options.family, options.link);
  if (model.residual) throw new HlmError("OPTIONS", "A generalized linear mixed model takes no residual correlation structure or variance function.");
  // buildModel refuses such responses first, naming the column; this guards a model built otherwise (row 2 is the first data row, as a spreadsheet counts)
  for (let t = 0; t < model.n; t++) family.check(model.y[t]!, model.rows[t]! + 2);
  const nAGQ = options.nAGQ ?? 1;
  if (!(Number.isInteger(nAGQ) && nAGQ >= 1 && nAGQ <= 100)) throw new HlmError("OPTIONS", `nAGQ must be a whole number from 1 to 100, not ${nAGQ}.`);
  if (nAGQ > 1) agqAllowed(model);
  const pirls = makePirls(model, family);
  const { thetaStart, nAGQ: _nAGQ, ...rest } = options;
  const stage1 = optimize(jointObjective(model, pirls), { ...rest, ...(thetaStart ? { thetaStart: Array.from(thetaStart).slice(0, pirls.thetaSize) } : {}) });
  const start = pirls.joint(stage1.theta);
  const lp0 = model.offset ? start.eta.map((v, t) => v - model.offset![t]!) : start.eta;
  const laplace = laplaceObjective(model, pirls, start.u, lp0);
  const objective = nAGQ > 1 ? agqObjective(model, family, laplace, nAGQ) : laplace;
  const x0 = [...stage1.theta, ...start.beta];
  const opt = secondStage(objective, x0, rest, betaCurvature(start.fac.LRR, pirls.layoutJ.m, pirls.layoutJ.qRest, model.p), differenceSteps(model, pirls.thetaSize));
  return makeGlmmFit(model, family, pirls, objective, stage1, opt.summary, opt.polished, nAGQ);
}

/**
 * The second stage's optimum from x0, the first stage's (θ, β). With θ away from its bounds, Newton
 * steps on finite-difference derivatives (`newtonPolish`) go straight there, in fewer evaluations
 * than BOBYQA takes; where they do not converge (the Newton decrement g'H⁻¹g above 1e-6), or with θ
 * near a bound, BOBYQA (one run, no restarts) from the best point so far, then Newton steps to
 * finish what it leaves along flat ridges.
 */
function secondStage(objective: Objective, x0: number[], options: OptimizeOptions, betaBlock: number[][], deltas: number[]): { summary: OptSummary; polished: ReturnType<typeof newtonPolish> } {
  const lower = objective.layout.lower;
  const interior = x0.every((v, i) => !Number.isFinite(lower[i]!) || v - lower[i]! > 1e-3);
  let spent = 0;
  let from = x0;
  if (interior) {
    // the optimizer's progress and cancelling, as BOBYQA reports them
    let count = 0;
    let best = Infinity;
    const reported: Objective = {
      layout: objective.layout,
      evaluate: (x) => {
        const f = objective.evaluate(x);
        count++;
        if (f < best) best = f;
        if (options.onProgress && options.onProgress({ evaluations: count, objective: f, bestObjective: best }) === false) throw new HlmError("CANCELLED", "The fit was cancelled.");
        return f;
      },
    };
    const f0 = reported.evaluate(x0);
    const newton = newtonPolish(reported, x0, f0, 8, betaBlock.every((row) => row.every(Number.isFinite)) ? { betaBlock } : "rough", deltas);
    spent = newton.evaluations + 1;
    if (newton.decrement < 1e-6) {
      return {
        summary: { optimizer: "newton", thetaInitial: x0, theta: newton.x, fmin: newton.fx, evaluations: spent, status: "converged", movedToBoundary: false, warnings: [] },
        polished: newton,
      };
    }
    if (newton.fx < f0) from = newton.x;
  }
  const bobyqa = optimize(objective, { ...options, thetaStart: from });
  const polished = newtonPolish(objective, bobyqa.theta, bobyqa.fmin, 4, "full", deltas);
  return { summary: { ...bobyqa, thetaInitial: x0, theta: polished.x, fmin: polished.fx, evaluations: spent + bobyqa.evaluations + polished.evaluations }, polished };
}

/**
 * 2 R_X'R_X from the first stage's L (R_X' is the X rows' block of its dense tail): the β block of
 * the criterion's Hessian at fixed θ but for log |L|²'s and the working weights' change with β, which
 * `seededHessian` takes as known for the first Newton step.
 */
function betaCurvature(LRR: Float64Array, m: number, qRest: number, p: number): number[][] {
  const L = (i: number, j: number): number => LRR[(qRest + i) * m + qRest + j]!;
  return Array.from({ length: p }, (_, i) =>
    Array.from({ length: p }, (_, j) => {
      let s = 0;
      for (let k = 0; k <= Math.min(i, j); k++) s += L(i, k) * L(j, k);
      return 2 * s;
    }),
  );
}

/**
 * The Newton steps' gradient difference steps over (θ, β): lme4's 1e-4, divided for each β by its
 * column's root mean square where that exceeds 1 (age² in years², say), so that a step moves η by
 * about as much as it does for a θ or a standardized column.
 */
function differenceSteps(model: Model, k: number): number[] {
  const { n, p, X } = model;
  return [
    ...new Array<number>(k).fill(1e-4),
    ...Array.from({ length: p }, (_, j) => {
      let ss = 0;
      for (let t = 0; t < n; t++) {
        const x = X[j * n + t]!;
        ss += x * x;
      }
      return 1e-4 / Math.max(1, Math.sqrt(ss / n));
    }),
  ];
}
