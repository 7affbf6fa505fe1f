import { HlmError } from "../HlmError.js";
import { modelTerms, type LinearTerms, type ModelTerms } from "../formula/modelTerms.js";
import type { Expr } from "../formula/parseFormula.js";
import { closestName, columnsOf, ModelFrameSource, nameUses, variableName, type Factor, type Variable } from "./modelFrame.js";
import { dropRankDeficient } from "./rankDeficiency.js";
import type { Table } from "../io/readCsv.js";

/** Options of a fit that shape the model: the estimation criterion, factors and prior weights. */
export interface ModelOptions {
  /** REML (default) or maximum likelihood (false). */
  REML?: boolean;
  /** Numeric columns to treat as categorical. */
  factors?: readonly string[];
  /** Column of prior weights (lme4's `weights`). */
  weights?: string;
}

/**
 * One random-effects term `(effects | group)`: Z_i is n × (p·ℓ) with, in row t, the p values
 * `z[t*p .. t*p+p-1]` in the columns of level `refs[t]`.
 */
export interface ReTerm {
  /** lme4's name of the grouping factor (`School`, `cask:batch`). */
  group: string;
  /** Column names of the term's model matrix (`(Intercept)`, `SES`). */
  columnNames: string[];
  /** Level labels of the grouping factor, in lme4's order. */
  levels: string[];
  /** Level index of each observation. */
  refs: Int32Array;
  /** The term's model matrix, n × p, row-major. */
  z: Float64Array;
  /** Number of columns p_i. */
  p: number;
  /** Number of levels ℓ_i. */
  nl: number;
}

/** The model as data: response, fixed-effects matrix X, random-effects terms, weights and offset. */
export interface Model {
  formula: string;
  terms: ModelTerms;
  REML: boolean;
  /** Number of observations used. */
  n: number;
  /** Number of fixed-effects columns kept. */
  p: number;
  responseName: string;
  /** Response y (without the offset subtracted). */
  y: Float64Array;
  /** X, n × p, column-major: column j is `X[j*n .. j*n+n-1]`. */
  X: Float64Array;
  xNames: string[];
  /** Columns of the full fixed-effects matrix dropped for rank deficiency. */
  droppedColumns: string[];
  offset: Float64Array | null;
  weights: Float64Array | null;
  /** Random-effects terms in lme4's order (decreasing number of levels). */
  reTerms: ReTerm[];
  /** Index in the input table of each observation used. */
  rows: Int32Array;
  /** Rows of the table left out for missing values. */
  nDropped: number;
  /**
   * Per variable of the formula with missing values in the table: in how many rows it is missing
   * (or is missing in an input of its expression), and in how many its expression is not a number
   * although its inputs are there (`log(x)` of a negative x: R's NaN, dropped as lme4 drops it).
   */
  droppedBy?: { variable: string; missing: number; notANumber: number }[];
  /** Fixed-effects factor levels, per variable (for prediction on new data). */
  factorLevels: Record<string, string[]>;
}

