// The longitudinal tutorial's numbers against nlme's: every model of scripts/nlme/models.tsv, fitted by
// the engine, agrees with nlme 3.1's fit of it (scripts/nlme/longitudinal.json, written by
// scripts/nlme/nlme-longitudinal.R) to the tolerances below, and the page's table says how closely.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readCsv, residualAcf } from "@hlm/core";
import { fitReference, hlmFormula, readNlmeReferences } from "../scripts/longitudinal.js";
import { docsDir } from "./pages.js";

const refs = readNlmeReferences(docsDir);
const near = (got: number, want: number, rel: number, abs = 0): void => {
  expect(Math.abs(got - want), `${got} vs nlme's ${want}`).toBeLessThanOrEqual(Math.max(rel * Math.abs(want), abs));
};
const fitted = new Map(refs.models.map((r) => [r.name, fitReference(readCsv(readFileSync(join(docsDir, "public", `${r.dataset}.csv`), "utf8")), r)]));

describe("the longitudinal page against nlme", () => {
  it("has nlme's fit of every model the R script lists (the JSON is the script's output for models.tsv)", () => {
    const lines = readFileSync(join(docsDir, "scripts/nlme/models.tsv"), "utf8").trim().split("\n").slice(1);
    const tsv = lines.map((l) => l.split("\t")).map(([name, dataset, factors, fixed, random, correlation, weights]) => ({ name, dataset, factors: factors!.split(","), fixed, random, correlation: correlation ?? "", weights: weights ?? "" }));
    expect(refs.models.map((m) => ({ name: m.name, dataset: m.dataset, factors: m.factors, fixed: m.fixed, random: m.random, correlation: m.correlation, weights: m.weights }))).toEqual(tsv);
  });

  it.each(refs.models.map((r) => [r.name, r] as const))("%s: the log-likelihood, its parameter count, AIC and BIC", (_, ref) => {
    const f = fitted.get(ref.name)!.fit;
    expect(f.df).toBe(ref.df);
    near(f.logLik, ref.logLik, 0, 1e-5);
    near(f.AIC, ref.AIC, 0, 2e-5);
    near(f.BIC, ref.BIC, 0, 2e-5);
  });

  it("Ovary: the estimates, nlme's t-table, the structure and V_1 of the AR(1) fit", () => {
    for (const name of ["ovary_independent", "ovary_ar1"]) {
      const ref = refs.models.find((m) => m.name === name)!;
      const f = fitted.get(name)!.fit;
      expect(f.fixefNames).toEqual(ref.t_table.names);
      f.fixefNames.forEach((n, j) => {
        near(f.fixef[j]!, ref.fixef[n]!, 0, 1e-5 * ref.t_table.se[j]!);
        near(f.containment!.se[j]!, ref.t_table.se[j]!, 1e-5);
        near(f.containment!.tValues[j]!, ref.t_table.t[j]!, 1e-5);
        expect(f.containment!.df[j]).toBe(ref.t_table.df[j]);
      });
      near(f.sigma, ref.sigma, 1e-5);
      near(f.varcorr[0]!.sd[0]!, ref.re_sd["(Intercept)"]!, 1e-5);
    }
    const ref = refs.models.find((m) => m.name === "ovary_ar1")!;
    const f = fitted.get("ovary_ar1")!.fit;
    expect(f.residual!.correlation!.names).toEqual(["Phi"]);
    near(f.residual!.correlation!.values[0]!, ref.cor_params!.Phi!, 0, 1e-5);
    const v = f.residual!.marginalCovariance;
    expect(v.group).toBe(ref.marginal_first!.group);
    const scale = ref.marginal_first!.matrix[0]![0]!;
    ref.marginal_first!.matrix.forEach((row, i) => row.forEach((x, j) => near(v.matrix[i]![j]!, x, 0, 1e-5 * scale)));
    // the likelihood-ratio test of the page, against anova(m0, m1)
    const f0 = fitted.get("ovary_independent")!.fit;
    near(2 * (f.logLik - f0.logLik), refs.anova["L.Ratio"], 1e-6);
  });

  it("Ovary: the residuals' autocorrelation before and after AR(1) is nlme's ACF (lags, pairs, values)", () => {
    for (const name of ["ovary_independent", "ovary_ar1"]) {
      const ref = refs.models.find((m) => m.name === name)!;
      const { model, fit } = fitted.get(name)!;
      const acf = residualAcf(model, fit);
      expect(ref.acf!.type).toBe(name === "ovary_ar1" ? "normalized" : "pearson");
      expect(acf.map((a) => a.lag)).toEqual(ref.acf!.lag);
      expect(acf.map((a) => a.pairs)).toEqual(ref.acf!.pairs);
      acf.forEach((a, k) => near(a.acf, ref.acf!.acf[k]!, 0, 1e-5));
    }
  });

  it("the formulas the page shows are the references' models", () => {
    expect(hlmFormula({ fixed: "follicles ~ s1 + c1", random: "~ 1 | Mare" })).toBe("follicles ~ s1 + c1 + (1 | Mare)");
    const page = readFileSync(join(docsDir, "tutorial/longitudinal.md"), "utf8");
    for (const r of refs.models.filter((m) => m.dataset === "Ovary")) {
      expect(page).toContain(`"${hlmFormula(r)}"`);
      if (r.correlation) expect(page).toContain(`correlation: "${r.correlation}"`);
    }
  });
});
