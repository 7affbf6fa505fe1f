import { describe, expect, it } from "vitest";
import { fitFixtureModel, glmmAfter } from "../../test/glmmAfterFixture.js";
import { formatIntervals } from "../report/formatInference.js";
import { glmmWaldIntervals } from "./parameterIntervals.js";

describe("glmmWaldIntervals: lme4's confint(glmer, method = \"Wald\")", () => {
  for (const c of glmmAfter.models.filter((m) => ["cbpp_logit", "contra_slope", "grouseticks_poisson", "verbagg_crossed"].includes(m.name))) {
    it(`${c.name}: ${c.formula}`, () => {
      const { fit } = fitFixtureModel(c);
      for (const [level, ref] of [[0.95, c.wald95], [0.9, c.wald90]] as const) {
        const w = glmmWaldIntervals(fit, level);
        expect(w.rows.map((r) => r.oldName)).toEqual(ref.names);
        w.rows.forEach((r, i) => {
          const lo = ref.lower[i]!;
          const hi = ref.upper[i]!;
          if (lo === null || hi === null) {
            // lme4's NA rows: the variance parameters
            expect(r.kind === "sd" || r.kind === "cor").toBe(true);
            expect(Number.isNaN(r.lower) && Number.isNaN(r.upper)).toBe(true);
            return;
          }
          // largest seen: 1.2e-4 (VerbAgg), within 2e-3 of the half-width; the fit's β̂ agrees with glmer's within 0.002 SE, its SE within 5e-3 relative (the conformance tolerances)
          const half = (hi - lo) / 2;
          expect(Math.abs(r.lower - lo)).toBeLessThan(2e-3 * half);
          expect(Math.abs(r.upper - hi)).toBeLessThan(2e-3 * half);
        });
      }
    }, 60_000);
  }

  it("prints the variance parameters' limits as NA", () => {
    const c = glmmAfter.models.find((m) => m.name === "cbpp_logit")!;
    const text = formatIntervals(glmmWaldIntervals(fitFixtureModel(c).fit));
    const lines = text.split("\n");
    expect(lines.slice(0, 2)).toEqual(["Wald confidence intervals (95 %)", "                      Estimate      2.5 %     97.5 %"]);
    expect(lines[2]).toMatch(/^sd_\(Intercept\)\|herd +0\.64\d+ +NA +NA$/);
    // the intercept's row as printed, within lme4's limits' agreement: lme4 -1.851514 -0.9451717
    const [name, ...limits] = lines[3]!.trim().split(/\s+/);
    expect(name).toBe("(Intercept)");
    [-1.398343, -1.851514, -0.9451717].forEach((r, i) => expect(Math.abs(Number(limits[i]) - r)).toBeLessThan(5e-5));
  }, 60_000);
});
