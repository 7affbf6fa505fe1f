import { HlmError } from "../HlmError.js";
import { deparse, type Expr } from "../formula/parseFormula.js";
import { checkWhere, dialectSyntax, tableReference, type SqlDialect } from "./SqlDialect.js";
import type { CrossProductPlan, PlanNumeric } from "./planCrossProducts.js";
import { numericSql } from "./sqlExpression.js";

/** Where the rows come from: a table by name, or (for DuckDB's files) a table expression such as read_parquet('f.parquet'). */
export interface SqlSource {
  table?: string;
  /** A table expression written by the program itself (never user text): `read_parquet('…')`. */
  from?: string;
  /** A row filter in the database's SQL (`year >= 2020`). */
  where?: string;
}

/** A variable whose missing and not-a-number rows are counted (the fit's "rows dropped" warning). */
export interface CheckedVariable {
  name: string;
  kind: "numeric" | "categorical";
}

/**
 * The positions of the result's sums, per block (the same for every dialect). The result has the
 * columns `block`, `k0 … k{C−1}` (the categorical variables' values, null where a block does not
 * group by them), `n` (rows) and `s0 … s{S−1}`:
 * - `rows`: one row over all rows: per checked variable, rows where an input is missing and rows
 *   where its value is not a number although its inputs are there;
 * - `frame`: one row over the complete rows: the sums `FRAME_SUMS` names, then the largest |value|
 *   of each atom past the first, then each scale() call's centre and scale;
 * - `fixed`: per cell of the fixed-effect factors: the plan's `denseSums` (weighted), then per fixed
 *   atom Σa, Σa² and the rows where a is neither 0 nor 1 (unweighted, for lme4's scale check);
 * - `cells`: per cell of all categorical variables: the plan's `cellSums` (weighted).
 */
export interface SumsLayout {
  keys: number;
  sums: number;
  checked: CheckedVariable[];
  /**
   * A hash of the plan, carried in the `rows` block's name (`rows:<signature>:<categorical>`, the
   * categorical variables' names as JSON) so that a result read back is checked against its formula,
   * and tells which of its variables are categorical.
   */
  signature: string;
}

/** The `frame` block's leading sums, in order. */
export const FRAME_SUMS = ["sumLogW", "minW", "shift", "sumY", "sumY2", "minY", "maxY", "maxScaledY", "maxScaledOffset", "maxAbsY", "maxAbsW"] as const;

/**
 * The variables whose dropped rows are counted, in the `rows` block's order, the order the model
 * frame counts them in (the response, the formula's variables as they appear, offsets, grouping
 * factors, weights), each with its value and presence-flag columns in `vars`.
 */
export function checkedVariables(plan: CrossProductPlan): (CheckedVariable & { value: string; flag: string })[] {
  const out: (CheckedVariable & { value: string; flag: string })[] = [{ name: plan.response.name, kind: "numeric", value: "hlm_y", flag: "hlm_py" }];
  const add = (name: string): void => {
    if (out.some((v) => v.name === name)) return;
    // a poly() basis by its first column (they share their variable's missing rows)
    const k = plan.numeric.findIndex((v) => v.name === name || (v.basis !== undefined && plan.polys[v.basis.poly]!.key === name));
    if (k >= 0) {
      out.push({ name, kind: "numeric", value: `hlm_v${k}`, flag: `hlm_p${k}` });
      return;
    }
    const c = plan.categorical.findIndex((v) => v.name === name);
    if (c >= 0) out.push({ name, kind: "categorical", value: `hlm_c${c}`, flag: `CASE WHEN hlm_c${c} IS NOT NULL THEN 1 ELSE 0 END` });
  };
  for (const v of plan.terms.fixed.variables.slice(1)) add(v.name);
  for (const r of plan.terms.random) for (const v of r.effects.variables) add(v.name);
  plan.offsets.forEach((o, k) => out.push({ name: o.name, kind: "numeric", value: `hlm_o${k}`, flag: `hlm_po${k}` }));
  for (const c of plan.categorical) add(c.name);
  if (plan.weights) out.push({ name: plan.weights, kind: "numeric", value: "hlm_w", flag: "hlm_pw" });
  return out;
}

