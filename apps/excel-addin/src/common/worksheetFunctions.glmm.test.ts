/**
 * The worksheet functions with `family=` in their options (lme4's glmer): checked against the glmer
 * references of `packages/core/test/conformance-glmm` (the data as Excel hands it over), and the
 * functions that do not apply to a generalized model refused in one sentence.
 */
import { buildModel, fitGlmmModel, glmmEffectSizes } from "@hlm/core";
import { describe, expect, it } from "vitest";
import { copyRange, glmmDatasetRange, loadGlmmReference, type GlmmReference } from "../../test/conformanceRange.js";
import { modelCache } from "./modelCache.js";
import { rangeToTable } from "./rangeToTable.js";
import { aic, anova, bic, coef, confint, corstruct, fixef, icc, influence, logLik, predict, r2, ranef, shrinkage, sigma, summary, varcorr, varcov, varfunc } from "./worksheetFunctions.js";
import { expectClose as close, messageOf } from "../../test/expectations.js";



/** The options of a reference: its family, link, points of quadrature, factors and weights. */
const optionsOf = (r: GlmmReference): string =>
  [`family=${r.family}`, `link=${r.link}`, ...(r.nAGQ > 1 ? [`nagq=${r.nAGQ}`] : []), ...(r.factors.length > 0 ? [`factors=${r.factors.join(", ")}`] : []), ...(r.weights ? [`weights=${r.weights}`] : [])].join("; ");

/** HLM.FIXEF agrees with the reference: estimates within 2e-3 SE and the SEs within 1e-3 (relative). */
function expectFixef(r: GlmmReference): void {
  const t = fixef(glmmDatasetRange(r.dataset), r.formula, undefined, optionsOf(r));
  expect(t[0]).toEqual(["Term", "Estimate", "Std. Error", "z value", "Pr(>|z|)"]);
  expect(t.slice(1).map((row) => row[0])).toEqual(Object.keys(r.fixef));
  for (const row of t.slice(1)) {
    const n = row[0] as string;
    close(row[1], r.fixef[n]!, 2e-3 * r.se[n]!, `${r.name} ${n}`);
    close(row[2], r.se[n]!, 1e-3 * r.se[n]!, `${r.name} se ${n}`);
    close(row[3], r.z_values[n]!, 5e-3 * Math.max(1, Math.abs(r.z_values[n]!)), `${r.name} z ${n}`);
  }
}

