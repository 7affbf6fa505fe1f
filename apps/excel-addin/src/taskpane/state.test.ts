import { tableFromRows } from "@hlm/core";
import { describe, expect, it } from "vitest";
import { packTable } from "../worker/packedTable.js";
import type { FitDigest } from "../worker/protocol.js";
import { comparisonFormulas, factorsOf, initialState, isBusy, reducer, type Action, type PaneState } from "./state.js";

const table = packTable(
  tableFromRows(
    ["Reaction", "Days", "Subject", "Site"],
    [
      [250, 0, "308", "a"],
      [260, 1, "308", "b"],
      [240, 0, "309", "a"],
    ],
  ),
).table;
const digest: FitDigest = {
  formula: "f",
  REML: true,
  nobs: 3,
  ngrps: {},
  fixefNames: [],
  fixef: [],
  sigma: 1,
  objective: 1,
  logLik: 0,
  evaluations: 42,
  warnings: [],
  structure: [],
};
const run = (actions: Action[], s: PaneState = initialState): PaneState => actions.reduce(reducer, s);
const loaded = run([{ type: "rangeLoaded", address: "Sheet1!A1:D4", table }]);

describe("pane reducer: data and formula", () => {
  it("loads a range: columns with kinds, text columns ticked categorical", () => {
    expect(loaded.range?.address).toBe("Sheet1!A1:D4");
    expect(loaded.range?.columns).toEqual([
      { name: "Reaction", kind: "number" },
      { name: "Days", kind: "number" },
      { name: "Subject", kind: "number" },
      { name: "Site", kind: "string" },
    ]);
    expect(loaded.categorical).toEqual(["Site"]);
  });
  it("builds the formula from the pickers", () => {
    const s = run(
      [
        { type: "pickersChanged", pickers: { response: "Reaction" } },
        { type: "pickersChanged", pickers: { fixed: ["Days"] } },
        { type: "pickersChanged", pickers: { group: "Subject" } },
        { type: "pickersChanged", pickers: { slopes: ["Days"] } },
      ],
      loaded,
    );
    expect(s.formula).toBe("Reaction ~ Days + (Days | Subject)");
    // choosing the response or group removes it from the effects
    const t = reducer(s, { type: "pickersChanged", pickers: { group: "Days" } });
    expect(t.formula).toBe("Reaction ~ 1 + (1 | Days)");
  });
  it("reads the pickers back from typed text, and keeps them while the text does not parse", () => {
    const s = reducer(loaded, { type: "formulaEdited", text: "Reaction ~ Days + Site + (1 | Subject)" });
    expect(s.pickers).toEqual({ response: "Reaction", fixed: ["Days", "Site"], group: "Subject", slopes: [] });
    const t = reducer(s, { type: "formulaEdited", text: "Reaction ~ Days + Site + (1 | " });
    expect(t.formula).toBe("Reaction ~ Days + Site + (1 | ");
    expect(t.pickers).toEqual(s.pickers);
  });
  it("numeric columns ticked categorical become factors; text columns cannot be unticked", () => {
    let s = reducer(loaded, { type: "categoricalToggled", column: "Days", checked: true });
    s = reducer(s, { type: "categoricalToggled", column: "Site", checked: false });
    expect(s.categorical).toEqual(["Site", "Days"]);
    expect(factorsOf(s)).toEqual(["Days"]);
    s = reducer(s, { type: "categoricalToggled", column: "Days", checked: false });
    expect(factorsOf(s)).toEqual([]);
  });
  it("a new range keeps the pickers that still name columns and the formula they built", () => {
    const s = reducer(loaded, { type: "pickersChanged", pickers: { response: "Reaction", fixed: ["Site"], group: "Subject" } });
    const other = packTable(
      tableFromRows(
        ["Reaction", "Subject"],
        [
          [1, "a"],
          [2, "b"],
        ],
      ),
    ).table;
    const t = reducer(s, { type: "rangeLoaded", address: "Sheet2!A1:B3", table: other });
    expect(t.pickers).toEqual({ response: "Reaction", fixed: [], group: "Subject", slopes: [] });
    expect(t.formula).toBe("Reaction ~ 1 + (1 | Subject)");
  });
  it("keeps the Residuals card's choices, and clears its columns that a new range does not have", () => {
    const s = run(
      [
        { type: "residualsChanged", residuals: { correlation: "car1", time: "Days" } },
        { type: "residualsChanged", residuals: { variance: "ident", varianceColumn: "Site", ddf: "containment" } },
      ],
      loaded,
    );
    expect(s.residuals).toEqual({ correlation: "car1", time: "Days", variance: "ident", varianceColumn: "Site", ddf: "containment" });
    const other = packTable(tableFromRows(["Reaction", "Days", "Subject"], [[1, 0, "a"], [2, 1, "b"]])).table;
    expect(reducer(s, { type: "rangeLoaded", address: "Sheet2!A1:C3", table: other }).residuals).toEqual({ ...s.residuals, varianceColumn: "" });
  });
  it("shows a range error until dismissed or a range is read", () => {
    const s = reducer(loaded, { type: "rangeFailed", message: "The selection is empty." });
    expect(s.rangeError).toBe("The selection is empty.");
    expect(reducer(s, { type: "dismissMessage" }).rangeError).toBeNull();
  });
});

