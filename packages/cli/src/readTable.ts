import { createReadStream, statSync } from "node:fs";
import { extname } from "node:path";
import { createCsvReader, HlmError, type Table } from "@hlm/core";
import { readXlsx, XLS_MESSAGE } from "./readXlsx.js";

/** File name endings read as Excel workbooks. */
const XLSX_EXTENSIONS = [".xlsx", ".xlsm"];

/** Data formats of other programs, with the program that can save them as CSV or .xlsx when it is known. */
const OTHER_FORMATS: Record<string, string | null> = {
  ".xlsb": "Excel",
  ".ods": "LibreOffice or Excel",
  ".numbers": "Numbers",
  ".sav": "SPSS",
  ".dta": "Stata",
  ".sas7bdat": "SAS",
  ".rds": "R (write.csv)",
  ".rda": "R (write.csv)",
  ".rdata": "R (write.csv)",
  ".feather": null,
  ".json": null,
  ".pdf": null,
  ".docx": "Word",
  ".doc": "Word",
};

/**
 * Reads a data file into a table: an Excel workbook (.xlsx; its first sheet, or `sheet`), else CSV
 * (or tab/semicolon separated text). Throws HlmError for a file that cannot be read or used.
 * `onProgress` hears the share of a CSV file read so far (0 to 1), after each piece.
 */
export async function readTable(path: string, sheet?: string, onProgress?: (fraction: number) => void): Promise<Table> {
  const ext = extname(path).toLowerCase();
  if (XLSX_EXTENSIONS.includes(ext)) return readXlsx(path, sheet);
  if (ext === ".xls") throw new HlmError("DATA", `Cannot read '${path}': ${XLS_MESSAGE}.`);
  if (ext === ".parquet" || ext === ".duckdb" || ext === ".db") {
    throw new HlmError("DATA", `Cannot read '${path}' into memory: hlm fit fits a linear mixed model from a Parquet or DuckDB file (DuckDB computes its sums), but this command needs the rows; export them as CSV (in DuckDB: COPY (SELECT * FROM '${path}') TO 'data.csv').`);
  }
  if (ext in OTHER_FORMATS) {
    const program = OTHER_FORMATS[ext];
    throw new HlmError("DATA", `Cannot read '${path}': hlm reads CSV (or tab or semicolon separated) text and Excel workbooks (.xlsx), not ${ext} files; save the data${program ? ` from ${program}` : ""} as CSV or .xlsx.`);
  }
  if (sheet !== undefined) throw new HlmError("OPTIONS", `--sheet is for Excel workbooks (.xlsx), and '${path}' is not one.`);
  return readCsvFile(path, onProgress);
}

/**
 * Reads a CSV file as a stream of text pieces, so that neither the whole text nor its fields are held
 * at once. The file is checked as it comes: a workbook's signature at its start, or a NUL anywhere,
 * means it is not a CSV file; that is the error even when the text before it is already malformed.
 */
async function readCsvFile(path: string, onProgress?: (fraction: number) => void): Promise<Table> {
  const reader = createCsvReader();
  let head = ""; // the first characters, until there are enough to recognise a workbook
  let csvError: unknown;
  try {
    const size = onProgress ? statSync(path).size : 0; // before the stream opens: a missing file is caught here
    const stream = createReadStream(path, { encoding: "utf8", highWaterMark: 1 << 20 });
    for await (const chunk of stream as AsyncIterable<string>) {
      if (head.length < 4) {
        head += chunk.slice(0, 4);
        if (head.startsWith("PK\u0003\u0004")) throw new HlmError("DATA", `Cannot read '${path}': it looks like an Excel workbook; name it .xlsx, or save it as CSV.`);
      }
      if (chunk.includes("\u0000")) throw new HlmError("DATA", `Cannot read '${path}': it is not a text (CSV) file.`);
      if (csvError === undefined) {
        try {
          reader.push(chunk);
        } catch (e) {
          csvError = e; // reported after the rest of the file has been checked for being text
        }
      }
      if (size > 0) onProgress!(stream.bytesRead / size);
    }
  } catch (e) {
    if (e instanceof HlmError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : code === "EACCES" ? "permission denied" : "it cannot be read";
    throw new HlmError("DATA", `Cannot read '${path}': ${why}.`);
  }
  if (csvError !== undefined) throw csvError;
  return reader.finish();
}
