import { HlmError } from "../HlmError.js";
import { modelTerms, type LinearTerms, type ModelTerms } from "../formula/modelTerms.js";
import { columnsOf, variableName } from "../formula/nameUses.js";
import { deparse, type Expr } from "../formula/parseFormula.js";
import { matrixSuffixes, polyArguments } from "../model/basisCalls.js";
import { closestName } from "../model/closestName.js";
import { dialectSyntax } from "./SqlDialect.js";
import { numericSql, textComparedColumns } from "./sqlExpression.js";
import { isLogical } from "../model/factorExpressions.js";

/** A column of a database table as the generator sees it: numbers, text or true/false. */
export interface SqlColumn {
  name: string;
  kind: "number" | "text" | "boolean";
}

/** The options of a model fitted from its sums: the estimation criterion, factors and prior weights. */
export interface SumsOptions {
  /** REML (default) or maximum likelihood (false). */
  REML?: boolean;
  /** Numeric columns to treat as categorical. */
  factors?: readonly string[];
  /** Column of prior weights (lme4's `weights`). */
  weights?: string;
}

/** A numeric variable of the model frame (R's name, its expression, the columns it reads). */
export interface PlanNumeric {
  name: string;
  expr: Expr;
  columns: string[];
  /** A column of a poly() call (`poly(x, 2)1`): the call's index in `polys` and the column, 1 … degree; `expr` is then its x. */
  basis?: { poly: number; k: number };
}

/** A poly() call of the formula: R's name of its matrix (`poly(x, 2)`), its variable and degree, and whether the powers are raw. */
export interface PlanPoly {
  key: string;
  x: Expr;
  degree: number;
  raw: boolean;
}

/** A categorical variable of the model frame: a column, its levels read as text, numbers or TRUE/FALSE. */
export interface PlanCategorical {
  name: string;
  column: string;
  kind: SqlColumn["kind"];
  /** `ordered(x)`: coded by R's polynomial contrasts. */
  ordered?: boolean;
  /** `relevel(x, ref = "b")`: this level first. */
  ref?: string;
  /** A comparison (`I(x > 2)`, `sex == "M"`): R's logical variable, levels FALSE and TRUE; `column` is then its first column. */
  logical?: Expr;
}

/**
 * How a linear mixed model's data reach the engine through SQL: the model frame's variables as SQL
 * expressions, and which sums over its rows form A = [Z X y]'W[Z X y] (plain data: the queries are
 * written from it by `crossProductsQuery`, the result read back by `modelFromSums`).
 *
 * Every column of X and of each Z_i is a product of numeric variables (an *atom*; the empty product
 * is 1) and of the indicators or contrasts of categorical variables. Within a *cell*, the rows that
 * share the values of every categorical variable, the indicators are constant, so A is the sum over
 * cells of the cells' sums of products of atoms. The queries return, per cell, the sums of a random
 * effect's atom times every atom and y, and per cell of the fixed factors alone, the sums of the
 * fixed atoms' products: O(cells) numbers, whatever the number of rows.
 */
export interface CrossProductPlan {
  formula: string;
  terms: ModelTerms;
  REML: boolean;
  weights: string | null;
  response: PlanNumeric;
  offsets: PlanNumeric[];
  /** The numeric variables of X and the Z_i, by R's name. */
  numeric: PlanNumeric[];
  /** The categorical variables: fixed-effect factors, factors in random-effect terms, grouping factors. */
  categorical: PlanCategorical[];
  /** The scale() calls, by deparsed call, with the column each scales. */
  scales: { key: string; expr: Expr }[];
  /** The poly() calls; their columns are numeric variables (`basis`). Orthogonal ones need a pass over the rows first (R's recurrence). */
  polys: PlanPoly[];
  /** Atoms: each a sorted list of indices into `numeric`; atom 0 is the empty product, 1. */
  atoms: number[][];
  /** The atoms of X's columns and of the Z_i's columns. */
  xAtoms: number[];
  zAtoms: number[];
  /** Indices into `categorical` of the fixed effects' factors. */
  fixedKeys: number[];
  /** Pairs of atoms (index `atoms.length` is the response) summed per cell of the fixed factors, and per cell. */
  denseSums: [number, number][];
  cellSums: [number, number][];
  /** X has an intercept: the response is centred by its mean in the queries (the intercept takes it back). */
  intercept: boolean;
}

