import { createCsvReader, type ReadCsvOptions } from "./createCsvReader.js";
import type { Table } from "./Table.js";

/** Reads a whole CSV text into typed columns (see createCsvReader). Throws HlmError("DATA") for malformed input. */
export function readCsv(text: string, options?: ReadCsvOptions): Table {
  const reader = createCsvReader(options);
  reader.push(text);
  return reader.finish();
}
