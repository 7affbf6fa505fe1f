import { anovaTypeIII, bootstrapIntervals, buildModel, effectSizes, fitModel, HlmError, profileIntervals, readCsv, waldIntervals } from "@hlm/core";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { conformanceDir, copyRange, datasetRange, loadReference, type Reference } from "../../test/conformanceRange.js";
import { modelCache } from "./modelCache.js";
import { aic, anova, BOOT_NSIM, influence, BOOT_SEED, bic, coef, confint, fixef, icc, logLik, r2, ranef, shrinkage, sigma, summary, varcorr, type Cell } from "./worksheetFunctions.js";
import { expectClose as close } from "../../test/expectations.js";

const sleep = loadReference("sleepstudy_slopes_reml");
const sleepMl = loadReference("sleepstudy_slopes_ml");
const dyestuff = loadReference("dyestuff_reml");
const hsb = loadReference("hsb_slopes_ml");
const penicillin = loadReference("penicillin_crossed");
const pastes = loadReference("pastes_nested");

const sleepData = datasetRange("sleepstudy");
const hsbData = datasetRange("hsb");


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

/** Core's own model and fit of a conformance data set (the CSV, not the range): what the worksheet functions must reproduce. */
function coreFit(dataset: string, formula: string, REML: boolean) {
  const model = buildModel(readCsv(readFileSync(`${conformanceDir}${dataset}.csv`, "utf8")), formula, { REML });
  return { model, fit: fitModel(model) };
}

describe("HLM.ICC", () => {
  it("is τ²/(τ² + σ²) for a random-intercept model", () => {
    const v = dyestuff.varcorr[0]!.covariance[0]![0]!;
    const want = v / (v + dyestuff.sigma ** 2);
    close(icc(datasetRange("Dyestuff"), dyestuff.formula)[0]![0], want, 1e-3 * want);
    const null_ = loadReference("hsb_null_ml");
    const t = null_.varcorr[0]!.covariance[0]![0]!;
    close(icc(hsbData, null_.formula, "School", "ML")[0]![0], t / (t + null_.sigma ** 2), 1e-3);
  });

  it("is performance::icc, adjusted by default or unadjusted, from core's effectSizes (random slopes included)", () => {
    const { model, fit } = coreFit("sleepstudy", sleep.formula, true);
    const e = effectSizes(model, fit);
    close(icc(sleepData, sleep.formula)[0]![0], e.iccAdjusted, 1e-6);
    close(icc(sleepData, sleep.formula, "Subject", null, "Adjusted")[0]![0], e.iccAdjusted, 1e-6);
    close(icc(sleepData, sleep.formula, null, null, "unadjusted")[0]![0], e.iccUnadjusted, 1e-6);
    expect(e.iccUnadjusted).toBeLessThan(e.iccAdjusted);
    const slopeOnly = icc(copyRange(sleepData), "Reaction ~ Days + (0 + Days | Subject)")[0]![0] as number;
    expect(slopeOnly).toBeGreaterThan(0);
    expect(slopeOnly).toBeLessThan(1);
  });

  it("adds every random effect without a group, and gives a factor's share (by_group) when one of several is named", () => {
    const [plate, sample] = penicillin.varcorr.map((v) => v.covariance[0]![0]!);
    const total = plate! + sample! + penicillin.sigma ** 2;
    const data = datasetRange("Penicillin");
    close(icc(data, penicillin.formula)[0]![0], (plate! + sample!) / total, 2e-3);
    close(icc(data, penicillin.formula, "plate")[0]![0], plate! / total, 2e-3 * (plate! / total));
    close(icc(data, penicillin.formula, "sample")[0]![0], sample! / total, 2e-3 * (sample! / total));
  });

  it("refuses an unknown type, an unknown group, and the unadjusted ICC of one of several factors, each in one sentence", () => {
    expect(() => icc(sleepData, sleep.formula, null, null, "partial")).toThrow('The ICC type must be "adjusted" or "unadjusted", not "partial".');
    expect(() => icc(sleepData, sleep.formula, "Days")).toThrow("'Days' is not a grouping factor of the model; its grouping factors are Subject.");
    expect(() => icc(datasetRange("Penicillin"), penicillin.formula, "plate", null, "unadjusted")).toThrow(
      "The unadjusted ICC is one number for the whole model; leave the group blank for it, or ask for the adjusted ICC of 'plate'.",
    );
  });
});

