/**
 * The messages between the task pane and the fitting worker. Everything posted is plain data
 * (structured clone): the range's cells in chunks, the data table packed into typed arrays, options,
 * progress numbers, and the result tables, never functions or class instances.
 *
 * Reading a range: the pane posts its cells as `rows` chunks (a few thousand rows each, one task of
 * the page each) and then `makeTable`; the worker turns them into a table (`rangeToTable`) and
 * answers `tableReady` with the packed table (its buffers transferred) or `tableFailed`. The pane
 * keeps the packed table and sends it with every fit.
 */
import type { ComparisonRow, HlmErrorCode } from "@hlm/core";
import type { SheetTable } from "../resultSheets.js";
import type { SheetLayout } from "../rangeToTable.js";
import type { PackedTable } from "./packedTable.js";

/** Start a fit. `id` tags every reply, so replies of an earlier (cancelled) fit can be told apart. */
export interface FitRequest {
  type: "fit";
  id: number;
  table: PackedTable;
  formula: string;
  REML: boolean;
  /** Numeric columns to treat as categorical. */
  factors: string[];
  /** Name of the data in the summary (the range address). */
  dataName?: string;
  /** Where the table's header and columns are on the sheet (from `tableReady`), so that errors name sheet rows and cells. */
  layout?: SheetLayout;
  /**
   * Optional shared cancel flag (an Int32Array over a SharedArrayBuffer, element 0 set to 1 to cancel),
   * when the page is cross-origin isolated: the worker reads it at every evaluation, so a cancel
   * reaches a fit that is busy in the optimizer. Without it the cancel message is read between fits
   * only, and the pane's backstop (terminate after 2 s) stops a busy fit.
   */
  cancelFlag?: Int32Array;
  /** Minimum time between progress messages, in ms (default 100). */
  progressIntervalMs?: number;
  /** Add the `HLM Diagnostics` sheet (residuals, QQ data, charts) to the result tables (default false). */
  diagnostics?: boolean;
}

/** Cancel the fit with this id. */
export interface CancelRequest {
  type: "cancel";
  id: number;
}

/** Cells of a range, the next rows of table `id` (the header row first). */
export interface RowsChunk {
  type: "rows";
  id: number;
  rows: unknown[][];
}

/**
 * All rows of table `id` are sent: make the table. `what` names the range in messages ("selection");
 * `firstRow` and `firstColumn` (0-based) are where the range starts on its sheet, for cell addresses.
 */
export interface TableRequest {
  type: "makeTable";
  id: number;
  what: string;
  firstRow?: number;
  firstColumn?: number;
}

/**
 * Compare models (lme4's anova(m0, m1, ...)): fit each formula to the table by maximum likelihood
 * (models asked for by REML are refitted so, and the result says so) and test each against the one
 * above it. Cancelled as a fit is (`cancel` with this id, or the shared flag).
 */
export interface CompareRequest {
  type: "compare";
  id: number;
  table: PackedTable;
  /** Two or more formulas; the models are named m0, m1, … in this order. */
  formulas: string[];
  /** As asked for in the pane: REML models are refitted by ML (lme4's note says so). */
  REML: boolean;
  factors: string[];
  dataName?: string;
  layout?: SheetLayout;
  cancelFlag?: Int32Array;
  progressIntervalMs?: number;
}

export type PaneToWorker = FitRequest | CompareRequest | CancelRequest | RowsChunk | TableRequest;

/** The table of a `makeTable` request. */
export interface TableReady {
  type: "tableReady";
  id: number;
  table: PackedTable;
  /** Where the header and each column of the table are on the sheet. */
  layout: SheetLayout;
}

/** Why the rows of a `makeTable` request are no table (one sentence that names the range, column or cell). */
export interface TableFailed {
  type: "tableFailed";
  id: number;
  code: HlmErrorCode;
  message: string;
}

/** Where the fit is: the number of objective evaluations and the objective (deviance or REML criterion). */
export interface FitProgress {
  type: "progress";
  id: number;
  stage: "building" | "optimizing" | "finishing";
  evaluations: number;
  objective: number | null;
  bestObjective: number | null;
}

/** The few numbers of the fit that the pane shows; the sheets carry the rest. */
export interface FitDigest {
  formula: string;
  REML: boolean;
  nobs: number;
  ngrps: Record<string, number>;
  fixefNames: string[];
  fixef: number[];
  sigma: number;
  objective: number;
  logLik: number;
  evaluations: number;
  warnings: string[];
}

export interface FitDone {
  type: "done";
  id: number;
  fit: FitDigest;
  /** `HLM Summary`, `HLM Random Effects`, `HLM Shrinkage` (and `HLM Diagnostics` when asked for), ready to write. */
  tables: SheetTable[];
  elapsedMs: number;
}

export interface FitCancelled {
  type: "cancelled";
  id: number;
  evaluations: number;
}

export interface FitFailed {
  type: "error";
  id: number;
  code: HlmErrorCode;
  /** One sentence for the person at the sheet. */
  message: string;
  position?: number;
}

/** The replies about fits. */
export type FitReply = FitProgress | FitDone | FitCancelled | FitFailed;

/** Where a comparison is: fitting model `model` (0-based, in the order given) of `models`. */
export interface CompareProgress {
  type: "compareProgress";
  id: number;
  model: number;
  models: number;
  evaluations: number;
}

/** The comparison, as lme4's anova table, and the `HLM Comparison` sheet ready to write. */
export interface CompareDone {
  type: "compareDone";
  id: number;
  rows: ComparisonRow[];
  note: string | null;
  nobs: number;
  tables: SheetTable[];
  elapsedMs: number;
}

/** The replies about comparisons (ending, as a fit, in `compareDone`, `cancelled` or `error`). */
export type CompareReply = CompareProgress | CompareDone | FitCancelled | FitFailed;

export type WorkerToPane = FitReply | CompareReply | TableReady | TableFailed;
