/**
 * Predictions of a fitted model for new rows: lme4's `predict(fit, newdata, re.form, allow.new.levels = TRUE)`,
 * with the standard error of the fixed part.
 *
 * The new rows' model matrices are built by the engine itself, so that they are coded exactly as the
 * fitted data were (factor levels, contrasts, interactions, functions such as log()): the new rows
 * are appended to the fitted data, the model is built on the whole, and the new rows are read off
 * (the fitted rows' X is checked to be the fit's). On the new rows the response and the weights
 * take a fitted row's values: they play no part in a prediction.
 *
 * - A level of a grouping factor that the fit has not seen (or a missing one, or a grouping column
 *   the new data lack) gets the population prediction for that term: its random effects count as 0.
 *   Other terms still add their BLUPs. `newLevels` says which rows and factors this concerns.
 * - A missing value in a variable of the fixed or random effects, a text in a numeric variable or a
 *   level of a categorical variable that the fit has not seen is an HlmError naming the new data's row.
 * - poly(), ns(), bs() and scale() are evaluated on the new rows with the fitted data's parameters
 *   (the model's recorded `bases`: poly's recurrence coefficients, the splines' knots, scale's centre
 *   and scale), as R's predict does through makepredictcall, not recomputed on the rows. A new x
 *   beyond bs()'s boundary knots gives R's warning in `warnings`; ns() is linear there.
 * - A residual correlation structure or variance function plays no part (nlme's `predict.lme`,
 *   X β̂ + Z b̂): the model is rebuilt without it, so the new rows need none of its columns.
 * - A model given by its sums (a database's) has no fitted rows: `predictWithoutRows` codes the new
 *   rows alone, with the fitted levels and scale()'s recorded centre and scale.
 */
import { buildModel } from "../model/buildModel.js";
import { evaluateFactor } from "../model/factorExpressions.js";
import { ModelFrameSource } from "../model/ModelFrameSource.js";
import { FACTOR_FUNCTIONS } from "../model/rFunctions.js";
import { type Model } from "../model/Model.js";
import type { Expr } from "../formula/parseFormula.js";
import { HlmError } from "../HlmError.js";
import { columnsOf } from "../formula/nameUses.js";
import { columnLabel } from "../model/levelLabels.js";
import { cellOf, labelOf, listLevels, newRowName, numberOf, type Cell } from "./newRowCells.js";
import { predictWithoutRows } from "./predictWithoutRows.js";
import { fixedPart } from "./fixedPart.js";
import type { PredictableFit, Predictions, PredictOptions } from "./Predictions.js";

export type { PredictableFit, Predictions, PredictOptions } from "./Predictions.js";
import type { Column, Table } from "../io/Table.js";

/**
 * Predictions for the rows of `newdata` from `fit`, a fit of `model` built on `data` (with the same
 * `factors` and `weights` options).
 */
export function predict(data: Table, model: Model, fit: PredictableFit, newdata: Table, options: PredictOptions = {}): Predictions {
  if (model.summed) return predictWithoutRows(model, fit, newdata, options);
  const { combined, newLevels } = appendNewRows(data, model, newdata, options);
  const { all, pos, warnings } = modelWithNewRows(combined, data.nrow, model, newdata, options);
  const m = newdata.nrow;
  const N = all.n;
  const xCols = fixedColumns(model, all, fit);
  const { population, se } = fixedPart(m, fit, (r, i) => all.X[xCols[i]! * N + pos[r]!]!, (r) => (all.offset ? all.offset[pos[r]!]! : 0));
  const prediction = Float64Array.from(population);
  if (options.randomEffects !== false) addRandomEffects(all, fit, pos, newLevels, prediction);
  return { fit: prediction, population, se, newLevels, warnings };
}


/**
 * The fitted data with the new rows appended, each column in its fitted kind: the formula's
 * predictors from the new rows (refused when missing, not a number, or a level the fit has not
 * seen), grouping columns from the new rows where the level is known (else a stand-in, and the row
 * notes the factor in `newLevels`), the response and weights a stand-in, the rest empty.
 */
