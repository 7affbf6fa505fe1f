/**
 * Compares a GLMM fit as JSON (`glmmToJson`, `hlm fit --family … --json`) with an lme4 `glmer` reference (conformance-glmm/*.json) at the tolerances
 * of conformance-glmm/README.md; returns one line per disagreement (empty: agreement).
 */
import { readFileSync } from "node:fs";
import type { GlmmJson } from "../src/report/glmmToJson.js";

export const glmmDir = new URL("./conformance-glmm/", import.meta.url).pathname;

/** A reference as the JSON holds it: the fields `glmmToJson` prints, with the reference's name and data set. */
export interface GlmmReference extends GlmmJson {
  name: string;
  dataset: string;
}

export const loadGlmmReference = (name: string, dir = glmmDir): GlmmReference => JSON.parse(readFileSync(`${dir}${name}.json`, "utf8")) as GlmmReference;

/** Compares `hlm fit --family … --json`'s object (`glmmToJson`) with the reference. */
export function compareGlmm(got: GlmmJson, ref: GlmmReference): string[] {
  const out: string[] = [];
  const check = (what: string, a: number, b: number, tol: number): void => {
    if (!(Math.abs(a - b) <= tol)) out.push(`${what}: got ${a}, lme4 ${b} (tolerance ${tol.toExponential(2)})`);
  };
  if (got.nobs !== ref.nobs) out.push(`nobs ${got.nobs} vs ${ref.nobs}`);
  if (got.df !== ref.df) out.push(`df ${got.df} vs ${ref.df}`);
  if (got.df_resid !== ref.df_resid) out.push(`df_resid ${got.df_resid} vs ${ref.df_resid}`);
  for (const [g, l] of Object.entries(ref.ngrps)) if (got.ngrps[g] !== l) out.push(`ngrps ${g}: ${got.ngrps[g]} vs ${l}`);
  if (got.singular !== ref.singular) out.push(`singular ${got.singular} vs ${ref.singular}`);
  if (got.vcov_source !== ref.vcov_source) out.push(`vcov_source ${got.vcov_source} vs ${ref.vcov_source}`);
  if (!(got.objective <= ref.objective + 1e-3)) out.push(`objective ${got.objective} worse than lme4's ${ref.objective}`);
  check("logLik", got.logLik, ref.logLik, 2e-3);
  check("AIC", got.AIC, ref.AIC, 2e-3);
  check("BIC", got.BIC, ref.BIC, 2e-3);
  check("deviance", got.deviance, ref.deviance, 0.05);
  check("saturated", got.saturated_minus2loglik, ref.saturated_minus2loglik, 1e-6 * Math.max(1, ref.saturated_minus2loglik));
  const names = Object.keys(ref.fixef);
  if (Object.keys(got.fixef).join() !== names.join()) out.push(`fixef names ${Object.keys(got.fixef).join()} vs ${names.join()}`);
  names.forEach((nm, i) => {
    const se = ref.se[nm]!;
    check(`fixef ${nm}`, got.fixef[nm]!, ref.fixef[nm]!, 0.002 * se);
    check(`se ${nm}`, got.se[nm]!, se, 5e-3 * se);
    check(`se_rx ${nm}`, got.se_rx[nm]!, ref.se_rx[nm]!, 2e-3 * ref.se_rx[nm]!);
    const z = ref.z_values[nm]!;
    check(`z ${nm}`, got.z_values[nm]!, z, 5e-3 * Math.max(1, Math.abs(z)));
    const pr = ref.p_values[nm]!;
    const pg = got.p_values[nm]!;
    if (!(Math.abs(pg - pr) < 1e-3 || Math.abs(Math.log10(pg) - Math.log10(pr)) <= 0.02 * Math.abs(Math.log10(pr)))) out.push(`p ${nm}: got ${pg}, lme4 ${pr}`);
    names.forEach((_, j) => {
      check(`vcov[${i},${j}]`, got.vcov[i]![j]!, ref.vcov[i]![j]!, 5e-3 * Math.sqrt(ref.vcov[i]![i]! * ref.vcov[j]![j]!));
      check(`vcov_rx[${i},${j}]`, got.vcov_rx[i]![j]!, ref.vcov_rx[i]![j]!, 2e-3 * Math.sqrt(ref.vcov_rx[i]![i]! * ref.vcov_rx[j]![j]!));
    });
  });
  ref.theta.forEach((t, i) => check(`theta ${i}`, got.theta[i]!, t, 2e-3 * Math.max(Math.abs(t), 0.1)));
  ref.varcorr.forEach((vc, i) => {
    const c = got.varcorr[i]!.covariance;
    vc.covariance.forEach((row, a) => row.forEach((v, b) => check(`varcorr ${vc.group} [${a},${b}]`, c[a]![b]!, v, 3e-3 * Math.sqrt(vc.covariance[a]![a]! * vc.covariance[b]![b]!) + 1e-5)));
  });
  ref.pearson_resid_quantiles.forEach((q, i) => check(`pearson quantile ${i}`, got.pearson_resid_quantiles[i]!, q, 1e-2 * Math.max(1, Math.abs(q))));
  ref.fitted_head.forEach((mu, i) => check(`fitted ${i}`, got.fitted_head[i]!, mu, 5e-3 * Math.max(1, Math.abs(mu))));
  ref.linear_predictor_head.forEach((eta, i) => check(`eta ${i}`, got.linear_predictor_head[i]!, eta, 5e-3));
  for (const r of ref.ranef) {
    const group = r.group;
    const g = got.ranef.find((t) => t.group === group);
    if (!g) {
      out.push(`ranef ${group} missing`);
      continue;
    }
    const at = new Map(g.levels.map((l, i) => [l, i]));
    r.levels.forEach((lev, li) => {
      const gi = at.get(lev);
      if (gi === undefined) {
        out.push(`ranef ${group} level ${lev} missing`);
        return;
      }
      r.columns.forEach((_, c) => {
        const sd = r.condsd[li]![c]!;
        check(`ranef ${group} ${lev} [${c}]`, g.values[gi]![c]!, r.values[li]![c]!, 0.005 * sd);
        check(`condsd ${group} ${lev} [${c}]`, g.condsd[gi]![c]!, sd, 0.005 * sd);
      });
    });
  }
  return out;
}
