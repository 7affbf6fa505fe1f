import { HlmError } from "../HlmError.js";
import { textComparedColumns } from "./sqlExpression.js";
import { modelTerms } from "../formula/modelTerms.js";
import { columnsOf } from "../formula/nameUses.js";
import type { Table } from "../io/Table.js";
import { sumsLayout } from "./crossProductsQuery.js";
import type { SumsRow } from "./modelFromSums.js";
import type { CrossProductPlan, SqlColumn } from "./planCrossProducts.js";

/** Whether a table's header is that of the sums query's result (`block`, `k0`, …, `n`, `s0`, …): cross-products to fit from. */
export function isSumsHeader(names: readonly string[]): boolean {
  const lower = names.map((n) => n.trim().toLowerCase());
  return lower[0] === "block" && lower.includes("n") && lower.includes("s0");
}

/** The sums query's result rows (arrays of values, by the result's column names) in the plan's layout, whatever the order of the columns and the rows. */
export function sumsRows(plan: CrossProductPlan, names: readonly string[], rows: readonly (readonly unknown[])[]): SumsRow[] {
  const layout = sumsLayout(plan);
  const at = (name: string): number => {
    const i = names.findIndex((n) => n.trim().toLowerCase() === name);
    if (i < 0) throw new HlmError("DATA", `The cross-products have no column '${name}'; they are the result of the query hlm sql prints for this formula.`);
    return i;
  };
  const block = at("block");
  const keys = Array.from({ length: layout.keys }, (_, k) => at(`k${k}`));
  const n = at("n");
  const sums = Array.from({ length: layout.sums }, (_, s) => at(`s${s}`));
  const number = (v: unknown): number | null => (v === null || v === undefined || v === "" ? null : Number(v));
  return rows.map((r) => ({
    block: String(r[block]),
    // a value as it came back: a number (a numeric column made a factor) or text
    keys: keys.map((i) => (r[i] === null || r[i] === undefined || r[i] === "" ? null : typeof r[i] === "number" || typeof r[i] === "bigint" ? Number(r[i]) : String(r[i]))),
    n: number(r[n]) ?? 0,
    sums: sums.map((i) => number(r[i])),
  }));
}

/**
 * The categorical variables a result of the sums query names (in its `rows` block), or [] when it
 * names none: `block` is the result's block column.
 */
export function resultCategoricals(block: readonly unknown[]): string[] {
  const name = block.find((b) => typeof b === "string" && b.startsWith("rows:")) as string | undefined;
  const json = name?.slice(14);
  if (!json) return [];
  try {
    const names = JSON.parse(json) as unknown;
    return Array.isArray(names) ? names.filter((n): n is string => typeof n === "string") : [];
  } catch {
    return [];
  }
}

/**
 * The columns a formula's sums assume where the table itself is not at hand (`hlm sql`, a result
 * read back): grouping factors and `factors` are text, every other column a number, unless `kinds`
 * (`School:number, Sex:text`) says otherwise; `categorical` (a result's own list) are text too.
 */
export function declaredColumns(formula: string, options: { factors?: readonly string[]; weights?: string; kinds?: string; categorical?: readonly string[] } = {}): SqlColumn[] {
  const declared = new Map<string, SqlColumn["kind"]>();
  for (const item of (options.kinds ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "")) {
    const m = /^(.+?)\s*:\s*(number|text|boolean)$/.exec(item);
    if (!m) throw new HlmError("OPTIONS", `Column kinds are name:kind items, kind number, text or boolean, as School:number; not '${item}'.`);
    declared.set(m[1]!, m[2] as SqlColumn["kind"]);
  }
  const terms = modelTerms(formula);
  const names = new Set<string>();
  const groups = new Set<string>();
  columnsOf(terms.response, names);
  for (const v of terms.fixed.variables) columnsOf(v.expr, names);
  for (const e of terms.offsets) columnsOf(e, names);
  for (const r of terms.random) {
    for (const v of r.effects.variables) columnsOf(v.expr, names);
    for (const g of r.groupExprs) {
      columnsOf(g, names);
      columnsOf(g, groups);
    }
  }
  // a column compared with a quoted text (`sex == "M"`) is text
  for (const e of [terms.response, ...terms.fixed.variables.map((v) => v.expr), ...terms.random.flatMap((r) => r.effects.variables.map((v) => v.expr))]) textComparedColumns(e, groups);
  if (options.weights !== undefined) names.add(options.weights);
  const factors = new Set(options.factors ?? []);
  for (const f of factors) names.add(f);
  for (const c of options.categorical ?? []) if (names.has(c)) groups.add(c);
  return [...names].map((name) => ({ name, kind: declared.get(name) ?? (groups.has(name) || factors.has(name) ? "text" : "number") }));
}

/**
 * A model's fit from a table that holds the sums query's result (a warehouse's result opened in a
 * spreadsheet or read from a file): the plan of the formula over the columns it assumes
 * (`declaredColumns`), the table's rows in the plan's layout.
 */
export function sumsRowsOfTable(plan: CrossProductPlan, table: Table): SumsRow[] {
  const rows = tableRows(table);
  return sumsRows(plan, table.names, rows);
}

/** A table's rows as arrays of values (null where missing). */
export function tableRows(table: Table): unknown[][] {
  const cell = (c: Table["columns"][number], i: number): unknown => (c.kind === "number" ? (c.missing[i] ? null : c.values[i]) : c.values[i]);
  return Array.from({ length: table.nrow }, (_, i) => table.columns.map((c) => cell(c, i)));
}

/** The columns a result table of the sums query assumes for a formula: `declaredColumns` with the result's own categorical variables. */
export function declaredColumnsOfTable(formula: string, table: Table, options: { factors?: readonly string[]; weights?: string; kinds?: string } = {}): SqlColumn[] {
  const block = table.columns[table.names.findIndex((n) => n.trim().toLowerCase() === "block")];
  const values = block === undefined ? [] : block.kind === "string" ? block.values : [];
  return declaredColumns(formula, { ...options, categorical: resultCategoricals(values) });
}