function appendNewRows(data: Table, model: Model, newdata: Table, options: PredictOptions): { combined: Table; newLevels: string[][] } {
  const newFirst = newdata.firstRow ?? 1;
  const rowName = (r: number): string => newRowName(newdata, r);
  const terms = model.terms;
  const predictorExprs: Expr[] = [
    ...terms.fixed.variables.slice(1).map((v) => v.expr),
    ...terms.random.flatMap((r) => r.effects.variables.map((v) => v.expr)),
    ...terms.offsets,
  ];
  const predictors = new Set<string>();
  for (const e of predictorExprs) columnsOf(e, predictors);
  const groupCols = new Set(terms.random.flatMap((r) => r.groupExprs.flatMap((g) => [...columnsOf(g)])));
  const responseCols = columnsOf(terms.response, new Set<string>());
  const newColumn = new Map(newdata.columns.map((c) => [c.name, c]));
  for (const c of predictors) {
    if (!newColumn.has(c)) {
      throw new HlmError("DATA", `The new data have no column '${c}', which the formula '${model.formula}' uses; its columns are ${newdata.names.join(", ")}.`, { column: c });
    }
  }

  const nTrain = data.nrow;
  const m = newdata.nrow;
  const firstUsed = model.rows[0]!;
  const newLevels: string[][] = Array.from({ length: m }, () => []);
  const columns: Column[] = data.columns.map((col) => {
    const c = col.name;
    const fresh = newColumn.get(c);
    // the value of new row r in this column, in the fitted column's kind
    let valueAt: (r: number) => Cell;
    if (predictors.has(c)) {
      const levels = model.factorLevels[c];
      valueAt = (r) => {
        const v = fresh ? cellOf(fresh, r) : null;
        const label = labelOf(v);
        if (label === null) {
          throw new HlmError("DATA", `${rowName(r)} has no value for '${c}'; every variable of the fixed and random effects needs one for a prediction.`, { column: c, row: newFirst + r });
        }
        if (levels !== undefined && !levels.includes(label)) {
          throw new HlmError("DATA", `${rowName(r)} has '${label}' in '${c}', which is not a level of '${c}' in the fitted data (${listLevels(levels)}).`, { column: c, row: newFirst + r });
        }
        if (col.kind === "string") return label;
        const x = numberOf(v);
        if (x === null) throw new HlmError("DATA", `${rowName(r)} has '${label}' in '${c}', which must be a number.`, { column: c, row: newFirst + r });
        return x;
      };
    } else if (groupCols.has(c)) {
      const seen = new Set<string>();
      for (const i of model.rows) {
        const l = columnLabel(col, i);
        if (l !== null) seen.add(l);
      }
      const stand = cellOf(col, firstUsed);
      valueAt = (r) => {
        const v = fresh ? cellOf(fresh, r) : null;
        const label = labelOf(v);
        if (label !== null && seen.has(label)) return col.kind === "string" ? label : numberOf(v);
        newLevels[r]!.push(c);
        return stand;
      };
    } else if (responseCols.has(c) || c === options.weights) {
      const stand = cellOf(col, firstUsed);
      valueAt = () => stand;
    } else {
      valueAt = () => null; // plays no part in the model
    }
    return appendColumn(col, nTrain, m, valueAt);
  });
  const combined: Table = { names: data.names, columns, nrow: nTrain + m, firstRow: 1 };
  checkFactorLevels(combined, nTrain, model, newdata, options);

  return { combined, newLevels };
}

/**
 * A categorical expression of the fixed or random effects (`factor(Days)`, `relevel(g, ref = "b")`,
 * `interaction(a, b)`) evaluated on the new rows must give a level it has in the fitted rows, as R's
 * predict() refuses a factor's new level: the contrasts (treatment, or contr.poly of an ordered
 * factor) are the fitted ones only then.
 */
function checkFactorLevels(combined: Table, nTrain: number, model: Model, newdata: Table, options: PredictOptions): void {
  const terms = model.terms;
  const exprs = [...terms.fixed.variables.slice(1), ...terms.random.flatMap((r) => r.effects.variables)].filter((v) => v.expr.type === "call" && FACTOR_FUNCTIONS.has(v.expr.fn));
  if (exprs.length === 0) return;
  const plainGroups = terms.random.flatMap((r) => r.groupExprs.flatMap((g) => (g.type === "name" ? [g.name] : [])));
  const source = new ModelFrameSource(combined, new Set([...(options.factors ?? []), ...plainGroups]), model.formula);
  const newFirst = newdata.firstRow ?? 1;
  for (const { name, expr } of exprs) {
    const levels = model.factorLevels[name];
    if (levels === undefined) continue;
    const known = new Set(levels);
    const f = evaluateFactor(source, expr, model.formula);
    for (let r = 0; r < newdata.nrow; r++) {
      const code = f.codes[nTrain + r]!;
      if (code < 0 || known.has(f.levels[code]!)) continue;
      throw new HlmError("DATA", `${newRowName(newdata, r)} gives '${name}' the level '${f.levels[code]}', which it does not have in the fitted data (${listLevels(levels)}).`, { column: name, row: newFirst + r });
    }
  }
}

/**
 * The model rebuilt on the fitted rows and the new ones with the fitted model's bases, and where each
 * new row is in it (errors and warnings name the new data's rows).
 */
