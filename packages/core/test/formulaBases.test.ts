/**
 * poly(), ns(), bs() and scale() in formulas against lme4 (the references in conformance-formula/,
 * fitted by lme4-reference.R there): the fit (fixef names as R gives them, values, logLik and the
 * rest of the conformance comparison), the new rows' fixed-effects matrix (R's model matrix of the
 * new rows, built with the training data's bases), and predict(m, newdata, allow.new.levels = TRUE)
 * and re.form = NA. Also: the bases are computed on all rows of the data (rows with a missing
 * response included) as R's model.frame does, and the errors a user can meet.
 */
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { fit, fitModel } from "../src/fit/fit.js";
import { makeFit } from "../src/fit/makeFit.js";
import { HlmError } from "../src/HlmError.js";
import { anovaTypeIII } from "../src/inference/anovaTypeIII.js";
import { readCsv } from "../src/io/readCsv.js";
import type { Column, Table } from "../src/io/Table.js";
import { selectRows } from "../src/io/selectRows.js";
import { buildModel } from "../src/model/buildModel.js";
import type { Model } from "../src/model/Model.js";
import { makeObjective } from "../src/objective/makeObjective.js";
import { fitToJson } from "../src/report/fitToJson.js";
import { predict } from "../src/results/predict.js";
import { compareWithReference, type Reference } from "./compareReference.js";

const dir = fileURLToPath(new URL("./conformance-formula/", import.meta.url));

interface FormulaReference extends Reference {
  predictions?: {
    newdata: string;
    conditional: (number | null)[];
    population: (number | null)[];
    x_fixed?: (number | null)[][];
    basis_messages?: string[];
  };
}

const BASES = /\b(poly|ns|bs|scale)\(/;
const references: FormulaReference[] = readdirSync(dir)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => JSON.parse(readFileSync(dir + f, "utf8")) as FormulaReference)
  .filter((r) => BASES.test(r.formula));

const tables = new Map<string, Table>();
const csv = (file: string): Table => {
  if (!tables.has(file)) tables.set(file, readCsv(readFileSync(dir + file, "utf8")));
  return tables.get(file)!;
};

/** The largest relative difference |a − b| / |b| over the rows R predicts (its NA rows left out). */
function maxRelative(got: ArrayLike<number>, want: (number | null)[], rows: number[]): number {
  return Math.max(...rows.map((r, k) => Math.abs(got[k]! - want[r]!) / Math.abs(want[r]!)));
}

/** The fit at lme4's θ (the same model, no optimization): predictions then depend on the bases alone, not on where two optimizers stopped. */
function fitAtTheta(model: Model, theta: number[]) {
  const objective = makeObjective(model);
  return makeFit(model, objective, { optimizer: "bobyqa", thetaInitial: theta, theta, fmin: objective.evaluate(theta), evaluations: 1, status: "at lme4's θ", movedToBoundary: false, warnings: [] });
}

/**
 * The fixed-effects matrix of the new rows, as row vectors: the model rebuilt on the training rows
 * followed by the new ones (a stand-in response there), with the training data's bases, as predict does.
 */
function newRowsX(data: Table, model: Model, newdata: Table, factors: readonly string[]): number[][] {
  const nTrain = data.nrow;
  const m = newdata.nrow;
  const columns = data.columns.map((col): Column => {
    const fresh = newdata.columns.find((c) => c.name === col.name);
    if (col.kind === "number") {
      const values = new Float64Array(nTrain + m);
      const missing = new Uint8Array(nTrain + m);
      values.set(col.values.subarray(0, nTrain));
      missing.set(col.missing.subarray(0, nTrain));
      for (let r = 0; r < m; r++) {
        if (col.name === model.responseName) values[nTrain + r] = 1;
        else if (fresh?.kind === "number" && !fresh.missing[r]) values[nTrain + r] = fresh.values[r]!;
        else missing[nTrain + r] = 1;
      }
      return { kind: "number", name: col.name, values, missing };
    }
    const extra = Array.from({ length: m }, (_, r) => (fresh === undefined ? null : fresh.kind === "string" ? (fresh.values[r] ?? null) : fresh.missing[r] ? null : String(fresh.values[r])));
    return { kind: "string", name: col.name, values: [...col.values.slice(0, nTrain), ...extra] };
  });
  const all = buildModel({ names: data.names, columns, nrow: nTrain + m }, model.formula, { factors, bases: model.bases });
  expect(all.n).toBe(model.n + m);
  return Array.from({ length: m }, (_, r) => model.xNames.map((name) => all.X[all.xNames.indexOf(name) * all.n + model.n + r]!));
}