/** Builds the plan of a formula over a table's columns, refusing what SQL cannot compute with a message naming the formula position. */
export function planCrossProducts(formula: string, columns: readonly SqlColumn[], options: SumsOptions = {}): CrossProductPlan {
  const terms = modelTerms(formula);
  if (terms.random.length === 0) throw new HlmError("FORMULA", `The formula '${formula}' has no random-effects term such as (1 | group); a mixed model needs at least one.`);
  const byName = new Map(columns.map((c) => [c.name, c]));
  const names = columns.map((c) => c.name);
  const columnOf = (name: string, pos: number, what = "column"): SqlColumn => {
    const c = byName.get(name);
    if (c) return c;
    const near = closestName(name, names);
    throw new HlmError("FORMULA", `Unknown ${what} '${name}' at position ${pos + 1} of '${formula}'${near ? ` (did you mean '${near}'?)` : ""}; the table has ${names.slice(0, 12).join(", ")}${names.length > 12 ? ", …" : ""}.`, { position: pos + 1, column: name });
  };
  for (const f of options.factors ?? []) if (!byName.has(f)) columnOf(f, -1, "factor column");
  const groupNames = new Set(terms.random.flatMap((r) => r.groupExprs.flatMap((g) => (g.type === "name" ? [g.name] : []))));
  const asFactor = new Set([...(options.factors ?? []), ...groupNames]);
  const refuse = (what: string, pos: number): HlmError =>
    new HlmError("FORMULA", `${what} (position ${pos + 1} of '${formula}') cannot be computed in SQL; fit this model from a CSV or Excel file instead.`, { position: pos + 1 });

  const numeric: PlanNumeric[] = [];
  const categorical: PlanCategorical[] = [];
  const scales: { key: string; expr: Expr }[] = [];
  const numericPart = (e: Expr): PlanNumeric => {
    const cols = [...columnsOf(e)];
    const compared = textComparedColumns(e);
    for (const u of cols) {
      const c = columnOf(u, posOf(e, u));
      if (compared.has(u)) continue; // a text column compared with a quoted text: numericSql checks it is text
      if (c.kind !== "number" || asFactor.has(u)) throw new HlmError("FORMULA", `'${u}' (position ${posOf(e, u) + 1} of '${formula}') is categorical, so it cannot be used in arithmetic; use it as a term of its own.`, { position: posOf(e, u) + 1, column: u });
    }
    collectScales(e, scales);
    // what SQL cannot compute is refused now, with the formula position, not when a query is written
    numericSql(e, { syntax: dialectSyntax("duckdb"), formula, column: (name) => name, scale: () => ({ center: "0", scale: "1" }), text: (name) => (byName.get(name)?.kind === "text" ? name : null) });
    return { name: variableName(e), expr: e, columns: cols };
  };
  const polys: PlanPoly[] = [];
  /** The variable's kind: categorical (a column, or factor() / as.factor() of one), a poly() basis, or numeric. */
  const addVariable = (e: Expr): void => {
    const name = variableName(e);
    if (numeric.some((v) => v.name === name) || polys.some((q) => q.key === name) || categorical.some((v) => v.name === name)) return;
    const inner = e.type === "paren" ? e.expr : e;
    if (inner.type === "call" && inner.fn === "poly") {
      const { x, degree, raw } = polyArguments(inner, formula);
      const part = numericPart(x);
      const index = polys.push({ key: name, x, degree, raw }) - 1;
      const suffixes = matrixSuffixes(degree);
      for (let k = 1; k <= degree; k++) numeric.push({ name: `${name}${suffixes[k - 1]}`, expr: x, columns: part.columns, basis: { poly: index, k } });
      return;
    }
    if (isLogical(e)) {
      // R's logical variable: categorical, FALSE and TRUE (its SQL checked as a number, 1 or 0)
      const part = numericPart(e);
      categorical.push({ name, column: part.columns[0] ?? name, kind: "text", logical: e });
      return;
    }
    const col = categoricalColumn(e, columnOf, asFactor, refuse);
    if (col) categorical.push({ name, column: col.name, kind: col.kind, ...factorForm(e) });
    else numeric.push(numericPart(e));
  };
  const response = numericPart(terms.response);
  for (const v of terms.fixed.variables.slice(1)) addVariable(v.expr);
  for (const r of terms.random) for (const v of r.effects.variables) addVariable(v.expr);
  for (const r of terms.random) for (const g of r.groupExprs) {
    const name = variableName(g);
    if (categorical.some((v) => v.name === name)) continue;
    if (numeric.some((v) => v.name === name)) throw refuse(`The grouping factor '${name}', also a numeric variable of the formula,`, g.pos);
    const col = categoricalColumn(g, columnOf, new Set([...asFactor, ...columnsOf(g)]), refuse);
    if (!col) throw refuse(`The grouping factor '${name}'`, g.pos);
    categorical.push({ name, column: col.name, kind: col.kind });
  }
  const offsets = terms.offsets.map(numericPart);
  if (options.weights !== undefined) {
    const w = columnOf(options.weights, -1, "weights column");
    if (w.kind !== "number") throw new HlmError("DATA", `The weights column '${w.name}' must be numeric.`, { column: w.name });
  }

  // atoms: the numeric variables of each term of X and of each Z_i, multiplied
  const atoms: number[][] = [[]];
  const atomId = (idx: number[]): number => {
    const key = [...idx].sort((a, b) => a - b).join(",");
    const found = atoms.findIndex((a) => a.join(",") === key);
    return found >= 0 ? found : atoms.push(key === "" ? [] : key.split(",").map(Number)) - 1;
  };
  /** A term's atoms: the products of its numeric variables, one per column of a poly() basis in it. */
  const atomsOf = (lt: LinearTerms, term: number[], skip: number): number[] => {
    let products: number[][] = [[]];
    for (const k of term.filter((k) => k >= skip)) {
      const name = lt.variables[k]!.name;
      const single = numeric.findIndex((v) => v.name === name && v.basis === undefined);
      const p = polys.findIndex((q) => q.key === name);
      const choices = single >= 0 ? [single] : p >= 0 ? numeric.flatMap((v, i) => (v.basis?.poly === p ? [i] : [])) : [];
      if (choices.length > 0) products = products.flatMap((prod) => choices.map((i) => [...prod, i]));
    }
    return products.map(atomId);
  };
  const termAtoms = (lt: LinearTerms, skip: number): number[] => [...new Set([...(lt.intercept ? [0] : []), ...lt.terms.flatMap((t) => atomsOf(lt, t, skip))])];
  const xAtoms = termAtoms(terms.fixed, 1);
  const zAtoms = [...new Set(terms.random.flatMap((r) => termAtoms(r.effects, 0)))];
  const Y = atoms.length;
  const fixedKeys = terms.fixed.variables.slice(1).flatMap((v) => {
    const i = categorical.findIndex((c) => c.name === v.name);
    return i >= 0 ? [i] : [];
  });
  const pairs = (left: number[], right: number[]): [number, number][] => {
    const out = new Map<string, [number, number]>();
    for (const a of left) for (const b of right) {
      const pair: [number, number] = a <= b ? [a, b] : [b, a];
      out.set(pair.join(","), pair);
    }
    return [...out.values()];
  };
  const xy = [...xAtoms, Y];
  return {
    formula,
    terms,
    REML: options.REML ?? true,
    weights: options.weights ?? null,
    response,
    offsets,
    numeric,
    categorical,
    scales,
    polys,
    atoms,
    xAtoms,
    zAtoms,
    fixedKeys,
    denseSums: pairs(xy, xy),
    cellSums: pairs(zAtoms, [...new Set([...zAtoms, ...xAtoms]), Y]),
    intercept: terms.fixed.intercept,
  };
}

