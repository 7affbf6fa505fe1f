/**
 * The formula's data-dependent functions, read from their calls and evaluated on the rows: `poly()`,
 * `ns()` and `bs()` (matrix-valued: one model-matrix column per basis function) and `scale()`. Each
 * takes its parameters from the rows it is evaluated on (all rows of the table with its argument
 * present, as R's model.frame does before rows are dropped), or from a recorded `Basis` (new rows
 * for a prediction, R's makepredictcall). Arguments are matched as R matches them, by name, then by
 * position; the ones that are not the data must be constants (numbers, `c(…)`, TRUE/FALSE).
 */
import { HlmError } from "../HlmError.js";
import { deparse, type Expr } from "../formula/parseFormula.js";
import type { Basis } from "./Basis.js";
import { polyFromCoefficients, polyRaw, polyTraining } from "./polyBasis.js";
import { bsBasis, bsKnots, nsBasis, nsKnots, type SplineKnots } from "./splineBasis.js";

type Call = Expr & { type: "call" };

/** The functions whose value is a matrix (several model-matrix columns). */
export const MATRIX_FUNCTIONS: ReadonlySet<string> = new Set(["poly", "ns", "bs"]);

/** What a call needs from the model frame: its argument's values, the row numbers for messages, the bases recorded so far. */
export interface BasisContext {
  formula: string;
  /** Evaluates the data argument on every row of the table (NaN where missing). */
  evaluate: (e: Expr) => Float64Array;
  /** Row i of the table as the user numbers it. */
  row: (i: number) => number;
  /** The bases by deparsed call: read when present (the training rows' parameters), else computed here and added. */
  bases: Map<string, Basis>;
  /** Receives R's warnings (bs() evaluated beyond its boundary knots). */
  warn: (message: string) => void;
}

/** A matrix-valued variable's columns over every row of the table (NaN rows where its argument is missing) and the suffixes R appends to its name. */
export interface MatrixValue {
  columns: Float64Array[];
  suffixes: string[];
}

/** The arguments of R's functions in their positional order. */
const FORMALS: Record<string, string[]> = {
  poly: ["x", "degree"],
  ns: ["x", "df", "knots", "intercept", "Boundary.knots"],
  bs: ["x", "df", "knots", "degree", "intercept", "Boundary.knots"],
  scale: ["x", "center", "scale"],
};
/** Named arguments accepted beyond the positional ones (poly's come after R's `...`). */
const NAMED_ONLY: Record<string, string[]> = { poly: ["raw"] };

/** poly()'s arguments as R matches them: the variable, the degree (default 1) and `raw` (default FALSE). */
export function polyArguments(e: Call, formula: string): { x: Expr; degree: number; raw: boolean } {
  const args = matchArguments(e, formula);
  const ctx = { formula };
  return {
    x: args.get("x")!,
    degree: args.has("degree") ? wholeNumber(args.get("degree")!, "degree", 1, e, ctx) : 1,
    raw: args.has("raw") ? logical(args.get("raw")!, "raw", e, ctx) : false,
  };
}

