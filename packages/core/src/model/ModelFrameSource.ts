import { HlmError } from "../HlmError.js";
import { wasmRowPasses } from "../kernels/wasmKernels.js";
import { COMPARISONS, deparse, type Expr } from "../formula/parseFormula.js";
import type { Basis, Bases } from "./Basis.js";
import { scaleCall, type BasisContext } from "./basisCalls.js";
import { closestName } from "./closestName.js";
import { compareStrings, formatLabel } from "./levelLabels.js";
import { ELEMENTWISE_FUNCTIONS, FACTOR_FUNCTIONS, rRound, unsupportedFunction } from "./rFunctions.js";
import type { Column, Table } from "../io/Table.js";

const NUMERIC_FUNCTIONS = ELEMENTWISE_FUNCTIONS;

/**
 * The table as the model sees it: column lookup with a helpful error for unknown names, and which
 * columns are categorical (text columns, the ones named in `factors`, grouping variables).
 */
export class ModelFrameSource {
  private readonly byName = new Map<string, Column>();
  /** The bases of the formula's poly(), ns(), bs() and scale() calls: the recorded ones given, the others as they are computed on the rows. */
  readonly bases: Map<string, Basis>;
  /** R's warnings about the bases (bs() beyond its boundary knots). */
  readonly basisWarnings: string[] = [];
  constructor(
    readonly table: Table,
    private readonly factorNames: ReadonlySet<string>,
    private readonly formulaText: string,
    recordedBases: Bases = {},
  ) {
    for (const c of table.columns) this.byName.set(c.name, c);
    this.bases = new Map(Object.entries(recordedBases));
  }

  /** What poly(), ns(), bs() and scale() need from the frame: their argument evaluated on every row, row numbers, the bases. */
  basisContext(): BasisContext {
    return { formula: this.formulaText, evaluate: (e) => this.evaluate(e), row: (i) => this.row(i), bases: this.bases, warn: (m) => this.basisWarnings.push(m) };
  }

  column(name: string, pos?: number): Column {
    const c = this.byName.get(name);
    if (c) return c;
    const suggestion = closestName(name, this.table.names);
    const where = pos === undefined ? "" : ` (position ${pos + 1})`;
    throw new HlmError(
      "FORMULA",
      `Unknown column '${name}' in formula '${this.formulaText}'${where}${suggestion ? `; did you mean '${suggestion}'?` : "."}`,
      { column: name, ...(pos === undefined ? {} : { position: pos + 1 }) },
    );
  }

  isCategorical(name: string): boolean {
    const c = this.column(name);
    return c.kind === "string" || this.factorNames.has(name);
  }

  /** The row number of row i of the table in messages: as a spreadsheet shows it when the table knows where it starts. */
  row(i: number): number {
    return (this.table.firstRow ?? 1) + i;
  }

