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
  /** The denominator degrees of freedom of `p_values` (with `ddf: "containment"`, nlme's, and `se`, `t_values` its t-table's). */
  t_df?: Record<string, number>;
  t_values?: Record<string, number>;
  /** With a residual structure: nlme's fields (`packages/core/test/conformance-nlme/README.md`). */
  correlation?: string;
  variance?: string;
  method?: "REML" | "ML";
  re_covariance?: { group: string; names: string[]; covariance: number[][]; sd: number[] };
  cor_class?: string;
  cor_params?: Record<string, number>;
  cor_matrix_first_group?: { group: string; matrix: number[][] };
  var_class?: string;
  var_params?: Record<string, number>;
  var_strata?: string[];
  marginal_cov?: { group: string; rows: number[]; matrix: number[][] };
  fitted_fixed_head?: number[];
}

/** Which degrees of freedom the fixed effects' t-tests use: lmerTest's Satterthwaite (the default) or nlme's containment rule with its t-table. */
export type DdfMethod = "satterthwaite" | "containment";

/** Values keyed by their names (R's named vectors in the references' JSON). */
export const byName = (names: string[], values: number[]): Record<string, number> => Object.fromEntries(names.map((n, i) => [n, values[i]!]));

/**
 * The fit in the layout of the lme4 reference files (same keys and meanings); with a residual
 * structure, also the fields of the nlme references. With `ddf: "containment"`, `se`, `t_values`,
 * `t_df` and `p_values` are nlme's t-table (`summary(lme)$tTable`).
 */
export function fitToJson(fit: LmmFit, meta: { dataset?: string; factors?: readonly string[]; weights?: string; ddf?: DdfMethod } = {}): FitJson {
  const nlme = meta.ddf === "containment" ? fit.containment : null;
  const json: FitJson = {
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
    se: byName(fit.fixefNames, nlme ? nlme.se : fit.se),
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
    p_values: byName(fit.fixefNames, nlme ? nlme.pValues : fit.pValues),
    t_values: byName(fit.fixefNames, nlme ? nlme.tValues : fit.tValues),
    t_df: byName(fit.fixefNames, nlme ? nlme.df : fit.satterthwaiteDf),
    singular: fit.singular,
    fitted_head: Array.from(fit.fitted.subarray(0, 20)),
    ranef: fit.ranef.map((r) => ({ group: r.group, columns: r.columns, levels: r.levels, values: r.values, condsd: r.condsd })),
  };
  const r = fit.residual;
  if (!r) return json;
  const vc = fit.varcorr.find((v) => v.group === r.group.replace("/", ":")) ?? fit.varcorr[0]!;
  return {
    ...json,
    method: fit.REML ? "REML" : "ML",
    correlation: r.correlation?.text ?? "",
    variance: r.variance?.text ?? "",
    re_covariance: { group: vc.group, names: vc.names, covariance: vc.covariance, sd: vc.sd },
    ...(r.correlation
      ? { cor_class: r.correlation.class, cor_params: byName(r.correlation.names, r.correlation.values), cor_matrix_first_group: r.correlationMatrix! }
      : {}),
    ...(r.variance ? { var_class: r.variance.class, var_params: byName(r.variance.names, r.variance.values), ...(r.variance.class === "varIdent" ? { var_strata: r.variance.strata } : {}) } : {}),
    marginal_cov: r.marginalCovariance,
    fitted_fixed_head: r.fittedFixed.slice(0, 20),
  };
}
