import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { conformanceDir } from "../../core/test/compareReference.js";
import { run } from "../src/run.js";

async function capture(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await run(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

interface CompareReference {
  name: string;
  data: string;
  factors: string[];
  REML: boolean;
  formulas: string[];
  logLik: number[];
  Chisq: (number | null)[];
  p: (number | null)[];
}
const references = JSON.parse(readFileSync(new URL("../../core/test/fixtures/compare/compare.json", import.meta.url), "utf8")) as CompareReference[];

describe("hlm compare", () => {
  it("prints lme4's anova table for the NELS fit.1 and fit.2", async () => {
    const { code, out, err } = await capture(["compare", `${conformanceDir}nels_sim.csv`, "--formula", "score ~ flp * ses + (ses | school)", "--formula", "score ~ ses + (ses | school)", "--factors", "school", "--ml"]);
    expect(err).toBe("");
    expect(code).toBe(0);
    expect(out).toBe(
      [
        "Data: nels_sim",
        "Models:",
        "m1: score ~ ses + (ses | school)",
        "m0: score ~ flp * ses + (ses | school)",
        "   npar   AIC   BIC logLik deviance Chisq Df Pr(>Chisq)",
        "m1    6 92683 92728 -46336    92671",
        "m0    8 92511 92571 -46248    92495 176.3  2  < 2.2e-16 ***",
        "---",
        "Signif. codes:  0 '***' 0.001 '**' 0.01 '*' 0.05 '.' 0.1 ' ' 1",
        "",
      ].join("\n"),
    );
  });

  it("refits REML models by ML and says so", async () => {
    const { code, out } = await capture(["compare", `${conformanceDir}sleepstudy.csv`, "--formula", "Reaction ~ Days + (1 | Subject)", "--formula", "Reaction ~ Days + (Days | Subject)", "--factors", "Subject"]);
    expect(code).toBe(0);
    expect(out.split("\n")[0]).toBe("refitting model(s) with ML (instead of REML)");
    expect(out).toContain("m1    6 1763.9 1783.1 -875.97   1751.9 42.139  2  7.072e-10 ***");
  });

  for (const ref of references) {
    it(`--json agrees with lme4: ${ref.name}`, async () => {
      const args = ["compare", conformanceDir + ref.data, ...ref.formulas.flatMap((f) => ["--formula", f]), "--factors", ref.factors.join(","), "--json"];
      if (!ref.REML) args.push("--ml");
      const { code, out } = await capture(args);
      expect(code).toBe(0);
      const json = JSON.parse(out);
      expect(json.refitML).toBe(ref.REML);
      expect(json.models).toHaveLength(2);
      expect(json.models[0]["Pr(>Chisq)"]).toBeNull();
      expect(Math.abs(json.models[1].logLik - ref.logLik[1]!)).toBeLessThanOrEqual(1e-6 * Math.abs(ref.logLik[1]!));
      expect(Math.abs(json.models[1].Chisq - ref.Chisq[1]!)).toBeLessThanOrEqual(1e-4);
      expect(Math.abs(json.models[1]["Pr(>Chisq)"] - ref.p[1]!)).toBeLessThanOrEqual(1e-4 * ref.p[1]!);
    });
  }

  it("user mistakes exit 2 with one line", async () => {
    const data = `${conformanceDir}sleepstudy.csv`;
    for (const args of [
      ["compare", data, "--formula", "Reaction ~ Days + (1 | Subject)"],
      ["compare", "--formula", "a ~ 1", "--formula", "a ~ b"],
      ["compare", data, "--formula", "Reaction ~ Days + (1 | Subject)", "--formula", "Reaction ~ Nope + (1 | Subject)"],
      ["compare", data, "--formula", "a ~ 1", "--formula", "a ~ b", "--ml", "--reml"],
    ]) {
      const { code, out, err } = await capture(args);
      expect(code, args.join(" ")).toBe(2);
      expect(out).toBe("");
      expect(err).toMatch(/^hlm: [^\n]+\n$/);
    }
  });
});
