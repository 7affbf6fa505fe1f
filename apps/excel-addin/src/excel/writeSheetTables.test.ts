/**
 * Writing sheet tables to Excel against office-addin-mock (`testing/fakeExcel.ts`): the three
 * result sheets and `HLM Diagnostics` as formatted tables with their charts, name collisions,
 * batching, and removing the sheets of a write that failed half-way.
 */
import { HlmError, randomEffectsTable, shrinkageResultTable, shrinkageTable, summaryTable, type Cell, type ResultTable } from "@hlm/core";
import { afterEach, describe, expect, it } from "vitest";
import { datasetRange, loadReference, nlmeDatasetRange } from "../../test/conformanceRange.js";
import { getFit } from "../common/modelCache.js";
import { WRITE_LIMITS } from "../common/sheet/blocks.js";
import { CHART_ROWS, planSheet } from "../common/sheet/planSheet.js";
import { diagnosticsTable, withSheetRows } from "../common/sheetTables.js";
import { FakeExcel } from "./testing/fakeExcel.js";
import { writeSheetTables } from "./writeSheetTables.js";

afterEach(() => {
  delete (globalThis as { Excel?: unknown }).Excel;
});

const sleep = loadReference("sleepstudy_slopes_reml");
const sleepData = datasetRange("sleepstudy");

/** A result cell as it lands in Excel: blank as "", a level label such as "308" as the number Excel makes of it. */
const asWritten = (c: Cell): unknown => (c === null ? "" : typeof c === "string" && /^-?\d+(\.\d+)?$/.test(c) && String(Number(c)) === c ? Number(c) : c);

function resultTables(): ResultTable[] {
  const { model, fit } = getFit(sleepData, sleep.formula);
  return [summaryTable(fit, "sleepstudy"), randomEffectsTable(fit), shrinkageResultTable(shrinkageTable(model, fit, "Subject"))];
}

/** Checks that each section of a table is on the sheet as planned: title, header, rows, formats, an Excel table. */
function expectSheet(excel: FakeExcel, sheetName: string, table: ResultTable): void {
  const plan = planSheet(table);
  const sheet = excel.sheet(sheetName);
  expect(sheet.tables).toHaveLength(table.sections.length);
  plan.sections.forEach((p, i) => {
    const s = table.sections[i]!;
    if (s.title) {
      expect(excel.cell(sheetName, p.titleRow!, 0)).toMatchObject({ value: s.title, bold: true });
    }
    const got = excel.values(sheetName, { ...p.table, rowCount: 1 + s.rows.length });
    expect(got[0]).toEqual(s.header);
    expect(got.slice(1)).toEqual(s.rows.map((row) => row.map(asWritten)));
    s.rows.forEach((_, r) =>
      s.header.forEach((_, c) => {
        expect(excel.cell(sheetName, p.table.row + 1 + r, c)?.numberFormat).toBe(s.numberFormats?.[c] ?? "General");
      }),
    );
    const t = sheet.tables[i]!;
    expect(t.rect).toEqual(p.table);
    expect(t.hasHeaders).toBe(true);
    expect(t.style).toBe("TableStyleMedium2");
    expect(t.name).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
  });
  expect(sheet.autofitted).toEqual([plan.used]);
}

