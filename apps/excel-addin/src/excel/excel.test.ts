/**
 * The Excel layer against office-addin-mock (`testing/fakeExcel.ts`): reading the selection and the
 * used range, writing the three result sheets, name collisions, batching, and removing the sheets
 * of a write that failed half-way.
 */
import { HlmError, randomEffectsTable, shrinkageResultTable, shrinkageTable, summaryTable, type Cell, type ResultTable } from "@hlm/core";
import { afterEach, describe, expect, it } from "vitest";
import { datasetRange, loadReference } from "../../test/conformanceRange.js";
import { getFit } from "../modelCache.js";
import { WRITE_LIMITS } from "./blocks.js";
import { readSelectedRange, readUsedRange, writeResultSheets } from "./index.js";
import { planSheet } from "./layout.js";
import { FakeExcel } from "./testing/fakeExcel.js";

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

describe("readSelectedRange and readUsedRange", () => {
  it("read the selection's address and values as Excel gives them", async () => {
    const excel = new FakeExcel({ sheets: [{ name: "Data", values: sleepData }], selection: { row: 0, column: 0, rowCount: 181, columnCount: 3 } });
    excel.install();
    const got = await readSelectedRange();
    expect(got.address).toBe("Data!A1:C181");
    expect(got.values).toEqual(sleepData);
  });

  it("clips a selection of whole columns to the used range", async () => {
    const excel = new FakeExcel({ sheets: [{ name: "My data", values: sleepData }], selection: { row: 0, column: 1, rowCount: 1_048_576, columnCount: 4 } });
    excel.install();
    const got = await readSelectedRange();
    expect(got.address).toBe("'My data'!B1:C181");
    expect(got.values).toEqual(sleepData.map((row) => row.slice(1)));
    expect(excel.loads.every((r) => r.rowCount * r.columnCount <= 10_000)).toBe(true);
  });

  it("reads a large used range in blocks", async () => {
    const big = [["y", "x", "g"], ...Array.from({ length: 12_000 }, (_, i) => [i * 0.5, i % 7, `g${i % 50}`])];
    const excel = new FakeExcel({ sheets: [{ name: "Sheet1", values: big }] });
    excel.install();
    const got = await readUsedRange();
    expect(got.address).toBe("Sheet1!A1:C12001");
    expect(got.values).toEqual(big);
    expect(excel.loads.length).toBeGreaterThan(3);
    expect(excel.loads.every((r) => r.rowCount * r.columnCount <= 10_000)).toBe(true);
  });

  it("reads rows wider than a block in pieces of columns, and puts them back together", async () => {
    const wide = Array.from({ length: 4 }, (_, r) => Array.from({ length: 25 }, (_, c) => (r === 0 ? `c${c}` : r * 100 + c)));
    const excel = new FakeExcel({ sheets: [{ name: "Sheet1", values: wide }] });
    excel.install();
    const got = await readUsedRange({ maxCells: 10 });
    expect(got.values).toEqual(wide);
    expect(excel.loads).toHaveLength(12); // 4 rows × (10 + 10 + 5 columns)
    expect(excel.loads.every((r) => r.rowCount === 1 && r.columnCount <= 10)).toBe(true);
  });

  it("explains a selection of several areas", async () => {
    const excel = new FakeExcel({ sheets: [{ name: "Sheet1", values: sleepData }], selectionError: "InvalidSelection" });
    excel.install();
    const err = await readSelectedRange().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HlmError);
    expect((err as HlmError).code).toBe("DATA");
    expect((err as HlmError).message).toMatch(/Select one block of cells/);
  });
});

describe("writeResultSheets", () => {
  it("writes the three result sheets as formatted tables, with the shrinkage chart, and activates the summary", async () => {
    const tables = resultTables();
    const excel = new FakeExcel({ sheets: [{ name: "Data", values: sleepData }] });
    excel.install();
    const { sheetNames } = await writeResultSheets(tables);
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
    await writeResultSheets(resultTables().slice(2), { chart: false });
    expect(excel.sheet("HLM Shrinkage").charts).toHaveLength(0);
  });

  it("gives a taken name a suffix and leaves the existing sheet alone", async () => {
    const old = [["my notes"], [42]];
    const excel = new FakeExcel({ sheets: [{ name: "Sheet1" }, { name: "HLM Summary", values: old }, { name: "hlm shrinkage" }, { name: "HLM Shrinkage (2)" }] });
    excel.install();
    const tables = resultTables();
    const { sheetNames } = await writeResultSheets(tables);
    expect(sheetNames).toEqual(["HLM Summary (2)", "HLM Random Effects", "HLM Shrinkage (3)"]);
    expect(excel.values("HLM Summary", { row: 0, column: 0, rowCount: 2, columnCount: 1 })).toEqual(old);
    expect(excel.sheet("HLM Summary").tables).toHaveLength(0);
    expectSheet(excel, "HLM Summary (2)", tables[0]!);
    // a second run gets new names and table names of its own
    const again = await writeResultSheets(tables, { tableToken: "second" });
    expect(again.sheetNames).toEqual(["HLM Summary (3)", "HLM Random Effects (2)", "HLM Shrinkage (4)"]);
  });

  it("writes a 12,000-row table in batches within the limits, one sync each", async () => {
    const rows: Cell[][] = Array.from({ length: 12_000 }, (_, i) => [`school ${i}`, i % 40, i * 0.25, null, -i, i / 3]);
    const table: ResultTable = {
      sheetName: "HLM Random Effects",
      sections: [{ title: "school", header: ["school", "n", "a", "b", "c", "d"], rows, numberFormats: [null, "0", "0.0000", "0.0000", "0.0000", "0.0000"] }],
    };
    const excel = new FakeExcel();
    excel.install();
    await writeResultSheets([table]);
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
    await writeResultSheets(tables);
    const total = probe.syncCount;
    const excel = new FakeExcel({ sheets: [{ name: "Data", values: sleepData }, { name: "HLM Summary" }], failAtSync: total - 3 });
    excel.install();
    const err = await writeResultSheets(tables).catch((e: unknown) => e);
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
    await expect(writeResultSheets(resultTables())).rejects.toThrow(/Excel could not write the result sheets/);
    expect(excel.sheets.map((s) => s.name)).toEqual(["Sheet1"]);
  });
});
