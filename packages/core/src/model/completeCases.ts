import { HlmError } from "../HlmError.js";
import type { ModelTerms } from "../formula/modelTerms.js";
import { columnsOf, variableName } from "../formula/nameUses.js";
import type { Expr } from "../formula/parseFormula.js";
import { noRowsLeft, type DroppedBy } from "./droppedRows.js";
import type { EvaluatedVariables, RawFactor } from "./evaluateVariables.js";
import type { ModelOptions } from "./Model.js";
import type { ModelFrameSource } from "./ModelFrameSource.js";

/**
 * The rows the model uses: complete cases for every variable (lme4's `na.omit`), counted per
 * variable for the fit's warning. NaN computed from values that are there (log of a negative) is
 * dropped too, as in R; infinite values and weights that are not positive are errors.
 */
export function completeCases(source: ModelFrameSource, terms: ModelTerms, ev: EvaluatedVariables, options: ModelOptions): { rows: Int32Array; droppedBy: DroppedBy[] } {
  const nAll = source.table.nrow;
  const keep = new Uint8Array(nAll).fill(1);
  const droppedBy: DroppedBy[] = [];
  const countDropped = (variable: string, missing: number, notANumber: number): void => {
    if (missing + notANumber > 0) droppedBy.push({ variable, missing, notANumber });
  };
  /** Whether an input of the expression is missing in row i (numeric columns only: a factor is not in arithmetic). */
  const inputMissing = (e: Expr): ((i: number) => boolean) => {
    const cols = [...columnsOf(e)].map((c) => source.column(c)).filter((c) => c.kind === "number");
    return (i) => cols.some((c) => c.missing[i] === 1);
  };
  const dropNumeric = (name: string, values: Float64Array, e: Expr): void => {
    // native searches first: most columns have nothing to drop, and a loop here is not compiled yet in a session's first fit
    if (!values.includes(NaN) && !values.includes(Infinity) && !values.includes(-Infinity)) return;
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
  const dropMissing = (f: RawFactor): void => {
    let count = 0;
    const c = f.column === undefined ? null : source.column(f.column);
    // a column's missing cells read directly (no call per row); a factor expression's through its test
    if (c && c.kind === "number") {
      const m = c.missing;
      for (let i = m.indexOf(1); i >= 0 && i < nAll; i++) {
        if (m[i] === 1) {
          keep[i] = 0;
          count++;
        }
      }
    } else if (c) {
      const values = c.values;
      for (let i = values.indexOf(null); i >= 0 && i < nAll; i++) {
        if (values[i] === null) {
          keep[i] = 0;
          count++;
        }
      }
    } else {
      for (let i = 0; i < nAll; i++) {
        if (f.missing(i)) {
          keep[i] = 0;
          count++;
        }
      }
    }
    countDropped(f.name, count, 0);
  };
  dropNumeric(ev.responseName, ev.yAll, ev.response);
  for (const v of ev.raw.values()) {
    if (v.kind === "numeric") dropNumeric(v.name, v.values, v.expr);
    else if (v.kind === "matrix") dropNumeric(v.name, v.columns[0]!, v.expr); // a basis is missing where its argument is
    else dropMissing(v);
  }
  terms.offsets.forEach((e, k) => dropNumeric(variableName(e), ev.offsetsAll[k]!, e));
  for (const g of ev.groups.values()) if (!ev.raw.has(g.name)) dropMissing(g); // a group that is also a variable of the effects is counted already
  if (ev.weightsAll) {
    const w = ev.weightsAll;
    const name = options.weights ?? ev.responseName;
    dropNumeric(name, w, options.weights === undefined ? ev.response : { type: "name", name, pos: 0 });
    for (let i = 0; i < nAll; i++) {
      if (keep[i] && w[i]! < 0) throw new HlmError("DATA", `Weights must not be negative: '${name}' is ${w[i]} in row ${source.row(i)}.`, { row: source.row(i), column: name });
      if (keep[i] && w[i]! === 0) {
        // lme4 fits them with an infinite criterion (log 0 in the likelihood): refuse instead
        throw new HlmError("DATA", `Weights must be positive: '${name}' is 0 in row ${source.row(i)}; leave out the rows of weight 0.`, { row: source.row(i), column: name });
      }
    }
  }
  let n = 0;
  for (let i = 0; i < nAll; i++) n += keep[i]!;
  if (n === 0) throw noRowsLeft(nAll, droppedBy);
  const rows = new Int32Array(n);
  for (let i = 0, k = 0; i < nAll; i++) if (keep[i]) rows[k++] = i;
  return { rows, droppedBy };
}
