import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { conformanceDir, loadReferences, type Reference } from "../../test/compareReference.js";
import { buildModel } from "../model/buildModel.js";
import { fitModel } from "../fit/fit.js";
import type { LmmFit } from "../fit/LmmFit.js";
import { readCsv } from "../io/readCsv.js";
import { randomEffectsTable, shrinkageResultTable, summaryTable, type ResultSection, type ResultTable } from "./resultTables.js";
import { shrinkageTable } from "../results/shrinkageTable.js";

const references = new Map(loadReferences().map((r) => [r.name, r]));
const ref = (name: string): Reference => references.get(name)!;

function fitReference(name: string) {
  const r = ref(name);
  const model = buildModel(readCsv(readFileSync(`${conformanceDir}${r.dataset}.csv`, "utf8")), r.formula, { REML: r.REML, factors: r.factors });
  return { r, model, fit: fitModel(model) };
}

const section = (t: ResultTable, title: string): ResultSection => {
  const s = t.sections.find((x) => x.title === title);
  if (!s) throw new Error(`no section ${title}`);
  return s;
};

/** Every section is rectangular: rows and number formats as wide as the header. */
function expectRectangular(t: ResultTable): void {
  for (const s of t.sections) {
    for (const row of s.rows) expect(row.length).toBe(s.header.length);
    if (s.numberFormats) expect(s.numberFormats.length).toBe(s.header.length);
    expect(new Set(s.header).size).toBe(s.header.length);
  }
}

