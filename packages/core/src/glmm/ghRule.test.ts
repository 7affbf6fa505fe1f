import { describe, expect, it } from "vitest";
import { tableFromRows } from "../io/tableFromRows.js";
import { fitGlmm } from "./fitGlmm.js";
import { ghRule } from "./ghRule.js";
import { fitFixtureModel, glmmAfter } from "../../test/glmmAfterFixture.js";

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
  it("refuses nAGQ > 1 with more than one random-effects term (lme4's sentence), and an nAGQ that is not a whole number from 1 to 100", () => {
    const rows = Array.from({ length: 24 }, (_, i) => [i % 3 === 0 ? 1 : 0, i % 4, `g${i % 6}`, `h${i % 4}`] as (number | string)[]);
    const t = tableFromRows(["y", "x", "g", "h"], rows);
    expect(() => fitGlmm(t, "y ~ x + (1 | g) + (1 | h)", { family: "binomial", nAGQ: 5 })).toThrow("nAGQ > 1 is only available for models with a single, scalar random-effects term (lme4's words), such as (1 | group); use nAGQ = 1.");
    expect(() => fitGlmm(t, "y ~ x + (x | g)", { family: "binomial", nAGQ: 2 })).toThrow("nAGQ > 1 is only available for models with a single, scalar random-effects term");
    expect(() => fitGlmm(t, "y ~ x + (1 | g)", { family: "binomial", nAGQ: 101 })).toThrow("nAGQ must be a whole number from 1 to 100, not 101.");
    expect(() => fitGlmm(t, "y ~ x + (1 | g)", { family: "binomial", nAGQ: 0.5 })).toThrow("nAGQ must be a whole number from 1 to 100, not 0.5.");
    // refused before the first stage: no evaluation is spent
    let evaluations = 0;
    const counting = { onProgress: () => void evaluations++ };
    expect(() => fitGlmm(t, "y ~ x + (1 | g) + (1 | h)", { family: "binomial", nAGQ: 5, ...counting })).toThrow("nAGQ > 1");
    expect(() => fitGlmm(t, "y ~ x + (1 | g)", { family: "binomial", nAGQ: 101, ...counting })).toThrow("nAGQ must be");
    expect(evaluations).toBe(0);
  });

  for (const r of glmmAfter.ghrule) {
    it(`ghRule(${r.n}) is lme4's GHrule(${r.n})`, () => {
      const g = ghRule(r.n);
      const dz = Math.max(...r.z.map((v, i) => Math.abs(g.z[i]! - v)));
      // the weights relative to their own size, and as they enter the criterion (w_k e^{z_k²/2}, the physicists' scale)
      const dwRel = Math.max(...r.w.map((v, i) => Math.abs(g.w[i]! - v) / v));
      const dwScaled = Math.max(...r.w.map((v, i) => Math.abs(g.w[i]! - v) * Math.exp((r.z[i]! * r.z[i]!) / 2)));
      // seen at 100 points: nodes 1.1e-13, weights 8.7e-13 relative (the smallest is 3.3e-79): Golub–Welsch keeps its accuracy
      expect(dz).toBeLessThan(1e-11);
      expect(dwScaled).toBeLessThan(1e-11);
      expect(dwRel).toBeLessThan(1e-10);
    });
  }

  for (const q of glmmAfter.quadrature) {
    // seen: objective within 1e-7, fixef within 3.8e-4 SE (Contraception), se within 4e-5 relative, at 25, 50 and 100 points
    it(`${q.name} with nAGQ = ${q.nAGQ} agrees with glmer`, () => {
      const { fit } = fitFixtureModel(q, q.nAGQ);
      expect(fit.nAGQ).toBe(q.nAGQ);
      expect(Math.abs(fit.objective - q.objective)).toBeLessThan(1e-3);
      q.fixef.forEach((b, i) => expect(Math.abs(fit.fixef[i]! - b)).toBeLessThan(0.002 * q.se[i]!));
      q.se.forEach((s, i) => expect(Math.abs(fit.se[i]! - s) / s).toBeLessThan(5e-3));
      [q.theta].flat().forEach((t, i) => expect(Math.abs(fit.theta[i]! - t)).toBeLessThan(2e-3 * Math.max(Math.abs(t), 0.1)));
    }, 120_000);
  }
});