/** The result's layout for a plan. */
export function sumsLayout(plan: CrossProductPlan): SumsLayout {
  const frame = FRAME_SUMS.length + plan.offsets.length + plan.atoms.length - 1 + 2 * plan.scales.length + polySums(plan);
  const fixed = plan.denseSums.length + 3 * plan.xAtoms.length;
  const checked = checkedVariables(plan).map(({ name, kind }) => ({ name, kind }));
  return { keys: plan.categorical.length, sums: Math.max(2 * checked.length, frame, fixed, plan.cellSums.length), checked, signature: planSignature(plan) };
}

/**
 * The `frame` block's sums of R's poly() recurrence, after the scales: per orthogonal poly() call,
 * the rows where its variable is missing, the rows where it is there, its distinct values and its
 * mean, then per degree k = 1 … d, Σ p_k² and Σ (x − x̄) p_k² (p_k the monic orthogonal polynomials
 * over those rows, in x − x̄).
 */
export function polySums(plan: CrossProductPlan): number {
  return plan.polys.reduce((acc, q) => acc + (q.raw ? 0 : 4 + 2 * q.degree), 0);
}

/**
 * FNV-1a of what the sums depend on: the formula, the weights, which variables are categorical and
 * which numeric (not how a categorical one's values are written: a result read back tells that).
 */