describe("HLM.R2", () => {
  it("is Nakagawa's marginal and conditional R², two labelled rows equal to core's effectSizes", () => {
    const { model, fit } = coreFit("hsb", hsb.formula, false);
    const e = effectSizes(model, fit);
    const t = r2(hsbData, hsb.formula, "ML");
    expect(t.map((r) => r[0])).toEqual(["Marginal R2", "Conditional R2"]);
    close(t[0]![1], e.r2Marginal, 1e-6);
    close(t[1]![1], e.r2Conditional, 1e-6);
    expect(e.r2Marginal).toBeLessThan(e.r2Conditional);
  });
});

describe("HLM.INFLUENCE", () => {
  interface InfluenceRef { name: string; levels: string[]; fixef: number[]; fixefWithout: number[][]; cooksDistance: number[] }
  const refs = JSON.parse(readFileSync(new URL("../../../../packages/core/test/fixtures/influence/influence.json", import.meta.url), "utf8")) as InfluenceRef[];
  it("is lme4's influence(m, groups = 'Subject'): Cook's distance and the change in the fixed effects per subject left out", () => {
    const ref = refs.find((r) => r.name === "sleepstudy_reml")!;
    const t = influence(sleepData, sleep.formula);
    expect(t[0]).toEqual(["Subject", "Cook's D", "Δ (Intercept)", "Δ Days", "Converged"]);
    expect(t.slice(1).map((r) => r[0])).toEqual(ref.levels);
    t.slice(1).forEach((row, k) => {
      close(row[1], ref.cooksDistance[k]!, 1e-3 * ref.cooksDistance[k]! + 1e-7);
      close(row[2], ref.fixefWithout[k]![0]! - ref.fixef[0]!, 1e-4);
      close(row[3], ref.fixefWithout[k]![1]! - ref.fixef[1]!, 1e-4);
      expect(row[4]).toBe(true);
    });
  });
  it("names a column that is not in the data", () => {
    expect(() => influence(sleepData, sleep.formula, "Subj")).toThrow("The column 'Subj' is not in the data; influence needs a column whose levels to leave out.");
  });
});

describe("HLM.ANOVA", () => {
  const cross = loadReference("hsb_crosslevel_ml");
  it("is lmerTest's type III table, equal to core's anovaTypeIII, and F = t² for one-df terms", () => {
    const { model, fit } = coreFit("hsb", cross.formula, false);
    const want = anovaTypeIII(model, fit);
    const t = anova(hsbData, cross.formula, "ML");
    expect(t[0]).toEqual(["Term", "Sum Sq", "Mean Sq", "NumDF", "DenDF", "F value", "Pr(>F)"]);
    expect(t.slice(1).map((r) => r[0])).toEqual(["MEANSES", "SES", "MEANSES:SES"]);
    t.slice(1).forEach((row, i) => {
      const w = want[i]!;
      close(row[1], w.sumSq, 1e-6 * w.sumSq);
      close(row[2], w.meanSq, 1e-6 * w.meanSq);
      expect(row[3]).toBe(w.numDf);
      close(row[4], w.denDf, 1e-6 * w.denDf);
      close(row[5], w.F, 1e-6 * w.F);
      close(row[6], w.pValue, 1e-6 * w.pValue + 1e-300);
      // against lme4/lmerTest's reference: F = t², DenDF the Satterthwaite df of the coefficient
      const nm = row[0] as string;
      const tt = cross.fixef[nm]! / cross.se[nm]!;
      close(row[5], tt * tt, 0.01 * tt * tt);
      close(row[4], cross.satterthwaite_df[nm]!, 0.02 * cross.satterthwaite_df[nm]!);
    });
  });

  it("refuses an intercept-only model in one sentence", () => {
    expect(() => anova(datasetRange("Dyestuff"), dyestuff.formula)).toThrow("The formula 'Yield ~ 1 + (1 | Batch)' has no fixed-effects term besides the intercept, so there is no F test to show.");
  });
});

