import type { Expr } from "../formula/parseFormula.js";
import { columnsOf } from "../formula/nameUses.js";
import { HlmError } from "../HlmError.js";
import type { Table } from "../io/Table.js";
import type { Model } from "../model/Model.js";
import { MATRIX_FUNCTIONS, matrixCall } from "../model/basisCalls.js";
import { isLogical } from "../model/factorExpressions.js";
import { ModelFrameSource } from "../model/ModelFrameSource.js";
import { modelMatrix } from "../model/modelMatrix.js";
import type { Factor, Variable } from "../model/Variable.js";
import { fixedPart } from "./fixedPart.js";
import { cellOf, labelOf, listLevels, newRowName } from "./newRowCells.js";
import type { PredictableFit, Predictions, PredictOptions } from "./Predictions.js";

/**
 * Predictions for new rows of a model given by its sums (a database's, `Model.summed`), which has no
 * fitted rows to append the new ones to: the new rows' model matrices are built alone, each
 * categorical variable coded with the fitted levels in their fitted order (`Model.factorLevels`:
 * relevel()'s reference first, an ordered factor's polynomial contrasts over all its levels) and
 * scale() with its recorded centre and scale, so that X and Z are coded as the fit's were. The
 * results and messages are `predict`'s; poly() is evaluated by its recorded recurrence; the formulas
 * a database fits have no ns(), bs() or interaction(), and every categorical variable is a column's
 * labels (`factor(x)`, `ordered(x)`, `relevel(x, ref = "b")`, or the column itself) or a comparison
 * (`I(x > 2)`: FALSE or TRUE).
 */
