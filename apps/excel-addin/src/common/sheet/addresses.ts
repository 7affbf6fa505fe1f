/**
 * A1-style address arithmetic for the Office layer, without Office: 0-based row and column indexes
 * to and from addresses such as `Sheet1!$B$2:$D$40`.
 */
import { columnLetter } from "../rangeToTable.js";

export { columnLetter };

/** Excel's grid: 1,048,576 rows by 16,384 columns (A…XFD). */
export const MAX_ROWS = 1_048_576;
export const MAX_COLUMNS = 16_384;

/** The 0-based index of column letters: A → 0, Z → 25, AA → 26, XFD → 16383. */
export function columnIndex(letters: string): number {
  const s = letters.toUpperCase();
  if (!/^[A-Z]{1,3}$/.test(s)) throw new RangeError(`'${letters}' is not a column name`);
  let n = 0;
  for (const ch of s) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

/** The address of one cell: (0, 0) → "A1", (1, 27) → "AB2". */
export function cellAddress(row: number, column: number): string {
  return `${columnLetter(column)}${row + 1}`;
}

/** The address of a block of cells: (1, 0, 3, 2) → "A2:B4"; a single cell is "A2". */
export function rangeAddress(row: number, column: number, rowCount: number, columnCount: number): string {
  if (rowCount < 1 || columnCount < 1) throw new RangeError(`a range has at least one row and one column, not ${rowCount}×${columnCount}`);
  const first = cellAddress(row, column);
  return rowCount === 1 && columnCount === 1 ? first : `${first}:${cellAddress(row + rowCount - 1, column + columnCount - 1)}`;
}

/** A sheet name as it stands before `!` in an address: quoted ('My data') unless it is a plain word. */
export function quoteSheetName(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_.]*$/.test(name) && !/^[A-Za-z]{1,3}\d+$/.test(name) ? name : `'${name.replace(/'/g, "''")}'`;
}

/** The parts of an address: the sheet (unquoted, or null when the address has none) and the cells after `!`. */
export function splitSheet(address: string): { sheet: string | null; cells: string } {
  const bang = address.lastIndexOf("!");
  if (bang < 0) return { sheet: null, cells: address };
  let sheet = address.slice(0, bang);
  if (sheet.startsWith("'") && sheet.endsWith("'") && sheet.length >= 2) sheet = sheet.slice(1, -1).replace(/''/g, "'");
  return { sheet, cells: address.slice(bang + 1) };
}

/**
 * The top-left cell (0-based) of a range address as Excel gives it: `Sheet1!A1:D10`, `'My data'!$B$2`,
 * whole columns `Sheet1!A:D` (row 0), whole rows `Sheet1!3:7` (column 0). Only the first area of a
 * multi-area address counts.
 */
export function topLeft(address: string): { row: number; column: number } {
  const { cells } = splitSheet(address);
  const first = cells.split(",")[0]!.split(":")[0]!.replace(/\$/g, "").trim();
  const m = /^([A-Za-z]{0,3})(\d*)$/.exec(first);
  if (!m || (m[1] === "" && m[2] === "")) throw new RangeError(`'${address}' is not a range address`);
  return { row: m[2] === "" ? 0 : Number(m[2]) - 1, column: m[1] === "" ? 0 : columnIndex(m[1]!) };
}

/** A rectangle of cells by 0-based indexes. */
export interface CellRect {
  row: number;
  column: number;
  rowCount: number;
  columnCount: number;
}

/** The cells two rectangles share, or null when they share none. */
export function intersectRects(a: CellRect, b: CellRect): CellRect | null {
  const row = Math.max(a.row, b.row);
  const column = Math.max(a.column, b.column);
  const rowEnd = Math.min(a.row + a.rowCount, b.row + b.rowCount);
  const columnEnd = Math.min(a.column + a.columnCount, b.column + b.columnCount);
  if (rowEnd <= row || columnEnd <= column) return null;
  return { row, column, rowCount: rowEnd - row, columnCount: columnEnd - column };
}

/** An address with its sheet: ("My data", rect) → "'My data'!B2:D40"; without a sheet just the cells. */
export function rectAddress(sheet: string | null, r: CellRect): string {
  const cells = rangeAddress(r.row, r.column, r.rowCount, r.columnCount);
  return sheet === null ? cells : `${quoteSheetName(sheet)}!${cells}`;
}

/**
 * Range options (`firstRow`, `firstColumn`) for the top-left cell of an address, or {} when it is no
 * address (a worksheet function's argument that is an array rather than a range has none).
 */
export function rangeOrigin(address: string | null | undefined): { firstRow?: number; firstColumn?: number } {
  if (typeof address !== "string" || address.trim() === "") return {};
  try {
    const { row, column } = topLeft(address);
    if (!(row >= 0 && row < MAX_ROWS && column >= 0 && column < MAX_COLUMNS)) return {};
    return { firstRow: row, firstColumn: column };
  } catch {
    return {};
  }
}
