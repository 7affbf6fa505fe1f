/**
 * Writes result tables (`@hlm/core`'s summaryTable, randomEffectsTable, shrinkageResultTable) as an
 * Excel workbook with exceljs. The tables decide their rows, columns and number formats; this file
 * only lays them out: one worksheet per table, its sections one below the other with a blank row
 * between, each section a bold title line above a formatted Excel table (header row, light style).
 */
import type ExcelJS from "exceljs";
import { loadExcelJs } from "./loadExcelJs.js";
import { HlmError, type Cell, type ResultSection, type ResultTable } from "@hlm/core";

/** The Excel table style of every section: light, with a ruled header and banded rows. */
export const TABLE_STYLE = "TableStyleLight1";

/** Column widths (in characters) are fitted to the content, within these bounds. */
const MIN_WIDTH = 8;
const MAX_WIDTH = 60;

/** Text in a section's last column wider than this spills into the empty cells to its right instead. */
const SPILL_WIDTH = 24;

const THIN = { style: "thin" } as const;
/** The workbook's body font (exceljs's default), made bold: without a name, readers pick a serif font. */
const BOLD = { name: "Calibri", family: 2, size: 11, bold: true } as const;

/**
 * Writes `tables` to the workbook file `path` (replacing it if it exists). Throws HlmError("DATA")
 * when the file cannot be written (no such folder, permission denied, open in another program).
 */
export async function writeXlsx(path: string, tables: ResultTable[]): Promise<void> {
  const workbook = await buildWorkbook(tables);
  try {
    await workbook.xlsx.writeFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT" ? "its folder does not exist" : code === "EISDIR" ? "it is a directory" : code === "EACCES" || code === "EPERM" ? "permission denied" : code === "EBUSY" ? "it is open in another program" : "it cannot be written";
    throw new HlmError("DATA", `Cannot write '${path}': ${why}.`);
  }
}

/** The workbook of `tables`, in memory: one worksheet per table, in the order given. */
export async function buildWorkbook(tables: ResultTable[]): Promise<ExcelJS.Workbook> {
  const workbook = new (await loadExcelJs()).Workbook();
  workbook.creator = "hlm";
  workbook.created = new Date();
  const tableNames = new Set<string>();
  for (const table of tables) addSheet(workbook, table, tableNames);
  return workbook;
}

/** Adds one result table as a worksheet. `tableNames` collects the Excel table names used so far. */
function addSheet(workbook: ExcelJS.Workbook, table: ResultTable, tableNames: Set<string>): void {
  const oneSection = table.sections.length === 1 && table.sections[0]!.rows.length > 0;
  const sheet = workbook.addWorksheet(table.sheetName, {
    pageSetup: { orientation: "landscape", fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
  });
  if (oneSection) {
    // A sheet holding one long table keeps its title and header in view while scrolling.
    const headerRow = table.sections[0]!.title === undefined ? 1 : 2;
    sheet.views = [{ state: "frozen", xSplit: 0, ySplit: headerRow }];
    sheet.pageSetup.printTitlesRow = `1:${headerRow}`; // and on every printed page
  }
  const widths: number[] = [];
  let row = 1;
  table.sections.forEach((section, s) => {
    if (s > 0) row++; // a blank row between sections
    if (section.title !== undefined) {
      const cell = sheet.getCell(row, 1);
      cell.value = section.title;
      cell.font = { ...BOLD, size: 12 };
      row++;
    }
    writeSection(sheet, section, row, uniqueTableName(table.sheetName, section.title ?? `Table ${s + 1}`, tableNames));
    measure(section, widths);
    row += 1 + section.rows.length;
  });
  widths.forEach((w, j) => {
    sheet.getColumn(j + 1).width = Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, w + 2));
  });
}

/**
 * Writes a section's header at row `top` and its rows below it, as an Excel table named `name`
 * when Excel allows one (at least one row, distinct non-blank headers), else as a plain range
 * with the same look: bold header with a rule below it.
 */