function planSignature(plan: CrossProductPlan): string {
  const text = JSON.stringify([plan.formula, plan.weights, plan.categorical.map((c) => c.name), plan.numeric.map((v) => v.name)]);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

/**
 * The one query that computes a plan's sums, in a dialect: it reads the rows once per block and
 * returns O(cells) numbers. The same text runs on DuckDB and PostgreSQL in the tests; `hlm sql`
 * prints it for Spark SQL and BigQuery, whose result `hlm fit --cross-products` reads back.
 */
export function crossProductsQuery(plan: CrossProductPlan, source: SqlSource, dialect: SqlDialect): string {
  const syntax = dialectSyntax(dialect);
  const num = (v: string): string => `CAST(${v} AS ${syntax.double})`;
  const layout = sumsLayout(plan);
  const keyType = (k: number): string => (plan.categorical[k]!.kind === "number" ? syntax.double : syntax.text);

  const ctes = frameCtes(plan, source, dialect);
  const offset = plan.offsets.length === 0 ? "" : ` - ${plan.offsets.map((_, k) => `hlm_o${k}`).join(" - ")}`;
  // the response's mean, taken out where X has an intercept (one row either way)
  ctes.push(syntax.cte("ctr", plan.intercept ? `SELECT AVG(hlm_y${offset}) AS shift FROM frame` : `SELECT ${num("0")} AS shift`, false));
  const atomSql = (a: number): string => {
    const vs = plan.atoms[a]!;
    return vs.length === 0 ? num("1") : vs.map((k) => `hlm_v${k}`).join(" * ");
  };
  const atomCols = [
    ...plan.categorical.map((_, k) => `hlm_c${k}`),
    "hlm_w",
    `(hlm_y${offset} - ctr.shift) AS hlm_ay`,
    "ctr.shift AS shift",
    "hlm_y",
    ...plan.offsets.map((_, k) => `hlm_o${k}`),
    ...plan.atoms.slice(1).map((_, i) => `${atomSql(i + 1)} AS hlm_a${i + 1}`),
  ];
  ctes.push(syntax.cte("atoms", `SELECT ${atomCols.join(", ")} FROM frame CROSS JOIN ctr`, true));

  // sums of products of atoms (Y = the centred response), weighted or not
  const Y = plan.atoms.length;
  const factor = (a: number): string[] => (a === Y ? ["hlm_ay"] : a === 0 ? [] : [`hlm_a${a}`]);
  const sumOf = (a: number, b: number, weighted: boolean): string => {
    const parts = [...(weighted && plan.weights ? ["hlm_w"] : []), ...factor(a), ...factor(b)];
    return parts.length === 0 ? num("COUNT(*)") : `SUM(${parts.join(" * ")})`;
  };
  const select = (block: string, keys: number[], n: string, sums: string[], tail: string): string => {
    const keyCols = plan.categorical.map((_, k) => (keys.includes(k) ? `hlm_c${k}` : `CAST(NULL AS ${keyType(k)})`));
    const padded = [...sums, ...Array.from({ length: layout.sums - sums.length }, () => `CAST(NULL AS ${syntax.double})`)];
    const cols = [`'${block}'`, ...keyCols, n, ...padded];
    const named = cols.map((c, i) => `${c} AS ${i === 0 ? "block" : i <= layout.keys ? `k${i - 1}` : i === layout.keys + 1 ? "n" : `s${i - layout.keys - 2}`}`);
    return `SELECT ${named.join(", ")} ${tail}`;
  };
  const count = num("COUNT(*)");
  const rowsSums = checkedVariables(plan).flatMap(({ kind, value, flag }) => [num(`SUM(1 - ${flag})`), kind === "categorical" ? num("0") : num(`SUM(CASE WHEN ${flag} = 1 AND ${value} IS NULL THEN 1 ELSE 0 END)`)]);
  const frameSums = [
    plan.weights ? `SUM(CASE WHEN hlm_w > 0 THEN LN(hlm_w) END)` : num("0"),
    "MIN(hlm_w)",
    "MAX(shift)",
    "SUM(hlm_ay)",
    "SUM(hlm_ay * hlm_ay)",
    "MIN(hlm_ay)",
    "MAX(hlm_ay)",
    "MAX(ABS(hlm_ay) * SQRT(CASE WHEN hlm_w > 0 THEN hlm_w ELSE 0 END))",
    plan.offsets.length === 0 ? num("0") : `MAX(ABS(0${offset.replaceAll(" - ", " + ")}) * SQRT(CASE WHEN hlm_w > 0 THEN hlm_w ELSE 0 END))`,
    "MAX(ABS(hlm_y))",
    "MAX(ABS(hlm_w))",
    ...plan.offsets.map((_, k) => `MAX(ABS(hlm_o${k}))`),
    ...plan.atoms.slice(1).map((_, i) => `MAX(ABS(hlm_a${i + 1}))`),
    ...plan.scales.flatMap((_, i) => [`MAX(scl.m${i})`, `MAX(scl.d${i})`]),
    ...plan.polys.flatMap((q, i) => (q.raw ? [] : [`MAX(pq${i}_0.miss)`, `MAX(pq${i}_0.n)`, `MAX(pq${i}_0.nd)`, `MAX(pq${i}_0.m)`, ...Array.from({ length: q.degree }, (_, j) => [`MAX(pq${i}_${j + 1}.s)`, `MAX(pq${i}_${j + 1}.t)`]).flat()])),
  ];
  const fixedSums = [
    ...plan.denseSums.map(([a, b]) => sumOf(a, b, true)),
    ...plan.xAtoms.flatMap((a) => (a === 0 ? [count, count, num("0")] : [`SUM(hlm_a${a})`, `SUM(hlm_a${a} * hlm_a${a})`, num(`SUM(CASE WHEN hlm_a${a} = 0 OR hlm_a${a} = 1 THEN 0 ELSE 1 END)`)])),
  ];
  const cellSums = plan.cellSums.map(([a, b]) => sumOf(a, b, true));
  const all = plan.categorical.map((_, k) => k);
  const groupBy = (keys: number[]): string => (keys.length === 0 ? "" : ` GROUP BY ${keys.map((k) => `hlm_c${k}`).join(", ")}`);
  const body = [
    select(`rows:${layout.signature}:${JSON.stringify(plan.categorical.map((c) => c.name)).replaceAll("'", "''")}`, [], count, rowsSums, "FROM vars"),
    select("frame", [], count, frameSums, `FROM atoms${plan.scales.length > 0 ? " CROSS JOIN scl" : ""}${polyJoins(plan)}`),
    select("fixed", plan.fixedKeys, count, fixedSums, `FROM atoms${groupBy(plan.fixedKeys)}`),
    select("cells", all, count, cellSums, `FROM atoms${groupBy(all)}`),
  ];
  return `WITH\n  ${ctes.join(",\n  ")}\n${body.join("\nUNION ALL\n")}`;
}

/**
 * The query's common part, the model frame: `src` (the rows, filtered), `scl` (scale()'s centres and
 * scales), `raw` (every variable per row), `vars` (not-a-number values as null) and `frame` (the
 * complete rows). With `keepSource`, the source's own columns ride along (for a table of fitted
 * values).
 */
export function frameCtes(plan: CrossProductPlan, source: SqlSource, dialect: SqlDialect, keepSource = false): string[] {
  const syntax = dialectSyntax(dialect);
  const q = syntax.quote;
  const num = (v: string): string => `CAST(${v} AS ${syntax.double})`;
  const scaleIndex = new Map(plan.scales.map((s, i) => [s.key, i]));
  const scope = {
    syntax,
    formula: plan.formula,
    column: (name: string) => num(q(name)),
    scale: (call: Expr & { type: "call" }) => {
      const i = scaleIndex.get(deparse(call))!;
      return { center: `scl.m${i}`, scale: `scl.d${i}` };
    },
    text: (name: string) => `CAST(${q(name)} AS ${syntax.text})`,
  };
  const sclJoin = plan.scales.length > 0 ? " CROSS JOIN scl" : "";
  const finite = (r: string): string => `CASE WHEN ${r} - ${r} = 0 THEN ${r} END`;
  /** R's poly() recurrence in x − x̄ (`xc`): p_0 = 1, p_1 = xc, p_j = (xc − α'_j) p_{j−1} − (N_j/N_{j−1}) p_{j−2}, α'_j = t_{j−1}/s_{j−1}, N_0 = 1, N_1 = n, N_j = s_{j−1}. */
  const polyP = (i: number, j: number, xc: string): string => {
    if (j === 0) return num("1");
    if (j === 1) return xc;
    const N = (k: number): string => (k === 0 ? num("1") : k === 1 ? `pq${i}_0.n` : `pq${i}_${k - 1}.s`);
    const alpha = `(pq${i}_${j - 1}.t / pq${i}_${j - 1}.s)`;
    return `((${xc} - ${alpha}) * ${polyP(i, j - 1, xc)} - (${N(j)} / ${N(j - 1)}) * ${polyP(i, j - 2, xc)})`;
  };
  const polyX = (i: number): string => finite(numericSql(plan.polys[i]!.x, scope));
  const expr = (v: PlanNumeric): string => {
    if (v.basis === undefined) return numericSql(v.expr, scope);
    const { poly: i, k } = v.basis;
    const q = plan.polys[i]!;
    if (q.raw) {
      // R's poly(x, d, raw = TRUE): the powers (products up to the fourth, as R_pow_di)
      const x = numericSql(q.x, scope);
      return k === 1 ? x : k <= 4 ? `(${Array.from({ length: k }, () => x).join(" * ")})` : `POWER(${x}, ${num(String(k))})`;
    }
    return `(${polyP(i, k, `(${polyX(i)} - pq${i}_0.m)`)} / SQRT(pq${i}_${k}.s))`;
  };
  const from = source.from ?? (source.table !== undefined ? tableReference(source.table, syntax) : null);
  if (from === null) throw new HlmError("OPTIONS", "Name the table to read (--table).");
  const where = source.where !== undefined ? ` WHERE (${checkWhere(source.where)})` : "";
  const present = (cols: string[]): string => (cols.length === 0 ? "1" : `CASE WHEN ${cols.map((c) => `${q(c)} IS NOT NULL`).join(" AND ")} THEN 1 ELSE 0 END`);
  const keySql = (k: number): string => {
    const c = plan.categorical[k]!;
    if (c.logical) {
      // R's logical variable: FALSE and TRUE as text, missing where a compared value is
      const v = numericSql(c.logical, scope);
      return `CASE WHEN ${v} = 1 THEN 'TRUE' WHEN ${v} = 0 THEN 'FALSE' END`;
    }
    if (c.kind === "number") return num(q(c.column));
    if (c.kind === "boolean") return `CASE WHEN ${q(c.column)} THEN 'TRUE' WHEN NOT ${q(c.column)} THEN 'FALSE' END`;
    return `CAST(${q(c.column)} AS ${syntax.text})`;
  };

  const ctes: string[] = [syntax.cte("src", `SELECT * FROM ${from}${where}`, true)];
  if (plan.scales.length > 0) {
    const inner = plan.scales.map((s, i) => `${finite(numericSql(s.expr, scope))} AS hlm_e${i}`).join(", ");
    const aggs = plan.scales.map((_, i) => `AVG(hlm_e${i}) AS m${i}, STDDEV_SAMP(hlm_e${i}) AS d${i}`).join(", ");
    ctes.push(syntax.cte("scl", `SELECT ${aggs} FROM (SELECT ${inner} FROM src) t`, false));
  }
  // R's poly(): its variable over every row (as scale()'s), then one pass per degree for the recurrence
  plan.polys.forEach((q, i) => {
    if (q.raw) return;
    ctes.push(syntax.cte(`pq${i}_0`, `SELECT ${num("COUNT(*) - COUNT(e)")} AS miss, ${num("COUNT(e)")} AS n, ${num("COUNT(DISTINCT e)")} AS nd, AVG(e) AS m FROM (SELECT ${polyX(i)} AS e FROM src${sclJoin}) t`, false));
    for (let j = 1; j <= q.degree; j++) {
      const earlier = Array.from({ length: j - 1 }, (_, k) => ` CROSS JOIN pq${i}_${k + 1}`).join("");
      const centred = `SELECT e - pq${i}_0.m AS xc FROM (SELECT ${polyX(i)} AS e FROM src${sclJoin}) t0 CROSS JOIN pq${i}_0`;
      ctes.push(syntax.cte(`pq${i}_${j}`, `SELECT SUM(p * p) AS s, SUM(xc * p * p) AS t FROM (SELECT xc, ${polyP(i, j, "xc")} AS p FROM (${centred}) t1 CROSS JOIN pq${i}_0${earlier}) t2`, false));
    }
  });
  const rawCols = [
    ...(keepSource ? ["src.*"] : []),
    `${expr(plan.response)} AS hlm_ry`,
    `${present(plan.response.columns)} AS hlm_py`,
    ...plan.numeric.flatMap((v, k) => [`${expr(v)} AS hlm_r${k}`, `${present(v.columns)} AS hlm_p${k}`]),
    ...plan.offsets.flatMap((v, k) => [`${expr(v)} AS hlm_ro${k}`, `${present(v.columns)} AS hlm_po${k}`]),
    plan.weights ? `${num(q(plan.weights))} AS hlm_rw` : `${num("1")} AS hlm_rw`,
    `${plan.weights ? present([plan.weights]) : "1"} AS hlm_pw`,
    ...plan.categorical.map((_, k) => `${keySql(k)} AS hlm_c${k}`),
  ];
  ctes.push(syntax.cte("raw", `SELECT ${rawCols.join(", ")} FROM src${sclJoin}${polyJoins(plan)}`, true));
  // the values, not-a-number values as null (with the source's columns, raw's own ride along already)
  const varCols = [
    ...(keepSource ? ["raw.*"] : []),
    `${finite("hlm_ry")} AS hlm_y`,
    ...plan.numeric.map((_, k) => `${finite(`hlm_r${k}`)} AS hlm_v${k}`),
    ...plan.offsets.map((_, k) => `${finite(`hlm_ro${k}`)} AS hlm_o${k}`),
    `${finite("hlm_rw")} AS hlm_w`,
    ...(keepSource ? [] : ["hlm_py", ...plan.numeric.map((_, k) => `hlm_p${k}`), ...plan.offsets.map((_, k) => `hlm_po${k}`), "hlm_pw", ...plan.categorical.map((_, k) => `hlm_c${k}`)]),
  ];
  ctes.push(syntax.cte("vars", `SELECT ${varCols.join(", ")} FROM raw`, true));
  const complete = ["hlm_y", ...plan.numeric.map((_, k) => `hlm_v${k}`), ...plan.offsets.map((_, k) => `hlm_o${k}`), "hlm_w", ...plan.categorical.map((_, k) => `hlm_c${k}`)];
  ctes.push(syntax.cte("frame", `SELECT * FROM vars WHERE ${complete.map((c) => `${c} IS NOT NULL`).join(" AND ")}`, true));
  return ctes;
}

/** The cross joins of the poly() recurrences' one-row results (orthogonal poly() calls only). */
function polyJoins(plan: CrossProductPlan): string {
  return plan.polys.map((q, i) => (q.raw ? "" : Array.from({ length: q.degree + 1 }, (_, j) => ` CROSS JOIN pq${i}_${j}`).join(""))).join("");
}
