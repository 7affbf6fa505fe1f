/**
 * The task pane's state and its reducer, plain TypeScript: the data range, the family (Normal or a
 * generalized model's), the formula and its pickers, ML/REML, the categorical columns, the residual structure, and where the fit is.
 */
import type { SheetLayout } from "../common/rangeToTable.js";
import type { PackedTable } from "../worker/packedTable.js";
import type { ComparisonRow } from "@hlm/core";
import type { FitDigest } from "../worker/protocol.js";
import { modelTerms } from "@hlm/core";
import { changeFamily, defaultFamily, readCbind, responseText, type FamilyChoices } from "./familyBuilder.js";
import { buildFormula, emptyPickers, pickersFromFormula, type Pickers } from "./formulaBuilder.js";
import { defaultResiduals, keepResiduals, type ResidualChoices } from "./residualBuilder.js";

export type Method = "REML" | "ML";

/** A column of the data range. */
export interface ColumnInfo {
  name: string;
  kind: "number" | "string";
}

export interface DataRange {
  address: string;
  /** The data, as the worker made it from the range's cells and as each fit sends it back. */
  table: PackedTable;
  /** Where its header and columns are on the sheet (messages of a fit name sheet rows and cells). */
  layout?: SheetLayout;
  columns: ColumnInfo[];
}

/** Where the fit is. */
export type FitPhase =
  | { phase: "idle" }
  | { phase: "reading" }
  | {
      phase: "fitting";
      id: number;
      stage: "starting" | "building" | "optimizing" | "finishing";
      evaluations: number;
      objective: number | null;
      bestObjective: number | null;
    }
  | { phase: "cancelling"; id: number; evaluations: number; objective: number | null; bestObjective: number | null }
  | { phase: "writing"; id: number; digest: FitDigest }
  | { phase: "done"; digest: FitDigest; sheetNames: string[]; elapsedMs: number }
  | { phase: "cancelled"; evaluations: number }
  | { phase: "error"; message: string }
  /** Comparing models: fitting model `model` (0-based) of `models` by ML. */
  | { phase: "comparing"; id: number; model: number; models: number; evaluations: number; cancelling: boolean }
  | { phase: "compareWriting"; id: number; rows: ComparisonRow[]; note: string | null; family?: ComparedFamily }
  | { phase: "compared"; rows: ComparisonRow[]; note: string | null; family?: ComparedFamily; sheetNames: string[]; elapsedMs: number };

/** The family, link and points of quadrature of compared generalized models (lme4's glmer). */
export type ComparedFamily = NonNullable<FitDigest["family"]>;

export interface PaneState {
  range: DataRange | null;
  /** Why the last range could not be read. */
  rangeError: string | null;
  formula: string;
  pickers: Pickers;
  method: Method;
  /** Columns treated as categorical (text columns always are). */
  categorical: string[];
  /** The formulas of the models to compare the formula with (m1, m2, …; the formula is m0). */
  models: string[];
  /** Write the `HLM Diagnostics` sheet (residual and QQ plots) after a fit. */
  diagnostics: boolean;
  /** The Residuals card: correlation structure, variances, the t-tests' df. */
  residuals: ResidualChoices;
  /** The family: Normal (a linear mixed model) or binomial/Poisson (lme4's glmer), its link, quadrature and binomial response. */
  family: FamilyChoices;
  fit: FitPhase;
}

export const initialState: PaneState = {
  range: null,
  rangeError: null,
  formula: "",
  pickers: emptyPickers,
  method: "REML",
  categorical: [],
  models: [],
  diagnostics: true,
  residuals: defaultResiduals,
  family: defaultFamily,
  fit: { phase: "idle" },
};

export type Action =
  | { type: "rangeReading" }
  | { type: "rangeLoaded"; address: string; table: PackedTable; layout?: SheetLayout }
  | { type: "rangeFailed"; message: string }
  | { type: "formulaEdited"; text: string }
  | { type: "pickersChanged"; pickers: Partial<Pickers> }
  | { type: "methodChanged"; method: Method }
  | { type: "categoricalToggled"; column: string; checked: boolean }
  | { type: "residualsChanged"; residuals: Partial<ResidualChoices> }
  | { type: "familyChanged"; family: Partial<FamilyChoices> }
  | { type: "fitStarted"; id: number }
  | {
      type: "fitProgress";
      id: number;
      stage: "building" | "optimizing" | "finishing";
      evaluations: number;
      objective: number | null;
      bestObjective: number | null;
    }
  | { type: "cancelRequested" }
  | { type: "fitComputed"; id: number; digest: FitDigest }
  | { type: "sheetsWritten"; sheetNames: string[]; elapsedMs: number }
  | { type: "fitCancelled"; id?: number; evaluations: number }
  | { type: "fitFailed"; id?: number; message: string }
  | { type: "dismissMessage" }
  | { type: "diagnosticsToggled"; checked: boolean }
  | { type: "modelAdded"; text?: string }
  | { type: "modelEdited"; index: number; text: string }
  | { type: "modelRemoved"; index: number }
  | { type: "compareStarted"; id: number; models: number }
  | { type: "compareProgress"; id: number; model: number; models: number; evaluations: number }
  | { type: "compareComputed"; id: number; rows: ComparisonRow[]; note: string | null; family?: ComparedFamily }
  | { type: "comparisonWritten"; sheetNames: string[]; elapsedMs: number };

