import { tableFromRows } from "@hlm/core";
import { describe, expect, it } from "vitest";
import { datasetRange } from "../../test/conformanceRange.js";
import { rangeToTable } from "../common/rangeToTable.js";
import { packTable, unpackTable } from "./packedTable.js";
import { TableLoads } from "./tableLoads.js";

describe("packTable / unpackTable", () => {
  it("round-trips a table: numeric columns as they are, text columns as codes and labels", () => {
    const table = tableFromRows(
      ["y", "g", "h"],
      [
        [1.5, "b", "x"],
        [null, "a", ""],
        [3, "b", "x"],
        [4, "", "NA"],
      ],
    );
    const { table: packed, transfer } = packTable(table);
    const g = packed.columns[1]!;
    expect(g).toMatchObject({ kind: "string", name: "g", levels: ["b", "a"] });
    expect(g.kind === "string" && [...g.codes]).toEqual([0, 1, 0, -1]);
    expect(packed.columns[0]).toBe(table.columns[0]);
    expect(transfer).toHaveLength(4); // y's values and missing flags, g's and h's codes
    expect(unpackTable(structuredClone(packed))).toEqual(table);
  });
  it("keeps sleepstudy as rangeToTable makes it", () => {
    const table = rangeToTable(datasetRange("sleepstudy"));
    expect(unpackTable(packTable(table).table)).toEqual(table);
  });
});

describe("TableLoads (the worker's side of reading a range)", () => {
  const cells = datasetRange("sleepstudy");
  it("makes the table of the chunks, as rangeToTable does", () => {
    const loads = new TableLoads();
    for (let i = 0; i < cells.length; i += 50) loads.add({ type: "rows", id: 3, rows: cells.slice(i, i + 50) });
    const { reply, transfer } = loads.finish({ type: "makeTable", id: 3, what: "selection" });
    if (reply.type !== "tableReady") throw new Error(reply.message);
    expect(unpackTable(reply.table)).toEqual(rangeToTable(cells));
    expect(transfer.length).toBeGreaterThan(0);
  });
  it("answers with rangeToTable's sentence when the cells are no table", () => {
    const loads = new TableLoads();
    loads.add({ type: "rows", id: 1, rows: [["Reaction", "Days"]] });
    expect(loads.finish({ type: "makeTable", id: 1, what: "selection" }).reply).toEqual({
      type: "tableFailed",
      id: 1,
      code: "DATA",
      message: "The selection has only its header row (Reaction, Days); it needs data rows below the header.",
    });
    expect(loads.finish({ type: "makeTable", id: 2, what: "used range" }).reply).toMatchObject({ type: "tableFailed", code: "DATA", message: expect.stringMatching(/^The used range is empty/) });
  });
  it("a new table drops the rows of an earlier one", () => {
    const loads = new TableLoads();
    loads.add({ type: "rows", id: 1, rows: cells.slice(0, 10) });
    loads.add({ type: "rows", id: 2, rows: cells.slice(0, 5) });
    expect(loads.finish({ type: "makeTable", id: 1, what: "selection" }).reply.type).toBe("tableFailed");
    const { reply } = loads.finish({ type: "makeTable", id: 2, what: "selection" });
    expect(reply.type === "tableReady" && reply.table.nrow).toBe(4);
  });
});
