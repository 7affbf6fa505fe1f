/**
 * The pane's state and what its buttons do: reading the range (Excel, then the worker makes the
 * table), fitting and comparing models in the worker and writing their sheets (Excel), and Cancel.
 * Office calls go through `../excel/index.js`; the fitting runs in the worker (`fitClient.ts`); the
 * state's logic is in `state.ts` and `formulaBuilder.ts`.
 */
import { HlmError } from "@hlm/core";
import { startTransition, useEffect, useMemo, useReducer, useRef, type Dispatch } from "react";
import { rangeOrigin } from "../common/sheet/addresses.js";
import { readSelectedRange, readUsedRange, writeSheetTables } from "../excel/index.js";
import type { FamilyRequest } from "../worker/protocol.js";
import { FitClient, type WorkerLike } from "./fitClient.js";
import { effectiveNagq, familyProblem, glmerArguments, isGlmm, quadratureBlocked, weightsOf } from "./familyBuilder.js";
import { checkFormulaText, type FormulaCheck } from "./formulaBuilder.js";
import { checkResiduals, correlationText, hasProblems, residualGroup, varianceText, type ResidualProblems } from "./residualBuilder.js";
import { comparisonFormulas, factorsOf, initialState, isBusy, reducer, type Action, type ColumnInfo, type PaneState } from "./state.js";

/** One sentence from anything thrown by the Excel calls or the range conversion. */
function messageOf(e: unknown, what: string): string {
  if (e instanceof HlmError) return e.message;
  const text = e instanceof Error ? e.message : typeof e === "string" ? e : "";
  const first = text.split("\n")[0]!.trim().replace(/\.$/, "");
  return `${what}${first ? `: ${first}` : ""}.`;
}

function createWorker(): WorkerLike {
  return new Worker(new URL("../worker/fitWorker.ts", import.meta.url), { type: "module", name: "hlm-fit" }) as unknown as WorkerLike;
}

/** The pane: its state, what follows from it, and its actions. */
export interface Pane {
  state: PaneState;
  dispatch: Dispatch<Action>;
  /** The columns of the data range (none before a range is read), their names, and the numeric ones. */
  columns: ColumnInfo[];
  names: string[];
  numeric: string[];
  /** The formula, checked against the columns as it is typed. */
  check: FormulaCheck;
  /** Each model to compare with, checked likewise (null for an empty box). */
  modelChecks: (FormulaCheck | null)[];
  /** The Residuals card: nlme's texts of its choices (null for none), the grouping they work within (when the formula names one), and what is missing. */
  residual: { correlation: string | null; variance: string | null; group: string | null; problems: ResidualProblems };
  /**
   * The family's consequences: a generalized model (glmer) or not, why more points of quadrature are
   * not available for the formula (null when they are), the points a fit uses, what is missing before
   * a fit (null when nothing), and glmer's arguments beside the formula.
   */
  glmm: { active: boolean; quadratureBlocked: string | null; nAGQ: number; problem: string | null; arguments: { name: string; text: string }[] };
  /** A fit or comparison is running or writing its sheets. */
  busy: boolean;
  fitDisabled: boolean;
  compareReady: boolean;
  loadRange(which: "selection" | "sheet"): Promise<void>;
  fit(): void;
  compare(): void;
  cancel(): void;
}

