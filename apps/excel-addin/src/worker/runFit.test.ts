import { anovaTypeIII, buildModel, effectSizes, fitModel, HlmError } from "@hlm/core";
import { describe, expect, it } from "vitest";
import { datasetRange, loadReference } from "../../test/conformanceRange.js";
import { getFit } from "../common/modelCache.js";
import { rangeToTable } from "../common/rangeToTable.js";
import { diagnosticsTable, packSheetTables, unpackSheetTables } from "../common/sheetTables.js";
import { packTable } from "./packedTable.js";
import type { FitRequest, WorkerToPane } from "./protocol.js";
import { errorReply, runFit } from "./runFit.js";

const sleepValues = datasetRange("sleepstudy");
const sleep = packTable(rangeToTable(sleepValues)).table;
const request = (over: Partial<FitRequest> = {}): FitRequest => ({
  type: "fit",
  id: 7,
  table: sleep,
  formula: "Reaction ~ Days + (Days | Subject)",
  REML: true,
  factors: [],
  dataName: "Sheet1!A1:C181",
  ...over,
});
function collect(req: FitRequest, isCancelled: () => boolean = () => false, now?: () => number): WorkerToPane[] {
  const out: WorkerToPane[] = [];
  runFit(req, (m) => out.push(structuredClone(m)), isCancelled, now);
  return out;
}

