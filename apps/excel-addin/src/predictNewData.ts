/**
 * Predictions of a fitted model for new rows (lme4's `predict(fit, newdata, allow.new.levels = TRUE)`).
 *
 * The new rows' model matrices are built by the engine itself, so that they are coded exactly as
 * the fitted data were (factor levels, contrasts, interactions, functions such as log()): the new
 * rows are appended to the fitted data, the model is built on the whole, and the rows of the new
 * data are read off. On the new rows the response (and the weights) are filled with values from the
 * fitted data, since they play no part in a prediction. The fitted rows' matrices are checked to be
 * the same as in the fit.
 *
 * - A level of a grouping factor that the fit has not seen (or a missing one, or a grouping column
 *   the new data lack) gets the population prediction for that term: its random effects count as 0
 *   (X β̂ only, for a model with one grouping factor). Other terms still add their BLUPs.
 * - A missing value in a variable of the fixed or random effects, a text in a numeric variable or a
 *   level of a categorical variable that the fit has not seen is an HlmError naming the row of the
 *   new data as the sheet counts it (`fresh.layout`; a range of unknown place starts at A1, its header row 1).
 * - A formula with scale() is refused: scaling the new rows with the fitted data's mean and SD is
 *   not done (centre and scale the column in the sheet instead).
 */
import { buildModel, columnsOf, formatLabel, HlmError, tableFromRows, type Expr, type LmmFit, type Model, type ModelTerms } from "@hlm/core";
import type { RangeRows } from "./rangeToTable.js";

/** Per new row: the prediction (conditional on the BLUPs of known levels) and the population prediction X β̂ (+ offset). */
export interface Predictions {
  prediction: number[];
  population: number[];
}

/** Options of the fit that shape the model (as given to `getFit`). */
export interface PredictOptions {
  factors?: readonly string[];
  weights?: string;
}

/** Does the expression call `fn()`? */
function calls(e: Expr, fn: string): boolean {
  switch (e.type) {
    case "call":
      return e.fn === fn || e.args.some((a) => calls(a, fn));
    case "binary":
      return calls(e.left, fn) || calls(e.right, fn);
    case "unary":
      return calls(e.arg, fn);
    case "paren":
      return calls(e.expr, fn);
    default:
      return false;
  }
}


/**
 * The level label the engine gives a cell, or null when it is missing ("", "NA", null): in a numeric
 * column numbers are labelled as R prints them, in a text column a cell is its trimmed text.
 */
function cellLabel(v: unknown, numericColumn: boolean): string | null {
  if (v === null || v === undefined) return null;
  if (numericColumn) {
    const x = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v.trim()) : NaN;
    if (Number.isFinite(x)) return formatLabel(x);
  }
  const t = String(v).trim();
  return t === "" || t === "NA" ? null : t;
}

/** Is the cell a number, or text that reads as one? */
function isNumberCell(v: unknown): boolean {
  if (typeof v === "number") return Number.isFinite(v);
  if (typeof v !== "string") return false;
  const t = v.trim();
  return t !== "" && Number.isFinite(Number(t));
}

const listLevels = (levels: readonly string[]): string => (levels.length <= 12 ? levels.join(", ") : `${levels.slice(0, 12).join(", ")}, … (${levels.length} in all)`);

/**
 * Predictions for the rows of `fresh` (a new-data range, header naming its columns) from a fit of
 * `model` on `train` (the fitted range, as `rangeRows` gives it).
 */
