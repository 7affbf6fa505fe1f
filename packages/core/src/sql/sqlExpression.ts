import { HlmError } from "../HlmError.js";
import { deparse, type Expr } from "../formula/parseFormula.js";
import type { DialectSyntax } from "./SqlDialect.js";

/** What a numeric expression may refer to: numeric columns (by name) and the scale() calls' centre and scale (by deparsed call). */
export interface ExpressionScope {
  syntax: DialectSyntax;
  formula: string;
  /** The SQL of a numeric column, or null when the name is not a numeric column (the caller's error). */
  column(name: string, pos: number): string;
  /** The SQL of scale(x)'s centre and scale for a call. */
  scale(call: Expr & { type: "call" }): { center: string; scale: string };
  /** The SQL of a text column compared with a quoted text (`sex == "M"`), or null when the column is not text. */
  text?(name: string, pos: number): string | null;
}

const COMPARE_SQL: Record<string, string> = { "==": "=", "!=": "<>", "<": "<", ">": ">", "<=": "<=", ">=": ">=" };

/** The columns an expression compares with a quoted text (`sex` in `sex == "M"`): text columns there, not numbers. */
export function textComparedColumns(e: Expr, out = new Set<string>()): Set<string> {
  switch (e.type) {
    case "binary":
      if ((e.op === "==" || e.op === "!=") && (e.left.type === "string" || e.right.type === "string")) {
        const col = e.left.type === "string" ? e.right : e.left;
        if (col.type === "name") out.add(col.name);
      }
      textComparedColumns(e.left, out);
      textComparedColumns(e.right, out);
      break;
    case "call":
      for (const a of e.args) textComparedColumns(a, out);
      break;
    case "paren":
      textComparedColumns(e.expr, out);
      break;
    case "unary":
      textComparedColumns(e.arg, out);
      break;
    case "named":
      textComparedColumns(e.value, out);
      break;
    default:
      break;
  }
  return out;
}

/** The functions a formula's numeric expression may call in SQL, and those it may not (the rows are needed). */
const SQL_FUNCTIONS = new Set(["log", "log10", "exp", "sqrt", "abs", "sin", "cos", "tan", "round", "pmin", "pmax", "I", "scale", "as.numeric"]);

/**
 * A numeric expression of the formula (R's arithmetic on columns; log, log10, sqrt, exp, abs, sin,
 * cos, tan, round(x), pmin, pmax, I(), scale(), as.numeric(); comparisons as 1 and 0, a text column
 * with a quoted text by == and !=) as SQL in doubles. Where R gives
 * NaN (log or sqrt of a negative, 0/0) the SQL gives NULL, so the row is dropped as lme4 drops it;
 * where R gives ±Inf (log(0), x/0) the SQL gives NULL too, and the caller counts it as not a number.
 */
