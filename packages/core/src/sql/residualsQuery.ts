import { HlmError } from "../HlmError.js";
import type { LmmFit } from "../fit/LmmFit.js";
import { dialectSyntax, tableReference, type SqlDialect } from "./SqlDialect.js";
import { frameCtes, type SqlSource } from "./crossProductsQuery.js";
import type { CellDesign } from "./modelFromSums.js";
import type { CrossProductPlan } from "./planCrossProducts.js";

/**
 * Per cell, the coefficient of each atom in the fitted value (Xβ̂ + Zb̂ = Σ_a coef_a · atom_a): the
 * fixed effects and the cell's levels' BLUPs, each times its column's indicator in the cell.
 */
export function cellCoefficients(plan: CrossProductPlan, design: CellDesign, fit: LmmFit): Float64Array[] {
  const nCells = design.keys.length;
  const coef = plan.atoms.map(() => new Float64Array(nCells));
  design.x.forEach(({ atom, ind }, j) => {
    const beta = fit.fixef[j]!;
    for (let c = 0; c < nCells; c++) coef[atom]![c]! += beta * ind[c]!;
  });
  for (const t of design.z) {
    const table = fit.ranef.find((r) => r.group === t.group);
    if (!table) throw new HlmError("INTERNAL", `No BLUPs of '${t.group}' in the fit.`);
    const cols = t.columnNames.map((name) => table.columns.indexOf(name));
    for (let c = 0; c < nCells; c++) {
      const b = table.values[t.refs[c]!]!;
      for (let a = 0; a < t.p; a++) coef[t.atoms[a]!]![c]! += b[cols[a]!]! * t.z[c * t.p + a]!;
    }
  }
  return coef;
}

/** What the query of fitted values does: the scaled residuals' quantiles, or a new table of every row with its fitted value and residual. */
export type ResidualsOutput = { quantiles: true } | { table: string; columns: readonly string[] };

/**
 * The query that passes over the rows once more, after the fit: each row's fitted value from its
 * cell's coefficients (a VALUES list of O(cells) rows, joined on the categorical variables), then
 * the scaled residuals' min, quartiles and max by the database's exact quantile (R's type 7:
 * DuckDB's quantile_cont, PostgreSQL's percentile_cont), or `CREATE TABLE` of the rows with
 * `fitted` and `residual` (the source's own columns first). DuckDB and PostgreSQL only.
 */
export function residualsQuery(plan: CrossProductPlan, design: CellDesign, fit: LmmFit, source: SqlSource, dialect: SqlDialect, output: ResidualsOutput): string {
  if (dialect !== "duckdb" && dialect !== "postgres") throw new HlmError("OPTIONS", `The residuals are computed in DuckDB or PostgreSQL, not in ${dialect}.`);
  const syntax = dialectSyntax(dialect);
  const num = (v: string): string => `CAST(${v} AS ${syntax.double})`;
  const coef = cellCoefficients(plan, design, fit);
  const keyCols = plan.categorical.map((_, k) => `hlm_c${k}`);
  const coefCols = plan.atoms.map((_, a) => `hlm_k${a}`);
  const value = (v: string | number | null, k: number): string => {
    if (v === null) return "NULL";
    if (plan.categorical[k]!.kind === "number") return repr(v as number);
    return `'${String(v).replaceAll("'", "''")}'`;
  };
  const rows = design.keys.map((keys, c) => `(${[...keys.map(value), ...coef.map((col) => repr(col[c]!))].join(", ")})`);
  const casts = [...keyCols.map((name, k) => `CAST(${name} AS ${plan.categorical[k]!.kind === "number" ? syntax.double : syntax.text}) AS ${name}`), ...coefCols.map((name) => `${num(name)} AS ${name}`)];
  const ctes = frameCtes(plan, source, dialect, !("quantiles" in output));
  ctes.push(`coef AS (SELECT ${casts.join(", ")} FROM (VALUES ${rows.join(", ")}) AS t(${[...keyCols, ...coefCols].join(", ")}))`);
  const atom = (a: number): string => plan.atoms[a]!.map((k) => `frame.hlm_v${k}`).join(" * ");
  const fitted = [...plan.offsets.map((_, k) => `frame.hlm_o${k}`), ...plan.atoms.map((vs, a) => (vs.length === 0 ? `coef.hlm_k${a}` : `coef.hlm_k${a} * ${atom(a)}`))].join(" + ");
  const on = keyCols.map((name) => `frame.${name} = coef.${name}`).join(" AND ");
  ctes.push(`res AS (SELECT frame.*, ${fitted} AS hlm_fitted FROM frame JOIN coef ON ${on})`);
  const head = `WITH\n  ${ctes.join(",\n  ")}\n`;
  if ("quantiles" in output) {
    const scaled = `(hlm_y - hlm_fitted) * SQRT(hlm_w) / ${repr(fit.sigma)}`;
    const probs = "0, 0.25, 0.5, 0.75, 1";
    return dialect === "duckdb" ? `${head}SELECT quantile_cont(${scaled}, [${probs}]) FROM res` : `${head}SELECT percentile_cont(ARRAY[${probs}]) WITHIN GROUP (ORDER BY ${scaled}) FROM res`;
  }
  for (const name of ["fitted", "residual"]) {
    if (output.columns.includes(name)) throw new HlmError("OPTIONS", `The table has a column '${name}' already; the table of fitted values adds 'fitted' and 'residual'.`);
  }
  const cols = output.columns.map((c) => syntax.quote(c)).join(", ");
  return `CREATE TABLE ${tableReference(output.table, syntax)} AS\n${head}SELECT ${cols}, hlm_fitted AS fitted, hlm_y - hlm_fitted AS residual FROM res`;
}

/** A double as SQL: the shortest text that reads back as the same double. */
function repr(v: number): string {
  if (!Number.isFinite(v)) throw new HlmError("INTERNAL", "A coefficient of the fitted values is not finite.");
  return String(v);
}
