import type { GlmmFit } from "../glmm/GlmmFit.js";
import { byName } from "./fitToJson.js";

/** Fields of the GLMM conformance references (`packages/core/test/conformance-glmm/README.md`), as `hlm fit --family … --json` prints them. */
export interface GlmmJson {
  dataset?: string;
  formula: string;
  family: "binomial" | "poisson";
  link: "logit" | "probit" | "cloglog" | "log";
  nAGQ: number;
  weights?: string;
  factors: string[];
  nobs: number;
  df_resid: number;
  ngrps: Record<string, number>;
  theta: number[];
  theta_names: string[];
  fixef: Record<string, number>;
  se: Record<string, number>;
  vcov: number[][];
  vcov_source: "hessian" | "RX";
  se_rx: Record<string, number>;
  vcov_rx: number[][];
  varcorr: { group: string; names: string[]; covariance: number[][]; sd: number[]; corr: number[][] }[];
  objective: number;
  logLik: number;
  df: number;
  AIC: number;
  BIC: number;
  deviance: number;
  saturated_minus2loglik: number;
  z_values: Record<string, number>;
  p_values: Record<string, number>;
  pearson_resid_quantiles: number[];
  ranef: { group: string; columns: string[]; levels: string[]; values: number[][]; condsd: number[][] }[];
  fitted_head: number[];
  linear_predictor_head: number[];
  singular: boolean;
}


/** The GLMM fit in the layout of the glmer reference files (same keys and meanings). */
export function glmmToJson(fit: GlmmFit, meta: { dataset?: string; factors?: readonly string[]; weights?: string } = {}): GlmmJson {
  return {
    ...(meta.dataset !== undefined ? { dataset: meta.dataset } : {}),
    formula: fit.formula,
    family: fit.family,
    link: fit.link,
    nAGQ: fit.nAGQ,
    ...(meta.weights !== undefined ? { weights: meta.weights } : {}),
    factors: [...(meta.factors ?? [])],
    nobs: fit.nobs,
    df_resid: fit.dfResid,
    ngrps: fit.ngrps,
    theta: fit.theta,
    theta_names: fit.thetaNames,
    fixef: byName(fit.fixefNames, fit.fixef),
    se: byName(fit.fixefNames, fit.se),
    vcov: fit.vcov,
    vcov_source: fit.vcovSource,
    se_rx: byName(fit.fixefNames, fit.seRX),
    vcov_rx: fit.vcovRX,
    varcorr: fit.varcorr.map((v) => ({ group: v.group, names: v.names, covariance: v.covariance, sd: v.sd, corr: v.corr })),
    objective: fit.objective,
    logLik: fit.logLik,
    df: fit.df,
    AIC: fit.AIC,
    BIC: fit.BIC,
    deviance: fit.deviance,
    saturated_minus2loglik: fit.saturatedMinus2LogLik,
    z_values: byName(fit.fixefNames, fit.zValues),
    p_values: byName(fit.fixefNames, fit.pValues),
    pearson_resid_quantiles: fit.pearsonResidQuantiles,
    ranef: fit.ranef.map((r) => ({ group: r.group, columns: r.columns, levels: r.levels, values: r.values, condsd: r.condsd })),
    fitted_head: Array.from(fit.fitted.subarray(0, 20)),
    linear_predictor_head: Array.from(fit.linearPredictor.subarray(0, 20)),
    singular: fit.singular,
  };
}
