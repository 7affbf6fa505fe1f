/**
 * One fit as the worker runs it, without the worker: build the model, fit it with progress messages
 * (throttled) and cancellation, then compute the three result tables (the summary with the type III
 * tests, ICC and R², `withInference`); with a family, lme4's glmer and its two sheets (core's
 * `glmmSummaryTable`, `glmmRandomEffectsTable`). An error about a row of the
 * data names it as the sheet counts it (`locateError`, with the request's `layout`). Plain TypeScript, so it is
 * tested with vitest directly.
 */
import {
  buildModel,
  declaredColumnsOfTable,
  fitGlmmModel,
  fitModel,
  fitSummedModel,
  isSumsHeader,
  modelFromSums,
  planCrossProducts,
  sumsRowsOfTable,
  glmmRandomEffectsTable,
  glmmSummaryTable,
  glmmWarnings,
  HlmError,
  randomEffectsTable,
  shrinkageResultTable,
  shrinkageTable,
  STRUCTURE_LABELS,
  summaryTable,
  varianceParameters,
  type GlmmFit,
  type GlmmOptions,
  type LmmFit,
  type Model,
} from "@hlm/core";
import { formulaColumns, locateError, structureColumns } from "../common/locateError.js";
import { checkErrorCells } from "../common/rangeToTable.js";
import { diagnosticsTable, packSheetTables, withInference, withSheetRows, type SheetTable } from "../common/sheetTables.js";
import { unpackTable } from "./packedTable.js";
import type { FitDigest, FitReply, FitRequest, StructureDigest } from "./protocol.js";
import { throttledProgress } from "./throttledProgress.js";

/** Clock in milliseconds (performance.now where there is one). */
const defaultNow = (): number => (typeof performance !== "undefined" ? performance.now() : Date.now());

/** The residual structure's parts of a fit, as the pane shows them. */
function structureDigest(fit: LmmFit): StructureDigest[] {
  const r = fit.residual;
  if (!r) return [];
  const out: StructureDigest[] = [];
  if (r.correlation) out.push({ kind: "correlation", label: STRUCTURE_LABELS[r.correlation.class] ?? r.correlation.class, text: r.correlation.text, names: [...r.correlation.names], values: [...r.correlation.values] });
  if (r.variance) {
    const p = varianceParameters(r);
    out.push({ kind: "variance", label: STRUCTURE_LABELS[r.variance.class] ?? r.variance.class, text: r.variance.text, names: [...p.names], values: [...p.values] });
  }
  return out;
}

/** The message when nlme's containment df were asked for and the groupings are crossed (the summary then has Satterthwaite's). */
export const NO_CONTAINMENT = "nlme's containment df need nested grouping factors, and these are crossed; the summary's t-tests use Satterthwaite's df.";

function digest(fit: LmmFit, ddf: FitRequest["ddf"]): FitDigest {
  return {
    formula: fit.formula,
    REML: fit.REML,
    nobs: fit.nobs,
    ngrps: { ...fit.ngrps },
    fixefNames: [...fit.fixefNames],
    fixef: [...fit.fixef],
    sigma: fit.sigma,
    objective: fit.objective,
    logLik: fit.logLik,
    evaluations: fit.optSummary.evaluations,
    warnings: [...fit.warnings.map((w) => w.message), ...(ddf === "containment" && !fit.containment ? [NO_CONTAINMENT] : [])],
    structure: structureDigest(fit),
  };
}

function glmmDigest(fit: GlmmFit): FitDigest {
  return {
    formula: fit.formula,
    REML: false,
    nobs: fit.nobs,
    ngrps: { ...fit.ngrps },
    fixefNames: [...fit.fixefNames],
    fixef: [...fit.fixef],
    sigma: NaN,
    objective: fit.objective,
    logLik: fit.logLik,
    evaluations: fit.optStage1.evaluations + fit.optSummary.evaluations,
    warnings: glmmWarnings(fit),
    structure: [],
    family: { family: fit.family, link: fit.link, nAGQ: fit.nAGQ },
  };
}

