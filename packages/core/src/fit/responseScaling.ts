/**
 * A response that is hard on the arithmetic, fitted in other units: shifted by its mean when that is
 * far from 0, divided by a power of 2 when its size is beyond 2^±64; the fit is then given back in
 * the response's own units.
 */
import type { Model } from "../model/Model.js";
import { responseMoments } from "../model/response.js";
import { bicObservations, informationCriteria, nlmeTTable, sigmaDf, tPValues, tStatistic } from "./fitStatistics.js";
import type { LmmFit } from "./LmmFit.js";

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
  if (!offset && !weights) {
    // the common case in a loop of few steps: it runs before the engine has compiled it, once per fit
    for (let k = 0; k < y.length; k++) {
      const a = Math.abs(y[k]! - shift);
      if (a > max) max = a;
    }
  } else {
    for (let k = 0; k < y.length; k++) {
      const w = weights ? Math.sqrt(weights[k]!) : 1;
      max = Math.max(max, Math.abs(y[k]! - shift) * w, offset ? Math.abs(offset[k]!) * w : 0);
    }
  }
  if (!(max > 0) || !Number.isFinite(max)) return 1;
  const e = Math.round(Math.log2(max));
  return Math.abs(e) > 64 ? 2 ** e : 1;
}

/** The fit of (y − shift) / c, in the response's own units: the intercept takes the shift back. */
export function restoreUnits(f: LmmFit, shift: number, c: number, model: Model): LmmFit {
  const c2 = c * c;
  const times = (a: number[], k: number): number[] => a.map((v) => v * k);
  const matrix = (m: number[][], k: number): number[][] => m.map((r) => times(r, k));
  const nu = sigmaDf(model);
  // the profiled objective is ν log σ̂² + terms free of y's units (and of a shift within X's span)
  const change = 2 * nu * Math.log(c);
  const objective = f.objective + change;
  const intercept = f.fixefNames.indexOf("(Intercept)");
  const fixef = times(f.fixef, c);
  const tValues = [...f.tValues];
  const pValues = [...f.pValues];
  if (intercept >= 0 && shift !== 0) {
    fixef[intercept]! += shift;
    tValues[intercept] = tStatistic(fixef[intercept]!, f.se[intercept]! * c);
    if (pValues.length > 0) pValues[intercept] = tPValues([tValues[intercept]!], [f.satterthwaiteDf[intercept]!])[0]!;
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
    ...informationCriteria(objective, f.df, bicObservations(model)),
    containment: f.containment ? nlmeTTable(model, fixef, times(f.se, c), f.containment.df) : null,
    ...(f.residual ? { residual: { ...f.residual, marginalCovariance: { ...f.residual.marginalCovariance, matrix: matrix(f.residual.marginalCovariance.matrix, c2) }, fittedFixed: f.residual.fittedFixed.map((v) => v * c + shift) } } : {}),
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
