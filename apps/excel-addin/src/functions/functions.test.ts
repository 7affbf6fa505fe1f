/**
 * The HLM.* custom functions as Excel calls them (through what they registered with
 * `CustomFunctions.associate`), checked against the lme4 references of `packages/core/test/conformance`.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { copyRange, datasetRange, loadNlmeReference, loadReference, nlmeDatasetRange } from "../../test/conformanceRange.js";
import { FakeCustomFunctionsError, installFakeCustomFunctions } from "./testing/fakeCustomFunctions.js";

const associated = installFakeCustomFunctions();
const { functionsById } = await import("./functions.js");

type Fn = (...args: unknown[]) => unknown;
/** The function Excel would call for an id: the one registered with CustomFunctions.associate. */
const call = (id: string, ...args: unknown[]): unknown => {
  const f = associated.get(id) as Fn | undefined;
  if (!f) throw new Error(`${id} was not associated`);
  return f(...args);
};
const table = (id: string, ...args: unknown[]): unknown[][] => call(id, ...args) as unknown[][];

const sleep = loadReference("sleepstudy_slopes_reml");
const dyestuff = loadReference("dyestuff_reml");
const hsb = loadReference("hsb_slopes_ml");
const sleepData = datasetRange("sleepstudy");
const dyeData = datasetRange("Dyestuff");

const near = (got: unknown, want: number, tol: number, what = ""): void => {
  expect(typeof got, what).toBe("number");
  expect(Math.abs((got as number) - want), `${what}: ${String(got)} vs ${want}`).toBeLessThanOrEqual(tol);
};

/** The error a function threw, as the fake CustomFunctions.Error. */
const errorOf = (f: () => unknown): FakeCustomFunctionsError => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(FakeCustomFunctionsError);
    return e as FakeCustomFunctionsError;
  }
  throw new Error("expected an error");
};

/** The error an asynchronous function's Promise was rejected with, as the fake CustomFunctions.Error. */
const rejectionOf = async (p: unknown): Promise<FakeCustomFunctionsError> => {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(FakeCustomFunctionsError);
    return e as FakeCustomFunctionsError;
  }
  throw new Error("expected an error");
};

beforeAll(() => {
  expect(associated.size).toBe(20);
});

describe("registration", () => {
  it("associates the twenty HLM functions under their ids", () => {
    expect([...associated.keys()].sort()).toEqual(["AIC", "ANOVA", "BIC", "COEF", "CONFINT", "CORSTRUCT", "FIXEF", "ICC", "INFLUENCE", "LOGLIK", "PREDICT", "R2", "RANEF", "SHRINKAGE", "SIGMA", "SQL", "SUMMARY", "VARCORR", "VARCOV", "VARFUNC"]);
    for (const [id, f] of Object.entries(functionsById)) expect(associated.get(id)).toBe(f);
  });
});

describe("HLM.FIXEF", () => {
  it("matches lme4/lmerTest on sleepstudy (REML): estimates, SE, df, t, p", () => {
    const t = table("FIXEF", copyRange(sleepData), sleep.formula);
    expect(t[0]).toEqual(["Term", "Estimate", "Std. Error", "df", "t value", "Pr(>|t|)"]);
    expect(t.slice(1).map((r) => r[0])).toEqual(Object.keys(sleep.fixef));
    for (const row of t.slice(1)) {
      const nm = row[0] as string;
      const se = sleep.se[nm]!;
      near(row[1], sleep.fixef[nm]!, 0.002 * se, `fixef ${nm}`);
      near(row[2], se, 2e-3 * se, `se ${nm}`);
      near(row[3], sleep.satterthwaite_df[nm]!, 0.02 * sleep.satterthwaite_df[nm]!, `df ${nm}`);
      near(row[4], sleep.fixef[nm]! / se, 0.01 * Math.abs(sleep.fixef[nm]! / se), `t ${nm}`);
      const lp = -Math.log10(sleep.p_values[nm]!);
      near(-Math.log10(row[5] as number), lp, 0.02 * lp + 1e-9, `p ${nm}`);
    }
  });

  it("fits by ML when asked (HSB)", () => {
    const t = table("FIXEF", datasetRange("hsb"), hsb.formula, "ML");
    for (const row of t.slice(1)) near(row[1], hsb.fixef[row[0] as string]!, 0.002 * hsb.se[row[0] as string]!, `fixef ${String(row[0])}`);
  });

  it("is #VALUE! with the engine's message for an unknown column, and for a wrong method", () => {
    const e = errorOf(() => call("FIXEF", datasetRange("hsb"), "MathAch ~ SESS + (SES | School)", "ML"));
    expect(e.code).toBe("#VALUE!");
    expect(e.message).toBe("Unknown column 'SESS' in formula 'MathAch ~ SESS + (SES | School)' (position 11); did you mean 'SES'?");
    const m = errorOf(() => call("FIXEF", sleepData, sleep.formula, "GLS"));
    expect(m.code).toBe("#VALUE!");
    expect(m.message).toContain('"REML" or "ML"');
  });
});