/** Builds the model frame and matrices (lme4's `lFormula`) from a formula and a table. */
export function buildModel(table: Table, formula: string, options: ModelOptions = {}): Model {
  const terms = modelTerms(formula);
  const groupNames = new Set(terms.random.flatMap((r) => r.groupVars));
  const factorNames = new Set([...(options.factors ?? []), ...groupNames]);
  const source = new ModelFrameSource(table, factorNames, formula);
  for (const f of options.factors ?? []) {
    if (!table.names.includes(f)) {
      const near = closestName(f, table.names);
      throw new HlmError("OPTIONS", `The factor column '${f}' is not in the data${near ? `; did you mean '${near}'?` : "."}`, { column: f });
    }
  }
  const nAll = table.nrow;
  if (terms.random.length === 0) {
    throw new HlmError("FORMULA", `The formula '${formula}' has no random-effects term such as (1 | group); a mixed model needs at least one.`);
  }

  // every variable of the formula, numeric (evaluated on all rows) or categorical (labels)
  type Raw = { kind: "numeric"; name: string; values: Float64Array; expr: Expr } | { kind: "factor"; name: string; missing: (i: number) => boolean };
  const raw = new Map<string, Raw>();
  // cells that record a failed computation are refused in every column the model uses
  const checked = new Set<string>();
  const checkCells = (e: Expr): void => {
    for (const u of nameUses(e)) {
      if (checked.has(u.name)) continue;
      checked.add(u.name);
      source.checkFailedCells(u.name, u.pos);
    }
  };
  const addVariable = (e: Expr): void => {
    const name = variableName(e);
    if (raw.has(name)) return;
    checkCells(e);
    if (e.type === "name") source.checkNotStrayText(e.name, e.pos);
    if (e.type === "name" && source.isCategorical(e.name)) {
      raw.set(name, { kind: "factor", name, missing: source.missing(e.name) });
    } else {
      raw.set(name, { kind: "numeric", name, values: source.evaluate(e), expr: e });
    }
  };
  const response = terms.response;
  const responseName = variableName(response);
  checkCells(response);
  if (response.type === "name" && source.isCategorical(response.name)) {
    const c = source.column(response.name);
    if (c.kind === "string") throw source.strayText(c, source.firstNonNumber(c), false);
    throw new HlmError("FORMULA", `The response '${response.name}' must be numeric, but it is listed as categorical.`);
  }
  const yAll = source.evaluate(response);
  for (const v of terms.fixed.variables.slice(1)) addVariable(v.expr);
  for (const r of terms.random) for (const v of r.effects.variables) addVariable(v.expr);
  for (const e of terms.offsets) checkCells(e);
  const offsetsAll = terms.offsets.map((e) => source.evaluate(e));
  for (const r of terms.random) {
    r.groupVars.forEach((g, k) => {
      source.column(g, r.groupPos[k]);
      checkCells({ type: "name", name: g, pos: r.groupPos[k]! });
    });
  }
  let weightsAll: Float64Array | null = null;
  if (options.weights !== undefined) {
    if (!table.names.includes(options.weights)) {
      const near = closestName(options.weights, table.names);
      throw new HlmError("OPTIONS", `The weights column '${options.weights}' is not in the data${near ? `; did you mean '${near}'?` : "."}`, { column: options.weights });
    }
    const wc = source.column(options.weights);
    source.checkFailedCells(options.weights);
    if (wc.kind !== "number") {
      const bad = source.firstNonNumber(wc);
      if (bad >= 0) throw source.strayText(wc, bad, false);
      throw new HlmError("DATA", `The weights column '${options.weights}' must be numeric.`, { column: options.weights });
    }
    weightsAll = source.evaluate({ type: "name", name: options.weights, pos: 0 });
  }

  // rows used: complete cases for every variable (lme4's na.omit), counted per variable for the fit's
  // warning; NaN computed from values that are there (log of a negative) is dropped too, as in R;
  // infinite values are an error
  const keep = new Uint8Array(nAll).fill(1);
  const droppedBy: { variable: string; missing: number; notANumber: number }[] = [];
  const countDropped = (variable: string, missing: number, notANumber: number): void => {
    if (missing + notANumber > 0) droppedBy.push({ variable, missing, notANumber });
  };
  /** Whether an input of the expression is missing in row i (numeric columns only: a factor is not in arithmetic). */
  const inputMissing = (e: Expr): ((i: number) => boolean) => {
    const cols = [...columnsOf(e)].map((c) => source.column(c)).filter((c) => c.kind === "number");
    return (i) => cols.some((c) => c.missing[i] === 1);
  };
  const checkNumeric = (name: string, values: Float64Array, e: Expr): void => {
    const inputs = inputMissing(e);
    let missing = 0;
    let notANumber = 0;
    for (let i = 0; i < nAll; i++) {
      const v = values[i]!;
      if (Number.isNaN(v)) {
        keep[i] = 0;
        if (inputs(i)) missing++;
        else notANumber++;
      } else if (!Number.isFinite(v)) {
        throw new HlmError("DATA", `'${name}' is infinite in row ${source.row(i)}; remove the row or transform the variable.`, { row: source.row(i), column: name });
      }
    }
    countDropped(name, missing, notANumber);
  };
  checkNumeric(responseName, yAll, response);
  for (const v of raw.values()) {
    if (v.kind === "numeric") checkNumeric(v.name, v.values, v.expr);
    else {
      let missing = 0;
      for (let i = 0; i < nAll; i++) {
        if (v.missing(i)) {
          keep[i] = 0;
          missing++;
        }
      }
      countDropped(v.name, missing, 0);
    }
  }
  terms.offsets.forEach((e, k) => checkNumeric(variableName(e), offsetsAll[k]!, e));
  for (const g of groupNames) {
    if (raw.has(g)) continue; // counted as a variable of the effects already
    const missing = source.missing(g);
    let count = 0;
    for (let i = 0; i < nAll; i++) {
      if (missing(i)) {
        keep[i] = 0;
        count++;
      }
    }
    countDropped(g, count, 0);
  }
  if (weightsAll) {
    checkNumeric(options.weights!, weightsAll, { type: "name", name: options.weights!, pos: 0 });
    for (let i = 0; i < nAll; i++) {
      if (keep[i] && weightsAll[i]! < 0) throw new HlmError("DATA", `Weights must not be negative: '${options.weights}' is ${weightsAll[i]} in row ${source.row(i)}.`, { row: source.row(i), column: options.weights! });
      if (keep[i] && weightsAll[i]! === 0) {
        // lme4 fits them with an infinite criterion (log 0 in the likelihood): refuse instead
        throw new HlmError("DATA", `Weights must be positive: '${options.weights}' is 0 in row ${source.row(i)}; leave out the rows of weight 0.`, { row: source.row(i), column: options.weights! });
      }
    }
  }
  let n = 0;
  for (let i = 0; i < nAll; i++) n += keep[i]!;
  if (n === 0) throw noRowsLeft(nAll, droppedBy);
  const rows = new Int32Array(n);
  for (let i = 0, k = 0; i < nAll; i++) if (keep[i]) rows[k++] = i;
  const subset = (a: Float64Array): Float64Array => {
    const out = new Float64Array(n);
    for (let k = 0; k < n; k++) out[k] = a[rows[k]!]!;
    return out;
  };

  // variables over the rows used; factor levels are those present (drop.unused.levels)
  const vars = new Map<string, Variable>();
  for (const v of raw.values()) {
    if (v.kind === "numeric") vars.set(v.name, { kind: "numeric", name: v.name, values: subset(v.values) });
    else vars.set(v.name, makeFactor(source, v.name, [v.name], rows));
  }
  const y = subset(yAll);
  let offset: Float64Array | null = null;
  if (offsetsAll.length > 0) {
    offset = new Float64Array(n);
    for (const o of offsetsAll) {
      const s = subset(o);
      for (let k = 0; k < n; k++) offset[k]! += s[k]!;
    }
  }
  const weights = weightsAll ? subset(weightsAll) : null;

  // fixed effects
  const fullX = modelMatrix(terms.fixed, vars, n, true);
  const { keep: keptCols, dropped } = dropRankDeficient(fullX.columns, n);
  const p = keptCols.length;
  const X = new Float64Array(n * p);
  keptCols.forEach((j, k) => X.set(fullX.columns[j]!, k * n));
  const xNames = keptCols.map((j) => fullX.names[j]!);
  const factorLevels: Record<string, string[]> = {};
  for (const v of vars.values()) if (v.kind === "factor") factorLevels[v.name] = v.levels;
  if (p >= n) {
    const predictors = terms.fixed.variables.slice(1).map((v) => vars.get(v.name)!);
    throw tooManyFixedEffects(p, n, predictors, (name) => table.names.includes(name) && source.column(name).kind === "string");
  }

  // magnitudes: the response, offsets, weights and every column of the model matrices must stay
  // well inside double precision when squared and summed
  const rowOf = (k: number): number => source.row(rows[k]!);
  checkMagnitude(responseName, y, rowOf);
  terms.offsets.forEach((e, k) => checkMagnitude(variableName(e), subset(offsetsAll[k]!), rowOf));
  if (weights) checkMagnitude(options.weights!, weights, rowOf);
  fullX.columns.forEach((c, j) => checkMagnitude(fullX.names[j]!, c, rowOf));
  checkConstantResponse(responseName, y, offset, rowOf);

  // random effects
  const reTermsInOrder: ReTerm[] = terms.random.map((r) => {
    const zm = modelMatrix(r.effects, vars, n, false);
    zm.columns.forEach((c, j) => checkMagnitude(zm.names[j]!, c, rowOf));
    const f = makeFactor(source, r.group, r.groupVars, rows);
    const pz = zm.columns.length;
    const z = new Float64Array(n * pz);
    zm.columns.forEach((col, j) => {
      for (let t = 0; t < n; t++) z[t * pz + j] = col[t]!;
    });
    if (f.levels.length < 2) {
      throw new HlmError("DATA", `The grouping factor '${r.group}' has only ${f.levels.length} level in the rows used; a random effect needs at least 2 (lme4 refuses this too).`, { column: r.group });
    }
    if (f.levels.length >= n) {
      throw new HlmError("DATA", `The grouping factor '${r.group}' has ${f.levels.length} levels for ${n} observations; it must have fewer levels than observations (lme4 refuses this too).`, { column: r.group });
    }
    if (f.levels.length * pz >= n) {
      throw new HlmError("DATA", `The term for '${r.group}' has ${f.levels.length * pz} random effects for ${n} observations; there must be more observations than random effects (lme4 refuses this too).`, { column: r.group });
    }
    return { group: r.group, columnNames: zm.names, levels: f.levels, refs: f.codes, z, p: pz, nl: f.levels.length };
  });
  const reTerms = lme4TermOrder(reTermsInOrder);
  return {
    formula,
    terms,
    REML: options.REML ?? true,
    n,
    p,
    responseName,
    y,
    X,
    xNames,
    droppedColumns: dropped.map((j) => fullX.names[j]!),
    offset,
    weights,
    reTerms,
    rows,
    nDropped: nAll - n,
    droppedBy,
    factorLevels,
  };
}