export function predictNewData(model: Model, fit: LmmFit, train: RangeRows, fresh: RangeRows, options: PredictOptions = {}): Predictions {
  /** The sheet row of new-data row r (0-based, under the header). */
  const sheetRow = (r: number): number => fresh.layout.headerRow + 2 + r;
  const rowName = (r: number): string => `Row ${sheetRow(r)} of the new data`;
  const terms: ModelTerms = model.terms;
  const predictorExprs: Expr[] = [
    ...terms.fixed.variables.slice(1).map((v) => v.expr),
    ...terms.random.flatMap((r) => r.effects.variables.map((v) => v.expr)),
    ...terms.offsets,
  ];
  if (predictorExprs.some((e) => calls(e, "scale")) || calls(terms.response, "scale")) {
    throw new HlmError(
      "OPTIONS",
      "Predictions for a formula with scale() are not available: scale() would use the new rows' mean and SD. Centre and scale the column in the sheet instead.",
    );
  }
  const predictors = new Set<string>();
  for (const e of predictorExprs) columnsOf(e, predictors);
  const groupCols = new Set(terms.random.flatMap((r) => r.groupVars));
  const responseCols = columnsOf(terms.response, new Set<string>());

  const freshIndex = new Map(fresh.header.map((h, j) => [h, j]));
  const trainIndex = new Map(train.header.map((h, j) => [h, j]));
  for (const c of predictors) {
    if (!freshIndex.has(c)) {
      throw new HlmError("DATA", `The new data have no column '${c}', which the formula '${model.formula}' uses; its columns are ${fresh.header.join(", ")}.`, { column: c });
    }
  }
  const firstUsed = train.rows[model.rows[0]!]!;
  /** Is a column of the fitted data numeric (every non-missing cell a number), as the engine types it? */
  const numericColumn = (c: string): boolean => {
    const j = trainIndex.get(c)!;
    return train.rows.every((row) => cellLabel(row[j], false) === null || isNumberCell(row[j]));
  };

  // labels of each grouping column in the fitted rows, and a fitted cell to stand in for unseen ones
  const groupInfo = new Map<string, { labels: Set<string>; numeric: boolean; stand: unknown }>();
  for (const g of groupCols) {
    const j = trainIndex.get(g)!;
    const numeric = numericColumn(g);
    const labels = new Set<string>();
    for (const i of model.rows) {
      const l = cellLabel(train.rows[i]![j], numeric);
      if (l !== null) labels.add(l);
    }
    groupInfo.set(g, { labels, numeric, stand: firstUsed[j] });
  }

  const numericPredictor = new Map([...predictors].map((c) => [c, numericColumn(c)]));

  const m = fresh.rows.length;
  /** Per new row: the grouping columns whose value the fit has not seen (or that is missing). */
  const unseen: Set<string>[] = [];
  const newRows: unknown[][] = [];
  for (let r = 0; r < m; r++) {
    const src = fresh.rows[r]!;
    const out = new Array<unknown>(train.header.length).fill("");
    const unseenHere = new Set<string>();
    train.header.forEach((c, j) => {
      const fj = freshIndex.get(c);
      const v = fj === undefined ? "" : src[fj];
      if (predictors.has(c)) {
        const levels = model.factorLevels[c];
        const label = cellLabel(v, numericPredictor.get(c)!);
        if (label === null) {
          throw new HlmError("DATA", `${rowName(r)} has no value for '${c}'; every variable of the fixed and random effects needs one for a prediction.`, { column: c, row: sheetRow(r) });
        }
        if (levels !== undefined) {
          if (!levels.includes(label)) {
            throw new HlmError("DATA", `${rowName(r)} has '${label}' in '${c}', which is not a level of '${c}' in the fitted data (${listLevels(levels)}).`, { column: c, row: sheetRow(r) });
          }
        } else if (!isNumberCell(v)) {
          throw new HlmError("DATA", `${rowName(r)} has '${label}' in '${c}', which must be a number.`, { column: c, row: sheetRow(r) });
        }
        out[j] = v;
      } else if (groupCols.has(c)) {
        const info = groupInfo.get(c)!;
        const label = cellLabel(v, info.numeric);
        if (label === null || !info.labels.has(label)) {
          unseenHere.add(c);
          out[j] = info.stand;
        } else {
          out[j] = v;
        }
      } else if (responseCols.has(c) || c === options.weights) {
        out[j] = firstUsed[j];
      }
      // other columns play no part in the model: left empty
    });
    unseen.push(unseenHere);
    newRows.push(out);
  }

  const nTrain = train.rows.length;
  let all: Model;
  try {
    all = buildModel(tableFromRows(train.header, [...train.rows, ...newRows]), model.formula, {
      REML: model.REML,
      ...(options.factors ? { factors: options.factors } : {}),
      ...(options.weights !== undefined ? { weights: options.weights } : {}),
    });
  } catch (e) {
    const row = e instanceof HlmError ? e.details?.row : undefined;
    if (e instanceof HlmError && row !== undefined && row > nTrain) {
      const r = row - nTrain - 1;
      throw new HlmError(e.code, `In the new data: ${e.message.replace(/\brow \d+/i, rowName(r).toLowerCase())}`, { ...e.details, row: sheetRow(r) });
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
    throw new HlmError("DATA", `${rowName(missingRow)} cannot be predicted: a variable of the formula is missing or not a finite number there (log() of a negative number, say).`, {
      row: sheetRow(missingRow),
    });
  }
  const sameRows = all.n === n + m && model.rows.every((i, k) => all.rows[k] === i);
  if (!sameRows) throw new HlmError("INTERNAL", "The fitted rows changed when the new rows were added; no predictions were made.");

  // fixed effects: the fit's columns, checked against the fitted model matrix
  const N = all.n;
  const xCols = fit.fixefNames.map((name, i) => {
    const j = all.xNames.indexOf(name);
    if (j < 0) throw new HlmError("INTERNAL", `The fixed-effect column '${name}' could not be built for the new data.`);
    for (let k = 0; k < n; k++) {
      const a = all.X[j * N + k]!;
      const b = model.X[i * n + k]!;
      if (Math.abs(a - b) > 1e-9 * Math.max(1, Math.abs(b))) {
        throw new HlmError("INTERNAL", `The fixed-effect column '${name}' of the fitted data came out different with the new rows added; no predictions were made.`);
      }
    }
    return j;
  });

  const population = new Array<number>(m);
  for (let r = 0; r < m; r++) {
    const k = pos[r]!;
    let s = all.offset ? all.offset[k]! : 0;
    xCols.forEach((j, i) => (s += all.X[j * N + k]! * fit.fixef[i]!));
    population[r] = s;
  }
  const prediction = population.slice();

  // random effects: each term of the combined model matched to the fit's term (group and columns)
  const used = new Set<number>();
  const groupVarsOf = new Map(terms.random.map((t) => [t.group, t.groupVars]));
  for (const t of all.reTerms) {
    const vi = fit.varcorr.findIndex((v, i) => !used.has(i) && v.group === t.group && v.names.length === t.columnNames.length && v.names.every((nm, c) => nm === t.columnNames[c]));
    if (vi < 0) throw new HlmError("INTERNAL", `The random-effects term of '${t.group}' could not be matched to the fit.`);
    used.add(vi);
    const offset = fit.varcorr.slice(0, vi).reduce((s, v) => s + (v.group === t.group ? v.names.length : 0), 0);
    const ranef = fit.ranef.find((x) => x.group === t.group)!;
    const levelIndex = new Map(ranef.levels.map((l, i) => [l, i]));
    const gv = groupVarsOf.get(t.group) ?? [];
    for (let r = 0; r < m; r++) {
      if (gv.some((g) => unseen[r]!.has(g))) continue;
      const k = pos[r]!;
      const li = levelIndex.get(t.levels[t.refs[k]!]!);
      if (li === undefined) continue; // a combination of known labels that the fit has not seen (nested factors)
      const b = ranef.values[li]!;
      let s = 0;
      for (let c = 0; c < t.p; c++) s += t.z[k * t.p + c]! * b[offset + c]!;
      prediction[r]! += s;
    }
  }
  return { prediction, population };
}
