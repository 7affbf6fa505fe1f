import { describe, expect, it } from "vitest";
import { datasetRange, loadReference } from "../../test/conformanceRange.js";
import { getFit } from "./modelCache.js";
import { predict as corePredict } from "@hlm/core";
import { rangeToTable } from "./rangeToTable.js";
import { predict } from "./worksheetFunctions.js";
import { expectClose as close } from "../../test/expectations.js";

const sleep = loadReference("sleepstudy_slopes_reml");
const sleepData = datasetRange("sleepstudy");


describe("HLM.PREDICT", () => {
  it("reproduces lme4's fitted values on the fitted rows (sleepstudy)", () => {
    const t = predict(sleepData, sleep.formula, sleepData.slice(0, 21));
    expect(t[0]).toEqual(["Prediction", "Population", "SE"]);
    expect(t.length).toBe(21);
    sleep.fitted_head.forEach((f, i) => close(t[i + 1]![0], f, 1e-3 * sleep.sigma));
    // the population prediction is β0 + β1 Days
    const b0 = sleep.fixef["(Intercept)"]!;
    const b1 = sleep.fixef.Days!;
    t.slice(1).forEach((row, i) => close(row[1], b0 + b1 * (sleepData[i + 1]![1] as number), 0.01));
  });

  it("reproduces lme4's fitted values with factors and interactions coded as in the fit (HSB)", () => {
    const ref = loadReference("hsb_factors_reml");
    const data = datasetRange("hsb");
    const t = predict(data, ref.formula, data.slice(0, 21), "REML");
    ref.fitted_head.forEach((f, i) => close(t[i + 1]![0], f, 1e-3 * ref.sigma));
  });

  it("reads the new rows' columns by name, in any order, with extra columns", () => {
    const fresh = [
      ["note", "Days", "Subject"],
      ["x", 0, 308],
      ["y", 9, "308"],
      ["z", 9, 309],
    ];
    const t = predict(sleepData, sleep.formula, fresh);
    const ranef = sleep.ranef[0]!;
    const l308 = ranef.levels.indexOf("308");
    const l309 = ranef.levels.indexOf("309");
    const b0 = sleep.fixef["(Intercept)"]!;
    const b1 = sleep.fixef.Days!;
    close(t[1]![0], b0 + ranef.values[l308]![0]!, 0.01);
    close(t[2]![0], b0 + ranef.values[l308]![0]! + 9 * (b1 + ranef.values[l308]![1]!), 0.05);
    close(t[3]![0], b0 + ranef.values[l309]![0]! + 9 * (b1 + ranef.values[l309]![1]!), 0.05);
  });

  it("gives a new or missing subject, or new data without the grouping column, the population prediction", () => {
    const t = predict(sleepData, sleep.formula, [
      ["Days", "Subject"],
      [5, 999],
      [5, ""],
      [5, "new person"],
    ]);
    const pop = sleep.fixef["(Intercept)"]! + 5 * sleep.fixef.Days!;
    for (const row of t.slice(1)) {
      close(row[0], pop, 0.01);
      expect(row[0]).toBe(row[1]);
    }
    const noGroup = predict(sleepData, sleep.formula, [["Days"], [5], [0]]);
    expect(noGroup[1]![0]).toBe(t[1]![0]);
    close(noGroup[2]![0], sleep.fixef["(Intercept)"]!, 0.01);
  });

  it("adds the BLUPs of the known factors only, in crossed and nested models", () => {
    const pen = loadReference("penicillin_crossed");
    const t = predict(datasetRange("Penicillin"), pen.formula, [
      ["plate", "sample"],
      ["a", "A"],
      ["a", "Z"],
      ["zz", "B"],
    ]);
    const plate = pen.ranef.find((r) => r.group === "plate")!;
    const sample = pen.ranef.find((r) => r.group === "sample")!;
    const mu = pen.fixef["(Intercept)"]!;
    const pa = plate.values[plate.levels.indexOf("a")]![0]!;
    close(t[1]![0], mu + pa + sample.values[sample.levels.indexOf("A")]![0]!, 0.01);
    close(t[2]![0], mu + pa, 0.01);
    close(t[3]![0], mu + sample.values[sample.levels.indexOf("B")]![0]!, 0.01);

    const pastes = loadReference("pastes_nested");
    const p = predict(datasetRange("Pastes"), pastes.formula, [
      ["batch", "cask"],
      ["A", "a"],
      ["A", "z"],
      ["Q", "a"],
    ]);
    const batch = pastes.ranef.find((r) => r.group === "batch")!;
    const cask = pastes.ranef.find((r) => r.group === "cask:batch")!;
    const m = pastes.fixef["(Intercept)"]!;
    const bA = batch.values[batch.levels.indexOf("A")]![0]!;
    close(p[1]![0], m + bA + cask.values[cask.levels.indexOf("a:A")]![0]!, 0.01);
    close(p[2]![0], m + bA, 0.01); // unseen cask within a known batch
    close(p[3]![0], m, 0.01); // unseen batch: its casks are unseen too
  });

  it("names the row of a missing value, a text in a number column or an unknown level of a fixed factor", () => {
    expect(() => predict(sleepData, sleep.formula, [["Days", "Subject"], [1, 308], ["", 308]])).toThrow(
      "Row 3 of the new data has no value for 'Days'; every variable of the fixed and random effects needs one for a prediction.",
    );
    expect(() => predict(sleepData, sleep.formula, [["Days", "Subject"], ["two", 308]])).toThrow("Row 2 of the new data has 'two' in 'Days', which must be a number.");
    expect(() => predict(sleepData, sleep.formula, [["Subject"], [308]])).toThrow(
      "The new data have no column 'Days', which the formula 'Reaction ~ Days + (Days | Subject)' uses; its columns are Subject.",
    );
    const ref = loadReference("hsb_factors_reml");
    const fresh = [
      ["Minority", "Sex", "SES", "Sector", "School"],
      ["No", "Female", 0.1, "Public", 1224],
      ["No", "Other", 0.1, "Public", 1224],
    ];
    expect(() => predict(datasetRange("hsb"), ref.formula, fresh)).toThrow(
      "Row 3 of the new data has 'Other' in 'Sex', which is not a level of 'Sex' in the fitted data (Female, Male).",
    );
    expect(() => predict(datasetRange("hsb"), ref.formula, [fresh[0]!, ["No", "", 0.1, "Public", 1224]])).toThrow("Row 2 of the new data has no value for 'Sex'");
  });

  it("names a row whose formula value is not finite; scale() predicts with the fitted data's mean and SD", () => {
    const values = [["y", "x", "g"], [1, 1, "a"], [3, 2, "a"], [4, 3, "a"], [2, 1, "b"], [2, 2, "b"], [5, 3, "b"], [3, 1, "c"], [5, 2, "c"], [6, 4, "c"]];
    const ok = predict(values, "y ~ log(x) + (1 | g)", [["x", "g"], [2, "a"]]);
    expect(typeof ok[1]![0]).toBe("number");
    expect(() => predict(values, "y ~ log(x) + (1 | g)", [["x", "g"], [2, "a"], [-1, "a"]])).toThrow(
      "Row 3 of the new data cannot be predicted: a variable of the formula is not a finite number there",
    );
    expect(() => predict(values, "y ~ log(x) + (1 | g)", [["x", "g"], [0, "a"]])).toThrow("In the new data: 'log(x)' is infinite in row 2; remove the row");
    // scale(x) is x reparametrized: one new row predicts as with x itself (its own mean and SD would be undefined)
    const scaled = predict(values, "y ~ scale(x) + (1 | g)", [["x", "g"], [2, "a"], [5, "b"]]);
    const plain = predict(values, "y ~ x + (1 | g)", [["x", "g"], [2, "a"], [5, "b"]]);
    for (const r of [1, 2]) expect(scaled[r]![0] as number).toBeCloseTo(plain[r]![0] as number, 5);
  });

  it("refuses an empty new-data range", () => {
    expect(() => predict(sleepData, sleep.formula, [["Days", "Subject"]])).toThrow("The new data range has only its header row (Days, Subject); it needs data rows below the header.");
  });
});