/** Values beyond this size overflow when squared and summed (or their variances do). */
const TOO_LARGE = 1e100;
/** A variable whose values are all below this size underflows when squared. */
const TOO_SMALL = 1e-100;

/** A number for a message: three significant digits. */
const short = (v: number): string => String(Number(v.toPrecision(3)));

/** Refuses a variable whose values are too large or (all of them) too small for the computations. */
function checkMagnitude(name: string, values: Float64Array, rowOf: (k: number) => number): void {
  let max = 0;
  let at = -1;
  for (let k = 0; k < values.length; k++) {
    const a = Math.abs(values[k]!);
    if (a > max) {
      max = a;
      at = k;
    }
  }
  if (max <= TOO_LARGE && (max === 0 || max >= TOO_SMALL)) return;
  const power = `1e${Math.round(Math.log10(max))}`;
  const example = /^[\p{L}.][\p{L}\p{N}._]*$/u.test(name) || /^[\p{L}.][\p{L}\p{N}._]*\(.*\)$/u.test(name) ? `, e.g. I(${name} ${max > TOO_LARGE ? "/" : "*"} ${power.replace("-", "")})` : "";
  if (max > TOO_LARGE) {
    throw new HlmError("DATA", `'${name}' is too large to fit: it reaches ${short(values[at]!)} in row ${rowOf(at)}, and values beyond 1e100 overflow the computations; rescale it${example}.`, { column: name, row: rowOf(at) });
  }
  throw new HlmError("DATA", `'${name}' is too small to fit: its largest value is ${short(values[at]!)} (row ${rowOf(at)}), and values all below 1e-100 underflow the computations; rescale it${example}.`, { column: name, row: rowOf(at) });
}

