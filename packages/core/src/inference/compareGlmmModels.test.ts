import { describe, expect, it } from "vitest";
import { familyOf, glmmAfter, glmmTable } from "../../test/glmmAfterFixture.js";
import { HlmError } from "../HlmError.js";
import { fitGlmm } from "../glmm/fitGlmm.js";
import { formatComparison } from "../report/formatComparison.js";
import { compareGlmmFits, compareGlmmModels } from "./compareModels.js";

/** Equal but for numbers, which may differ by one in their last printed digit (the fits agree with lme4's at the conformance tolerances). */
function sameUpToLastDigit(got: string[], want: string[]): string[] {
  const number = /-?\d+\.\d+(e-\d+)?/g;
  const out: string[] = [];
  if (got.length !== want.length) out.push(`${got.length} lines, R ${want.length}`);
  want.forEach((line, i) => {
    const mine = got[i] ?? "";
    if (mine.replace(number, "#") !== line.replace(number, "#")) return void out.push(`line ${i + 1}: '${mine}' vs R '${line}'`);
    const a = mine.match(number) ?? [];
    (line.match(number) ?? []).forEach((x, k) => {
      const unit = x.includes("e") ? Math.abs(Number(x)) * 0.01 : 10 ** -x.split(".")[1]!.length;
      if (!(Math.abs(Number(a[k]) - Number(x)) <= 1.01 * unit)) out.push(`line ${i + 1}: ${a[k]} vs R ${x}`);
    });
  });
  return out;
}

describe("compareGlmmModels: lme4's anova(glmer0, glmer1, ...)", () => {
  for (const c of glmmAfter.comparisons) {
    it(`${c.name}: ${c.formulas.length} models`, () => {
      const table = glmmTable(c.data);
      const cmp = compareGlmmModels(table, c.formulas, { family: familyOf(c.link), link: c.link, factors: c.factors });
      expect(cmp.rows.map((r) => r.name)).toEqual(c.rows);
      expect(cmp.rows.map((r) => r.npar)).toEqual(c.npar);
      expect(cmp.rows.map((r) => r.Df)).toEqual(c.Df.map((d) => d ?? null));
      cmp.rows.forEach((r, i) => {
        // logLik within the conformance tolerance (2e-3); largest seen 7.8e-6 (VerbAgg), Chisq 1.3e-5 (grouseticks)
        for (const k of ["AIC", "BIC", "logLik", "deviance"] as const) expect(Math.abs(r[k] - c[k][i]!)).toBeLessThan(1e-4);
        if (c.Chisq[i] === null) expect(r.Chisq).toBeNull();
        else expect(Math.abs(r.Chisq! - c.Chisq[i]!)).toBeLessThan(1e-4);
        if (c.p[i] === null) expect(r.pValue).toBeNull();
        else expect(Math.abs(r.pValue! - c.p[i]!) / c.p[i]!).toBeLessThan(1e-4);
      });
      // R's print, "Data: d" as the script named the data
      const printed = formatComparison(cmp, { dataName: "d" }).replace(/'/g, "‘").split("\n").slice(0, -1);
      const want = c.printed.map((l) => l.replace(/’/g, "‘"));
      expect(sameUpToLastDigit(printed.map((l) => l.trimEnd()), want.map((l) => l.trimEnd()))).toEqual([]);
    }, 120_000);
  }

  it("refuses fits of different families and fewer than two", () => {
    const t = glmmTable("cbpp.csv");
    const f = "cbind(incidence, size - incidence) ~ period + (1 | herd)";
    const a = fitGlmm(t, f, { family: "binomial", factors: ["herd", "period"] });
    const b = fitGlmm(t, f, { family: "binomial", link: "probit", factors: ["herd", "period"] });
    expect(() => compareGlmmFits([a, b])).toThrow("Likelihood-ratio tests compare models of one family and link, and these have binomial (logit), binomial (probit).");
    expect(() => compareGlmmFits([a])).toThrow(HlmError);
  }, 60_000);
});
