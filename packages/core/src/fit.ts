import { buildModel, type Model, type ModelOptions } from "./buildModel.js";
import { makeFit, type LmmFit } from "./makeFit.js";
import { makeObjective } from "./makeObjective.js";
import { optimize, type OptimizeOptions } from "./optimize.js";
import type { Table } from "./readCsv.js";
import { satterthwaiteDf, satterthwaiteModel, tTestPValue } from "./satterthwaite.js";

/** Options of `fit`: the model's (REML, factors, weights) and the optimizer's (progress, cancel). */
export interface FitOptions extends ModelOptions, OptimizeOptions {
  /** Compute Satterthwaite degrees of freedom and p-values (default true). */
  satterthwaite?: boolean;
}

/**
 * Fits a linear mixed model: `buildModel → makeObjective → optimize → makeFit`, then lmerTest's
 * Satterthwaite degrees of freedom for the fixed effects.
 */
export function fit(table: Table, formula: string, options: FitOptions = {}): LmmFit {
  return fitModel(buildModel(table, formula, options), options);
}

/** The fitting stages on a model already built. */
export function fitModel(model: Model, options: FitOptions = {}): LmmFit {
  const objective = makeObjective(model);
  const opt = optimize(objective, options);
  const result = makeFit(model, objective, opt);
  if (options.satterthwaite !== false && model.p > 0) {
    const sm = satterthwaiteModel(model, objective, result.theta, result.sigma);
    result.satterthwaiteDf = result.fixef.map((_, i) => satterthwaiteDf(sm, result.fixef.map((__, j) => (i === j ? 1 : 0))));
    result.pValues = result.tValues.map((t, i) => tTestPValue(t, result.satterthwaiteDf[i]!));
  }
  return result;
}