/**
 * Refuses a response that is the same in every row used (after the offset): there is no variance to
 * model, and an intercept (fixed or random) reproduces it exactly (lme4 reports a residual SD of 0).
 */
function checkConstantResponse(name: string, y: Float64Array, offset: Float64Array | null, rowOf: (k: number) => number): void {
  const first = y[0]! - (offset ? offset[0]! : 0);
  for (let k = 1; k < y.length; k++) if (y[k]! - (offset ? offset[k]! : 0) !== first) return;
  const value = offset ? "" : ` (${short(first)})`;
  throw new HlmError("DATA", `'${name}' has the same value${value} in all ${y.length} rows used${offset ? ", after the offset" : ""}; there is no variation to model.`, { column: name, row: rowOf(0) });
}

/** The error for as many fixed effects as observations (or more), naming a categorical predictor with many levels. */
function tooManyFixedEffects(p: number, n: number, predictors: Variable[], isText: (name: string) => boolean): HlmError {
  const factors = predictors.filter((v): v is Factor => v.kind === "factor").sort((a, b) => b.levels.length - a.levels.length);
  const f = factors[0];
  const hint = f && f.levels.length > 2 ? `; '${f.name}' is categorical${isText(f.name) ? " (it holds text)" : ""}, with a coefficient for each of its ${f.levels.length} levels but the first` : "";
  return new HlmError("DATA", `The fixed effects have ${p} coefficients for ${n} observations, which leaves nothing to estimate the variances${hint}.`, f ? { column: f.name } : undefined);
}