describe("writeSheetTables", () => {
  it("writes the three result sheets as formatted tables, with the shrinkage chart, and activates the summary", async () => {
    const tables = resultTables();
    const excel = new FakeExcel({ sheets: [{ name: "Data", values: sleepData }] });
    excel.install();
    const { sheetNames } = await writeSheetTables(tables);
    expect(sheetNames).toEqual(["HLM Summary", "HLM Random Effects", "HLM Shrinkage"]);
    expect(excel.sheets.map((s) => s.name)).toEqual(["Data", ...sheetNames]);
    tables.forEach((t, i) => expectSheet(excel, sheetNames[i]!, t));
    expect(excel.sheets[excel.active]!.name).toBe("HLM Summary");
    expect(excel.values("Data", { row: 0, column: 0, rowCount: 181, columnCount: 3 })).toEqual(sleepData); // the data is untouched

    // the summary's fixed effects are lme4's
    const fixed = tables[0]!.sections.find((s) => s.title === "Fixed effects")!;
    expect(fixed.rows.map((r) => r[0])).toEqual(Object.keys(sleep.fixef));

    // the chart: BLUP against OLS slope of Days for every subject
    const shrink = excel.sheet("HLM Shrinkage");
    expect(shrink.charts).toHaveLength(1);
    const chart = shrink.charts[0]!;
    expect(chart.type).toBe("XYScatter");
    expect(chart.seriesBy).toBe("Columns");
    expect(chart.title).toBe("Shrinkage of the slopes of Days: BLUP against OLS");
    expect(chart.position).toBe("L2");
    const section = tables[2]!.sections[0]!;
    expect(excel.values("HLM Shrinkage", chart.source)).toEqual([["OLS Days", "BLUP Days"], ...section.rows.map((r) => [r[3], r[5]])]);
    expect(excel.sheet("HLM Summary").charts).toHaveLength(0);
    // table names differ across the workbook
    const names = excel.sheets.flatMap((s) => s.tables.map((t) => t.name));
    expect(new Set(names).size).toBe(names.length);
  });

  it("leaves the chart out when asked", async () => {
    const excel = new FakeExcel();
    excel.install();
    await writeSheetTables(resultTables().slice(2), { chart: false });
    expect(excel.sheet("HLM Shrinkage").charts).toHaveLength(0);
  });

  it("gives a taken name a suffix and leaves the existing sheet alone", async () => {
    const old = [["my notes"], [42]];
    const excel = new FakeExcel({ sheets: [{ name: "Sheet1" }, { name: "HLM Summary", values: old }, { name: "hlm shrinkage" }, { name: "HLM Shrinkage (2)" }] });
    excel.install();
    const tables = resultTables();
    const { sheetNames } = await writeSheetTables(tables);
    expect(sheetNames).toEqual(["HLM Summary (2)", "HLM Random Effects", "HLM Shrinkage (3)"]);
    expect(excel.values("HLM Summary", { row: 0, column: 0, rowCount: 2, columnCount: 1 })).toEqual(old);
    expect(excel.sheet("HLM Summary").tables).toHaveLength(0);
    expectSheet(excel, "HLM Summary (2)", tables[0]!);
    // a second run gets new names and table names of its own
    const again = await writeSheetTables(tables, { tableToken: "second" });
    expect(again.sheetNames).toEqual(["HLM Summary (3)", "HLM Random Effects (2)", "HLM Shrinkage (4)"]);
  });

  it("writes the summary of a model with a residual structure: its sections, the 4 × 4 covariance, and titles that do not widen column A", async () => {
    const { fit } = getFit(nlmeDatasetRange("Orthodont"), "distance ~ age * Sex + (1 | Subject)", { variance: "varIdent(form = ~ 1 | Sex)" });
    const summary = withSheetRows(summaryTable(fit, "Orthodont"), 0);
    const excel = new FakeExcel();
    excel.install();
    await writeSheetTables([summary]);
    expectSheet(excel, "HLM Summary", summary);
    const titles = summary.sections.map((x) => x.title!);
    expect(titles).toContain("Variance function: Different standard deviations per stratum, ~1 | Sex");
    const cov = planSheet(summary).sections.find((x) => x.section.title === "Within-group covariance (marginal): Subject F01")!;
    expect(cov.table.columnCount).toBe(5);
    expect(excel.values("HLM Summary", { ...cov.table, rowCount: 1 })[0]).toEqual(["Row", "Row 66", "Row 67", "Row 68", "Row 69"]);
    expect(excel.cell("HLM Summary", cov.table.row + 1, 1)?.numberFormat).toBe("0.0000");
    // Excel's autofit saw the tables, not the titles: column A as wide as its longest table cell ("Variance function")
    const widths = excel.sheet("HLM Summary").autofitWidths;
    expect(widths.get(0)).toBe("Variance function".length);
    expect(Math.max(...titles.map((t) => t.length))).toBeGreaterThan(widths.get(0)!);
  });

  it("writes a 12,000-row table in batches within the limits, one sync each", async () => {
    const rows: Cell[][] = Array.from({ length: 12_000 }, (_, i) => [`school ${i}`, i % 40, i * 0.25, null, -i, i / 3]);
    const table: ResultTable = {
      sheetName: "HLM Random Effects",
      sections: [{ title: "school", header: ["school", "n", "a", "b", "c", "d"], rows, numberFormats: [null, "0", "0.0000", "0.0000", "0.0000", "0.0000"] }],
    };
    const excel = new FakeExcel();
    excel.install();
    await writeSheetTables([table]);
    const cells = 12_001 * 6 + 1;
    const writing = excel.syncs.filter((s) => s.cellsWritten > 0);
    expect(writing.length).toBeGreaterThanOrEqual(Math.ceil(cells / WRITE_LIMITS.maxCells));
    expect(writing.every((s) => s.cellsWritten <= WRITE_LIMITS.maxCells)).toBe(true);
    expect(writing.reduce((n, s) => n + s.cellsWritten, 0)).toBe(cells);
    expectSheet(excel, "HLM Random Effects", table);
    expect(excel.sheet("HLM Random Effects").tables[0]!.rect).toEqual({ row: 1, column: 0, rowCount: 12_001, columnCount: 6 });
  });

  it("removes the sheets it added when a write fails half-way", async () => {
    const tables = resultTables();
    // sync 1: sheet names, 2: adding the sheets, 3…: the cells of the first sheet; fail while writing the second
    const probe = new FakeExcel({ sheets: [{ name: "Data", values: sleepData }] });
    probe.install();
    await writeSheetTables(tables);
    const total = probe.syncCount;
    const excel = new FakeExcel({ sheets: [{ name: "Data", values: sleepData }, { name: "HLM Summary" }], failAtSync: total - 3 });
    excel.install();
    const err = await writeSheetTables(tables).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HlmError);
    expect((err as HlmError).code).toBe("INTERNAL");
    expect((err as HlmError).message).toBe(
      "Excel could not write the result sheets (An internal error has occurred); the sheets it had added (HLM Summary (2), HLM Random Effects, HLM Shrinkage) were removed.",
    );
    expect(excel.sheets.map((s) => s.name)).toEqual(["Data", "HLM Summary"]);
    expect(excel.values("Data", { row: 0, column: 0, rowCount: 181, columnCount: 3 })).toEqual(sleepData);
  });

  it("fails without leaving anything when the sheets cannot even be added", async () => {
    const excel = new FakeExcel({ failAtSync: 2 });
    excel.install();
    await expect(writeSheetTables(resultTables())).rejects.toThrow(/Excel could not write the result sheets/);
    expect(excel.sheets.map((s) => s.name)).toEqual(["Sheet1"]);
  });
});

