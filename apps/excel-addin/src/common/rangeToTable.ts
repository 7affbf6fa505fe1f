/**
 * Excel range values → a core `Table`.
 *
 * `Excel.Range.values` is a rectangular array of rows: numbers, strings, booleans, and "" for an
 * empty cell; a date is its serial number (a number, as Excel stores it); a cell with an Excel error
 * holds its text ("#DIV/0!", with `valueTypes` "Error"). A worksheet function's range argument may
 * also carry an error as an object with a `code` ("#DIV/0!"), and empty cells as null. The first
 * non-blank row of the range is the header naming the columns. Typing follows `tableFromRows` (and
 * so `readCsv`): a column is numeric when every non-missing cell is a number (or text that reads as
 * one), otherwise text (TRUE and FALSE become the text "true" and "false").
 *
 * - Blank rows above the header and below the last data row, and columns with neither a name nor a
 *   value, are left out, so a generous selection (`A:D`, or a used range with a blank margin) still
 *   works. Blank rows between data rows stay: they are rows with every value missing.
 * - A cell with an Excel error (`#DIV/0!`, `#N/A`, `#VALUE!`, …) records a computation that failed,
 *   not a missing value: the first of each column is kept in `layout.errors` (and the cell reads as
 *   empty in the table), and a fit that uses that column is refused with a message naming the cell
 *   (`checkErrorCells`). A column the model does not use may hold errors. An error in the header
 *   stops at once.
 * - Messages name columns by their letters and cells by their addresses; pass the position of the
 *   range (`Excel.Range.rowIndex`/`columnIndex`, or `rangeOrigin(address)` of `sheet/addresses.ts`) for addresses that match
 *   the sheet, otherwise the range is taken to start at A1. `RangeRows.layout` keeps where the
 *   header and each column are, so that later errors (from the engine) can name cells too.
 */
import { HlmError, tableFromRows, type Table } from "@hlm/core";

/** Where the range sits on its sheet, and what to call it in messages. */
export interface RangeOptions {
  /** 0-based sheet row of the range's first row, as `Excel.Range.rowIndex`. Default 0. */
  firstRow?: number;
  /** 0-based sheet column of the range's first column, as `Excel.Range.columnIndex`. Default 0. */
  firstColumn?: number;
  /** The range's name in messages. Default "data range". */
  what?: string;
}

/** A cell with an Excel error: its column (by name), its address and the error ("#DIV/0!"). */
export interface ErrorCell {
  column: string;
  cell: string;
  error: string;
}

/** Where the table of a range is on the sheet: its header row and the column of each of its columns. */
export interface SheetLayout {
  /** 0-based sheet row of the header; data row i (0-based) is on sheet row `headerRow + 1 + i`. */
  headerRow: number;
  /** 0-based sheet column of each column of the table, in the table's order. */
  columns: number[];
  /** The first cell with an Excel error of each column that has one (absent when none has). */
  errors?: ErrorCell[];
}

/** A range split into its header (trimmed column names) and data rows, blank margins removed. */
export interface RangeRows {
  header: string[];
  rows: unknown[][];
  /** Where the header and the columns are on the sheet. */
  layout: SheetLayout;
}

/** Excel's error values as `Range.values` gives them (and `#N/A`). */
const EXCEL_ERRORS = new Set([
  "#DIV/0!",
  "#VALUE!",
  "#REF!",
  "#NAME?",
  "#NUM!",
  "#NULL!",
  "#SPILL!",
  "#CALC!",
  "#FIELD!",
  "#BLOCKED!",
  "#CONNECT!",
  "#BUSY!",
  "#UNKNOWN!",
  "#GETTING_DATA",
  "#PYTHON!",
]);

