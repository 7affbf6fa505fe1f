import { describe, expect, it } from "vitest";
import { formatAnova, formatInfluence, formatIntervals } from "./formatInference.js";

describe("inference tables as R prints them", () => {
  it("prints lmerTest's type III table with R's p-values and stars", () => {
    const text = formatAnova([
      { term: "Days", columns: ["Days"], sumSq: 30031.02, meanSq: 30031.02, numDf: 1, denDf: 17, F: 45.853, pValue: 3.264e-6 },
      { term: "x", columns: ["x"], sumSq: 12.5, meanSq: 6.25, numDf: 2, denDf: 120.4, F: 0.4, pValue: 0.67 },
    ]);
    const lines = text.split("\n");
    expect(lines[0]).toBe("Type III Analysis of Variance Table with Satterthwaite's method");
    expect(lines[1]!.trim().split(/\s+/)).toEqual(["Sum", "Sq", "Mean", "Sq", "NumDF", "DenDF", "F", "value", "Pr(>F)"]);
    // R: format.pval(c(3.264e-6, 0.67), digits = 4) is "3.264e-06" "0.67"
    expect(lines[2]).toMatch(/^Days\s+30031\.0\s+30031\.02\s+1\s+17\.0\s+45\.853\s+3\.264e-06\s+\*\*\*$/);
    expect(lines[3]).toMatch(/^x\s+12\.5\s+6\.25\s+2\s+120\.4\s+0\.400\s+0\.67$/);
  });

  it("prints confint's table with the estimate, R's percent headers, the bootstrap's record and warnings", () => {
    const text = formatIntervals({
      method: "boot",
      level: 0.9,
      nsim: 200,
      seed: 7,
      rows: [{ parameter: "sigma", oldName: ".sigma", kind: "sigma", estimate: 25.5, lower: 22.75, upper: 29.25 }],
      warnings: ["3 of 200 bootstrap refits are singular (boundary) fits."],
    });
    expect(text).toBe(
      "Parametric bootstrap confidence intervals (90 %, 200 refits, seed 7)\n" +
        "       Estimate    5 %   95 %\n" +
        "sigma     25.50  22.75  29.25\n" +
        "Warning: 3 of 200 bootstrap refits are singular (boundary) fits.\n",
    );
  });

  it("prints NA for a coefficient a refit does not have", () => {
    const text = formatInfluence({
      group: "g",
      levels: ["a", "b"],
      fixefNames: ["(Intercept)", "x"],
      fixef: [1, 2],
      fixefWithout: [
        [1.5, 2.25],
        [0.5, null],
      ],
      varCompNames: ["sigma^2"],
      varComps: [1],
      varCompsWithout: [[1], [1]],
      cooksDistance: [0.25, null],
      converged: [true, false],
      evaluations: [10, 12],
    });
    expect(text.split("\n").slice(1, 4)).toEqual(["g  Cook's D  Δ (Intercept)   Δ x  converged", "a      0.25            0.5  0.25        yes", "b        NA           -0.5    NA         no"]);
  });
});