describe("HLM.* with family= in the options: lme4's glmer", () => {
  const cbpp = loadGlmmReference("cbpp_binomial");
  const cbppData = glmmDatasetRange("cbpp");
  const options = optionsOf(cbpp); // family=binomial; link=logit; factors=herd, period

  it("HLM.FIXEF gives glmer's z tests on every form of reference: cbind, a proportion with weights, probit, Poisson, quadrature", () => {
    for (const name of ["cbpp_binomial", "cbpp_proportion", "cbpp_binomial_agq9", "grouseticks_poisson", "contraception_probit"]) expectFixef(loadGlmmReference(name));
  }, 60_000);

  it("HLM.LOGLIK, HLM.AIC, HLM.BIC and HLM.VARCORR as lme4's (no residual row)", () => {
    close(logLik(cbppData, cbpp.formula, "ML", options)[0]![0], cbpp.logLik, 1e-3, "logLik");
    close(aic(cbppData, cbpp.formula, undefined, options)[0]![0], cbpp.AIC, 2e-3, "AIC");
    close(bic(cbppData, cbpp.formula, "", options)[0]![0], cbpp.BIC, 2e-3, "BIC");
    const v = varcorr(cbppData, cbpp.formula, undefined, options);
    expect(v[0]).toEqual(["Groups", "Name", "Variance", "Std.Dev."]);
    expect(v).toHaveLength(2);
    expect(v[1]!.slice(0, 2)).toEqual(["herd", "(Intercept)"]);
    close(v[1]![2], cbpp.varcorr[0]!.covariance[0]![0]!, 2e-3, "variance"); // 0.4123
  });

  it("HLM.RANEF gives the conditional modes, HLM.COEF the fixed effects plus them (lme4's ranef() and coef())", () => {
    const r = ranef(cbppData, cbpp.formula, undefined, undefined, options);
    expect(r[0]).toEqual(["herd", "(Intercept)"]);
    const ref = cbpp.ranef[0]!;
    for (const row of r.slice(1)) close(row[1], ref.values[ref.levels.indexOf(String(row[0]))]![0]!, 2e-3, `herd ${String(row[0])}`);
    const c = coef(cbppData, cbpp.formula, "herd", undefined, options);
    expect(c[0]).toEqual(["herd", "(Intercept)", "period2", "period3", "period4"]);
    const herd1 = c.find((row) => row[0] === "1")!;
    close(herd1[1], cbpp.fixef["(Intercept)"]! + ref.values[ref.levels.indexOf("1")]![0]!, 2e-3, "coef herd 1");
    close(herd1[4], cbpp.fixef["period4"]!, 2e-3, "coef period4");
  });

  it("HLM.SUMMARY is glmer's summary, a line per cell", () => {
    const s = summary(cbppData, cbpp.formula, undefined, options).map((r) => r[0] as string);
    expect(s.slice(0, 3)).toEqual(["Generalized linear mixed model fit by maximum likelihood (Laplace", "  Approximation) [glmerMod]", " Family: binomial  ( logit )"]);
    expect(s).toContain("Fixed effects:");
    expect(s.some((l) => l.startsWith("period4 "))).toBe(true);
  });

  it("HLM.CONFINT gives lme4's Wald intervals (the variance parameter's blank, as lme4's NA); profile and bootstrap are refused", async () => {
    const ci = await confint(cbppData, cbpp.formula, undefined, 0.95, "Wald", options);
    expect(ci[0]).toEqual(["Parameter", "Estimate", "2.5 %", "97.5 %"]);
    expect(ci[1]!.slice(0, 1)).toEqual(["sd_(Intercept)|herd"]);
    expect(ci[1]!.slice(2)).toEqual([null, null]);
    const p2 = ci.find((r) => r[0] === "period2")!;
    // R: confint(m, parm = "beta_", method = "Wald") on lme4's fit: period2 -1.586083 -0.397767
    close(p2[2], cbpp.fixef["period2"]! - 1.959964 * cbpp.se["period2"]!, 2e-3, "lower");
    close(p2[3], cbpp.fixef["period2"]! + 1.959964 * cbpp.se["period2"]!, 2e-3, "upper");
    await expect(confint(cbppData, cbpp.formula, undefined, 0.95, "profile", options)).rejects.toThrow(
      "HLM.CONFINT's profile intervals are not available for a generalized linear mixed model (family=binomial) yet; use type \"Wald\".",
    );
  });

  it("HLM.PREDICT gives lme4's predict(type = \"response\"): each row's probability with its herd's mode, and without", () => {
    const newdata = cbppData.slice(0, 3);
    const p = predict(cbppData, cbpp.formula, newdata, undefined, options);
    expect(p[0]).toEqual(["Prediction (probability)", "Population (probability)", "Link (logit)", "SE of X b (logit scale)"]);
    close(p[1]![0], cbpp.fitted_head[0]!, 1e-4, "herd 1, period 1"); // lme4's fitted(m)[1]
    close(p[2]![0], cbpp.fitted_head[1]!, 1e-4, "herd 1, period 2");
    close(p[1]![1], 1 / (1 + Math.exp(-cbpp.fixef["(Intercept)"]!)), 1e-4, "population, period 1");
    close(p[1]![3], cbpp.se["(Intercept)"]!, 1e-3, "SE of the intercept");
  });

  it("HLM.ICC and HLM.R2 are performance's latent-scale ones (core's glmmEffectSizes)", () => {
    const model = buildModel(rangeToTable(cbppData), cbpp.formula, { REML: false, family: "binomial", factors: cbpp.factors });
    const e = glmmEffectSizes(model, fitGlmmModel(model, { family: "binomial", factors: cbpp.factors }));
    close(icc(cbppData, cbpp.formula, undefined, undefined, undefined, options)[0]![0], e.iccAdjusted!, 1e-6, "ICC");
    close(icc(cbppData, cbpp.formula, "herd", undefined, "unadjusted", options)[0]![0], e.iccUnadjusted!, 1e-6, "ICC unadjusted");
    const r = r2(cbppData, cbpp.formula, undefined, options);
    expect(r.map((row) => row[0])).toEqual(["Marginal R2", "Conditional R2"]);
    close(r[0]![1], e.r2Marginal, 1e-6, "marginal");
    close(r[1]![1], e.r2Conditional!, 1e-6, "conditional");
    // about 0.11 on the latent scale: π²/3 for the logit's distribution variance
    expect(e.iccAdjusted!).toBeGreaterThan(0.05);
    expect(e.iccAdjusted!).toBeLessThan(0.2);
  });

  it("the family is part of the cache key: the same data and formula as a Poisson model and a linear one are different fits", () => {
    const f = "incidence ~ period + (1 | herd)";
    const pois = fixef(cbppData, f, undefined, "family=poisson; factors=herd, period");
    const lmm = fixef(cbppData, f, "ML", "factors=herd, period");
    expect(pois[0]![3]).toBe("z value");
    expect(lmm[0]![3]).toBe("df");
    expect(pois[1]![1]).not.toBe(lmm[1]![1]);
    const misses = modelCache.stats.misses;
    fixef(copyRange(cbppData), f, undefined, "family=poisson; factors=herd, period");
    expect(modelCache.stats.misses).toBe(misses); // the same fit, from the cache
    fixef(cbppData, f, undefined, "family=poisson; nagq=5; factors=herd, period");
    expect(modelCache.stats.misses).toBe(misses + 1);
  });
});

