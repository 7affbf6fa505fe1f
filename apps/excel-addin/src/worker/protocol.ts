/**
 * The messages between the task pane and the fitting worker. Everything posted is plain data
 * (structured clone): the data table with its typed arrays, options, progress numbers, and the
 * result tables, never functions or class instances.
 */
import type { HlmErrorCode, ResultTable, Table } from "@hlm/core";

/** Start a fit. `id` tags every reply, so replies of an earlier (cancelled) fit can be told apart. */
export interface FitRequest {
  type: "fit";
  id: number;
  table: Table;
  formula: string;
  REML: boolean;
  /** Numeric columns to treat as categorical. */
  factors: string[];
  /** Name of the data in the summary (the range address). */
  dataName?: string;
  /**
   * Optional shared cancel flag (an Int32Array over a SharedArrayBuffer, element 0 set to 1 to cancel),
   * when the page is cross-origin isolated: the worker reads it at every evaluation, so a cancel
   * reaches a fit that is busy in the optimizer. Without it the cancel message is read between fits
   * only, and the pane's backstop (terminate after 2 s) stops a busy fit.
   */
  cancelFlag?: Int32Array;
  /** Minimum time between progress messages, in ms (default 100). */
  progressIntervalMs?: number;
}

/** Cancel the fit with this id. */
export interface CancelRequest {
  type: "cancel";
  id: number;
}

export type PaneToWorker = FitRequest | CancelRequest;

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
  /** `HLM Summary`, `HLM Random Effects`, `HLM Shrinkage`, ready to write. */
  tables: ResultTable[];
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

export type WorkerToPane = FitProgress | FitDone | FitCancelled | FitFailed;
