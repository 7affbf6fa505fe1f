import type { Model } from "../model/Model.js";
import { thetaLayout } from "../model/thetaLayout.js";
import type { Objective, ParameterLayout } from "../objective/Objective.js";
import type { Pirls, PirlsResult } from "./pirls.js";

/**
 * glmer's first stage (nAGQ = 0) as an `Objective` over θ: u and β found together by PIRLS from
 * `mustart` at each θ, the criterion −2 logLik(μ) + ‖u‖² + log |L|² at the result.
 */
export function jointObjective(model: Model, pirls: Pirls): Objective {
  const layout = thetaLayout(model.reTerms);
  return { layout, evaluate: (theta) => pirls.jointCriterion(theta) };
}

/**
 * glmer's second stage: the Laplace approximation to −2 log-likelihood as an `Objective` over
 * x = (θ, β), u found at each (θ, β) by PIRLS as lme4 does it: from the first stage's linear
 * predictor lp0 (without the offset) and modes u0, stopped by lme4's rule (`Pirls.modesFrom`). So
 * the criterion, and its finite-difference Hessian, are lme4's own (L at the last iteration's
 * weights differs from L at the modes by about 1e-3 in log |L|²).
 */
export function laplaceObjective(model: Model, pirls: Pirls, u0: Float64Array, lp0: Float64Array): Objective & { at(x: ArrayLike<number>): PirlsResult } {
  const theta = thetaLayout(model.reTerms);
  const k = theta.size;
  const layout: ParameterLayout = {
    size: k + model.p,
    lower: Float64Array.from([...theta.lower, ...new Array<number>(model.p).fill(-Infinity)]),
    initial: Float64Array.from([...theta.initial, ...new Array<number>(model.p).fill(0)]),
    names: [...theta.names, ...model.xNames],
  };
  const at = (x: ArrayLike<number>): PirlsResult => pirls.modesFrom(Array.from(x).slice(0, k), Array.from(x).slice(k), u0, lp0);
  return { layout, at, evaluate: (x) => pirls.criterionFrom(Array.from(x).slice(0, k), Array.from(x).slice(k), u0, lp0) };
}
