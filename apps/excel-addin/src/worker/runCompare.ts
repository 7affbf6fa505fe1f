/**
 * A model comparison as the worker runs it, without the worker: lme4's `anova(m0, m1, ...)`. Each
 * formula is built and fitted by maximum likelihood (as core's `compareModels` does: models asked
 * for by REML are refitted by ML, and lme4's note says so), with progress and cancellation as a fit
 * has them, then `compareFits` makes the table. Plain TypeScript, tested with vitest directly.
 */
import { buildModel, compareFits, compareGlmmFits, fitGlmmModel, fitModel, HlmError, isSumsHeader, REFIT_NOTE, type GlmmFit, type LmmFit, type Model, type ModelComparison } from "@hlm/core";
import { formulaColumns, locateError, structureColumns } from "../common/locateError.js";
import { checkErrorCells } from "../common/rangeToTable.js";
import { comparisonTable, describeGlmmFamily } from "../common/sheetTables.js";
import { unpackTable } from "./packedTable.js";
import type { CompareReply, CompareRequest } from "./protocol.js";
import { errorReply, glmmRequestOptions } from "./runFit.js";
import { throttledProgress } from "./throttledProgress.js";

const defaultNow = (): number => (typeof performance !== "undefined" ? performance.now() : Date.now());

/** lme4's names of the models of `anova(m0, m1, ...)`, in the order given. */
export const modelName = (k: number): string => `m${k}`;

/** An error of model k that does not name its formula is said to be about it. */
function aboutModel(e: unknown, k: number, formula: string): unknown {
  if (!(e instanceof HlmError) || e.code === "CANCELLED" || e.message.includes(formula)) return e;
  const err = new HlmError(e.code, `Model ${modelName(k)} (${formula}): ${e.message}`, e.details);
  err.cause = e;
  return err;
}

/**
 * Runs the comparison of `req`, posting `compareProgress` (at most every `progressIntervalMs`, and at
 * the start of each model), and ends with exactly one `compareDone`, `cancelled` or `error` message.
 */
export function runCompare(req: CompareRequest, post: (m: CompareReply) => void, isCancelled: () => boolean, now: () => number = defaultNow): void {
  const { id } = req;
  const t0 = now();
  const interval = req.progressIntervalMs ?? 100;
  let evaluations = 0;
  try {
    if (req.formulas.length < 2) throw new HlmError("OPTIONS", `Comparing models needs at least two formulas; add a model to compare with.`);
    if (isCancelled()) {
      post({ type: "cancelled", id, evaluations: 0 });
      return;
    }
    const table = unpackTable(req.table);
    // a warehouse's sums are one model's (the result of HLM.SQL's query for its formula)
    if (isSumsHeader(table.names)) throw new HlmError("OPTIONS", "The selection holds one model's sums (the result of HLM.SQL's query for its formula); comparing models needs the rows, or hlm compare on the database itself.");
    if (req.family !== undefined) {
      runGlmmCompare({ ...req, family: req.family }, table, post, isCancelled, now, t0, (n) => (evaluations = n));
      return;
    }
    const structure = { ...(req.correlation?.trim() ? { correlation: req.correlation.trim() } : {}), ...(req.variance?.trim() ? { variance: req.variance.trim() } : {}) };
    const models: Model[] = req.formulas.map((formula, k) => {
      try {
        checkErrorCells(req.layout, [...formulaColumns(formula), ...structureColumns(structure)]);
        try {
          return buildModel(table, formula, { REML: false, factors: req.factors, ...structure });
        } catch (e) {
          throw locateError(e, table, req.layout, formula);
        }
      } catch (e) {
        throw aboutModel(e, k, formula);
      }
    });
    const fits: LmmFit[] = [];
    models.forEach((model, k) => {
      post({ type: "compareProgress", id, model: k, models: models.length, evaluations: 0 });
      try {
        fits.push(
          fitModel(model, {
            onProgress: throttledProgress(
              { isCancelled, now, intervalMs: interval, last: now() },
              (p) => (evaluations = p.evaluations),
              (p) => post({ type: "compareProgress", id, model: k, models: models.length, evaluations: p.evaluations }),
            ),
          }),
        );
      } catch (e) {
        throw aboutModel(e, k, req.formulas[k]!);
      }
    });
    const c = compareFits(
      fits,
      req.formulas.map((_, k) => modelName(k)),
    );
    const note = req.REML ? REFIT_NOTE : null;
    const result = { rows: c.rows, note, nobs: c.nobs };
    post({ type: "compareDone", id, ...result, tables: [comparisonTable({ ...result, structure: Object.values(structure) }, req.dataName)], elapsedMs: now() - t0 });
  } catch (e) {
    const reply = errorReply(id, e);
    if (reply.type === "cancelled") post({ ...reply, evaluations });
    else if (reply.type === "error") post(reply);
  }
}

/** The GLMM branch of `runCompare`: each formula fitted by glmer with the request's family, link, weights and nAGQ, then lme4's anova. */
function runGlmmCompare(
  req: CompareRequest & { family: "binomial" | "poisson" },
  table: ReturnType<typeof unpackTable>,
  post: (m: CompareReply) => void,
  isCancelled: () => boolean,
  now: () => number,
  t0: number,
  seen: (evaluations: number) => void,
): void {
  const { id } = req;
  const { weights, options } = glmmRequestOptions(req);
  const nAGQ = req.nAGQ ?? 1;
  const models: Model[] = req.formulas.map((formula, k) => {
    try {
      checkErrorCells(req.layout, [...formulaColumns(formula), ...(weights.weights !== undefined ? [weights.weights] : [])]);
      try {
        return buildModel(table, formula, { ...options, REML: false });
      } catch (e) {
        throw locateError(e, table, req.layout, formula);
      }
    } catch (e) {
      throw aboutModel(e, k, formula);
    }
  });
  const fits: GlmmFit[] = [];
  models.forEach((model, k) => {
    post({ type: "compareProgress", id, model: k, models: models.length, evaluations: 0 });
    // glmer's two optimizer stages count on: the pane shows one running number per model
    let before = 0;
    let last = 0;
    const onProgress = throttledProgress(
      { isCancelled, now, intervalMs: req.progressIntervalMs ?? 100, last: now() },
      (p) => {
        if (p.evaluations < last) before += last;
        last = p.evaluations;
        seen(before + p.evaluations);
      },
      (p) => post({ type: "compareProgress", id, model: k, models: models.length, evaluations: before + p.evaluations }),
    );
    try {
      fits.push(fitGlmmModel(model, { ...options, nAGQ, onProgress }));
    } catch (e) {
      throw aboutModel(locateError(e, table, req.layout, req.formulas[k]!), k, req.formulas[k]!);
    }
  });
  const c: ModelComparison<GlmmFit> = compareGlmmFits(
    fits,
    req.formulas.map((_, k) => modelName(k)),
  );
  const family = { family: req.family, link: fits[0]!.link, nAGQ };
  const result = { rows: c.rows, note: null, nobs: c.nobs };
  post({ type: "compareDone", id, ...result, family, tables: [comparisonTable({ ...result, family: describeGlmmFamily(family, weights.weights) }, req.dataName)], elapsedMs: now() - t0 });
}