  /**
   * A cell that records a failed computation is refused in any column the model uses: a spreadsheet
   * error (`#DIV/0!`, `#N/A`, `#VALUE!`, LibreOffice's `Err:502`), an infinity or `NaN`. They are not
   * missing values: dropping their rows quietly would fit a subset the user did not choose, and an
   * error value in a grouping column would become a group of its own. A missing value is an empty
   * cell or `NA`.
   */
  checkFailedCells(name: string, pos?: number): void {
    const c = this.column(name, pos);
    if (c.kind !== "string") return; // a number column holds finite numbers only
    const values = c.values;
    let prev: string | null | undefined = null;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      // a value equal to the row before's was checked there
      if (v === null || v === undefined || v === prev) continue;
      prev = v;
      const what = failedCell(v);
      if (what === null) continue;
      const value = what === "error" ? `the spreadsheet error '${v}'` : what === "nan" ? `'${v}' (not a number)` : `'${v}'`;
      const why = what === "infinite" ? ", an infinite value, which cannot be fitted" : "";
      throw new HlmError("DATA", `Column '${name}' holds ${value} in row ${this.row(i)}${why}; correct it, or leave the cell empty (or NA) if the value is missing.`, { column: name, row: this.row(i) });
    }
  }

  /**
   * A text column that is mostly numbers (at least 80% of its values) is taken for a numeric column
   * with stray text in it, unless it was named categorical: the error names the first bad row.
   */
  checkNotStrayText(name: string, pos?: number): void {
    const c = this.column(name, pos);
    if (c.kind !== "string" || this.factorNames.has(name)) return;
    let numbers = 0;
    let total = 0;
    let bad = -1;
    c.values.forEach((v, i) => {
      if (v === null) return;
      total++;
      if (isNumberText(v)) numbers++;
      else if (bad < 0) bad = i;
    });
    if (bad >= 0 && numbers >= 0.8 * total) throw this.strayText(c, bad, true);
  }

  /** The first row of a text column whose value is not a number (-1 if there is none). */
  firstNonNumber(c: Column & { kind: "string" }): number {
    return c.values.findIndex((v) => v !== null && !isNumberText(v));
  }

  /** The error for text in a column that should hold numbers. */
  strayText(c: Column & { kind: "string" }, bad: number, hint: boolean): HlmError {
    const row = this.row(bad);
    return new HlmError(
      "DATA",
      `Column '${c.name}' should be numeric but row ${row} holds '${c.values[bad]}'${hint ? " (name it in --factors if it is categorical)" : ""}.`,
      { column: c.name, row },
    );
  }

  /** Is row i missing for this column? */
  missing(name: string): (i: number) => boolean {
    const c = this.column(name);
    if (c.kind === "number") return (i) => c.missing[i] === 1;
    return (i) => c.values[i] === null;
  }

  /**
   * A column as a factor over the given rows: levels present in those rows, sorted as R's factor()
   * sorts them (a numeric column by value, so that 2 comes before 10; text as strings in the C
   * locale), and each row's level index. One Map lookup per row, on the raw values (numbers are
   * turned into labels once per distinct value).
   */
  factor(name: string, rows: Int32Array): { levels: string[]; codes: Int32Array } {
    const c = this.column(name);
    const { keys, firstSeen } = indexDistinct<number | string | null>(c.values, rows);
    const labels = keys.map((k) => (typeof k === "number" ? formatLabel(k) : String(k)));
    const byValue = c.kind === "number";
    const order = labels.map((_, i) => i).sort((a, b) => (byValue ? (keys[a] as number) - (keys[b] as number) : compareStrings(labels[a]!, labels[b]!)));
    const rank = new Int32Array(order.length);
    order.forEach((i, r) => (rank[i] = r));
    for (let k = 0; k < rows.length; k++) firstSeen[k] = rank[firstSeen[k]!]!;
    return { levels: order.map((i) => labels[i]!), codes: firstSeen };
  }

  /** Evaluates a numeric expression on every row of the table (NaN where missing). */
  evaluate(e: Expr): Float64Array {
    const n = this.table.nrow;
    switch (e.type) {
      case "number":
        return new Float64Array(n).fill(e.value);
      case "name": {
        const c = this.column(e.name, e.pos);
        if (c.kind === "string" || this.factorNames.has(e.name)) {
          if (c.kind === "string") throw this.textInNumeric(c, e);
          throw new HlmError("FORMULA", `Column '${e.name}' is categorical and cannot be used in arithmetic ('${this.formulaText}', position ${e.pos + 1}).`, { column: e.name });
        }
        // a native copy, then NaN where a cell is missing (a native search finds whether any is, even
        // in a process's first fit)
        const out = c.values.slice(0, n);
        const m = c.missing;
        if (m.indexOf(1) >= 0) for (let i = 0; i < n; i++) if (m[i] === 1) out[i] = NaN;
        return out;
      }
      case "paren":
        return this.evaluate(e.expr);
      case "string":
      case "named":
        throw new HlmError("FORMULA", `${e.type === "string" ? "A quoted text" : `The argument '${e.name} = …'`} is not a number here ('${this.formulaText}', position ${e.pos + 1}).`, { position: e.pos + 1 });
      case "unary": {
        const a = this.evaluate(e.arg);
        if (e.op === "-") for (let i = 0; i < n; i++) a[i] = -a[i]!;
        return a;
      }
      case "binary": {
        if ((e.op === "==" || e.op === "!=") && (e.left.type === "string" || e.right.type === "string")) return this.compareText(e.op, e.left, e.right);
        const a = this.evaluate(e.left);
        const b = this.evaluate(e.right);
        const op = e.op;
        for (let i = 0; i < n; i++) {
          const x = a[i]!;
          const y = b[i]!;
          a[i] = op === "+" ? x + y : op === "-" ? x - y : op === "*" ? x * y : op === "/" ? x / y : op === "^" ? x ** y : compare(op, x, y);
        }
        if (op !== "+" && op !== "-" && op !== "*" && op !== "/" && op !== "^" && !COMPARISONS.has(op)) {
          throw new HlmError("FORMULA", `Operator '${op}' cannot be used inside ${"a function"} in '${this.formulaText}' (position ${e.pos + 1}); use + - * / ^.`, { position: e.pos + 1 });
        }
        return a;
      }
      case "call": {
        const fnName = e.fn;
        if (fnName === "I") {
          if (e.args.length !== 1) throw this.arity(e, 1);
          return this.evaluate(e.args[0]!);
        }
        if (fnName === "scale") return scaleCall(e, this.basisContext());
        if (fnName === "log" && e.args.length === 2) {
          const a = this.evaluate(e.args[0]!);
          const b = this.evaluate(e.args[1]!);
          for (let i = 0; i < n; i++) a[i] = Math.log(a[i]!) / Math.log(b[i]!);
          return a;
        }
        if (FACTOR_FUNCTIONS.has(fnName)) {
          throw new HlmError("FORMULA", `'${deparse(e)}' is categorical and cannot be used in arithmetic ('${this.formulaText}', position ${e.pos + 1}).`, { position: e.pos + 1 });
        }
        if (fnName === "round") return this.round(e);
        if (fnName === "pmin" || fnName === "pmax") return this.parallelExtreme(e);
        if (fnName === "as.numeric") return this.asNumeric(e);
        const f = NUMERIC_FUNCTIONS[fnName];
        if (!f) throw unsupportedFunction(fnName, e.pos, this.formulaText);
        if (e.args.length !== 1) throw this.arity(e, 1);
        const a = this.evaluate(e.args[0]!);
        for (let i = 0; i < n; i++) a[i] = f(a[i]!);
        return a;
      }
    }
  }

  /** R's round(x) and round(x, digits): halves to even, as R ≥ 4.0 computes them. */
  private round(e: Expr & { type: "call" }): Float64Array {
    const digitsArg = e.args.find((a) => a.type === "named" && a.name === "digits");
    const positional = e.args.filter((a) => a !== digitsArg);
    if (positional.length < 1 || positional.length + (digitsArg ? 1 : 0) > 2) throw this.arity(e, "1 or 2", "round(x) or round(x, digits)");
    const x = this.evaluate(positional[0]!);
    const digitsExpr = digitsArg?.type === "named" ? digitsArg.value : positional[1];
    if (digitsExpr === undefined) return x.map((v) => rRound(v));
    const digits = this.evaluate(digitsExpr);
    return x.map((v, i) => rRound(v, digits[i]!));
  }

  /** R's pmin(a, b, …) and pmax(a, b, …): per row the smallest or largest, missing where any is missing. */
  private parallelExtreme(e: Expr & { type: "call" }): Float64Array {
    if (e.args.length < 2) throw this.arity(e, "2 or more", `${e.fn}(x, 5)`);
    const [first, ...rest] = e.args.map((a) => this.evaluate(a));
    const out = first!;
    const pick = e.fn === "pmin" ? Math.min : Math.max;
    for (const b of rest) for (let i = 0; i < out.length; i++) out[i] = pick(out[i]!, b[i]!); // NaN if either is
    return out;
  }

  /**
   * R's as.numeric(x): a number as it is; a text column's cells read as numbers (a cell that is not
   * one names its row). Of a factor R gives the level codes 1, 2, …, not the values: refused.
   */
  private asNumeric(e: Expr & { type: "call" }): Float64Array {
    if (e.args.length !== 1) throw this.arity(e, 1);
    const arg = e.args[0]!;
    const inner = arg.type === "paren" ? arg.expr : arg;
    const codes = (what: string): HlmError =>
      new HlmError("FORMULA", `as.numeric() of ${what} gives its level codes 1, 2, … in R, not its values, so it is refused ('${this.formulaText}', position ${e.pos + 1}); use the numeric column itself.`, { position: e.pos + 1 });
    if (inner.type === "call" && FACTOR_FUNCTIONS.has(inner.fn)) throw codes(`the factor '${deparse(inner)}'`);
    if (inner.type !== "name") return this.evaluate(arg);
    const c = this.column(inner.name, inner.pos);
    if (c.kind === "number") {
      if (this.factorNames.has(inner.name)) throw codes(`'${inner.name}', which is categorical (named in the factors),`);
      return this.evaluate(inner);
    }
    const out = new Float64Array(this.table.nrow);
    c.values.forEach((v, i) => {
      if (v === null || v === undefined || v.trim() === "" || v.trim() === "NA") {
        out[i] = NaN;
        return;
      }
      if (!isNumberText(v)) {
        throw new HlmError("DATA", `as.numeric(${deparse(inner)}): column '${c.name}' holds '${v}' in row ${this.row(i)}, which is not a number ('${this.formulaText}', position ${e.pos + 1}).`, { column: c.name, row: this.row(i), position: e.pos + 1 });
      }
      out[i] = Number(v);
    });
    return out;
  }

  private arity(e: Expr & { type: "call" }, k: number | string, usage?: string): HlmError {
    if (usage !== undefined) return new HlmError("FORMULA", `${e.fn}() takes ${k} arguments, as in ${usage} (formula position ${e.pos + 1}).`, { position: e.pos + 1 });
    return new HlmError("FORMULA", `${e.fn}() takes ${k} argument${k === 1 ? "" : "s"} (formula position ${e.pos + 1}).`, { position: e.pos + 1 });
  }

  /**
   * R's comparison of a column's values, as text (a factor's labels), with a quoted text: \`r2 == "Y"\`
   * is 1 (TRUE) where the column reads Y, 0 elsewhere, NaN (NA) where it is missing.
   */
  private compareText(op: "==" | "!=", left: Expr, right: Expr): Float64Array {
    const [column, text] = left.type === "string" ? [right, left] : [left, right];
    if (column.type !== "name" || text.type !== "string") {
      const pos = left.type === "string" && right.type === "string" ? left.pos : column.pos;
      throw new HlmError("FORMULA", `A quoted text can be compared only with a column, as in r2 == "Y" ('${this.formulaText}', position ${pos + 1}).`, { position: pos + 1 });
    }
    const c = this.column(column.name, column.pos);
    const n = this.table.nrow;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = c.values[i];
      if (v === null || v === undefined || (c.kind === "number" && c.missing[i] === 1)) {
        out[i] = NaN;
        continue;
      }
      const label = typeof v === "number" ? formatLabel(v) : v;
      out[i] = (label === text.value) === (op === "==") ? 1 : 0;
    }
    return out;
  }

  private textInNumeric(c: Column & { kind: "string" }, e: Expr & { type: "name" }): HlmError {
    const values = c.values;
    let bad = -1;
    let numbers = 0;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v === null || v === undefined) continue;
      if (isNumberText(v)) numbers++;
      else if (bad < 0) bad = i;
    }
    if (numbers > 0 && bad >= 0) return this.strayText(c, bad, false);
    return new HlmError("FORMULA", `Column '${c.name}' is categorical (text) and cannot be used in arithmetic ('${this.formulaText}', position ${e.pos + 1}).`, { column: c.name, position: e.pos + 1 });
  }
}

