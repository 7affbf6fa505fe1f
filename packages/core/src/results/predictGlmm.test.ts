import { describe, expect, it } from "vitest";
import { fitFixtureModel, glmmAfter, glmmAfterDir, glmmTable } from "../../test/glmmAfterFixture.js";
import { HlmError } from "../HlmError.js";
import { predictGlmm } from "./predictGlmm.js";

/** max |got − want| / max(1, |want|). */
const maxDiff = (got: ArrayLike<number>, want: number[]): number => Math.max(...want.map((w, i) => Math.abs(got[i]! - w) / Math.max(1, Math.abs(w))));

describe("predictGlmm: lme4's predict(glmer, newdata, type, re.form, allow.new.levels = TRUE)", () => {
  for (const c of glmmAfter.models) {
    it(`${c.name}: ${c.formula} (${c.link})`, () => {
      const { table, model, fit } = fitFixtureModel(c);
      const nd = glmmTable(c.newdata, glmmAfterDir);
      const opts = { factors: c.factors, ...(c.weights ? { weights: c.weights } : {}) };
      const link = predictGlmm(table, model, fit, nd, opts);
      const response = predictGlmm(table, model, fit, nd, { ...opts, type: "response" });
      const pop = predictGlmm(table, model, fit, nd, { ...opts, type: "response", randomEffects: false });
      // the fit agrees with glmer's to ~1e-4 in β̂ and the modes: the predictions to the same order
      const diffs = [
        maxDiff(link.fit, c.predict.link),
        maxDiff(link.population, c.predict.linkPopulation),
        maxDiff(response.fit, c.predict.response),
        maxDiff(response.population, c.predict.responsePopulation),
        maxDiff(pop.fit, c.predict.responsePopulation),
      ];
      // largest seen: 5.4e-5 (Contraception's η), 1.6e-5 on the response scale (grouseticks' counts)
      for (const d of diffs) expect(d).toBeLessThan(1e-4);
      expect(link.type).toBe("link");
      expect(Array.from(response.link)).toEqual(Array.from(link.fit));
    }, 60_000);
  }

  it("gives new levels the population prediction and says which", () => {
    const c = glmmAfter.models.find((m) => m.name === "cbpp_logit")!;
    const { table, model, fit } = fitFixtureModel(c);
    const nd = glmmTable(c.newdata, glmmAfterDir);
    const p = predictGlmm(table, model, fit, nd, { factors: c.factors });
    expect(p.newLevels).toEqual([[], [], ["herd"], [], ["herd"]]);
    expect(p.fit[2]).toBe(p.population[2]);
    expect(() => predictGlmm(table, model, fit, nd, { factors: c.factors, type: "probability" as "link" })).toThrow(HlmError);
  }, 60_000);
});