/** The value of poly(), ns() or bs() over every row of the table, its basis recorded in `ctx.bases`. */
export function matrixCall(e: Call, ctx: BasisContext): MatrixValue {
  const args = matchArguments(e, ctx.formula);
  const key = deparse(e);
  const recorded = ctx.bases.get(key);
  const xExpr = args.get("x")!;
  const x = ctx.evaluate(xExpr);
  const at = `'${key}' (formula position ${e.pos + 1})`;
  let basis: Basis;
  let columns: Float64Array[];
  if (e.fn === "poly") {
    const { degree, raw } = polyArguments(e, ctx.formula);
    if (raw) {
      basis = { fn: "poly", degree, raw: true };
      columns = polyRaw(x, degree);
    } else if (recorded?.fn === "poly" && !recorded.raw) {
      basis = recorded;
      columns = polyFromCoefficients(x, recorded);
    } else {
      const bad = x.findIndex((v) => Number.isNaN(v));
      if (bad >= 0) {
        throw new HlmError(
          "DATA",
          `${at} cannot be computed because '${deparse(xExpr)}' has no value in row ${ctx.row(bad)} and R's poly() takes no missing values: leave out the rows without it, or use poly(…, raw = TRUE).`,
          { row: ctx.row(bad), position: e.pos + 1 },
        );
      }
      const distinct = new Set(x).size;
      const fitted = degree < distinct ? polyTraining(x, degree) : null;
      if (fitted === null) {
        throw new HlmError("DATA", `${at} needs more distinct values of '${deparse(xExpr)}' than its degree ${degree}, but there are ${distinct}.`, { position: e.pos + 1 });
      }
      basis = { fn: "poly", degree, raw: false, ...fitted.coefs };
      columns = fitted.columns;
    }
  } else {
    const isNs = e.fn === "ns";
    const degree = isNs ? 3 : args.has("degree") ? wholeNumber(args.get("degree")!, "degree", 1, e, ctx) : 3;
    const intercept = args.has("intercept") ? logical(args.get("intercept")!, "intercept", e, ctx) : false;
    let knots: SplineKnots;
    if ((recorded?.fn === "ns" || recorded?.fn === "bs") && recorded.fn === e.fn) {
      knots = recorded;
    } else {
      const present = x.filter((v) => !Number.isNaN(v));
      if (present.length === 0) throw new HlmError("DATA", `${at} cannot be computed: '${deparse(xExpr)}' has no value in any row.`, { position: e.pos + 1 });
      const minDf = isNs ? 1 + (intercept ? 1 : 0) : degree + (intercept ? 1 : 0);
      const df = args.has("df") ? wholeNumber(args.get("df")!, "df", minDf, e, ctx) : null;
      const given = args.has("knots") ? numbers(args.get("knots")!, "knots", e, ctx) : null;
      const boundaryGiven = args.has("Boundary.knots") ? numbers(args.get("Boundary.knots")!, "Boundary.knots", e, ctx) : null;
      if (boundaryGiven !== null && boundaryGiven.length !== 2) throw argumentError(e, ctx, "Boundary.knots", "must be two numbers, c(lower, upper)");
      const boundary = boundaryGiven === null ? null : ([Math.min(...boundaryGiven), Math.max(...boundaryGiven)] as [number, number]);
      knots = isNs ? nsKnots(present, { df, knots: given, intercept, boundary }) : bsKnots(present, { df, knots: given, degree, intercept, boundary });
      const [lo, hi] = knots.boundary;
      if (!(lo < hi)) throw new HlmError("DATA", `${at} needs at least two distinct values of '${deparse(xExpr)}' (its boundary knots are both ${lo}).`, { position: e.pos + 1 });
      const outside = knots.knots.find((k) => k < lo || k > hi);
      if (outside !== undefined) throw argumentError(e, ctx, "knots", `has the knot ${outside} outside the boundary knots ${lo} and ${hi}`);
    }
    basis = isNs ? { fn: "ns", ...knots } : { fn: "bs", degree, ...knots };
    if (!isNs) {
      const [lo, hi] = knots.boundary;
      const beyond = x.findIndex((v) => v < lo || v > hi);
      if (beyond >= 0) ctx.warn(`${key}: '${deparse(xExpr)}' in row ${ctx.row(beyond)} is beyond the boundary knots ${lo} and ${hi}, where R's bs() extrapolates its end polynomials (R warns: some 'x' values beyond boundary knots may cause ill-conditioned bases).`);
    }
    columns = isNs ? nsBasis(x, knots) : bsBasis(x, knots, degree);
  }
  ctx.bases.set(key, basis);
  return { columns, suffixes: matrixSuffixes(columns.length) };
}

/** The number of model-matrix columns of a recorded basis (1 for scale()). */
export function basisColumnCount(b: Basis): number {
  switch (b.fn) {
    case "poly":
      return b.degree;
    case "ns":
      return b.knots.length + 1 + (b.intercept ? 1 : 0);
    case "bs":
      return b.knots.length + b.degree + (b.intercept ? 1 : 0);
    case "scale":
      return 1;
  }
}

/** R's suffixes of a matrix variable's k columns: 1, 2, …, none for a single column. */
export const matrixSuffixes = (k: number): string[] => (k === 1 ? [""] : Array.from({ length: k }, (_, j) => String(j + 1)));

/**
 * R's `scale(x, center = TRUE, scale = TRUE)` over every row of the table: x minus the mean of its
 * present values, divided by their standard deviation (the root mean square with n − 1 when not
 * centred); a number for `center` or `scale` is used as it is. The centre and scale are recorded.
 */
export function scaleCall(e: Call, ctx: BasisContext): Float64Array {
  const args = matchArguments(e, ctx.formula);
  const key = deparse(e);
  const x = ctx.evaluate(args.get("x")!);
  let basis = ctx.bases.get(key);
  if (basis?.fn !== "scale") {
    const option = (name: string): boolean | number => {
      const a = args.get(name);
      if (a === undefined) return true;
      return isLogical(a) ? logical(a, name, e, ctx) : number(a, name, e, ctx);
    };
    const c = option("center");
    const s = option("scale");
    let n = 0;
    let sum = 0;
    for (const v of x) {
      if (Number.isNaN(v)) continue;
      n++;
      sum += v;
    }
    const center = c === true ? sum / n : c === false ? null : c;
    let scale: number | null = null;
    if (s === true) {
      let ss = 0;
      for (const v of x) if (!Number.isNaN(v)) ss += (v - (center ?? 0)) ** 2;
      scale = Math.sqrt(ss / Math.max(1, n - 1));
      if (!(scale > 0)) throw new HlmError("DATA", `'${key}' (formula position ${e.pos + 1}) divides by 0: '${deparse(args.get("x")!)}' ${n === 0 ? "has no value in any row" : "is the same in every row"}.`, { position: e.pos + 1 });
    } else if (s !== false) scale = s;
    basis = { fn: "scale", center, scale };
    ctx.bases.set(key, basis);
  }
  const { center, scale } = basis;
  return x.map((v) => (v - (center ?? 0)) / (scale ?? 1));
}

