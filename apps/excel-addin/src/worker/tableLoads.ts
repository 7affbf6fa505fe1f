/**
 * The worker's side of reading a range: it collects the `rows` chunks the pane posts and, at
 * `makeTable`, turns them into a table with `rangeToTable` (the same checks and messages as ever:
 * header, blank margins, Excel errors in cells, cells named by their sheet addresses) and packs it. Plain TypeScript, tested without a
 * worker.
 */
import { HlmError } from "@hlm/core";
import { rangeToLocatedTable } from "../common/rangeToTable.js";
import { packTable } from "./packedTable.js";
import type { RowsChunk, TableFailed, TableReady, TableRequest } from "./protocol.js";

export class TableLoads {
  /** The rows received so far, of the table being sent (one at a time: a new id drops the others). */
  private readonly rows = new Map<number, unknown[][]>();

  add(m: RowsChunk): void {
    let rows = this.rows.get(m.id);
    if (rows === undefined) {
      this.rows.clear();
      rows = [];
      this.rows.set(m.id, rows);
    }
    for (const row of m.rows) rows.push(row);
  }

  /** The reply to `makeTable`, with the buffers to transfer. */
  finish(m: TableRequest): { reply: TableReady | TableFailed; transfer: ArrayBuffer[] } {
    const values = this.rows.get(m.id) ?? [];
    this.rows.delete(m.id);
    try {
      const located = rangeToLocatedTable(values, {
        what: m.what,
        ...(m.firstRow !== undefined ? { firstRow: m.firstRow } : {}),
        ...(m.firstColumn !== undefined ? { firstColumn: m.firstColumn } : {}),
      });
      const { table, transfer } = packTable(located.table);
      return { reply: { type: "tableReady", id: m.id, table, layout: located.layout }, transfer };
    } catch (e) {
      if (e instanceof HlmError) return { reply: { type: "tableFailed", id: m.id, code: e.code, message: e.message }, transfer: [] };
      const first = (e instanceof Error ? e.message : String(e)).split("\n")[0]!.trim().replace(/\.$/, "");
      return { reply: { type: "tableFailed", id: m.id, code: "INTERNAL", message: `The ${m.what} could not be read${first ? `: ${first}` : ""}.` }, transfer: [] };
    }
  }
}
