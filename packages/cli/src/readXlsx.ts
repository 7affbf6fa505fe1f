/**
 * Reads a data table from a sheet of an Excel workbook (.xlsx) with exceljs, typed by `@hlm/core`'s
 * tableFromRows, so that a sheet and the same data saved as CSV give the same table.
 *
 * - The sheet is the first one, or the one named (exactly, else ignoring case).
 * - The first non-empty row is the header and names the columns; an unnamed empty column is
 *   skipped, an unnamed column with values is an error naming its cells.
 * - Numbers stay numbers, text is trimmed, empty cells are missing, error values are their text
 *   (`#N/A`, `#DIV/0!`: the model names them if a column it uses holds one);
 *   a formula gives its saved result; a date is ISO text (`2024-03-01`, or `2024-03-01T12:30:00`
 *   with a time of day); rich text and hyperlinks give their text; TRUE/FALSE give that text.
 * - Empty rows at the end are ignored.
 */
import { readFile } from "node:fs/promises";
import type ExcelJS from "exceljs";
import { loadExcelJs } from "./loadExcelJs.js";
import { HlmError, tableFromRows, type Table } from "@hlm/core";

/** The first bytes of an OLE2 compound file: an old binary .xls, or an encrypted workbook. */
const OLE2 = [0xd0, 0xcf, 0x11, 0xe0];
/** The first bytes of a zip archive, which an .xlsx is. */
const ZIP = [0x50, 0x4b];

/** The message for a workbook in the old binary format. */
export const XLS_MESSAGE = "it is an old binary Excel file (.xls) or a password-protected workbook; save it in Excel or LibreOffice as an Excel Workbook (.xlsx) or as CSV";

/**
 * The table on sheet `sheet` (default: the first) of the workbook file `path`. Throws HlmError:
 * "DATA" when the file cannot be read or is not an .xlsx workbook, or a cell cannot be used;
 * "OPTIONS" when there is no sheet of that name (the message names the sheets there).
 */
export async function readXlsx(path: string, sheet?: string): Promise<Table> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : code === "EACCES" ? "permission denied" : "it cannot be read";
    throw new HlmError("DATA", `Cannot read '${path}': ${why}.`);
  }
  if (startsWith(bytes, OLE2)) throw new HlmError("DATA", `Cannot read '${path}': ${XLS_MESSAGE}.`);
  if (!startsWith(bytes, ZIP)) throw new HlmError("DATA", `Cannot read '${path}': it is not an Excel workbook (.xlsx).`);
  const workbook = new (await loadExcelJs()).Workbook();
  try {
    await workbook.xlsx.load(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  } catch (e) {
    throw new HlmError("DATA", `Cannot read '${path}': it is not a readable Excel workbook (${firstLine(e)}).`);
  }
  const ws = pickSheet(workbook, path, sheet);
  return sheetTable(ws, path);
}

/** The sheet named `name` (exactly, else ignoring case), or the first sheet when no name is given. */
function pickSheet(workbook: ExcelJS.Workbook, path: string, name: string | undefined): ExcelJS.Worksheet {
  const sheets = workbook.worksheets;
  if (sheets.length === 0) throw new HlmError("DATA", `Cannot read '${path}': the workbook has no sheets.`);
  if (name === undefined) return sheets[0]!;
  const found = sheets.find((s) => s.name === name) ?? sheets.find((s) => s.name.toLowerCase() === name.toLowerCase());
  if (found) return found;
  const names = sheets.map((s) => `'${s.name}'`).join(", ");
  throw new HlmError("OPTIONS", `There is no sheet '${name}' in '${path}'; its ${sheets.length === 1 ? "sheet is" : "sheets are"} ${names}.`);
}

/** The cells of a worksheet as a table: header from the first non-empty row. */
function sheetTable(ws: ExcelJS.Worksheet, path: string): Table {
  const grid: unknown[][] = [];
  let firstCol = Infinity;
  let lastCol = 0;
  let firstRow = 0;
  let lastRow = 0;
  ws.eachRow({ includeEmpty: false }, (row, r) => {
    row.eachCell({ includeEmpty: false }, (cell, c) => {
      const v = cellValue(cell, path);
      if (v === null) return;
      (grid[r] ??= [])[c] = v;
      if (c < firstCol) firstCol = c;
      if (c > lastCol) lastCol = c;
      if (firstRow === 0) firstRow = r;
      lastRow = r;
    });
  });
  if (firstRow === 0) throw new HlmError("DATA", `The sheet '${ws.name}' of '${path}' is empty: it needs a header row naming the columns.`);
  // The columns: those named in the header row. A column without a name is skipped when it is
  // empty (a spacer), and is a mistake when it holds values.
  const head = grid[firstRow]!;
  const columns: number[] = [];
  for (let c = firstCol; c <= lastCol; c++) {
    if (head[c] !== undefined) {
      columns.push(c);
      continue;
    }
    for (let r = firstRow + 1; r <= lastRow; r++) {
      if (grid[r]?.[c] !== undefined) {
        const letter = ws.getColumn(c).letter;
        throw new HlmError("DATA", `Column ${letter} of sheet '${ws.name}' has values (cell ${letter}${r}) but no name in the header row (row ${firstRow}).`, { row: r });
      }
    }
  }
  const line = (r: number): unknown[] => columns.map((c) => grid[r]?.[c] ?? null);
  const rows: unknown[][] = [];
  for (let r = firstRow + 1; r <= lastRow; r++) rows.push(line(r));
  return tableFromRows(line(firstRow), rows, { firstRow: firstRow + 1 });
}

/** A cell's value for tableFromRows: a number, text, or null when empty. */
function cellValue(cell: ExcelJS.Cell, path: string): number | string | null {
  return plainValue(cell.value, () => cell.address, path);
}

function plainValue(v: ExcelJS.CellValue, address: () => string, path: string): number | string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "number") return Number.isFinite(v) ? v : null;
  if (typeof v === "string") return v.trim() === "" ? null : v.trim();
  if (typeof v === "boolean") return v ? "TRUE" : "FALSE";
  if (v instanceof Date) return isoDate(v);
  // #N/A, #DIV/0!, …: their text, as in the same sheet saved as CSV; the model refuses them in the
  // columns it uses (a failed computation is not a missing value)
  if ("error" in v) return String(v.error);
  if ("richText" in v) {
    const t = v.richText.map((p) => p.text).join("").trim();
    return t === "" ? null : t;
  }
  if ("formula" in v || "sharedFormula" in v) {
    const result = (v as { result?: unknown }).result;
    if (result === undefined) {
      throw new HlmError("DATA", `Cell ${address()} of '${path}' has a formula without a saved result; open the workbook in Excel or LibreOffice and save it.`);
    }
    return plainValue(result as ExcelJS.CellValue, address, path);
  }
  if ("text" in v) {
    const text = (v as { text: unknown }).text;
    return typeof text === "string" ? plainValue(text, address, path) : plainValue(text as ExcelJS.CellValue, address, path);
  }
  return null;
}

/** A date as ISO text: `YYYY-MM-DD`, with `THH:MM:SS` when it has a time of day (to the second). */
export function isoDate(d: Date): string {
  const t = d.getTime();
  if (!Number.isFinite(t)) return String(d);
  const s = new Date(Math.round(t / 1000) * 1000).toISOString(); // 2024-03-01T12:30:00.000Z
  return s.endsWith("T00:00:00.000Z") ? s.slice(0, 10) : s.slice(0, 19);
}

function startsWith(bytes: Buffer, magic: number[]): boolean {
  return magic.every((b, i) => bytes[i] === b);
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split("\n")[0]!;
}
