// The numbers of the page on data in files and databases (docs/guide/databases.md): the lecture's
// fit.1 run by the hlm command on the NELS data as a Parquet file (public/nels.parquet, made from
// public/nels_sim.csv when it is missing; DuckDB computes the sums), beside
// the same fit from the CSV file in memory; what comes back from the database (cells, numbers); and
// the query `hlm sql` prints for BigQuery; profile intervals and the ICC from the same sums. `databaseFiles()` is a function of docs/public/nels_sim.csv
// and the built command (packages/cli/dist/main.js); the docs build adds its files to generate()'s.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { crossProductsQuery, planCrossProducts, sumsLayout, type SqlColumn } from "@hlm/core";

/** The fragments of the databases page, by path under docs/. */
export async function databaseFiles(docsDir: string): Promise<Record<string, string>> {
  const csv = join(docsDir, "public/nels_sim.csv");
  const cli = join(docsDir, "../packages/cli/dist/main.js");
  // the NELS data as Parquet, beside the CSV file for readers to download (made once, then kept)
  const dir = join(docsDir, "public");
  const parquet = join(dir, "nels.parquet");
  const instance = await DuckDBInstance.create(":memory:");
  const con = await instance.connect();
  if (!existsSync(parquet)) await con.run(`COPY (SELECT * FROM read_csv('${csv}', auto_type_candidates = ['BIGINT', 'DOUBLE', 'VARCHAR'])) TO '${parquet}' (FORMAT parquet)`);
  const formula = "score ~ ses + (ses | school)";
  const hlm = (args: string[]): string => execFileSync(process.execPath, [cli, ...args], { encoding: "utf8", cwd: dir });
  const fromParquet = hlm(["fit", "nels.parquet", "--formula", formula, "--ml"]);
  // what the database returns: one row per cell (here per school) and the three blocks of one row each
  const columns = (await con.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${parquet}')`)).getRowsJS().map((r) => ({ name: String(r[0]), kind: /VARCHAR/.test(String(r[1])) ? "text" : "number" }) as SqlColumn);
  const plan = planCrossProducts(formula, columns, { REML: false });
  const result = (await con.runAndReadAll(crossProductsQuery(plan, { from: `read_parquet('${parquet}')` }, "duckdb"))).getRowsJS();
  const nrow = Number((await con.runAndReadAll(`SELECT COUNT(*) FROM read_parquet('${parquet}')`)).getRowsJS()[0]![0]);
  con.closeSync();
  const layout = sumsLayout(plan);
  const cells = result.filter((r) => r[0] === "cells").length;
  const numbers = result.reduce((acc, r) => acc + r.filter((v) => v !== null).length - 1, 0);
  const sizes = [
    "| fit.1 on the NELS data | count |",
    "|---|--:|",
    `| rows of the table | ${nrow.toLocaleString("en-US")} |`,
    `| cells (rows that share every categorical value: here, schools) | ${cells.toLocaleString("en-US")} |`,
    `| rows of the query's result | ${result.length.toLocaleString("en-US")} |`,
    `| numbers in the result | ${numbers.toLocaleString("en-US")} |`,
    `| sums per cell | ${plan.cellSums.length} |`,
    `| columns of the result | ${2 + layout.keys + layout.sums} |`,
  ].join("\n");
  // after the fit, from the same sums: lme4's profile intervals and performance's ICC
  const afterFit = ["confint", "icc"].map((command) => `$ hlm ${command} nels.parquet --formula "${formula}" --ml\n${hlm([command, "nels.parquet", "--formula", formula, "--ml"])}`).join("\n");
  const sql = hlm(["sql", "--dialect", "bigquery", "--table", "analytics.nels", "--formula", formula, "--columns", "school:number"]);
  const code = (text: string, lang = "text"): string => "```" + lang + "\n" + text.replace(/\s+$/, "") + "\n```\n";
  return {
    "generated/db-parquet-summary.md": code(fromParquet),
    "generated/db-sizes.md": sizes + "\n",
    "generated/db-after-fit.md": code(afterFit),
    "generated/db-bigquery-sql.md": code(sql, "sql"),
  };
}
