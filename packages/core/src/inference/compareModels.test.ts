import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { conformanceDir } from "../../test/compareReference.js";
import { nlmeDir } from "../../test/compareNlmeReference.js";
import { chisqUpperTail, compareFits, compareModels, REFIT_NOTE, REML_NOTE, type ModelComparison } from "./compareModels.js";
import { formatComparison } from "../report/formatComparison.js";
import { fit } from "../fit/fit.js";
import { HlmError } from "../HlmError.js";
import { readCsv } from "../io/readCsv.js";
import { tableFromRows } from "../io/tableFromRows.js";

/** Written by test/fixtures/compare/compare.R (lme4's anova(m1, m0), models given in reverse order). */
interface CompareReference {
  name: string;
  data: string;
  factors: string[];
  REML: boolean;
  formulas: string[];
  models: string[];
  npar: number[];
  AIC: number[];
  BIC: number[];
  logLik: number[];
  deviance: number[];
  Chisq: (number | null)[];
  Df: (number | null)[];
  p: (number | null)[];
}

const references = JSON.parse(readFileSync(new URL("../../test/fixtures/compare/compare.json", import.meta.url), "utf8")) as CompareReference[];
const relClose = (got: number, want: number, tol: number): boolean => Math.abs(got - want) <= tol * Math.abs(want);

describe("compareModels agrees with lme4's anova", () => {
  for (const ref of references) {
    it(ref.name, () => {
      const table = readCsv(readFileSync(conformanceDir + ref.data, "utf8"));
      // given in reverse order, as in the R script: the rows come sorted by npar
      const c = compareModels(table, [...ref.formulas].reverse(), { REML: ref.REML, factors: ref.factors, names: ref.models.map((_, i) => `m${ref.models.length - 1 - i}`) });
      expect(c.refitML).toBe(ref.REML);
      expect(c.note).toBe(ref.REML ? REFIT_NOTE : null);
      expect(c.rows.map((r) => r.name)).toEqual(ref.models);
      expect(c.fits.every((f) => !f.REML)).toBe(true);
      c.rows.forEach((r, i) => {
        expect(r.npar).toBe(ref.npar[i]);
        for (const k of ["AIC", "BIC", "logLik", "deviance"] as const) {
          expect(relClose(r[k], ref[k][i]!, 1e-6), `${k} ${r[k]} vs ${ref[k][i]}`).toBe(true);
        }
        if (i === 0) {
          expect([r.Chisq, r.Df, r.pValue]).toEqual([null, null, null]);
        } else {
          expect(Math.abs(r.Chisq! - ref.Chisq[i]!), `Chisq ${r.Chisq} vs ${ref.Chisq[i]}`).toBeLessThanOrEqual(1e-4);
          expect(r.Df).toBe(ref.Df[i]);
          expect(relClose(r.pValue!, ref.p[i]!, 1e-4), `p ${r.pValue} vs ${ref.p[i]}`).toBe(true);
        }
      });
    });
  }

  it("prints R's layout", () => {
    const table = readCsv(readFileSync(conformanceDir + "sleepstudy.csv", "utf8"));
    const text = formatComparison(compareModels(table, ["Reaction ~ Days + (Days | Subject)", "Reaction ~ Days + (1 | Subject)"], { factors: ["Subject"], names: ["m1", "m0"] }), { dataName: "sleepstudy" });
    expect(text).toBe(
      [
        "refitting model(s) with ML (instead of REML)",
        "Data: sleepstudy",
        "Models:",
        "m0: Reaction ~ Days + (1 | Subject)",
        "m1: Reaction ~ Days + (Days | Subject)",
        "   npar    AIC    BIC  logLik deviance  Chisq Df Pr(>Chisq)",
        "m0    4 1802.1 1814.8 -897.04   1794.1",
        "m1    6 1763.9 1783.1 -875.97   1751.9 42.139  2  7.072e-10 ***",
        "---",
        "Signif. codes:  0 '***' 0.001 '**' 0.01 '*' 0.05 '.' 0.1 ' ' 1",
        "",
      ].join("\n"),
    );
  });
});

describe("chisqUpperTail", () => {
  it("matches R's pchisq(lower.tail = FALSE)", () => {
    // R: pchisq(c(4.53544252603751, 0.5, 3, 100, 2), c(2, 1, 5, 3, 10), lower.tail = FALSE)
    const cases: [number, number, number][] = [
      [4.53544252603751, 2, Math.exp(-4.53544252603751 / 2)],
      [0.5, 1, 0.4795001221869535],
      [3, 5, 0.6999858358786275],
      [100, 3, 1.554159431389605e-21],
      [2, 10, 0.9963401531726562],
      [900, 3, 8.851690237125584e-195],
    ];
    for (const [x, df, p] of cases) expect(relClose(chisqUpperTail(x, df), p, 1e-9), `${x} ${df}: ${chisqUpperTail(x, df)} vs ${p}`).toBe(true);
    expect(chisqUpperTail(0, 2)).toBe(1);
  });
});

