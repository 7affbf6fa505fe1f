import { HlmError } from "../HlmError.js";

/** The SQL dialects the generator writes: the two the tests run (DuckDB, PostgreSQL) and two warehouses. */
export type SqlDialect = "duckdb" | "postgres" | "spark" | "bigquery";

export const SQL_DIALECTS: readonly SqlDialect[] = ["duckdb", "postgres", "spark", "bigquery"];

/** What differs between the dialects in the queries the generator writes. */
export interface DialectSyntax {
  dialect: SqlDialect;
  /** A quoted identifier. */
  quote(name: string): string;
  /** The type of doubles and of text in CAST. */
  double: string;
  text: string;
  /** log base 10 of an argument known to be positive. */
  log10(arg: string): string;
  /**
   * A common table expression: one of rows (`perRow`) is not materialized, so that the engine
   * streams the rows through each block of the query instead of holding them all (DuckDB
   * materializes a CTE used more than once); one of a single row (a mean) is, so that it is computed
   * once. Spark SQL and BigQuery have no such hints.
   */
  cte(name: string, body: string, perRow: boolean): string;
}

const hinted = (name: string, body: string, perRow: boolean): string => `${name} AS ${perRow ? "NOT MATERIALIZED" : "MATERIALIZED"} (${body})`;
const plain = (name: string, body: string): string => `${name} AS (${body})`;
const doubleQuoted = (name: string): string => `"${name.replaceAll('"', '""')}"`;
const backQuoted = (name: string): string => `\`${name.replaceAll("`", "``")}\``;

/** The syntax of one dialect. */
export function dialectSyntax(dialect: SqlDialect): DialectSyntax {
  switch (dialect) {
    case "duckdb":
      return { dialect, quote: doubleQuoted, double: "DOUBLE", text: "VARCHAR", log10: (a) => `LOG10(${a})`, cte: hinted };
    case "postgres":
      return { dialect, quote: doubleQuoted, double: "DOUBLE PRECISION", text: "TEXT", log10: (a) => `LOG(${a})`, cte: hinted };
    case "spark":
      return { dialect, quote: backQuoted, double: "DOUBLE", text: "STRING", log10: (a) => `LOG10(${a})`, cte: plain };
    case "bigquery":
      return { dialect, quote: (name) => `\`${name.replaceAll("\\", "\\\\").replaceAll("`", "\\`")}\``, double: "FLOAT64", text: "STRING", log10: (a) => `LOG10(${a})`, cte: plain };
  }
}

/** A dialect named on the command line or in an option, refused with the list when unknown. */
export function parseDialect(text: string): SqlDialect {
  const d = text.toLowerCase().replace(/^postgresql$/, "postgres");
  if ((SQL_DIALECTS as readonly string[]).includes(d)) return d as SqlDialect;
  throw new HlmError("OPTIONS", `Unknown SQL dialect '${text}'; the dialects are ${SQL_DIALECTS.join(", ")}.`);
}

/**
 * A table name as SQL: each dot-separated part quoted (`analytics.scores` → "analytics"."scores"),
 * so that no name can close the quotes and run a statement of its own.
 */
export function tableReference(name: string, syntax: DialectSyntax): string {
  const parts = name.split(".");
  if (name.trim() === "" || parts.some((p) => p.trim() === "")) throw new HlmError("OPTIONS", `'${name}' is not a table name; give it as table or schema.table.`);
  return parts.map((p) => syntax.quote(p)).join(".");
}

/**
 * A row filter (`--where "year >= 2020"`), put in parentheses after WHERE. It is SQL the user writes
 * for their own database; one statement only: a semicolon or a comment outside quotes is refused.
 */
export function checkWhere(where: string): string {
  let quote: string | null = null;
  for (let i = 0; i < where.length; i++) {
    const ch = where[i]!;
    if (quote) {
      if (ch === quote) quote = null;
      continue;
    }
    if (ch === "'" || ch === '"' || ch === "`") quote = ch;
    else if (ch === ";" || (ch === "-" && where[i + 1] === "-") || (ch === "/" && where[i + 1] === "*")) {
      throw new HlmError("OPTIONS", `The row filter '${where}' holds '${ch === ";" ? ";" : where.slice(i, i + 2)}' at position ${i + 1}; give one condition, as in --where "year >= 2020".`, { position: i + 1 });
    }
  }
  if (quote) throw new HlmError("OPTIONS", `The row filter '${where}' has an unclosed ${quote} quote.`);
  if (where.trim() === "") throw new HlmError("OPTIONS", "The row filter is empty; give a condition, as in --where \"year >= 2020\".");
  return where;
}
