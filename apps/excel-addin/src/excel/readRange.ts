/// <reference types="office-js" />
/**
 * Reads the data the user points at: the current selection or the used range of the active sheet,
 * values as Excel gives them (`Range.values`: numbers as numbers, text as text, "" for empty cells).
 * A selection is clipped to the sheet's used range of values (selecting whole columns does not read a
 * million empty rows, nor rows that are only formatted), and a large range is read in blocks, one
 * `context.sync` each. Nothing here writes to the workbook: ranges are only loaded.
 */
import { HlmError } from "@hlm/core";
import { intersectRects, rectAddress, splitSheet, topLeft, type CellRect } from "../common/sheet/addresses.js";
import { READ_MAX_CELLS, splitRect } from "../common/sheet/blocks.js";

export interface RangeData {
  /** The address of the cells read, with the sheet (`Sheet1!A1:D12975`). */
  address: string;
  /** The values, a row per sheet row. */
  values: unknown[][];
}

/** The rectangle of a loaded range. */
const rectOf = (r: Excel.Range): CellRect => ({ ...topLeft(r.address), rowCount: r.rowCount, columnCount: r.columnCount });

/** Reads a range (and the active sheet's used range) in one `Excel.run`; see the module comment. */
async function readClipped(pick: (context: Excel.RequestContext) => Excel.Range, maxCells: number): Promise<RangeData> {
  return Excel.run(async (context) => {
    const sheet = context.workbook.worksheets.getActiveWorksheet();
    const range = pick(context);
    const used = sheet.getUsedRange(true); // cells with values; formatted blank rows below the data are not read
    range.load("address,rowCount,columnCount");
    used.load("address,rowCount,columnCount");
    await context.sync();

    const whole = rectOf(range);
    const cells = intersectRects(whole, rectOf(used));
    if (cells === null) return { address: range.address, values: [] };
    const same = cells.row === whole.row && cells.column === whole.column && cells.rowCount === whole.rowCount && cells.columnCount === whole.columnCount;
    const address = same ? range.address : rectAddress(splitSheet(range.address).sheet, cells);

    if (same && cells.rowCount * cells.columnCount <= maxCells) {
      range.load("address,values,rowCount,columnCount");
      await context.sync();
      return { address, values: range.values };
    }
    const values = new Array<unknown[]>(cells.rowCount);
    for (const block of splitRect(cells, maxCells)) {
      const part = sheet.getRangeByIndexes(block.row, block.column, block.rowCount, block.columnCount);
      part.load("values");
      await context.sync();
      const whole = block.columnCount === cells.columnCount; // blocks of whole rows: take Excel's rows as they are
      part.values.forEach((row, r) => {
        const i = block.row - cells.row + r;
        if (whole) values[i] = row;
        else (values[i] ??= []).push(...row);
      });
    }
    return { address, values };
  });
}

/** Excel's error for a selection of several areas, as a message for the person at the sheet. */
function explain(e: unknown): unknown {
  const code = typeof e === "object" && e !== null && "code" in e ? String((e as { code: unknown }).code) : "";
  if (code === "InvalidSelection" || code === "InvalidOperationInCellEditMode") {
    const msg =
      code === "InvalidSelection"
        ? "Select one block of cells (the data with its header row): Excel cannot read several selected areas at once."
        : "Finish editing the cell (press Enter or Esc) and try again.";
    const err = new HlmError("DATA", msg);
    err.cause = e;
    return err;
  }
  return e;
}

/** The current selection (clipped to the used range of its sheet), values as Excel gives them. */
export async function readSelectedRange(options: { maxCells?: number } = {}): Promise<RangeData> {
  try {
    return await readClipped((context) => context.workbook.getSelectedRange(), options.maxCells ?? READ_MAX_CELLS);
  } catch (e) {
    throw explain(e);
  }
}

/** The used range of the active sheet, values as Excel gives them. */
export async function readUsedRange(options: { maxCells?: number } = {}): Promise<RangeData> {
  try {
    return await readClipped((context) => context.workbook.worksheets.getActiveWorksheet().getUsedRange(true), options.maxCells ?? READ_MAX_CELLS);
  } catch (e) {
    throw explain(e);
  }
}
