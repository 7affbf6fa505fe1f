import { describe, expect, it } from "vitest";
import { glmmDatasetRange, loadGlmmReference } from "../../test/conformanceRange.js";
import { rangeRows, rangeToLocatedTable, rangeToTable } from "../common/rangeToTable.js";
import { packTable } from "./packedTable.js";
import type { FitRequest } from "./protocol.js";
import { fitReplies as collect } from "../../test/workerReplies.js";

const cbppValues = glmmDatasetRange("cbpp");
const cbpp = packTable(rangeToTable(cbppValues)).table;
const ref = loadGlmmReference("cbpp_binomial");
const request = (over: Partial<FitRequest> = {}): FitRequest => ({
  type: "fit",
  id: 3,
  table: cbpp,
  formula: "cbind(incidence, size - incidence) ~ period + (1 | herd)",
  REML: true, // asked for in the pane; a GLMM is fitted by maximum likelihood anyway
  factors: ["herd", "period"],
  family: "binomial",
  dataName: "Sheet1!A1:D57",
  ...over,
});

describe("runFit with a family: lme4's glmer and its two sheets", () => {
  it("cbpp, binomial logit: the digest with the family, and glmer's summary and conditional modes as sheets", () => {
    const out = collect(request());
    const done = out.at(-1)!;
    if (done.type !== "done") throw new Error(JSON.stringify(done));
    expect(out.some((m) => m.type === "progress" && m.stage === "optimizing")).toBe(true);
    expect(done.fit.family).toEqual({ family: "binomial", link: "logit", nAGQ: 1 });
    expect(done.fit.REML).toBe(false);
    expect(done.fit.logLik).toBeCloseTo(ref.logLik, 3);
    expect(done.fit.nobs).toBe(56);
    done.fit.fixefNames.forEach((n, i) => expect(done.fit.fixef[i]!).toBeCloseTo(ref.fixef[n]!, 3));
    expect(done.tables.map((t) => t.sheetName)).toEqual(["HLM Summary", "HLM Random Effects"]);
    const summary = done.tables[0]!;
    expect(summary.sections.find((s) => s.title === "Model")!.rows).toContainEqual(["Data", "Sheet1!A1:D57"]);
    const fixed = summary.sections.find((s) => s.title === "Fixed effects")!;
    expect(fixed.header).toEqual(["Term", "Estimate", "Std. Error", "z value", "Pr(>|z|)"]);
    fixed.rows.forEach((r) => expect(r[2] as number).toBeCloseTo(ref.se[r[0] as string]!, 3));
    expect(summary.sections.some((s) => s.title?.startsWith("Odds ratios"))).toBe(true);
    const herd = done.tables[1]!.sections[0]!;
    expect(herd.header.at(-1)).toBe("Probability at reference levels");
  });

  it("a proportion with its trials as weights, probit, and 9 points of quadrature", () => {
    const done = collect(request({ formula: "incidence/size ~ period + (1 | herd)", link: "probit", weights: "size", nAGQ: 9 })).at(-1)!;
    if (done.type !== "done") throw new Error(JSON.stringify(done));
    expect(done.fit.family).toEqual({ family: "binomial", link: "probit", nAGQ: 9 });
    const model = done.tables[0]!.sections.find((s) => s.title === "Model")!.rows;
    expect(model).toContainEqual(["Weights", "size"]);
    expect(model).toContainEqual(["Method", "Maximum likelihood (Adaptive Gauss-Hermite quadrature, 9 points (nAGQ = 9))"]);
  });

  it("stops when cancelled, with no tables", () => {
    let calls = 0;
    const out = collect(request(), () => ++calls > 5);
    expect(out.at(-1)!.type).toBe("cancelled");
    expect(out.some((m) => m.type === "done")).toBe(false);
  });

  it("names the sheet row and cell of a response the family cannot take", () => {
    const values = cbppValues.map((r) => [...r]);
    values[5]![1] = -2; // incidence in row 6 of the sheet
    const located = rangeToLocatedTable(values);
    const table = packTable(located.table).table;
    const err = collect(request({ table, layout: located.layout, formula: "incidence ~ period + (1 | herd)", family: "poisson" })).at(-1)!;
    expect(err.type).toBe("error");
    expect(err.type === "error" && err.message).toMatch(/row 6\b/);
    expect(rangeRows(values).header[1]).toBe("incidence");
  });
});
