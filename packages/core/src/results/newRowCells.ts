import type { Column, Table } from "../io/Table.js";
import { formatLabel } from "../model/levelLabels.js";

/** A cell of the new data: a number, a text, or null where missing. */
export type Cell = number | string | null;

/** Row i of a column: a number, a text, or null where missing. */
export function cellOf(col: Column, i: number): Cell {
  if (col.kind === "number") return col.missing[i] ? null : col.values[i]!;
  return col.values[i] ?? null;
}

/** The level label the engine gives a cell: numbers as R prints them, text trimmed; null when missing. */
export function labelOf(v: Cell): string | null {
  if (v === null) return null;
  if (typeof v === "number") return formatLabel(v);
  const t = v.trim();
  return t === "" || t === "NA" ? null : t;
}

/** The cell as a finite number, or null when it is not one. */
export function numberOf(v: Cell): number | null {
  if (typeof v === "number") return Number.isFinite(v) ? v : null;
  if (v === null || v.trim() === "") return null;
  const x = Number(v.trim());
  return Number.isFinite(x) ? x : null;
}

/** A factor's levels in a message: the first twelve, then how many in all. */
export const listLevels = (levels: readonly string[]): string => (levels.length <= 12 ? levels.join(", ") : `${levels.slice(0, 12).join(", ")}, … (${levels.length} in all)`);

/** Names row r of the new data in messages, as the user's sheet or file numbers it. */
export const newRowName = (newdata: Table, r: number): string => `Row ${(newdata.firstRow ?? 1) + r} of the new data`;