describe("HLM.RANEF and HLM.COEF", () => {
  const rr = sleep.ranef[0]!;
  it("give lme4's BLUPs and coefficients per subject", () => {
    const r = table("RANEF", sleepData, sleep.formula, null, null);
    expect(r[0]).toEqual(["Subject", "(Intercept)", "Days"]);
    const c = table("COEF", sleepData, sleep.formula, "Subject");
    expect(c[0]).toEqual(["Subject", "(Intercept)", "Days"]);
    expect(r.length).toBe(rr.levels.length + 1);
    const byLevel = new Map(r.slice(1).map((row) => [String(row[0]), row]));
    const coefByLevel = new Map(c.slice(1).map((row) => [String(row[0]), row]));
    rr.levels.forEach((lev, i) => {
      rr.values[i]!.forEach((v, k) => {
        near(byLevel.get(lev)![1 + k], v, 0.005 * rr.condsd[i]![k]!, `ranef ${lev} ${k}`);
        const fe = Object.values(sleep.fixef)[k]!;
        near(coefByLevel.get(lev)![1 + k], fe + v, 0.005 * rr.condsd[i]![k]! + 0.002 * Object.values(sleep.se)[k]!, `coef ${lev} ${k}`);
      });
    });
  });

  it("is #N/A for a grouping factor the model does not have", () => {
    const e = errorOf(() => call("RANEF", sleepData, sleep.formula, "Patient"));
    expect(e.code).toBe("#N/A");
    expect(e.message).toContain("'Patient' is not a grouping factor of the model");
    expect(errorOf(() => call("COEF", sleepData, sleep.formula, "Patient")).code).toBe("#N/A");
    expect(errorOf(() => call("SHRINKAGE", sleepData, sleep.formula, "Patient")).code).toBe("#N/A");
  });
});

describe("HLM.VARCORR, SIGMA, LOGLIK, AIC, BIC, ICC", () => {
  it("give lme4's variance components and fit statistics (sleepstudy, REML)", () => {
    const v = table("VARCORR", sleepData, sleep.formula);
    expect(v[0]).toEqual(["Groups", "Name", "Variance", "Std.Dev.", "Corr"]);
    const vc = sleep.varcorr[0]!;
    near(v[1]![2], vc.covariance[0]![0]!, 1e-3 * vc.covariance[0]![0]!, "var intercept");
    near(v[2]![3], vc.sd[1]!, 1e-3 * vc.sd[1]!, "sd Days");
    near(v[2]![4], vc.corr[1]![0]!, 0.01, "corr");
    expect(v[3]).toEqual(["Residual", "", expect.any(Number), expect.any(Number), ""]); // blanks spill as ""
    near(call("SIGMA", sleepData, sleep.formula), sleep.sigma, 1e-4 * sleep.sigma, "sigma");
    near(call("LOGLIK", sleepData, sleep.formula, "REML"), sleep.logLik, 2e-3, "logLik");
    near(call("AIC", sleepData, sleep.formula), sleep.AIC, 2e-3, "AIC");
    near(call("BIC", sleepData, sleep.formula), sleep.BIC, 2e-3, "BIC");
  });

  it("ICC is tau^2 / (tau^2 + sigma^2) (Dyestuff)", () => {
    const tau2 = dyestuff.varcorr[0]!.covariance[0]![0]!;
    const want = tau2 / (tau2 + dyestuff.sigma ** 2);
    near(call("ICC", dyeData, dyestuff.formula), want, 2e-3 * want, "ICC");
    near(call("ICC", dyeData, dyestuff.formula, "Batch", "REML"), want, 2e-3 * want, "ICC Batch");
  });
});

