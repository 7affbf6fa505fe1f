import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fitFixtureModel } from "../../test/glmmAfterFixture.js";
import { glmmProfileIntervals } from "./glmmProfileIntervals.js";

/** lme4's confint(glmer, method = "profile", oldNames = FALSE), written by test/fixtures/glmmAfter/glmmProfile.R. */
interface GlmmProfileReference {
  name: string;
  data: string;
  factors: string[];
  formula: string;
  link: "logit" | "probit" | "cloglog" | "log";
  nAGQ: number;
  parameters: string[];
  lower: number[];
  upper: number[];
  lower90: number[];
  upper90: number[];
  warnings: string[];
  lme4_confint_seconds: number;
}
const references = JSON.parse(readFileSync(new URL("../../test/fixtures/glmmAfter/glmmProfile.json", import.meta.url), "utf8")) as GlmmProfileReference[];

describe("glmmProfileIntervals: lme4's confint(glmer, method = \"profile\")", () => {
  for (const ref of references) {
    it(`${ref.name}: ${ref.formula} (${ref.link}, nAGQ ${ref.nAGQ})`, () => {
      const { model, fit } = fitFixtureModel(ref, ref.nAGQ);
      for (const [level, lower, upper] of [[0.95, ref.lower, ref.upper], [0.9, ref.lower90, ref.upper90]] as const) {
        const r = glmmProfileIntervals(model, fit, { level });
        expect(r.rows.map((x) => x.parameter)).toEqual(ref.parameters);
        expect(r.warnings).toEqual(ref.warnings);
        // lme4 reads the limits off an interpolating spline of ζ, we find ζ = ±z's roots: largest difference seen
        // 1.6e-4 (grouseticks' intercept, upper 90% limit), 5.7e-5 elsewhere (relative to max(1, |limit|))
        r.rows.forEach((row, i) => {
          expect(Math.abs(row.lower - lower[i]!) / Math.max(1, Math.abs(lower[i]!))).toBeLessThan(2e-4);
          expect(Math.abs(row.upper - upper[i]!) / Math.max(1, Math.abs(upper[i]!))).toBeLessThan(2e-4);
        });
      }
    }, 300_000);
  }

  it("profiles the parameters asked for, by either name", () => {
    const ref = references[0]!;
    const { model, fit } = fitFixtureModel(ref);
    const r = glmmProfileIntervals(model, fit, { which: [".sig01", "period4"] });
    expect(r.rows.map((x) => x.parameter)).toEqual(["sd_(Intercept)|herd", "period4"]);
    expect(() => glmmProfileIntervals(model, fit, { which: ["sigma"] })).toThrow("There is no parameter 'sigma' to profile");
  }, 60_000);
});