/** The columns of a table, with their kinds. */
export function columnsOf(table: PackedTable): ColumnInfo[] {
  return table.columns.map((c) => ({ name: c.name, kind: c.kind }));
}

/** Is a fit under way (reading, fitting, cancelling or writing)? */
export function isBusy(fit: FitPhase): boolean {
  return fit.phase === "reading" || fit.phase === "fitting" || fit.phase === "cancelling" || fit.phase === "writing" || fit.phase === "comparing" || fit.phase === "compareWriting";
}

/** The id of the running fit or comparison, if any. */
function runningId(fit: FitPhase): number | undefined {
  return fit.phase === "fitting" || fit.phase === "cancelling" || fit.phase === "writing" || fit.phase === "comparing" || fit.phase === "compareWriting" ? fit.id : undefined;
}

/** The formulas of a comparison: the formula (m0) and the models to compare it with, blank boxes left out. */
export function comparisonFormulas(state: Pick<PaneState, "formula" | "models">): string[] {
  return [state.formula, ...state.models].map((f) => f.trim()).filter((f) => f !== "");
}

/** The pickers kept when the columns change: only names that are still columns. */
function keepPickers(p: Pickers, names: ReadonlySet<string>): Pickers {
  return {
    response: names.has(p.response) ? p.response : "",
    fixed: p.fixed.filter((n) => names.has(n)),
    group: names.has(p.group) ? p.group : "",
    slopes: p.slopes.filter((n) => names.has(n)),
  };
}

/** The formula the pickers and the family's response form write (`cbind(s, f) ~ …` for binomial counts). */
export function formulaOf(pickers: Pickers, family: FamilyChoices): string {
  return buildFormula(pickers, responseText(pickers.response, family));
}

/** The response form read back from a typed `cbind(…)` formula, for a binomial model (the family unchanged otherwise). */
function familyFromFormula(family: FamilyChoices, text: string): FamilyChoices {
  if (family.family !== "binomial") return family;
  try {
    const c = readCbind(modelTerms(text).response);
    return c ? { ...family, binomialResponse: c.binomialResponse, second: c.second } : family;
  } catch {
    return family;
  }
}

