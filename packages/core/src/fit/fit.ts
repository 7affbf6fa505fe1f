import { buildModel } from "../model/buildModel.js";
import { responseMoments } from "../model/response.js";
import { type Model, type ModelOptions } from "../model/Model.js";
import { makeFit, type LmmFit, type MakeFitOptions } from "./makeFit.js";
import { makeObjective } from "../objective/makeObjective.js";
import { optimize, type OptimizeOptions } from "../optim/optimize.js";
import { tTestPValue } from "./satterthwaite.js";
import type { Table } from "../io/Table.js";

/** Options of `fit`: the model's (REML, factors, weights), the optimizer's (progress, cancel) and the results' (Satterthwaite df). */
export interface FitOptions extends ModelOptions, OptimizeOptions, MakeFitOptions {}

/** Fits a linear mixed model: `buildModel → makeObjective → optimize → makeFit`. */
export function fit(table: Table, formula: string, options: FitOptions = {}): LmmFit {
  return fitModel(buildModel(table, formula, options), options);
}

/**
 * The fitting stages on a model already built. The response is fitted as it is, unless it is hard on
 * the arithmetic: when its mean is more than 100 SDs from 0 and X has an intercept, the mean is
 * subtracted first (the cross-products of y ~ 1e6 ± 1 would lose 12 digits; the intercept takes the
 * mean back exactly); when its size, with the weights, is beyond 2^±64 (as 1e30 or 1e-30), it is
 * divided by a power of 2 (exact) so that the squares and fourth powers of σ that the fit uses stay
 * inside the range of doubles. The results are given back in the response's own units.
 */
export function fitModel(model: Model, options: FitOptions = {}): LmmFit {
  const shift = responseShift(model);
  const c = responseScale(model, shift);
  if (shift === 0 && c === 1) return fitStages(model, options);
  const scaled: Model = {
    ...model,
    y: model.y.map((v) => (v - shift) / c),
    offset: model.offset ? model.offset.map((v) => v / c) : null,
  };
  return restore(fitStages(scaled, options), shift, c, model);
}

function fitStages(model: Model, options: FitOptions): LmmFit {
  const objective = makeObjective(model);
  return makeFit(model, objective, optimize(objective, options), options);
}

/** The mean of y − offset when X has an intercept and the mean is more than 100 SDs from 0; else 0. */
export function responseShift(model: Model): number {
  if (!model.xNames.includes("(Intercept)")) return 0;
  const { mean, ss } = responseMoments(model);
  return Math.abs(mean) > 100 * Math.sqrt(ss / model.n) ? mean : 0;
}

/** The power of 2 to divide the response (less `shift`) by: 1 unless its size, with the weights, is beyond 2^±64. */
export function responseScale(model: Model, shift = 0): number {
  let max = 0;
  const { y, offset, weights } = model;
  for (let k = 0; k < y.length; k++) {
    const w = weights ? Math.sqrt(weights[k]!) : 1;
    max = Math.max(max, Math.abs(y[k]! - shift) * w, offset ? Math.abs(offset[k]!) * w : 0);
  }
  if (!(max > 0) || !Number.isFinite(max)) return 1;
  const e = Math.round(Math.log2(max));
  return Math.abs(e) > 64 ? 2 ** e : 1;
}

/** The fit of (y − shift) / c, in the response's own units: the intercept takes the shift back. */
function restore(f: LmmFit, shift: number, c: number, model: Model): LmmFit {
  const c2 = c * c;
  const times = (a: number[], k: number): number[] => a.map((v) => v * k);
  const matrix = (m: number[][], k: number): number[][] => m.map((r) => times(r, k));
  const nu = model.REML ? model.n - model.p : model.n;
  // the profiled objective is ν log σ̂² + terms free of y's units (and of a shift within X's span)
  const change = 2 * nu * Math.log(c);
  const objective = f.objective + change;
  const intercept = f.fixefNames.indexOf("(Intercept)");
  const fixef = times(f.fixef, c);
  const tValues = [...f.tValues];
  const pValues = [...f.pValues];
  if (intercept >= 0 && shift !== 0) {
    fixef[intercept]! += shift;
    tValues[intercept] = fixef[intercept]! / (f.se[intercept]! * c);
    if (pValues.length > 0) pValues[intercept] = tTestPValue(tValues[intercept]!, f.satterthwaiteDf[intercept]!);
  }
  return {
    ...f,
    fixef,
    tValues,
    pValues,
    vcov: matrix(f.vcov, c2),
    se: times(f.se, c),
    sigma: f.sigma * c,
    varcorr: f.varcorr.map((v) => ({ ...v, covariance: matrix(v.covariance, c2), sd: times(v.sd, c) })),
    objective,
    logLik: -objective / 2,
    AIC: objective + 2 * f.df,
    BIC: objective + f.df * Math.log(model.n),
    pwrss: f.pwrss * c2,
    fitted: f.fitted.map((v) => v * c + shift),
    residuals: f.residuals.map((v) => v * c),
    ranef: f.ranef.map((r) => ({ ...r, values: matrix(r.values, c), condsd: matrix(r.condsd, c) })),
    coef: f.coef.map((r) => {
      const j = r.columns.indexOf("(Intercept)");
      return { ...r, values: r.values.map((row) => row.map((v, k) => v * c + (k === j ? shift : 0))) };
    }),
    optSummary: { ...f.optSummary, fmin: f.optSummary.fmin + change },
  };
}