export function predictWithoutRows(model: Model, fit: PredictableFit, newdata: Table, options: PredictOptions): Predictions {
  const { terms, factorLevels } = model;
  const m = newdata.nrow;
  const newFirst = newdata.firstRow ?? 1;
  const rowName = (r: number): string => newRowName(newdata, r);
  const newColumn = new Map(newdata.columns.map((c) => [c.name, c]));

  // the variables of X and the Z_i, and the column each categorical one reads
  const variables = new Map<string, Expr>();
  for (const v of [...terms.fixed.variables.slice(1), ...terms.random.flatMap((r) => r.effects.variables)]) variables.set(v.name, v.expr);
  const columnOf = (name: string, e: Expr): string => {
    const cols = [...columnsOf(e)];
    if (cols.length !== 1) throw new HlmError("INTERNAL", `The categorical variable '${name}' does not read one column.`);
    return cols[0]!;
  };
  const predictors = new Set<string>();
  for (const e of [...variables.values(), ...terms.offsets]) columnsOf(e, predictors);
  for (const c of predictors) {
    if (!newColumn.has(c)) {
      throw new HlmError("DATA", `The new data have no column '${c}', which the formula '${model.formula}' uses; its columns are ${newdata.names.join(", ")}.`, { column: c });
    }
  }
  const categoricalColumns = new Set([...variables].filter(([name, e]) => factorLevels[name] !== undefined && !isLogical(e)).map(([name, e]) => columnOf(name, e)));
  const source = new ModelFrameSource(newdata, categoricalColumns, model.formula, model.bases);
  // a numeric result that is not a number: a missing input names its column, else the row cannot be predicted
  const requireFinite = (values: Float64Array, e: Expr): void => {
    const r = values.findIndex((v) => !Number.isFinite(v));
    if (r < 0) return;
    for (const c of columnsOf(e)) {
      if (labelOf(cellOf(newColumn.get(c)!, r)) === null) {
        throw new HlmError("DATA", `${rowName(r)} has no value for '${c}'; every variable of the fixed and random effects needs one for a prediction.`, { column: c, row: newFirst + r });
      }
    }
    throw new HlmError("DATA", `${rowName(r)} cannot be predicted: a variable of the formula is not a finite number there (log() of a negative number, say).`, { row: newFirst + r });
  };

  const vars = new Map<string, Variable>();
  for (const [name, e] of variables) {
    const levels = factorLevels[name];
    if (levels === undefined) {
      const inner = e.type === "paren" ? e.expr : e;
      if (inner.type === "call" && MATRIX_FUNCTIONS.has(inner.fn)) {
        // poly(): its recorded recurrence at the new rows (R's predict through makepredictcall)
        const { columns, suffixes } = matrixCall(inner, source.basisContext());
        for (const c of columns) requireFinite(c, e);
        vars.set(name, { kind: "matrix", name, columns, suffixes });
        continue;
      }
      const values = source.evaluate(e);
      requireFinite(values, e);
      vars.set(name, { kind: "numeric", name, values });
      continue;
    }
    const index = new Map(levels.map((l, i) => [l, i]));
    const codes = new Int32Array(m);
    if (isLogical(e)) {
      // R's logical variable (`I(x > 2)`): TRUE or FALSE at the new row, a level the fit has
      const values = source.evaluate(e);
      requireFinite(values, e);
      for (let r = 0; r < m; r++) {
        const label = values[r] === 1 ? "TRUE" : "FALSE";
        const code = index.get(label);
        if (code === undefined) throw new HlmError("DATA", `${rowName(r)} gives '${name}' the level '${label}', which it does not have in the fitted data (${listLevels(levels)}).`, { column: name, row: newFirst + r });
        codes[r] = code;
      }
      vars.set(name, { kind: "factor", name, levels, codes } satisfies Factor);
      continue;
    }
    const c = columnOf(name, e);
    const col = newColumn.get(c)!;
    for (let r = 0; r < m; r++) {
      const label = labelOf(cellOf(col, r));
      if (label === null) {
        throw new HlmError("DATA", `${rowName(r)} has no value for '${c}'; every variable of the fixed and random effects needs one for a prediction.`, { column: c, row: newFirst + r });
      }
      const code = index.get(label);
      if (code === undefined) {
        const message = e.type === "name" ? `has '${label}' in '${c}', which is not a level of '${c}' in the fitted data` : `gives '${name}' the level '${label}', which it does not have in the fitted data`;
        throw new HlmError("DATA", `${rowName(r)} ${message} (${listLevels(levels)}).`, { column: e.type === "name" ? c : name, row: newFirst + r });
      }
      codes[r] = code;
    }
    const ordered = model.orderedFactors?.includes(name) ?? false;
    vars.set(name, { kind: "factor", name, levels, codes, ...(ordered ? { ordered: true } : {}) } satisfies Factor);
  }

  // X β̂ (+ offset) and its standard error
  const X = modelMatrix(terms.fixed, vars, m, true);
  const xCols = fit.fixefNames.map((name) => {
    const j = X.names.indexOf(name);
    if (j < 0) throw new HlmError("INTERNAL", `The fixed-effect column '${name}' could not be built for the new data.`);
    return X.columns[j]!;
  });
  const offset = new Float64Array(m);
  for (const e of terms.offsets) {
    const values = source.evaluate(e);
    requireFinite(values, e);
    for (let r = 0; r < m; r++) offset[r]! += values[r]!;
  }
  const { population, se } = fixedPart(m, fit, (r, i) => xCols[i]![r]!, (r) => offset[r]!);

  // z_r' b̂ of each term whose level the fit has seen; a missing or unseen label counts 0, and the row notes its column
  const newLevels: string[][] = Array.from({ length: m }, () => []);
  const groupLabels = new Map<string, (string | null)[]>();
  for (const t of terms.random) {
    t.groupExprs.forEach((g, k) => {
      const name = t.groupVars[k]!;
      if (groupLabels.has(name)) return;
      const c = columnOf(name, g);
      const col = newColumn.get(c);
      const seen = new Set(factorLevels[name] ?? []);
      groupLabels.set(
        name,
        Array.from({ length: m }, (_, r) => {
          const label = col ? labelOf(cellOf(col, r)) : null;
          if (label !== null && seen.has(label)) return label;
          if (!newLevels[r]!.includes(c)) newLevels[r]!.push(c);
          return null;
        }),
      );
    });
  }
  const prediction = Float64Array.from(population);
  const used = new Set<number>();
  for (const t of terms.random) {
    const Z = modelMatrix(t.effects, vars, m, false);
    const vi = fit.varcorr.findIndex((v, i) => !used.has(i) && v.group === t.group && v.names.length === Z.names.length && v.names.every((nm, c) => nm === Z.names[c]));
    if (vi < 0) throw new HlmError("INTERNAL", `The random-effects term of '${t.group}' could not be matched to the fit.`);
    used.add(vi);
    if (options.randomEffects === false) continue;
    // this term's columns within its factor's ranef table (terms on one factor are merged there)
    const offsetInTable = fit.varcorr.slice(0, vi).reduce((s, v) => s + (v.group === t.group ? v.names.length : 0), 0);
    const ranef = fit.ranef.find((e) => e.group === t.group)!;
    const levelIndex = new Map(ranef.levels.map((l, i) => [l, i]));
    const parts = t.groupVars.map((name) => groupLabels.get(name)!);
    for (let r = 0; r < m; r++) {
      const labels = parts.map((ls) => ls[r]!);
      if (labels.some((l) => l === null)) continue;
      const li = levelIndex.get(labels.join(":"));
      if (li === undefined) {
        if (!newLevels[r]!.includes(t.group)) newLevels[r]!.push(t.group); // known labels in a combination the fit has not seen (nested factors)
        continue;
      }
      const b = ranef.values[li]!;
      let s = 0;
      for (let c = 0; c < Z.columns.length; c++) s += Z.columns[c]![r]! * b[offsetInTable + c]!;
      prediction[r]! += s;
    }
  }
  return { fit: prediction, population, se, newLevels, warnings: [] };
}
