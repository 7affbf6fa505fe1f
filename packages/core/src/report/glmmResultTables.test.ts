import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadGlmmReference } from "../../test/compareGlmmReference.js";
import { fitGlmm } from "../glmm/fitGlmm.js";
import { readCsv } from "../io/readCsv.js";
import { glmmRandomEffectsTable, glmmSummaryTable } from "./glmmResultTables.js";
import type { ResultSection, ResultTable } from "./resultTables.js";

const dir = new URL("../../test/conformance-glmm/", import.meta.url).pathname;
const read = (name: string) => readCsv(readFileSync(`${dir}${name}.csv`, "utf8"));
const cbpp = read("cbpp");
const formula = "cbind(incidence, size - incidence) ~ period + (1 | herd)";

const section = (t: ResultTable, title: string | RegExp): ResultSection => {
  const s = t.sections.find((x) => (typeof title === "string" ? x.title === title : title.test(x.title ?? "")));
  if (!s) throw new Error(`no section ${String(title)}`);
  return s;
};
function expectRectangular(t: ResultTable): void {
  for (const s of t.sections) {
    for (const row of s.rows) expect(row.length).toBe(s.header.length);
    expect(s.numberFormats?.length).toBe(s.header.length);
  }
}
/** The numbers of a row (text cells left out). */
const numbers = (row: readonly unknown[]): number[] => row.filter((c): c is number => typeof c === "number");

describe("glmmSummaryTable: glmer's summary as sheet sections", () => {
  const fit = fitGlmm(cbpp, formula, { family: "binomial", factors: ["herd", "period"] });
  const ref = loadGlmmReference("cbpp_binomial");
  const t = glmmSummaryTable(fit, "cbpp");

  it("has the sections in glmer's order, rectangular", () => {
    expectRectangular(t);
    expect(t.sheetName).toBe("HLM Summary");
    expect(t.sections.map((s) => s.title)).toEqual([
      "Model",
      "Fit statistics",
      "Scaled (Pearson) residuals",
      "Random effects",
      "Fixed effects",
      "Odds ratios exp(Estimate) with 95% Wald intervals (the intercept's: the odds at the reference levels)",
      "Correlation of fixed effects",
    ]);
    expect(section(t, "Model").rows).toEqual([
      ["Model", "Generalized linear mixed model (lme4's glmer)"],
      ["Formula", formula],
      ["Data", "cbpp"],
      ["Family", "binomial"],
      ["Link", "logit"],
      ["Method", "Maximum likelihood (Laplace approximation)"],
      ["Observations", 56],
      ["Groups: herd", 15],
    ]);
  });

  it("gives lme4's numbers: fit statistics, residuals, variance, z tests", () => {
    const stats = section(t, "Fit statistics");
    expect(stats.header).toEqual(["AIC", "BIC", "logLik", "deviance", "df.resid"]);
    const [aic, bic, ll, dev, dfr] = numbers(stats.rows[0]!);
    expect(aic).toBeCloseTo(ref.AIC, 3); // 194.0531
    expect(bic).toBeCloseTo(ref.BIC, 3);
    expect(ll).toBeCloseTo(-92.0266, 3);
    expect(dev).toBeCloseTo(184.0531, 3); // summary()'s deviance: −2 logLik
    expect(dfr).toBe(51);
    numbers(section(t, "Scaled (Pearson) residuals").rows[0]!).forEach((q, i) => expect(q).toBeCloseTo(ref.pearson_resid_quantiles[i]!, 3));
    const re = section(t, "Random effects");
    expect(re.header).toEqual(["Groups", "Name", "Variance", "Std.Dev."]);
    expect(re.rows).toHaveLength(1); // no residual row in a GLMM
    expect(re.rows[0]!.slice(0, 2)).toEqual(["herd", "(Intercept)"]);
    expect(re.rows[0]![2] as number).toBeCloseTo(0.4123, 3);
    expect(re.rows[0]![3] as number).toBeCloseTo(0.6421, 3);
    const fe = section(t, "Fixed effects");
    expect(fe.header).toEqual(["Term", "Estimate", "Std. Error", "z value", "Pr(>|z|)"]);
    expect(fe.rows.map((r) => r[0])).toEqual(["(Intercept)", "period2", "period3", "period4"]);
    fe.rows.forEach((r, i) => {
      const name = fit.fixefNames[i]!;
      expect(r[1] as number).toBeCloseTo(ref.fixef[name]!, 3);
      expect(r[2] as number).toBeCloseTo(ref.se[name]!, 3);
      expect(r[3] as number).toBeCloseTo(ref.z_values[name]!, 2);
      expect((r[4] as number) / ref.p_values[name]!).toBeCloseTo(1, 1);
    });
  });

  it("odds ratios with 95% Wald intervals: exp(β ∓ qnorm(0.975) SE), as R's exp(confint(m, method = 'Wald'))", () => {
    const or = section(t, /^Odds ratios/);
    expect(or.header).toEqual(["Term", "Odds ratio", "2.5 %", "97.5 %"]);
    // R: exp(cbind(fixef(m), confint(m, parm = "beta_", method = "Wald"))) on lme4's fit
    const R = [
      ["(Intercept)", 0.24700595, 0.15699927, 0.38861288],
      ["period2", 0.3708621, 0.20472466, 0.67182284],
      ["period3", 0.32360999, 0.17188117, 0.60927807],
      ["period4", 0.20602754, 0.09009, 0.47116606],
    ] as const;
    or.rows.forEach((row, i) => {
      expect(row[0]).toBe(R[i]![0]);
      for (let j = 1; j < 4; j++) expect((row[j] as number) / (R[i]![j] as number)).toBeCloseTo(1, 2);
    });
  });

  it("the correlation of fixed effects as lme4 prints it (lower triangle)", () => {
    const c = section(t, "Correlation of fixed effects");
    expect(c.header).toEqual(["Term", "(Intercept)", "period2", "period3"]);
    expect(c.rows.map((r) => r[0])).toEqual(["period2", "period3", "period4"]);
    // lme4: period2 -0.363; period3 -0.340 0.280; period4 -0.260 0.213 0.198
    const lme4 = [[-0.363], [-0.34, 0.28], [-0.26, 0.213, 0.198]];
    c.rows.forEach((r, i) => {
      lme4[i]!.forEach((v, j) => expect(r[1 + j] as number).toBeCloseTo(v, 2));
      for (let j = lme4[i]!.length; j < 3; j++) expect(r[1 + j]).toBeNull();
    });
  });

  it("names adaptive quadrature with its points and the weights; no odds ratios for probit", () => {
    const agq = glmmSummaryTable(fitGlmm(cbpp, formula, { family: "binomial", factors: ["herd", "period"], nAGQ: 9 }));
    expect(section(agq, "Model").rows).toContainEqual(["Method", "Maximum likelihood (Adaptive Gauss-Hermite quadrature, 9 points (nAGQ = 9))"]);
    expect(section(agq, "Model").rows.find((r) => r[0] === "Data")).toBeUndefined();
    const probit = glmmSummaryTable(fitGlmm(cbpp, "incidence/size ~ period + (1 | herd)", { family: "binomial", link: "probit", weights: "size", factors: ["herd", "period"] }), "cbpp", { weights: "size" });
    expect(section(probit, "Model").rows).toContainEqual(["Link", "probit"]);
    expect(section(probit, "Model").rows).toContainEqual(["Weights", "size"]);
    expect(probit.sections.some((s) => /ratio/i.test(s.title ?? ""))).toBe(false);
  }, 60_000);
});

