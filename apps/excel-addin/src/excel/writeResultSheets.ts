/// <reference types="office-js" />
/**
 * Writes result tables (`HLM Summary`, `HLM Random Effects`, `HLM Shrinkage`) to new worksheets:
 * never over a sheet that exists (a taken name gets ` (2)`, ` (3)`, …), each section an Excel table
 * with its number formats, the shrinkage sheet with its scatter chart. Cells go in batches, one
 * `context.sync` each (see `blocks.ts`), so that a table of 100,000 rows stays within Excel's payload
 * limits. If anything fails, the sheets this call added are deleted again.
 */
import { HlmError, type ResultTable } from "@hlm/core";
import { cellAddress, type CellRect } from "./addresses.js";
import { batches, WRITE_LIMITS, type BlockLimits } from "./blocks.js";
import { planSheet, TABLE_STYLE, type SheetPlan } from "./layout.js";
import { tableName, uniqueSheetNames } from "./sheetNames.js";

export interface WriteOptions {
  /** The scatter chart on the shrinkage sheet (default true). */
  chart?: boolean;
  /** Limits of one batch (default: 5,000 cells, about 1 MB). */
  limits?: BlockLimits;
  /** Ends the names of the new Excel tables, keeping them apart from tables of earlier runs (default: from the clock). */
  tableToken?: string;
}

const rangeOf = (sheet: Excel.Worksheet, r: CellRect): Excel.Range => sheet.getRangeByIndexes(r.row, r.column, r.rowCount, r.columnCount);

/** The text of an error from Excel or elsewhere. */
function messageOf(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === "object" && e !== null && "message" in e) return String((e as { message: unknown }).message);
  return String(e);
}

/**
 * Writes each table to a new worksheet and activates the first. Returns the names the sheets got.
 * On failure the sheets added so far are removed and an HlmError (code INTERNAL) says what failed.
 */
export async function writeResultSheets(tables: ResultTable[], options: WriteOptions = {}): Promise<{ sheetNames: string[] }> {
  const limits = options.limits ?? WRITE_LIMITS;
  const token = options.tableToken ?? Date.now().toString(36).slice(-6);
  let existing: string[] | null = null;
  let names: string[] = [];
  try {
    return await Excel.run(async (context) => {
      const worksheets = context.workbook.worksheets;
      worksheets.load("items/name");
      await context.sync();
      existing = worksheets.items.map((s) => s.name);
      names = uniqueSheetNames(
        tables.map((t) => t.sheetName),
        existing,
      );
      const sheets = names.map((name) => worksheets.add(name));
      await context.sync();

      for (let i = 0; i < tables.length; i++) {
        const sheet = sheets[i]!;
        // each sheet is laid out when its turn comes, and its cells cut into batches as they are sent,
        // so that no single task of the page lays out and cuts a large table all at once
        const plan = planSheet(tables[i]!, { chart: options.chart ?? true });
        for (const batch of batches(plan.pieces, limits)) {
          for (const piece of batch) {
            const range = sheet.getRangeByIndexes(piece.row, piece.column, piece.values.length, piece.values[0]!.length);
            range.values = piece.values;
            if (piece.numberFormat) range.numberFormat = piece.numberFormat;
          }
          await context.sync();
        }
        format(sheet, plan, names[i]!, token);
        await context.sync();
      }
      if (sheets.length > 0) {
        sheets[0]!.activate();
        await context.sync();
      }
      return { sheetNames: names };
    });
  } catch (e) {
    const removed = existing === null ? [] : await removeSheets(names, existing);
    const what = removed.length > 0 ? ` The sheets it had added (${removed.join(", ")}) were removed.` : "";
    const err = new HlmError("INTERNAL", `Excel could not write the result sheets: ${messageOf(e).replace(/[.\s]+$/, "")}.${what}`);
    err.cause = e;
    throw err;
  }
}

/** Tables, styles, bold titles, autofit and the chart of one sheet (sent with the next sync). */
function format(sheet: Excel.Worksheet, plan: SheetPlan, sheetName: string, token: string): void {
  for (const r of plan.bold) rangeOf(sheet, r).format.font.bold = true;
  plan.sections.forEach((s) => {
    const table = sheet.tables.add(rangeOf(sheet, s.table), true);
    table.name = tableName(sheetName, s.section.title, token);
    table.style = TABLE_STYLE;
  });
  rangeOf(sheet, plan.used).format.autofitColumns();
  if (plan.chart) {
    const chart = sheet.charts.add("XYScatter", rangeOf(sheet, plan.chart.source), "Columns");
    chart.title.text = plan.chart.title;
    chart.setPosition(cellAddress(plan.chart.anchor.row, plan.chart.anchor.column));
  }
}

/**
 * Deletes the sheets among `names` that were not among `existing` before (those this call added),
 * in a fresh `Excel.run`. Returns the names it deleted; failures here are swallowed (the error that
 * led here is the one to report).
 */
async function removeSheets(names: readonly string[], existing: readonly string[]): Promise<string[]> {
  const before = new Set(existing.map((n) => n.toLocaleUpperCase()));
  const ours = new Set(names.filter((n) => !before.has(n.toLocaleUpperCase())).map((n) => n.toLocaleUpperCase()));
  if (ours.size === 0) return [];
  try {
    return await Excel.run(async (context) => {
      const worksheets = context.workbook.worksheets;
      worksheets.load("items/name");
      await context.sync();
      const doomed = worksheets.items.filter((s) => ours.has(s.name.toLocaleUpperCase()));
      const deleted = doomed.map((s) => s.name);
      for (const s of doomed) s.delete();
      await context.sync();
      return deleted;
    });
  } catch {
    return [];
  }
}
