import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fitGlmm } from "../glmm/fitGlmm.js";
import { HlmError } from "../HlmError.js";
import { readCsv } from "../io/readCsv.js";
import type { Table } from "../io/Table.js";

/** Written by test/fixtures/glmmAfter/badInput.R: glmer's error or warnings when one cell of badInput.csv is changed. */
interface BadCase {
  name: string;
  column: string | null;
  row: number | null;
  value: number | null;
  formula: string;
  family: "binomial" | "poisson";
  weights?: string;
  error: string | null;
  warnings: string[];
  logLik: number | string | null;
}
const dir = new URL("../../test/fixtures/glmmAfter/", import.meta.url);
const cases = JSON.parse(readFileSync(new URL("badInput.json", dir), "utf8")) as BadCase[];
const data = readCsv(readFileSync(new URL("badInput.csv", dir), "utf8"));

/** The data with the case's cell changed (R's row r is the spreadsheet's row r + 1). */
function withCell(c: BadCase): Table {
  if (c.column === null) return data;
  const columns = data.columns.map((col) => {
    if (col.name !== c.column || col.kind !== "number") return col;
    const values = Float64Array.from(col.values);
    values[c.row! - 1] = c.value!;
    return { ...col, values };
  });
  return { ...data, columns };
}
const fitCase = (c: BadCase) => fitGlmm(withCell(c), c.formula, { family: c.family, factors: ["g"], ...(c.weights ? { weights: c.weights } : {}) });
const byName = (name: string): BadCase => cases.find((c) => c.name === name)!;

describe("a GLMM's bad response: refused where glmer fails, R's warning where it warns", () => {
  const refusals: [string, string][] = [
    ["binomial_y_2", "A binomial response must be between 0 and 1 (0 or 1 (or a proportion, with --weights trials)), but 'y' is 2 in row 4."],
    ["binomial_y_negative", "A binomial response must be between 0 and 1 (0 or 1 (or a proportion, with --weights trials)), but 'y' is -1 in row 4."],
    ["proportion_above_1", "A binomial response must be between 0 and 1 (a proportion of successes (with the trials in 'n')), but 'p' is 1.2 in row 5."],
    ["cbind_successes_above_trials", "The failures 'n - s' of cbind(s, n - s) must be counts of 0 or more, but they are -2 in row 6: more successes (7) than trials there?"],
    ["cbind_negative_successes", "The successes 's' of cbind(s, n - s) must be counts of 0 or more, but they are -1 in row 6."],
    ["poisson_negative", "A Poisson response must be a count of 0 or more, but 'cnt' is -2 in row 7 (R: negative values not allowed for the 'Poisson' family)."],
  ];
  for (const [name, message] of refusals) {
    it(`${name}: glmer's "${byName(name).error}"`, () => {
      const c = byName(name);
      expect(c.error).not.toBeNull();
      let caught: unknown;
      try {
        fitCase(c);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(HlmError);
      expect((caught as HlmError).message).toBe(message);
      expect((caught as HlmError).details?.row).toBe(c.row! + 1);
    });
  }

  const warned: [string, string][] = [
    ["binomial_y_half", "non-integer #successes in a binomial glm! ('y' is 0.5 in row 4)"],
    ["proportion_non_integer", "non-integer #successes in a binomial glm! (1.5 successes (0.3 × 5 trials) in row 5)"],
    ["cbind_non_integer", "non-integer counts in a binomial glm! (cbind(s, n - s): 2.5 successes and 2.5 failures in row 6)"],
    ["poisson_non_integer", "non-integer x = 2.500000: the Poisson response 'cnt' is not a whole number in row 7; the log-likelihood uses log Γ(y + 1) there, where glmer's is −Inf."],
  ];
  for (const [name, message] of warned) {
    it(`${name}: glmer's warning "${byName(name).warnings[0]}"`, () => {
      const c = byName(name);
      expect(c.error).toBeNull();
      const fit = fitCase(c);
      expect(fit.responseWarnings).toEqual([message]);
      expect(message.startsWith(c.warnings[0]!)).toBe(true);
      // the fit itself is glmer's where glmer's log-likelihood is finite (R rounds the successes as we do)
      if (typeof c.logLik === "number") expect(Math.abs(fit.logLik - c.logLik)).toBeLessThan(2e-3);
      expect(Number.isFinite(fit.logLik)).toBe(true);
    }, 60_000);
  }

  it("complete separation: lme4's convergence warnings (the Hessian is singular), not NaN", () => {
    const c = byName("complete_separation");
    const fit = fitCase(c);
    expect(fit.convergence.warnings).toEqual(c.warnings.map((w) => w.trim()));
    expect(fit.fixef.every(Number.isFinite)).toBe(true);
    expect(Math.abs(fit.fixef[1]!)).toBeGreaterThan(20); // the slope runs off, as glmer's (181.7)
  }, 60_000);
});
