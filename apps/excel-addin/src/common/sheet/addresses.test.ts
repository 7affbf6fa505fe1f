/** A1-style addresses without Office (`addresses.ts`): indexes and addresses, sheet names in addresses, rectangles. */
import { describe, expect, it } from "vitest";
import { cellAddress, columnIndex, intersectRects, quoteSheetName, rangeAddress, rectAddress, splitSheet, topLeft } from "./addresses.js";

describe("addresses", () => {
  it("converts between indexes and A1 addresses", () => {
    expect(columnIndex("A")).toBe(0);
    expect(columnIndex("z")).toBe(25);
    expect(columnIndex("AA")).toBe(26);
    expect(columnIndex("XFD")).toBe(16383);
    expect(cellAddress(0, 0)).toBe("A1");
    expect(cellAddress(1, 27)).toBe("AB2");
    expect(rangeAddress(1, 0, 3, 2)).toBe("A2:B4");
    expect(rangeAddress(4, 3, 1, 1)).toBe("D5");
    expect(() => rangeAddress(0, 0, 0, 1)).toThrow(RangeError);
  });

  it("reads the top-left cell of the addresses Excel gives", () => {
    expect(topLeft("Sheet1!A1:D12975")).toEqual({ row: 0, column: 0 });
    expect(topLeft("'My data'!$C$5:$F$9")).toEqual({ row: 4, column: 2 });
    expect(topLeft("Sheet1!B:D")).toEqual({ row: 0, column: 1 });
    expect(topLeft("Sheet1!3:7")).toEqual({ row: 2, column: 0 });
    expect(topLeft("E7")).toEqual({ row: 6, column: 4 });
    expect(topLeft("'It''s!'!AB10")).toEqual({ row: 9, column: 27 });
    expect(() => topLeft("Sheet1!")).toThrow(RangeError);
  });

  it("splits, quotes and joins sheet names", () => {
    expect(splitSheet("'It''s'!A1:B2")).toEqual({ sheet: "It's", cells: "A1:B2" });
    expect(splitSheet("A1")).toEqual({ sheet: null, cells: "A1" });
    expect(quoteSheetName("Sheet1")).toBe("Sheet1");
    expect(quoteSheetName("My data")).toBe("'My data'");
    expect(quoteSheetName("AB12")).toBe("'AB12'");
    expect(rectAddress("My data", { row: 1, column: 1, rowCount: 2, columnCount: 3 })).toBe("'My data'!B2:D3");
  });

  it("intersects rectangles", () => {
    const a = { row: 0, column: 0, rowCount: 1_048_576, columnCount: 4 }; // A:D
    const used = { row: 0, column: 0, rowCount: 181, columnCount: 3 };
    expect(intersectRects(a, used)).toEqual({ row: 0, column: 0, rowCount: 181, columnCount: 3 });
    expect(intersectRects({ row: 200, column: 0, rowCount: 5, columnCount: 5 }, used)).toBeNull();
  });
});
