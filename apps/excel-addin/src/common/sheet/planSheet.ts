/**
 * Where a result table goes on its sheet, without Office: the sections one below the other (a bold
 * title line, the header and rows as an Excel table, a blank line), the cells as Excel is to get
 * them, and for the shrinkage sheet the data and place of the OLS-against-BLUP scatter chart: the
 * plan (`planSheet`) that `../../excel/writeSheetTables.ts` carries out in Excel.
 */
import type { Cell, ResultSection } from "@hlm/core";
import type { SheetSection, SheetTable } from "../sheetTables.js";
import type { CellRect } from "./addresses.js";
import type { WritePiece } from "./blocks.js";

/** A value as written to `Range.values`. */
export type ExcelValue = string | number | boolean;

/** Excel's number format for "no format". */
export const GENERAL = "General";

/** The table style of the result tables. */
export const TABLE_STYLE = "TableStyleMedium2";

/**
 * A cell as it is to be written: blank (null, NaN, ±Infinity) as "", numbers and truth values as
 * they are. Text that is a number written the way JavaScript writes it (a level label "308") becomes
 * that number, as Excel would make it anyway; other text that Excel would read as a formula, number,
 * date or truth value (`=x`, `-a`, `01`, `1/2`, `TRUE`, `(5)`) gets a leading apostrophe, Excel's
 * mark for "this is text", so that the cell shows the text as it is.
 */
export function toExcelValue(cell: Cell | undefined): ExcelValue {
  if (cell === null || cell === undefined) return "";
  if (typeof cell === "number") return Number.isFinite(cell) ? cell : "";
  if (typeof cell === "boolean") return cell;
  if (/^-?\d/.test(cell) && Number.isFinite(Number(cell)) && String(Number(cell)) === cell) return Number(cell);
  return needsTextPrefix(cell) ? `'${cell}` : cell;
}