describe("summaryTable", () => {
  const { r, fit } = fitReference("sleepstudy_slopes_reml");
  const t = summaryTable(fit, "sleepstudy");

  it("is the HLM Summary sheet with its sections in lme4's order", () => {
    expect(t.sheetName).toBe("HLM Summary");
    expect(t.sections.map((s) => s.title)).toEqual(["Model", "Fit statistics", "Scaled residuals", "Random effects", "Fixed effects"]);
    expectRectangular(t);
  });

  it("describes the model", () => {
    expect(section(t, "Model").rows).toEqual([
      ["Formula", "Reaction ~ Days + (Days | Subject)"],
      ["Data", "sleepstudy"],
      ["Method", "REML"],
      ["Observations", 180],
      ["Groups: Subject", 18],
    ]);
  });

  it("gives the fit statistics as numbers, with the REML criterion for a REML fit", () => {
    const s = section(t, "Fit statistics");
    expect(s.header).toEqual(["AIC", "BIC", "logLik", "REML criterion", "df.resid"]);
    const [aic, bic, ll, crit, dfr] = s.rows[0]! as number[];
    expect(aic).toBe(fit.AIC);
    expect(Math.abs(aic! - r.AIC)).toBeLessThan(2e-3);
    expect(Math.abs(bic! - r.BIC)).toBeLessThan(2e-3);
    expect(Math.abs(ll! - r.logLik)).toBeLessThan(2e-3);
    expect(Math.abs(crit! - r.objective)).toBeLessThan(2e-3);
    expect(dfr).toBe(r.df_resid);
    expect(s.numberFormats).toEqual(["0.00", "0.00", "0.00", "0.00", "0"]);
  });

  it("gives the scaled residual quantiles", () => {
    const row = section(t, "Scaled residuals").rows[0]! as number[];
    row.forEach((q, i) => expect(Math.abs(q - r.scaled_resid_quantiles[i]!)).toBeLessThan(2e-3));
  });

  it("lists the variance components with the correlation below the diagonal and a Residual row", () => {
    const s = section(t, "Random effects");
    expect(s.header).toEqual(["Groups", "Name", "Variance", "Std.Dev.", "Corr"]);
    expect(s.rows.map((row) => [row[0], row[1]])).toEqual([
      ["Subject", "(Intercept)"],
      ["Subject", "Days"],
      ["Residual", null],
    ]);
    const rv = r.varcorr[0]!;
    expect(Math.abs((s.rows[0]![2] as number) - rv.covariance[0]![0]!)).toBeLessThan(3e-3 * rv.covariance[0]![0]!);
    expect(Math.abs((s.rows[1]![3] as number) - rv.sd[1]!)).toBeLessThan(3e-3 * rv.sd[1]!);
    expect(s.rows[0]![4]).toBeNull();
    expect(Math.abs((s.rows[1]![4] as number) - rv.corr[1]![0]!)).toBeLessThan(5e-3);
    expect(s.rows[2]![2]).toBeCloseTo(r.sigma ** 2, 1);
    expect(Math.abs((s.rows[2]![3] as number) - r.sigma)).toBeLessThan(1e-4 * r.sigma);
    expect(s.rows[2]![4]).toBeNull();
  });

  it("gives the fixed effects with SE, Satterthwaite df, t and p as lme4 and lmerTest do", () => {
    const s = section(t, "Fixed effects");
    expect(s.header).toEqual(["Term", "Estimate", "Std. Error", "df", "t value", "Pr(>|t|)"]);
    // p-values as lme4's summary prints these: "< 2e-16" and "3.26e-06"
    expect(s.numberFormats).toEqual([null, "0.0000", "0.0000", "0.00", "0.000", '[<2.22044604925031E-16]"< 2e-16";[<0.0001]0.00e-00;0.000']);
    expect(s.rows.map((row) => row[0])).toEqual(Object.keys(r.fixef));
    s.rows.forEach((row, i) => {
      const name = row[0] as string;
      const [est, se, df, tv, p] = row.slice(1) as number[];
      expect(est).toBe(fit.fixef[i]);
      expect(Math.abs(est! - r.fixef[name]!)).toBeLessThan(0.002 * r.se[name]!);
      expect(Math.abs(se! - r.se[name]!)).toBeLessThan(2e-3 * r.se[name]!);
      expect(Math.abs(df! - r.satterthwaite_df[name]!)).toBeLessThan(2e-2 * r.satterthwaite_df[name]!);
      expect(tv).toBeCloseTo(est! / se!, 10);
      expect(Math.abs(Math.log10(p!) - Math.log10(r.p_values[name]!))).toBeLessThan(0.02 * -Math.log10(r.p_values[name]!));
    });
  });

  it("names the deviance for an ML fit, and leaves df and p blank when Satterthwaite was not computed", () => {
    const model = buildModel(readCsv(readFileSync(`${conformanceDir}Dyestuff.csv`, "utf8")), "Yield ~ 1 + (1 | Batch)", { REML: false });
    const f = fitModel(model, { satterthwaite: false });
    const s = summaryTable(f);
    expect(section(s, "Model").rows).toContainEqual(["Method", "Maximum likelihood"]);
    expect(section(s, "Model").rows.map((row) => row[0])).not.toContain("Data");
    expect(section(s, "Fit statistics").header[3]).toBe("deviance");
    expect(section(s, "Fit statistics").rows[0]![3]).toBe(f.objective);
    const fx = section(s, "Fixed effects").rows[0]!;
    expect(fx[3]).toBeNull();
    expect(fx[5]).toBeNull();
    expect(fx[1]).toBe(f.fixef[0]);
    // a single random intercept: no correlation columns
    expect(section(s, "Random effects").header).toEqual(["Groups", "Name", "Variance", "Std.Dev."]);
  });

  it("lists each warning in a row of its own", () => {
    const { fit: singular } = fitReference("dyestuff2_singular");
    const s = summaryTable(singular);
    const w = section(s, "Warnings");
    expect(w.header).toEqual(["Code", "Message"]);
    expect(w.rows).toContainEqual(["singular", "boundary (singular) fit: see help('isSingular')"]);
    expect(w.rows.length).toBe(singular.warnings.length);
  });

  it("gives one Groups row per grouping factor and numbered correlation columns for larger terms", () => {
    const { fit: nested } = fitReference("pastes_nested");
    expect(section(summaryTable(nested), "Model").rows.filter((row) => String(row[0]).startsWith("Groups:"))).toEqual([
      ["Groups: cask:batch", 30],
      ["Groups: batch", 10],
    ]);
    const three = { ...fit, varcorr: [{ group: "g", names: ["a", "b", "c"], covariance: [[1, 0.5, 0], [0.5, 1, 0.25], [0, 0.25, 1]], sd: [1, 1, 1], corr: [[1, 0.5, 0], [0.5, 1, 0.25], [0, 0.25, 1]] }] } as LmmFit;
    const s = section(summaryTable(three), "Random effects");
    expect(s.header).toEqual(["Groups", "Name", "Variance", "Std.Dev.", "Corr 1", "Corr 2"]);
    expect(s.rows[0]!.slice(4)).toEqual([null, null]);
    expect(s.rows[1]!.slice(4)).toEqual([0.5, null]);
    expect(s.rows[2]!.slice(4)).toEqual([0, 0.25]);
  });
});

