import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildModel } from "../model/buildModel.js";
import { fitModel } from "../fit/fit.js";
import { groupInfluence } from "./groupInfluence.js";
import { readCsv } from "../io/readCsv.js";
import { selectRows } from "../io/selectRows.js";

interface Case {
  name: string;
  data: string;
  factors: string[];
  REML: boolean;
  formula: string;
  group: string;
  levels: string[];
  fixef: number[];
  fixefWithout: number[][];
  varCompNames: string[];
  varComps: number[];
  varCompsWithout: number[][];
  cooksDistance: number[];
}
const conformance = new URL("../../test/conformance/", import.meta.url);
const cases = JSON.parse(readFileSync(new URL("../../test/fixtures/influence/influence.json", import.meta.url), "utf8")) as Case[];
const near = (a: number, b: number, rel: number, abs = 0): void => expect(Math.abs(a - b)).toBeLessThanOrEqual(rel * Math.abs(b) + abs);

describe("influence of each group, as lme4's influence(m, groups)", () => {
  for (const c of cases) {
    it(`${c.name}: without each level of ${c.group}`, () => {
      const data = readCsv(readFileSync(new URL(c.data, conformance), "utf8"));
      const model = buildModel(data, c.formula, { REML: c.REML, factors: c.factors });
      const fit = fitModel(model);
      let calls = 0;
      const inf = groupInfluence(data, model, fit, c.group, { factors: c.factors, onProgress: () => void calls++ });
      expect(calls).toBe(c.levels.length);
      expect(inf.levels).toEqual(c.levels);
      expect(inf.varCompNames).toEqual(c.varCompNames);
      c.fixefWithout.forEach((row, k) => row.forEach((v, j) => near(inf.fixefWithout[k]![j]!, v, 1e-5, 1e-7)));
      // variance components of refits agree to the optimizer's tolerance (near-zero ones absolutely)
      c.varCompsWithout.forEach((row, k) => row.forEach((v, j) => near(inf.varCompsWithout[k]![j]!, v, 2e-4, 1e-4 * c.varComps[0]!)));
      c.cooksDistance.forEach((v, k) => near(inf.cooksDistance[k]!, v, 1e-3, 1e-7));
      expect(inf.converged.every(Boolean)).toBe(true);
    });
  }

  it("refuses a column that is not there or has one level, and can be cancelled", () => {
    const data = readCsv(readFileSync(new URL("Dyestuff.csv", conformance), "utf8"));
    const model = buildModel(data, "Yield ~ 1 + (1 | Batch)");
    const fit = fitModel(model);
    expect(() => groupInfluence(data, model, fit, "batch")).toThrow("The column 'batch' is not in the data; influence needs a column whose levels to leave out.");
    expect(() => groupInfluence(data, model, fit, "Batch", { onProgress: (done) => done < 2 })).toThrow("The influence refits were cancelled.");
  });
});

describe("groupInfluence with a residual structure", () => {
  it("refits with the same structure: each refit is the structured fit of the data without the level", () => {
    const data = readCsv(readFileSync(new URL("../../test/conformance-nlme/Ovary.csv", import.meta.url), "utf8"));
    const options = { REML: false, factors: ["Mare"], correlation: "corAR1()" };
    const formula = "follicles ~ s1 + c1 + (1 | Mare)";
    const model = buildModel(data, formula, options);
    const fit = fitModel(model, options);
    const inf = groupInfluence(data, model, fit, "Mare", { factors: ["Mare"] });
    expect(inf.levels).toHaveLength(11);
    expect(inf.converged.every(Boolean)).toBe(true);
    const mare = data.columns[data.names.indexOf("Mare")]!;
    const label = (i: number): string => String(mare.kind === "number" ? mare.values[i] : mare.values[i]);
    for (const [k, level] of inf.levels.entries()) {
      const rows = Array.from({ length: data.nrow }, (_, i) => i).filter((i) => label(i) !== level);
      const alone = fitModel(buildModel(selectRows(data, rows), formula, options), options);
      expect(alone.residual?.correlation?.class).toBe("corAR1");
      alone.fixef.forEach((b, j) => near(inf.fixefWithout[k]![j]!, b, 0, 1e-4 * alone.se[j]!));
      near(inf.varCompsWithout[k]![0]!, alone.sigma ** 2, 1e-4);
    }
    // without the structure the refits would differ: the structure is not dropped
    const plain = fitModel(buildModel(selectRows(data, Array.from({ length: data.nrow }, (_, i) => i).filter((i) => label(i) !== inf.levels[0])), formula, { REML: false, factors: ["Mare"] }), { REML: false });
    expect(Math.abs(plain.fixef[1]! - inf.fixefWithout[0]![1]!)).toBeGreaterThan(1e-3);
  });
});
