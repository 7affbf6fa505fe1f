import type { LmmFit } from "../fit/LmmFit.js";

/** Fields of the conformance references (`packages/core/test/conformance/*.json`), as `hlm fit --json` prints them. */
export interface FitJson {
  dataset?: string;
  formula: string;
  REML: boolean;
  factors: string[];
  weights?: string;
  nobs: number;
  ngrps: Record<string, number>;
  theta: number[];
  theta_names: string[];
  fixef: Record<string, number>;
  se: Record<string, number>;
  vcov: number[][];
  sigma: number;
  varcorr: { group: string; names: string[]; covariance: number[][]; sd: number[]; corr: number[][] }[];
  logLik: number;
  df: number;
  objective: number;
  AIC: number;
  BIC: number;
  df_resid: number;
  scaled_resid_quantiles: number[];
  satterthwaite_df: Record<string, number>;
  p_values: Record<string, number>;
  singular: boolean;
  fitted_head: number[];
  ranef: { group: string; columns: string[]; levels: string[]; values: number[][]; condsd: number[][] }[];
}

const byName = (names: string[], values: number[]): Record<string, number> => Object.fromEntries(names.map((n, i) => [n, values[i]!]));

/** The fit in the layout of the lme4 reference files (same keys and meanings). */
export function fitToJson(fit: LmmFit, meta: { dataset?: string; factors?: readonly string[]; weights?: string } = {}): FitJson {
  return {
    ...(meta.dataset !== undefined ? { dataset: meta.dataset } : {}),
    formula: fit.formula,
    REML: fit.REML,
    factors: [...(meta.factors ?? [])],
    ...(meta.weights !== undefined ? { weights: meta.weights } : {}),
    nobs: fit.nobs,
    ngrps: fit.ngrps,
    theta: fit.theta,
    theta_names: fit.thetaNames,
    fixef: byName(fit.fixefNames, fit.fixef),
    se: byName(fit.fixefNames, fit.se),
    vcov: fit.vcov,
    sigma: fit.sigma,
    varcorr: fit.varcorr.map((v) => ({ group: v.group, names: v.names, covariance: v.covariance, sd: v.sd, corr: v.corr })),
    logLik: fit.logLik,
    df: fit.df,
    objective: fit.objective,
    AIC: fit.AIC,
    BIC: fit.BIC,
    df_resid: fit.dfResid,
    scaled_resid_quantiles: fit.scaledResidQuantiles,
    satterthwaite_df: byName(fit.fixefNames, fit.satterthwaiteDf),
    p_values: byName(fit.fixefNames, fit.pValues),
    singular: fit.singular,
    fitted_head: Array.from(fit.fitted.subarray(0, 20)),
    ranef: fit.ranef.map((r) => ({ group: r.group, columns: r.columns, levels: r.levels, values: r.values, condsd: r.condsd })),
  };
}