describe("what does not apply to a generalized model says so in one sentence", () => {
  const data = glmmDatasetRange("cbpp");
  const f = "cbind(incidence, size - incidence) ~ period + (1 | herd)";
  const o = "family=binomial; factors=herd, period";

  it("σ, Satterthwaite's F tests, shrinkage, residual structures, influence", () => {
    expect(messageOf(() => sigma(data, f, undefined, o))).toBe("HLM.SIGMA is for linear mixed models: a binomial model (family=binomial) has no residual standard deviation σ.");
    expect(messageOf(() => anova(data, f, undefined, o))).toBe("HLM.ANOVA's F tests with Satterthwaite's df are for linear mixed models; for a binomial model (family=binomial), HLM.FIXEF gives the z tests of the fixed effects.");
    expect(messageOf(() => shrinkage(data, f, undefined, undefined, o))).toBe("HLM.SHRINKAGE sets each group's least-squares estimates beside its BLUPs, for linear mixed models; for a binomial model (family=binomial), HLM.RANEF gives the conditional modes.");
    expect(messageOf(() => corstruct(data, f, undefined, o))).toBe("HLM.CORSTRUCT is for nlme's residual structures of a linear mixed model, which a binomial model (family=binomial) does not have.");
    expect(messageOf(() => varfunc(data, f, undefined, o))).toMatch(/^HLM\.VARFUNC is for nlme's residual structures/);
    expect(messageOf(() => varcov(data, f, undefined, o))).toMatch(/^HLM\.VARCOV is for nlme's residual structures/);
    expect(messageOf(() => influence(data, f, undefined, undefined, o))).toBe("HLM.INFLUENCE's refits without each group are not available for a generalized linear mixed model (family=binomial) yet.");
  });

  it("REML, a residual structure, containment df, a link the family does not take, a link without a family", () => {
    expect(messageOf(() => fixef(data, f, "REML", o))).toBe('A binomial model (family=binomial) is fitted by maximum likelihood, as lme4\'s glmer; leave the method blank or give "ML".');
    expect(messageOf(() => fixef(data, f, "XL", o))).toBe('The method must be "REML" or "ML" (maximum likelihood), not "XL".');
    expect(messageOf(() => fixef(data, f, undefined, `${o}; correlation=corAR1()`))).toBe(
      "The option correlation in 'family=binomial; factors=herd, period; correlation=corAR1()' is for a linear mixed model; a binomial model (family=binomial) takes no residual structure and has z tests, so leave it out.",
    );
    expect(messageOf(() => fixef(data, f, undefined, `${o}; ddf=containment`))).toMatch(/^The option ddf=containment in .* is for a linear mixed model/);
    expect(messageOf(() => fixef(data, f, undefined, "family=poisson; link=logit"))).toBe("The poisson family takes the link 'log', not 'logit'.");
    expect(messageOf(() => fixef(data, f, undefined, "link=probit"))).toBe("The option link in 'link=probit' is for a generalized linear mixed model; give family=binomial or family=poisson with it.");
    expect(messageOf(() => fixef(data, f, undefined, "family=binomial; nagq=130"))).toBe("The option nagq must be a whole number from 1 to 100 (1 is the Laplace approximation), not '130'.");
    expect(messageOf(() => fixef(data, f, undefined, "family=gamma"))).toBe("The option family must be binomial or poisson (a generalized linear mixed model) or gaussian (the linear mixed model, as without it), not 'gamma'.");
    // quadrature with two random terms: lme4's refusal
    expect(messageOf(() => fixef(data, "cbind(incidence, size - incidence) ~ 1 + (1 | herd) + (1 | period)", undefined, `${o}; nagq=5`))).toMatch(/single,? scalar random-effects term.*use nAGQ = 1\.$/);
  });

  it("a response the family cannot take names its cell", () => {
    const bad = copyRange(data);
    bad[4]![1] = -1; // incidence, sheet row 5
    expect(messageOf(() => fixef(bad, "incidence ~ period + (1 | herd)", undefined, "family=poisson; factors=herd, period"))).toMatch(/row 5\b/);
  });
});
