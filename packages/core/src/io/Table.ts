/** A data table of typed columns: what the readers give and the model frame reads. */
export interface Table {
  names: string[];
  columns: Column[];
  nrow: number;
  /**
   * The row number, as a spreadsheet shows it, of the table's first row (the one below the header):
   * messages call row i of the table "row firstRow + i". A CSV file's header on line 1 makes it 2, as
   * in a spreadsheet or an editor. Without it, rows are counted from 1 at the first data row.
   */
  firstRow?: number;
}

/** A typed column. A number column's arrays have nrow elements, and may be views of longer buffers. */
export type Column =
  | { kind: "number"; name: string; values: Float64Array; missing: Uint8Array /* 1 where NA */ }
  | { kind: "string"; name: string; values: (string | null)[] /* null where NA */ };
