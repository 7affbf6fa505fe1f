import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compareGlmm, glmmDir, loadGlmmReference } from "../../core/test/compareGlmmReference.js";
import { run } from "../src/run.js";

async function capture(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await run(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

const moreDir = new URL("../../core/test/conformance-glmm-more/", import.meta.url).pathname;
const MODELS = ["cbpp_binomial", "cbpp_binomial_agq9", "cbpp_proportion", "contraception_logit", "contraception_probit", "grouseticks_poisson", "verbagg_crossed"];
const MORE = ["epil_poisson", "epil_offset", "grouse_nested", "cbpp_cloglog", "contra_slope", "guimmun", "bacteria_logit", "contraception_agq5", "epil_offset_agq7", "cbpp_probit_agq4", "sim_singular", "sim_pois_singular", "grouse_interaction", "cbpp_cloglog_size"];
const cbpp = `${glmmDir}cbpp.csv`;
const CBPP = "cbind(incidence, size - incidence) ~ period + (1 | herd)";

describe("hlm fit --family --json agrees with lme4's glmer on every GLMM reference", () => {
  for (const [dir, name] of [...MODELS.map((m) => [glmmDir, m] as const), ...MORE.map((m) => [moreDir, m] as const)]) {
    const ref = loadGlmmReference(name, dir);
    it(`${name}: ${ref.formula} (${ref.family}, ${ref.link}, nAGQ ${ref.nAGQ})`, async () => {
      const csv = existsSync(`${dir}${ref.dataset}.csv`) ? `${dir}${ref.dataset}.csv` : `${glmmDir}${ref.dataset}.csv`;
      const args = ["fit", csv, "--formula", ref.formula, "--family", ref.family, "--link", ref.link, "--json"];
      if (ref.nAGQ !== 1) args.push("--nagq", String(ref.nAGQ));
      if (ref.factors.length > 0) args.push("--factors", ref.factors.join(","));
      if (ref.weights) args.push("--weights", ref.weights);
      const { code, out, err } = await capture(args);
      // the fit's warnings: a singular fit, and lme4's convergence checks (its Hessian's; "failed to converge with max|grad|" is its optimizer stopping short, which ours does not)
      const lme4 = ((ref as { convergence_warnings?: string[] }).convergence_warnings ?? []).filter((w) => !w.startsWith("Model failed to converge with max|grad|"));
      expect(err).toBe([...(ref.singular ? ["boundary (singular) fit: see help('isSingular')"] : []), ...lme4].map((w) => `hlm: warning: ${w}\n`).join(""));
      expect(code).toBe(0);
      const json = JSON.parse(out);
      expect(compareGlmm(json, ref)).toEqual([]);
      expect(json.family).toBe(ref.family);
      expect(json.link).toBe(ref.link);
      expect(json.nAGQ).toBe(ref.nAGQ);
      expect(json.dataset).toBe(ref.dataset);
      expect(json.fit_seconds).toBeGreaterThan(0);
      // exactly the reference's keys (less lme4's own and its Hessian, for diagnosis) plus fit_seconds
      const lme4Own = ["name", "lme4_version", "glmer_fit_seconds_median", "convergence_warnings", "optimizer", "default_optimizer_trouble", "hessian"];
      expect(Object.keys(json).sort()).toEqual([...Object.keys(ref).filter((k) => !lme4Own.includes(k)), "fit_seconds"].sort());
    }, 120_000);
  }
});

/** Lines equal but for numbers, which may differ by one in their last printed digit (the fit agrees with lme4 at the README's tolerances; a 4-digit print can straddle a rounding edge). */
function sameUpToLastDigit(got: string, want: string): string[] {
  const number = /-?\d+\.\d+(e-\d+)?/g;
  const g = got.split("\n").map((l) => l.trimEnd());
  const w = want.split("\n").map((l) => l.trimEnd());
  const out: string[] = [];
  if (g.length !== w.length) out.push(`${g.length} lines, R ${w.length}`);
  w.forEach((line, i) => {
    const mine = g[i] ?? "";
    if (mine.replace(number, "#") !== line.replace(number, "#")) return void out.push(`line ${i + 1}: '${mine}' vs R '${line}'`);
    const a = mine.match(number) ?? [];
    const b = line.match(number) ?? [];
    b.forEach((x, k) => {
      const decimals = x.includes("e") ? 0 : x.split(".")[1]!.length;
      const unit = x.includes("e") ? Math.abs(Number(x)) * 0.01 : 10 ** -decimals;
      if (!(Math.abs(Number(a[k]) - Number(x)) <= 1.01 * unit)) out.push(`line ${i + 1}: ${a[k]} vs R ${x}`);
    });
  });
  return out;
}

describe("hlm fit --family prints glmer's summary", () => {
  it("for cbpp, as R prints it", async () => {
    // LC_ALL=C R 4.2, lme4 1.1-31:
    // cbpp <- read.csv("cbpp.csv"); cbpp$herd <- factor(cbpp$herd); cbpp$period <- factor(cbpp$period)
    // print(summary(glmer(cbind(incidence, size - incidence) ~ period + (1 | herd), data = cbpp, family = binomial)))
    const R = readFileSync(new URL("../../core/test/fixtures/cbpp_glmer_summary.txt", import.meta.url), "utf8");
    const { code, out, err } = await capture(["fit", cbpp, "--formula", CBPP, "--family", "binomial", "--factors", "herd,period"]);
    expect(err).toBe("");
    expect(code).toBe(0);
    expect(sameUpToLastDigit(out, R)).toEqual([]);
  }, 60_000);

  it("with weights and quadrature", async () => {
    const { code, out } = await capture(["fit", cbpp, "--formula", "incidence/size ~ period + (1 | herd)", "--family", "binomial", "--weights", "size", "--nagq", "9", "--factors", "herd,period"]);
    expect(code).toBe(0);
    expect(out.split("\n").slice(0, 6)).toEqual([
      "Generalized linear mixed model fit by maximum likelihood (Adaptive",
      "  Gauss-Hermite Quadrature, nAGQ = 9) [glmerMod]",
      " Family: binomial  ( logit )",
      "Formula: incidence/size ~ period + (1 | herd)",
      "   Data: cbpp",
      "Weights: size",
    ]);
    // R: 110.0 120.1 -50.0 100.0 51 (nAGQ = 9, lme4's criterion without the saturated model's)
    expect(out).toContain("   110.0    120.1    -50.0    100.0       51 \n");
  }, 60_000);
});

describe("hlm fit --family: what does not apply is refused in one sentence", () => {
  const fit = ["fit", cbpp, "--formula", CBPP, "--factors", "herd,period"];
  it.each([
    [[...fit, "--family", "gaussian"], "hlm: --family must be binomial or poisson, not 'gaussian' (a linear mixed model is fitted without --family).\n"],
    [[...fit, "--family", "binomial", "--link", "log"], "hlm: The binomial family takes the link 'logit', 'probit', 'cloglog', not 'log'.\n"],
    [[...fit, "--family", "poisson", "--link", "logit"], "hlm: The poisson family takes the link 'log', not 'logit'.\n"],
    [[...fit, "--link", "probit"], "hlm: --link is an option of a generalized linear mixed model: give it with --family binomial or --family poisson.\n"],
    [[...fit, "--family", "binomial", "--nagq", "2.5"], "hlm: --nagq must be a whole number from 1 to 100, not '2.5'.\n"],
    [[...fit, "--family", "binomial", "--nagq", "0"], "hlm: --nagq must be a whole number from 1 to 100, not '0'.\n"],
    [[...fit, "--family", "binomial", "--nagq", "101"], "hlm: --nagq must be a whole number from 1 to 100, not '101'.\n"],
    [[...fit, "--family", "binomial", "--ddf", "containment"], "hlm: --ddf containment does not apply to a generalized linear mixed model (--family) yet.\n"],
    [[...fit, "--family", "binomial", "--shrinkage", "--correlation", "corAR1()"], "hlm: --correlation and --shrinkage do not apply to a generalized linear mixed model (--family) yet.\n"],
    [[...fit, "--family", "binomial", "--correlation", "corAR1()"], "hlm: --correlation does not apply to a generalized linear mixed model (--family) yet.\n"],
    [[...fit, "--family", "binomial", "--reml"], "hlm: --reml does not apply to a generalized linear mixed model (--family) yet.\n"],
    [
      ["fit", `${moreDir}epil.csv`, "--formula", "y ~ trt + (1 | subject) + (1 | period)", "--factors", "subject,period", "--family", "poisson", "--nagq", "5"],
      "hlm: nAGQ > 1 is only available for models with a single, scalar random-effects term (lme4's words), such as (1 | group); use nAGQ = 1.\n",
    ],
    ...["anova", "influence"].map((c) => [
      [c, cbpp, "--formula", CBPP, "--family", "binomial"],
      `hlm: --family: ${c} is not yet for a generalized linear mixed model; hlm fit, hlm compare, hlm confint, hlm predict, hlm icc, hlm r2 take --family.\n`,
    ]),
    [["compare", cbpp, "--formula", CBPP, "--family", "binomial"], "hlm: Give at least two models to compare, each with --formula; got 1.\n"],
    [["compare", cbpp, "--formula", CBPP, "--formula", CBPP, "--family", "binomial", "--correlation", "corAR1()", "--correlation", "none"], "hlm: --correlation does not apply to a generalized linear mixed model (--family) yet.\n"],
  ])("%j", async (argv, message) => {
    const r = await capture(argv as string[]);
    expect(r.err).toBe(message);
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
  }, 60_000);
});
