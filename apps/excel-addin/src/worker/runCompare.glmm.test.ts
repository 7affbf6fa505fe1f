import { describe, expect, it } from "vitest";
import { copyRange, glmmDatasetRange } from "../../test/conformanceRange.js";
import { rangeToLocatedTable, rangeToTable } from "../common/rangeToTable.js";
import { COMPARISON_HEADER } from "../common/sheetTables.js";
import { packTable } from "./packedTable.js";
import type { CompareRequest, WorkerToPane } from "./protocol.js";
import { compareReplies as collect } from "../../test/workerReplies.js";

const cbppValues = glmmDatasetRange("cbpp");
const cbpp = packTable(rangeToTable(cbppValues)).table;
const formulas = ["cbind(incidence, size - incidence) ~ 1 + (1 | herd)", "cbind(incidence, size - incidence) ~ period + (1 | herd)"];
const request = (over: Partial<CompareRequest> = {}): CompareRequest => ({
  type: "compare",
  id: 5,
  table: cbpp,
  formulas,
  REML: false,
  factors: ["herd", "period"],
  family: "binomial",
  dataName: "cbpp!A1:D57",
  ...over,
});
function done(out: WorkerToPane[]): Extract<WorkerToPane, { type: "compareDone" }> {
  const last = out.at(-1)!;
  if (last.type !== "compareDone") throw new Error(JSON.stringify(last));
  return last;
}

/** R 4.2, lme4 1.1-31: print(as.data.frame(anova(m0, m1)), digits = 12) of the two glmer fits of cbpp. */
const R_LOGIT = {
  npar: [2, 5],
  AIC: [213.663070375, 194.053132779],
  BIC: [217.713773756, 204.179891233],
  logLik: [-104.8315351875, -92.0265663895],
  deviance: [209.663070375, 184.053132779],
  Chisq: 25.6099375959,
  pValue: 1.1510064891e-5,
};
/** The same with binomial(link = "probit") and nAGQ = 9 (lme4's nAGQ > 1 log-likelihoods). */
const R_PROBIT_AGQ9 = {
  npar: [2, 5],
  AIC: [130.205575792, 111.177882134],
  BIC: [134.256279174, 121.304640588],
  logLik: [-63.1027878962, -50.588941067],
  deviance: [126.205575792, 101.177882134],
  Chisq: 25.0276936584,
  pValue: 1.5235997025e-5,
};

function expectAnova(rows: Extract<WorkerToPane, { type: "compareDone" }>["rows"], want: typeof R_LOGIT): void {
  expect(rows.map((r) => r.name)).toEqual(["m0", "m1"]);
  expect(rows.map((r) => r.npar)).toEqual(want.npar);
  rows.forEach((r, i) => {
    for (const k of ["AIC", "BIC", "logLik", "deviance"] as const) expect(Math.abs(r[k] - want[k][i]!), `${r.name} ${k}`).toBeLessThan(5e-5);
  });
  expect(rows[0]!.Chisq).toBeNull();
  expect(Math.abs(rows[1]!.Chisq! - want.Chisq)).toBeLessThan(1e-4);
  expect(rows[1]!.Df).toBe(3);
  expect(Math.abs(rows[1]!.pValue! / want.pValue - 1)).toBeLessThan(1e-4);
}

