import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { datasetRange } from "../../test/conformanceRange.js";
import { influence, predict } from "./worksheetFunctions.js";

// lme4's predict(m, newdata, allow.new.levels = TRUE) and re.form = NA for Reaction ~ factor(Days) + (1 | Subject), REML
// (core's test/fixtures/formulaHabits/formulaHabits.R): Days 0, 3, 9 of subject 308, then of a new subject 999
const habits = JSON.parse(readFileSync(new URL("../../../../packages/core/test/fixtures/formulaHabits/formulaHabits.json", import.meta.url), "utf8")) as {
  models: { name: string; newdata: { Days: number; Subject: string }[]; conditional: number[]; population: number[] }[];
};
const sleepData = datasetRange("sleepstudy");

describe("HLM.PREDICT and HLM.INFLUENCE with R's formula habits", () => {
  it("predicts factor(Days) as lme4 does, and refuses a Days the fit has not seen", () => {
    const ref = habits.models.find((m) => m.name === "factor_days")!;
    const fresh = [["Days", "Subject"], ...ref.newdata.map((r) => [r.Days, r.Subject])];
    const t = predict(sleepData, "Reaction ~ factor(Days) + (1 | Subject)", fresh);
    expect(t[0]).toEqual(["Prediction", "Population", "SE"]);
    t.slice(1).forEach((row, i) => {
      expect(Math.abs((row[0] as number) - ref.conditional[i]!)).toBeLessThan(1e-4);
      expect(Math.abs((row[1] as number) - ref.population[i]!)).toBeLessThan(1e-6);
    });
    expect(() => predict(sleepData, "Reaction ~ factor(Days) + (1 | Subject)", [["Days", "Subject"], [11, 308]])).toThrow("gives 'factor(Days)' the level '11', which it does not have in the fitted data");
  });

  it("leaves out each level of Subject for (1 | factor(Subject)) by default", () => {
    const t = influence(sleepData, "Reaction ~ Days + (1 | factor(Subject))");
    expect(t[0]![0]).toBe("Subject");
    expect(t.length).toBe(19);
  });
});