describe("randomEffectsTable", () => {
  it("gives a row per level with BLUPs, conditional SDs and coefficients, matching lme4 by level", () => {
    const { r, fit } = fitReference("sleepstudy_slopes_reml");
    const t = randomEffectsTable(fit);
    expect(t.sheetName).toBe("HLM Random Effects");
    expectRectangular(t);
    expect(t.sections.length).toBe(1);
    const s = t.sections[0]!;
    expect(s.title).toBe("Subject");
    expect(s.header).toEqual(["Subject", "ranef (Intercept)", "ranef Days", "condSD (Intercept)", "condSD Days", "coef (Intercept)", "coef Days"]);
    const rr = r.ranef[0]!;
    expect(s.rows.map((row) => row[0]).sort()).toEqual([...rr.levels].sort());
    const byLevel = new Map(s.rows.map((row) => [row[0] as string, row]));
    rr.levels.forEach((lev, i) => {
      const row = byLevel.get(lev)!;
      for (let k = 0; k < 2; k++) {
        const sd = rr.condsd[i]![k]!;
        expect(Math.abs((row[1 + k] as number) - rr.values[i]![k]!)).toBeLessThan(0.005 * sd);
        expect(Math.abs((row[3 + k] as number) - sd)).toBeLessThan(0.005 * sd);
        // coefficient = fixed effect + BLUP
        expect(row[5 + k] as number).toBeCloseTo(fit.fixef[k]! + (row[1 + k] as number), 10);
      }
    });
  });

  it("has a section per grouping factor of a nested model", () => {
    const { r, fit } = fitReference("pastes_nested");
    const t = randomEffectsTable(fit);
    expect(t.sections.map((s) => s.title)).toEqual(["cask:batch", "batch"]);
    for (const s of t.sections) {
      const rr = r.ranef.find((x) => x.group === s.title)!;
      expect(s.rows.length).toBe(rr.levels.length);
      expect(s.header).toEqual([s.title, "ranef (Intercept)", "condSD (Intercept)", "coef (Intercept)"]);
      rr.levels.forEach((lev, i) => {
        const row = s.rows.find((x) => x[0] === lev)!;
        expect(Math.abs((row[1] as number) - rr.values[i]![0]!)).toBeLessThan(0.005 * rr.condsd[i]![0]!);
      });
    }
  });
});

describe("shrinkageResultTable", () => {
  it("gives n, the OLS estimates (blank where not estimable) and the BLUP coefficients per group", () => {
    const text = "y,x,g\n1,1,a\n3,2,a\n4,3,a\n2,1,b\n2,2,b\n5,3,b\n7,1,c\n3,2,d\n4,2,d\n6,2,d\n";
    const model = buildModel(readCsv(text), "y ~ x + (x | g)", { REML: true });
    const fit = fitModel(model, { satterthwaite: false });
    const s = shrinkageTable(model, fit);
    const t = shrinkageResultTable(s);
    expect(t.sheetName).toBe("HLM Shrinkage");
    expectRectangular(t);
    const sec = t.sections[0]!;
    expect(sec.header).toEqual(["g", "n", "OLS (Intercept)", "OLS x", "BLUP (Intercept)", "BLUP x"]);
    expect(sec.numberFormats).toEqual([null, "0", "0.0000", "0.0000", "0.0000", "0.0000"]);
    expect(sec.rows.map((row) => row.slice(0, 2))).toEqual([["a", 3], ["b", 3], ["c", 1], ["d", 3]]);
    expect(sec.rows[0]![2]).toBeCloseTo(-1 / 3, 10);
    expect(sec.rows[0]![3]).toBeCloseTo(1.5, 10);
    expect(sec.rows[2]!.slice(2, 4)).toEqual([7, null]);
    expect(sec.rows[3]![3]).toBeNull();
    sec.rows.forEach((row, l) => expect(row.slice(4)).toEqual(s.blup[l]));
  });

  it("matches lme4's coef() on the lecture's NELS fit", () => {
    const { fit, model } = fitReference("nels_fit1_ml");
    const sec = shrinkageResultTable(shrinkageTable(model, fit)).sections[0]!;
    const coef = fit.coef[0]!;
    expect(sec.rows.length).toBe(684);
    expect(sec.rows.reduce((a, row) => a + (row[1] as number), 0)).toBe(fit.nobs);
    sec.rows.forEach((row, l) => {
      expect(row[0]).toBe(coef.levels[l]);
      expect(row[4]).toBe(coef.values[l]![0]);
      expect(row[5]).toBe(coef.values[l]![1]);
    });
  });
});