export function reducer(state: PaneState, action: Action): PaneState {
  switch (action.type) {
    case "rangeReading":
      return { ...state, rangeError: null };
    case "rangeLoaded": {
      const columns = columnsOf(action.table);
      const names = new Set(columns.map((c) => c.name));
      const pickers = keepPickers(state.pickers, names);
      // a formula typed for other columns stays as it is; one built by the pickers follows them
      const family = names.has(state.family.second) ? state.family : { ...state.family, second: "" };
      const formula = state.formula === formulaOf(state.pickers, state.family) ? formulaOf(pickers, family) : state.formula;
      return {
        ...state,
        range: { address: action.address, table: action.table, columns, ...(action.layout ? { layout: action.layout } : {}) },
        rangeError: null,
        pickers,
        formula,
        family,
        residuals: keepResiduals(state.residuals, names),
        categorical: columns.filter((c) => c.kind === "string" || (state.categorical.includes(c.name) && state.range !== null)).map((c) => c.name),
        fit: isBusy(state.fit) ? state.fit : { phase: "idle" },
      };
    }
    case "rangeFailed":
      return { ...state, rangeError: action.message };
    case "formulaEdited": {
      const read = pickersFromFormula(action.text);
      return { ...state, formula: action.text, pickers: read ?? state.pickers, family: familyFromFormula(state.family, action.text) };
    }
    case "pickersChanged": {
      const pickers = { ...state.pickers, ...action.pickers };
      if (action.pickers.response !== undefined) {
        pickers.fixed = pickers.fixed.filter((f) => f !== pickers.response);
        pickers.slopes = pickers.slopes.filter((f) => f !== pickers.response);
      }
      if (action.pickers.group !== undefined) {
        pickers.fixed = pickers.fixed.filter((f) => f !== pickers.group);
        pickers.slopes = pickers.slopes.filter((f) => f !== pickers.group);
      }
      return { ...state, pickers, formula: formulaOf(pickers, state.family) };
    }
    case "methodChanged":
      return { ...state, method: action.method };
    case "familyChanged": {
      const family = changeFamily(state.family, action.family);
      // a formula the pickers wrote follows the response form; a typed one stays as it is
      const built = state.formula.trim() === "" || state.formula === formulaOf(state.pickers, state.family);
      return { ...state, family, formula: built ? formulaOf(state.pickers, family) : state.formula };
    }
    case "residualsChanged":
      return { ...state, residuals: { ...state.residuals, ...action.residuals } };
    case "categoricalToggled": {
      const column = state.range?.columns.find((c) => c.name === action.column);
      if (!column || column.kind === "string") return state; // text columns are always categorical
      const rest = state.categorical.filter((n) => n !== action.column);
      return { ...state, categorical: action.checked ? [...rest, action.column] : rest };
    }
    case "fitStarted":
      return { ...state, fit: { phase: "fitting", id: action.id, stage: "starting", evaluations: 0, objective: null, bestObjective: null } };
    case "fitProgress": {
      const f = state.fit;
      if (f.phase === "fitting" && f.id === action.id) {
        return {
          ...state,
          fit: { ...f, stage: action.stage, evaluations: action.evaluations, objective: action.objective, bestObjective: action.bestObjective },
        };
      }
      if (f.phase === "cancelling" && f.id === action.id) {
        return { ...state, fit: { ...f, evaluations: action.evaluations, objective: action.objective, bestObjective: action.bestObjective } };
      }
      return state;
    }
    case "cancelRequested": {
      const f = state.fit;
      if (f.phase === "comparing") return { ...state, fit: { ...f, cancelling: true } };
      if (f.phase !== "fitting") return state;
      return { ...state, fit: { phase: "cancelling", id: f.id, evaluations: f.evaluations, objective: f.objective, bestObjective: f.bestObjective } };
    }
    case "fitComputed": {
      const f = state.fit;
      // a fit that finished while Cancel was on its way counts as cancelled: nothing is written
      if (f.phase === "cancelling" && f.id === action.id) return { ...state, fit: { phase: "cancelled", evaluations: action.digest.evaluations } };
      if (f.phase !== "fitting" || f.id !== action.id) return state;
      return { ...state, fit: { phase: "writing", id: action.id, digest: action.digest } };
    }
    case "sheetsWritten": {
      const f = state.fit;
      if (f.phase !== "writing") return state;
      return { ...state, fit: { phase: "done", digest: f.digest, sheetNames: action.sheetNames, elapsedMs: action.elapsedMs } };
    }
    case "fitCancelled": {
      const id = runningId(state.fit);
      if (action.id !== undefined && id !== action.id) return state;
      return { ...state, fit: { phase: "cancelled", evaluations: action.evaluations } };
    }
    case "fitFailed": {
      const id = runningId(state.fit);
      if (action.id !== undefined && id !== action.id) return state;
      return { ...state, fit: { phase: "error", message: action.message } };
    }
    case "dismissMessage":
      return isBusy(state.fit) ? state : { ...state, fit: { phase: "idle" }, rangeError: null };
    case "diagnosticsToggled":
      return { ...state, diagnostics: action.checked };
    case "modelAdded":
      return { ...state, models: [...state.models, action.text ?? state.formula] };
    case "modelEdited":
      if (action.index < 0 || action.index >= state.models.length) return state;
      return { ...state, models: state.models.map((m, i) => (i === action.index ? action.text : m)) };
    case "modelRemoved":
      return { ...state, models: state.models.filter((_, i) => i !== action.index) };
    case "compareStarted":
      return { ...state, fit: { phase: "comparing", id: action.id, model: 0, models: action.models, evaluations: 0, cancelling: false } };
    case "compareProgress": {
      const f = state.fit;
      if (f.phase !== "comparing" || f.id !== action.id) return state;
      return { ...state, fit: { ...f, model: action.model, models: action.models, evaluations: action.evaluations } };
    }
    case "compareComputed": {
      const f = state.fit;
      if (f.phase !== "comparing" || f.id !== action.id) return state;
      // finished while Cancel was on its way: counts as cancelled, nothing is written
      if (f.cancelling) return { ...state, fit: { phase: "cancelled", evaluations: f.evaluations } };
      return { ...state, fit: { phase: "compareWriting", id: action.id, rows: action.rows, note: action.note, ...(action.family ? { family: action.family } : {}) } };
    }
    case "comparisonWritten": {
      const f = state.fit;
      if (f.phase !== "compareWriting") return state;
      return { ...state, fit: { phase: "compared", rows: f.rows, note: f.note, ...(f.family ? { family: f.family } : {}), sheetNames: action.sheetNames, elapsedMs: action.elapsedMs } };
    }
  }
}

/** The options of the fit: the numeric columns ticked as categorical (text columns are anyway). */
export function factorsOf(state: PaneState): string[] {
  const numeric = new Set((state.range?.columns ?? []).filter((c) => c.kind === "number").map((c) => c.name));
  return state.categorical.filter((n) => numeric.has(n));
}