describe("poly(), ns(), bs() and scale() agree with lme4", () => {
  it("finds the references with bases", () => {
    expect(references.length).toBeGreaterThanOrEqual(18);
  });

  for (const ref of references) {
    describe(`${ref.name}: ${ref.formula}`, () => {
      const data = csv(`${ref.dataset}.csv`);
      const options = { REML: ref.REML, factors: ref.factors };
      const model = buildModel(data, ref.formula, options);
      const result = fitModel(model, options);

      it("fits as lme4: fixef names and values, logLik, variance components", () => {
        expect(result.fixefNames).toEqual(Object.keys(ref.fixef));
        expect(compareWithReference(fitToJson(result, { dataset: ref.dataset, factors: ref.factors }), ref)).toEqual([]);
        expect(Math.abs(result.logLik - ref.logLik)).toBeLessThan(1e-6);
      });

      const p = ref.predictions;
      if (!p) return;
      const newdata = csv(p.newdata);
      // rows R predicts; a row it gives NA for (a missing x) is an error here, naming the row
      const rows = p.conditional.flatMap((v, r) => (v === null ? [] : [r]));
      const complete = rows.length === newdata.nrow ? newdata : selectRows(newdata, Int32Array.from(rows));

      if (rows.length < newdata.nrow) {
        it("refuses a new row without a value, naming it", () => {
          const bad = (newdata.firstRow ?? 1) + p.conditional.indexOf(null);
          expect(() => predict(data, model, result, newdata, options)).toThrow(new RegExp(`^Row ${bad} of the new data has no value for`));
        });
      }

      if (p.x_fixed) {
        it("builds the new rows' fixed-effects matrix with the training data's bases, as R's model matrix", () => {
          const X = newRowsX(data, model, complete, ref.factors);
          const want = rows.map((r) => p.x_fixed![r]!);
          const bad = X.flatMap((row, k) => row.flatMap((v, j) => (Math.abs(v - want[k]![j]!) <= 1e-9 * Math.max(1, Math.abs(want[k]![j]!)) ? [] : [`row ${rows[k]! + 1} ${model.xNames[j]}: ${v} vs R ${want[k]![j]}`])));
          expect(bad).toEqual([]);
        });
      }

      it("predicts new rows as R's predict(m, newdata, allow.new.levels = TRUE) and re.form = NA", () => {
        // at lme4's θ: the bases alone decide, within 1e-6 relative
        const atTheta = fitAtTheta(model, ref.theta);
        const cond = predict(data, model, atTheta, complete, options);
        const pop = predict(data, model, atTheta, complete, { ...options, randomEffects: false });
        expect(maxRelative(cond.fit, p.conditional, rows)).toBeLessThan(1e-6);
        expect(maxRelative(pop.fit, p.population, rows)).toBeLessThan(1e-6);
        // this engine's own optimum: the flat likelihoods of 3 × 3 random-effect covariances move BLUPs by a few 1e-6
        expect(maxRelative(predict(data, model, result, complete, options).fit, p.conditional, rows)).toBeLessThan(1e-5);
        // R warns when bs() is evaluated beyond its boundary knots; so does this
        const rWarns = (p.basis_messages ?? []).some((m) => m.includes("beyond boundary knots"));
        expect(cond.warnings.length > 0).toBe(rWarns);
      });
    });
  }
});