/** A message a person can read, from anything thrown: HlmError's own, else one plain sentence. */
export function errorReply(id: number, e: unknown): FitReply {
  if (e instanceof HlmError) {
    if (e.code === "CANCELLED") return { type: "cancelled", id, evaluations: 0 };
    return { type: "error", id, code: e.code, message: e.message, ...(e.details?.position !== undefined ? { position: e.details.position } : {}) };
  }
  const text = e instanceof Error ? e.message : String(e);
  const first = text.split("\n")[0]!.trim();
  return { type: "error", id, code: "INTERNAL", message: `The fit failed unexpectedly${first ? `: ${first}` : ""}.` };
}

/**
 * Runs the fit of `req`, posting progress at most every `progressIntervalMs` (default 100 ms), and
 * ends with exactly one `done`, `cancelled` or `error` message. `isCancelled` is asked after every
 * objective evaluation; when it says yes, the optimizer stops (HlmError CANCELLED).
 */
export function runFit(req: FitRequest, post: (m: FitReply, transfer?: ArrayBuffer[]) => void, isCancelled: () => boolean, now: () => number = defaultNow): void {
  const { id } = req;
  const t0 = now();
  const interval = req.progressIntervalMs ?? 100;
  let evaluations = 0;
  try {
    if (isCancelled()) {
      post({ type: "cancelled", id, evaluations: 0 });
      return;
    }
    post({ type: "progress", id, stage: "building", evaluations: 0, objective: null, bestObjective: null });
    const table = unpackTable(req.table);
    if (req.family !== undefined && isSumsHeader(table.names)) {
      throw new HlmError("OPTIONS", `A ${req.family} model is fitted by repeated passes over the rows (PIRLS), and the selection holds a warehouse's sums (the result of HLM.SQL's query); select the rows.`);
    }
    if (req.family !== undefined) {
      runGlmm({ ...req, family: req.family }, table, post, isCancelled, now, t0, (n) => (evaluations = n));
      return;
    }
    const structure = { ...(req.correlation?.trim() ? { correlation: req.correlation.trim() } : {}), ...(req.variance?.trim() ? { variance: req.variance.trim() } : {}) };
    const onProgress = throttledProgress(
      { isCancelled, now, intervalMs: interval },
      (p) => (evaluations = p.evaluations),
      (p) => post({ type: "progress", id, stage: "optimizing", evaluations: p.evaluations, objective: p.objective, bestObjective: p.bestObjective }),
    );
    // from the rows, or from a warehouse's sums (the result of HLM.SQL's query) when the selection holds them
    const { model, fit } = isSumsHeader(table.names) ? fitSums(req, table, structure, onProgress) : fitRows(req, table, structure, onProgress);
    post({ type: "progress", id, stage: "finishing", evaluations: fit.optSummary.evaluations, objective: fit.objective, bestObjective: fit.objective });
    const headerRow = req.layout?.headerRow ?? 0;
    const summary = withSheetRows(withInference(summaryTable(fit, req.dataName, { ddf: req.ddf ?? "satterthwaite" }), model, fit), headerRow);
    const tables: SheetTable[] = [summary, randomEffectsTable(fit)];
    // the shrinkage sheet from the rows or from each level's sums; the diagnostics sheet needs the rows (a fit from sums has none)
    if (!model.summed || model.summed.moments) tables.push(shrinkageResultTable(shrinkageTable(model, fit)));
    if (req.diagnostics && !model.summed) tables.push(diagnosticsTable(fit, { rows: model.rows, headerRow })); // rows as the sheet numbers them
    const packed = packSheetTables(tables); // the diagnostics' rows as typed columns, transferred
    post({ type: "done", id, fit: digest(fit, req.ddf), tables: packed.tables, elapsedMs: now() - t0 }, packed.transfer);
  } catch (e) {
    const reply = errorReply(id, e);
    post(reply.type === "cancelled" ? { ...reply, evaluations } : reply);
  }
}

type OnProgress = NonNullable<Parameters<typeof fitModel>[1]>["onProgress"];

