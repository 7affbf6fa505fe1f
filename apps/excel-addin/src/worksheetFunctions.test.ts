import { HlmError } from "@hlm/core";
import { describe, expect, it } from "vitest";
import { copyRange, datasetRange, loadReference, type Reference } from "../test/conformanceRange.js";
import { modelCache } from "./modelCache.js";
import { aic, bic, coef, fixef, icc, logLik, ranef, shrinkage, sigma, summary, varcorr, type Cell } from "./worksheetFunctions.js";

const sleep = loadReference("sleepstudy_slopes_reml");
const sleepMl = loadReference("sleepstudy_slopes_ml");
const dyestuff = loadReference("dyestuff_reml");
const hsb = loadReference("hsb_slopes_ml");
const penicillin = loadReference("penicillin_crossed");
const pastes = loadReference("pastes_nested");

const sleepData = datasetRange("sleepstudy");
const hsbData = datasetRange("hsb");

const close = (got: Cell | undefined, want: number, tol: number): void => {
  expect(typeof got).toBe("number");
  expect(Math.abs((got as number) - want)).toBeLessThanOrEqual(tol);
};

/** Checks a FIXEF table against a reference (tolerances of the conformance README). */
function expectFixef(table: Cell[][], ref: Reference): void {
  expect(table[0]).toEqual(["Term", "Estimate", "Std. Error", "df", "t value", "Pr(>|t|)"]);
  const names = Object.keys(ref.fixef);
  expect(table.slice(1).map((r) => r[0])).toEqual(names);
  table.slice(1).forEach((row) => {
    const nm = row[0] as string;
    const se = ref.se[nm]!;
    close(row[1], ref.fixef[nm]!, 0.002 * se);
    close(row[2], se, 2e-3 * se);
    close(row[3], ref.satterthwaite_df[nm]!, 2e-2 * ref.satterthwaite_df[nm]!);
    close(row[4], (row[1] as number) / (row[2] as number), 1e-12 * Math.abs(row[4] as number));
    const lp = -Math.log10(ref.p_values[nm]!);
    close(-Math.log10(row[5] as number), lp, 0.02 * lp + 1e-9);
  });
}

/** Checks a RANEF table against a reference, row by row matched by level label. */
function expectRanef(table: Cell[][], ref: Reference, group: string): void {
  const rr = ref.ranef.find((r) => r.group === group)!;
  expect(table[0]).toEqual([group, ...rr.columns]);
  expect(table.length).toBe(rr.levels.length + 1);
  const byLevel = new Map(table.slice(1).map((row) => [row[0] as string, row]));
  rr.levels.forEach((lev, i) => {
    const row = byLevel.get(lev);
    expect(row, `level ${lev}`).toBeDefined();
    rr.values[i]!.forEach((v, k) => close(row![1 + k], v, 0.005 * rr.condsd[i]![k]!));
  });
}

describe("HLM.FIXEF", () => {
  it("matches lme4 and lmerTest on sleepstudy (REML), Dyestuff and HSB (ML)", () => {
    expectFixef(fixef(sleepData, sleep.formula), sleep);
    expectFixef(fixef(datasetRange("Dyestuff"), dyestuff.formula, "REML"), dyestuff);
    expectFixef(fixef(hsbData, hsb.formula, "ml"), hsb);
  });

  it("refuses a method other than REML or ML", () => {
    expect(() => fixef(sleepData, sleep.formula, "GLS")).toThrow('The method must be "REML" or "ML" (maximum likelihood), not "GLS".');
  });

  it("passes the engine's errors on as HlmError with their messages", () => {
    let err: unknown;
    try {
      fixef(hsbData, "MathAch ~ SESS + (SES | School)", "ML");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HlmError);
    expect((err as HlmError).code).toBe("FORMULA");
    expect((err as HlmError).message).toBe("Unknown column 'SESS' in formula 'MathAch ~ SESS + (SES | School)' (position 11); did you mean 'SES'?");
  });
});

describe("HLM.RANEF and HLM.COEF", () => {
  it("give the BLUPs of every level as lme4 does", () => {
    expectRanef(ranef(sleepData, sleep.formula), sleep, "Subject");
    expectRanef(ranef(hsbData, hsb.formula, "School", "ML"), hsb, "School");
    expectRanef(ranef(datasetRange("Dyestuff"), dyestuff.formula, null, "REML"), dyestuff, "Batch");
  });

  it("choose the grouping factor by name, and name the choices for an unknown one", () => {
    const data = datasetRange("Pastes");
    expectRanef(ranef(data, pastes.formula), pastes, "cask:batch");
    expectRanef(ranef(data, pastes.formula, "batch"), pastes, "batch");
    expect(() => ranef(data, pastes.formula, "cask")).toThrow("'cask' is not a grouping factor of the model; its grouping factors are cask:batch, batch.");
  });

  it("give coefficients that are the fixed effects plus the BLUPs", () => {
    const c = coef(sleepData, sleep.formula);
    const r = ranef(sleepData, sleep.formula);
    const f = fixef(sleepData, sleep.formula);
    expect(c[0]).toEqual(["Subject", "(Intercept)", "Days"]);
    expect(c.map((row) => row[0])).toEqual(r.map((row) => row[0]));
    c.slice(1).forEach((row, l) => {
      close(row[1], (f[1]![1] as number) + (r[l + 1]![1] as number), 1e-9);
      close(row[2], (f[2]![1] as number) + (r[l + 1]![2] as number), 1e-9);
    });
    // lme4: coef(fm1)$Subject["308", ] = 253.6637, 19.6662
    const s308 = c.find((row) => row[0] === "308")!;
    close(s308[1], 253.6637, 0.01);
    close(s308[2], 19.6662, 0.01);
  });
});