function writeSection(sheet: ExcelJS.Worksheet, section: ResultSection, top: number, name: string): void {
  const { header, rows } = section;
  const distinct = new Set(header.map((h) => h.trim().toLowerCase())).size === header.length && header.every((h) => h.trim() !== "");
  if (rows.length > 0 && distinct) {
    sheet.addTable({
      name,
      ref: sheet.getCell(top, 1).address,
      headerRow: true,
      totalsRow: false,
      style: { theme: TABLE_STYLE, showRowStripes: true, showFirstColumn: false, showLastColumn: false, showColumnStripes: false },
      columns: header.map((h) => ({ name: h, filterButton: false })),
      rows: rows.map((r) => header.map((_, j) => excelValue(r[j]))),
    });
  } else {
    header.forEach((h, j) => (sheet.getCell(top, j + 1).value = h));
    rows.forEach((r, i) => header.forEach((_, j) => (sheet.getCell(top + 1 + i, j + 1).value = excelValue(r[j]))));
  }
  // Explicit styles as well as the table style: LibreOffice and other readers ignore table styles.
  header.forEach((_, j) => {
    const kind = columnKind(section, j);
    const cell = sheet.getCell(top, j + 1);
    cell.font = BOLD;
    cell.border = { top: THIN, bottom: THIN };
    cell.alignment = { horizontal: kind === "number" ? "right" : "left" };
    // A column of text and numbers (the Model section's values) reads best aligned left throughout.
    if (kind === "mixed") for (let i = 0; i < rows.length; i++) sheet.getCell(top + 1 + i, j + 1).alignment = { horizontal: "left" };
  });
  section.numberFormats?.forEach((fmt, j) => {
    if (fmt === null) return;
    for (let i = 0; i < rows.length; i++) sheet.getCell(top + 1 + i, j + 1).numFmt = fmt;
  });
  const last = rows.length;
  if (last > 0) header.forEach((_, j) => (sheet.getCell(top + last, j + 1).border = { bottom: THIN }));
}

/** A result cell as an exceljs cell value (null stays a blank cell). */
function excelValue(c: Cell | undefined): string | number | boolean | null {
  return c === undefined ? null : c;
}

/** What column j of a section holds: only numbers, only text (or nothing), or both. */
function columnKind(section: ResultSection, j: number): "number" | "text" | "mixed" {
  let numbers = false;
  let text = false;
  for (const r of section.rows) {
    const v = r[j];
    if (v === null || v === undefined) continue;
    if (typeof v === "number") numbers = true;
    else text = true;
  }
  return numbers && text ? "mixed" : numbers ? "number" : "text";
}

/**
 * Widens `widths` (characters per column) to fit the section's header and its cells as Excel shows
 * them with their number formats. Titles are left out, and long text in the section's last column
 * counts as SPILL_WIDTH: they spill over the empty cells to their right (a formula, a warning).
 */
function measure(section: ResultSection, widths: number[]): void {
  const last = section.header.length - 1;
  const fit = (j: number, n: number): void => {
    widths[j] = Math.max(widths[j] ?? 0, n);
  };
  section.header.forEach((h, j) => fit(j, h.length));
  for (const r of section.rows) {
    r.forEach((v, j) => fit(j, j === last && typeof v === "string" ? Math.min(SPILL_WIDTH, v.length) : shownLength(v, section.numberFormats?.[j] ?? null)));
  }
}

/** The number of characters Excel shows for a cell value in a number format (approximately). */
export function shownLength(v: Cell | undefined, fmt: string | null): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === "boolean") return v ? 4 : 5;
  if (typeof v === "string") return v.length;
  if (fmt !== null) {
    const sci = /^0(?:\.(0+))?E\+00$/i.exec(fmt);
    if (sci) return v.toExponential(sci[1]?.length ?? 0).replace(/e([+-])(\d)$/, "e$10$2").length;
    const fixed = /^0(?:\.(0+))?$/.exec(fmt);
    if (fixed) return v.toFixed(fixed[1]?.length ?? 0).length;
  }
  // General: up to 11 characters (Excel rounds longer numbers to fit its default width)
  return Math.min(11, String(v).length);
}

/**
 * A workbook-wide unique Excel table name from the sheet and section titles: letters, digits and
 * underscores, starting with a letter (`HLM_Summary_Fixed_effects`).
 */
function uniqueTableName(sheetName: string, title: string, used: Set<string>): string {
  const clean = (s: string): string => s.replace(/[^A-Za-z0-9]+/g, "_").replace(/^_+|_+$/g, "");
  const base = `${clean(sheetName)}_${clean(title) || "Table"}`.slice(0, 200);
  let name = base;
  for (let k = 2; used.has(name.toLowerCase()); k++) name = `${base}_${k}`;
  used.add(name.toLowerCase());
  return name;
}