export function usePane(): Pane {
  const [state, dispatch] = useReducer(reducer, initialState);
  const stateRef = useRef<PaneState>(state);
  stateRef.current = state;
  const client = useMemo(() => new FitClient(createWorker), []);
  useEffect(() => {
    client.warmUp();
    return () => client.dispose();
  }, [client]);

  const columns = state.range?.columns ?? [];
  const names = columns.map((c) => c.name);
  const numeric = columns.filter((c) => c.kind === "number").map((c) => c.name);
  const check = useMemo(() => checkFormulaText(state.formula, names), [state.formula, names.join("\u0000")]);
  const busy = isBusy(state.fit);
  const terms = check.kind === "ok" ? check.terms : null;
  const group = residualGroup(terms);
  const residual = {
    correlation: correlationText(state.residuals, group),
    variance: varianceText(state.residuals),
    group,
    problems: checkResiduals(state.residuals, columns, terms),
  };
  const active = isGlmm(state.family);
  const nAGQ = effectiveNagq(state.family, terms);
  const glmm = { active, quadratureBlocked: quadratureBlocked(terms), nAGQ, problem: active ? familyProblem(state.family, terms) : null, arguments: glmerArguments(state.family, nAGQ) };
  // the Residuals card does not apply to a generalized model: its choices are left out of the fit
  const residualReady = active || !hasProblems(residual.problems);
  const structure = active ? {} : { ...(residual.correlation !== null ? { correlation: residual.correlation } : {}), ...(residual.variance !== null ? { variance: residual.variance } : {}) };
  const fitDisabled = busy || !state.range || check.kind !== "ok" || !residualReady || glmm.problem !== null;
  const modelChecks = state.models.map((m) => (m.trim() === "" ? null : checkFormulaText(m, names)));
  // a generalized model's comparison fits every formula with the same family, link, weights and points of quadrature
  const compareReady = !!state.range && check.kind === "ok" && residualReady && glmm.problem === null && comparisonFormulas(state).length >= 2 && modelChecks.every((c) => c === null || c.kind === "ok");

  async function loadRange(which: "selection" | "sheet"): Promise<void> {
    dispatch({ type: "rangeReading" });
    try {
      const { address, values } = which === "selection" ? await readSelectedRange() : await readUsedRange();
      // the cells become a table in the worker (rangeToTable's checks), off the page's main thread
      const { table, layout } = await client.makeTable(values, which === "selection" ? "selection" : "used range", rangeOrigin(address));
      // a new range re-renders most of the pane (columns, pickers, checkboxes): in slices, as a transition
      startTransition(() => dispatch({ type: "rangeLoaded", address, table, layout }));
    } catch (e) {
      if (e instanceof HlmError && e.code === "CANCELLED") return; // a newer read replaced this one
      dispatch({ type: "rangeFailed", message: messageOf(e, "Excel could not read the range") });
    }
  }

  /** The request's family part (lme4's glmer), from the pane's family and the formula's terms; empty for a linear mixed model. */
  function familyRequest(st: PaneState): FamilyRequest {
    const fam = st.family;
    if (fam.family === "gaussian") return {};
    const weights = weightsOf(fam);
    return { family: fam.family, link: fam.link, nAGQ: effectiveNagq(fam, check.kind === "ok" ? check.terms : null), ...(weights !== undefined ? { weights } : {}) };
  }

  function fit(): void {
    const st = stateRef.current;
    if (!st.range || fitDisabled || isBusy(st.fit) || client.busy) return;
    const REML = st.method === "REML";
    const family = st.family.family === "gaussian" ? { ddf: st.residuals.ddf, diagnostics: st.diagnostics } : familyRequest(st);
    const id = client.start(
      {
        table: st.range.table,
        formula: st.formula.trim(),
        REML,
        factors: factorsOf(st),
        ...structure,
        ...family,
        dataName: st.range.address,
        ...(st.range.layout ? { layout: st.range.layout } : {}),
      },
      {
        onProgress: (m) =>
          dispatch({ type: "fitProgress", id: m.id, stage: m.stage, evaluations: m.evaluations, objective: m.objective, bestObjective: m.bestObjective }),
        onCancelled: (evaluations, how) => {
          document.documentElement.dataset["cancelPath"] = how;
          dispatch({ type: "fitCancelled", id, evaluations });
        },
        onError: (m) => dispatch({ type: "fitFailed", id, message: m.message }),
        onDone: (m) => {
          dispatch({ type: "fitComputed", id: m.id, digest: m.fit });
          const now = stateRef.current.fit;
          if (now.phase === "cancelling" || now.phase === "cancelled") return; // cancelled in time: write nothing
          void writeSheetTables(m.tables, { chart: true }).then(
            ({ sheetNames }) => dispatch({ type: "sheetsWritten", sheetNames, elapsedMs: m.elapsedMs }),
            (e: unknown) => dispatch({ type: "fitFailed", id, message: messageOf(e, "The result sheets could not be written") }),
          );
        },
      },
    );
    // the whole pane changes (every control disabled, the progress shown): rendered as a transition,
    // in slices, so that the click's task stays short
    startTransition(() => dispatch({ type: "fitStarted", id }));
  }

  function compare(): void {
    const st = stateRef.current;
    const formulas = comparisonFormulas(st);
    if (!st.range || !compareReady || isBusy(st.fit) || client.busy) return;
    const id = client.compare(
      {
        table: st.range.table,
        formulas,
        REML: !active && st.method === "REML", // a generalized model is fitted by ML: no refit note
        factors: factorsOf(st),
        ...structure,
        ...familyRequest(st),
        dataName: st.range.address,
        ...(st.range.layout ? { layout: st.range.layout } : {}),
      },
      {
        onProgress: (m) => dispatch({ type: "compareProgress", id: m.id, model: m.model, models: m.models, evaluations: m.evaluations }),
        onCancelled: (evaluations, how) => {
          document.documentElement.dataset["cancelPath"] = how;
          dispatch({ type: "fitCancelled", id, evaluations });
        },
        onError: (m) => dispatch({ type: "fitFailed", id, message: m.message }),
        onDone: (m) => {
          dispatch({ type: "compareComputed", id: m.id, rows: m.rows, note: m.note, ...(m.family ? { family: m.family } : {}) });
          const now = stateRef.current.fit;
          if ((now.phase === "comparing" && now.cancelling) || now.phase === "cancelled") return; // cancelled in time: write nothing
          void writeSheetTables(m.tables, { chart: false }).then(
            ({ sheetNames }) => dispatch({ type: "comparisonWritten", sheetNames, elapsedMs: m.elapsedMs }),
            (e: unknown) => dispatch({ type: "fitFailed", id, message: messageOf(e, "The comparison sheet could not be written") }),
          );
        },
      },
    );
    startTransition(() => dispatch({ type: "compareStarted", id, models: formulas.length }));
  }

  function cancel(): void {
    dispatch({ type: "cancelRequested" });
    client.cancel();
  }

  return { state, dispatch, columns, names, numeric, check, modelChecks, residual, glmm, busy, fitDisabled, compareReady, loadRange, fit, compare, cancel };
}