function modelWithNewRows(combined: Table, nTrain: number, model: Model, newdata: Table, options: PredictOptions): { all: Model; pos: Int32Array; warnings: string[] } {
  const newFirst = newdata.firstRow ?? 1;
  const m = newdata.nrow;
  let all: Model;
  try {
    all = buildModel(combined, model.formula, {
      REML: model.REML,
      bases: model.bases,
      ...(options.factors ? { factors: options.factors } : {}),
      ...(options.weights !== undefined ? { weights: options.weights } : {}),
      ...(options.family !== undefined ? { family: options.family } : {}),
      ...(options.link !== undefined ? { link: options.link } : {}),
    });
  } catch (e) {
    const row = e instanceof HlmError ? e.details?.row : undefined;
    if (e instanceof HlmError && row !== undefined && row > nTrain) {
      const r = row - 1 - nTrain;
      throw new HlmError(e.code, `In the new data: ${e.message.replace(/\brow \d+/i, `row ${newFirst + r}`)}`, { ...e.details, row: newFirst + r });
    }
    throw e;
  }

  // every fitted row and every new row must be there, in order
  const n = model.n;
  const pos = new Int32Array(m).fill(-1);
  for (let k = 0; k < all.n; k++) {
    const i = all.rows[k]!;
    if (i >= nTrain) pos[i - nTrain] = k;
  }
  const missingRow = pos.indexOf(-1);
  if (missingRow >= 0) {
    throw new HlmError("DATA", `${newRowName(newdata, missingRow)} cannot be predicted: a variable of the formula is not a finite number there (log() of a negative number, say).`, {
      row: newFirst + missingRow,
    });
  }
  const sameRows = all.n === n + m && model.rows.every((i, k) => all.rows[k] === i);
  if (!sameRows) throw new HlmError("INTERNAL", "The fitted rows changed when the new rows were added; no predictions were made.");

  const warnings = all.basisWarnings.map((w) =>
    w.replace(/\brow (\d+)/, (text, row: string) => (Number(row) > nTrain ? `row ${newFirst + Number(row) - 1 - nTrain} of the new data` : text)),
  );
  return { all, pos, warnings };
}

/** The column extended by m new rows whose values `valueAt` gives (numbers in a number column, texts in a text column). */
function appendColumn(col: Column, nTrain: number, m: number, valueAt: (r: number) => Cell): Column {
  if (col.kind === "number") {
    const values = new Float64Array(nTrain + m);
    const missing = new Uint8Array(nTrain + m);
    values.set(col.values.subarray(0, nTrain));
    missing.set(col.missing.subarray(0, nTrain));
    for (let r = 0; r < m; r++) {
      const v = valueAt(r);
      const x = typeof v === "number" ? v : numberOf(v);
      if (x === null) missing[nTrain + r] = 1;
      else values[nTrain + r] = x;
    }
    return { kind: "number", name: col.name, values, missing };
  }
  const values = col.values.slice(0, nTrain);
  for (let r = 0; r < m; r++) values.push(labelOf(valueAt(r)));
  return { kind: "string", name: col.name, values };
}

/** Per fixed effect of the fit, its column in the combined model, checked to equal the fitted X on the fitted rows. */
function fixedColumns(model: Model, all: Model, fit: PredictableFit): number[] {
  const { n } = model;
  return fit.fixefNames.map((name, i) => {
    const j = all.xNames.indexOf(name);
    if (j < 0) throw new HlmError("INTERNAL", `The fixed-effect column '${name}' could not be built for the new data.`);
    for (let k = 0; k < n; k++) {
      const a = all.X[j * all.n + k]!;
      const b = model.X[i * n + k]!;
      if (Math.abs(a - b) > 1e-9 * Math.max(1, Math.abs(b))) {
        throw new HlmError("INTERNAL", `The fixed-effect column '${name}' of the fitted data came out different with the new rows added; no predictions were made.`);
      }
    }
    return j;
  });
}

/** Adds z_r' b̂ of each term whose level in row r the fit has seen (matched to the fit's terms by group and columns). */
function addRandomEffects(all: Model, fit: PredictableFit, pos: Int32Array, newLevels: string[][], prediction: Float64Array): void {
  const used = new Set<number>();
  // the columns each grouping factor reads (`Subject` for factor(Subject)): a new level in one of them was noted by column
  const groupVarsOf = new Map(all.terms.random.map((t) => [t.group, t.groupExprs.flatMap((g) => [...columnsOf(g)])]));
  for (const t of all.reTerms) {
    const vi = fit.varcorr.findIndex((v, i) => !used.has(i) && v.group === t.group && v.names.length === t.columnNames.length && v.names.every((nm, c) => nm === t.columnNames[c]));
    if (vi < 0) throw new HlmError("INTERNAL", `The random-effects term of '${t.group}' could not be matched to the fit.`);
    used.add(vi);
    // this term's columns within its factor's ranef table (terms on one factor are merged there)
    const offset = fit.varcorr.slice(0, vi).reduce((s, v) => s + (v.group === t.group ? v.names.length : 0), 0);
    const ranef = fit.ranef.find((x) => x.group === t.group)!;
    const levelIndex = new Map(ranef.levels.map((l, i) => [l, i]));
    const gv = groupVarsOf.get(t.group) ?? [];
    for (let r = 0; r < pos.length; r++) {
      if (gv.some((g) => newLevels[r]!.includes(g))) continue;
      const k = pos[r]!;
      const li = levelIndex.get(t.levels[t.refs[k]!]!);
      if (li === undefined) {
        newLevels[r]!.push(t.group); // a combination of known labels that the fit has not seen (nested factors)
        continue;
      }
      const b = ranef.values[li]!;
      let s = 0;
      for (let c = 0; c < t.p; c++) s += t.z[k * t.p + c]! * b[offset + c]!;
      prediction[r]! += s;
    }
  }
}