describe("runCompare with a family: lme4's anova(glmer0, glmer1)", () => {
  it("cbpp, binomial logit, Laplace: R's table, no refit note, the family on HLM Comparison", () => {
    const out = collect(request({ REML: true })); // REML as the pane had it: a GLMM has none to refit
    const d = done(out);
    expect(out.filter((m) => m.type === "compareProgress" && m.evaluations === 0).map((m) => (m.type === "compareProgress" ? m.model : -1))).toEqual([0, 1]);
    expect(d.note).toBeNull();
    expect(d.nobs).toBe(56);
    expect(d.family).toEqual({ family: "binomial", link: "logit", nAGQ: 1 });
    expectAnova(d.rows, R_LOGIT);
    const sheet = d.tables[0]!;
    expect(sheet.sheetName).toBe("HLM Comparison");
    expect(sheet.sections.map((s) => s.title)).toEqual(["Models", "Likelihood-ratio tests", "Notes"]);
    expect(sheet.sections[0]!.rows).toEqual([
      ["m0", formulas[0]],
      ["m1", formulas[1]],
    ]);
    expect(sheet.sections[1]!.header).toEqual(COMPARISON_HEADER);
    expect(sheet.sections[2]!.rows).toEqual([
      [`Every model is a generalized linear mixed model (lme4's glmer) with family = binomial(link = "logit"), the Laplace approximation.`],
      ["Data: cbpp!A1:D57, 56 observations."],
      ["Models are sorted by their number of parameters; each is tested against the one above it."],
    ]);
  });

  it("probit with 9 points of quadrature: lme4's nAGQ > 1 log-likelihoods and their test", () => {
    const d = done(collect(request({ link: "probit", nAGQ: 9 })));
    expect(d.family).toEqual({ family: "binomial", link: "probit", nAGQ: 9 });
    expectAnova(d.rows, R_PROBIT_AGQ9);
    expect(d.tables[0]!.sections[2]!.rows[0]).toEqual([`Every model is a generalized linear mixed model (lme4's glmer) with family = binomial(link = "probit"), nAGQ = 9 (adaptive Gauss-Hermite quadrature).`]);
  });

  it("sorts by npar as lme4 does when the larger model comes first", () => {
    const d = done(collect(request({ formulas: [formulas[1]!, formulas[0]!] })));
    expect(d.rows.map((r) => r.name)).toEqual(["m1", "m0"]);
    expect(d.rows.map((r) => r.npar)).toEqual([2, 5]);
    expect(Math.abs(d.rows[1]!.Chisq! - R_LOGIT.Chisq)).toBeLessThan(1e-4);
  });

  it("refuses in one sentence what lme4 refuses: models fitted to different rows", () => {
    // a blank period in sheet row 5: m1 (which uses period) drops the row, m0 keeps it; lme4: "models were not all fitted to the same size of dataset"
    const values = copyRange(cbppValues);
    values[4]![3] = "";
    const { table, layout } = rangeToLocatedTable(values);
    const out = collect(request({ table: packTable(table).table, layout }));
    const last = out.at(-1)!;
    expect(last.type).toBe("error");
    if (last.type !== "error") return;
    expect(last.message).toBe(
      "The models were fitted to different numbers of observations (rows with missing values in their variables were dropped): m0 56, m1 55; compare models fitted to the same rows, e.g. after removing the rows with missing values in any of their variables.",
    );
    expect(out.some((m) => m.type === "compareDone")).toBe(false);
  });

  it("refuses more than one point of quadrature for a model with two random terms, naming the model, as glmer does", () => {
    const out = collect(request({ nAGQ: 5, formulas: [formulas[1]!, `${formulas[1]!} + (1 | period)`] }));
    const last = out.at(-1)!;
    if (last.type !== "error") throw new Error(JSON.stringify(last));
    expect(last.message).toBe(
      `Model m1 (${formulas[1]!} + (1 | period)): nAGQ > 1 is only available for models with a single, scalar random-effects term (lme4's words), such as (1 | group); use nAGQ = 1.`,
    );
  });

  it("names the model and the sheet cell of a response the family cannot take", () => {
    const values = copyRange(cbppValues);
    values[2]![1] = 20; // incidence above size (12) in sheet row 3
    const { table, layout } = rangeToLocatedTable(values);
    const last = collect(request({ table: packTable(table).table, layout })).at(-1)!;
    if (last.type !== "error") throw new Error(JSON.stringify(last));
    expect(last.message).toMatch(/^Model m0 \(cbind\(incidence, size - incidence\) ~ 1 \+ \(1 \| herd\)\): /);
    expect(last.message).toMatch(/row 3\b/);
  });

  it("stops when cancelled, writing nothing", () => {
    let calls = 0;
    const out = collect(request(), () => ++calls > 20);
    expect(out.at(-1)!.type).toBe("cancelled");
    expect(out.some((m) => m.type === "compareDone")).toBe(false);
  });
});
