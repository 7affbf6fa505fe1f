/**
 * The plan of a result sheet (`planSheet.ts`): cells as Excel is to get them, sections one below the
 * other or side by side, the shrinkage chart's helper block, and the charts of `HLM Diagnostics`.
 */
import { shrinkageResultTable, type ResultTable, type ShrinkageTable } from "@hlm/core";
import { describe, expect, it } from "vitest";
import { datasetRange } from "../../../test/conformanceRange.js";
import { getFit } from "../modelCache.js";
import { diagnosticsTable } from "../sheetTables.js";
import { CHART_ROWS, chartRows, needsTextPrefix, planSheet, shrinkageChartColumns, toExcelValue } from "./planSheet.js";

describe("cells as written", () => {
  it("keeps text as text where Excel would turn it into something else", () => {
    expect(toExcelValue(null)).toBe("");
    expect(toExcelValue(Number.NaN)).toBe("");
    expect(toExcelValue(1.5)).toBe(1.5);
    expect(toExcelValue(true)).toBe(true);
    expect(toExcelValue("(Intercept)")).toBe("(Intercept)");
    expect(toExcelValue("Pr(>|t|)")).toBe("Pr(>|t|)");
    expect(toExcelValue("308")).toBe(308);
    expect(toExcelValue("-1.5")).toBe(-1.5);
    for (const s of ["=SUM(A1)", "-a", "+x", "@x", "01", "1/2", "2024-01-31", "TRUE", "(5)", "1e3", "12:30", "5%", "'x"]) {
      expect(needsTextPrefix(s), s).toBe(true);
      expect(toExcelValue(s), s).toBe(`'${s}`);
    }
    for (const s of ["Subject", "1Q", "df.resid", "REML criterion", "-", ""]) expect(needsTextPrefix(s), s).toBe(false);
  });
});

const shrinkage = (columns: string[], rows: [string, number, ...(number | null)[]][]): ResultTable =>
  shrinkageResultTable({
    group: "Subject",
    columns,
    levels: rows.map((r) => r[0]),
    n: rows.map((r) => r[1]),
    ols: rows.map((r) => r.slice(2, 2 + columns.length) as (number | null)[]),
    blup: rows.map((r) => r.slice(2 + columns.length) as number[]),
  } satisfies ShrinkageTable);

describe("sheet layout", () => {
  const summaryLike: ResultTable = {
    sheetName: "HLM Summary",
    sections: [
      { title: "Model", header: ["Item", "Value"], rows: [["Formula", "y ~ x + (1 | g)"], ["Observations", 180]] },
      { title: "Fixed effects", header: ["Term", "Estimate", "p"], rows: [["(Intercept)", 251.4, 1e-20]], numberFormats: [null, "0.0000", "0.00E+00"] },
      { title: "Warnings", header: ["Code", "Message"], rows: [] },
    ],
  };

  it("puts sections one below the other: bold title, table, blank line", () => {
    const plan = planSheet(summaryLike);
    expect(plan.sections.map((s) => [s.titleRow, s.table])).toEqual([
      [0, { row: 1, column: 0, rowCount: 3, columnCount: 2 }],
      [5, { row: 6, column: 0, rowCount: 2, columnCount: 3 }],
      [9, { row: 10, column: 0, rowCount: 2, columnCount: 2 }], // no rows: one blank data row
    ]);
    expect(plan.bold).toEqual([0, 5, 9].map((row) => ({ row, column: 0, rowCount: 1, columnCount: 1 })));
    expect(plan.used).toEqual({ row: 0, column: 0, rowCount: 12, columnCount: 3 });
    expect(plan.chart).toBeNull();
    const fixed = plan.pieces.find((p) => p.row === 6)!;
    expect(fixed.values).toEqual([
      ["Term", "Estimate", "p"],
      ["(Intercept)", 251.4, 1e-20],
    ]);
    expect(fixed.numberFormat).toEqual([
      ["General", "General", "General"],
      ["General", "0.0000", "0.00E+00"],
    ]);
  });

  it("plots BLUP against OLS slopes on the shrinkage sheet, leaving out groups without an OLS estimate", () => {
    const t = shrinkage(["(Intercept)", "Days"], [
      ["308", 10, 244.2, 21.8, 253.6, 19.7],
      ["309", 10, 205.1, 2.3, 211.0, 1.8],
      ["350", 1, null, null, 240.0, 8.0],
    ]);
    expect(shrinkageChartColumns(t.sections[0]!)).toEqual({ x: 3, y: 5, effect: "Days" });
    expect(chartRows(t.sections[0]!, { x: 3, y: 5 })).toEqual([
      ["308", 21.8, 19.7],
      ["309", 2.3, 1.8],
    ]);
    const plan = planSheet(t);
    const c = plan.chart!;
    expect(c.title).toBe("Shrinkage of the slopes of Days: BLUP against OLS");
    expect([c.x, c.y]).toEqual(["OLS Days", "BLUP Days"]);
    expect(c.data).toEqual({ row: 1, column: 7, rowCount: 3, columnCount: 3 }); // one blank column right of the 6-column table
    expect(c.source).toEqual({ row: 1, column: 8, rowCount: 3, columnCount: 2 });
    expect(c.anchor).toEqual({ row: 1, column: 11 });
    const helper = plan.pieces.find((p) => p.row === 1 && p.column === 7)!;
    expect(helper.values).toEqual([
      ["Subject", "OLS Days", "BLUP Days"],
      [308, 21.8, 19.7],
      [309, 2.3, 1.8],
    ]);
    expect(planSheet(t, { chart: false }).chart).toBeNull();
  });

  it("plots intercepts for a random-intercept model", () => {
    const t = shrinkage(["(Intercept)"], [
      ["A", 5, 1505, 1509.9],
      ["B", 5, 1528, 1527.9],
    ]);
    const plan = planSheet(t);
    expect(plan.chart!.x).toBe("OLS (Intercept)");
    expect(plan.chart!.y).toBe("BLUP (Intercept)");
    expect(plan.chart!.title).toBe("Shrinkage of the intercepts: BLUP against OLS");
  });
});

