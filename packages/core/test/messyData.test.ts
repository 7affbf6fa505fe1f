import { describe, expect, it } from "vitest";
import { fit } from "../src/fit/fit.js";
import { HlmError } from "../src/HlmError.js";
import { readCsv } from "../src/io/readCsv.js";
import { nanWithoutReason } from "./nanWithoutReason.js";

/**
 * Small tables of random messy cells (NA, Inf, NaN, #N/A, text, 1e300, quoted numbers, empty groups)
 * under a handful of formulas: each one either fits, with no NaN or Inf that a warning does not
 * explain, or throws one HlmError whose message is one sentence. Never another exception.
 */
describe("messy tables: a fit or one clear error, never a crash", () => {
  it("on 1500 random tables", () => {
    let seed = 12345;
    const rnd = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
    const odd = ["", "NA", "Inf", "-Inf", "NaN", "#N/A", "#DIV/0!", "abc", "1e300", "1e-300", "0", "1", "1e6", "1e-6", '"1,5"', "007", "  3 "];
    const formulas = ["y ~ x + (1 | g)", "y ~ x + (x | g)", "y ~ x * z + (1 | g) + (1 | h)", "log(y) ~ sqrt(x) + (1 | g)", "y ~ z + (x || g)", "y ~ 1 + (1 | g/h)", "y ~ x + offset(z) + (1 | g)"];
    const outcomes = { fits: 0, errors: 0 };
    for (let iter = 0; iter < 1500; iter++) {
      const n = 1 + Math.floor(rnd() * 30);
      const levels = 1 + Math.floor(rnd() * 6);
      const value = (p: number, scale: number): string => (rnd() < p ? (rnd() * scale).toFixed(3) : pick(odd));
      const lines = ["y,x,z,g,h,w"];
      for (let i = 0; i < n; i++) {
        const g = rnd() < 0.05 ? pick(["", "#N/A", "NA"]) : `g${Math.floor(rnd() * levels)}`;
        lines.push([value(0.85, 10), value(0.85, 5), value(0.85, 1), g, `h${Math.floor(rnd() * 3)}`, rnd() < 0.9 ? (0.5 + rnd()).toFixed(2) : pick(odd)].join(","));
      }
      const formula = pick(formulas);
      const options = { REML: rnd() < 0.5, ...(rnd() < 0.2 ? { weights: "w" } : {}) };
      const text = lines.join("\n");
      try {
        const f = fit(readCsv(text), formula, options);
        expect(nanWithoutReason(f), `${formula}\n${text}`).toEqual([]);
        outcomes.fits++;
      } catch (e) {
        if (!(e instanceof HlmError)) throw new Error(`${formula} ${JSON.stringify(options)} threw ${String(e)} on\n${text}\n${(e as Error).stack}`);
        expect(["DATA", "FIT", "FORMULA", "OPTIONS"]).toContain(e.code);
        expect(e.message).toMatch(/^[^\n]+[.?]$/);
        outcomes.errors++;
      }
    }
    // both outcomes are exercised
    expect(outcomes.fits).toBeGreaterThan(100);
    expect(outcomes.errors).toBeGreaterThan(500);
  });
});
