/**
 * The commands with nlme's residual structures: --correlation, --variance and --ddf containment.
 * `hlm fit --json --ddf containment` against every nlme reference (packages/core/test/conformance-nlme),
 * the summary's nlme sections, `hlm compare` as nlme's anova(m0, m1), the other commands' behaviour
 * with a structured model, and the mistakes.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compareWithNlme, loadNlmeReferences, nlmeDir, nlmeFormula } from "../../core/test/compareNlmeReference.js";
import { run } from "../src/run.js";

async function capture(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await run(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

const references = loadNlmeReferences();
const ovary = [`${nlmeDir}Ovary.csv`, "--formula", "follicles ~ s1 + c1 + (1 | Mare)", "--factors", "Mare"];
const orthodont = [`${nlmeDir}Orthodont.csv`, "--formula", "distance ~ age * Sex + (1 | Subject)"];
const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

describe("hlm fit --json --ddf containment agrees with nlme on every reference", () => {
  it("finds the references", () => expect(references.length).toBeGreaterThanOrEqual(6));
  for (const ref of references) {
    it(ref.name, async () => {
      const args = ["fit", `${nlmeDir}${ref.dataset}.csv`, "--formula", nlmeFormula(ref), "--json", "--ddf", "containment"];
      if (ref.method === "ML") args.push("--ml");
      if (ref.factors.length > 0) args.push("--factors", ref.factors.join(","));
      if (ref.correlation) args.push("--correlation", ref.correlation);
      if (ref.weights) args.push("--variance", ref.weights);
      const { code, out, err } = await capture(args);
      expect(code).toBe(0);
      const json = JSON.parse(out);
      expect(compareWithNlme(json, ref)).toEqual([]);
      expect(json.correlation).toBe(ref.correlation);
      expect(json.variance).toBe(ref.weights);
      // the fit's warnings on stderr, a line each: the non-identified models say so
      expect(err.split("\n").every((l) => l === "" || l.startsWith("hlm: warning: "))).toBe(true);
      expect(err.includes("not both identified") || err.includes("not identified")).toBe(!ref.identified);
    });
  }

  it("by default the t-tests are Satterthwaite's, and --ddf containment needs nested groupings", async () => {
    const json = JSON.parse((await capture(["fit", ...ovary, "--correlation", "corAR1()", "--json"])).out);
    expect(json.t_df.s1).toBe(json.satterthwaite_df.s1);
    expect(json.t_df.s1).not.toBe(295);
    const ref = references.find((r) => r.name === "ovary_ar1_reml")!;
    const nlme = JSON.parse((await capture(["fit", ...ovary, "--correlation", "corAR1()", "--json", "--ddf", "Containment"])).out);
    expect(nlme.t_df).toEqual(ref.t_df);
    const dir = mkdtempSync(join(tmpdir(), "hlm-ddf-"));
    const csv = join(dir, "crossed.csv");
    writeFileSync(csv, "y,a,b\n" + Array.from({ length: 24 }, (_, i) => `${((i * 7) % 11) + (i % 3)},a${i % 4},b${i % 3}`).join("\n") + "\n");
    expect(await capture(["fit", csv, "--formula", "y ~ 1 + (1 | a) + (1 | b)", "--ddf", "containment"])).toEqual({
      code: 2,
      out: "",
      err: "hlm: --ddf containment is nlme's rule for nested groupings, and this model's groupings are crossed; use --ddf satterthwaite (the default).\n",
    });
  });
});

describe("hlm fit prints nlme's sections for a structured model", () => {
  it("Correlation Structure: AR(1) with its Phi, and the containment t-table", async () => {
    const ref = references.find((r) => r.name === "ovary_ar1_reml")!;
    const { code, out, err } = await capture(["fit", ...ovary, "--correlation", "corAR1()", "--ddf", "containment"]);
    expect([code, err]).toEqual([0, ""]);
    expect(out).toContain("Correlation Structure: AR(1)");
    const phi = out.match(/^\s+Phi\n\s*(\S+)$/m);
    expect(phi).not.toBeNull();
    expect(Math.abs(Number(phi![1]) - ref.cor_params!.Phi!)).toBeLessThan(2e-3);
    expect(out).toContain("t-tests use nlme's containment degrees of freedom");
    expect(out).toMatch(/^s1\s+-2\.947\d\s+0\.502\d\s+295\s+-5\.86\d/m);
  });

  it("writes the workbook with the structure", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hlm-structure-xlsx-"));
    const out = join(dir, "ovary.xlsx");
    const r = await capture(["fit", ...ovary, "--correlation", "corAR1()", "--ddf", "containment", "--xlsx", out]);
    expect(r.code).toBe(0);
    expect(r.err).toBe(`hlm: wrote ${out} (sheets HLM Summary, HLM Random Effects, HLM Shrinkage)\n`);
  });
});

describe("hlm compare with residual structures: nlme's anova(m0, m1)", () => {
  // R 4.2, nlme 3.1-162, d <- read.csv("Ovary.csv"):
  // anova(lme(follicles ~ s1 + c1, random = ~1|Mare, data = d), lme(follicles ~ s1 + c1, random = ~1|Mare, data = d, correlation = corAR1()))
  const R = { df: [5, 6], logLik: [-829.680150154882, -775.223348784056], AIC: [1669.36030030976, 1562.44669756811], BIC: [1687.9618591928, 1584.76856822776], L: 108.913602741652, p: 1.69516033971618e-25 };

  it("one --formula with a structure: the model without and with it, REML likelihoods as nlme compares them", async () => {
    const { code, out, err } = await capture(["compare", ...ovary, "--correlation", "corAR1()", "--json"]);
    expect([code, err]).toEqual([0, ""]);
    const json = JSON.parse(out);
    expect(json.refitML).toBe(false);
    expect(json.note).toBe("REML likelihoods compared: the models have the same fixed effects (nlme's anova)");
    expect(json.models.map((m: { structure?: string }) => m.structure ?? null)).toEqual([null, "correlation = corAR1()"]);
    json.models.forEach((m: { npar: number; logLik: number; AIC: number; BIC: number }, i: number) => {
      expect(m.npar).toBe(R.df[i]);
      expect(rel(m.logLik, R.logLik[i]!)).toBeLessThan(1e-6);
      expect(rel(m.AIC, R.AIC[i]!)).toBeLessThan(1e-6);
      expect(rel(m.BIC, R.BIC[i]!)).toBeLessThan(1e-6);
    });
    expect(rel(json.models[1].Chisq, R.L)).toBeLessThan(1e-6);
    expect(rel(json.models[1]["Pr(>Chisq)"], R.p)).toBeLessThan(1e-5);
    const text = (await capture(["compare", ...ovary, "--correlation", "corAR1()"])).out;
    expect(text.split("\n").slice(0, 5)).toEqual([
      "REML likelihoods compared: the models have the same fixed effects (nlme's anova)",
      "Data: Ovary",
      "Models:",
      "m0: follicles ~ s1 + c1 + (1 | Mare)",
      "m1: follicles ~ s1 + c1 + (1 | Mare), correlation = corAR1()",
    ]);
  });

  it("a structure per --formula, none for a model without one; different fixed effects are refitted by ML", async () => {
    // R: anova(lme(follicles ~ s1, random = ~1|Mare, data = d, method = "ML"),
    //          lme(follicles ~ s1 + c1, random = ~1|Mare, data = d, correlation = corAR1(), method = "ML"))
    const { code, out } = await capture(["compare", `${nlmeDir}Ovary.csv`, "--formula", "follicles ~ s1 + (1 | Mare)", "--formula", "follicles ~ s1 + c1 + (1 | Mare)", "--factors", "Mare", "--correlation", "none", "--correlation", "corAR1()", "--json"]);
    expect(code).toBe(0);
    const json = JSON.parse(out);
    expect(json.refitML).toBe(true);
    expect(json.models.map((m: { logLik: number }) => m.logLik).map((v: number, i: number) => rel(v, [-834.79255287502, -776.517310889982][i]!) < 1e-6)).toEqual([true, true]);
    expect(rel(json.models[1].Chisq, 116.550483970077)).toBeLessThan(1e-6);
    expect(rel(json.models[1]["Pr(>Chisq)"], 4.91342096200751e-26)).toBeLessThan(1e-5);
  });

  it("mistakes exit 2 with one line", async () => {
    const two = [`${nlmeDir}Ovary.csv`, "--formula", "follicles ~ s1 + (1 | Mare)", "--formula", "follicles ~ s1 + c1 + (1 | Mare)"];
    for (const [args, message] of [
      [["compare", ...two, "--correlation", "corAR1()"], "hlm: Give --correlation once per --formula, in order (none for a model without one): 2 models, 1 --correlation.\n"],
      [["compare", ...ovary, "--variance", "varIdent(form = ~ 1 | Mare)", "--variance", "none"], "hlm: With one --formula, give one --variance (the model is compared without and with it); got 2.\n"],
      [["compare", ...ovary, "--correlation", "none"], "hlm: With one --formula, give a structure to compare the model without and with (not none).\n"],
      [["compare", ...ovary], "hlm: Give at least two models to compare, each with --formula (or one --formula with --correlation or --variance, to compare it without and with the structure); got 1.\n"],
    ] as const) {
      expect(await capture([...args]), args.join(" ")).toEqual({ code: 2, out: "", err: message });
    }
  });
});

describe("the other commands with a structured model", () => {
  const ar1 = [...ovary, "--correlation", "corAR1()"];
  const varIdent = [...orthodont, "--variance", "varIdent(form = ~ 1 | Sex)"];

  it("confint --method wald works; profile (the default) and boot refuse in one sentence", async () => {
    const wald = await capture(["confint", ...ar1, "--method", "wald", "--json"]);
    expect(wald.code).toBe(0);
    expect(JSON.parse(wald.out).rows.map((r: { parameter: string }) => r.parameter)).toEqual(["(Intercept)", "s1", "c1"]);
    expect(await capture(["confint", ...ar1])).toEqual({
      code: 2,
      out: "",
      err: "hlm: Profile-likelihood intervals are not available for a model with a residual correlation structure or variance function (the profiles do not yet hold the structure's parameters); use Wald intervals (method wald) for the fixed effects.\n",
    });
    const boot = await capture(["confint", ...varIdent, "--method", "boot", "--nsim", "2", "--seed", "1"]);
    expect([boot.code, boot.out]).toEqual([2, ""]);
    expect(boot.err).toMatch(/^hlm: Bootstrap intervals are not available for a model with a residual correlation structure or variance function [^\n]+\n$/);
  });

  it("anova gives the type III table with finite Satterthwaite df", async () => {
    const { code, out } = await capture(["anova", `${nlmeDir}BodyWeight.csv`, "--formula", "weight ~ Time * Diet + (Time | Rat)", "--factors", "Rat,Diet", "--ml", "--correlation", "corCAR1(form = ~ Time)", "--json"]);
    expect(code).toBe(0);
    const rows = JSON.parse(out) as { term: string; denDf: number; F: number }[];
    expect(rows.map((r) => r.term)).toEqual(["Time", "Diet", "Time:Diet"]);
    expect(rows.every((r) => Number.isFinite(r.denDf) && r.denDf > 0 && Number.isFinite(r.F))).toBe(true);
  });

  it("predict is nlme's X b + Z u: new rows need no column of the structure", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hlm-structure-predict-"));
    const csv = join(dir, "new.csv");
    writeFileSync(csv, "Mare,s1,c1\n1,0.1,0.2\n5,-0.5,0.7\n");
    const { code, out } = await capture(["predict", ...ovary, "--correlation", "corCAR1(form = ~ Time)", "--newdata", csv, "--json"]);
    expect(code).toBe(0);
    const rows = JSON.parse(out) as { fit: number; population: number }[];
    // R: predict(lme(follicles ~ s1 + c1, random = ~1|Mare, data = d, correlation = corCAR1(form = ~ Time)), newdata, level = 0:1)
    expect(Math.abs(rows[0]!.fit - 14.6916024484029)).toBeLessThan(1e-4);
    expect(Math.abs(rows[1]!.population - 13.0239080158074)).toBeLessThan(1e-4);
  });

  it("icc and r2 under a correlation structure alone; refused under a variance function", async () => {
    const icc = JSON.parse((await capture(["icc", ...ar1, "--json"])).out);
    // R: insight::get_variance(m1): var.intercept.Mare 7.88075244072, var.residual 13.43552462981
    expect(rel(icc.iccAdjusted, 7.88075244072 / (7.88075244072 + 13.43552462981))).toBeLessThan(1e-5);
    for (const command of ["icc", "r2"]) {
      expect(await capture([command, ...varIdent])).toEqual({
        code: 2,
        out: "",
        err: "hlm: The ICC and R² need one residual variance, but under the variance function 'varIdent(form = ~ 1 | Sex)' it differs between rows; they are not available for this model.\n",
      });
    }
  });

  it("influence refits with the structure", async () => {
    const { code, out } = await capture(["influence", ...ar1, "--ml", "--json"]);
    expect(code).toBe(0);
    const inf = JSON.parse(out) as { levels: string[]; converged: boolean[]; cooksDistance: number[] };
    expect(inf.levels).toHaveLength(11);
    expect(inf.converged.every(Boolean)).toBe(true);
    expect(inf.cooksDistance.every((d) => Number.isFinite(d) && d >= 0)).toBe(true);
  });
});

describe("mistakes in a structure exit 2 with one line on stderr", () => {
  it.each([
    [["fit", ...ovary, "--correlation", "corAR1("], "hlm: Correlation structure error at position 8 of 'corAR1(': the text ends before ')'.\n"],
    [["fit", ...ovary, "--correlation", "corAR2()"], "hlm: Correlation structure error at position 1 of 'corAR2()': 'corAR2' is not one of corAR1, corCAR1, corExp, corCompSymm, corSymm.\n"],
    [["fit", ...ovary, "--correlation", "corAR1(form = ~ Tme | Mare)"], "hlm: Unknown column 'Tme' in the correlation structure 'corAR1(form = ~ Tme | Mare)'; did you mean 'Time'?\n"],
    [["anova", ...orthodont, "--variance", "varIdent(form = ~ 1 | sex)"], "hlm: Unknown column 'sex' in the variance function 'varIdent(form = ~ 1 | sex)'; did you mean 'Sex'?\n"],
    [["fit", ...ovary, "--ddf", "kenward"], "hlm: --ddf must be satterthwaite or containment, not 'kenward'.\n"],
    [["fit", ...ovary, "--correlation"], "hlm: --correlation needs a value: --correlation C (see 'hlm fit --help').\n"],
  ])("%j", async (argv, message) => {
    expect(await capture(argv)).toEqual({ code: 2, out: "", err: message });
  });
});