/** Whether Excel would turn this text into something else when it is written as a value. */
export function needsTextPrefix(s: string): boolean {
  if (s.length === 0) return false;
  if (s.startsWith("'")) return true; // the apostrophe itself would be taken as the prefix
  if (/^[=+\-@]/.test(s) && s.length > 1) return true;
  const t = s.trim();
  if (/^[-+]?(\d[\d,]*(\.\d*)?|\.\d+)(e[-+]?\d+)?%?$/i.test(t)) return true; // numbers, 1,000, 5%, 1e3
  if (/^\(\d[\d,.]*\)$/.test(t)) return true; // (5): a negative number in accounting style
  if (/^[$€£¥]\s?\d/.test(t)) return true; // currency
  if (/^(true|false)$/i.test(t)) return true;
  if (/^\d{1,4}[/\-.]\d{1,2}([/\-.]\d{1,4})?$/.test(t)) return true; // dates such as 1/2, 2024-01-31
  if (/^\d{1,2}[\-\s](jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)/i.test(t)) return true; // 1-Jan
  if (/^(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*[\-\s]\d/i.test(t)) return true; // Jan-24
  if (/^\d{1,2}:\d{2}/.test(t)) return true; // times
  return false;
}

/** The place of one section on its sheet. */
export interface SectionPlacement {
  /** The row of the bold title line, or null for a section without a title. */
  titleRow: number | null;
  /** The table: its header row and data rows (at least one data row, blank when the section has none). */
  table: CellRect;
  section: ResultSection;
}

/** The scatter chart of the shrinkage sheet: its helper data (group, OLS, BLUP) and its place. */
export interface ChartPlacement {
  title: string;
  /** The helper block: a title line, then a header row and a row per group that has both estimates. */
  titleRow: number;
  data: CellRect;
  /** The chart's source: the OLS and BLUP columns of the helper block, header row included. */
  source: CellRect;
  /** The cell the chart's top-left corner goes to (0-based). */
  anchor: { row: number; column: number };
  /** The OLS and BLUP column names (e.g. "OLS Days", "BLUP Days"). */
  x: string;
  y: string;
}

/** A scatter chart of a sheet's `charts`: its title, its source (two columns, header row included: x then y) and its place. */
export interface ChartPlan {
  title: string;
  source: CellRect;
  anchor: { row: number; column: number };
}

/** Rows between the tops of charts stacked one below the other (a default chart is about 15 rows high). */
export const CHART_ROWS = 18;

/** Everything the Office layer needs to write one result sheet. */
export interface SheetPlan {
  /** The scatter charts the sheet asks for (`SheetTable.charts`), beside its data. */
  charts: ChartPlan[];
  sections: SectionPlacement[];
  /** The cells to write, in order: the tables (and the shrinkage chart's data). */
  pieces: WritePiece[];
  /**
   * The section titles (and the chart data's title), written after the columns are autofitted: a
   * title is longer than most cells of its column (`Variance function: Different standard deviations
   * per stratum, ~1 | Sex`), and would make column A as wide as itself; written after, it runs on into
   * the empty cells beside it.
   */
  labels: WritePiece[];
  /** Cells to make bold (titles, the helper block's header). */
  bold: CellRect[];
  /** The area whose columns are autofitted. */
  used: CellRect;
  chart: ChartPlacement | null;
}

/** The number formats of a row: a section's per-column formats, General where none is given. */
export function formatRow(formats: readonly (string | null)[] | undefined, width: number): string[] {
  return Array.from({ length: width }, (_, c) => formats?.[c] ?? GENERAL);
}

/**
 * The columns of a shrinkage section that the chart plots: the OLS and BLUP estimates of the first
 * slope (`OLS Days`, `BLUP Days`), or of the intercept when the model has no random slope; null
 * when the section has no such pair.
 */
export function shrinkageChartColumns(section: ResultSection): { x: number; y: number; effect: string } | null {
  const effects = section.header.filter((h) => h.startsWith("OLS ")).map((h) => h.slice(4));
  const pairs = effects
    .map((effect) => ({ effect, x: section.header.indexOf(`OLS ${effect}`), y: section.header.indexOf(`BLUP ${effect}`) }))
    .filter((p) => p.x >= 0 && p.y >= 0);
  return pairs.find((p) => p.effect !== "(Intercept)") ?? pairs[0] ?? null;
}

/** The rows of the chart's helper block: group label, OLS and BLUP estimate, for groups that have both. */
export function chartRows(section: ResultSection, cols: { x: number; y: number }): Cell[][] {
  const out: Cell[][] = [];
  for (const row of section.rows) {
    const x = row[cols.x];
    const y = row[cols.y];
    if (typeof x === "number" && Number.isFinite(x) && typeof y === "number" && Number.isFinite(y)) out.push([row[0] ?? null, x, y]);
  }
  return out;
}

/**
 * The plan of a result sheet. Sections start in column A, one below the other: a title line (bold,
 * in `labels`: written once the columns are autofitted), the header and the rows (to become an Excel
 * table), then a blank line. With `chart`, a shrinkage
 * sheet (a section whose header has `OLS …` and `BLUP …` columns) gets a helper block one column
 * right of the widest table (title, then group, OLS and BLUP for the groups with both estimates) and
 * the scatter chart's anchor two columns right of that. A sheet `arrangement: "across"` has its
 * sections side by side instead (each from the top row, a blank column between); the sheet's `charts`
 * are scatter charts of two adjacent columns of a section, anchored one column right of the data,
 * one below the other.
 */
export function planSheet(table: SheetTable, options: { chart?: boolean } = {}): SheetPlan {
  const sections: SectionPlacement[] = [];
  const pieces: WritePiece[] = [];
  const labels: WritePiece[] = [];
  const bold: CellRect[] = [];
  const across = table.arrangement === "across";
  let row = 0;
  let width = 1;
  /** across: the next section's column, and the rows the tallest section takes */
  let column = 0;
  let bottom = 0;
  for (const section of table.sections) {
    const w = Math.max(1, section.header.length);
    width = Math.max(width, w);
    let top = across ? 0 : row;
    const left = across ? column : 0;
    let titleRow: number | null = null;
    if (section.title !== undefined && section.title !== "") {
      titleRow = top;
      labels.push({ row: top, column: left, values: [[toExcelValue(section.title)]], numberFormat: [[GENERAL]] });
      bold.push({ row: top, column: left, rowCount: 1, columnCount: 1 });
      top++;
    }
    const header = Array.from({ length: w }, (_, c) => toExcelValue(section.header[c] ?? `Column ${c + 1}`));
    const fmt = formatRow(section.numberFormats, w);
    // plain loops: a section can have a row per group (thousands), and this runs on the page's thread
    const values: ExcelValue[][] = new Array<ExcelValue[]>(section.rows.length + 1);
    const numberFormat: string[][] = new Array<string[]>(section.rows.length + 1);
    values[0] = header;
    numberFormat[0] = formatRow(undefined, w);
    const ready = (section as SheetSection).cellsReady === true;
    for (let i = 0; i < section.rows.length; i++) {
      const r = section.rows[i]!;
      numberFormat[i + 1] = fmt;
      if (ready && r.length === w) {
        values[i + 1] = r as ExcelValue[]; // already Excel's cells (see SheetSection), and never changed here
        continue;
      }
      const out = new Array<ExcelValue>(w);
      for (let c = 0; c < w; c++) out[c] = toExcelValue(r[c]);
      values[i + 1] = out;
    }
    pieces.push({ row: top, column: left, values, numberFormat });
    const rect = { row: top, column: left, rowCount: 1 + Math.max(1, section.rows.length), columnCount: w };
    sections.push({ titleRow, table: rect, section });
    row = top + rect.rowCount + 1;
    column = left + w + 1;
    bottom = Math.max(bottom, top + rect.rowCount);
  }
  if (across) {
    width = Math.max(1, column - 1);
    row = bottom + 1;
  }
  const charts: ChartPlan[] = (options.chart === false ? [] : (table.charts ?? [])).flatMap((c, k): ChartPlan[] => {
    const p = sections[c.section];
    if (!p || c.x < 0 || c.x + 1 >= p.table.columnCount || p.section.rows.length === 0) return [];
    return [{ title: c.title, source: { row: p.table.row, column: p.table.column + c.x, rowCount: p.table.rowCount, columnCount: 2 }, anchor: { row: k * CHART_ROWS, column: width + 1 } }];
  });
  const usedRows = Math.max(1, row - 1);
  let usedColumns = width;

  let chart: ChartPlacement | null = null;
  const shrink = options.chart === false ? undefined : sections.find((s) => shrinkageChartColumns(s.section) !== null);
  if (shrink) {
    const cols = shrinkageChartColumns(shrink.section)!;
    const rows = chartRows(shrink.section, cols);
    if (rows.length > 0) {
      const column = width + 1;
      const titleRow = shrink.titleRow ?? Math.max(0, shrink.table.row - 1);
      const x = shrink.section.header[cols.x]!;
      const y = shrink.section.header[cols.y]!;
      const what = cols.effect === "(Intercept)" ? "intercepts" : `slopes of ${cols.effect}`;
      const title = `Shrinkage of the ${what}: BLUP against OLS`;
      const groupHeader = shrink.section.header[0] ?? "Group";
      const estimate = shrink.section.numberFormats?.[cols.x] ?? "0.0000";
      labels.push({ row: titleRow, column, values: [[toExcelValue(`Chart data: ${x} and ${y}`)]], numberFormat: [[GENERAL]] });
      bold.push({ row: titleRow, column, rowCount: 1, columnCount: 1 });
      const dataRow = shrink.table.row;
      pieces.push({
        row: dataRow,
        column,
        values: [[groupHeader, x, y].map(toExcelValue), ...rows.map((r) => r.map(toExcelValue))],
        numberFormat: [[GENERAL, GENERAL, GENERAL], ...rows.map(() => [GENERAL, estimate, estimate])],
      });
      bold.push({ row: dataRow, column, rowCount: 1, columnCount: 3 });
      const data = { row: dataRow, column, rowCount: rows.length + 1, columnCount: 3 };
      chart = {
        title,
        titleRow,
        data,
        source: { row: dataRow, column: column + 1, rowCount: rows.length + 1, columnCount: 2 },
        anchor: { row: dataRow, column: column + 4 },
        x,
        y,
      };
      usedColumns = column + 3;
    }
  }
  return { sections, pieces, labels, bold, charts, used: { row: 0, column: 0, rowCount: Math.max(usedRows, chart ? chart.data.row + chart.data.rowCount : 0), columnCount: usedColumns }, chart };
}