describe("runFit", () => {
  it("adds lmerTest's type III tests and performance's ICC and R² to the summary, after the fixed effects (core's numbers)", () => {
    const done = collect(request()).at(-1)!;
    if (done.type !== "done") throw new Error(done.type);
    const titles = done.tables[0]!.sections.map((s) => s.title);
    expect(titles.slice(titles.indexOf("Fixed effects"))).toEqual(["Fixed effects", "Type III tests (Satterthwaite)", "Effect sizes"]);
    const model = buildModel(rangeToTable(datasetRange("sleepstudy")), "Reaction ~ Days + (Days | Subject)", { REML: true });
    const fit = fitModel(model);
    const a = anovaTypeIII(model, fit)[0]!;
    const e = effectSizes(model, fit);
    const tests = done.tables[0]!.sections.find((s) => s.title === "Type III tests (Satterthwaite)")!;
    expect(tests.header).toEqual(["Term", "Sum Sq", "Mean Sq", "NumDF", "DenDF", "F value", "Pr(>F)"]);
    expect(tests.rows).toHaveLength(1);
    expect(tests.rows[0]![0]).toBe("Days");
    expect(tests.rows[0]![5] as number).toBeCloseTo(a.F, 6);
    expect(tests.rows[0]![4] as number).toBeCloseTo(a.denDf, 6);
    const sizes = done.tables[0]!.sections.find((s) => s.title === "Effect sizes")!;
    expect(sizes.rows.map((r) => r[0])).toEqual(["ICC (adjusted)", "ICC (unadjusted)", "Marginal R2", "Conditional R2"]);
    [e.iccAdjusted, e.iccUnadjusted, e.r2Marginal, e.r2Conditional].forEach((v, i) => expect(sizes.rows[i]![1] as number).toBeCloseTo(v, 8));
  });

  it("leaves the type III tests out for an intercept-only model; a model with an interaction of factors still gets its sheets", () => {
    const dye = packTable(rangeToTable(datasetRange("Dyestuff"))).table;
    const done = collect(request({ table: dye, formula: "Yield ~ 1 + (1 | Batch)" })).at(-1)!;
    if (done.type !== "done") throw new Error(done.type);
    const titles = done.tables[0]!.sections.map((s) => s.title);
    expect(titles).not.toContain("Type III tests (Satterthwaite)");
    expect(titles).toContain("Effect sizes");
    const hsb = packTable(rangeToTable(datasetRange("hsb"))).table;
    const two = collect(request({ table: hsb, formula: "MathAch ~ Sex * Minority + (1 | School)", REML: false })).at(-1)!;
    if (two.type !== "done") throw new Error(two.type);
    // factors crossed with their interaction: the tests, or (in a core without them) a note saying so, never a failed fit
    const tests = two.tables[0]!.sections.find((s) => s.title === "Type III tests (Satterthwaite)")!;
    if (tests.header.length === 1) {
      expect(tests.header).toEqual(["Note"]);
      expect(tests.rows[0]![0]).toMatch(/^Type III tests of 'Sex', which is contained in 'Sex:Minority', are not supported yet/);
    } else {
      expect(tests.rows.map((r) => r[0])).toEqual(["Sex", "Minority", "Sex:Minority"]);
    }
  });

  it("fits sleepstudy and posts the three result tables, matching lme4", () => {
    const ref = loadReference("sleepstudy_slopes_reml");
    const out = collect(request());
    const done = out.at(-1)!;
    expect(done.type).toBe("done");
    if (done.type !== "done") return;
    expect(done.id).toBe(7);
    expect(done.tables.map((t) => t.sheetName)).toEqual(["HLM Summary", "HLM Random Effects", "HLM Shrinkage"]);
    done.fit.fixefNames.forEach((name, i) => expect(done.fit.fixef[i]!).toBeCloseTo(ref.fixef[name]!, 6));
    const fixed = done.tables[0]!.sections.find((s) => s.title === "Fixed effects")!;
    expect(fixed.rows.map((r) => r[0])).toEqual(["(Intercept)", "Days"]);
    expect(done.tables[0]!.sections[0]!.rows).toContainEqual(["Data", "Sheet1!A1:C181"]);
    expect(done.tables[2]!.sections[0]!.rows).toHaveLength(18);
    expect(out[0]).toMatchObject({ type: "progress", stage: "building" });
  });
  it("adds the HLM Diagnostics sheet when asked for", () => {
    const done = collect(request({ diagnostics: true })).at(-1)!;
    if (done.type !== "done") throw new Error(done.type);
    expect(done.tables.map((t) => t.sheetName)).toEqual(["HLM Summary", "HLM Random Effects", "HLM Shrinkage", "HLM Diagnostics"]);
    const d = done.tables[3]!;
    // the rows per observation travel as typed columns (transferred), and come back as rows on the page
    expect(d.sections[0]!.rows).toHaveLength(0);
    expect(d.sections[0]!.packed!.map((c) => c.length)).toEqual([180, 180, 180, 180, 180]);
    expect(d.charts).toHaveLength(4);
    const { fit } = getFit(sleepValues, "Reaction ~ Days + (Days | Subject)");
    const direct = diagnosticsTable(fit, { rows: Array.from({ length: 180 }, (_, i) => i) });
    unpackSheetTables(done.tables);
    expect(d.sections[0]!.packed).toBeUndefined();
    expect(d.sections[0]!.rows).toHaveLength(180);
    d.sections[0]!.rows.forEach((r, i) => r.forEach((v, c) => expect(v).toBeCloseTo(direct.sections[0]!.rows[i]![c] as number, 9)));
  });

  it("sends blank cells of packed rows as NaN and gives them back as blanks", () => {
    const table = { sheetName: "HLM Diagnostics" as const, sections: [{ title: "t", header: ["a", "b"], rows: [[1, ""], [2.5, 3]], cellsReady: true }] };
    const { tables, transfer } = packSheetTables([table]);
    expect(transfer).toHaveLength(2);
    expect(Array.from(tables[0]!.sections[0]!.packed![1]!)).toEqual([NaN, 3]);
    expect(table.sections[0]!.rows).toEqual([[1, ""], [2.5, 3]]); // the original is left as it was
    unpackSheetTables(tables);
    expect(tables[0]!.sections[0]!.rows).toEqual([[1, ""], [2.5, 3]]);
  });

  it("throttles progress by the clock", () => {
    let t = 0;
    const out = collect(
      request(),
      () => false,
      () => (t += 30),
    ); // 30 ms per look at the clock
    const optimizing = out.filter((m) => m.type === "progress" && m.stage === "optimizing");
    const done = out.at(-1)!;
    if (done.type !== "done") throw new Error("not done");
    expect(optimizing.length).toBeGreaterThan(1);
    expect(optimizing.length).toBeLessThan(done.fit.evaluations / 2);
    const quiet = collect(
      request({ progressIntervalMs: 1e12 }),
      () => false,
      () => 1,
    );
    expect(quiet.filter((m) => m.type === "progress" && m.stage === "optimizing")).toHaveLength(1);
  });
  it("stops when cancelled during the optimization, with no tables", () => {
    let calls = 0;
    const out = collect(request(), () => ++calls > 10);
    const last = out.at(-1)!;
    expect(last.type).toBe("cancelled");
    expect(last.type === "cancelled" && last.evaluations).toBeGreaterThan(0);
    expect(out.some((m) => m.type === "done")).toBe(false);
    expect(collect(request(), () => true)).toEqual([{ type: "cancelled", id: 7, evaluations: 0 }]);
  });
  it("turns errors into one sentence with their code and position", () => {
    const out = collect(request({ formula: "Reaction ~ Dayz + (Days | Subject)" }));
    expect(out.at(-1)).toMatchObject({ type: "error", id: 7, code: "FORMULA", position: 12 });
    expect(errorReply(1, new HlmError("CANCELLED", "x"))).toEqual({ type: "cancelled", id: 1, evaluations: 0 });
    expect(errorReply(1, new TypeError("x is undefined\n    at foo (bar.js:1)"))).toEqual({
      type: "error",
      id: 1,
      code: "INTERNAL",
      message: "The fit failed unexpectedly: x is undefined.",
    });
  });
});