/** The position of a name's first use in an expression (for messages). */
function posOf(e: Expr, name: string): number {
  if (e.type === "name") return e.pos;
  const found = [...columnsOf(e)].includes(name) ? findName(e, name) : null;
  return found ?? e.pos;
}

function findName(e: Expr, name: string): number | null {
  switch (e.type) {
    case "name":
      return e.name === name ? e.pos : null;
    case "call":
      for (const a of e.args) {
        const p = findName(a, name);
        if (p !== null) return p;
      }
      return null;
    case "binary":
      return findName(e.left, name) ?? findName(e.right, name);
    case "unary":
      return findName(e.arg, name);
    case "paren":
      return findName(e.expr, name);
    case "named":
      return findName(e.value, name);
    default:
      return null;
  }
}

/** What ordered() and relevel() make of a factor: polynomial contrasts, or a reference level first. */
function factorForm(e: Expr): { ordered?: true; ref?: string } {
  const inner = e.type === "paren" ? e.expr : e;
  if (inner.type !== "call") return {};
  if (inner.fn === "ordered" || inner.fn === "as.ordered") return { ordered: true };
  if (inner.fn === "relevel") {
    const ref = inner.args.find((a) => a.type === "named" && a.name === "ref") ?? inner.args[1];
    const value = ref?.type === "named" ? ref.value : ref;
    if (value?.type === "string") return { ref: value.value };
  }
  return {};
}

