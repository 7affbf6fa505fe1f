/**
 * Nothing of the user's is lost: against the fake Excel (`src/excel/testing/fakeExcel.ts`, which
 * logs every change it carries out, with the sheet it touched),
 *
 * - reading a range changes nothing, and writing the result sheets changes only sheets it added;
 * - a write that fails at any of its syncs (before, part-way through or after carrying out that
 *   sync's requests) leaves the workbook as it was: the same sheets in the same order, the same
 *   cells, tables and charts, the same active sheet, and no half-written result sheet;
 * - a sheet the user makes meanwhile under a result sheet's name is never deleted by the roll-back;
 * - when Excel refuses the roll-back too, the message names the sheets left to delete.
 */
import { compareModels, HlmError, randomEffectsTable, shrinkageResultTable, shrinkageTable, summaryTable, type ResultTable } from "@hlm/core";
import { afterEach, describe, expect, it } from "vitest";
import { getFit } from "../src/common/modelCache.js";
import { rangeToTable } from "../src/common/rangeToTable.js";
import { comparisonTable } from "../src/common/sheetTables.js";
import { readSelectedRange, readUsedRange, writeSheetTables } from "../src/excel/index.js";
import { FakeExcel, type FakeSheet } from "../src/excel/testing/fakeExcel.js";
import { datasetRange, loadReference } from "./conformanceRange.js";

afterEach(() => {
  delete (globalThis as { Excel?: unknown }).Excel;
});

const sleepData = datasetRange("sleepstudy");
const sleep = loadReference("sleepstudy_slopes_reml");
const tables: ResultTable[] = (() => {
  const { model, fit } = getFit(sleepData, sleep.formula);
  return [summaryTable(fit, "sleepstudy"), randomEffectsTable(fit), shrinkageResultTable(shrinkageTable(model, fit, "Subject"))];
})();

/** A workbook with the user's things: data, notes on a sheet named like a result sheet, and a third sheet active. */
function userWorkbook(options: ConstructorParameters<typeof FakeExcel>[0] = {}): FakeExcel {
  const excel = new FakeExcel({
    sheets: [
      { name: "Data", values: sleepData },
      { name: "HLM Summary", values: [["my notes"], [42]] },
      { name: "Plots", values: [["x", "y"], [1, 2]] },
    ],
    ...options,
  });
  excel.active = 2;
  excel.install();
  return excel;
}

/** Everything about a sheet that the user could see, as plain data. */
function snapshot(s: FakeSheet): unknown {
  return {
    id: s.id,
    name: s.name,
    cells: [...s.cells.entries()].sort(([a], [b]) => (a < b ? -1 : 1)),
    tables: structuredClone(s.tables),
    charts: structuredClone(s.charts),
    autofitted: structuredClone(s.autofitted),
  };
}

/** The whole workbook: its sheets in order, and which is active. */
const workbook = (excel: FakeExcel): unknown => ({ sheets: excel.sheets.map(snapshot), active: excel.sheets[excel.active]?.id });

/** How many syncs a write of `tables` takes, on a workbook like `userWorkbook`. */
async function syncsOfAWrite(): Promise<number> {
  const probe = userWorkbook();
  const before = probe.syncCount;
  await writeSheetTables(tables);
  return probe.syncCount - before;
}

describe("reading and writing change nothing of the user's", () => {
  it("reading the selection or the used range changes nothing", async () => {
    const excel = userWorkbook({ selection: { row: 0, column: 0, rowCount: 1_048_576, columnCount: 3 } });
    const before = workbook(excel);
    await readSelectedRange();
    await readUsedRange();
    expect(excel.changes).toEqual([]);
    expect(workbook(excel)).toEqual(before);
  });

  it("writing the result sheets changes only the sheets it added", async () => {
    const excel = userWorkbook();
    const userIds = new Set(excel.sheets.map((s) => s.id));
    const before = excel.sheets.map(snapshot);
    const { sheetNames } = await writeSheetTables(tables);
    expect(sheetNames).toEqual(["HLM Summary (2)", "HLM Random Effects", "HLM Shrinkage"]);
    const added = excel.sheets.filter((s) => !userIds.has(s.id));
    expect(added.map((s) => s.name)).toEqual(sheetNames);
    expect(excel.changes.length).toBeGreaterThan(20);
    for (const c of excel.changes) expect(userIds.has(c.sheetId), `${c.kind} on ${c.sheet}`).toBe(false);
    // the user's sheets are as they were, in their order, before the new ones
    expect(excel.sheets.slice(0, 3).map(snapshot)).toEqual(before);
    expect(excel.sheets[excel.active]!.name).toBe("HLM Summary (2)");
  });
});

