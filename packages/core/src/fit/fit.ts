import { HlmError } from "../HlmError.js";
import { buildModel } from "../model/buildModel.js";
import { responseScale, responseShift, restoreUnits } from "./responseScaling.js";
import { type Model, type ModelOptions } from "../model/Model.js";
import { makeFit, type MakeFitOptions } from "./makeFit.js";
import { type LmmFit } from "./LmmFit.js";
import { makeObjective } from "../objective/makeObjective.js";
import { makeStructuredObjective } from "../objective/makeStructuredObjective.js";
import { optimize, type OptimizeOptions } from "../optim/optimize.js";
import type { Table } from "../io/Table.js";

/** Options of `fit`: the model's (REML, factors, weights), the optimizer's (progress, cancel) and the results' (Satterthwaite df). */
export interface FitOptions extends ModelOptions, OptimizeOptions, MakeFitOptions {}

/**
 * Fits a linear mixed model: `buildModel → makeObjective → optimize → makeFit` (with a residual
 * correlation structure or variance function, `makeStructuredObjective`: nlme's model).
 */
export function fit(table: Table, formula: string, options: FitOptions = {}): LmmFit {
  if (options.family !== undefined) throw new HlmError("OPTIONS", `A generalized linear mixed model (family '${options.family}') is fitted by fitGlmm(), not fit().`);
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
  return restoreUnits(fitStages(scaled, options), shift, c, model);
}

function fitStages(model: Model, options: FitOptions): LmmFit {
  if (!model.residual) {
    const objective = makeObjective(model);
    return makeFit(model, objective, optimize(objective, options), options);
  }
  // with a residual structure: θ starts at the fit without it (cheap: its A is formed once), the
  // structure's parameters at nlme's starting values; BOBYQA is restarted from its optimum while
  // that still gains (the structure's parameters are on scales unlike θ's)
  const objective = makeStructuredObjective(model, model.residual);
  const k = objective.layout.terms.reduce((acc, t) => acc + (t.p * (t.p + 1)) / 2, 0);
  const thetaStart = options.thetaStart ?? [...optimize(makeObjective({ ...model, residual: null })).theta, ...objective.layout.initial.subarray(k)];
  return makeFit(model, objective, optimize(objective, { restarts: 5, ...options, thetaStart }), options);
}