describe("HLM.VARCORR", () => {
  it("lists variances, standard deviations and the correlation as lme4 prints them", () => {
    const t = varcorr(sleepData, sleep.formula);
    expect(t[0]).toEqual(["Groups", "Name", "Variance", "Std.Dev.", "Corr"]);
    expect(t.slice(1).map((r) => r.slice(0, 2))).toEqual([
      ["Subject", "(Intercept)"],
      ["Subject", "Days"],
      ["Residual", null],
    ]);
    const v = sleep.varcorr[0]!;
    const s2 = sleep.sigma ** 2;
    close(t[1]![2], v.covariance[0]![0]!, 3e-3 * v.covariance[0]![0]! + 1e-4 * s2);
    close(t[2]![2], v.covariance[1]![1]!, 3e-3 * v.covariance[1]![1]! + 1e-4 * s2);
    close(t[1]![3], v.sd[0]!, 3e-3 * v.sd[0]!);
    close(t[2]![3], v.sd[1]!, 3e-3 * v.sd[1]!);
    expect(t[1]![4]).toBeNull();
    close(t[2]![4], v.corr[1]![0]!, 0.01);
    close(t[3]![2], s2, 2e-4 * s2);
    close(t[3]![3], sleep.sigma, 1e-4 * sleep.sigma);
    expect(t[3]![4]).toBeNull();
  });

  it("has a row per crossed term and no correlation column for random intercepts", () => {
    const t = varcorr(datasetRange("Penicillin"), penicillin.formula);
    expect(t[0]).toEqual(["Groups", "Name", "Variance", "Std.Dev."]);
    expect(t.map((r) => r[0])).toEqual(["Groups", "plate", "sample", "Residual"]);
    penicillin.varcorr.forEach((v, i) => close(t[i + 1]![2], v.covariance[0]![0]!, 3e-3 * v.covariance[0]![0]! + 1e-4 * penicillin.sigma ** 2));
  });
});

describe("HLM.SIGMA, HLM.LOGLIK, HLM.AIC, HLM.BIC", () => {
  it("are 1×1 results equal to lme4's", () => {
    for (const [ref, data, method] of [
      [sleep, sleepData, "REML"],
      [sleepMl, sleepData, "ML"],
      [hsb, hsbData, "ML"],
    ] as const) {
      const s = sigma(data, ref.formula, method);
      expect(s.length).toBe(1);
      expect(s[0]!.length).toBe(1);
      close(s[0]![0], ref.sigma, 1e-4 * ref.sigma);
      close(logLik(data, ref.formula, method)[0]![0], ref.logLik, 2e-3);
      close(aic(data, ref.formula, method)[0]![0], ref.AIC, 2e-3);
      close(bic(data, ref.formula, method)[0]![0], ref.BIC, 2e-3);
    }
  });

  it("take the method in any case", () => {
    close(logLik(sleepData, sleep.formula, "ml")[0]![0], sleepMl.logLik, 2e-3);
    close(logLik(sleepData, sleep.formula, " Ml ")[0]![0], sleepMl.logLik, 2e-3);
  });
});

