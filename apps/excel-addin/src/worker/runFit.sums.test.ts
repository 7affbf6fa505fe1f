import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { csvToRange, datasetRange } from "../../test/conformanceRange.js";
import { rangeToTable } from "../common/rangeToTable.js";
import { packTable } from "./packedTable.js";
import type { FitRequest, WorkerToPane } from "./protocol.js";
import { runCompare } from "./runCompare.js";
import { fitReplies } from "../../test/workerReplies.js";

// test/fixtures/hsb_sums.csv: a warehouse's sums of MathAch ~ SES * Sector + (SES | School) (see worksheetFunctions.sums.test.ts)
const sums = packTable(rangeToTable(csvToRange(readFileSync(new URL("../../test/fixtures/hsb_sums.csv", import.meta.url), "utf8")))).table;
const rows = packTable(rangeToTable(datasetRange("hsb"))).table;
const request = (over: Partial<FitRequest> = {}): FitRequest => ({ type: "fit", id: 3, table: sums, formula: "MathAch ~ SES * Sector + (SES | School)", REML: true, factors: ["Sector"], dataName: "Sums!A1:P165", ...over });
const last = (req: FitRequest): WorkerToPane => fitReplies(req).at(-1)!;

describe("runFit on a warehouse's sums", () => {
  it("fits the model from the sums: the summary and random-effects sheets, the fit of the rows' numbers", () => {
    const done = last(request());
    const fromRows = last(request({ table: rows, dataName: "hsb" }));
    if (done.type !== "done" || fromRows.type !== "done") throw new Error(JSON.stringify(done));
    expect(done.tables.map((t) => t.sheetName)).toEqual(fromRows.tables.map((t) => t.sheetName));
    expect(done.tables.map((t) => t.sheetName)).toContain("HLM Shrinkage");
    expect(done.fit.fixefNames).toEqual(fromRows.fit.fixefNames);
    done.fit.fixef.forEach((v, i) => expect(Math.abs(v - fromRows.fit.fixef[i]!)).toBeLessThan(1e-3 * Math.max(1, Math.abs(fromRows.fit.fixef[i]!))));
    expect(Math.abs(done.fit.logLik - fromRows.fit.logLik)).toBeLessThan(1e-6);
    // no residuals' quantiles without the rows (as the pane leaves out what does not apply); the type III tests need only the fit,
    // the effect sizes the rows' moments the query summed: the rows' figures to the two fits' agreement
    const titles = done.tables[0]!.sections.map((s) => s.title);
    expect(titles).not.toContain("Scaled residuals");
    expect(titles).toContain("Type III tests (Satterthwaite)");
    const effects = (d: typeof done): [string, number][] => d.tables[0]!.sections.find((s) => s.title === "Effect sizes")!.rows.map((r) => [r[0] as string, r[1] as number]);
    expect(effects(done).map((r) => r[0])).toEqual(["ICC (adjusted)", "ICC (unadjusted)", "Marginal R2", "Conditional R2"]);
    effects(done).forEach(([, v], i) => expect(Math.abs(v - effects(fromRows)[i]![1])).toBeLessThan(1e-6));
    expect(fromRows.tables[0]!.sections.map((s) => s.title)).toContain("Scaled residuals");
  });

  it("refuses to compare models on one model's sums, in one sentence", () => {
    const out: WorkerToPane[] = [];
    runCompare({ type: "compare", id: 4, table: sums, formulas: ["MathAch ~ SES + (1 | School)", "MathAch ~ SES * Sector + (SES | School)"], REML: false, factors: [], dataName: "Sums!A1:P165" }, (m) => out.push(structuredClone(m)), () => false);
    const last = out.at(-1)!;
    expect(last.type === "error" && last.message).toBe("The selection holds one model's sums (the result of HLM.SQL's query for its formula); comparing models needs the rows, or hlm compare on the database itself.");
  });

  it("refuses a GLMM or a residual structure on sums, in one sentence", () => {
    const glmm = last(request({ family: "binomial" }));
    expect(glmm.type === "error" && glmm.message).toMatch(/repeated passes over the rows \(PIRLS\)/);
    const ar1 = last(request({ correlation: "corAR1()" }));
    expect(ar1.type === "error" && ar1.message).toMatch(/A residual structure needs the rows/);
  });
});