describe("the HLM Diagnostics sheet's plan", () => {
  const sleepData = datasetRange("sleepstudy");
  const formula = "Reaction ~ Days + (Days | Subject)";

  it("lays the sections side by side and plans a chart per plot, on the right columns", () => {
    const { fit } = getFit(sleepData, formula);
    const plan = planSheet(diagnosticsTable(fit));
    expect(plan.sections.map((s) => s.table)).toEqual([
      { row: 1, column: 0, rowCount: 181, columnCount: 5 },
      { row: 1, column: 6, rowCount: 19, columnCount: 3 },
      { row: 1, column: 10, rowCount: 19, columnCount: 3 },
    ]);
    expect(plan.charts).toEqual([
      { title: "Residuals against fitted values", source: { row: 1, column: 1, rowCount: 181, columnCount: 2 }, anchor: { row: 0, column: 14 } },
      { title: "Normal QQ plot of the scaled residuals", source: { row: 1, column: 3, rowCount: 181, columnCount: 2 }, anchor: { row: CHART_ROWS, column: 14 } },
      { title: "Normal QQ plot of the BLUPs: (Intercept) | Subject", source: { row: 1, column: 7, rowCount: 19, columnCount: 2 }, anchor: { row: 2 * CHART_ROWS, column: 14 } },
      { title: "Normal QQ plot of the BLUPs: Days | Subject", source: { row: 1, column: 11, rowCount: 19, columnCount: 2 }, anchor: { row: 3 * CHART_ROWS, column: 14 } },
    ]);
    expect(plan.used).toEqual({ row: 0, column: 0, rowCount: 182, columnCount: 13 });
    expect(planSheet(diagnosticsTable(fit), { chart: false }).charts).toEqual([]);
  });

  it("writes the residuals' rows as they are (cells ready for Excel), the same cells a per-cell conversion gives", () => {
    const { fit } = getFit(sleepData, formula);
    const table = diagnosticsTable(fit);
    expect(table.sections[0]!.cellsReady).toBe(true);
    const converted = planSheet({ ...table, sections: table.sections.map((s) => ({ ...s, cellsReady: false })) });
    const ready = planSheet(table);
    expect(ready.pieces).toEqual(converted.pieces);
    const residuals = ready.pieces.find((p) => p.values.length === 181)!;
    expect(residuals.values[1]).toBe(table.sections[0]!.rows[0]); // the row itself, not a copy
  });
});
