/**
 * R's formula habits other than bases, against lme4: factor(), as.factor(), ordered() (contr.poly),
 * relevel(), interaction(), as.numeric(), sin/cos/tan/exp, pmin/pmax, round() (halves to even), %in%,
 * '-' to drop a term, and grouping by an expression ((1 | factor(Subject)), (1 | interaction(Subject,
 * g2))). Two sources of lme4's numbers:
 * - conformance-formula/ (lme4-reference.R there): the fits, and predict() where R can make it;
 * - fixtures/formulaHabits/formulaHabits.json (formulaHabits.R there): more fits, and R's
 *   predict(m, newdata, allow.new.levels = TRUE) and re.form = NA for the categorical models, on
 *   Days 0, 3, 9 of subject 308 (in the data) and 999 (new).
 * Then what R cannot do or refuses: a new level of factor(Days), new levels of grouping expressions.
 */
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { fit, fitModel } from "../src/fit/fit.js";
import { HlmError } from "../src/HlmError.js";
import { readCsv } from "../src/io/readCsv.js";
import { tableFromRows } from "../src/io/tableFromRows.js";
import type { Table } from "../src/io/Table.js";
import { buildModel } from "../src/model/buildModel.js";
import { anovaTypeIII } from "../src/inference/anovaTypeIII.js";
import { fitToJson } from "../src/report/fitToJson.js";
import { predict } from "../src/results/predict.js";
import { compareWithReference, type Reference } from "./compareReference.js";

const dir = fileURLToPath(new URL("./conformance-formula/", import.meta.url));
const tables = new Map<string, Table>();
const csv = (file: string): Table => {
  if (!tables.has(file)) tables.set(file, readCsv(readFileSync(dir + file, "utf8")));
  return tables.get(file)!;
};
const FACTORS: Record<string, string[]> = { sleepstudy: ["Subject"], sleepstudy_g: ["Subject", "g", "g2"] };
const thrown = (run: () => unknown): HlmError => {
  try {
    run();
  } catch (e) {
    if (e instanceof HlmError) return e;
    throw e;
  }
  throw new Error("expected an error, got none");
};
const maxDiff = (a: ArrayLike<number>, b: readonly number[]): number => Math.max(...b.map((v, i) => Math.abs(a[i]! - v)));

interface FormulaReference extends Reference {
  predictions?: { newdata: string; conditional: number[]; population: number[] };
}

