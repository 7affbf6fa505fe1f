import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { FitJson } from "../src/report/fitToJson.js";

/** The lme4 reference fits and their data sets (`packages/core/test/conformance`, copied from the project's shared references). */
export const conformanceDir = fileURLToPath(new URL("./conformance/", import.meta.url));

export interface Reference extends FitJson {
  name: string;
  dataset: string;
}

export function loadReferences(dir = conformanceDir): Reference[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => JSON.parse(readFileSync(dir + f, "utf8")) as Reference);
}

/**
 * Every disagreement between a fit (in the reference layout) and an lme4 reference, judged by the
 * tolerances of the conformance README. An empty list is agreement.
 */
export function compareWithReference(got: FitJson, ref: FitJson): string[] {
  const bad: string[] = [];
  const check = (ok: boolean, what: string, g: unknown, r: unknown): void => {
    if (!ok) bad.push(`${what}: got ${JSON.stringify(g)}, lme4 ${JSON.stringify(r)}`);
  };
  check(got.nobs === ref.nobs, "nobs", got.nobs, ref.nobs);
  check(got.df_resid === ref.df_resid, "df_resid", got.df_resid, ref.df_resid);
  check(JSON.stringify(got.ngrps) === JSON.stringify(ref.ngrps), "ngrps", got.ngrps, ref.ngrps);
  check(got.singular === ref.singular, "singular", got.singular, ref.singular);
  check(got.objective <= ref.objective + 1e-3, "objective", got.objective, ref.objective);
  for (const k of ["logLik", "AIC", "BIC"] as const) check(Math.abs(got[k] - ref[k]) <= 2e-3, k, got[k], ref[k]);
  check(Math.abs(got.sigma - ref.sigma) <= 1e-4 * ref.sigma, "sigma", got.sigma, ref.sigma);
  const names = Object.keys(ref.fixef);
  check(JSON.stringify(Object.keys(got.fixef)) === JSON.stringify(names), "fixef names", Object.keys(got.fixef), names);
  names.forEach((nm, i) => {
    const se = ref.se[nm]!;
    check(Math.abs(got.fixef[nm]! - ref.fixef[nm]!) <= 0.002 * se, `fixef ${nm}`, got.fixef[nm], ref.fixef[nm]);
    check(Math.abs(got.se[nm]! - se) <= 2e-3 * se, `se ${nm}`, got.se[nm], se);
    names.forEach((_, j) => {
      const tol = 2e-3 * Math.sqrt(ref.vcov[i]![i]! * ref.vcov[j]![j]!);
      check(Math.abs(got.vcov[i]![j]! - ref.vcov[i]![j]!) <= tol, `vcov[${i}][${j}]`, got.vcov[i]![j], ref.vcov[i]![j]);
    });
    const dfG = got.satterthwaite_df[nm]!;
    const dfR = ref.satterthwaite_df[nm]!;
    check(Math.abs(dfG - dfR) <= 2e-2 * dfR, `satterthwaite_df ${nm}`, dfG, dfR);
    const lp = (p: number): number => -Math.log10(p);
    const pG = got.p_values[nm]!;
    const pR = ref.p_values[nm]!;
    check(Math.abs(lp(pG) - lp(pR)) <= 0.02 * Math.max(lp(pR), 1e-12) || Math.abs(pG - pR) < 1e-12, `p_value ${nm}`, pG, pR);
  });
  const s2 = ref.sigma ** 2;
  check(got.varcorr.length === ref.varcorr.length, "varcorr terms", got.varcorr.length, ref.varcorr.length);
  ref.varcorr.forEach((rv, t) => {
    const gv = got.varcorr[t];
    if (!gv) return;
    check(gv.group === rv.group && JSON.stringify(gv.names) === JSON.stringify(rv.names), `varcorr[${t}] names`, [gv.group, gv.names], [rv.group, rv.names]);
    rv.covariance.forEach((row, i) =>
      row.forEach((c, j) => {
        const tol = 3e-3 * Math.sqrt(rv.covariance[i]![i]! * rv.covariance[j]![j]!) + 1e-4 * s2;
        check(Math.abs(gv.covariance[i]![j]! - c) <= tol, `varcorr ${rv.group}[${i}][${j}]`, gv.covariance[i]![j], c);
      }),
    );
  });
  ref.scaled_resid_quantiles.forEach((q, i) => check(Math.abs(got.scaled_resid_quantiles[i]! - q) <= 2e-3, `scaled_resid_quantiles[${i}]`, got.scaled_resid_quantiles[i], q));
  ref.fitted_head.forEach((f, i) => check(Math.abs(got.fitted_head[i]! - f) <= 1e-3 * ref.sigma, `fitted_head[${i}]`, got.fitted_head[i], f));
  check(got.ranef.length === ref.ranef.length, "ranef groups", got.ranef.length, ref.ranef.length);
  for (const rr of ref.ranef) {
    const gr = got.ranef.find((g) => g.group === rr.group);
    if (!gr) {
      bad.push(`ranef: no group ${rr.group}`);
      continue;
    }
    check(JSON.stringify(gr.columns) === JSON.stringify(rr.columns), `ranef ${rr.group} columns`, gr.columns, rr.columns);
    const index = new Map(gr.levels.map((l, i) => [l, i]));
    rr.levels.forEach((lev, i) => {
      const gi = index.get(lev);
      if (gi === undefined) {
        bad.push(`ranef ${rr.group}: no level ${lev}`);
        return;
      }
      rr.values[i]!.forEach((v, k) => {
        const sd = rr.condsd[i]![k]!;
        check(Math.abs(gr.values[gi]![k]! - v) <= 0.005 * sd, `ranef ${rr.group} ${lev}[${k}]`, gr.values[gi]![k], v);
        check(Math.abs(gr.condsd[gi]![k]! - sd) <= 0.005 * sd, `condsd ${rr.group} ${lev}[${k}]`, gr.condsd[gi]![k], sd);
      });
    });
  }
  return bad;
}
