/**
 * Reading the selection and the used range against office-addin-mock (`testing/fakeExcel.ts`):
 * values as Excel gives them, whole columns clipped to the used range, large ranges in blocks.
 */
import { HlmError } from "@hlm/core";
import { afterEach, describe, expect, it } from "vitest";
import { datasetRange } from "../../test/conformanceRange.js";
import { readSelectedRange, readUsedRange } from "./readRange.js";
import { FakeExcel } from "./testing/fakeExcel.js";

afterEach(() => {
  delete (globalThis as { Excel?: unknown }).Excel;
});

const sleepData = datasetRange("sleepstudy");

describe("readSelectedRange and readUsedRange", () => {
  it("read the selection's address and values as Excel gives them", async () => {
    const excel = new FakeExcel({ sheets: [{ name: "Data", values: sleepData }], selection: { row: 0, column: 0, rowCount: 181, columnCount: 3 } });
    excel.install();
    const got = await readSelectedRange();
    expect(got.address).toBe("Data!A1:C181");
    expect(got.values).toEqual(sleepData);
  });

  it("clips a selection of whole columns to the used range", async () => {
    const excel = new FakeExcel({ sheets: [{ name: "My data", values: sleepData }], selection: { row: 0, column: 1, rowCount: 1_048_576, columnCount: 4 } });
    excel.install();
    const got = await readSelectedRange();
    expect(got.address).toBe("'My data'!B1:C181");
    expect(got.values).toEqual(sleepData.map((row) => row.slice(1)));
    expect(excel.loads.every((r) => r.rowCount * r.columnCount <= 10_000)).toBe(true);
  });

  it("reads a large used range in blocks", async () => {
    const big = [["y", "x", "g"], ...Array.from({ length: 12_000 }, (_, i) => [i * 0.5, i % 7, `g${i % 50}`])];
    const excel = new FakeExcel({ sheets: [{ name: "Sheet1", values: big }] });
    excel.install();
    const got = await readUsedRange();
    expect(got.address).toBe("Sheet1!A1:C12001");
    expect(got.values).toEqual(big);
    expect(excel.loads.length).toBeGreaterThan(3);
    expect(excel.loads.every((r) => r.rowCount * r.columnCount <= 10_000)).toBe(true);
  });

  it("reads rows wider than a block in pieces of columns, and puts them back together", async () => {
    const wide = Array.from({ length: 4 }, (_, r) => Array.from({ length: 25 }, (_, c) => (r === 0 ? `c${c}` : r * 100 + c)));
    const excel = new FakeExcel({ sheets: [{ name: "Sheet1", values: wide }] });
    excel.install();
    const got = await readUsedRange({ maxCells: 10 });
    expect(got.values).toEqual(wide);
    expect(excel.loads).toHaveLength(12); // 4 rows × (10 + 10 + 5 columns)
    expect(excel.loads.every((r) => r.rowCount === 1 && r.columnCount <= 10)).toBe(true);
  });

  it("explains a selection of several areas", async () => {
    const excel = new FakeExcel({ sheets: [{ name: "Sheet1", values: sleepData }], selectionError: "InvalidSelection" });
    excel.install();
    const err = await readSelectedRange().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HlmError);
    expect((err as HlmError).code).toBe("DATA");
    expect((err as HlmError).message).toMatch(/Select one block of cells/);
  });
});
