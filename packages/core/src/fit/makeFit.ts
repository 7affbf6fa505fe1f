import type { Model } from "../model/Model.js";
import type { ProfiledDeviance } from "../objective/ProfiledDeviance.js";
import type { OptSummary } from "../optim/OptSummary.js";
import { checkConvergence, type ConvergenceCheck } from "./checkConvergence.js";
import { checkFinite } from "./checkFinite.js";
import { containmentDf } from "./containmentDf.js";
import { conditionalVariances } from "./conditionalVariances.js";
import { fixefCovariance } from "./fixefCovariance.js";
import { bicObservations, informationCriteria, nlmeTTable, parameterCount, sigmaDf, tPValues, tStatistic } from "./fitStatistics.js";
import { fittedAndResiduals } from "./fittedAndResiduals.js";
import { fitWarnings } from "./fitWarnings.js";
import type { LmmFit } from "./LmmFit.js";
import { quantiles } from "./quantiles.js";
import { ranefTables } from "./ranefTables.js";
import { pearsonResiduals, residualFit } from "./residualFit.js";
import { satterthwaiteDf, satterthwaiteModel, satterthwaiteWarning } from "./satterthwaite.js";
import { solveEffects } from "./solveEffects.js";
import { thetaDerivatives } from "./thetaDerivatives.js";
import { varianceComponents } from "./varianceComponents.js";

/** Options of the last stage. */
export interface MakeFitOptions {
  /** Compute Satterthwaite degrees of freedom and p-values (default true). */
  satterthwaite?: boolean;
}

/**
 * The fit at the optimum (lme4's `mkMerMod`): β̂, b̂, σ, vcov, variance components, fitted values
 * and residuals, BLUPs with conditional variances; the derivatives of the objective's pieces at θ̂
 * give lme4's convergence check and lmerTest's Satterthwaite degrees of freedom.
 */
export function makeFit(model: Model, objective: ProfiledDeviance, opt: OptSummary, options: MakeFitOptions = {}): LmmFit {
  const derivatives = thetaDerivatives(objective, opt.theta);
  const nu = sigmaDf(model);
  const convergence = checkConvergence(derivatives, nu, objective.layout.lower);
  const result = fitAt(model, objective, opt, convergence);
  checkFinite(result, model);
  if (options.satterthwaite !== false && model.p > 0) {
    const sm = satterthwaiteModel(derivatives, result.sigma, nu, model.p);
    result.satterthwaite = sm;
    result.satterthwaiteDf = result.fixef.map((_, i) => satterthwaiteDf(sm, result.fixef.map((__, j) => (i === j ? 1 : 0))));
    result.pValues = tPValues(result.tValues, result.satterthwaiteDf);
    const warning = satterthwaiteWarning(result.fixefNames, result.satterthwaiteDf);
    if (warning) result.warnings.push({ code: "satterthwaite", message: warning });
  }
  return result;
}

/** Everything of the fit but the Satterthwaite df and p-values, from L at θ̂. */
function fitAt(model: Model, objective: ProfiledDeviance, opt: OptSummary, convergence: ConvergenceCheck): LmmFit {
  const fac = objective.factorize(opt.theta);
  const { n, p, reTerms } = model;
  const { beta, b } = solveEffects(model, fac.cross, fac);
  const sigma2 = fac.pwrss / sigmaDf(model);
  const sigma = Math.sqrt(sigma2);
  const vcov = fixefCovariance(fac.LRR, fac.cross, p, sigma2);
  const se = vcov.map((r, i) => Math.sqrt(r[i]!));
  // a model given by its sums has no rows here: its residuals' quantiles come from the database
  const res = model.summed ? { fitted: new Float64Array(0), residuals: new Float64Array(0), scaledResiduals: new Float64Array(0) } : fittedAndResiduals(model, beta, b, sigma);
  const { ranef, coef } = ranefTables(model, beta, b, conditionalVariances(model, fac.cross, fac, sigma2));
  const ngrps: Record<string, number> = {};
  for (const t of reTerms) ngrps[t.group] = t.nl;
  const df = parameterCount(p, opt.theta.length);
  const rs = model.residual ?? null;
  const ic = informationCriteria(fac.objective, df, bicObservations(model));
  const singular = opt.theta.some((v, i) => objective.layout.lower[i] === 0 && v < 1e-4);
  const nTheta = objective.layout.terms.reduce((acc, t) => acc + (t.p * (t.p + 1)) / 2, 0);
  const varcorr = varianceComponents(reTerms, fac.T, sigma2);
  const cdf = model.summed ? null : containmentDf(model);
  const tValues = beta.map((v, i) => tStatistic(v, se[i]!));
  const residual = rs ? residualFit(model, rs, opt.theta, beta, sigma, varcorr, res.residuals) : undefined;
  if (rs) res.scaledResiduals = pearsonResiduals(model, rs, opt.theta.slice(nTheta), sigma, res.residuals);
  return {
    formula: model.formula,
    REML: model.REML,
    responseName: model.responseName,
    nobs: n,
    nDropped: model.nDropped,
    ngrps,
    theta: opt.theta.slice(0, nTheta),
    thetaNames: objective.layout.names.slice(0, nTheta),
    fixefNames: model.xNames,
    fixef: beta,
    vcov,
    se,
    tValues,
    satterthwaiteDf: [],
    satterthwaite: null,
    pValues: [],
    sigma,
    varcorr,
    containment: cdf ? nlmeTTable(model, beta, se, cdf) : null,
    objective: fac.objective,
    logLik: ic.logLik,
    df,
    AIC: ic.AIC,
    BIC: ic.BIC,
    dfResid: n - df,
    pwrss: fac.pwrss,
    ...res,
    scaledResidQuantiles: model.summed ? [] : quantiles(res.scaledResiduals, [0, 0.25, 0.5, 0.75, 1]),
    ranef,
    coef,
    singular,
    droppedColumns: model.droppedColumns,
    warnings: fitWarnings(model, singular, opt, convergence),
    ...(residual ? { residual } : {}),
    optSummary: opt,
    convergence,
  };
}
