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

/**
 * The cells' coefficients as a table to load into the database (`residualsQuery`'s `coefTable`):
 * the categorical values (hlm_c0, …: text or double) and each atom's coefficient (hlm_k0, …).
 */
export function coefficientTable(plan: CrossProductPlan, design: CellDesign, fit: LmmFit): { columns: { name: string; type: "text" | "double" }[]; rows: (string | number | null)[][] } {
  const coef = cellCoefficients(plan, design, fit);
  return {
    columns: [...plan.categorical.map((c, k) => ({ name: `hlm_c${k}`, type: c.kind === "number" ? ("double" as const) : ("text" as const) })), ...plan.atoms.map((_, a) => ({ name: `hlm_k${a}`, type: "double" as const }))],
    rows: design.keys.map((keys, c) => [...keys, ...coef.map((col) => col[c]!)]),
  };
}

/**
 * What the query of fitted values does, over the scaled residuals r (those in the bins `within`
 * names, when it names some) or the rows:
 * - `extremes`: the count, min and max of r;
 * - `histogram`: the counts of r in equal bins;
 * - `bins`: the values of r in some of those bins, with their bin;
 * - `table`: a new table of every row used, with its fitted value and residual; `file`: the same
 *   rows written by DuckDB as a Parquet or CSV file.
 */
export type ResidualsOutput =
  | { extremes: true; within?: readonly BinFilter[] }
  | { histogram: ResidualBins; within?: readonly BinFilter[] }
  | { bins: ResidualBins; which: readonly number[]; within?: readonly BinFilter[] }
  | { table: string; columns: readonly string[] }
  | { file: string; format: "parquet" | "csv"; columns: readonly string[] };

/** Equal bins of [lo, hi] for the scaled residuals (the last bin closed). */
export interface ResidualBins {
  lo: number;
  hi: number;
  bins: number;
}

/** The residuals in one bin of a binning. */
export interface BinFilter {
  bins: ResidualBins;
  bin: number;
}

/**
 * The query that passes over the rows once more, after the fit: each row's fitted value from its
 * cell's coefficients (a VALUES list of O(cells) rows, joined on the categorical variables), then
 * the scaled residuals' min, quartiles and max by the database's exact quantile (R's type 7:
 * DuckDB's quantile_cont, PostgreSQL's percentile_cont), or `CREATE TABLE` of the rows with
 * `fitted` and `residual` (the source's own columns first). DuckDB and PostgreSQL only.
 */
export function residualsQuery(plan: CrossProductPlan, design: CellDesign, fit: LmmFit, source: SqlSource, dialect: SqlDialect, output: ResidualsOutput, coefTable?: string): string {
  if (dialect !== "duckdb" && dialect !== "postgres") throw new HlmError("OPTIONS", `The residuals are computed in DuckDB or PostgreSQL, not in ${dialect}.`);
  const syntax = dialectSyntax(dialect);
  const num = (v: string): string => `CAST(${v} AS ${syntax.double})`;
  const keyCols = plan.categorical.map((_, k) => `hlm_c${k}`);
  const coefCols = plan.atoms.map((_, a) => `hlm_k${a}`);
  const value = (v: string | number | null, k: number): string => {
    if (v === null) return "NULL";
    if (plan.categorical[k]!.kind === "number") return repr(v as number);
    return `'${String(v).replaceAll("'", "''")}'`;
  };
  const rows = (coef = cellCoefficients(plan, design, fit)): string[] => design.keys.map((keys, c) => `(${[...keys.map(value), ...coef.map((col) => repr(col[c]!))].join(", ")})`);
  const casts = [...keyCols.map((name, k) => `CAST(${name} AS ${plan.categorical[k]!.kind === "number" ? syntax.double : syntax.text}) AS ${name}`), ...coefCols.map((name) => `${num(name)} AS ${name}`)];
  const writes = "table" in output || "file" in output;
  const ctes = frameCtes(plan, source, dialect, writes);
  // the coefficients from a table loaded beforehand (`coefficientTable`), or inline (a long text: O(cells) rows)
  if (coefTable !== undefined) ctes.push(syntax.cte("coef", `SELECT * FROM ${tableReference(coefTable, syntax)}`, false));
  else ctes.push(syntax.cte("coef", `SELECT ${casts.join(", ")} FROM (VALUES ${rows().join(", ")}) AS t(${[...keyCols, ...coefCols].join(", ")})`, false));
  const atom = (a: number): string => plan.atoms[a]!.map((k) => `frame.hlm_v${k}`).join(" * ");
  const fitted = [...plan.offsets.map((_, k) => `frame.hlm_o${k}`), ...plan.atoms.map((vs, a) => (vs.length === 0 ? `coef.hlm_k${a}` : `coef.hlm_k${a} * ${atom(a)}`))].join(" + ");
  const on = keyCols.map((name) => `frame.${name} = coef.${name}`).join(" AND ");
  ctes.push(syntax.cte("res", `SELECT frame.*, ${fitted} AS hlm_fitted FROM frame JOIN coef ON ${on}`, true));
  if (!writes) {
    ctes.push(syntax.cte("sr", `SELECT (hlm_y - hlm_fitted) * SQRT(hlm_w) / ${repr(fit.sigma)} AS r FROM res`, true));
    const head = `WITH\n  ${ctes.join(",\n  ")}\n`;
    // the bin of r: monotone in r (each operation rounds monotonically), the same in every query
    const binOf = (b: ResidualBins): string => `LEAST(${b.bins - 1}, CAST(FLOOR((r - ${repr(b.lo)}) / ${repr(b.hi - b.lo)} * ${b.bins}) AS BIGINT))`;
    const inRange = (b: ResidualBins): string => `r >= ${repr(b.lo)} AND r <= ${repr(b.hi)}`;
    const within = (output.within ?? []).map((f) => `${inRange(f.bins)} AND ${binOf(f.bins)} = ${f.bin}`);
    const where = (extra: string[]): string => (within.length + extra.length === 0 ? "" : ` WHERE ${[...within, ...extra].join(" AND ")}`);
    if ("extremes" in output) return `${head}SELECT ${num("COUNT(*)")}, MIN(r), MAX(r) FROM sr${where([])}`;
    if ("histogram" in output) return `${head}SELECT ${binOf(output.histogram)} AS bin, ${num("COUNT(*)")} FROM sr${where([inRange(output.histogram)])} GROUP BY 1`;
    return `${head}SELECT * FROM (SELECT ${binOf(output.bins)} AS bin, r FROM sr${where([inRange(output.bins)])}) t WHERE bin IN (${output.which.join(", ")})`;
  }
  const head = `WITH\n  ${ctes.join(",\n  ")}\n`;
  for (const name of ["fitted", "residual"]) {
    if (output.columns.includes(name)) throw new HlmError("OPTIONS", `The table has a column '${name}' already; the table of fitted values adds 'fitted' and 'residual'.`);
  }
  const cols = output.columns.map((c) => syntax.quote(c)).join(", ");
  const select = `${head}SELECT ${cols}, hlm_fitted AS fitted, hlm_y - hlm_fitted AS residual FROM res`;
  if ("file" in output) {
    if (dialect !== "duckdb") throw new HlmError("OPTIONS", "A file of fitted values is written by DuckDB; a PostgreSQL database gets a table: give --write-fitted a table name.");
    return `COPY (${select}) TO '${output.file.replaceAll("'", "''")}' (FORMAT ${output.format})`;
  }
  return `CREATE TABLE ${tableReference(output.table, syntax)} AS\n${select}`;
}

