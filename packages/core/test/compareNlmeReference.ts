import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { FitJson } from "../src/report/fitToJson.js";

/** The nlme reference fits and their data sets (`packages/core/test/conformance-nlme`, copied from the project's shared references). */
export const nlmeDir = fileURLToPath(new URL("./conformance-nlme/", import.meta.url));

export interface NlmeReference {
  name: string;
  dataset: string;
  fixed: string;
  random: string;
  correlation: string;
  weights: string;
  method: "REML" | "ML";
  identified: boolean;
  factors: string[];
  nobs: number;
  ngrps: Record<string, number>;
  fixef: Record<string, number>;
  se: Record<string, number>;
  vcov: number[][];
  t_values: Record<string, number>;
  t_df: Record<string, number>;
  p_values: Record<string, number>;
  sigma: number;
  logLik: number;
  df: number;
  AIC: number;
  BIC: number;
  objective: number;
  re_covariance: { group: string; names: string[]; covariance: number[][]; sd: number[] };
  cor_class?: string;
  cor_params?: Record<string, number>;
  cor_matrix_first_group?: { group: string; matrix: number[][] };
  var_class?: string;
  var_params?: Record<string, number>;
  var_strata?: string[];
  marginal_cov: { group: string; rows: number[]; matrix: number[][] };
  ranef: { group: string; columns: string[]; levels: string[]; values: number[][] };
  fitted_head: number[];
  fitted_fixed_head: number[];
  lme_fit_seconds_median: number;
}

export function loadNlmeReferences(dir = nlmeDir): NlmeReference[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => JSON.parse(readFileSync(dir + f, "utf8")) as NlmeReference);
}

/** The reference's model as an lme4-style formula: `fixed + (effects | group)`. */
export function nlmeFormula(ref: Pick<NlmeReference, "fixed" | "random">): string {
  const [effects, group] = ref.random.replace("~", "").split("|").map((s) => s.trim());
  return `${ref.fixed} + (${effects} | ${group})`;
}

/**
 * Every disagreement between a fit (`fitToJson` with `ddf: "containment"`, as `hlm fit --json --ddf
 * containment` prints it) and an nlme reference, by the tolerances of the nlme conformance README.
 * For a model marked not identified, only the marginal quantities are compared.
 */
