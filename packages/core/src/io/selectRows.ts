import type { Column, Table } from "./Table.js";

/** The table's rows at the given indices, in that order (messages then count rows from 1). */
export function selectRows(table: Table, rows: ArrayLike<number>): Table {
  const idx = Array.from(rows);
  const columns: Column[] = table.columns.map((c) =>
    c.kind === "number"
      ? { kind: "number", name: c.name, values: Float64Array.from(idx, (i) => c.values[i]!), missing: Uint8Array.from(idx, (i) => c.missing[i]!) }
      : { kind: "string", name: c.name, values: idx.map((i) => c.values[i] ?? null) },
  );
  return { names: table.names, columns, nrow: idx.length };
}