describe("glmmRandomEffectsTable: conditional modes, their SDs, and each group's prediction", () => {
  it("cbpp: lme4's ranef() with condVar, coef(), and the herd's probability in period 1", () => {
    const fit = fitGlmm(cbpp, formula, { family: "binomial", factors: ["herd", "period"] });
    const ref = loadGlmmReference("cbpp_binomial");
    const t = glmmRandomEffectsTable(fit);
    expectRectangular(t);
    expect(t.sheetName).toBe("HLM Random Effects");
    expect(t.sections).toHaveLength(1);
    const s = t.sections[0]!;
    expect(s.title).toBe("herd: conditional modes (link scale, logit)");
    expect(s.header).toEqual(["herd", "mode (Intercept)", "condSD (Intercept)", "coef (Intercept)", "Probability at reference levels"]);
    const r = ref.ranef[0]!;
    // levels in the fit's order (numbers by value); the reference's in R's string order
    expect(s.rows.map((row) => row[0]).sort()).toEqual([...r.levels].sort());
    s.rows.forEach((row) => {
      const l = r.levels.indexOf(row[0] as string);
      expect(row[1] as number).toBeCloseTo(r.values[l]![0]!, 3);
      expect(row[2] as number).toBeCloseTo(r.condsd[l]![0]!, 3);
      expect(row[3] as number).toBeCloseTo(ref.fixef["(Intercept)"]! + r.values[l]![0]!, 3);
    });
    // herd 1 in period 1 (the reference level) is the data's first row: lme4's fitted(m)[1] = 0.3081647
    expect(s.rows[0]![4] as number).toBeCloseTo(ref.fitted_head[0]!, 4);
    // herd 10: plogis(-1.398343 - 0.541109) = 0.1257081
    expect(s.rows.find((row) => row[0] === "10")![4] as number).toBeCloseTo(0.1257081, 4);
  });

  it("Poisson: two grouping factors, the mean count at reference levels; rate ratios on the summary", () => {
    const ref = loadGlmmReference("grouseticks_poisson");
    const fit = fitGlmm(read("grouseticks"), ref.formula, { family: "poisson", factors: ref.factors });
    const t = glmmRandomEffectsTable(fit);
    expectRectangular(t);
    expect(t.sections.map((s) => s.header[0])).toEqual(ref.ranef.map((r) => r.group));
    const s = t.sections[0]!;
    expect(s.header.at(-1)).toBe("Mean count at reference levels");
    const r = ref.ranef[0]!;
    const first = s.rows.find((row) => row[0] === r.levels[0])!;
    expect(first[s.header.length - 1] as number).toBeCloseTo(Math.exp(ref.fixef["(Intercept)"]! + r.values[0]![0]!), 2);
    const rr = section(glmmSummaryTable(fit), /^Rate ratios/);
    expect(rr.header).toEqual(["Term", "Rate ratio", "2.5 %", "97.5 %"]);
    expect(rr.title).toBe("Rate ratios exp(Estimate) with 95% Wald intervals (the intercept's: the rate at the reference levels)");
    expect(rr.rows[0]![1] as number).toBeCloseTo(Math.exp(ref.fixef["(Intercept)"]!), 2);
  }, 60_000);
});