describe("bases on the rows R uses", () => {
  const data = csv("sleepstudy_na.csv");

  it("are computed on every row with the argument present, missing responses included (poly's coefficients, ns's knots, scale's centre)", () => {
    const m = buildModel(data, "Reaction ~ poly(Days, 2) + ns(Days_na, df = 4) + scale(Days_na) + (1 | Subject)");
    expect(m.n).toBeLessThan(data.nrow); // rows are dropped after the bases are made
    // R: attr(poly(sleepstudy_na$Days, 2), "coefs") on all 180 rows; quantile(Days_na, 1:3/4, na.rm = TRUE); mean and sd
    expect(m.bases["poly(Days, 2)"]).toEqual({ fn: "poly", degree: 2, raw: false, alpha: [expect.closeTo(4.5, 12), expect.closeTo(4.5, 12)], norm2: [1, 180, expect.closeTo(1485, 9), expect.closeTo(9504, 8)] });
    const days = data.columns.find((c) => c.name === "Days_na")!;
    const present = [...days.values].filter((_, i) => days.kind === "number" && !days.missing[i]) as number[];
    expect(present.length).toBe(175);
    const mean = present.reduce((s, v) => s + v, 0) / present.length;
    const sd = Math.sqrt(present.reduce((s, v) => s + (v - mean) ** 2, 0) / (present.length - 1));
    expect(m.bases["scale(Days_na)"]).toEqual({ fn: "scale", center: expect.closeTo(mean, 12), scale: expect.closeTo(sd, 12) });
    expect(m.bases["ns(Days_na, df = 4)"]).toMatchObject({ fn: "ns", knots: [2, 5, 7], boundary: [0, 9], intercept: false });
  });

  it("poly() refuses a missing value of its argument, naming the row (R: 'missing values are not allowed in poly')", () => {
    try {
      buildModel(data, "Reaction ~ poly(Days_na, 2) + (1 | Subject)");
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(HlmError);
      expect((e as HlmError).code).toBe("DATA");
      expect((e as HlmError).message).toBe(
        "'poly(Days_na, 2)' (formula position 12) cannot be computed because 'Days_na' has no value in row 93 and R's poly() takes no missing values: leave out the rows without it, or use poly(…, raw = TRUE).",
      );
      expect((e as HlmError).details?.row).toBe(93); // the file's line: the header is line 1
    }
    // raw powers take missing values as R's poly(x, 2, raw = TRUE) does: those rows are dropped
    expect(buildModel(data, "Reaction ~ poly(Days_na, 2, raw = TRUE) + (1 | Subject)").xNames).toEqual(["(Intercept)", "poly(Days_na, 2, raw = TRUE)1", "poly(Days_na, 2, raw = TRUE)2"]);
  });
});

describe("matrix-valued variables in the model matrix", () => {
  const data = csv("sleepstudy_g.csv");

  it("names columns as R: suffixes 1, 2, …; a one-column basis without one; interactions with the first variable fastest", () => {
    // R: colnames(model.matrix(~ ns(Days), sleepstudy_g)), colnames(model.matrix(~ g:poly(Days, 2), sleepstudy_g))
    expect(buildModel(data, "Reaction ~ ns(Days) + (1 | Subject)").xNames).toEqual(["(Intercept)", "ns(Days)"]);
    expect(buildModel(data, "Reaction ~ g:poly(Days, 2) + (1 | Subject)").xNames).toEqual([
      "(Intercept)",
      "gHigh:poly(Days, 2)1",
      "glow:poly(Days, 2)1",
      "gmid:poly(Days, 2)1",
      "gHigh:poly(Days, 2)2",
      "glow:poly(Days, 2)2",
      "gmid:poly(Days, 2)2",
    ]);
  });

  it("gives lmerTest's type III anova of poly(Days, 2) * g", () => {
    const model = buildModel(data, "Reaction ~ poly(Days, 2) * g + (1 | Subject)");
    const rows = anovaTypeIII(model, fitModel(model));
    // R: anova(lmerTest::lmer(Reaction ~ poly(Days, 2) * g + (1 | Subject), sleepstudy_g))
    expect(rows.map((r) => [r.term, r.numDf])).toEqual([
      ["poly(Days, 2)", 2],
      ["g", 2],
      ["poly(Days, 2):g", 4],
    ]);
    const F = [88.9070658315, 1.46507061702, 2.67742378692];
    const denDf = [156.000000068, 14.9999998059, 156.000000068];
    rows.forEach((r, i) => {
      expect(Math.abs(r.F - F[i]!) / F[i]!).toBeLessThan(1e-5);
      expect(Math.abs(r.denDf - denDf[i]!) / denDf[i]!).toBeLessThan(1e-4);
    });
  });

  it("predicts with scale()'s training centre and scale, not the new rows' (one new row is enough)", () => {
    const sleep = csv("sleepstudy.csv");
    const model = buildModel(sleep, "Reaction ~ scale(Days) + (1 | Subject)", { REML: false });
    const f = fitModel(model, { REML: false });
    const one = selectRows(csv("newdata_sleepstudy.csv"), Int32Array.from([3]));
    const p = predict(sleep, model, f, one, { randomEffects: false });
    const basis = model.bases["scale(Days)"]!;
    expect(basis).toEqual({ fn: "scale", center: 4.5, scale: expect.closeTo(2.88029328116, 10) }); // R: attributes(scale(sleepstudy$Days))
    // R: predict(lmer(Reaction ~ scale(Days) + (1 | Subject), sleepstudy, REML = FALSE), data.frame(Days = 2), re.form = NA)
    expect(p.fit[0]).toBeCloseTo(f.fixef[0]! + f.fixef[1]! * ((2 - 4.5) / (basis as { scale: number }).scale), 10);
    expect(p.fit[0]).toBeCloseTo(272.339676768, 5);
  });
});

