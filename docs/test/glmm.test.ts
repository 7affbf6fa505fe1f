// The GLMM tutorial's numbers against lme4's: every model of scripts/lme4/models.tsv, fitted by the
// engine's fitGlmm, agrees with lme4 1.1-31's glmer fit of it (scripts/lme4/glmm.json, written by
// scripts/lme4/glmm-tutorial.R) within the tolerances of the GLMM conformance README
// (packages/core/test/conformance-glmm), and so do the page's derived numbers: the odds and rate
// ratios' Wald intervals, cbpp's predicted probabilities, the likelihood-ratio test, and the ICC and
// R² against performance's icc() and r2_nakagawa().
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compareGlmmFits, glmmEffectSizes, readCsv } from "@hlm/core";
import { fitReference, herdProbabilities, ratios, readGlmerReferences } from "../scripts/glmm.js";
import { docsDir } from "./pages.js";

const refs = readGlmerReferences(docsDir);
const near = (got: number, want: number, tol: number, what = ""): void => {
  expect(Math.abs(got - want), `${what} ${got} vs lme4's ${want}`).toBeLessThanOrEqual(tol);
};
const tables = new Map(refs.models.map((r) => [r.dataset, readCsv(readFileSync(join(docsDir, "public", `${r.dataset}.csv`), "utf8"))]));
const models = new Map(refs.models.map((r) => [r.name, fitReference(tables.get(r.dataset)!, r)]));
const fitted = new Map([...models].map(([name, m]) => [name, m.fit]));
const ref = (name: string) => refs.models.find((m) => m.name === name)!;