export function numericSql(e: Expr, scope: ExpressionScope): string {
  const { syntax } = scope;
  const num = (v: string): string => `CAST(${v} AS ${syntax.double})`;
  const refuse = (what: string, pos: number): HlmError =>
    new HlmError("FORMULA", `${what} (position ${pos + 1} of '${scope.formula}') cannot be computed in SQL; fit this model from a CSV or Excel file instead.`, { position: pos + 1 });
  const go = (x: Expr): string => {
    switch (x.type) {
      case "name":
        return scope.column(x.name, x.pos);
      case "number":
        return num(Number.isFinite(x.value) ? String(x.value) : "NULL");
      case "paren":
        return go(x.expr);
      case "unary":
        return x.op === "-" ? `(-${go(x.arg)})` : go(x.arg);
      case "binary": {
        const op = COMPARE_SQL[x.op];
        if (op !== undefined) {
          // R's comparison in arithmetic: 1 where TRUE, 0 where FALSE, missing where a side is
          let l: string;
          let r: string;
          if (x.left.type === "string" || x.right.type === "string") {
            const [col, text] = x.left.type === "string" ? [x.right, x.left] : [x.left, x.right];
            if ((x.op !== "==" && x.op !== "!=") || col.type !== "name" || text.type !== "string") throw refuse(`The comparison '${deparse(x)}' (a quoted text is compared with a column, by == or !=)`, x.pos);
            const t = scope.text?.(col.name, col.pos) ?? null;
            if (t === null) throw refuse(`The comparison '${deparse(x)}' of a column that is not text with a quoted text`, x.pos);
            l = t;
            r = `'${text.value.replaceAll("'", "''")}'`;
          } else {
            l = go(x.left);
            r = go(x.right);
          }
          return `(CASE WHEN ${l} ${op} ${r} THEN ${num("1")} WHEN ${l} IS NOT NULL AND ${r} IS NOT NULL THEN ${num("0")} END)`;
        }
        const a = go(x.left);
        switch (x.op) {
          case "+":
          case "-":
          case "*":
            return `(${a} ${x.op} ${go(x.right)})`;
          case "/": {
            const b = go(x.right);
            return `(CASE WHEN ${b} <> 0 THEN ${a} / ${b} END)`;
          }
          case "^": {
            const r = x.right.type === "paren" ? x.right.expr : x.right;
            if (r.type !== "number") throw refuse(`The power '${deparse(x)}' with an exponent that is not a number`, x.pos);
            const k = r.value;
            // small whole powers as products, as R's R_pow_di computes them
            if (Number.isInteger(k) && k >= 1 && k <= 4) return `(${Array.from({ length: k }, () => a).join(" * ")})`;
            if (k === 0) return `(CASE WHEN ${a} IS NOT NULL THEN ${num("1")} END)`;
            return `(CASE WHEN ${a} > 0 ${Number.isInteger(k) ? `OR ${a} < 0` : ""} THEN POWER(${a}, ${num(String(k))}) END)`;
          }
          default:
            throw refuse(`The operator '${x.op}' in '${deparse(x)}'`, x.pos);
        }
      }
      case "call": {
        if (!SQL_FUNCTIONS.has(x.fn)) throw refuse(`${x.fn}()`, x.pos);
        const positional = x.args.filter((a) => a.type !== "named");
        if (x.fn === "scale") {
          if (positional.length !== 1 || x.args.length !== 1) throw refuse(`scale() with options ('${deparse(x)}')`, x.pos);
          const { center, scale } = scope.scale(x);
          return `((${go(positional[0]!)} - ${center}) / ${scale})`;
        }
        if (x.fn === "pmin" || x.fn === "pmax") {
          // R's pmin/pmax: missing where any argument is (SQL's LEAST and GREATEST skip NULLs)
          if (positional.length < 2 || positional.length !== x.args.length) throw refuse(`${x.fn}() with options or one argument`, x.pos);
          const parts = positional.map(go);
          return `(CASE WHEN ${parts.map((p) => `${p} IS NULL`).join(" OR ")} THEN NULL ELSE ${x.fn === "pmin" ? "LEAST" : "GREATEST"}(${parts.join(", ")}) END)`;
        }
        if (x.fn === "round") {
          const digits = x.args.length === 2 ? x.args[1] : undefined;
          const zero = digits === undefined || (digits.type === "number" && digits.value === 0) || (digits.type === "named" && digits.name === "digits" && digits.value.type === "number" && digits.value.value === 0);
          if (!zero || x.args.length > 2 || x.args[0]!.type === "named") throw refuse("round() with digits", x.pos);
          // R's round(x): the nearest whole number, a half to the even one (x − floor(x) is exact)
          const a = go(x.args[0]!);
          const f = `FLOOR(${a})`;
          return `(CASE WHEN ${a} - ${f} < 0.5 THEN ${f} WHEN ${a} - ${f} > 0.5 THEN ${f} + 1 ELSE ${f} + (${f} - 2 * FLOOR(${f} / 2)) END)`;
        }
        if (x.fn === "log" && x.args.length === 2 && positional.length === 2) {
          const b = go(positional[1]!);
          const a = go(positional[0]!);
          return `(CASE WHEN ${a} > 0 AND ${b} > 0 AND ${b} <> 1 THEN LN(${a}) / LN(${b}) END)`;
        }
        if (x.args.length !== 1 || positional.length !== 1) throw refuse(`${x.fn}() with ${x.args.length} arguments`, x.pos);
        const a = go(positional[0]!);
        switch (x.fn) {
          case "I":
          case "as.numeric":
            return a;
          case "log":
            return `(CASE WHEN ${a} > 0 THEN LN(${a}) END)`;
          case "log10":
            return `(CASE WHEN ${a} > 0 THEN ${syntax.log10(a)} END)`;
          case "sqrt":
            return `(CASE WHEN ${a} >= 0 THEN SQRT(${a}) END)`;
          case "exp":
            return `EXP(${a})`;
          case "sin":
          case "cos":
          case "tan":
            return `${x.fn.toUpperCase()}(${a})`;
          default:
            return `ABS(${a})`;
        }
      }
      default:
        throw refuse(`'${deparse(x)}'`, x.pos);
    }
  };
  return go(e);
}
