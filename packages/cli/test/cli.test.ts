import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { compareWithReference, conformanceDir, loadReferences } from "../../core/test/compareReference.js";
import { run } from "../src/run.js";

async function capture(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await run(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

describe("hlm fit --json agrees with lme4 on every conformance model", () => {
  for (const ref of loadReferences()) {
    it(ref.name, async () => {
      const args = ["fit", `${conformanceDir}${ref.dataset}.csv`, "--formula", ref.formula, "--json"];
      if (!ref.REML) args.push("--ml");
      if (ref.factors.length > 0) args.push("--factors", ref.factors.join(","));
      const { code, out, err } = await capture(args);
      // beside the JSON, the fit's warnings go to stderr
      expect(err).toBe(ref.singular ? "hlm: warning: boundary (singular) fit: see help('isSingular')\n" : "");
      expect(code).toBe(0);
      const json = JSON.parse(out);
      expect(compareWithReference(json, ref)).toEqual([]);
      // exactly the reference's keys (less lme4's own) plus fit_seconds, and the t-tests' t_values and t_df (Satterthwaite's df here)
      const expected = Object.keys(ref).filter((k) => !["name", "lme4_version", "lme4_fit_seconds_median", "weights"].includes(k));
      expect(Object.keys(json).sort()).toEqual([...expected, "fit_seconds", "t_values", "t_df"].sort());
      expect(json.t_df).toEqual(json.satterthwaite_df);
      expect(json.fit_seconds).toBeGreaterThan(0);
    });
  }
});

describe("hlm fit prints lme4's summary", () => {
  it("for the lecture's fit.1 on the simulated NELS data", async () => {
    const { code, out } = await capture(["fit", `${conformanceDir}nels_sim.csv`, "--formula", "score ~ ses + (ses | school)", "--ml"]);
    expect(code).toBe(0);
    const ref = loadReferences().find((r) => r.name === "nels_fit1_ml")!;
    expect(out).toContain("Linear mixed model fit by maximum likelihood");
    expect(out).toContain("Formula: score ~ ses + (ses | school)");
    expect(out).toContain(`Number of obs: 12974, groups:  school, 684`);
    expect(out).toContain(ref.AIC.toFixed(1));
    expect(out).toContain(ref.logLik.toFixed(1));
    const vc = ref.varcorr[0]!;
    const slopeLine = `ses\\s+${vc.covariance[1]![1]!.toFixed(3)}\\s+${vc.sd[1]!.toFixed(3)}\\s+${vc.corr[1]![0]!.toFixed(2)}\\n Residual`;
    expect(out).toMatch(new RegExp(slopeLine));
    expect(out).toMatch(new RegExp(`\\(Intercept\\)\\s+${ref.fixef["(Intercept)"]!.toFixed(4)}\\s+${ref.se["(Intercept)"]!.toFixed(4)}`));
    expect(out).toContain("Correlation of Fixed Effects:");
  });
  it("the ML fit's AIC line as R prints the named vector, every column one width", async () => {
    // R: print(summary(lmer(Reaction ~ Days + (Days | Subject), sleepstudy, REML = FALSE)))
    const { code, out } = await capture(["fit", `${conformanceDir}sleepstudy.csv`, "--formula", "Reaction ~ Days + (Days | Subject)", "--ml"]);
    expect(code).toBe(0);
    expect(out).toContain("\n     AIC      BIC   logLik deviance df.resid \n  1763.9   1783.1   -876.0   1751.9      174 \n");
  });
  it("for a REML fit, with the REML criterion and the singular-fit message", async () => {
    const { code, out } = await capture(["fit", `${conformanceDir}Dyestuff2.csv`, "--formula", "Yield ~ 1 + (1 | Batch)"]);
    expect(code).toBe(0);
    expect(out).toContain("Linear mixed model fit by REML");
    expect(out).toContain("REML criterion at convergence: 161.8");
    expect(out).toContain("boundary (singular) fit: see help('isSingular')");
  });
});

describe("user mistakes exit with status 2 and one line on stderr", () => {
  const dir = mkdtempSync(join(tmpdir(), "hlm-cli-"));
  const csv = join(dir, "d.csv");
  writeFileSync(csv, "y,x,g\n1,2,a\n2,3,a\n3,1,b\n4,5,b\n5,4,c\n6,6,c\n");
  it.each([
    [["fit", csv, "--formula", "y ~ x + (1 | g"], "hlm: Formula error at position 9 of 'y ~ x + (1 | g': this '(' is not closed.\n"],
    [["fit", csv, "--formula", "y ~ xx + (1 | g)"], "hlm: Unknown column 'xx' in formula 'y ~ xx + (1 | g)' (position 5); did you mean 'x'?\n"],
    [["fit", join(dir, "missing.csv"), "--formula", "y ~ x + (1 | g)"], `hlm: Cannot read '${join(dir, "missing.csv")}': no such file.\n`],
    [["fit", csv], "hlm: Give the model with --formula, e.g. --formula \"y ~ x + (x | g)\".\n"],
    [["fit", csv, "--formula", "y ~ x"], "hlm: The formula 'y ~ x' has no random-effects term such as (1 | group); a mixed model needs at least one.\n"],
    [["fix", csv], "hlm: Unknown command 'fix'; did you mean 'fit'? The commands are fit, compare, anova, confint, predict, icc, r2, influence, sql (hlm --help).\n"],
    [["fit", csv, "--formula", "y ~ x + (1 | g)", "--repeat", "0"], "hlm: --repeat must be a whole number of at least 1, not '0'.\n"],
  ])("%j", async (argv, message) => {
    const r = await capture(argv);
    expect(r.code).toBe(2);
    expect(r.err).toBe(message);
    expect(r.out).toBe("");
  });

  it("the built command exits 2 with no stack trace", () => {
    const main = fileURLToPath(new URL("../dist/main.js", import.meta.url));
    const p = spawnSync(process.execPath, [main, "fit", csv, "--formula", "y ~ x + (1 | nope)"], { encoding: "utf8" });
    expect(p.status).toBe(2);
    expect(p.stderr).toBe("hlm: Unknown column 'nope' in formula 'y ~ x + (1 | nope)' (position 14).\n");
    expect(p.stdout).toBe("");
  });
});

describe("hlm fit --shrinkage", () => {
  it("prints each group's n, own OLS estimates and BLUP coefficients", async () => {
    const { code, out } = await capture(["fit", `${conformanceDir}sleepstudy.csv`, "--formula", "Reaction ~ Days + (Days | Subject)", "--shrinkage"]);
    expect(code).toBe(0);
    expect(out).toContain("Shrinkage by Subject: each group's own OLS estimates beside its BLUP coefficients");
    // subject 308: lm(Reaction ~ Days) gives 244.19 + 21.76 Days; lme4's coef() 253.66 + 19.67 Days
    expect(out).toMatch(/\n308\s+10\s+244\.2\s+21\.765\s+253\.7\s+19\.666/);
  });
});

describe("hlm fit --weights", () => {
  it("fits with prior weights as lme4's weights argument", async () => {
    const fixtures = fileURLToPath(new URL("../../core/test/fixtures/lme4/", import.meta.url));
    const ref = loadReferences(fixtures).find((r) => r.name === "sleep_weights")!;
    const { code, out } = await capture(["fit", `${fixtures}sleepw.csv`, "--formula", ref.formula, "--weights", "w", "--factors", "Subject", "--json"]);
    expect(code).toBe(0);
    const json = JSON.parse(out);
    expect(json.weights).toBe("w");
    expect(compareWithReference(json, ref)).toEqual([]);
  });
  it("names a weights column that is not there", async () => {
    const r = await capture(["fit", `${conformanceDir}sleepstudy.csv`, "--formula", "Reaction ~ Days + (1 | Subject)", "--weights", "wt"]);
    expect(r.code).toBe(2);
    expect(r.err).toBe("hlm: The weights column 'wt' is not in the data.\n");
  });
});
