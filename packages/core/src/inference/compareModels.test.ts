import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { conformanceDir } from "../../test/compareReference.js";
import { chisqUpperTail, compareFits, compareModels, REFIT_NOTE } from "./compareModels.js";
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