describe("HLM.CONFINT", () => {
  it("gives lme4's Wald intervals of the fixed effects by default (level 0.95), equal to core's waldIntervals", async () => {
    const { fit } = coreFit("sleepstudy", sleep.formula, true);
    const w = waldIntervals(fit, 0.95);
    const t = await confint(sleepData, sleep.formula);
    expect(t[0]).toEqual(["Parameter", "Estimate", "2.5 %", "97.5 %"]);
    expect(t.slice(1).map((r) => r[0])).toEqual(["(Intercept)", "Days"]);
    t.slice(1).forEach((row, i) => {
      const r = w.rows[i]!;
      close(row[1], r.estimate, 1e-6 * Math.abs(r.estimate));
      close(row[2], r.lower, 1e-5 * Math.abs(r.lower));
      close(row[3], r.upper, 1e-5 * Math.abs(r.upper));
    });
    // lme4: confint(fm1, method = "Wald")["Days", ] = 7.437, 13.496 (β̂ ± 1.96 SE)
    const days = t[2]!;
    close(days[2], sleep.fixef["Days"]! - 1.959964 * sleep.se["Days"]!, 0.01);
    close(days[3], sleep.fixef["Days"]! + 1.959964 * sleep.se["Days"]!, 0.01);
  });

  it("takes the level as a number or as text, and the type in any case", async () => {
    const t = await confint(sleepData, sleep.formula, "REML", 0.9, "wald");
    expect(t[0]).toEqual(["Parameter", "Estimate", "5 %", "95 %"]);
    expect(await confint(sleepData, sleep.formula, null, "90%", "WALD")).toEqual(t);
    expect((await confint(sleepData, sleep.formula, null, 0.99))[0]).toEqual(["Parameter", "Estimate", "0.5 %", "99.5 %"]);
  });

  it("gives lme4's profile intervals of every parameter (lme4's names), equal to core's profileIntervals", async () => {
    const { model, fit } = coreFit("Dyestuff", dyestuff.formula, true);
    const want = profileIntervals(model, fit, { level: 0.9 });
    const t = await confint(datasetRange("Dyestuff"), dyestuff.formula, "REML", 0.9, "Profile");
    expect(t[0]).toEqual(["Parameter", "Estimate", "5 %", "95 %"]);
    expect(t.slice(1).map((r) => r[0])).toEqual(["sd_(Intercept)|Batch", "sigma", "(Intercept)"]);
    t.slice(1).forEach((row, i) => {
      const w = want.rows[i]!;
      expect(row[0]).toBe(w.parameter);
      close(row[1], w.estimate, 1e-6 * Math.abs(w.estimate) + 1e-9);
      close(row[2], w.lower, 1e-4 * Math.abs(w.lower) + 1e-6);
      close(row[3], w.upper, 1e-4 * Math.abs(w.upper) + 1e-6);
    });
  });

  it("gives bootstrap intervals (500 simulations, a fixed seed) equal to core's, the same numbers on every recalculation", async () => {
    const { model, fit } = coreFit("Dyestuff", dyestuff.formula, true);
    const want = bootstrapIntervals(model, fit, { nsim: BOOT_NSIM, seed: BOOT_SEED, level: 0.95 });
    const t = await confint(datasetRange("Dyestuff"), dyestuff.formula, null, null, "boot");
    expect(t[0]).toEqual(["Parameter", "Estimate", "2.5 %", "97.5 %"]);
    t.slice(1, 1 + want.rows.length).forEach((row, i) => {
      const w = want.rows[i]!;
      expect(row[0]).toBe(w.parameter);
      close(row[2], w.lower, 1e-4 * Math.abs(w.lower) + 1e-6);
      close(row[3], w.upper, 1e-4 * Math.abs(w.upper) + 1e-6);
    });
    // the bootstrap's warnings (singular refits of Dyestuff) follow, a row each, as lme4 prints them
    expect(want.warnings.length).toBeGreaterThan(0);
    expect(t.slice(1 + want.rows.length)).toEqual(want.warnings.map((w) => [`Warning: ${w}`, null, null, null]));
    modelCache.clear(); // a recalculation from scratch: a new fit, the same seed, the same numbers
    expect(await confint(copyRange(datasetRange("Dyestuff")), dyestuff.formula, null, null, "bootstrap")).toEqual(t);
  });

  it("refuses a bad level or type in one sentence", async () => {
    await expect(confint(sleepData, sleep.formula, null, 95)).rejects.toThrow("The confidence level must be a number between 0 and 1 such as 0.95, not 95 (for 95% write 0.95).");
    await expect(confint(sleepData, sleep.formula, null, 0)).rejects.toThrow("The confidence level must be a number between 0 and 1 such as 0.95, not 0.");
    await expect(confint(sleepData, sleep.formula, null, "high")).rejects.toThrow('The confidence level must be a number between 0 and 1 such as 0.95, not "high".');
    await expect(confint(sleepData, sleep.formula, null, null, "jackknife")).rejects.toThrow('The interval type must be "Wald", "profile" or "boot", not "jackknife".');
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
    r2(copyRange(values), formula);
    void confint(copyRange(values), formula); // fits (the cache's) synchronously, before it answers
    shrinkage(copyRange(values), formula);
    summary(copyRange(values), formula);
    expect(modelCache.stats.fits - before).toBe(1);
    sigma(copyRange(values), formula, "ML");
    expect(modelCache.stats.fits - before).toBe(2);
  });
});