/** Whether a text cell reads as a finite number. */
function isNumberText(v: string): boolean {
  return v.trim() !== "" && Number.isFinite(Number(v));
}

/** Excel's error values (in any language: `#DIV/0!`, `#N/A`, `#WERT!`, `#NV`) and LibreOffice's `Err:502`. */
const SPREADSHEET_ERROR = /^(?:#(?:[A-Z][A-Z0-9_/.]{0,15}[!?]|N\/A|NV)|Err:\d{3})$/;
const INFINITE = /^[+-]?inf(?:inity)?$/i;

/** What a cell's text says when it records a failed computation, or null. */
export function failedCell(t: string): "error" | "infinite" | "nan" | null {
  if (t.length === 0 || t.length > 20) return null;
  const c = t.charCodeAt(0);
  if (c === 35 /* # */ || c === 69 /* E */) return SPREADSHEET_ERROR.test(t) ? "error" : null;
  // an infinity or NaN ("nan", "-Inf", "+infinity") is 3 to 9 characters and starts with a sign, i or
  // n (either case): other text goes without a regex test
  const lower = c | 32;
  if (t.length < 3 || t.length > 9 || (c !== 43 /* + */ && c !== 45 /* - */ && lower !== 105 /* i */ && lower !== 110 /* n */)) return null;
  if (INFINITE.test(t)) return "infinite";
  return /^[+-]?nan$/i.test(t) ? "nan" : null;
}

/** The distinct values over the given rows, in order of first appearance, and each row's index among them. */
function indexDistinct<T>(values: ArrayLike<T>, rows: Int32Array): { keys: T[]; firstSeen: Int32Array } {
  if (values instanceof Float64Array) {
    const small = smallIntegerIndex(values, rows);
    if (small) return small as unknown as { keys: T[]; firstSeen: Int32Array };
  }
  const index = new Map<T, number>();
  const firstSeen = new Int32Array(rows.length);
  // rows of one group often come together: a value equal to the row before's takes its index, no lookup
  let prev: T | undefined;
  let prevIndex = -1;
  for (let k = 0; k < rows.length; k++) {
    const v = values[rows[k]!]!;
    if (v === prev) {
      firstSeen[k] = prevIndex;
      continue;
    }
    let i = index.get(v);
    if (i === undefined) index.set(v, (i = index.size));
    firstSeen[k] = i;
    prev = v;
    prevIndex = i;
  }
  return { keys: [...index.keys()], firstSeen };
}

/**
 * `indexDistinct` for a numeric column of whole numbers within a range no wider than a few times
 * the rows (group ids, codes): an array indexed by value in place of a Map, the same result. Null
 * for other columns. `wasm: false` keeps it in TypeScript (for tests).
 */
export function smallIntegerIndex(values: Float64Array, rows: Int32Array, wasm = true): { keys: number[]; firstSeen: Int32Array } | null {
  // in WebAssembly where it runs (fast from a session's first fit): the same keys and indices
  const kernels = wasm ? wasmRowPasses(rows.length) : null;
  if (kernels) return kernels.smallIntegers(values, rows);
  let min = Infinity;
  let max = -Infinity;
  for (let k = 0; k < rows.length; k++) {
    const v = values[rows[k]!]!;
    if (!Number.isInteger(v)) return null;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!(max - min < 4 * rows.length + 1024)) return null;
  const slot = new Int32Array(max - min + 1).fill(-1);
  const keys: number[] = [];
  const firstSeen = new Int32Array(rows.length);
  for (let k = 0; k < rows.length; k++) {
    const v = values[rows[k]!]!;
    let i = slot[v - min]!;
    if (i < 0) {
      i = slot[v - min] = keys.length;
      keys.push(v);
    }
    firstSeen[k] = i;
  }
  return { keys, firstSeen };
}

/** R's comparison of two numbers as 1 (TRUE) or 0 (FALSE); NaN (NA) where either is missing. */
function compare(op: string, x: number, y: number): number {
  if (Number.isNaN(x) || Number.isNaN(y)) return NaN;
  const r = op === "<" ? x < y : op === ">" ? x > y : op === "<=" ? x <= y : op === ">=" ? x >= y : op === "==" ? x === y : op === "!=" ? x !== y : NaN;
  return typeof r === "boolean" ? (r ? 1 : 0) : NaN;
}
