/// <reference types="office-js" />
// Writes sheet tables to Excel; core's `resultTables.ts` (the three shared with the CLI) and `../common/sheetTables.ts` build them.
/**
 * Writes sheet tables (`HLM Summary`, `HLM Random Effects`, `HLM Shrinkage`, `HLM Diagnostics`,
 * `HLM Comparison`) to new worksheets: never over a sheet that exists (a taken name gets ` (2)`,
 * ` (3)`, …), each section an Excel table with its number formats, with the sheet's scatter charts.
 * Where everything goes is planned without Office (`../common/sheet/planSheet.ts`); cells go in
 * batches, one `context.sync` each (`../common/sheet/blocks.ts`), so that a table of 100,000 rows
 * stays within Excel's payload limits. The section titles go last, after the columns are autofitted
 * to the tables, so that a long title does not make its column as wide as itself.
 *
 * Nothing of the user's is touched: every write goes to a sheet this call added. If anything fails
 * half-way, the sheets this call added are deleted again, found by their ids (a sheet the user made
 * or renamed meanwhile is never deleted), and the sheet that was active before is activated again:
 * the workbook is left as it was, or the error names the sheets that could not be removed.
 */
import { HlmError } from "@hlm/core";
import { cellAddress, type CellRect } from "../common/sheet/addresses.js";
import { batches, WRITE_LIMITS, type BlockLimits, type WritePiece } from "../common/sheet/blocks.js";
import { planSheet, TABLE_STYLE, type SheetPlan } from "../common/sheet/planSheet.js";
import { tableName, uniqueSheetNames } from "../common/sheet/sheetNames.js";
import type { SheetTable } from "../common/sheetTables.js";

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

/** What a write did to the workbook so far: what to undo if it fails. */
interface Undo {
  /** The sheet that was active before (its id), once known. */
  activeId: string | null;
  /** Names of the sheets before the write. */
  existing: string[] | null;
  /** The sheets this call added: the name asked for, and the id once Excel confirmed the sheet. */
  added: { name: string; id: string | null }[];
}

/**
 * Writes each table to a new worksheet and activates the first. Returns the names the sheets got.
 * On failure the sheets added so far are removed and an HlmError (code INTERNAL) says what failed.
 */
