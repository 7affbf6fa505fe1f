import { compareModels, readCsv, REFIT_NOTE } from "@hlm/core";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { conformanceDir, datasetRange, nlmeDatasetRange } from "../../test/conformanceRange.js";
import { rangeToTable } from "../common/rangeToTable.js";
import { COMPARISON_HEADER } from "../common/sheetTables.js";
import { packTable } from "./packedTable.js";
import type { CompareRequest } from "./protocol.js";
import { compareReplies as collect } from "../../test/workerReplies.js";

const sleep = packTable(rangeToTable(datasetRange("sleepstudy"))).table;
const formulas = ["Reaction ~ Days + (1 | Subject)", "Reaction ~ Days + (Days | Subject)"];
const request = (over: Partial<CompareRequest> = {}): CompareRequest => ({
  type: "compare",
  id: 3,
  table: sleep,
  formulas,
  REML: true,
  factors: [],
  dataName: "Sleep!A1:C181",
  ...over,
});

describe("runCompare", () => {
  it("is lme4's anova(m0, m1): the numbers of core's compareModels, the refit note, and the HLM Comparison sheet", () => {
    const want = compareModels(readCsv(readFileSync(`${conformanceDir}sleepstudy.csv`, "utf8")), formulas);
    const out = collect(request());
    const done = out.at(-1)!;
    expect(done.type).toBe("compareDone");
    if (done.type !== "compareDone") return;
    expect(done.id).toBe(3);
    expect(done.note).toBe(REFIT_NOTE);
    expect(done.nobs).toBe(180);
    expect(done.rows.map((r) => r.name)).toEqual(["m0", "m1"]);
    done.rows.forEach((r, i) => {
      const w = want.rows[i]!;
      expect(r.npar).toBe(w.npar);
      for (const k of ["AIC", "BIC", "logLik", "deviance"] as const) expect(r[k]).toBeCloseTo(w[k], 6);
    });
    expect(done.rows[1]!.Chisq!).toBeCloseTo(want.rows[1]!.Chisq!, 5);
    expect(done.rows[1]!.Df).toBe(2);
    expect(done.rows[1]!.pValue!).toBeGreaterThan(0);
    expect(done.rows[1]!.pValue!).toBeLessThan(1e-6);
    // lme4: anova(fm0, fm1): npar 4 and 6, logLik -897.04 and -875.97, Chisq 42.139 on 2 df
    expect(done.rows[0]!.logLik).toBeCloseTo(-897.04, 1);
    expect(done.rows[1]!.logLik).toBeCloseTo(-875.97, 1);
    expect(done.rows[1]!.Chisq!).toBeCloseTo(42.139, 2);

    const sheet = done.tables[0]!;
    expect(sheet.sheetName).toBe("HLM Comparison");
    expect(sheet.sections.map((s) => s.title)).toEqual(["Models", "Likelihood-ratio tests", "Notes"]);
    expect(sheet.sections[0]!.rows).toEqual([
      ["m0", formulas[0]],
      ["m1", formulas[1]],
    ]);
    expect(sheet.sections[1]!.header).toEqual(COMPARISON_HEADER);
    expect(sheet.sections[1]!.header).toEqual(["Model", "npar", "AIC", "BIC", "logLik", "deviance", "Chisq", "Df", "Pr(>Chisq)"]);
    expect(sheet.sections[1]!.rows[0]!.slice(6)).toEqual([null, null, null]);
    expect(sheet.sections[2]!.rows.map((r) => r[0])).toEqual([REFIT_NOTE, "Data: Sleep!A1:C181, 180 observations.", expect.stringContaining("sorted by their number of parameters")]);
    expect(out.filter((m) => m.type === "compareProgress").map((m) => (m.type === "compareProgress" ? m.model : -1)).slice(0, 1)).toEqual([0]);
    expect(out.some((m) => m.type === "compareProgress" && m.model === 1)).toBe(true);
  });

  it("sorts by npar and has no refit note for ML", () => {
    const out = collect(request({ formulas: [formulas[1]!, formulas[0]!, "Reaction ~ 1 + (1 | Subject)"], REML: false }));
    const done = out.at(-1)!;
    if (done.type !== "compareDone") throw new Error(done.type);
    expect(done.note).toBeNull();
    expect(done.rows.map((r) => [r.name, r.npar])).toEqual([
      ["m2", 3],
      ["m1", 4],
      ["m0", 6],
    ]);
    expect(done.tables[0]!.sections[2]!.rows[0]).toEqual(["Data: Sleep!A1:C181, 180 observations."]);
  });

  it("names the formula of a model that cannot be built, in one sentence", () => {
    const done = collect(request({ formulas: [formulas[0]!, "Reaction ~ Dayz + (1 | Subject)"] })).at(-1)!;
    expect(done).toMatchObject({ type: "error", code: "FORMULA" });
    if (done.type !== "error") return;
    expect(done.message).toContain("Unknown column 'Dayz' in formula 'Reaction ~ Dayz + (1 | Subject)'");
    expect(done.message.split("\n")).toHaveLength(1);
  });

  it("refuses fewer than two formulas, and stops when cancelled", () => {
    expect(collect(request({ formulas: [formulas[0]!] })).at(-1)).toMatchObject({ type: "error", message: "Comparing models needs at least two formulas; add a model to compare with." });
    let calls = 0;
    const out = collect(request(), () => ++calls > 5);
    expect(out.at(-1)!.type).toBe("cancelled");
  });
});

describe("runCompare with a residual structure", () => {
  it("fits every model with it (Ovary: a random intercept against one with a random slope of s1, both with AR(1)) and says so in the notes", () => {
    const ovary = packTable(rangeToTable(nlmeDatasetRange("Ovary"))).table;
    const done = collect(request({ table: ovary, formulas: ["follicles ~ s1 + c1 + (1 | Mare)", "follicles ~ s1 + c1 + (1 + s1 | Mare)"], REML: false, correlation: "corAR1()" })).at(-1)!;
    if (done.type !== "compareDone") throw new Error(JSON.stringify(done));
    expect(done.rows.map((r) => r.npar)).toEqual([6, 8]); // β (3), θ, σ and Phi; then two θ more
    expect(Math.abs(done.rows[0]!.logLik - -776.517)).toBeLessThan(1e-3);
    const notes = done.tables[0]!.sections.find((s) => s.title === "Notes")!;
    expect(notes.rows).toContainEqual(["Every model has the residual structure corAR1()."]);
  });
});
