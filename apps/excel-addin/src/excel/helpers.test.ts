/** The Office-free helpers of the Excel layer: addresses, sheet and table names, blocks, layout. */
import { shrinkageResultTable, type ResultTable, type ShrinkageTable } from "@hlm/core";
import { describe, expect, it } from "vitest";
import { cellAddress, columnIndex, intersectRects, quoteSheetName, rangeAddress, rectAddress, splitSheet, topLeft } from "./addresses.js";
import { packBatches, pieceSize, splitPiece, splitRect, WRITE_LIMITS, type WritePiece } from "./blocks.js";
import { chartRows, needsTextPrefix, planSheet, shrinkageChartColumns, toExcelValue } from "./layout.js";
import { sanitizeSheetName, tableName, uniqueSheetName, uniqueSheetNames } from "./sheetNames.js";

describe("addresses", () => {
  it("converts between indexes and A1 addresses", () => {
    expect(columnIndex("A")).toBe(0);
    expect(columnIndex("z")).toBe(25);
    expect(columnIndex("AA")).toBe(26);
    expect(columnIndex("XFD")).toBe(16383);
    expect(cellAddress(0, 0)).toBe("A1");
    expect(cellAddress(1, 27)).toBe("AB2");
    expect(rangeAddress(1, 0, 3, 2)).toBe("A2:B4");
    expect(rangeAddress(4, 3, 1, 1)).toBe("D5");
    expect(() => rangeAddress(0, 0, 0, 1)).toThrow(RangeError);
  });

  it("reads the top-left cell of the addresses Excel gives", () => {
    expect(topLeft("Sheet1!A1:D12975")).toEqual({ row: 0, column: 0 });
    expect(topLeft("'My data'!$C$5:$F$9")).toEqual({ row: 4, column: 2 });
    expect(topLeft("Sheet1!B:D")).toEqual({ row: 0, column: 1 });
    expect(topLeft("Sheet1!3:7")).toEqual({ row: 2, column: 0 });
    expect(topLeft("E7")).toEqual({ row: 6, column: 4 });
    expect(topLeft("'It''s!'!AB10")).toEqual({ row: 9, column: 27 });
    expect(() => topLeft("Sheet1!")).toThrow(RangeError);
  });

  it("splits, quotes and joins sheet names", () => {
    expect(splitSheet("'It''s'!A1:B2")).toEqual({ sheet: "It's", cells: "A1:B2" });
    expect(splitSheet("A1")).toEqual({ sheet: null, cells: "A1" });
    expect(quoteSheetName("Sheet1")).toBe("Sheet1");
    expect(quoteSheetName("My data")).toBe("'My data'");
    expect(quoteSheetName("AB12")).toBe("'AB12'");
    expect(rectAddress("My data", { row: 1, column: 1, rowCount: 2, columnCount: 3 })).toBe("'My data'!B2:D3");
  });

  it("intersects rectangles", () => {
    const a = { row: 0, column: 0, rowCount: 1_048_576, columnCount: 4 }; // A:D
    const used = { row: 0, column: 0, rowCount: 181, columnCount: 3 };
    expect(intersectRects(a, used)).toEqual({ row: 0, column: 0, rowCount: 181, columnCount: 3 });
    expect(intersectRects({ row: 200, column: 0, rowCount: 5, columnCount: 5 }, used)).toBeNull();
  });
});