export async function writeSheetTables(tables: readonly SheetTable[], options: WriteOptions = {}): Promise<{ sheetNames: string[] }> {
  const limits = options.limits ?? WRITE_LIMITS;
  const token = options.tableToken ?? Date.now().toString(36).slice(-6);
  const undo: Undo = { activeId: null, existing: null, added: [] };
  try {
    return await Excel.run(async (context) => {
      const worksheets = context.workbook.worksheets;
      worksheets.load("items/name");
      const active = worksheets.getActiveWorksheet();
      active.load("id");
      await context.sync();
      undo.activeId = active.id;
      undo.existing = worksheets.items.map((s) => s.name);
      const names = uniqueSheetNames(
        tables.map((t) => t.sheetName),
        undo.existing,
      );
      // one sheet per sync, its id loaded: a failure leaves no doubt which sheets are ours
      const sheets: Excel.Worksheet[] = [];
      for (const name of names) {
        const sheet = worksheets.add(name);
        sheet.load("id");
        const entry: Undo["added"][number] = { name, id: null };
        undo.added.push(entry);
        await context.sync();
        entry.id = sheet.id;
        sheets.push(sheet);
      }

      for (let i = 0; i < tables.length; i++) {
        const sheet = sheets[i]!;
        // each sheet is laid out when its turn comes, and its cells cut into batches as they are sent,
        // so that no single task of the page lays out and cuts a large table all at once
        const plan = planSheet(tables[i]!, { chart: options.chart ?? true });
        await writePieces(context, sheet, plan.pieces, limits);
        format(sheet, plan, names[i]!, token);
        await context.sync();
        // the titles once the columns are autofitted: they run on into the empty cells beside them
        // rather than widening their column to their length
        await writePieces(context, sheet, plan.labels, limits);
      }
      if (sheets.length > 0) {
        sheets[0]!.activate();
        await context.sync();
      }
      return { sheetNames: names };
    });
  } catch (e) {
    const { removed, left } = await rollBack(undo);
    let what = "";
    if (removed.length > 0) what += `; the sheets it had added (${removed.join(", ")}) were removed`;
    if (left.length > 0) what += `; Excel did not let it remove the sheets it had added (${left.join(", ")}), so delete them`;
    const err = new HlmError("INTERNAL", `Excel could not write the result sheets (${messageOf(e).replace(/[.\s]+$/, "")})${what}.`);
    err.cause = e;
    throw err;
  }
}
/** Writes cells in batches within Excel's payload limits, a sync each. */
async function writePieces(context: Excel.RequestContext, sheet: Excel.Worksheet, pieces: readonly WritePiece[], limits: BlockLimits): Promise<void> {
  for (const batch of batches(pieces, limits)) {
    for (const piece of batch) {
      const range = sheet.getRangeByIndexes(piece.row, piece.column, piece.values.length, piece.values[0]!.length);
      range.values = piece.values;
      if (piece.numberFormat) range.numberFormat = piece.numberFormat;
    }
    await context.sync();
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
  for (const c of plan.charts) {
    const chart = sheet.charts.add("XYScatter", rangeOf(sheet, c.source), "Columns");
    chart.title.text = c.title;
    chart.setPosition(cellAddress(c.anchor.row, c.anchor.column));
  }
  if (plan.chart) {
    const chart = sheet.charts.add("XYScatter", rangeOf(sheet, plan.chart.source), "Columns");
    chart.title.text = plan.chart.title;
    chart.setPosition(cellAddress(plan.chart.anchor.row, plan.chart.anchor.column));
  }
}

/**
 * Undoes a write that failed, in a fresh `Excel.run`: deletes the sheets it added, found by their
 * ids, and activates the sheet that was active before. A sheet whose add Excel did not confirm (the
 * sync failed) is deleted only if a sheet of that name that was not there before is there now and
 * holds no values: a sheet the user made meanwhile under that name is never deleted. Returns the
 * names of the sheets it removed, and of those (confirmed ours) it could not remove.
 */
async function rollBack(undo: Undo): Promise<{ removed: string[]; left: string[] }> {
  const before = new Set((undo.existing ?? []).map((n) => n.toLocaleUpperCase()));
  const ours = undo.added.filter((a) => a.id !== null);
  const unsure = undo.added.filter((a) => a.id === null && !before.has(a.name.toLocaleUpperCase()));
  if (ours.length === 0 && unsure.length === 0) return { removed: [], left: [] };
  try {
    return await Excel.run(async (context) => {
      const worksheets = context.workbook.worksheets;
      const known = ours.map((a) => worksheets.getItemOrNullObject(a.id!));
      const maybe = unsure.map((a) => {
        const sheet = worksheets.getItemOrNullObject(a.name);
        return { sheet, used: sheet.getUsedRangeOrNullObject(true) };
      });
      const active = undo.activeId === null ? null : worksheets.getItemOrNullObject(undo.activeId);
      for (const sheet of known) sheet.load("name");
      for (const m of maybe) {
        m.sheet.load("name");
        m.used.load("address");
      }
      active?.load("id");
      await context.sync();
      const doomed = [...known.filter((sheet) => !sheet.isNullObject), ...maybe.filter((m) => !m.sheet.isNullObject && m.used.isNullObject).map((m) => m.sheet)];
      const names = doomed.map((sheet) => sheet.name);
      if (active !== null && !active.isNullObject) active.activate();
      for (const sheet of doomed) sheet.delete();
      await context.sync();
      return { removed: names, left: [] };
    });
  } catch {
    return { removed: [], left: ours.map((a) => a.name) };
  }
}
