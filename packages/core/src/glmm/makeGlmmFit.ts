import gammainc from "@stdlib/math-base-special-gammainc";
import { CholeskyDecomposition, inverse, Matrix } from "ml-matrix";
import { conditionalVariances } from "../fit/conditionalVariances.js";
import { informationCriteria } from "../fit/fitStatistics.js";
import { quantiles } from "../fit/quantiles.js";
import { ranefTables } from "../fit/ranefTables.js";
import { varianceComponents } from "../fit/varianceComponents.js";
import { crossprodInverseRX, multiplyLevels } from "../linalg/triangular.js";
import type { Model } from "../model/Model.js";
import { templates, thetaLayout } from "../model/thetaLayout.js";
import type { Objective } from "../objective/Objective.js";
import type { OptSummary } from "../optim/OptSummary.js";
import type { Family } from "./families.js";
import { checkGlmmConvergence } from "./checkGlmmConvergence.js";
import { finiteHessian } from "./finiteHessian.js";
import type { GlmmFit } from "./GlmmFit.js";
import type { Pirls, PirlsResult } from "./pirls.js";

/**
 * The GLMM at its optimum x̂ = (θ̂, β̂) (lme4's `mkMerMod` for `glmer`): the modes by PIRLS at x̂,
 * L with the X rows at the final working weights (R_X for the conditional vcov, the conditional
 * variances of the modes), the finite-difference gradient and Hessian of the Laplace criterion for
 * lme4's convergence check and vcov (or those given, computed there already: `opt.fmin` is the
 * criterion at x̂) and the likelihood, deviances and residuals on the response scale.
 */
export function makeGlmmFit(
  model: Model,
  family: Family,
  pirls: Pirls,
  objective: Objective & { at(x: ArrayLike<number>): PirlsResult },
  optStage1: OptSummary,
  opt: OptSummary,
  derivatives?: { gradient: number[]; hessian: number[][] },
  nAGQ = 1,
): GlmmFit {
  const { n, p, reTerms } = model;
  const tl = thetaLayout(reTerms);
  const k = tl.size;
  const x = opt.theta;
  const theta = x.slice(0, k);
  const r = objective.at(x);
  const beta = Array.from(r.beta);
  const y = model.y;
  const pw = model.weights ?? new Float64Array(n).fill(1);

  // L at the final working weights, with X: R_X and the modes' conditional variances (σ = 1)
  const fac = pirls.factorAt(theta, r.eta);
  const { m, qRest } = pirls.layoutJ;
  const VRX = new Float64Array(p * p);
  crossprodInverseRX(fac.LRR, m, qRest, p, VRX);
  const vcovRX = rows(VRX, p);
  const condVar = conditionalVariances(model, pirls.layoutJ, fac, 1);
  const T = templates(tl, theta);
  const b = reTerms.map((t, i) => multiplyLevels(T[i]!, t.p, t.nl, r.u.subarray(pirls.layoutJ.termRow[i]!, pirls.layoutJ.termRow[i]! + t.nl * t.p)));

  // lme4's vcov: the β block of (H/2)⁻¹, H the finite-difference Hessian in (θ, β); R_X's where H/2 is not positive definite
  const fx = opt.fmin;
  const { gradient, hessian } = derivatives ?? finiteHessian((z) => objective.evaluate(z), x, fx);
  let vcov = vcovRX;
  let vcovSource: GlmmFit["vcovSource"] = "RX";
  const half = new Matrix(hessian).mul(0.5);
  if (hessian.every((row) => row.every(Number.isFinite)) && new CholeskyDecomposition(half).isPositiveDefinite()) {
    const inv = inverse(half);
    vcov = Array.from({ length: p }, (_, i) => Array.from({ length: p }, (_, j) => inv.get(k + i, k + j)));
    vcovSource = "hessian";
  }
  const se = vcov.map((row, i) => Math.sqrt(row[i]!));
  // lme4's checkConv on the gradient at the optimum and the Hessian
  const convergence = checkGlmmConvergence(gradient, hessian, theta, tl.lower);
  const zValues = beta.map((v, i) => v / se[i]!);
  const pValues = zValues.map((z) => gammainc((z * z) / 2, 0.5, true, true));

  let deviance = 0;
  let saturated = pirls.saturated ?? 0;
  const pearson = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    deviance += family.devResid(y[t]!, r.mu[t]!, pw[t]!);
    if (pirls.saturated === null) saturated += family.minus2LogLik(y[t]!, y[t]!, pw[t]!);
    pearson[t] = ((y[t]! - r.mu[t]!) * Math.sqrt(pw[t]!)) / Math.sqrt(family.variance(r.mu[t]!));
  }
  const df = p + k;
  const objectiveValue = fx;
  const ngrps: Record<string, number> = {};
  for (const t of reTerms) ngrps[t.group] = t.nl;
  return {
    formula: model.formula,
    nAGQ,
    family: family.name,
    link: family.link.name,
    responseName: model.responseName,
    nobs: n,
    nDropped: model.nDropped,
    ngrps,
    theta,
    thetaNames: tl.names,
    fixefNames: model.xNames,
    fixef: beta,
    vcov,
    vcovSource,
    se,
    vcovRX,
    seRX: vcovRX.map((row, i) => Math.sqrt(row[i]!)),
    hessian,
    zValues,
    pValues,
    varcorr: varianceComponents(reTerms, T, 1),
    objective: objectiveValue,
    ...informationCriteria(objectiveValue, df, n),
    df,
    dfResid: n - df,
    deviance,
    saturatedMinus2LogLik: saturated,
    fitted: r.mu,
    linearPredictor: r.eta,
    pearsonResiduals: pearson,
    pearsonResidQuantiles: quantiles(pearson, [0, 0.25, 0.5, 0.75, 1]),
    ranef: ranefTables(model, beta, b, condVar).ranef,
    singular: theta.some((v, i) => tl.lower[i] === 0 && v < 1e-4),
    droppedColumns: model.droppedColumns,
    convergence,
    responseWarnings: model.responseWarnings ?? [],
    optStage1,
    optSummary: opt,
  };
}

/** A p × p row-major array as rows. */
function rows(a: Float64Array, p: number): number[][] {
  return Array.from({ length: p }, (_, i) => Array.from(a.subarray(i * p, i * p + p)));
}
