import { HlmError } from "../HlmError.js";
import type { Table } from "../io/Table.js";
import { buildModel } from "../model/buildModel.js";
import type { Model, ModelOptions } from "../model/Model.js";
import { optimize, type OptimizeOptions } from "../optim/optimize.js";
import { agqObjective } from "./agqObjective.js";
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
 * Fits a generalized linear mixed model by the Laplace approximation, as lme4's `glmer` with
 * nAGQ = 1: `buildModel`, then θ by BOBYQA with u and β from PIRLS (nAGQ = 0), then (θ, β)
 * together by BOBYQA on the Laplace criterion, finished by Newton steps (`newtonPolish`), then
 * `makeGlmmFit`.
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
  const pirls = makePirls(model, family);
  const { thetaStart, nAGQ: _nAGQ, ...rest } = options;
  const stage1 = optimize(jointObjective(model, pirls), { ...rest, ...(thetaStart ? { thetaStart: Array.from(thetaStart).slice(0, pirls.thetaSize) } : {}) });
  const start = pirls.joint(stage1.theta);
  const lp0 = model.offset ? start.eta.map((v, t) => v - model.offset![t]!) : start.eta;
  const laplace = laplaceObjective(model, pirls, start.u, lp0);
  const nAGQ = options.nAGQ ?? 1;
  if (!(Number.isInteger(nAGQ) && nAGQ >= 1 && nAGQ <= 100)) throw new HlmError("OPTIONS", `nAGQ must be a whole number from 1 to 100, not ${nAGQ}.`);
  const objective = nAGQ > 1 ? agqObjective(model, family, laplace, nAGQ) : laplace;
  const bobyqa = optimize(objective, { ...rest, thetaStart: [...stage1.theta, ...start.beta] });
  // one BOBYQA run (no restarts): Newton steps on lme4's finite-difference derivatives finish what it leaves along flat ridges
  const polished = newtonPolish(objective, bobyqa.theta, bobyqa.fmin);
  const opt = { ...bobyqa, theta: polished.x, fmin: polished.fx, evaluations: bobyqa.evaluations + polished.evaluations };
  return makeGlmmFit(model, family, pirls, objective, stage1, opt, polished, nAGQ);
}
