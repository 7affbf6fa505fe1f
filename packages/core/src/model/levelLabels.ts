import type { Column } from "../io/Table.js";

/** Byte-order string comparison (R's C-locale sort), the order of factor levels. */
export const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The level label the engine gives row i of a column (numbers as R prints them), or null where it is missing. */
export function columnLabel(col: Column, i: number): string | null {
  if (col.kind === "number") return col.missing[i] ? null : formatLabel(col.values[i]!);
  return col.values[i] ?? null;
}

/** A number as R's as.character prints it (up to 15 significant digits). */
export function formatLabel(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  return String(Number(v.toPrecision(15)));
}
