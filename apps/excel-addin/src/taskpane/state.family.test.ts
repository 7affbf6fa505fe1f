import { tableFromRows } from "@hlm/core";
import { describe, expect, it } from "vitest";
import { packTable } from "../worker/packedTable.js";
import { initialState, reducer, type Action, type PaneState } from "./state.js";

const table = packTable(
  tableFromRows(
    ["herd", "incidence", "size", "period"],
    [
      [1, 2, 14, "1"],
      [1, 3, 12, "2"],
      [2, 0, 9, "1"],
    ],
  ),
).table;
const run = (actions: Action[], s: PaneState = initialState): PaneState => actions.reduce(reducer, s);
const loaded = run([{ type: "rangeLoaded", address: "Sheet1!A1:D4", table }]);
const picked = run([{ type: "pickersChanged", pickers: { response: "incidence", fixed: ["period"], group: "herd" } }], loaded);

describe("pane reducer: the family", () => {
  it("is Normal (a linear mixed model) by default", () => {
    expect(initialState.family.family).toBe("gaussian");
    expect(picked.formula).toBe("incidence ~ period + (1 | herd)");
  });
  it("binomial with successes and trials writes cbind(s, n - s); the link follows the family", () => {
    const s = run(
      [
        { type: "familyChanged", family: { family: "binomial" } },
        { type: "familyChanged", family: { binomialResponse: "successesTrials" } },
        { type: "familyChanged", family: { second: "size" } },
      ],
      picked,
    );
    expect(s.family).toMatchObject({ family: "binomial", link: "logit", binomialResponse: "successesTrials", second: "size" });
    expect(s.formula).toBe("cbind(incidence, size - incidence) ~ period + (1 | herd)");
    // the pickers still change the formula, with its response form
    expect(run([{ type: "pickersChanged", pickers: { fixed: [] } }], s).formula).toBe("cbind(incidence, size - incidence) ~ 1 + (1 | herd)");
    // a proportion with its trials: the response alone (the trials go to the fit as weights)
    const p = run([{ type: "familyChanged", family: { binomialResponse: "proportion" } }], s);
    expect(p.family.second).toBe("size");
    expect(p.formula).toBe("incidence ~ period + (1 | herd)");
    // back to Normal: the plain response
    expect(run([{ type: "familyChanged", family: { family: "gaussian" } }], s).formula).toBe("incidence ~ period + (1 | herd)");
    expect(run([{ type: "familyChanged", family: { family: "poisson" } }], s).family.link).toBe("log");
  });
  it("reads a typed cbind() formula back into the pickers and the response form", () => {
    const s = run(
      [
        { type: "familyChanged", family: { family: "binomial" } },
        { type: "formulaEdited", text: "cbind(incidence, size - incidence) ~ period + (1 | herd)" },
      ],
      loaded,
    );
    expect(s.pickers).toEqual({ response: "incidence", fixed: ["period"], group: "herd", slopes: [] });
    expect(s.family).toMatchObject({ binomialResponse: "successesTrials", second: "size" });
  });
  it("keeps a typed formula when the family changes, and forgets a second column that is no longer a column", () => {
    const typed = run([{ type: "formulaEdited", text: "incidence ~ period + offset(log(size)) + (1 | herd)" }], loaded);
    expect(run([{ type: "familyChanged", family: { family: "poisson" } }], typed).formula).toBe("incidence ~ period + offset(log(size)) + (1 | herd)");
    const s = run([{ type: "familyChanged", family: { family: "binomial", binomialResponse: "successesTrials", second: "size" } }], picked);
    const other = packTable(tableFromRows(["herd", "incidence", "period"], [[1, 2, "1"], [2, 3, "2"]])).table;
    const t = run([{ type: "rangeLoaded", address: "Sheet1!A1:C3", table: other }], s);
    expect(t.family.second).toBe("");
    expect(t.formula).toBe("incidence ~ period + (1 | herd)");
  });
  it("a comparison of generalized models keeps their family through to the result", () => {
    const rows = [{ name: "m0", formula: "f0", npar: 2, AIC: 1, BIC: 2, logLik: -1, deviance: 2, Chisq: null, Df: null, pValue: null }];
    const family = { family: "binomial" as const, link: "probit", nAGQ: 9 };
    let s = run([{ type: "compareStarted", id: 7, models: 2 }], picked);
    s = run([{ type: "compareComputed", id: 7, rows, note: null, family }], s);
    expect(s.fit).toEqual({ phase: "compareWriting", id: 7, rows, note: null, family });
    s = run([{ type: "comparisonWritten", sheetNames: ["HLM Comparison"], elapsedMs: 12 }], s);
    expect(s.fit).toEqual({ phase: "compared", rows, note: null, family, sheetNames: ["HLM Comparison"], elapsedMs: 12 });
    // a linear mixed models' comparison has no family
    s = run([{ type: "compareStarted", id: 8, models: 2 }, { type: "compareComputed", id: 8, rows, note: null }, { type: "comparisonWritten", sheetNames: ["HLM Comparison (2)"], elapsedMs: 3 }], s);
    expect(s.fit).toEqual({ phase: "compared", rows, note: null, sheetNames: ["HLM Comparison (2)"], elapsedMs: 3 });
  });
});
