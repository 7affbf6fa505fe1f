import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildModel } from "../model/buildModel.js";
import { fitModel } from "../fit/fit.js";
import { HlmError } from "../HlmError.js";
import { predict } from "./predict.js";
import { readCsv } from "../io/readCsv.js";
import { tableFromRows } from "../io/tableFromRows.js";
import { type Table } from "../io/Table.js";

interface Case {
  name: string;
  data: string;
  factors: string[];
  REML: boolean;
  formula: string;
  newdata: Record<string, string | number>[];
  fit: number[];
  population: number[];
  se: number[];
}
const conformance = new URL("../../test/conformance/", import.meta.url);
const cases = JSON.parse(readFileSync(new URL("../../test/fixtures/predict/predict.json", import.meta.url), "utf8")) as Case[];
const tables = new Map<string, Table>();
const table = (file: string): Table => {
  if (!tables.has(file)) tables.set(file, readCsv(readFileSync(new URL(file, conformance), "utf8")));
  return tables.get(file)!;
};
const rowsOf = (nd: Record<string, string | number>[]): Table => {
  const names = Object.keys(nd[0]!);
  return tableFromRows(names, nd.map((r) => names.map((k) => r[k])));
};
const setup = (c: Pick<Case, "data" | "formula" | "REML" | "factors">) => {
  const data = table(c.data);
  const model = buildModel(data, c.formula, { REML: c.REML, factors: c.factors });
  return { data, model, fit: fitModel(model) };
};

describe("predict on new data, as lme4's predict(allow.new.levels = TRUE)", () => {
  for (const c of cases) {
    it(`${c.name}: ${c.formula}`, () => {
      const { data, model, fit } = setup(c);
      const nd = rowsOf(c.newdata);
      const got = predict(data, model, fit, nd, { factors: c.factors });
      const close = (a: ArrayLike<number>, b: number[], tol: number) => b.forEach((v, i) => expect(Math.abs(a[i]! - v)).toBeLessThan(tol * Math.max(1, Math.abs(v))));
      close(got.fit, c.fit, 1e-6);
      close(got.population, c.population, 1e-6);
      close(got.se, c.se, 1e-4); // vcov agrees with lme4 to the optimizer's tolerance
      const pop = predict(data, model, fit, nd, { factors: c.factors, randomEffects: false });
      close(pop.fit, c.population, 1e-6);
    });
  }

  it("says which rows have levels the fit has not seen", () => {
    const c = cases.find((x) => x.name === "sleepstudy_reml")!;
    const { data, model, fit } = setup(c);
    expect(predict(data, model, fit, rowsOf(c.newdata)).newLevels).toEqual([[], [], ["Subject"], [], ["Subject"]]);
    const p = cases.find((x) => x.name === "pastes_nested")!;
    const s = setup(p);
    // cask z is unseen: batch A's effect is added, the cask:batch term counts as 0; batch Z is unseen: both count as 0
    expect(predict(s.data, s.model, s.fit, rowsOf(p.newdata), { factors: p.factors }).newLevels).toEqual([[], ["cask"], ["batch"], []]);
  });

  it("refuses new rows it cannot predict, naming the row", () => {
    const c = cases.find((x) => x.name === "hsb_factors_reml")!;
    const { data, model, fit } = setup(c);
    const err = (rows: unknown[][], firstRow = 2): HlmError => {
      try {
        predict(data, model, fit, tableFromRows(["Minority", "Sex", "SES", "Sector", "School"], rows, { firstRow }), { factors: c.factors });
      } catch (e) {
        return e as HlmError;
      }
      throw new Error("no error");
    };
    expect(err([["No", "Female", 0, "Public", "1224"], ["No", "Female", "", "Public", "1224"]]).message).toBe(
      "Row 3 of the new data has no value for 'SES'; every variable of the fixed and random effects needs one for a prediction.",
    );
    expect(err([["No", "Female", 0, "Private", "1224"]], 5).message).toBe("Row 5 of the new data has 'Private' in 'Sector', which is not a level of 'Sector' in the fitted data (Catholic, Public).");
    expect(err([["No", "Female", "high", "Public", "1224"]]).message).toBe("Row 2 of the new data has 'high' in 'SES', which must be a number.");
    expect(err([["No", "Female", "high", "Public", "1224"]]).details).toEqual({ column: "SES", row: 2 });
    const noSes = (): unknown => predict(data, model, fit, tableFromRows(["Sex"], [["Male"]]), { factors: c.factors });
    expect(noSes).toThrow("The new data have no column 'Minority', which the formula 'MathAch ~ Minority + Sex + SES * Sector + (SES | School)' uses; its columns are Sex.");
  });

  it("refuses a row whose log() is not a number; scale() keeps the fitted data's centre and scale", () => {
    const c = cases.find((x) => x.name === "nels_log_ml")!;
    const { data, model, fit } = setup(c);
    expect(() => predict(data, model, fit, tableFromRows(["flp", "ses", "school"], [[1, 0, "S001"], [-1, 0, "S001"]]))).toThrow(
      "Row 2 of the new data cannot be predicted: a variable of the formula is not a finite number there (log() of a negative number, say).",
    );
    const scaled = buildModel(data, "score ~ scale(ses) + (1 | school)", { REML: false });
    // one new row (its own SD would be undefined): the prediction is the fitted data's X β̂ at that value
    const f = fitModel(scaled);
    const { center, scale } = scaled.bases["scale(ses)"] as { center: number; scale: number };
    const p = predict(data, scaled, f, tableFromRows(["ses", "school"], [[0.5, "S001"]]), { randomEffects: false });
    expect(p.fit[0]).toBeCloseTo(f.fixef[0]! + f.fixef[1]! * ((0.5 - center) / scale), 10);
    expect(scale).toBeGreaterThan(0);
  });
});

describe("predict for a model with a residual structure (nlme's predict.lme: X β̂ + Z b̂, structure-free)", () => {
  it("agrees with nlme on new rows that lack the structure's time column", () => {
    const data = readCsv(readFileSync(new URL("../../test/conformance-nlme/Ovary.csv", import.meta.url), "utf8"));
    const options = { REML: true, factors: ["Mare"], correlation: "corCAR1(form = ~ Time)" };
    const model = buildModel(data, "follicles ~ s1 + c1 + (1 | Mare)", options);
    const fit = fitModel(model, options);
    expect(fit.residual?.correlation?.class).toBe("corCAR1");
    // no Time column: the prediction does not read the structure's covariate
    const p = predict(data, model, fit, tableFromRows(["Mare", "s1", "c1"], [[1, 0.1, 0.2], [5, -0.5, 0.7], [99, 0, 0]]), options);
    // R: m1 <- lme(follicles ~ s1 + c1, random = ~1|Mare, data = d, correlation = corCAR1(form = ~ Time))
    //    predict(m1, data.frame(Mare = c(1, 5), s1 = c(0.1, -0.5), c1 = c(0.2, 0.7)), level = 0:1)
    const fixed = [11.7148847894412, 13.0239080158074];
    const withMare = [14.6916024484029, 12.5465876746784];
    fixed.forEach((v, i) => expect(Math.abs(p.population[i]! - v)).toBeLessThan(1e-4));
    withMare.forEach((v, i) => expect(Math.abs(p.fit[i]! - v)).toBeLessThan(1e-4));
    expect(p.newLevels).toEqual([[], [], ["Mare"]]);
    expect(p.fit[2]).toBe(p.population[2]);
    expect(p.se.every((s) => s > 0 && Number.isFinite(s))).toBe(true);
  });
});