describe("HLM.ICC", () => {
  it("is τ²/(τ² + σ²) for a random-intercept model", () => {
    const v = dyestuff.varcorr[0]!.covariance[0]![0]!;
    const want = v / (v + dyestuff.sigma ** 2);
    close(icc(datasetRange("Dyestuff"), dyestuff.formula)[0]![0], want, 1e-3 * want);
    const null_ = loadReference("hsb_null_ml");
    const t = null_.varcorr[0]!.covariance[0]![0]!;
    close(icc(hsbData, null_.formula, "School", "ML")[0]![0], t / (t + null_.sigma ** 2), 1e-3);
  });

  it("divides by every intercept variance with several grouping factors", () => {
    const [plate, sample] = penicillin.varcorr.map((v) => v.covariance[0]![0]!);
    const total = plate! + sample! + penicillin.sigma ** 2;
    const data = datasetRange("Penicillin");
    close(icc(data, penicillin.formula)[0]![0], plate! / total, 2e-3 * (plate! / total));
    close(icc(data, penicillin.formula, "sample")[0]![0], sample! / total, 2e-3 * (sample! / total));
  });

  it("uses the intercept variance in a model with random slopes", () => {
    const t00 = sleep.varcorr[0]!.covariance[0]![0]!;
    const want = t00 / (t00 + sleep.sigma ** 2);
    close(icc(sleepData, sleep.formula)[0]![0], want, 5e-3 * want);
  });

  it("refuses a grouping factor without a random intercept, or one the model does not have", () => {
    const values = copyRange(sleepData);
    expect(() => icc(values, "Reaction ~ Days + (0 + Days | Subject)")).toThrow("The grouping factor 'Subject' has no random intercept, so it has no intraclass correlation.");
    expect(() => icc(sleepData, sleep.formula, "Days")).toThrow("'Days' is not a grouping factor of the model; its grouping factors are Subject.");
  });
});

describe("HLM.SHRINKAGE", () => {
  it("gives each subject's own regression beside its BLUP coefficients", () => {
    const t = shrinkage(sleepData, sleep.formula);
    expect(t[0]).toEqual(["Subject", "n", "OLS (Intercept)", "OLS Days", "BLUP (Intercept)", "BLUP Days"]);
    expect(t.length).toBe(19);
    const c = coef(sleepData, sleep.formula);
    // the OLS line of each subject, computed here from the data
    const rows = sleepData.slice(1) as [number, number, number][];
    for (const row of t.slice(1)) {
      const subject = Number(row[0]);
      const own = rows.filter((r) => r[2] === subject);
      expect(row[1]).toBe(own.length);
      const mx = own.reduce((s, r) => s + r[1], 0) / own.length;
      const my = own.reduce((s, r) => s + r[0], 0) / own.length;
      const slope = own.reduce((s, r) => s + (r[1] - mx) * (r[0] - my), 0) / own.reduce((s, r) => s + (r[1] - mx) ** 2, 0);
      close(row[3], slope, 1e-9 * Math.abs(slope) + 1e-9);
      close(row[2], my - slope * mx, 1e-8);
      const cr = c.find((x) => x[0] === row[0])!;
      expect(row.slice(4)).toEqual(cr.slice(1));
    }
  });

  it("leaves blank what a group's own regression cannot estimate", () => {
    const values = [["y", "x", "g"], [1, 1, "a"], [3, 2, "a"], [4, 3, "a"], [2, 1, "b"], [2, 2, "b"], [5, 3, "b"], [7, 1, "c"], [3, 2, "d"], [4, 2, "d"], [6, 2, "d"]];
    const t = shrinkage(values, "y ~ x + (x | g)");
    expect(t.map((r) => r.slice(0, 2))).toEqual([["g", "n"], ["a", 3], ["b", 3], ["c", 1], ["d", 3]]);
    expect(t[3]!.slice(2, 4)).toEqual([7, null]);
    expect(t[4]![3]).toBeNull();
  });
});

describe("HLM.SUMMARY", () => {
  it("is lme4's summary, one line per cell of one column", () => {
    const t = summary(sleepData, sleep.formula);
    expect(t.every((row) => row.length === 1 && typeof row[0] === "string")).toBe(true);
    expect(t[0]![0]).toBe("Linear mixed model fit by REML. t-tests use Satterthwaite's method ['lmerMod']");
    expect(t[1]![0]).toBe("Formula: Reaction ~ Days + (Days | Subject)");
    expect(t.map((r) => r[0])).toContain("REML criterion at convergence: 1743.6");
    expect(t.map((r) => r[0])).toContain("Number of obs: 180, groups:  Subject, 18");
    expect(t[t.length - 1]![0]).not.toBe("");
    expect(summary(sleepData, sleep.formula, "ML")[0]![0]).toBe("Linear mixed model fit by maximum likelihood. t-tests use Satterthwaite's method ['lmerMod']");
  });
});

describe("the shared fit", () => {
  it("is computed once for every function on the same data, formula and method", () => {
    const values = datasetRange("Pastes");
    const formula = "strength ~ 1 + (1 | batch)";
    const before = modelCache.stats.fits;
    fixef(copyRange(values), formula);
    ranef(copyRange(values), formula);
    coef(copyRange(values), formula, "batch");
    varcorr(copyRange(values), formula, "reml");
    sigma(copyRange(values), formula);
    logLik(copyRange(values), formula);
    aic(copyRange(values), formula);
    bic(copyRange(values), formula);
    icc(copyRange(values), formula);
    shrinkage(copyRange(values), formula);
    summary(copyRange(values), formula);
    expect(modelCache.stats.fits - before).toBe(1);
    sigma(copyRange(values), formula, "ML");
    expect(modelCache.stats.fits - before).toBe(2);
  });
});