export function compareWithNlme(got: FitJson, ref: NlmeReference): string[] {
  const bad: string[] = [];
  const check = (ok: boolean, what: string, g: unknown, r: unknown): void => {
    if (!ok) bad.push(`${what}: got ${JSON.stringify(g)}, nlme ${JSON.stringify(r)}`);
  };
  const near = (a: number | undefined, b: number, tol: number): boolean => a !== undefined && Math.abs(a - b) <= tol;
  check(got.nobs === ref.nobs, "nobs", got.nobs, ref.nobs);
  check(JSON.stringify(got.ngrps) === JSON.stringify(ref.ngrps), "ngrps", got.ngrps, ref.ngrps);
  check(got.df === ref.df, "df", got.df, ref.df);
  check(got.objective <= ref.objective + 1e-3, "objective", got.objective, ref.objective);
  check(got.logLik >= ref.logLik - 1e-3, "logLik", got.logLik, ref.logLik);
  const gain = Math.max(0, ref.objective - got.objective);
  for (const k of ["AIC", "BIC"] as const) check(Math.abs(got[k] - ref[k]) <= 2e-3 || (got[k] < ref[k] && Math.abs(ref[k] - got[k] - gain) <= 2e-3), k, got[k], ref[k]);
  const names = Object.keys(ref.fixef);
  check(JSON.stringify(Object.keys(got.fixef)) === JSON.stringify(names), "fixef names", Object.keys(got.fixef), names);
  names.forEach((nm, i) => {
    const se = ref.se[nm]!;
    check(near(got.fixef[nm], ref.fixef[nm]!, 0.002 * se), `fixef ${nm}`, got.fixef[nm], ref.fixef[nm]);
    check(near(got.se[nm], se, 2e-3 * se), `se ${nm}`, got.se[nm], se);
    names.forEach((_, j) => check(near(got.vcov[i]?.[j], ref.vcov[i]![j]!, 2e-3 * Math.sqrt(ref.vcov[i]![i]! * ref.vcov[j]![j]!)), `vcov[${i}][${j}]`, got.vcov[i]?.[j], ref.vcov[i]![j]));
    const t = ref.t_values[nm]!;
    check(near(got.t_values?.[nm], t, 5e-3 * Math.max(1, Math.abs(t))), `t ${nm}`, got.t_values?.[nm], t);
    check(got.t_df?.[nm] === ref.t_df[nm], `t_df ${nm}`, got.t_df?.[nm], ref.t_df[nm]);
    const lp = (p: number): number => -Math.log10(p);
    const pG = got.p_values[nm]!;
    const pR = ref.p_values[nm]!;
    check(Math.abs(lp(pG) - lp(pR)) <= 0.02 * lp(pR) || Math.abs(pG - pR) < 1e-3, `p ${nm}`, pG, pR);
  });
  const mc = got.marginal_cov;
  check(mc?.group === ref.marginal_cov.group && JSON.stringify(mc?.rows) === JSON.stringify(ref.marginal_cov.rows), "marginal_cov group and rows", [mc?.group, mc?.rows], [ref.marginal_cov.group, ref.marginal_cov.rows]);
  const V = ref.marginal_cov.matrix;
  V.forEach((row, i) => row.forEach((v, j) => check(near(mc?.matrix[i]?.[j], v, 1e-3 * Math.sqrt(V[i]![i]! * V[j]![j]!)), `marginal_cov[${i}][${j}]`, mc?.matrix[i]?.[j], v)));
  ref.fitted_fixed_head.forEach((v, i) => check(near(got.fitted_fixed_head?.[i], v, 1e-3 * ref.sigma), `fitted_fixed_head[${i}]`, got.fitted_fixed_head?.[i], v));
  if (!ref.identified) return bad;

  check(near(got.sigma, ref.sigma, 1e-3 * ref.sigma), "sigma", got.sigma, ref.sigma);
  const G = ref.re_covariance.covariance;
  const gc = got.re_covariance;
  check(JSON.stringify(gc?.names) === JSON.stringify(ref.re_covariance.names), "re_covariance names", gc?.names, ref.re_covariance.names);
  G.forEach((row, i) => row.forEach((v, j) => check(near(gc?.covariance[i]?.[j], v, 5e-3 * Math.sqrt(G[i]![i]! * G[j]![j]!)), `re_covariance[${i}][${j}]`, gc?.covariance[i]?.[j], v)));
  check(got.cor_class === ref.cor_class, "cor_class", got.cor_class, ref.cor_class);
  for (const [k, v] of Object.entries(ref.cor_params ?? {})) {
    const tol = ref.cor_class === "corExp" ? 2e-3 * v : 2e-3;
    check(near(got.cor_params?.[k], v, tol), `cor_params ${k}`, got.cor_params?.[k], v);
  }
  if (ref.cor_matrix_first_group) {
    const C = ref.cor_matrix_first_group.matrix;
    check(got.cor_matrix_first_group?.group === ref.cor_matrix_first_group.group, "cor_matrix group", got.cor_matrix_first_group?.group, ref.cor_matrix_first_group.group);
    C.forEach((row, i) => row.forEach((v, j) => check(near(got.cor_matrix_first_group?.matrix[i]?.[j], v, 1e-3), `cor_matrix[${i}][${j}]`, got.cor_matrix_first_group?.matrix[i]?.[j], v)));
  }
  check(got.var_class === ref.var_class, "var_class", got.var_class, ref.var_class);
  for (const [k, v] of Object.entries(ref.var_params ?? {})) check(near(got.var_params?.[k], v, 2e-3 * Math.abs(v)), `var_params ${k}`, got.var_params?.[k], v);
  if (ref.var_strata) check(JSON.stringify(got.var_strata) === JSON.stringify(ref.var_strata), "var_strata", got.var_strata, ref.var_strata);
  // BLUPs by level label, within 0.01 random-effect SDs
  const gr = got.ranef.find((r) => r.group === ref.ranef.group);
  check(gr !== undefined, "ranef group", got.ranef.map((r) => r.group), ref.ranef.group);
  if (gr) {
    ref.ranef.levels.forEach((level, i) => {
      const k = gr.levels.indexOf(level);
      ref.ranef.columns.forEach((c, j) => {
        const jj = gr.columns.indexOf(c);
        check(k >= 0 && jj >= 0 && near(gr.values[k]?.[jj], ref.ranef.values[i]![j]!, 0.01 * Math.sqrt(G[j]![j]!)), `ranef ${level} ${c}`, gr.values[k]?.[jj], ref.ranef.values[i]![j]);
      });
    });
  }
  ref.fitted_head.forEach((v, i) => check(near(got.fitted_head[i], v, 1e-3 * ref.sigma), `fitted_head[${i}]`, got.fitted_head[i], v));
  return bad;
}
