/**
 * Excel range values → a core `Table`.
 *
 * `Excel.Range.values` is a rectangular array of rows: numbers, strings, booleans, and "" for an
 * empty cell; cells with an Excel error hold its text ("#DIV/0!"). The first row of the range is
 * the header naming the columns. Typing follows `tableFromRows` (and so `readCsv`): a column is
 * numeric when every non-missing cell is a number (or text that reads as one), otherwise text.
 *
 * - Empty rows at the bottom of the range and empty columns at its right (blank header, no values)
 *   are left out, so a generous selection (`A:D`, or a used range with a blank margin) still works.
 * - `#N/A` cells are missing values, like empty cells; any other Excel error in a cell stops with
 *   an error naming the cell.
 * - Messages name columns by their letters and cells by their addresses; pass the position of the
 *   range (`Excel.Range.rowIndex`/`columnIndex`) for addresses that match the sheet, otherwise the
 *   range is taken to start at A1.
 */
import { HlmError, tableFromRows, type Table } from "@hlm/core";

/** Where the range sits on its sheet, and what to call it in messages. */
export interface RangeOptions {
  /** 0-based sheet row of the range's first (header) row, as `Excel.Range.rowIndex`. Default 0. */
  firstRow?: number;
  /** 0-based sheet column of the range's first column, as `Excel.Range.columnIndex`. Default 0. */
  firstColumn?: number;
  /** The range's name in messages. Default "data range". */
  what?: string;
}

/** A range split into its header (trimmed column names) and data rows, blank margins removed. */
export interface RangeRows {
  header: string[];
  rows: unknown[][];
}

/** Excel's error values as `Range.values` gives them (`#N/A` is read as a missing value instead). */
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
 * Splits range values into header and rows: checks that there is a header with a name for every
 * column and at least one data row, drops blank margins, reads `#N/A` as missing and refuses other
 * Excel errors. Throws HlmError("DATA") with a message that names the range, column and cell.
 */
export function rangeRows(values: unknown, options: RangeOptions = {}): RangeRows {
  const what = options.what ?? "data range";
  const row0 = options.firstRow ?? 0;
  const col0 = options.firstColumn ?? 0;
  const letter = (j: number): string => columnLetter(col0 + j);
  const address = (j: number, r: number): string => `${letter(j)}${row0 + r + 1}`;
  const empty = (): HlmError =>
    new HlmError("DATA", `The ${what} is empty: select the data with a header row that names the columns (for example A1:D200).`);

  if (!Array.isArray(values) || values.length === 0 || !Array.isArray(values[0]) || values[0].length === 0) throw empty();
  const all = (values as unknown[]).map((r) => (Array.isArray(r) ? (r as unknown[]) : []));
  let width = 0;
  for (const r of all) width = Math.max(width, r.length);

  // blank margins: rows at the bottom, columns at the right
  let nRows = all.length;
  while (nRows > 0 && all[nRows - 1]!.every(isBlank)) nRows--;
  let nCols = width;
  while (nCols > 0 && all.slice(0, nRows).every((r) => isBlank(r[nCols - 1]))) nCols--;
  if (nRows === 0 || nCols === 0) throw empty();

  const headerCells = all[0]!;
  const header: string[] = [];
  const seen = new Map<string, number>();
  for (let j = 0; j < nCols; j++) {
    const h = headerCells[j];
    if (typeof h === "string" && EXCEL_ERRORS.has(h.trim())) {
      throw new HlmError("DATA", `The header cell ${address(j, 0)} holds the Excel error ${h.trim()}; the first row of the ${what} must name the columns.`, { row: 1 });
    }
    const name = isBlank(h) ? "" : String(h).trim();
    if (name === "" || name === "#N/A") {
      throw new HlmError(
        "DATA",
        `Column ${letter(j)} has no name: the header cell ${address(j, 0)} is blank. Every column of the ${what} needs a name in its first row.`,
        { row: 1 },
      );
    }
    const first = seen.get(name);
    if (first !== undefined) {
      throw new HlmError("DATA", `The column name '${name}' appears twice in the header of the ${what} (columns ${letter(first)} and ${letter(j)}).`, {
        column: name,
        row: 1,
      });
    }
    seen.set(name, j);
    header.push(name);
  }
  if (nRows === 1) {
    throw new HlmError("DATA", `The ${what} has only its header row (${header.join(", ")}); it needs data rows below the header.`);
  }

  const rows: unknown[][] = new Array<unknown[]>(nRows - 1);
  for (let r = 1; r < nRows; r++) {
    const src = all[r]!;
    let row: unknown[] | undefined;
    for (let j = 0; j < nCols; j++) {
      const v = src[j];
      if (typeof v === "string" && v.length > 0 && v.charCodeAt(0) === 35 /* # */) {
        const t = v.trim();
        if (t === "#N/A") {
          row ??= src.slice(0, nCols);
          row[j] = "";
        } else if (EXCEL_ERRORS.has(t)) {
          throw new HlmError("DATA", `Cell ${address(j, r)} (column '${header[j]}') holds the Excel error ${t}; correct it or clear the cell.`, {
            column: header[j]!,
            row: r + 1,
          });
        }
      }
    }
    rows[r - 1] = row ?? (src.length === nCols ? src : src.slice(0, nCols));
  }
  return { header, rows };
}

/**
 * The core table of an Excel range (first row the header): `tableFromRows` on the checked header and
 * rows of `rangeRows`. Throws HlmError("DATA") for an empty range, a header without data rows, blank
 * or repeated header cells and cells with Excel errors.
 */
export function rangeToTable(values: unknown, options: RangeOptions = {}): Table {
  const { header, rows } = rangeRows(values, options);
  return tableFromRows(header, rows);
}
