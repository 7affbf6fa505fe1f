/**
 * The messages between the task pane and the fitting worker. Everything posted is plain data
 * (structured clone): the range's cells in chunks, the data table packed into typed arrays, options,
 * progress numbers, and the result tables, never functions or class instances.
 *
 * Reading a range: the pane posts its cells as `rows` chunks (a few thousand rows each, one task of
 * the page each) and then `makeTable`; the worker turns them into a table (`rangeToTable`) and
 * answers `tableReady` with the packed table (copied, see fitWorker.ts) or `tableFailed`. The pane
 * keeps the packed table and sends it with every fit.
 */
import type { ComparisonRow, HlmErrorCode } from "@hlm/core";
import type { Ddf } from "../common/fitOptions.js";
import type { SheetLayout } from "../common/rangeToTable.js";
import type { SheetTable } from "../common/sheetTables.js";
import type { PackedTable } from "./packedTable.js";

/** What every message between the pane and the worker has: its kind, and the id of the fit, comparison or table it is about. */
export interface Message<T extends string> {
  type: T;
  id: number;
}

/**
 * What a fit and a comparison both ask for: the data, the estimation, and how to reach and report
 * on the run. `id` tags every reply, so replies of an earlier (cancelled) run can be told apart.
 */
export interface ModelRequest<T extends "fit" | "compare"> extends Message<T> {
  table: PackedTable;
  /** REML as asked for in the pane (a comparison refits REML models by ML, and lme4's note says so). */
  REML: boolean;
  /** Numeric columns to treat as categorical. */
  factors: string[];
  /** A residual correlation structure in nlme's language (`corAR1(form = ~ 1 | Mare)`), read by the engine; absent for none. */
  correlation?: string;
  /** A variance function in nlme's language (`varIdent(form = ~ 1 | Sex)`); absent for none. */
  variance?: string;
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
}

/**
 * A generalized linear mixed model's part of a fit or comparison (lme4's glmer): absent for a linear
 * mixed model. With a family, REML, the residual structure, ddf and diagnostics do not apply; a
 * comparison fits every formula with the same family, link, weights and points of quadrature.
 */
export interface FamilyRequest {
  /** A generalized linear mixed model's family (lme4's glmer); absent for a linear mixed model. */
  family?: "binomial" | "poisson";
  /** The family's link (binomial: logit, probit, cloglog; poisson: log). */
  link?: "logit" | "probit" | "cloglog" | "log";
  /** Points of adaptive Gauss–Hermite quadrature (1, the default: the Laplace approximation). */
  nAGQ?: number;
  /** A column of prior weights (a binomial proportion's trials). */
  weights?: string;
}

/** Start a fit. */
export interface FitRequest extends ModelRequest<"fit">, FamilyRequest {
  formula: string;
  /** Add the `HLM Diagnostics` sheet (residuals, QQ data, charts) to the result tables (default false). */
  diagnostics?: boolean;
  /** The df of the summary's t-tests: Satterthwaite's (lmerTest's, default) or nlme's containment. */
  ddf?: Ddf;
}

/**
 * Compare models (lme4's anova(m0, m1, ...)): fit each formula to the table by maximum likelihood
 * (models asked for by REML are refitted so, and the result says so) and test each against the one
 * above it. Cancelled as a fit is (`cancel` with this id, or the shared flag). With a family, lme4's
 * `anova(glmer0, glmer1, ...)`: every formula fitted by glmer with the same family, link, weights and nAGQ.
 */
export interface CompareRequest extends ModelRequest<"compare">, FamilyRequest {
  /** Two or more formulas; the models are named m0, m1, … in this order. */
  formulas: string[];
}

/** Cancel the fit or comparison with this id. */
export type CancelRequest = Message<"cancel">;

/** Cells of a range, the next rows of table `id` (the header row first). */
export interface RowsChunk extends Message<"rows"> {
  rows: unknown[][];
}

/**
 * All rows of table `id` are sent: make the table. `what` names the range in messages ("selection");
 * `firstRow` and `firstColumn` (0-based) are where the range starts on its sheet, for cell addresses.
 */
export interface TableRequest extends Message<"makeTable"> {
  what: string;
  firstRow?: number;
  firstColumn?: number;
}

export type PaneToWorker = FitRequest | CompareRequest | CancelRequest | RowsChunk | TableRequest;

/** The table of a `makeTable` request. */
export interface TableReady extends Message<"tableReady"> {
  table: PackedTable;
  /** Where the header and each column of the table are on the sheet. */
  layout: SheetLayout;
}

/** Why the rows of a `makeTable` request are no table (one sentence that names the range, column or cell). */
export interface TableFailed extends Message<"tableFailed"> {
  code: HlmErrorCode;
  message: string;
}

/** Where the fit is: the number of objective evaluations and the objective (deviance or REML criterion). */
export interface FitProgress extends Message<"progress"> {
  stage: "building" | "optimizing" | "finishing";
  evaluations: number;
  objective: number | null;
  bestObjective: number | null;
}

/** A fitted residual correlation structure or variance function, as the pane shows it. */
export interface StructureDigest {
  kind: "correlation" | "variance";
  /** nlme's name of it ("AR(1)", "Different standard deviations per stratum"). */
  label: string;
  /** The text it was fitted from (`corAR1(form = ~ 1 | Mare)`). */
  text: string;
  /** Its parameters (varIdent's strata with the reference's 1 first) and their estimates. */
  names: string[];
  values: number[];
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
  /** The residual structure's parts (none without one). */
  structure: StructureDigest[];
  /** A generalized linear mixed model's family, link and points of quadrature (absent for a linear mixed model, whose `sigma` is then NaN). */
  family?: { family: "binomial" | "poisson"; link: string; nAGQ: number };
}

export interface FitDone extends Message<"done"> {
  fit: FitDigest;
  /** `HLM Summary`, `HLM Random Effects`, `HLM Shrinkage` (and `HLM Diagnostics` when asked for), ready to write. */
  tables: SheetTable[];
  elapsedMs: number;
}

export interface FitCancelled extends Message<"cancelled"> {
  evaluations: number;
}

export interface FitFailed extends Message<"error"> {
  code: HlmErrorCode;
  /** One sentence for the person at the sheet. */
  message: string;
  position?: number;
}

/** The replies about fits. */
export type FitReply = FitProgress | FitDone | FitCancelled | FitFailed;

/** Where a comparison is: fitting model `model` (0-based, in the order given) of `models`. */
export interface CompareProgress extends Message<"compareProgress"> {
  model: number;
  models: number;
  evaluations: number;
}

/** The comparison, as lme4's anova table, and the `HLM Comparison` sheet ready to write. */
export interface CompareDone extends Message<"compareDone"> {
  rows: ComparisonRow[];
  note: string | null;
  nobs: number;
  /** The generalized models' family, link and points of quadrature (absent for linear mixed models). */
  family?: { family: "binomial" | "poisson"; link: string; nAGQ: number };
  tables: SheetTable[];
  elapsedMs: number;
}

/** The replies about comparisons (ending, as a fit, in `compareDone`, `cancelled` or `error`). */
export type CompareReply = CompareProgress | CompareDone | FitCancelled | FitFailed;

export type WorkerToPane = FitReply | CompareReply | TableReady | TableFailed;
