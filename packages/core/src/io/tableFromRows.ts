import { HlmError } from "../HlmError.js";
import { checkNames, isNA } from "./createCsvReader.js";
import { parseDecimal } from "./parseDecimal.js";
import type { Column, Table } from "./Table.js";

/** The cell as trimmed text, or null when it is missing (null, undefined, "", "NA"). */
function cellText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  let t: string;
  if (typeof v === "string") t = v;
  else if (v instanceof Date) t = Number.isNaN(v.getTime()) ? String(v) : v.toISOString();
  else t = String(v);
  t = t.trim();
  return isNA(t) ? null : t;
}

/**
 * A table from cells that are already split (e.g. an Excel range), with the typing rules of readCsv:
 * numbers stay numbers, strings are trimmed and parsed like CSV fields, null/undefined/""/"NA" are
 * missing. Rows may be shorter than the header (the rest is missing). Row numbers in its own messages
 * count the header as row 1; `options.firstRow` (the row number of the first data row, as the sheet
 * shows it) is kept on the table for the model's messages.
 */
export function tableFromRows(header: unknown[], rows: unknown[][], options: { firstRow?: number } = {}): Table {
  if (header.length === 0) {
    throw new HlmError("DATA", "The header row is empty: it must name the columns.");
  }
  const names = header.map((h) => (h === null || h === undefined ? "" : String(h).trim()));
  const first = options.firstRow ?? 2; // the row number of rows[0] in messages
  checkNames(names, () => "", first - 1);
  const ncol = names.length;
  const nrow = rows.length;
  for (let r = 0; r < nrow; r++) {
    const row = rows[r];
    if (row === undefined || row === null) continue;
    for (let j = ncol; j < row.length; j++) {
      if (cellText(row[j]) !== null) {
        throw new HlmError(
          "DATA",
          `Row ${first + r} has a value in column ${j + 1}, but the header has ${ncol} columns.`,
          { row: first + r },
        );
      }
    }
  }
  const columns: Column[] = [];
  for (let j = 0; j < ncol; j++) {
    const name = names[j]!;
    const values = new Float64Array(nrow);
    const missing = new Uint8Array(nrow);
    let numeric = true;
    for (let r = 0; r < nrow && numeric; r++) {
      const v = rows[r]?.[j];
      if (typeof v === "number" && Number.isFinite(v)) {
        values[r] = v;
        continue;
      }
      const t = cellText(v);
      if (t === null) {
        missing[r] = 1;
        values[r] = NaN;
        continue;
      }
      const x = typeof v === "number" ? NaN : parseDecimal(t, 0, t.length);
      if (x !== x) numeric = false;
      else values[r] = x;
    }
    if (numeric) {
      columns.push({ kind: "number", name, values, missing });
    } else {
      const strings: (string | null)[] = new Array<string | null>(nrow);
      for (let r = 0; r < nrow; r++) strings[r] = cellText(rows[r]?.[j]);
      columns.push({ kind: "string", name, values: strings });
    }
  }
  return options.firstRow === undefined ? { names, columns, nrow } : { names, columns, nrow, firstRow: options.firstRow };
}