describe("the GLMM page against lme4", () => {
  it("has lme4's fit of every model the R script lists (the JSON is the script's output for models.tsv)", () => {
    const lines = readFileSync(join(docsDir, "scripts/lme4/models.tsv"), "utf8").trim().split("\n").slice(1);
    const tsv = lines.map((l) => l.split("\t")).map(([name, dataset, factors, formula, family, link, nAGQ]) => ({ name, dataset, factors: factors!.split(","), formula, family, link, nAGQ: Number(nAGQ) }));
    expect(refs.models.map((m) => ({ name: m.name, dataset: m.dataset, factors: m.factors, formula: m.formula, family: m.family, link: m.link, nAGQ: m.nAGQ }))).toEqual(tsv);
  });

  it.each(refs.models.map((r) => [r.name, r] as const))("%s: counts, log-likelihood, AIC, BIC, deviance(), variance components", (_, r) => {
    const f = fitted.get(r.name)!;
    expect(f.nobs).toBe(r.nobs);
    expect(f.df).toBe(r.df);
    expect(f.dfResid).toBe(r.df_resid);
    expect(f.ngrps).toEqual(r.ngrps);
    expect(f.family).toBe(r.family);
    expect(f.link).toBe(r.link);
    expect(f.nAGQ).toBe(r.nAGQ);
    near(f.logLik, r.logLik, 2e-3, "logLik");
    near(f.AIC, r.AIC, 2e-3, "AIC");
    near(f.BIC, r.BIC, 2e-3, "BIC");
    near(f.deviance, r.deviance, 0.05, "deviance()");
    for (const vc of f.varcorr) near(vc.sd[0]!, r.re_sd[vc.group]!["(Intercept)"]!, 3e-3 * r.re_sd[vc.group]!["(Intercept)"]! + 1e-5, `sd ${vc.group}`);
  });

  it.each(refs.models.map((r) => [r.name, r] as const))("%s: fixed effects, SEs, z, p and the Wald intervals (so the odds or rate ratios)", (_, r) => {
    const f = fitted.get(r.name)!;
    expect(f.fixefNames).toEqual(r.coef_table.names);
    expect(r.wald.names).toEqual(r.coef_table.names);
    const rs = ratios(f);
    f.fixefNames.forEach((n, j) => {
      const se = r.coef_table.se[j]!;
      near(f.fixef[j]!, r.fixef[n]!, 2e-3 * se, `fixef ${n}`);
      near(f.se[j]!, se, 5e-3 * se, `se ${n}`);
      near(f.zValues[j]!, r.coef_table.z[j]!, 5e-3 * Math.max(1, Math.abs(r.coef_table.z[j]!)), `z ${n}`);
      // the page's intervals: exp(β̂ ± 1.96 SE) on the log scale within the fixed effects' and SEs' tolerances
      near(Math.log(rs[j]!.lower), r.wald.lower[j]!, 2e-3 * se + 1.96 * 5e-3 * se, `Wald lower ${n}`);
      near(Math.log(rs[j]!.upper), r.wald.upper[j]!, 2e-3 * se + 1.96 * 5e-3 * se, `Wald upper ${n}`);
    });
  });

  it.each(refs.models.map((r) => [r.name, r] as const))("%s: conditional modes and conditional SDs, level by level", (_, r) => {
    const f = fitted.get(r.name)!;
    for (const rr of r.ranef) {
      const got = f.ranef.find((t) => t.group === rr.group)!;
      expect([...got.levels].sort()).toEqual([...rr.levels].sort());
      rr.levels.forEach((level, i) => {
        const k = got.levels.indexOf(level);
        const sd = rr.condsd[i]![0]!;
        near(got.values[k]![0]!, rr.values[i]![0]!, 5e-3 * sd, `mode ${rr.group} ${level}`);
        near(got.condsd[k]![0]!, sd, 5e-3 * sd, `condsd ${rr.group} ${level}`);
      });
    }
  });

  it("cbpp: each herd's predicted probability in each period and the typical herd's are predict()'s", () => {
    const r = ref("cbpp_logit");
    const hp = herdProbabilities(tables.get("cbpp")!, models.get("cbpp_logit")!.model, fitted.get("cbpp_logit")!, r.factors);
    expect(hp.periods).toEqual(r.predict!.population_period);
    r.predict!.herd.forEach((herd, i) => {
      const p = hp.herds.find((h) => h.herd === herd)!.p[hp.periods.indexOf(r.predict!.period[i]!)]!;
      near(p, r.predict!.conditional[i]!, 5e-4, `herd ${herd} period ${r.predict!.period[i]}`);
    });
    hp.population.forEach((p, k) => near(p, r.predict!.population[k]!, 5e-4, `period ${hp.periods[k]}`));
  });

  it("cbpp: the likelihood-ratio test of period is anova(m0, m)'s (compareGlmmFits)", () => {
    const c = compareGlmmFits([fitted.get("cbpp_null")!, fitted.get("cbpp_logit")!], ["m0", "m"]);
    expect(c.rows.map((r) => r.name)).toEqual(["m0", "m"]);
    c.rows.forEach((row, i) => {
      near(row.AIC, refs.anova.AIC[i]!, 2e-3, "AIC");
      near(row.BIC, refs.anova.BIC[i]!, 2e-3, "BIC");
      near(row.logLik, refs.anova.logLik[i]!, 2e-3, "logLik");
    });
    near(c.rows[1]!.Chisq!, refs.anova.Chisq, 4e-3, "Chisq");
    expect(c.rows[1]!.Df).toBe(refs.anova.Df);
    near(-Math.log10(c.rows[1]!.pValue!), -Math.log10(refs.anova.p), 0.02 * -Math.log10(refs.anova.p), "-log10 p");
  });

  it.each(refs.models.filter((r) => r.performance).map((r) => [r.name, r] as const))("%s: the latent-scale ICC and Nakagawa's R² are performance's (glmmEffectSizes)", (_, r) => {
    const { model, fit } = models.get(r.name)!;
    const e = glmmEffectSizes(model, fit);
    const want = r.performance!;
    near(e.iccAdjusted!, want.icc_adjusted, 1e-4, "icc adjusted");
    near(e.iccUnadjusted!, want.icc_unadjusted, 1e-4, "icc unadjusted");
    near(e.r2Marginal, want.r2_marginal, 1e-4, "r2 marginal");
    near(e.r2Conditional!, want.r2_conditional, 1e-4, "r2 conditional");
  });

  it("the formulas and families the page shows are the references' models", () => {
    const page = readFileSync(join(docsDir, "tutorial/glmm.md"), "utf8");
    for (const r of refs.models.filter((m) => m.name !== "cbpp_null")) {
      expect(page).toContain(`"${r.formula}"`);
      expect(page).toContain(`--family ${r.family}`);
      expect(page).toContain(`--factors ${r.factors.join(",")}`);
    }
    expect(page).toContain("--link probit");
    expect(page).toContain("--nagq 9");
  });
});