describe("errors in basis calls: one sentence naming the formula position", () => {
  const data = csv("sleepstudy.csv");
  const cases: [string, string][] = [
    ["Reaction ~ log(poly(Days, 2)) + (1 | Subject)", "poly() gives several columns, so it can be a term or part of an interaction but not inside another function or arithmetic ('Reaction ~ log(poly(Days, 2)) + (1 | Subject)', position 16)."],
    ["Reaction ~ poly(Days, 10) + (1 | Subject)", "'poly(Days, 10)' (formula position 12) needs more distinct values of 'Days' than its degree 10, but there are 10."],
    ["Reaction ~ poly(Days, 0) + (1 | Subject)", "The argument 'degree' of 'poly(Days, 0)' must be a whole number of at least 1 ('Reaction ~ poly(Days, 0) + (1 | Subject)', position 12)."],
    ["Reaction ~ poly(Days, 2, Subject) + (1 | Subject)", "poly() of several variables (R's polym()) is not supported; give raw = TRUE by name ('Reaction ~ poly(Days, 2, Subject) + (1 | Subject)', position 12)."],
    ["Reaction ~ ns(Days, df = Days) + (1 | Subject)", "The argument 'df' of 'ns(Days, df = Days)' must be a whole number of at least 1 ('Reaction ~ ns(Days, df = Days) + (1 | Subject)', position 12)."],
    ["Reaction ~ ns(Days, knots = c(3, 12)) + (1 | Subject)", "The argument 'knots' of 'ns(Days, knots = c(3, 12))' has the knot 12 outside the boundary knots 0 and 9 ('Reaction ~ ns(Days, knots = c(3, 12)) + (1 | Subject)', position 12)."],
    ["Reaction ~ bs(Days, df = 2) + (1 | Subject)", "The argument 'df' of 'bs(Days, df = 2)' must be a whole number of at least 3 ('Reaction ~ bs(Days, df = 2) + (1 | Subject)', position 12)."],
    ["Reaction ~ bs(Days, degrees = 2) + (1 | Subject)", "The argument 'degrees' of bs() is not one this program reads; it reads x, df, knots, degree, intercept, Boundary.knots ('Reaction ~ bs(Days, degrees = 2) + (1 | Subject)', position 12)."],
    ["Reaction ~ ns(Days, intercept = 1) + (1 | Subject)", "The argument 'intercept' of 'ns(Days, intercept = 1)' must be TRUE or FALSE ('Reaction ~ ns(Days, intercept = 1) + (1 | Subject)', position 12)."],
    ["Reaction ~ scale(Days * 0) + (1 | Subject)", "'scale(Days * 0)' (formula position 12) divides by 0: 'Days * 0' is the same in every row."],
  ];
  for (const [formula, message] of cases) {
    it(formula, () => {
      try {
        fit(data, formula);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(HlmError);
        expect((e as HlmError).message).toBe(message);
        expect((e as HlmError).details?.position).toBeGreaterThan(0);
      }
    });
  }
});
