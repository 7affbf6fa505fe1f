/**
 * A data table in the form it crosses between the task pane and the fitting worker. A numeric
 * column is as in a core `Table` (a Float64Array and its missing flags); a text column is its
 * distinct labels and, per row, the index of the row's label (-1 where missing).
 *
 * Posting a core table copies a text column as one string per row, which for 100,000 rows takes
 * tens of milliseconds of the page's main thread at every fit; the packed column is a typed array
 * (a memory copy, or moved with a transfer list) and a label per group.
 */
import type { Column, Table } from "@hlm/core";

export type NumberColumn = Extract<Column, { kind: "number" }>;

export interface PackedTextColumn {
  kind: "string";
  name: string;
  /** Index into `levels` per row, -1 where the value is missing. */
  codes: Int32Array;
  /** The distinct values, in order of first appearance. */
  levels: string[];
}

export type PackedColumn = NumberColumn | PackedTextColumn;

/** A core `Table` with its text columns packed (see the module comment). */
export interface PackedTable {
  names: string[];
  columns: PackedColumn[];
  nrow: number;
}

/** Packs a table; `transfer` lists its buffers, for a `postMessage` that moves rather than copies them. */
export function packTable(table: Table): { table: PackedTable; transfer: ArrayBuffer[] } {
  const transfer: ArrayBuffer[] = [];
  const columns = table.columns.map((c): PackedColumn => {
    if (c.kind === "number") {
      transfer.push(c.values.buffer as ArrayBuffer, c.missing.buffer as ArrayBuffer);
      return c;
    }
    const codes = new Int32Array(c.values.length);
    const index = new Map<string, number>();
    const levels: string[] = [];
    for (let i = 0; i < c.values.length; i++) {
      const v = c.values[i];
      if (v === null || v === undefined) {
        codes[i] = -1;
        continue;
      }
      let k = index.get(v);
      if (k === undefined) {
        k = levels.length;
        index.set(v, k);
        levels.push(v);
      }
      codes[i] = k;
    }
    transfer.push(codes.buffer);
    return { kind: "string", name: c.name, codes, levels };
  });
  return { table: { names: [...table.names], columns, nrow: table.nrow }, transfer: [...new Set(transfer)] };
}

/** The core `Table` of a packed one (numeric columns are shared, not copied). */
export function unpackTable(packed: PackedTable): Table {
  const columns = packed.columns.map((c): Column => {
    if (c.kind === "number") return c;
    const values = new Array<string | null>(c.codes.length);
    for (let i = 0; i < c.codes.length; i++) {
      const k = c.codes[i]!;
      values[i] = k < 0 ? null : c.levels[k]!;
    }
    return { kind: "string", name: c.name, values };
  });
  return { names: [...packed.names], columns, nrow: packed.nrow };
}