describe("core predict on ranges", () => {
  it("adds the offset and the weights play no part", () => {
    const values = [["y", "x", "o", "w", "g"], [1, 1, 0.5, 1, "a"], [3, 2, 0, 2, "a"], [4, 3, 1, 1, "a"], [2, 1, 0, 1, "b"], [2, 2, 0.5, 3, "b"], [5, 3, 0, 1, "b"], [3, 1, 1, 1, "c"], [5, 2, 0, 2, "c"], [6, 4, 0.5, 1, "c"]];
    const formula = "y ~ x + offset(o) + (1 | g)";
    const { model, fit } = getFit(values, formula, { weights: "w" });
    const p = corePredict(rangeToTable(values), model, fit, rangeToTable([["x", "o", "g"], [2, 10, "zz"], [2, 0, "zz"]]), { weights: "w" });
    expect(p.fit[0]! - p.fit[1]!).toBeCloseTo(10, 10);
    expect(p.population[1]).toBeCloseTo(fit.fixef[0]! + 2 * fit.fixef[1]!, 10);
    // on the fitted rows the predictions are the fitted values
    const again = corePredict(rangeToTable(values), model, fit, rangeToTable(values), { weights: "w" });
    again.fit.forEach((v, i) => expect(v).toBeCloseTo(fit.fitted[i]!, 9));
  });
});