/**
 * Refuses poly(), ns() and bs() anywhere but as a variable of their own (inside another function or
 * arithmetic they would be a matrix where a number is needed).
 */
export function refuseNestedMatrix(e: Expr, formula: string, top = true): void {
  if (e.type === "call") {
    if (!top && MATRIX_FUNCTIONS.has(e.fn)) {
      throw new HlmError(
        "FORMULA",
        `${e.fn}() gives several columns, so it can be a term or part of an interaction but not inside another function or arithmetic ('${formula}', position ${e.pos + 1}).`,
        { position: e.pos + 1 },
      );
    }
    for (const a of e.args) refuseNestedMatrix(a, formula, false);
  } else if (e.type === "binary") {
    refuseNestedMatrix(e.left, formula, false);
    refuseNestedMatrix(e.right, formula, false);
  } else if (e.type === "unary") refuseNestedMatrix(e.arg, formula, false);
  else if (e.type === "paren") refuseNestedMatrix(e.expr, formula, top);
  else if (e.type === "named") refuseNestedMatrix(e.value, formula, false);
}

/** The call's arguments by formal name: named ones first, then the others in positional order (R's matching, names exact). */
function matchArguments(e: Call, formula: string): Map<string, Expr> {
  const formals = FORMALS[e.fn]!;
  const allowed = [...formals, ...(NAMED_ONLY[e.fn] ?? [])];
  const out = new Map<string, Expr>();
  const where = `('${formula}', position ${e.pos + 1})`;
  for (const a of e.args) {
    if (a.type !== "named") continue;
    if (!allowed.includes(a.name)) {
      const what = e.fn === "poly" && a.name === "coefs" ? "is set from the data (and recorded for predictions), not given" : `is not one this program reads; it reads ${allowed.join(", ")}`;
      throw new HlmError("FORMULA", `The argument '${a.name}' of ${e.fn}() ${what} ${where}.`, { position: a.pos + 1 });
    }
    if (out.has(a.name)) throw new HlmError("FORMULA", `The argument '${a.name}' of ${e.fn}() is given twice ${where}.`, { position: a.pos + 1 });
    out.set(a.name, a.value);
  }
  const free = formals.filter((f) => !out.has(f));
  const positional = e.args.filter((a) => a.type !== "named");
  positional.forEach((a, k) => {
    if (k >= free.length) {
      const what = e.fn === "poly" ? "poly() of several variables (R's polym()) is not supported; give raw = TRUE by name" : `${e.fn}() takes at most ${formals.length} arguments (${formals.join(", ")})`;
      throw new HlmError("FORMULA", `${what} ${where}.`, { position: a.pos + 1 });
    }
    out.set(free[k]!, a);
  });
  if (!out.has("x")) throw new HlmError("FORMULA", `${e.fn}() needs the variable it is computed from, as in ${e.fn}(x${e.fn === "scale" ? "" : ", 2"}) ${where}.`, { position: e.pos + 1 });
  return out;
}

function argumentError(e: Call, ctx: { formula: string }, name: string, what: string): HlmError {
  return new HlmError("FORMULA", `The argument '${name}' of '${deparse(e)}' ${what} ('${ctx.formula}', position ${e.pos + 1}).`, { position: e.pos + 1 });
}

/** A constant number: a numeral, possibly signed or in parentheses. */
function constant(a: Expr): number | null {
  if (a.type === "number") return a.value;
  if (a.type === "paren") return constant(a.expr);
  if (a.type === "unary") {
    const v = constant(a.arg);
    return v === null ? null : a.op === "-" ? -v : v;
  }
  return null;
}

function number(a: Expr, name: string, e: Call, ctx: { formula: string }): number {
  const v = constant(a);
  if (v === null) throw argumentError(e, ctx, name, "must be a number");
  return v;
}

function wholeNumber(a: Expr, name: string, min: number, e: Call, ctx: { formula: string }): number {
  const v = constant(a);
  if (v === null || !Number.isInteger(v) || v < min) throw argumentError(e, ctx, name, `must be a whole number of at least ${min}`);
  return v;
}

/** A number or `c(…)` of numbers. */
function numbers(a: Expr, name: string, e: Call, ctx: { formula: string }): number[] {
  const parts = a.type === "call" && a.fn === "c" ? a.args : [a];
  const out = parts.map(constant);
  if (out.some((v) => v === null) || out.length === 0) throw argumentError(e, ctx, name, "must be a number or numbers in c(…)");
  return out as number[];
}

const isLogical = (a: Expr): boolean => a.type === "name" && ["TRUE", "FALSE", "T", "F"].includes(a.name);

function logical(a: Expr, name: string, e: Call, ctx: { formula: string }): boolean {
  if (!isLogical(a)) throw argumentError(e, ctx, name, "must be TRUE or FALSE");
  return (a as Expr & { type: "name" }).name.startsWith("T");
}