/** The error when no row is complete: the data are empty, or a variable is missing everywhere, or the missing values together leave nothing. */
function noRowsLeft(nAll: number, droppedBy: { variable: string; missing: number; notANumber: number }[]): HlmError {
  if (nAll === 0) return new HlmError("DATA", "The data have no rows: below the header there is nothing to fit.");
  const everywhere = droppedBy.find((d) => d.missing + d.notANumber === nAll);
  if (everywhere) {
    const what = everywhere.notANumber === 0 ? "missing (empty or NA)" : everywhere.missing === 0 ? "not a number (NaN)" : "missing or not a number";
    const where = nAll === 1 ? "the only row" : `all ${nAll} rows`;
    return new HlmError("DATA", `'${everywhere.variable}' is ${what} in ${where} of the data; no rows are left to fit.`, { column: everywhere.variable });
  }
  return new HlmError("DATA", `Every row has a missing value in a variable of the formula (${describeDropped(droppedBy)}); no rows are left to fit.`);
}

/** `'y' missing in 3, 'log(x)' not a number in 1`: what dropped the rows. */
export function describeDropped(droppedBy: readonly { variable: string; missing: number; notANumber: number }[]): string {
  const parts: string[] = [];
  for (const d of droppedBy) {
    if (d.missing > 0) parts.push(`'${d.variable}' missing in ${d.missing}`);
    if (d.notANumber > 0) parts.push(`'${d.variable}' not a number in ${d.notANumber}`);
  }
  return parts.join(", ");
}

/** lme4's mkReTrms order: by decreasing number of levels, if not already so (ties reversed, as rev(order())). */
function lme4TermOrder(terms: ReTerm[]): ReTerm[] {
  const nl = terms.map((t) => t.nl);
  const increasing = nl.some((v, i) => i > 0 && v > nl[i - 1]!);
  if (!increasing) return terms;
  const order = terms.map((_, i) => i).sort((a, b) => nl[a]! - nl[b]! || a - b);
  return order.reverse().map((i) => terms[i]!);
}

/**
 * A factor over the rows used; several label sources make an interaction (`a:b`), whose levels are
 * ordered by the first factor's level, then the second's, labelled `la:lb`, as R's `:` on factors.
 */
