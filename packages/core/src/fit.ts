import { buildModel, type Model, type ModelOptions } from "./buildModel.js";
import { makeFit, type LmmFit, type MakeFitOptions } from "./makeFit.js";
import { makeObjective } from "./makeObjective.js";
import { optimize, type OptimizeOptions } from "./optimize.js";
import type { Table } from "./readCsv.js";

/** Options of `fit`: the model's (REML, factors, weights), the optimizer's (progress, cancel) and the results' (Satterthwaite df). */
export interface FitOptions extends ModelOptions, OptimizeOptions, MakeFitOptions {}

/** Fits a linear mixed model: `buildModel → makeObjective → optimize → makeFit`. */
export function fit(table: Table, formula: string, options: FitOptions = {}): LmmFit {
  return fitModel(buildModel(table, formula, options), options);
}

/** The fitting stages on a model already built. */
export function fitModel(model: Model, options: FitOptions = {}): LmmFit {
  const objective = makeObjective(model);
  return makeFit(model, objective, optimize(objective, options), options);
}
