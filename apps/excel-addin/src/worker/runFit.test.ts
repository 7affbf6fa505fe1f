import { anovaTypeIII, buildModel, effectSizes, fitModel, HlmError } from "@hlm/core";
import { describe, expect, it } from "vitest";
import { datasetRange, loadNlmeReference, loadReference, nlmeDatasetRange } from "../../test/conformanceRange.js";
import { getFit } from "../common/modelCache.js";
import { rangeToTable } from "../common/rangeToTable.js";
import { diagnosticsTable, packSheetTables, unpackSheetTables } from "../common/sheetTables.js";
import { packTable } from "./packedTable.js";
import type { FitRequest } from "./protocol.js";
import { errorReply } from "./runFit.js";
import { fitReplies as collect } from "../../test/workerReplies.js";

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

describe("runFit with a residual structure (nlme's lme)", () => {
  const ovary = loadNlmeReference("ovary_ar1_ml");
  const ovaryValues = nlmeDatasetRange("Ovary");
  const ovaryTable = packTable(rangeToTable(ovaryValues)).table;
  const ovaryRequest = (over: Partial<FitRequest> = {}): FitRequest =>
    request({ table: ovaryTable, formula: "follicles ~ s1 + c1 + (1 | Mare)", REML: false, correlation: "corAR1()", dataName: "Ovary!A1:E309", layout: { headerRow: 0, columns: [0, 1, 2, 3, 4] }, ...over });

  it("fits Ovary's AR(1) by ML through the worker's path: nlme's Phi and log-likelihood, in the digest and the summary sheet", () => {
    const done = collect(ovaryRequest()).at(-1)!;
    if (done.type !== "done") throw new Error(JSON.stringify(done));
    expect(done.fit.structure).toHaveLength(1);
    const s = done.fit.structure[0]!;
    expect(s).toMatchObject({ kind: "correlation", label: "AR(1)", text: "corAR1()", names: ["Phi"] });
    expect(Math.abs(s.values[0]! - ovary.cor_params!["Phi"]!)).toBeLessThan(1e-3); // 0.5975
    expect(Math.abs(done.fit.logLik - ovary.logLik)).toBeLessThan(1e-3); // -776.517
    const summary = done.tables[0]!;
    expect(summary.sections[0]!.rows).toContainEqual(["Correlation", "corAR1()"]);
    const titles = summary.sections.map((x) => x.title);
    expect(titles).toEqual([
      "Model",
      "Fit statistics",
      "Scaled residuals",
      "Random effects",
      "Correlation structure: AR(1), ~1 | Mare",
      "Within-group covariance (marginal): Mare 1",
      "Fixed effects",
      "Type III tests (Satterthwaite)",
      "Effect sizes",
    ]);
    const phi = summary.sections[4]!;
    expect(phi.rows[0]![0]).toBe("Phi");
    expect(Math.abs((phi.rows[0]![1] as number) - 0.5975)).toBeLessThan(1e-3);
    // the first mare's covariance, rows and columns labelled by the sheet's rows (data row 1 is sheet row 2)
    const V = summary.sections[5]!;
    expect(V.header.slice(0, 3)).toEqual(["Row", "Row 2", "Row 3"]);
    expect(V.header).toHaveLength(ovary.marginal_cov.rows.length + 1);
    expect(V.rows.map((r) => r[0])).toEqual(ovary.marginal_cov.rows.map((r) => `Row ${r + 1}`));
    expect(Math.abs((V.rows[0]![1] as number) - ovary.marginal_cov.matrix[0]![0]!)).toBeLessThan(1e-2);
    expect(V.numberFormats).toHaveLength(V.header.length);
  });

  it("with ddf containment: nlme's t-table in the summary, the inference sections after it; a range lower on the sheet labels its rows so", () => {
    const done = collect(ovaryRequest({ ddf: "containment", layout: { headerRow: 4, columns: [1, 2, 3, 4, 5] } })).at(-1)!;
    if (done.type !== "done") throw new Error(JSON.stringify(done));
    const titles = done.tables[0]!.sections.map((x) => x.title);
    expect(titles.slice(titles.indexOf("Fixed effects (nlme's containment df)"))).toEqual(["Fixed effects (nlme's containment df)", "Type III tests (Satterthwaite)", "Effect sizes"]);
    const fixed = done.tables[0]!.sections.find((x) => x.title === "Fixed effects (nlme's containment df)")!;
    expect(fixed.rows.map((r) => r[3])).toEqual([295, 295, 295]);
    fixed.rows.forEach((r) => expect(Math.abs((r[2] as number) - ovary.se[r[0] as string]!)).toBeLessThan(1e-3 * ovary.se[r[0] as string]!));
    const V = done.tables[0]!.sections.find((x) => x.title?.startsWith("Within-group covariance"))!;
    expect(V.header.slice(1, 3)).toEqual(["Row 6", "Row 7"]);
    expect(done.fit.warnings).toEqual([]);
  });

  it("a structure the engine refuses is one sentence naming the column, with the sheet's rows", () => {
    const bw = nlmeDatasetRange("BodyWeight").map((r) => [...r]);
    bw[3]![1] = bw[2]![1]; // rat 1's third time equals its second: sheet rows 3 and 4
    const table = packTable(rangeToTable(bw)).table;
    const layout = { headerRow: 0, columns: [0, 1, 2, 3] };
    const tie = collect(request({ table, layout, formula: "weight ~ Time + (1 | Rat)", correlation: "corCAR1(form = ~ Time)" })).at(-1)!;
    expect(tie).toMatchObject({ type: "error", code: "DATA", message: "The correlation structure's time 'Time' has the value 8 twice within Rat 1 (rows 3 and 4, cells B3 and B4); times must differ within a group." });
    const unknown = collect(request({ table, layout, formula: "weight ~ Time + (1 | Rat)", variance: "varIdent(form = ~ 1 | Diett)" })).at(-1)!;
    expect(unknown).toMatchObject({ type: "error", code: "OPTIONS", message: "Unknown column 'Diett' in the variance function 'varIdent(form = ~ 1 | Diett)'; did you mean 'Diet'?" });
  });
});
