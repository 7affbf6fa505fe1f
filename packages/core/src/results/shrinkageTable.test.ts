import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { conformanceDir } from "../../test/compareReference.js";
import { buildModel } from "../model/buildModel.js";
import { fitModel } from "../fit/fit.js";
import { readCsv } from "../io/readCsv.js";
import { shrinkageTable } from "./shrinkageTable.js";

describe("shrinkageTable", () => {
  it("matches R's per-school lm() and lme4's coef() for the lecture's fit.1", () => {
    const ref = JSON.parse(readFileSync(new URL("../../test/fixtures/nels_fit1_shrinkage.json", import.meta.url), "utf8")) as {
      levels: string[];
      n: number[];
      ols: number[][];
      blup: number[][];
    };
    const model = buildModel(readCsv(readFileSync(`${conformanceDir}nels_sim.csv`, "utf8")), "score ~ ses + (ses | school)", { REML: false });
    const fit = fitModel(model, { satterthwaite: false });
    const s = shrinkageTable(model, fit);
    expect(s.group).toBe("school");
    expect(s.columns).toEqual(["(Intercept)", "ses"]);
    expect(s.levels).toEqual(ref.levels);
    expect(s.n).toEqual(ref.n);
    s.ols.forEach((row, l) => row.forEach((v, k) => expect(v).toBeCloseTo(ref.ols[l]![k]!, 8)));
    // BLUP coefficients agree to a small fraction of their spread
    s.blup.forEach((row, l) => row.forEach((v, k) => expect(Math.abs(v - ref.blup[l]![k]!)).toBeLessThan(2e-3)));
  });

  it("leaves blank what a group's own regression cannot estimate", () => {
    // group c has one row (no slope); group d has a constant x (no slope); a and b are ordinary
    const text = "y,x,g\n1,1,a\n3,2,a\n4,3,a\n2,1,b\n2,2,b\n5,3,b\n7,1,c\n3,2,d\n4,2,d\n6,2,d\n";
    const model = buildModel(readCsv(text), "y ~ x + (x | g)", { REML: true });
    const s = shrinkageTable(model, fitModel(model, { satterthwaite: false }));
    expect(s.n).toEqual([3, 3, 1, 3]);
    expect(s.ols[0]![0]).toBeCloseTo(-1 / 3, 10); // a: y = -1/3 + 1.5 x
    expect(s.ols[0]![1]).toBeCloseTo(1.5, 10);
    expect(s.ols[1]![1]).toBeCloseTo(1.5, 10);
    expect(s.ols[2]).toEqual([7, null]);
    expect(s.ols[3]![0]).toBeCloseTo(13 / 3, 10); // d: x is aliased with the intercept, which lm() makes the mean
    expect(s.ols[3]![1]).toBeNull();
    expect(s.blup.every((row) => row.every(Number.isFinite))).toBe(true);
  });

  it("names the grouping factors when asked for another", () => {
    const model = buildModel(readCsv("y,x,g\n1,1,a\n3,2,a\n2,1,b\n5,3,b\n"), "y ~ x + (1 | g)");
    expect(() => shrinkageTable(model, fitModel(model, { satterthwaite: false }), "h")).toThrow("'h' is not a grouping factor of the model; its grouping factors are g.");
  });
});
