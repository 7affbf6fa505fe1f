import { buildModel, type Model, type ModelOptions } from "./buildModel.js";
import { makeFit, type LmmFit } from "./makeFit.js";
import { makeObjective } from "./makeObjective.js";
import { optimize, type OptimizeOptions } from "./optimize.js";
import type { Table } from "./readCsv.js";
import { checkConvergence } from "./checkConvergence.js";
import { satterthwaiteDf, satterthwaiteModel, tTestPValue } from "./satterthwaite.js";
import { thetaDerivatives } from "./thetaDerivatives.js";

/** Options of `fit`: the model's (REML, factors, weights) and the optimizer's (progress, cancel). */
export interface FitOptions extends ModelOptions, OptimizeOptions {
  /** Compute Satterthwaite degrees of freedom and p-values (default true). */
  satterthwaite?: boolean;
}

/**
 * Fits a linear mixed model: `buildModel → makeObjective → optimize → makeFit`; the derivatives
 * at the optimum serve lme4's convergence check and lmerTest's Satterthwaite degrees of freedom.
 */
export function fit(table: Table, formula: string, options: FitOptions = {}): LmmFit {
  return fitModel(buildModel(table, formula, options), options);
}

/** The fitting stages on a model already built. */
export function fitModel(model: Model, options: FitOptions = {}): LmmFit {
  const objective = makeObjective(model);
  const opt = optimize(objective, options);
  const derivatives = thetaDerivatives(objective, opt.theta);
  const nu = model.REML ? model.n - model.p : model.n;
  const convergence = checkConvergence(derivatives, nu, objective.layout.lower);
  const result = makeFit(model, objective, opt, convergence);
  if (options.satterthwaite !== false && model.p > 0) {
    const sm = satterthwaiteModel(derivatives, result.sigma, nu, model.p);
    result.satterthwaiteDf = result.fixef.map((_, i) => satterthwaiteDf(sm, result.fixef.map((__, j) => (i === j ? 1 : 0))));
    result.pValues = result.tValues.map((t, i) => tTestPValue(t, result.satterthwaiteDf[i]!));
  }
  return result;
}
