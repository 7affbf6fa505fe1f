import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { conformanceDir } from "../../test/compareReference.js";
import { anovaTypeIII, fStatisticDf, fTestPValue } from "./anovaTypeIII.js";
import { buildModel } from "../model/buildModel.js";
import { fitModel } from "../fit/fit.js";
import { readCsv } from "../io/readCsv.js";

/** Written by test/fixtures/anova/anova.R (lmerTest's anova(lmer(...)), type III, Satterthwaite). */
interface AnovaReference {
  name: string;
  formula: string;
  REML: boolean;
  terms: string[];
  sumSq: number[];
  meanSq: number[];
  numDf: number[];
  denDf: number[];
  F: number[];
  p: number[];
}

const references = JSON.parse(readFileSync(new URL("../../test/fixtures/anova/anova.json", import.meta.url), "utf8")) as AnovaReference[];
const examDir = new URL("../../test/fixtures/lme4/", import.meta.url);
const examFactors = ["school", "intake", "sex", "vr", "schgend", "type", "student"];
const data: Record<string, { file: string | URL; factors: string[] }> = {
  sleepstudy_reml: { file: `${conformanceDir}sleepstudy.csv`, factors: ["Subject"] },
  nels_interaction_ml: { file: `${conformanceDir}nels_sim.csv`, factors: ["school"] },
  hsb_sector_ml: { file: `${conformanceDir}hsb.csv`, factors: ["School", "Minority", "Sex", "Sector"] },
  exam_intake_reml: { file: new URL("Exam.csv", examDir), factors: examFactors },
  exam_factor_numeric_ml: { file: new URL("Exam.csv", examDir), factors: examFactors },
  hsb_factors_reml: { file: `${conformanceDir}hsb.csv`, factors: ["School", "Minority", "Sex", "Sector"] },
  exam_two_factors_reml: { file: new URL("Exam.csv", examDir), factors: examFactors },
  exam_three_way_ml: { file: new URL("Exam.csv", examDir), factors: examFactors },
};


function relErr(got: number, want: number): number {
  return Math.abs(got - want) / Math.max(Math.abs(want), 1e-300);
}

describe("anovaTypeIII against lmerTest", () => {
  for (const ref of references) {
    it(ref.name, () => {
      const d = data[ref.name]!;
      const model = buildModel(readCsv(readFileSync(d.file, "utf8")), ref.formula, { REML: ref.REML, factors: d.factors });
      const rows = anovaTypeIII(model, fitModel(model));
      expect(rows.map((r) => r.term)).toEqual(ref.terms);
      rows.forEach((r, i) => {
        expect(r.numDf).toBe(ref.numDf[i]);
        expect(relErr(r.F, ref.F[i]!)).toBeLessThan(1e-4);
        expect(relErr(r.meanSq, ref.meanSq[i]!)).toBeLessThan(1e-4);
        expect(relErr(r.sumSq, ref.sumSq[i]!)).toBeLessThan(1e-4);
        expect(relErr(r.denDf, ref.denDf[i]!)).toBeLessThan(1e-2);
        expect(relErr(r.pValue, ref.p[i]!)).toBeLessThan(1e-3);
      });
    });
  }
});

describe("anovaTypeIII pieces", () => {
  it("F p-values as R's pf", () => {
    // pf(3, 2, 10, lower.tail = FALSE) = 0.095367431640624972; pf(4.5, 1, 20, lower.tail = FALSE)
    expect(relErr(fTestPValue(3, 2, 10), 0.095367431640624972)).toBeLessThan(1e-10);
    expect(relErr(fTestPValue(4.5, 1, 20), 0.04658379774023283)).toBeLessThan(1e-9);
    expect(fTestPValue(0, 2, 10)).toBe(1);
    // tiny p-values keep their digits (R: pf(400, 2, 50, lower.tail = FALSE))
    expect(relErr(fTestPValue(400, 2, 50), 1.7329138212252905e-31)).toBeLessThan(1e-9);
  });
  it("denominator df from the t statistics' df", () => {
    expect(fStatisticDf([12])).toBe(12);
    expect(fStatisticDf([10, 10])).toBe(10);
    expect(fStatisticDf([1.5, 30])).toBe(2);
    const E = 10 / 8 + 20 / 18;
    expect(fStatisticDf([10, 20])).toBeCloseTo((2 * E) / (E - 2), 12);
  });
});

describe("anovaTypeIII with a residual structure", () => {
  it("gives finite Satterthwaite df, and F = t² with the fit's df for one-column terms", () => {
    const data = readCsv(readFileSync(new URL("../../test/conformance-nlme/BodyWeight.csv", import.meta.url), "utf8"));
    const options = { REML: false, factors: ["Rat", "Diet"], correlation: "corCAR1(form = ~ Time)" };
    const model = buildModel(data, "weight ~ Time * Diet + (Time | Rat)", options);
    const fit = fitModel(model, options);
    const rows = anovaTypeIII(model, fit);
    expect(rows.map((r) => [r.term, r.numDf])).toEqual([["Time", 1], ["Diet", 2], ["Time:Diet", 2]]);
    for (const r of rows) {
      expect(Number.isFinite(r.denDf) && r.denDf > 0).toBe(true);
      expect(Number.isFinite(r.F) && r.pValue >= 0 && r.pValue <= 1).toBe(true);
    }
    // a one-column term not contained in another is the t-test of its coefficient: F = t², the same df
    const ovary = readCsv(readFileSync(new URL("../../test/conformance-nlme/Ovary.csv", import.meta.url), "utf8"));
    const o = { REML: true, factors: ["Mare"], correlation: "corAR1()" };
    const m = buildModel(ovary, "follicles ~ s1 + c1 + (1 | Mare)", o);
    const f = fitModel(m, o);
    anovaTypeIII(m, f).forEach((r, i) => {
      expect(r.F).toBeCloseTo(f.tValues[i + 1]! ** 2, 8);
      expect(r.denDf).toBeCloseTo(f.satterthwaiteDf[i + 1]!, 6);
    });
  });
});