describe("compareModels rejects", () => {
  it("one formula", () => {
    const t = tableFromRows(["y", "g"], [["1", "a"], ["2", "b"]]);
    expect(() => compareModels(t, ["y ~ 1 + (1 | g)"])).toThrow(HlmError);
  });
  it("REML fits in compareFits, and fits to different rows", () => {
    const table = readCsv(readFileSync(conformanceDir + "sleepstudy.csv", "utf8"));
    const m0 = fit(table, "Reaction ~ Days + (1 | Subject)", { factors: ["Subject"] });
    expect(() => compareFits([m0, m0])).toThrow(/REML/);
    const ml = fit(table, "Reaction ~ Days + (1 | Subject)", { factors: ["Subject"], REML: false });
    const fewer = { ...ml, nobs: ml.nobs - 1 };
    expect(() => compareFits([ml, fewer])).toThrow(/different numbers of observations: m0 180, m1 179/);
  });
});

describe("compareModels with residual structures: nlme's anova(m0, m1)", () => {
  const ovary = readCsv(readFileSync(`${nlmeDir}Ovary.csv`, "utf8"));
  const formula = "follicles ~ s1 + c1 + (1 | Mare)";
  /** The rows' npar, logLik, AIC, BIC, Chisq and p against R's anova (relative 1e-6; Chisq absolute 1e-5). */
  const expectR = (c: ModelComparison, want: { df: number[]; logLik: number[]; AIC: number[]; BIC: number[]; L: number; p: number }): void => {
    c.rows.forEach((r, i) => {
      expect(r.npar).toBe(want.df[i]);
      for (const k of ["logLik", "AIC", "BIC"] as const) expect(relClose(r[k], want[k][i]!, 1e-6), `${k} ${r[k]} vs ${want[k][i]}`).toBe(true);
    });
    expect(Math.abs(c.rows[1]!.Chisq! - want.L)).toBeLessThanOrEqual(1e-5);
    expect(relClose(c.rows[1]!.pValue!, want.p, 1e-5), `p ${c.rows[1]!.pValue} vs ${want.p}`).toBe(true);
  };

  it("compares REML fits with the same fixed effects as they are, and says so", () => {
    // R 4.2, nlme 3.1-162, d <- read.csv("Ovary.csv"):
    // anova(lme(follicles ~ s1 + c1, random = ~1|Mare, data = d), lme(follicles ~ s1 + c1, random = ~1|Mare, data = d, correlation = corAR1()))
    const c = compareModels(ovary, [formula, formula], { factors: ["Mare"], structures: [{}, { correlation: "corAR1()" }] });
    expect(c.refitML).toBe(false);
    expect(c.note).toBe(REML_NOTE);
    expect(c.fits.every((f) => f.REML)).toBe(true);
    expectR(c, {
      df: [5, 6],
      logLik: [-829.680150154882, -775.223348784056],
      AIC: [1669.36030030976, 1562.44669756811],
      BIC: [1687.9618591928, 1584.76856822776],
      L: 108.913602741652,
      p: 1.69516033971618e-25,
    });
    expect(c.rows.map((r) => r.structure)).toEqual([undefined, "correlation = corAR1()"]);
    const text = formatComparison(c, { dataName: "Ovary" });
    expect(text.split("\n").slice(0, 5)).toEqual([REML_NOTE, "Data: Ovary", "Models:", `m0: ${formula}`, `m1: ${formula}, correlation = corAR1()`]);
  });

  it("compares ML fits as they are", () => {
    // R: the same two models with method = "ML", anova(m0, m1)
    const c = compareModels(ovary, [formula, formula], { REML: false, factors: ["Mare"], structures: [{}, { correlation: "corAR1()" }] });
    expect([c.refitML, c.note]).toEqual([false, null]);
    expectR(c, {
      df: [5, 6],
      logLik: [-829.801288542269, -776.517310889982],
      AIC: [1669.60257708454, 1565.03462177996],
      BIC: [1688.25307599941, 1587.41522047781],
      L: 106.567955304575,
      p: 5.53611936620996e-25,
    });
  });

  it("refits REML fits with different fixed effects by ML", () => {
    // R: anova(lme(follicles ~ s1, random = ~1|Mare, data = d, method = "ML"),
    //          lme(follicles ~ s1 + c1, random = ~1|Mare, data = d, correlation = corAR1(), method = "ML"))
    const c = compareModels(ovary, ["follicles ~ s1 + (1 | Mare)", formula], { factors: ["Mare"], structures: [{}, { correlation: "corAR1()" }] });
    expect([c.refitML, c.note]).toEqual([true, REFIT_NOTE]);
    expect(c.fits.every((f) => !f.REML)).toBe(true);
    expectR(c, {
      df: [4, 6],
      logLik: [-834.79255287502, -776.517310889982],
      AIC: [1677.58510575004, 1565.03462177996],
      BIC: [1692.50550488194, 1587.41522047781],
      L: 116.550483970077,
      p: 4.91342096200751e-26,
    });
  });

  it("gives every model the options' structure when no structures are listed, and wants one structure per model", () => {
    const c = compareModels(ovary, ["follicles ~ s1 + (1 | Mare)", formula], { REML: false, factors: ["Mare"], correlation: "corAR1()" });
    expect(c.rows.map((r) => r.structure)).toEqual(["correlation = corAR1()", "correlation = corAR1()"]);
    expect(() => compareModels(ovary, [formula, formula], { structures: [{}] })).toThrow(/one residual structure per model: 2 models, 1 structures/);
  });
});