/**
 * The column of a categorical variable (a categorical column; factor(), as.factor(), ordered(),
 * as.ordered() of a column; relevel() of one of those, with the reference level in quotes), null for
 * a numeric one.
 */
function categoricalColumn(e: Expr, columnOf: (name: string, pos: number) => SqlColumn, asFactor: ReadonlySet<string>, refuse: (what: string, pos: number) => HlmError): SqlColumn | null {
  const inner = e.type === "paren" ? e.expr : e;
  if (inner.type === "name") {
    const c = columnOf(inner.name, inner.pos);
    return c.kind !== "number" || asFactor.has(c.name) ? c : null;
  }
  if (inner.type === "call" && ["factor", "as.factor", "ordered", "as.ordered"].includes(inner.fn)) {
    const arg = inner.args[0];
    if (inner.args.length !== 1 || arg?.type !== "name") throw refuse(`'${deparse(inner)}' (a factor of an expression or with options)`, inner.pos);
    return columnOf(arg.name, arg.pos);
  }
  if (inner.type === "call" && inner.fn === "relevel") {
    const f = inner.args[0];
    const ref = inner.args.find((a) => a.type === "named" && a.name === "ref") ?? inner.args[1];
    const value = ref?.type === "named" ? ref.value : ref;
    if (inner.args.length !== 2 || f === undefined || f.type === "named" || value?.type !== "string") throw refuse(`'${deparse(inner)}' (relevel() takes a factor and its reference level in quotes)`, inner.pos);
    const fi = f.type === "paren" ? f.expr : f;
    const col = fi.type === "name" ? columnOf(fi.name, fi.pos) : fi.type === "call" && (fi.fn === "factor" || fi.fn === "as.factor") && fi.args.length === 1 && fi.args[0]!.type === "name" ? columnOf((fi.args[0] as { name: string }).name, fi.pos) : null;
    if (!col) throw refuse(`'${deparse(inner)}' (relevel() of an expression)`, inner.pos);
    if (fi.type === "name" && col.kind === "number" && !asFactor.has(col.name)) throw refuse(`'${deparse(inner)}' (relevel() needs a factor, as in R: write relevel(factor(${col.name}), ref = …))`, inner.pos);
    return col;
  }
  if (inner.type === "call" && ["interaction", "ns", "bs"].includes(inner.fn)) throw refuse(`${inner.fn}()`, inner.pos);
  if (inner.type === "binary" && ["<", ">", "<=", ">=", "==", "!=", "%in%"].includes(inner.op)) throw refuse(`The comparison '${deparse(inner)}'`, inner.pos);
  return null;
}

/** The scale() calls in an expression, once each. */
function collectScales(e: Expr, out: { key: string; expr: Expr }[]): void {
  if (e.type === "call" && e.fn === "scale") {
    const key = deparse(e);
    if (!out.some((s) => s.key === key)) out.push({ key, expr: e.args[0]! });
  }
  if (e.type === "call") for (const a of e.args) collectScales(a, out);
  else if (e.type === "binary") {
    collectScales(e.left, out);
    collectScales(e.right, out);
  } else if (e.type === "unary") collectScales(e.arg, out);
  else if (e.type === "paren") collectScales(e.expr, out);
  else if (e.type === "named") collectScales(e.value, out);
}
