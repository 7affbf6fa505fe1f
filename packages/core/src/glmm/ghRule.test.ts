import { describe, expect, it } from "vitest";
import { tableFromRows } from "../io/tableFromRows.js";
import { fitGlmm } from "./fitGlmm.js";
import { ghRule } from "./ghRule.js";

describe("adaptive Gauss–Hermite quadrature", () => {
  it("ghRule(9) is lme4's GHrule(9): nodes, weights and log φ", () => {
    const r = ghRule(9);
    // lme4 1.1-31 GHrule(9), the lower half (the rule is symmetric)
    const z = [-4.5127458633997835, -3.2054290028564703, -2.0768479786778302, -1.0232556637891328, 0];
    const w = [2.2345844007746552e-5, 2.7891413212317718e-3, 4.9916406765217858e-2, 2.4409750289493942e-1, 4.0634920634920618e-1];
    z.forEach((v, i) => {
      expect(r.z[i]).toBeCloseTo(v, 12);
      expect(r.z[8 - i]).toBeCloseTo(-v, 12);
      expect(r.w[i]! / w[i]!).toBeCloseTo(1, 10);
    });
    expect(r.ldnorm[0]).toBeCloseTo(-11.10137614702060027, 11);
    expect(r.w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
  });
  it("refuses nAGQ > 1 with more than one random-effects term, and an nAGQ that is not a whole number from 1 to 25", () => {
    const rows = Array.from({ length: 24 }, (_, i) => [i % 3 === 0 ? 1 : 0, i % 4, `g${i % 6}`, `h${i % 4}`] as (number | string)[]);
    const t = tableFromRows(["y", "x", "g", "h"], rows);
    expect(() => fitGlmm(t, "y ~ x + (1 | g) + (1 | h)", { family: "binomial", nAGQ: 5 })).toThrow("Adaptive quadrature (nAGQ > 1) needs a model with a single scalar random-effects term such as (1 | group); use nAGQ = 1.");
    expect(() => fitGlmm(t, "y ~ x + (1 | g)", { family: "binomial", nAGQ: 0.5 })).toThrow("nAGQ must be a whole number from 1 to 25, not 0.5.");
  });
});
