import { HlmError } from "../HlmError.js";
import type { ModelTerms } from "../formula/modelTerms.js";
import { nameUses, variableName } from "../formula/nameUses.js";
import type { Expr } from "../formula/parseFormula.js";
import { MATRIX_FUNCTIONS, matrixCall, refuseNestedMatrix, type MatrixValue } from "./basisCalls.js";
import type { ModelOptions } from "./Model.js";
import { evaluateFactor, isFactorExpression, type FactorValues } from "./factorExpressions.js";
import type { ModelFrameSource } from "./ModelFrameSource.js";
import { binomialResponse } from "./binomialResponse.js";
import { requireColumn } from "./requireColumn.js";

/** A variable of the formula over every row of the table: numeric (its values), categorical (where it is missing) or a basis (its columns). */
export type RawVariable = { kind: "numeric"; name: string; values: Float64Array; expr: Expr } | RawFactor | RawMatrix;

/** A matrix-valued variable (poly(), ns(), bs()) over every row of the table: its columns (NaN where its argument is missing) and R's name suffixes. */
export interface RawMatrix extends MatrixValue {
  kind: "matrix";
  name: string;
  expr: Expr;
}

/** A categorical variable over every row: where it is missing, and, for an expression such as `factor(x)`, its evaluated levels (a categorical column is coded on the rows used). */
export interface RawFactor {
  kind: "factor";
  name: string;
  missing: (i: number) => boolean;
  values?: FactorValues;
  /** The table's column, for a factor that is one (its missing cells read directly, row after row). */
  column?: string;
}

/** Every variable the model uses, evaluated over all rows of the table, before any row is dropped. */
export interface EvaluatedVariables {
  responseName: string;
  /** The response's expression, and its values. */
  response: Expr;
  yAll: Float64Array;
  /** The fixed and random effects' variables, by R's name. */
  raw: Map<string, RawVariable>;
  /** The grouping factors' variables, by R's name (`Subject`, `factor(g)`, `interaction(a, b)`); `a:b` is two. */
  groups: Map<string, RawFactor>;
  /** Each offset() term's values. */
  offsetsAll: Float64Array[];
  /** The prior weights, when a weights column is given (times the trials of a binomial `cbind(s, f)` response). */
  weightsAll: Float64Array | null;
  /** A binomial `cbind(s, f)` response's successes and failures, per row of the table. */
  binomialCounts?: { successes: Float64Array; failures: Float64Array } | null;
  /** The weights column's own values (without a cbind response's trials). */
  weightsColumn?: Float64Array | null;
}

/**
 * Evaluates the formula's variables on the table (R's `model.frame` before `na.omit`), refusing what
 * cannot be a variable: an unknown column, a failed computation in a cell, text in a numeric column,
 * a categorical response, a weights column that is not numeric.
 */
export function evaluateVariables(source: ModelFrameSource, terms: ModelTerms, options: ModelOptions): EvaluatedVariables {
  const raw = new Map<string, RawVariable>();
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
    refuseNestedMatrix(e, terms.formula.text);
    if (e.type === "name") source.checkNotStrayText(e.name, e.pos);
    if (e.type === "name" && source.isCategorical(e.name)) {
      raw.set(name, { kind: "factor", name, missing: source.missing(e.name), column: e.name });
    } else if (e.type === "call" && MATRIX_FUNCTIONS.has(e.fn)) {
      raw.set(name, { kind: "matrix", name, expr: e, ...matrixCall(e, source.basisContext()) });
    } else if (isFactorExpression(source, e)) {
      raw.set(name, factorExpression(source, name, e, terms.formula.text));
    } else {
      raw.set(name, { kind: "numeric", name, values: source.evaluate(e), expr: e });
    }
  };
  const response = terms.response;
  checkCells(response);
  refuseNestedMatrix(response, terms.formula.text, false);
  for (const e of terms.offsets) refuseNestedMatrix(e, terms.formula.text, false);
  const binomial = options.family === "binomial" ? binomialResponse(source, response, terms.formula.text) : null;
  if (!binomial && response.type === "name" && source.isCategorical(response.name)) {
    const c = source.column(response.name);
    if (c.kind === "string") throw source.strayText(c, source.firstNonNumber(c), false);
    throw new HlmError("FORMULA", `The response '${response.name}' must be numeric, but it is listed as categorical.`);
  }
  const yAll = binomial ? binomial.y : source.evaluate(response);
  for (const v of terms.fixed.variables.slice(1)) addVariable(v.expr);
  for (const r of terms.random) for (const v of r.effects.variables) addVariable(v.expr);
  for (const e of terms.offsets) checkCells(e);
  const offsetsAll = terms.offsets.map((e) => source.evaluate(e));
  const groups = new Map<string, RawFactor>();
  for (const r of terms.random) {
    r.groupExprs.forEach((g, k) => {
      const name = r.groupVars[k]!;
      if (groups.has(name)) return;
      if (g.type === "name") source.column(g.name, g.pos);
      checkCells(g);
      groups.set(name, g.type === "name" ? { kind: "factor", name, missing: source.missing(g.name), column: g.name } : factorExpression(source, name, g, terms.formula.text));
    });
  }
  const weightsColumn = evaluateWeights(source, options);
  return {
    responseName: variableName(response),
    response,
    yAll,
    raw,
    groups,
    offsetsAll,
    weightsAll: priorWeights(weightsColumn, binomial?.trials ?? null),
    binomialCounts: binomial?.counts ?? null,
    weightsColumn,
  };
}

/** The prior weights: the weights column's, times the number of trials of a `cbind(s, f)` response. */
function priorWeights(w: Float64Array | null, trials: Float64Array | null): Float64Array | null {
  if (!trials) return w;
  if (!w) return trials;
  return w.map((v, i) => v * trials[i]!);
}

/** A categorical expression (`factor(x)`, `relevel(g, ref = "b")`, `interaction(a, b)`) evaluated on every row. */
function factorExpression(source: ModelFrameSource, name: string, e: Expr, formulaText: string): RawFactor {
  const values = evaluateFactor(source, e, formulaText);
  return { kind: "factor", name, missing: (i) => values.codes[i]! < 0, values };
}

/** The weights column's values: it must be there and numeric. */
function evaluateWeights(source: ModelFrameSource, options: ModelOptions): Float64Array | null {
  const name = options.weights;
  if (name === undefined) return null;
  requireColumn(source.table, name, "weights");
  const wc = source.column(name);
  source.checkFailedCells(name);
  if (wc.kind !== "number") {
    const bad = source.firstNonNumber(wc);
    if (bad >= 0) throw source.strayText(wc, bad, false);
    throw new HlmError("DATA", `The weights column '${name}' must be numeric.`, { column: name });
  }
  return source.evaluate({ type: "name", name, pos: 0 });
}