describe("sheet names", () => {
  it("keeps to Excel's rules", () => {
    expect(sanitizeSheetName("a/b\\c?d*e[f]g:h")).toBe("a_b_c_d_e_f_g_h");
    expect(sanitizeSheetName("'quoted'")).toBe("quoted");
    expect(sanitizeSheetName("x".repeat(40))).toHaveLength(31);
    expect(sanitizeSheetName("")).toBe("Sheet");
  });

  it("adds (2), (3), … to a taken name, without regard to case, within 31 characters", () => {
    expect(uniqueSheetName("HLM Summary", ["Sheet1"])).toBe("HLM Summary");
    expect(uniqueSheetName("HLM Summary", ["Sheet1", "HLM Summary"])).toBe("HLM Summary (2)");
    expect(uniqueSheetName("HLM Summary", ["hlm summary", "HLM Summary (2)"])).toBe("HLM Summary (3)");
    const long = "A very long result sheet name xx"; // 32 characters
    const first = uniqueSheetName(long, []);
    expect(first).toHaveLength(31);
    const second = uniqueSheetName(long, [first]);
    expect(second).toBe(`${long.slice(0, 27)} (2)`);
    expect(second).toHaveLength(31);
    expect(uniqueSheetName("History", [])).toBe("History (2)");
  });

  it("names several sheets apart from the workbook's and from each other", () => {
    expect(uniqueSheetNames(["HLM Summary", "HLM Random Effects", "HLM Summary"], ["HLM Summary", "HLM Summary (2)"])).toEqual([
      "HLM Summary (3)",
      "HLM Random Effects",
      "HLM Summary (4)",
    ]);
  });

  it("makes table names Excel accepts", () => {
    expect(tableName("HLM Summary (2)", "Fixed effects", "k3x9")).toBe("HLM_Summary_2_Fixed_effects_k3x9");
    expect(tableName("2024", undefined, "t")).toBe("HLM_2024_t");
    expect(tableName("HLM Shrinkage", "Shrinkage: Subject", "a1")).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
  });
});

describe("blocks", () => {
  it("splits a rectangle into blocks of whole rows within the cell limit", () => {
    const blocks = splitRect({ row: 10, column: 2, rowCount: 12_000, columnCount: 6 }, 5_000);
    expect(blocks.every((b) => b.rowCount * b.columnCount <= 5_000)).toBe(true);
    expect(blocks.reduce((s, b) => s + b.rowCount, 0)).toBe(12_000);
    expect(blocks[0]).toEqual({ row: 10, column: 2, rowCount: 833, columnCount: 6 });
    expect(blocks.at(-1)!.row + blocks.at(-1)!.rowCount).toBe(12_010);
    const wide = splitRect({ row: 0, column: 0, rowCount: 2, columnCount: 12 }, 5);
    expect(wide).toHaveLength(6);
    expect(wide.every((b) => b.rowCount === 1 && b.columnCount <= 5)).toBe(true);
  });

  it("splits a piece by cells and by bytes, and packs small pieces together", () => {
    const values = Array.from({ length: 12_000 }, (_, r) => [r, r * 2, `level ${r}`, 1.5, "", true]);
    const piece: WritePiece = { row: 1, column: 0, values, numberFormat: values.map(() => Array<string>(6).fill("0.00")) };
    const parts = splitPiece(piece);
    expect(parts.length).toBeGreaterThan(2);
    for (const p of parts) {
      const size = pieceSize(p);
      expect(size.cells).toBeLessThanOrEqual(WRITE_LIMITS.maxCells);
      expect(size.bytes).toBeLessThanOrEqual(WRITE_LIMITS.maxBytes);
    }
    expect(parts.flatMap((p) => p.values)).toEqual(values);
    expect(parts.map((p) => p.row)).toEqual(parts.map((_, i) => 1 + parts.slice(0, i).reduce((s, q) => s + q.values.length, 0)));

    const longText = Array.from({ length: 100 }, () => ["x".repeat(20_000)]);
    const byBytes = splitPiece({ row: 0, column: 0, values: longText });
    expect(byBytes.length).toBeGreaterThan(1);
    expect(byBytes.every((p) => pieceSize(p).bytes <= WRITE_LIMITS.maxBytes)).toBe(true);

    const small: WritePiece[] = [
      { row: 0, column: 0, values: [["Title"]] },
      { row: 1, column: 0, values: [["a", "b"], [1, 2]] },
    ];
    expect(packBatches(small)).toEqual([small]);
  });

  it("cuts a row wider than the limit into runs of columns", () => {
    const row = Array.from({ length: 12 }, (_, i) => i);
    const parts = splitPiece({ row: 3, column: 1, values: [row] }, { maxCells: 5, maxBytes: 1e9 });
    expect(parts.map((p) => [p.row, p.column, p.values[0]!.length])).toEqual([
      [3, 1, 5],
      [3, 6, 5],
      [3, 11, 2],
    ]);
  });
});

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