describe("pane reducer: fitting", () => {
  it("goes fitting → progress → writing → done", () => {
    let s = run([{ type: "fitStarted", id: 1 }], loaded);
    expect(isBusy(s.fit)).toBe(true);
    s = reducer(s, { type: "fitProgress", id: 1, stage: "optimizing", evaluations: 12, objective: 1750, bestObjective: 1745 });
    expect(s.fit).toMatchObject({ phase: "fitting", evaluations: 12, objective: 1750 });
    s = reducer(s, { type: "fitProgress", id: 7, stage: "optimizing", evaluations: 99, objective: 1, bestObjective: 1 }); // another fit's
    expect(s.fit).toMatchObject({ evaluations: 12 });
    s = reducer(s, { type: "fitComputed", id: 1, digest });
    expect(s.fit.phase).toBe("writing");
    s = reducer(s, { type: "sheetsWritten", sheetNames: ["HLM Summary", "HLM Random Effects", "HLM Shrinkage"], elapsedMs: 10 });
    expect(s.fit).toMatchObject({ phase: "done", sheetNames: ["HLM Summary", "HLM Random Effects", "HLM Shrinkage"] });
    expect(isBusy(s.fit)).toBe(false);
  });
  it("cancel: cancelling → cancelled; a fit that finishes meanwhile is not written", () => {
    let s = run(
      [
        { type: "fitStarted", id: 2 },
        { type: "fitProgress", id: 2, stage: "optimizing", evaluations: 5, objective: 3, bestObjective: 3 },
        { type: "cancelRequested" },
      ],
      loaded,
    );
    expect(s.fit).toMatchObject({ phase: "cancelling", evaluations: 5 });
    expect(reducer(s, { type: "fitCancelled", id: 2, evaluations: 6 }).fit).toEqual({ phase: "cancelled", evaluations: 6 });
    s = reducer(s, { type: "fitComputed", id: 2, digest });
    expect(s.fit).toEqual({ phase: "cancelled", evaluations: 42 });
  });
  it("an error ends the fit with its message; stale replies are ignored", () => {
    const s = run([{ type: "fitStarted", id: 3 }], loaded);
    expect(reducer(s, { type: "fitFailed", id: 2, message: "old" })).toBe(s);
    expect(reducer(s, { type: "fitFailed", id: 3, message: "Unknown column 'x'." }).fit).toEqual({ phase: "error", message: "Unknown column 'x'." });
  });
});

describe("pane reducer: comparing models", () => {
  const withFormula = run([{ type: "formulaEdited", text: "Reaction ~ Days + (1 | Subject)" }], loaded);
  it("adds a model as a copy of the formula, edits and removes models; blank boxes are left out of the comparison", () => {
    const s = run(
      [
        { type: "modelAdded" },
        { type: "modelEdited", index: 0, text: "Reaction ~ Days + (Days | Subject)" },
        { type: "modelAdded", text: "  " },
        { type: "modelAdded", text: "Reaction ~ 1 + (1 | Subject)" },
        { type: "modelEdited", index: 7, text: "ignored" },
      ],
      withFormula,
    );
    expect(s.models).toEqual(["Reaction ~ Days + (Days | Subject)", "  ", "Reaction ~ 1 + (1 | Subject)"]);
    expect(comparisonFormulas(s)).toEqual(["Reaction ~ Days + (1 | Subject)", "Reaction ~ Days + (Days | Subject)", "Reaction ~ 1 + (1 | Subject)"]);
    expect(run([{ type: "modelRemoved", index: 1 }], s).models).toEqual(["Reaction ~ Days + (Days | Subject)", "Reaction ~ 1 + (1 | Subject)"]);
  });

  it("goes comparing → writing → compared, busy until written, ignoring other ids", () => {
    const rows = [{ name: "m0" }, { name: "m1" }] as never[];
    let s = run([{ type: "compareStarted", id: 4, models: 2 }], withFormula);
    expect(isBusy(s.fit)).toBe(true);
    s = run([{ type: "compareProgress", id: 4, model: 1, models: 2, evaluations: 30 }, { type: "compareProgress", id: 9, model: 0, models: 2, evaluations: 1 }], s);
    expect(s.fit).toMatchObject({ phase: "comparing", model: 1, evaluations: 30 });
    s = run([{ type: "compareComputed", id: 4, rows, note: "refitting model(s) with ML (instead of REML)" }], s);
    expect(s.fit).toMatchObject({ phase: "compareWriting", id: 4 });
    expect(isBusy(s.fit)).toBe(true);
    s = run([{ type: "comparisonWritten", sheetNames: ["HLM Comparison"], elapsedMs: 12 }], s);
    expect(s.fit).toEqual({ phase: "compared", rows, note: "refitting model(s) with ML (instead of REML)", sheetNames: ["HLM Comparison"], elapsedMs: 12 });
    expect(isBusy(s.fit)).toBe(false);
  });

  it("a comparison cancelled, or finished while its cancel was on the way, writes nothing; an error is one message", () => {
    let s = run([{ type: "compareStarted", id: 5, models: 3 }, { type: "cancelRequested" }], withFormula);
    expect(s.fit).toMatchObject({ phase: "comparing", cancelling: true });
    expect(run([{ type: "compareComputed", id: 5, rows: [], note: null }], s).fit).toEqual({ phase: "cancelled", evaluations: 0 });
    expect(run([{ type: "fitCancelled", id: 5, evaluations: 8 }], s).fit).toEqual({ phase: "cancelled", evaluations: 8 });
    s = run([{ type: "compareStarted", id: 6, models: 2 }, { type: "fitFailed", id: 6, message: "Unknown column 'Dayz'." }], withFormula);
    expect(s.fit).toEqual({ phase: "error", message: "Unknown column 'Dayz'." });
  });
});

describe("pane reducer: the diagnostics sheet", () => {
  it("is asked for by default, and can be turned off", () => {
    expect(initialState.diagnostics).toBe(true);
    expect(run([{ type: "diagnosticsToggled", checked: false }]).diagnostics).toBe(false);
  });
});