describe("lme4's references in conformance-formula: the constructs other than bases", () => {
  // every reference without poly/ns/bs/scale, by name: a missing one fails here
  const names = [
    "I_square_reml", "as_factor_days_ml", "as_numeric_days_reml", "cos_exp_reml", "drop_term_reml", "factor_days_no_intercept_reml",
    "factor_days_reml", "factor_dose_reml", "factor_grouping_reml", "in_g_ml", "in_subject_ml", "interaction_grouping_reml",
    "ordered_days_ml", "ordered_dose_ml", "plain_days_ml", "pmax_ml", "pmin_reml", "relevel_days_reml", "relevel_text_ml",
    "round_half_ml", "round_third_reml", "sin_days_ml", "tan_ml",
  ];
  it("has them all, and no other reference without a basis", () => {
    const all = readdirSync(dir).filter((f) => f.endsWith(".json")).map((f) => f.replace(/\.json$/, ""));
    const withoutBases = all.filter((n) => !/\b(poly|ns|bs|scale)\(/.test((JSON.parse(readFileSync(`${dir}${n}.json`, "utf8")) as Reference).formula));
    expect(withoutBases.sort()).toEqual([...names].sort());
  });
  for (const name of names) {
    const ref = JSON.parse(readFileSync(`${dir}${name}.json`, "utf8")) as FormulaReference;
    it(`${name}: ${ref.formula} (${ref.REML ? "REML" : "ML"})`, () => {
      const data = csv(`${ref.dataset}.csv`);
      const model = buildModel(data, ref.formula, { REML: ref.REML, factors: ref.factors });
      const result = fitModel(model);
      // fixef names and values, logLik, varcorr and ranef (group names such as factor(Subject)), … as conformance.test.ts
      expect(compareWithReference(fitToJson(result, { dataset: ref.dataset, factors: ref.factors }), ref)).toEqual([]);
      expect(result.fixefNames).toEqual(Object.keys(ref.fixef));
      expect(Math.abs(result.logLik - ref.logLik)).toBeLessThan(1e-6);
      if (ref.predictions) {
        const p = predict(data, model, result, csv(ref.predictions.newdata), { factors: ref.factors });
        expect(maxDiff(p.population, ref.predictions.population)).toBeLessThan(1e-6);
        expect(maxDiff(p.fit, ref.predictions.conditional)).toBeLessThan(1e-3 * ref.sigma); // the BLUPs to the optimizers' agreement on θ
      }
    });
  }
});

interface HabitModel {
  name: string;
  data: "sleepstudy" | "sleepstudy_g";
  formula: string;
  r_formula?: string;
  REML: boolean;
  fixef: Record<string, number>;
  logLik: number;
  newdata: Record<string, string | number>[];
  conditional?: number[];
  population?: number[];
  predict_error?: string;
}
const habits = (JSON.parse(readFileSync(new URL("./fixtures/formulaHabits/formulaHabits.json", import.meta.url), "utf8")) as { models: HabitModel[] }).models;
const rows = (nd: Record<string, string | number>[]): Table => {
  const cols = Object.keys(nd[0]!);
  return tableFromRows(cols, nd.map((r) => cols.map((c) => r[c])));
};
const habit = (name: string): HabitModel => habits.find((m) => m.name === name)!;
const setup = (m: HabitModel) => {
  const data = csv(`${m.data}.csv`);
  const model = buildModel(data, m.formula, { REML: m.REML, factors: FACTORS[m.data] });
  return { data, model, fit: fitModel(model) };
};

describe("lme4's fits and predictions in fixtures/formulaHabits (formulaHabits.R)", () => {
  it("has the 16 models", () => expect(habits.map((m) => m.name)).toHaveLength(16));
  for (const m of habits) {
    it(`${m.name}: ${m.formula}`, () => {
      const { data, model, fit } = setup(m);
      expect(fit.fixefNames).toEqual(Object.keys(m.fixef));
      fit.fixefNames.forEach((nm, i) => expect(Math.abs(fit.fixef[i]! - m.fixef[nm]!)).toBeLessThan(1e-6 * Math.max(1, Math.abs(m.fixef[nm]!))));
      expect(Math.abs(fit.logLik - m.logLik)).toBeLessThan(1e-6);
      const p = predict(data, model, fit, rows(m.newdata), { factors: FACTORS[m.data] });
      // R's numbers, or for relevel by position (which R's predict() cannot evaluate on the new rows) those of the same model by name
      const r = m.predict_error ? habit("relevel_days") : m;
      expect(maxDiff(p.population, r.population!)).toBeLessThan(1e-6);
      expect(maxDiff(p.fit, r.conditional!)).toBeLessThan(1e-4);
      // subject 999 is new: its random effects count as 0
      expect(p.newLevels).toEqual([[], [], [], ["Subject"], ["Subject"], ["Subject"]]);
      expect(Array.from(p.fit.slice(3))).toEqual(Array.from(p.population.slice(3)));
    });
  }
  it("R's predict() stops on relevel(factor(Days), ref = 4) for new rows; here the training levels are used", () => {
    expect(habit("relevel_position").predict_error).toContain("ref = 4 must be in 1L:3");
  });
});

describe("predictions for categorical expressions and grouping expressions", () => {
  const sleep = (): Table => csv("sleepstudy.csv");
  const g = (): Table => csv("sleepstudy_g.csv");

  it("refuses a level of factor(Days) the fit has not seen, naming the row (R: factor factor(Days) has new level 10)", () => {
    const { data, model, fit } = setup(habit("factor_days"));
    const e = thrown(() => predict(data, model, fit, rows([{ Days: 3, Subject: "308" }, { Days: 10, Subject: "308" }]), { factors: ["Subject"] }));
    expect(e.code).toBe("DATA");
    expect(e.message).toBe("Row 2 of the new data gives 'factor(Days)' the level '10', which it does not have in the fitted data (0, 1, 2, 3, 4, 5, 6, 7, 8, 9).");
    expect(e.details?.row).toBe(2);
    // a level of relevel(g, ref = "mid") that g does not have, and ordered(Dose) at a dose not fitted
    const t = setup(habit("relevel_text"));
    expect(thrown(() => predict(t.data, t.model, t.fit, rows([{ Days: 1, Subject: "308", g: "top" }]), { factors: FACTORS.sleepstudy_g })).message).toBe(
      "Row 1 of the new data gives 'relevel(g, ref = \"mid\")' the level 'top', which it does not have in the fitted data (mid, High, low).",
    );
    const o = setup(habit("ordered_dose"));
    expect(thrown(() => predict(o.data, o.model, o.fit, rows([{ Days: 1, Subject: "308", Dose: 15 }]), { factors: FACTORS.sleepstudy_g })).message).toContain("gives 'ordered(Dose)' the level '15'");
  });

  it("(1 | factor(Subject)) predicts as (1 | Subject), a new subject at the population level", () => {
    const a = setup(habit("factor_grouping"));
    const plain = buildModel(sleep(), "Reaction ~ Days + (1 | Subject)", { factors: ["Subject"] });
    const plainFit = fitModel(plain);
    const nd = rows([{ Days: 2, Subject: "309" }, { Days: 2, Subject: "1000" }]);
    const p = predict(a.data, a.model, a.fit, nd, { factors: ["Subject"] });
    const q = predict(sleep(), plain, plainFit, nd, { factors: ["Subject"] });
    expect(maxDiff(p.fit, Array.from(q.fit))).toBeLessThan(1e-8);
    expect(p.newLevels).toEqual([[], ["Subject"]]);
    expect(p.fit[1]).toBe(p.population[1]);
    expect(a.fit.varcorr.map((v) => v.group)).toEqual(["factor(Subject)"]);
  });

  it("(1 | interaction(Subject, g2)): an unseen combination of seen labels and an unseen label both count as 0 (lme4: 'has new levels 999.odd' even with allow.new.levels)", () => {
    const { data, model, fit } = setup(habit("interaction_grouping"));
    const nd = rows([
      { Days: 2, Subject: "309", g2: "even" },
      { Days: 3, Subject: "309", g2: "other" },
      { Days: 3, Subject: "999", g2: "odd" },
    ]);
    const p = predict(data, model, fit, nd, { factors: FACTORS.sleepstudy_g });
    const ranef = fit.ranef.find((r) => r.group === "interaction(Subject, g2)")!;
    const b = ranef.values[ranef.levels.indexOf("309.even")]![0]!;
    expect(Math.abs(p.fit[0]! - p.population[0]! - b)).toBeLessThan(1e-10);
    expect(p.fit[1]).toBe(p.population[1]);
    expect(p.fit[2]).toBe(p.population[2]);
    expect(p.newLevels).toEqual([[], ["g2"], ["Subject"]]);
  });

  it("interaction()'s levels vary the first factor fastest, labelled with '.', as R's interaction()", () => {
    const { fit } = setup(habit("interaction_grouping"));
    const levels = fit.ranef.find((r) => r.group === "interaction(Subject, g2)")!.levels;
    expect(levels.slice(0, 3)).toEqual(["308.even", "309.even", "310.even"]);
    expect(levels[18]).toBe("308.odd");
    expect(levels).toHaveLength(36);
  });

  it("(1 | Subject:g2) and (1 | Subject/g2) keep working: the first is the same model as (1 | interaction(Subject, g2)), the second has lme4's names", () => {
    const colon = fit(g(), "Reaction ~ Days + (1 | Subject:g2)", { factors: FACTORS.sleepstudy_g });
    const inter = setup(habit("interaction_grouping")).fit;
    expect(Math.abs(colon.logLik - inter.logLik)).toBeLessThan(1e-8);
    expect(colon.varcorr.map((v) => v.group)).toEqual(["Subject:g2"]);
    const nested = fit(g(), "Reaction ~ Days + (1 | Subject/g2)", { factors: FACTORS.sleepstudy_g });
    const spelled = fit(g(), "Reaction ~ Days + (1 | Subject) + (1 | g2:Subject)", { factors: FACTORS.sleepstudy_g });
    expect(nested.varcorr.map((v) => v.group)).toEqual(["g2:Subject", "Subject"]);
    expect(Math.abs(nested.logLik - spelled.logLik)).toBeLessThan(1e-8);
    const nestedFactor = fit(g(), "Reaction ~ Days + (1 | factor(Subject)/g2)", { factors: FACTORS.sleepstudy_g });
    expect(nestedFactor.varcorr.map((v) => v.group)).toEqual(["g2:factor(Subject)", "factor(Subject)"]);
    expect(Math.abs(nestedFactor.logLik - nested.logLik)).toBeLessThan(1e-8);
  });
});

describe("'-' and %in% on a text column, as R's terms()", () => {
  it("Days * g - Days is drop_term_reml's model (R: terms g, Days:g; g's three levels coded in Days:g)", () => {
    const ref = JSON.parse(readFileSync(`${dir}drop_term_reml.json`, "utf8")) as Reference;
    const got = fit(csv("sleepstudy_g.csv"), "Reaction ~ Days * g - Days + (1 | Subject)", { factors: FACTORS.sleepstudy_g });
    expect(got.fixefNames).toEqual(["(Intercept)", "glow", "gmid", "Days:gHigh", "Days:glow", "Days:gmid"]);
    expect(Math.abs(got.logLik - ref.logLik)).toBeLessThan(1e-6);
    expect(got.fixef.map((b, i) => Math.abs(b - Object.values(ref.fixef)[i]!)).every((d) => d < 1e-6)).toBe(true);
  });
});

describe("errors name the formula position", () => {
  const g = (): Table => csv("sleepstudy_g.csv");
  it.each([
    ['Reaction ~ Days + relevel(g, ref = "top") + (1 | Subject)', "relevel(): 'top' is not a level of g (its levels are High, low, mid)", 36],
    ['Reaction ~ relevel(Days, ref = "3") + (1 | Subject)', "relevel() needs a factor, as in R, and 'Days' is numeric; write relevel(factor(Days), ref = …)", 20],
    ["Reaction ~ as.numeric(factor(Days)) + (1 | Subject)", "as.numeric() of the factor 'factor(Days)' gives its level codes 1, 2, … in R, not its values, so it is refused", 12, "; use the numeric column itself"],
    ["Reaction ~ log(factor(Dose)) + (1 | Subject)", "'factor(Dose)' is categorical and cannot be used in arithmetic", 16],
    ["Reaction ~ factor(Days, Dose) + (1 | Subject)", "factor() takes one argument, the column or expression to make categorical", 12],
    ["Reaction ~ Days + (1 | interaction(Subject, g2, sep = 1))", 'interaction(): sep must be a text in quotes, as in sep = "_"', 55],
  ])("%s", (formula, what, position, after = "") => {
    const e = thrown(() => fit(g(), formula, { factors: FACTORS.sleepstudy_g }));
    expect(e.code).toBe("FORMULA");
    expect(e.message).toBe(`${what} ('${formula}', position ${position})${after}.`);
    expect(e.details?.position).toBe(position);
  });
  it("says which function was meant", () => {
    expect(thrown(() => fit(g(), "Reaction ~ Factor(Days) + (1 | Subject)", { factors: FACTORS.sleepstudy_g })).message).toContain("(did you mean 'factor()'?)");
    expect(thrown(() => fit(g(), "Reaction ~ Days + (1 | As.factor(Subject))", { factors: FACTORS.sleepstudy_g })).message).toContain("(did you mean 'as.factor(Subject)'?)");
  });
});

describe("type III anova with an ordered factor (contr.poly), as lmerTest", () => {
  // R 4.2.2, lmerTest 3.1-3, sleepstudy_g.csv read with Subject, g, g2 as factors (REML):
  //   a <- anova(lmer(<formula>, data = d)); sprintf("%d, %.10g, %.10g, %.6g", a$NumDF, a$DenDF, a[["F value"]], a[["Pr(>F)"]])
  // lmerTest computes the contrasts in treatment coding and maps them to contr.poly: the F tests are factor()'s
  const cases: [formula: string, rows: [term: string, numDf: number, denDf: number, F: number, p: number][]][] = [
    [
      "Reaction ~ ordered(Dose) * Days + (Days | Subject)",
      [
        ["ordered(Dose)", 2, 15.00050384, 0.04305536389, 0.957976],
        ["Days", 1, 15.00442703, 43.75584051, 8.21162e-6],
        ["ordered(Dose):Days", 2, 15.00442684, 0.6096266008, 0.556481],
      ],
    ],
    [
      "Reaction ~ ordered(Dose) + Days + (1 | Subject)",
      [
        ["ordered(Dose)", 2, 14.99999949, 0.5531874617, 0.586409],
        ["Days", 1, 161.0000002, 169.4013616, 6.4126e-27],
      ],
    ],
    [
      "Reaction ~ ordered(Dose) * g2 + (1 | Subject)",
      [
        ["ordered(Dose)", 2, 14.99999975, 0.553187468, 0.586409],
        ["g2", 1, 159.0000001, 4.071706232, 0.0452889],
        ["ordered(Dose):g2", 2, 159.0000001, 0.5187122668, 0.59629],
      ],
    ],
  ];
  it.each(cases)("%s", (formula, rows) => {
    const model = buildModel(csv("sleepstudy_g.csv"), formula, { factors: FACTORS.sleepstudy_g });
    const got = anovaTypeIII(model, fitModel(model));
    expect(got.map((r) => r.term)).toEqual(rows.map((r) => r[0]));
    rows.forEach(([, numDf, denDf, F, p], i) => {
      expect(got[i]!.numDf).toBe(numDf);
      expect(Math.abs(got[i]!.denDf - denDf)).toBeLessThan(1e-4 * denDf);
      expect(Math.abs(got[i]!.F - F)).toBeLessThan(1e-5 * Math.max(1, F));
      expect(Math.abs(Math.log10(got[i]!.pValue) - Math.log10(p))).toBeLessThan(1e-4);
    });
  });
});
