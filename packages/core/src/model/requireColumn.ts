import { HlmError } from "../HlmError.js";
import type { Table } from "../io/Table.js";
import { closestName } from "./closestName.js";

/** Refuses an option that names a column the table does not have (`--factors`, `--weights`), with the nearest name. */
export function requireColumn(table: Table, name: string, what: "factor" | "weights"): void {
  if (table.names.includes(name)) return;
  const near = closestName(name, table.names);
  throw new HlmError("OPTIONS", `The ${what} column '${name}' is not in the data${near ? `; did you mean '${near}'?` : "."}`, { column: name });
}