/** A double as SQL: the shortest text that reads back as the same double. */
function repr(v: number): string {
  if (!Number.isFinite(v)) throw new HlmError("INTERNAL", "A coefficient of the fitted values is not finite.");
  return String(v);
}

/**
 * R's quantile(type = 7) of the scaled residuals the database holds, exactly, in memory that does
 * not grow with their number: `query` runs a `residualsQuery` output and gives its rows. The count
 * and extremes, counts in 65,536 equal bins, then the values of the bins that hold the order
 * statistics type 7 needs; a bin of more than 200,000 values is binned again, within itself (ties:
 * a bin whose values are all equal is that value).
 */
export async function exactQuantiles(query: (output: ResidualsOutput) => Promise<unknown[][]>, probs: readonly number[]): Promise<number[]> {
  const BINS = 65_536;
  const value = new Map<number, number>();
  const find = async (within: BinFilter[], first: number, wanted: number[] | null): Promise<number> => {
    const [count, lo, hi] = (await query({ extremes: true, within }))[0]!.map(Number) as [number, number, number];
    const ranks = wanted ?? [...new Set(probs.flatMap((p) => [Math.floor((count - 1) * p), Math.ceil((count - 1) * p)]))];
    if (!(count > 0)) return 0;
    if (lo === hi) {
      for (const k of ranks) value.set(k, lo);
      return count;
    }
    const bins: ResidualBins = { lo, hi, bins: BINS };
    const counts = new Float64Array(BINS);
    for (const [b, c] of await query({ histogram: bins, within })) counts[Number(b)] = Number(c);
    const starts = new Float64Array(BINS + 1);
    for (let b = 0; b < BINS; b++) starts[b + 1] = starts[b]! + counts[b]!;
    // the bin of each wanted rank, from the cumulative counts
    const byBin = new Map<number, number[]>();
    for (const k of ranks) {
      let b = 0;
      while (b < BINS - 1 && first + starts[b + 1]! <= k) b++;
      byBin.set(b, [...(byBin.get(b) ?? []), k]);
    }
    const small = [...byBin.keys()].filter((b) => counts[b]! <= 200_000);
    if (small.length > 0) {
      const values = new Map<number, number[]>();
      for (const [b, r] of await query({ bins, which: small, within })) values.set(Number(b), [...(values.get(Number(b)) ?? []), Number(r)]);
      for (const b of small) {
        const sorted = Float64Array.from(values.get(b) ?? []).sort();
        for (const k of byBin.get(b)!) value.set(k, sorted[k - first - starts[b]!]!);
      }
    }
    for (const b of byBin.keys()) if (counts[b]! > 200_000) await find([...within, { bins, bin: b }], first + starts[b]!, byBin.get(b)!);
    return count;
  };
  const count = await find([], 0, null);
  if (count === 0) return probs.map(() => NaN);
  return probs.map((p) => {
    const h = (count - 1) * p;
    const a = value.get(Math.floor(h))!;
    const b = value.get(Math.ceil(h))!;
    return a + (h - Math.floor(h)) * (b - a);
  });
}