function makeFactor(source: ModelFrameSource, name: string, columns: string[], rows: Int32Array): Factor {
  const n = rows.length;
  const perVar = columns.map((col) => source.factor(col, rows));
  if (perVar.length === 1) return { kind: "factor", name, levels: perVar[0]!.levels, codes: perVar[0]!.codes };
  // interaction: a mixed-radix number of the component codes orders the levels lexically; unused ones drop
  const radix = perVar.map((v) => v.levels.length);
  const keys = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let key = 0;
    perVar.forEach((v, j) => (key = key * radix[j]! + v.codes[k]!));
    keys[k] = key;
  }
  const distinct = [...new Set(keys)].sort((a, b) => a - b);
  const index = new Map(distinct.map((key, i) => [key, i]));
  const codes = new Int32Array(n);
  for (let k = 0; k < n; k++) codes[k] = index.get(keys[k]!)!;
  const levels = distinct.map((key) => {
    const parts: string[] = [];
    for (let j = perVar.length - 1; j >= 0; j--) {
      parts.unshift(perVar[j]!.levels[key % radix[j]!]!);
      key = Math.floor(key / radix[j]!);
    }
    return parts.join(":");
  });
  return { kind: "factor", name, levels, codes };
}

/**
 * The model matrix of a set of terms (R's model.matrix with treatment contrasts): intercept, then
 * each term's columns, the first variable of an interaction varying fastest. A factor in a term is
 * coded by contrasts when the term without it is the intercept or is contained in an earlier term,
 * by indicators otherwise (R's TermCode); without an intercept the first factor gets indicators.
 */
export function modelMatrix(lt: LinearTerms, vars: Map<string, Variable>, n: number, isFixed: boolean): { columns: Float64Array[]; names: string[] } {
  const columns: Float64Array[] = [];
  const names: string[] = [];
  if (lt.intercept) {
    columns.push(new Float64Array(n).fill(1));
    names.push("(Intercept)");
  }
  const skipResponse = isFixed ? 1 : 0;
  const terms = lt.terms;
  const varOf = (k: number): Variable => vars.get(lt.variables[k]!.name)!;
  let firstFactorFixed = lt.intercept;
  terms.forEach((term, ti) => {
    // per variable of the term: its columns and their names
    const parts = term.map((k) => {
      const v = varOf(k);
      if (k < skipResponse) throw new HlmError("INTERNAL", "response in a term");
      if (v.kind === "numeric") return { cols: [v.values], names: [v.name] };
      const rest = term.filter((x) => x !== k);
      let contrasts = rest.length === 0 || terms.slice(0, ti).some((prev) => rest.every((x) => prev.includes(x)));
      if (!firstFactorFixed) {
        // R: without an intercept, the first factor of the first term with a factor gets indicators
        firstFactorFixed = true;
        contrasts = false;
      }
      const first = contrasts ? 1 : 0;
      const cols: Float64Array[] = [];
      const colNames: string[] = [];
      for (let l = first; l < v.levels.length; l++) {
        const col = new Float64Array(n);
        for (let t = 0; t < n; t++) if (v.codes[t] === l) col[t] = 1;
        cols.push(col);
        colNames.push(`${v.name}${v.levels[l]}`);
      }
      return { cols, names: colNames };
    });
    // product of the parts, the first varying fastest (the first part's columns are used as they are)
    let acc: { cols: Float64Array[]; names: string[] } = parts[0]!;
    for (const part of parts.slice(1)) {
      const next: { cols: Float64Array[]; names: string[] } = { cols: [], names: [] };
      part.cols.forEach((pc, b) => {
        acc.cols.forEach((ac, a) => {
          const col = new Float64Array(n);
          for (let t = 0; t < n; t++) col[t] = ac[t]! * pc[t]!;
          next.cols.push(col);
          next.names.push(`${acc.names[a]}:${part.names[b]}`);
        });
      });
      acc = next;
    }
    columns.push(...acc.cols);
    names.push(...acc.names);
  });
  return { columns, names };
}

/** Mean and sum of squared deviations of the response less its offset (y − o). */
export function responseMoments(model: Model): { mean: number; ss: number } {
  const { y, offset, n } = model;
  let mean = 0;
  for (let t = 0; t < n; t++) mean += y[t]! - (offset ? offset[t]! : 0);
  mean /= n;
  let ss = 0;
  for (let t = 0; t < n; t++) ss += (y[t]! - (offset ? offset[t]! : 0) - mean) ** 2;
  return { mean, ss };
}