describe("the HLM Diagnostics sheet in Excel", () => {
  const formula = "Reaction ~ Days + (Days | Subject)";

  it("writes the data and adds the XY scatter charts with their source ranges, titles and places", async () => {
    const excel = new FakeExcel({ sheets: [{ name: "Data", values: sleepData }, { name: "HLM Diagnostics", values: [["mine"]] }] });
    excel.install();
    const { fit } = getFit(sleepData, formula);
    const table = diagnosticsTable(fit);
    const { sheetNames } = await writeSheetTables([table]);
    expect(sheetNames).toEqual(["HLM Diagnostics (2)"]);
    const sheet = excel.sheet("HLM Diagnostics (2)");
    expect(sheet.charts.map((c) => ({ type: c.type, seriesBy: c.seriesBy, source: c.source, title: c.title, position: c.position }))).toEqual([
      { type: "XYScatter", seriesBy: "Columns", source: { row: 1, column: 1, rowCount: 181, columnCount: 2 }, title: "Residuals against fitted values", position: "O1" },
      { type: "XYScatter", seriesBy: "Columns", source: { row: 1, column: 3, rowCount: 181, columnCount: 2 }, title: "Normal QQ plot of the scaled residuals", position: `O${CHART_ROWS + 1}` },
      { type: "XYScatter", seriesBy: "Columns", source: { row: 1, column: 7, rowCount: 19, columnCount: 2 }, title: "Normal QQ plot of the BLUPs: (Intercept) | Subject", position: `O${2 * CHART_ROWS + 1}` },
      { type: "XYScatter", seriesBy: "Columns", source: { row: 1, column: 11, rowCount: 19, columnCount: 2 }, title: "Normal QQ plot of the BLUPs: Days | Subject", position: `O${3 * CHART_ROWS + 1}` },
    ]);
    // the charts' sources hold what they plot: Fitted | Residual, Normal quantile | Scaled residual, Normal quantile | BLUP
    expect(excel.values("HLM Diagnostics (2)", { row: 1, column: 1, rowCount: 2, columnCount: 2 })).toEqual([["Fitted", "Residual"], table.sections[0]!.rows[0]!.slice(1, 3)]);
    expect(excel.values("HLM Diagnostics (2)", { row: 1, column: 3, rowCount: 1, columnCount: 2 })).toEqual([["Normal quantile", "Scaled residual"]]);
    expect(excel.values("HLM Diagnostics (2)", { row: 1, column: 7, rowCount: 1, columnCount: 2 })).toEqual([["Normal quantile", "BLUP (Intercept)"]]);
    expect(excel.values("HLM Diagnostics (2)", { row: 0, column: 6, rowCount: 1, columnCount: 1 })).toEqual([["BLUPs: (Intercept) | Subject"]]);
    expect(sheet.tables.map((t) => t.rect)).toEqual(planSheet(table).sections.map((s) => s.table));
    // the user's sheet of that name is untouched
    expect(excel.values("HLM Diagnostics", { row: 0, column: 0, rowCount: 1, columnCount: 1 })).toEqual([["mine"]]);
  });

  it("a write that fails at its last sync removes the sheet and its charts again", async () => {
    const probe = new FakeExcel({ sheets: [{ name: "Data", values: [["x"]] }] });
    probe.install();
    const { fit } = getFit(sleepData, formula);
    await writeSheetTables([diagnosticsTable(fit)]);
    const total = probe.syncCount;
    const excel = new FakeExcel({ sheets: [{ name: "Data", values: [["x"]] }], failAtSync: total - 1 });
    excel.install();
    const err = await writeSheetTables([diagnosticsTable(fit)]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HlmError);
    expect(excel.sheets.map((s) => s.name)).toEqual(["Data"]);
  });
});