describe("a write that fails half-way leaves the workbook as it was", () => {
  it("at every sync of the write: before, part-way through or after carrying out its requests", async () => {
    const total = await syncsOfAWrite();
    expect(total).toBeGreaterThanOrEqual(10); // names, 3 sheets one by one, the cells in batches, formats, activation
    let cases = 0;
    for (let k = 1; k <= total; k++) {
      for (const applyBeforeFailing of [0, 1, 1e9]) {
        const excel = userWorkbook({ failAtSync: k, applyBeforeFailing });
        const before = workbook(excel);
        const err = await writeSheetTables(tables).catch((e: unknown) => e);
        const what = `failing at sync ${k} of ${total} after ${applyBeforeFailing} requests`;
        expect(err, what).toBeInstanceOf(HlmError);
        expect((err as HlmError).code, what).toBe("INTERNAL");
        expect((err as HlmError).message, what).toMatch(/^Excel could not write the result sheets \(An internal error has occurred\)(; the sheets it had added \(.*\) were removed)?\.$/);
        expect((err as HlmError).message, what).not.toMatch(/\n|\bat \w+ \(/); // one sentence or two, no stack
        expect(workbook(excel), what).toEqual(before);
        cases++;
      }
    }
    expect(cases).toBe(3 * total);
  });

  it("names the sheets it removed", async () => {
    const total = await syncsOfAWrite();
    const excel = userWorkbook({ failAtSync: total - 1 });
    const err = (await writeSheetTables(tables).catch((e: unknown) => e)) as HlmError;
    expect(err.message).toBe(
      "Excel could not write the result sheets (An internal error has occurred); the sheets it had added (HLM Summary (2), HLM Random Effects, HLM Shrinkage) were removed.",
    );
    expect(excel.sheets.map((s) => s.name)).toEqual(["Data", "HLM Summary", "Plots"]);
  });

  it("never deletes a sheet the user made meanwhile under the name of a result sheet", async () => {
    // the user adds "HLM Random Effects" with values of their own just before the add-in adds its sheet of that name
    const excel = userWorkbook({
      beforeSync: (n, fake) => {
        if (n === 3) fake.addSheetByHand("HLM Random Effects", [["mine"]]);
      },
    });
    const err = (await writeSheetTables(tables).catch((e: unknown) => e)) as HlmError;
    expect(err).toBeInstanceOf(HlmError);
    expect(err.message).toMatch(/^Excel could not write the result sheets \(A sheet named 'HLM Random Effects' exists\); the sheets it had added \(HLM Summary \(2\)\) were removed\.$/);
    expect(excel.sheets.map((s) => s.name)).toEqual(["Data", "HLM Summary", "Plots", "HLM Random Effects"]);
    expect(excel.values("HLM Random Effects", { row: 0, column: 0, rowCount: 1, columnCount: 1 })).toEqual([["mine"]]);
    expect(excel.sheets[excel.active]!.name).toBe("Plots");
  });

  it("finds its sheets by id: a result sheet the user renamed meanwhile is still removed", async () => {
    const total = await syncsOfAWrite();
    const excel = userWorkbook({
      failAtSync: total,
      beforeSync: (n, fake) => {
        if (n === 4) fake.renameByHand("HLM Summary (2)", "Renamed by the user");
      },
    });
    const before = excel.sheets.map(snapshot);
    const err = (await writeSheetTables(tables).catch((e: unknown) => e)) as HlmError;
    expect(err.message).toContain("(Renamed by the user, HLM Random Effects, HLM Shrinkage) were removed");
    expect(excel.sheets.map(snapshot)).toEqual(before);
  });

  it("when Excel refuses the roll-back too, says which sheets are left to delete", async () => {
    const total = await syncsOfAWrite();
    const excel = userWorkbook({ failAtSync: [total - 1, total + 1] }); // the write's last batch and the roll-back
    const err = (await writeSheetTables(tables).catch((e: unknown) => e)) as HlmError;
    expect(err.message).toBe(
      "Excel could not write the result sheets (An internal error has occurred); Excel did not let it remove the sheets it had added (HLM Summary (2), HLM Random Effects, HLM Shrinkage), so delete them.",
    );
    expect(excel.sheets.map((s) => s.name)).toEqual(["Data", "HLM Summary", "Plots", "HLM Summary (2)", "HLM Random Effects", "HLM Shrinkage"]);
    // even then, the user's sheets are untouched
    for (const c of excel.changes) expect(["Data", "HLM Summary", "Plots"]).not.toContain(c.sheet);
  });
});

describe("the comparison sheet (HLM Comparison) follows the same rules", () => {
  const comparison = comparisonTable(compareModels(rangeToTable(sleepData), ["Reaction ~ Days + (1 | Subject)", "Reaction ~ Days + (Days | Subject)"]), "Data!A1:C181");
  const withComparison = (options: ConstructorParameters<typeof FakeExcel>[0] = {}): FakeExcel =>
    userWorkbook({
      sheets: [
        { name: "Data", values: sleepData },
        { name: "HLM Comparison", values: [["my own comparison"]] },
        { name: "Plots", values: [["x", "y"], [1, 2]] },
      ],
      ...options,
    });

  it("goes to a new sheet beside the user's of that name, changing nothing else", async () => {
    const excel = withComparison();
    const userIds = new Set(excel.sheets.map((s) => s.id));
    const before = excel.sheets.map(snapshot);
    const { sheetNames } = await writeSheetTables([comparison], { chart: false });
    expect(sheetNames).toEqual(["HLM Comparison (2)"]);
    for (const c of excel.changes) expect(userIds.has(c.sheetId), `${c.kind} on ${c.sheet}`).toBe(false);
    expect(excel.sheets.slice(0, 3).map(snapshot)).toEqual(before);
    const sheet = excel.sheet("HLM Comparison (2)");
    expect(sheet.tables).toHaveLength(3);
    expect(sheet.charts).toEqual([]);
    expect(excel.values("HLM Comparison (2)", { row: 0, column: 0, rowCount: 1, columnCount: 1 })).toEqual([["Models"]]);
    // lme4's table: the title, the header, m0 without a test, m1 against m0
    const lr = excel.values("HLM Comparison (2)", { row: 5, column: 0, rowCount: 4, columnCount: 9 });
    expect(lr[0]![0]).toBe("Likelihood-ratio tests");
    expect(lr[1]).toEqual(["Model", "npar", "AIC", "BIC", "logLik", "deviance", "Chisq", "Df", "Pr(>Chisq)"]);
    expect(lr[2]!.slice(0, 2)).toEqual(["m0", 4]);
    expect(lr[2]!.slice(6)).toEqual(["", "", ""]);
    expect(lr[3]!.slice(0, 2)).toEqual(["m1", 6]);
    expect(lr[3]![6] as number).toBeCloseTo(42.139, 2);
    expect(lr[3]![7]).toBe(2);
  });

  it("a write that fails at any sync leaves the workbook as it was", async () => {
    const probe = withComparison();
    const start = probe.syncCount;
    await writeSheetTables([comparison], { chart: false });
    const total = probe.syncCount - start;
    for (let k = 1; k <= total; k++) {
      const excel = withComparison({ failAtSync: k, applyBeforeFailing: 1 });
      const before = workbook(excel);
      const err = await writeSheetTables([comparison], { chart: false }).catch((e: unknown) => e);
      expect(err, `sync ${k}`).toBeInstanceOf(HlmError);
      expect(workbook(excel), `sync ${k}`).toEqual(before);
    }
  });
});