/** The column letters of a 0-based column index: 0 → A, 25 → Z, 26 → AA, 701 → ZZ, 702 → AAA. */
export function columnLetter(index: number): string {
  let n = Math.floor(index) + 1;
  let s = "";
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

/** Is the cell empty: "", null/undefined, or text of spaces only? */
function isBlank(v: unknown): boolean {
  return v === null || v === undefined || (typeof v === "string" && v.trim() === "");
}

/**
 * The Excel error a cell holds ("#DIV/0!", "#N/A", …), or null: its text as `Range.values` gives
 * it, or an error object with such a `code` (a worksheet function's argument).
 */
export function excelError(v: unknown): string | null {
  if (typeof v === "string") {
    if (v.length === 0 || v.charCodeAt(0) !== 35 /* # */) return null;
    const t = v.trim();
    return t === "#N/A" || EXCEL_ERRORS.has(t) ? t : null;
  }
  if (typeof v === "object" && v !== null && "code" in v) {
    const code = (v as { code: unknown }).code;
    if (typeof code !== "string") return null;
    const t = code.trim();
    return t === "#N/A" || EXCEL_ERRORS.has(t) ? t : null;
  }
  return null;
}

/**
 * Splits range values into header and rows: finds the header (the first non-blank row), checks that
 * it names every column and that data rows follow, drops blank margins, and notes the first Excel
 * error of each column (the cell then reads as empty). Throws HlmError("DATA") with a message that
 * names the range, column and cell.
 */
export function rangeRows(values: unknown, options: RangeOptions = {}): RangeRows {
  const what = options.what ?? "data range";
  const row0 = options.firstRow ?? 0;
  const col0 = options.firstColumn ?? 0;
  const empty = (): HlmError =>
    new HlmError("DATA", `The ${what} is empty: select the data with a header row that names the columns (for example A1:D200).`);

  if (!Array.isArray(values) || values.length === 0 || !Array.isArray(values[0]) || values[0].length === 0) throw empty();
  const all = (values as unknown[]).map((r) => (Array.isArray(r) ? (r as unknown[]) : []));
  let width = 0;
  for (const r of all) width = Math.max(width, r.length);

  // blank margins: rows at the bottom and at the top, columns with neither a name nor a value
  let end = all.length;
  while (end > 0 && all[end - 1]!.every(isBlank)) end--;
  let top = 0;
  while (top < end && all[top]!.every(isBlank)) top++;
  const kept: number[] = [];
  for (let j = 0; j < width; j++) {
    let used = false;
    for (let r = top; r < end && !used; r++) used = !isBlank(all[r]![j]);
    if (used) kept.push(j);
  }
  if (end === top || kept.length === 0) throw empty();
  const letter = (j: number): string => columnLetter(col0 + j);
  const address = (j: number, r: number): string => `${letter(j)}${row0 + r + 1}`;

  const headerCells = all[top]!;
  const header: string[] = [];
  const seen = new Map<string, number>();
  for (const j of kept) {
    const h = headerCells[j];
    const err = excelError(h);
    if (err !== null) {
      throw new HlmError("DATA", `The header cell ${address(j, top)} holds the Excel error ${err}; the first row of the ${what} must name the columns.`, {
        row: row0 + top + 1,
      });
    }
    const name = isBlank(h) ? "" : String(h).trim();
    if (name === "") {
      throw new HlmError(
        "DATA",
        `Column ${letter(j)} has no name: the header cell ${address(j, top)} is blank, and every column of the ${what} needs a name in its first row.`,
        { row: row0 + top + 1 },
      );
    }
    const first = seen.get(name);
    if (first !== undefined) {
      throw new HlmError("DATA", `The column name '${name}' appears twice in the header of the ${what} (columns ${letter(first)} and ${letter(j)}).`, {
        column: name,
        row: row0 + top + 1,
      });
    }
    seen.set(name, j);
    header.push(name);
  }
  if (end - top === 1) {
    throw new HlmError("DATA", `The ${what} has only its header row (${header.join(", ")}); it needs data rows below the header.`);
  }

  // the rows as they are when the kept columns are the first ones and no cell needs changing
  const nCols = kept.length;
  const leading = kept[nCols - 1] === nCols - 1;
  const rows: unknown[][] = new Array<unknown[]>(end - top - 1);
  const errors = new Map<number, ErrorCell>();
  for (let r = top + 1; r < end; r++) {
    const src = all[r]!;
    let row: unknown[] | undefined = leading ? undefined : kept.map((j) => src[j]);
    for (let k = 0; k < nCols; k++) {
      const v = (row ?? src)[k];
      if (v === null || v === undefined || typeof v === "number" || typeof v === "boolean") continue;
      const err = excelError(v);
      if (err === null) continue;
      if (!errors.has(k)) errors.set(k, { column: header[k]!, cell: address(kept[k]!, r), error: err });
      row ??= src.slice(0, nCols);
      row[k] = "";
    }
    rows[r - top - 1] = row ?? (src.length === nCols ? src : src.slice(0, nCols));
  }
  const layout: SheetLayout = { headerRow: row0 + top, columns: kept.map((j) => col0 + j) };
  if (errors.size > 0) layout.errors = [...errors.keys()].sort((a, b) => a - b).map((k) => errors.get(k)!);
  return { header, rows, layout };
}

/**
 * Refuses Excel errors in the columns a model uses: the first such cell (in the order of `columns`)
 * is an HlmError("DATA") naming it. Columns the model does not use may hold errors.
 */
export function checkErrorCells(layout: SheetLayout | undefined, columns: Iterable<string>): void {
  if (!layout?.errors) return;
  for (const c of columns) {
    const e = layout.errors.find((x) => x.column === c);
    if (e) {
      throw new HlmError("DATA", `Cell ${e.cell} (column '${e.column}') holds the Excel error ${e.error}; correct it, or clear the cell if the value is missing.`, {
        column: e.column,
        row: Number(/\d+$/.exec(e.cell)![0]),
      });
    }
  }
}

/**
 * The core table of an Excel range (first non-blank row the header): `tableFromRows` on the checked
 * header and rows of `rangeRows`. Throws HlmError("DATA") for an empty range, a header without data
 * rows and blank or repeated header cells; cells with Excel errors read as empty (see `checkErrorCells`).
 */
export function rangeToTable(values: unknown, options: RangeOptions = {}): Table {
  const { header, rows } = rangeRows(values, options);
  return tableFromRows(header, rows);
}

/** A range's table and where it is on the sheet. */
export function rangeToLocatedTable(values: unknown, options: RangeOptions = {}): { table: Table; layout: SheetLayout } {
  const { header, rows, layout } = rangeRows(values, options);
  return { table: tableFromRows(header, rows), layout };
}