describe("HLM.ANOVA, HLM.R2, HLM.CONFINT", () => {
  it("spill their tables, with the ICC's type as its last argument (CONFINT answers asynchronously)", async () => {
    const a = table("ANOVA", sleepData, sleep.formula);
    expect(a[0]).toEqual(["Term", "Sum Sq", "Mean Sq", "NumDF", "DenDF", "F value", "Pr(>F)"]);
    const t = sleep.fixef["Days"]! / sleep.se["Days"]!;
    near(a[1]![5], t * t, 0.01 * t * t, "F Days");
    const r = table("R2", sleepData, sleep.formula);
    expect(r.map((row) => row[0])).toEqual(["Marginal R2", "Conditional R2"]);
    const answer = call("CONFINT", sleepData, sleep.formula, null, 0.95, "Wald");
    expect(answer).toBeInstanceOf(Promise);
    const c = (await answer) as unknown[][];
    expect(c[0]).toEqual(["Parameter", "Estimate", "2.5 %", "97.5 %"]);
    near(c[2]![1], sleep.fixef["Days"]!, 0.002 * sleep.se["Days"]!, "Days");
    const adjusted = call("ICC", sleepData, sleep.formula, null, null, "adjusted") as number;
    const unadjusted = call("ICC", sleepData, sleep.formula, null, null, "unadjusted") as number;
    expect(unadjusted).toBeLessThan(adjusted);
  });

  it("are #VALUE! with one sentence for a bad level or type, and #N/A for an intercept-only ANOVA", async () => {
    const l = await rejectionOf(call("CONFINT", sleepData, sleep.formula, null, 1.5));
    expect(l.code).toBe("#VALUE!");
    expect(l.message).toBe("The confidence level must be a number between 0 and 1 such as 0.95, not 1.5.");
    const ty = await rejectionOf(call("CONFINT", sleepData, sleep.formula, null, 0.95, "exact"));
    expect(ty.code).toBe("#VALUE!");
    expect(ty.message).toBe('The interval type must be "Wald", "profile" or "boot", not "exact".');
    const i = errorOf(() => call("ICC", sleepData, sleep.formula, null, null, "partial"));
    expect(i.code).toBe("#VALUE!");
    const a = errorOf(() => call("ANOVA", dyeData, dyestuff.formula));
    expect(a.code).toBe("#N/A");
    expect(a.message).toContain("no fixed-effects term besides the intercept");
  });
});

describe("HLM.PREDICT", () => {
  it("reproduces lme4's fitted values for the data's own rows, and X beta for the population", () => {
    const newRows = copyRange(sleepData.slice(0, 21));
    const p = table("PREDICT", sleepData, sleep.formula, newRows);
    expect(p[0]).toEqual(["Prediction", "Population", "SE"]);
    expect(p.length).toBe(21);
    sleep.fitted_head.forEach((f, i) => near(p[i + 1]![0], f, 1e-3 * sleep.sigma, `fitted ${i}`));
    const [b0, b1] = Object.values(sleep.fixef);
    p.slice(1).forEach((row, i) => near(row[1], b0! + b1! * (newRows[i + 1]![1] as number), 1e-2, `population ${i}`));
  });

  it("gives a new subject the population prediction", () => {
    const p = table("PREDICT", sleepData, sleep.formula, [["Days", "Subject"], [3, "999"]]);
    expect(p[1]![0]).toBeCloseTo(p[1]![1] as number, 10);
  });
});

