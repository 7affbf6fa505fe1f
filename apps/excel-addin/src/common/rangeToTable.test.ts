import { HlmError } from "@hlm/core";
import { describe, expect, it } from "vitest";
import { checkErrorCells, columnLetter, rangeRows, rangeToTable } from "./rangeToTable.js";

/** The HlmError a call throws (fails the test when it throws nothing or something else). */
function errorOf(f: () => unknown): HlmError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(HlmError);
    return e as HlmError;
  }
  throw new Error("expected an HlmError");
}

describe("columnLetter", () => {
  it("names columns as Excel does", () => {
    expect([0, 1, 25, 26, 27, 51, 52, 701, 702, 16383].map(columnLetter)).toEqual(["A", "B", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA", "XFD"]);
  });
});

describe("rangeToTable", () => {
  it("types columns as the engine does: numbers, text, and '' as missing", () => {
    const t = rangeToTable([
      ["y", " school ", "x", "flag"],
      [1.5, "A", 3, true],
      [2, "B", "", false],
      ["", "A", "4.5", true],
    ]);
    expect(t.names).toEqual(["y", "school", "x", "flag"]);
    expect(t.nrow).toBe(3);
    const [y, school, x, flag] = t.columns;
    expect(y!.kind).toBe("number");
    if (y!.kind === "number") {
      expect(Array.from(y!.values.subarray(0, 2))).toEqual([1.5, 2]);
      expect(Array.from(y!.missing)).toEqual([0, 0, 1]);
    }
    expect(school).toEqual({ kind: "string", name: "school", values: ["A", "B", "A"] });
    expect(x!.kind).toBe("number");
    if (x!.kind === "number") {
      expect(x!.values[0]).toBe(3);
      expect(x!.values[2]).toBe(4.5);
      expect(x!.missing[1]).toBe(1);
    }
    expect(flag).toEqual({ kind: "string", name: "flag", values: ["true", "false", "true"] });
  });

  it("leaves out blank rows at the bottom and blank columns at the right of a generous selection", () => {
    const t = rangeToTable([
      ["y", "g", "", ""],
      [1, "a", "", ""],
      [2, "b", "", " "],
      ["", "", "", ""],
      ["", "", "", ""],
    ]);
    expect(t.names).toEqual(["y", "g"]);
    expect(t.nrow).toBe(2);
  });

  it("notes the first Excel error of each column (#N/A too), the cell reading as empty", () => {
    const { rows, layout } = rangeRows([
      ["y", "g", "note"],
      [1, "a", "#DIV/0!"],
      ["#N/A", "b", "#VALUE!"],
      [{ code: "#REF!", message: "as a worksheet function gets it" }, "c", ""],
    ]);
    expect(rows).toEqual([
      [1, "a", ""],
      ["", "b", ""],
      ["", "c", ""],
    ]);
    expect(layout.errors).toEqual([
      { column: "y", cell: "A3", error: "#N/A" },
      { column: "note", cell: "C2", error: "#DIV/0!" },
    ]);
    // text that merely starts with # is text
    expect(rangeRows([["tag"], ["#1"], ["#hashtag"]]).layout.errors).toBeUndefined();
  });

  it("refuses an empty range", () => {
    for (const values of [[], [[]], [[""]], [["", ""], ["", ""]], null, "A1:B2"]) {
      const e = errorOf(() => rangeToTable(values));
      expect(e.code).toBe("DATA");
      expect(e.message).toBe("The data range is empty: select the data with a header row that names the columns (for example A1:D200).");
    }
  });

  it("refuses a header without data rows", () => {
    const e = errorOf(() => rangeToTable([["score", "ses", "school"]]));
    expect(e.message).toBe("The data range has only its header row (score, ses, school); it needs data rows below the header.");
    expect(errorOf(() => rangeToTable([["score", "ses"], ["", ""]], { what: "new data range" })).message).toBe(
      "The new data range has only its header row (score, ses); it needs data rows below the header.",
    );
  });

  it("names the column letter of a blank header cell", () => {
    const values = [
      ["score", "ses", "", "school"],
      [1, 2, 3, "a"],
    ];
    const e = errorOf(() => rangeToTable(values));
    expect(e.code).toBe("DATA");
    expect(e.message).toBe("Column C has no name: the header cell C1 is blank, and every column of the data range needs a name in its first row.");
    // the same range placed at Z5 on the sheet: its third column is AB
    expect(errorOf(() => rangeToTable(values, { firstRow: 4, firstColumn: 25 })).message).toBe(
      "Column AB has no name: the header cell AB5 is blank, and every column of the data range needs a name in its first row.",
    );
  });

  it("names both columns of a repeated header", () => {
    const wide = [["y", ...Array.from({ length: 26 }, (_, k) => `x${k}`), "y"], Array<number>(28).fill(1)];
    expect(errorOf(() => rangeToTable(wide)).message).toBe("The column name 'y' appears twice in the header of the data range (columns A and AB).");
  });

  it("refuses an Excel error in a column the model uses, naming its cell on the sheet", () => {
    const { layout } = rangeRows(
      [
        ["y", "x", "note"],
        [1, 2, "#VALUE!"],
        [3, "#DIV/0!", "ok"],
      ],
      { firstRow: 9, firstColumn: 2 },
    );
    expect(() => checkErrorCells(layout, ["y"])).not.toThrow(); // y is clean
    const e = errorOf(() => checkErrorCells(layout, ["y", "x"]));
    expect(e.message).toBe("Cell D12 (column 'x') holds the Excel error #DIV/0!; correct it, or clear the cell if the value is missing.");
    expect(e.details).toEqual({ column: "x", row: 12 });
    expect(errorOf(() => checkErrorCells(layout, ["note"])).message).toMatch(/^Cell E11 \(column 'note'\) holds the Excel error #VALUE!/);
    expect(errorOf(() => rangeRows([["y", "#NAME?"], [1, 2]])).message).toBe(
      "The header cell B1 holds the Excel error #NAME?; the first row of the data range must name the columns.",
    );
  });

  it("gives the rows of the range as they are, without copying clean rows", () => {
    const row = [1, "a"];
    const { header, rows } = rangeRows([["y", "g"], row]);
    expect(header).toEqual(["y", "g"]);
    expect(rows[0]).toBe(row);
  });
});