/** The linear mixed model of the request, built from the table's rows and fitted. */
function fitRows(req: FitRequest, table: ReturnType<typeof unpackTable>, structure: { correlation?: string; variance?: string }, onProgress: OnProgress): { model: Model; fit: LmmFit } {
  checkErrorCells(req.layout, [...formulaColumns(req.formula), ...structureColumns(structure)]); // Excel errors in the columns the model uses
  let model: Model;
  try {
    model = buildModel(table, req.formula, { REML: req.REML, factors: req.factors, ...structure });
  } catch (e) {
    throw locateError(e, table, req.layout, req.formula); // the engine's data rows as the sheet's rows
  }
  return { model, fit: fitModel(model, { ...(onProgress ? { onProgress } : {}) }) };
}

/**
 * The linear mixed model of the request from a warehouse's sums (the result of the query HLM.SQL or
 * `hlm sql` writes, pasted or opened as the selection): the model without its rows, and its fit.
 */
function fitSums(req: FitRequest, table: ReturnType<typeof unpackTable>, structure: { correlation?: string; variance?: string }, onProgress: OnProgress): { model: Model; fit: LmmFit } {
  if (structure.correlation || structure.variance) throw new HlmError("OPTIONS", "A residual structure needs the rows, and the selection holds a warehouse's sums (the result of HLM.SQL's query); choose no correlation or variance function.");
  const plan = planCrossProducts(req.formula, declaredColumnsOfTable(req.formula, table, { factors: req.factors }), { REML: req.REML, factors: req.factors });
  const summed = modelFromSums(plan, sumsRowsOfTable(plan, table));
  return { model: summed.model, fit: fitSummedModel(summed, { ...(onProgress ? { onProgress } : {}) }) };
}

/** The GLMM branch of `runFit`: lme4's glmer with progress and cancellation, then its two sheets. */
function runGlmm(
  req: FitRequest & { family: "binomial" | "poisson" },
  table: ReturnType<typeof unpackTable>,
  post: (m: FitReply, transfer?: ArrayBuffer[]) => void,
  isCancelled: () => boolean,
  now: () => number,
  t0: number,
  seen: (evaluations: number) => void,
): void {
  const { id } = req;
  const { weights, options } = glmmRequestOptions(req);
  checkErrorCells(req.layout, [...formulaColumns(req.formula), ...(weights.weights !== undefined ? [weights.weights] : [])]);
  let model: Model;
  try {
    model = buildModel(table, req.formula, { ...options, REML: false });
  } catch (e) {
    throw locateError(e, table, req.layout, req.formula);
  }
  // the two optimizer stages count on: the pane shows one running number of evaluations
  let before = 0;
  let last = 0;
  const progress = throttledProgress(
    { isCancelled, now, intervalMs: req.progressIntervalMs ?? 100 },
    (p) => {
      if (p.evaluations < last) before += last;
      last = p.evaluations;
      seen(before + p.evaluations);
    },
    (p) => post({ type: "progress", id, stage: "optimizing", evaluations: before + p.evaluations, objective: p.objective, bestObjective: p.bestObjective }),
  );
  let fit: GlmmFit;
  try {
    fit = fitGlmmModel(model, { ...options, nAGQ: req.nAGQ ?? 1, onProgress: progress });
  } catch (e) {
    throw locateError(e, table, req.layout, req.formula); // a response outside the family's range names its sheet row
  }
  post({ type: "progress", id, stage: "finishing", evaluations: before + last, objective: fit.objective, bestObjective: fit.objective });
  const tables: SheetTable[] = [glmmSummaryTable(fit, req.dataName, weights), glmmRandomEffectsTable(fit)];
  const packed = packSheetTables(tables);
  post({ type: "done", id, fit: glmmDigest(fit), tables: packed.tables, elapsedMs: now() - t0 }, packed.transfer);
}

/** A GLMM request's prior-weights column (if any) and fitGlmm's options: family, link, categorical columns, weights. */
export function glmmRequestOptions(req: { family: "binomial" | "poisson"; link?: GlmmOptions["link"]; factors: string[]; weights?: string }): {
  weights: { weights?: string };
  options: Pick<GlmmOptions, "family" | "link" | "factors" | "weights">;
} {
  const weights = req.weights?.trim() ? { weights: req.weights.trim() } : {};
  return { weights, options: { family: req.family, ...(req.link !== undefined ? { link: req.link } : {}), factors: req.factors, ...weights } };
}