describe("HLM.SHRINKAGE", () => {
  it("has each subject's n, its own OLS line and lme4's coefficients", () => {
    const s = table("SHRINKAGE", sleepData, sleep.formula);
    expect(s[0]).toEqual(["Subject", "n", "OLS (Intercept)", "OLS Days", "BLUP (Intercept)", "BLUP Days"]);
    const rr = sleep.ranef[0]!;
    const [b0, b1] = Object.values(sleep.fixef);
    for (const row of s.slice(1)) {
      const lev = String(row[0]);
      const rows = sleepData.slice(1).filter((r) => String(r[2]) === lev);
      const xs = rows.map((r) => r[1] as number);
      const ys = rows.map((r) => r[0] as number);
      const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
      const my = ys.reduce((a, b) => a + b, 0) / ys.length;
      const slope = xs.reduce((a, x, i) => a + (x - mx) * (ys[i]! - my), 0) / xs.reduce((a, x) => a + (x - mx) ** 2, 0);
      expect(row[1]).toBe(rows.length);
      near(row[2], my - slope * mx, 1e-8, `OLS intercept ${lev}`);
      near(row[3], slope, 1e-8, `OLS slope ${lev}`);
      const i = rr.levels.indexOf(lev);
      near(row[4], b0! + rr.values[i]![0]!, 0.05, `BLUP intercept ${lev}`);
      near(row[5], b1! + rr.values[i]![1]!, 0.01, `BLUP slope ${lev}`);
    }
  });
});

describe("HLM.SUMMARY", () => {
  it("is lme4's summary, a line per cell", () => {
    const s = table("SUMMARY", sleepData, sleep.formula);
    expect(s.every((row) => row.length === 1 && typeof row[0] === "string")).toBe(true);
    const text = s.map((r) => r[0]).join("\n");
    expect(text).toContain("Linear mixed model fit by REML");
    expect(text).toContain("Formula: Reaction ~ Days + (Days | Subject)");
    expect(text).toContain("Fixed effects:");
  });
});

describe("options: a residual structure (nlme's lme), and the functions that show it", () => {
  const ovary = loadNlmeReference("ovary_ar1_ml");
  const ovaryData = nlmeDatasetRange("Ovary");
  const formula = "follicles ~ s1 + c1 + (1 | Mare)";

  it("HLM.CORSTRUCT: nlme's Phi of corAR1() on Ovary by ML; HLM.LOGLIK its log-likelihood", () => {
    const c = table("CORSTRUCT", copyRange(ovaryData), formula, "ML", "correlation=corAR1()");
    expect(c[0]).toEqual(["Parameter", "Estimate"]);
    expect(c[1]![0]).toBe("Phi");
    near(c[1]![1], ovary.cor_params!["Phi"]!, 1e-3, "Phi"); // 0.5975
    near(call("LOGLIK", ovaryData, formula, "ML", "correlation=corAR1()"), -776.517, 1e-3, "logLik");
  });

  it("HLM.FIXEF with ddf=containment: nlme's df; HLM.VARCOV the first mare's covariance, sheet rows from the invocation", () => {
    const t = table("FIXEF", ovaryData, formula, "ML", "correlation=corAR1(); ddf=containment");
    expect(t.slice(1).map((r) => r[3])).toEqual([295, 295, 295]);
    const v = table("VARCOV", ovaryData, formula, "ML", "correlation=corAR1()", { parameterAddresses: ["Ovary!B3:F311", "", "", ""] });
    expect(v[0]!.slice(0, 3)).toEqual(["Mare 1", "Row 4", "Row 5"]);
    near(v[1]![1], ovary.marginal_cov.matrix[0]![0]!, 1e-3 * ovary.marginal_cov.matrix[0]![0]!, "V[1,1]");
  });

  it("a structure asked of a model without one is #N/A; a bad option #VALUE!, each with its sentence", () => {
    const e = errorOf(() => call("CORSTRUCT", ovaryData, formula, "ML"));
    expect(e.code).toBe("#N/A");
    expect(e.message).toBe('The model has no residual correlation structure; give one in the options, for example "correlation=corAR1()".');
    expect(errorOf(() => call("VARCOV", ovaryData, formula)).code).toBe("#N/A");
    const o = errorOf(() => call("SIGMA", ovaryData, formula, "ML", "corr=corAR1()"));
    expect(o.code).toBe("#VALUE!");
    expect(o.message).toContain("Unknown option 'corr'");
    const s = errorOf(() => call("FIXEF", ovaryData, formula, "ML", "correlation=corAR1(form = ~ Tim)"));
    expect(s.code).toBe("#VALUE!");
    expect(s.message).toBe("Unknown column 'Tim' in the correlation structure 'corAR1(form = ~ Tim)'; did you mean 'Time'?");
  });
});
