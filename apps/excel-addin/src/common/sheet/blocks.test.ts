/** Reads and writes cut into blocks within Excel's payload limits (`blocks.ts`). */
import { describe, expect, it } from "vitest";
import { packBatches, pieceSize, splitPiece, splitRect, WRITE_LIMITS, type WritePiece } from "./blocks.js";

describe("blocks", () => {
  it("splits a rectangle into blocks of whole rows within the cell limit", () => {
    const blocks = splitRect({ row: 10, column: 2, rowCount: 12_000, columnCount: 6 }, 5_000);
    expect(blocks.every((b) => b.rowCount * b.columnCount <= 5_000)).toBe(true);
    expect(blocks.reduce((s, b) => s + b.rowCount, 0)).toBe(12_000);
    expect(blocks[0]).toEqual({ row: 10, column: 2, rowCount: 833, columnCount: 6 });
    expect(blocks.at(-1)!.row + blocks.at(-1)!.rowCount).toBe(12_010);
    const wide = splitRect({ row: 0, column: 0, rowCount: 2, columnCount: 12 }, 5);
    expect(wide).toHaveLength(6);
    expect(wide.every((b) => b.rowCount === 1 && b.columnCount <= 5)).toBe(true);
  });

  it("splits a piece by cells and by bytes, and packs small pieces together", () => {
    const values = Array.from({ length: 12_000 }, (_, r) => [r, r * 2, `level ${r}`, 1.5, "", true]);
    const piece: WritePiece = { row: 1, column: 0, values, numberFormat: values.map(() => Array<string>(6).fill("0.00")) };
    const parts = splitPiece(piece);
    expect(parts.length).toBeGreaterThan(2);
    for (const p of parts) {
      const size = pieceSize(p);
      expect(size.cells).toBeLessThanOrEqual(WRITE_LIMITS.maxCells);
      expect(size.bytes).toBeLessThanOrEqual(WRITE_LIMITS.maxBytes);
    }
    expect(parts.flatMap((p) => p.values)).toEqual(values);
    expect(parts.map((p) => p.row)).toEqual(parts.map((_, i) => 1 + parts.slice(0, i).reduce((s, q) => s + q.values.length, 0)));

    const longText = Array.from({ length: 100 }, () => ["x".repeat(20_000)]);
    const byBytes = splitPiece({ row: 0, column: 0, values: longText });
    expect(byBytes.length).toBeGreaterThan(1);
    expect(byBytes.every((p) => pieceSize(p).bytes <= WRITE_LIMITS.maxBytes)).toBe(true);

    const small: WritePiece[] = [
      { row: 0, column: 0, values: [["Title"]] },
      { row: 1, column: 0, values: [["a", "b"], [1, 2]] },
    ];
    expect(packBatches(small)).toEqual([small]);
  });

  it("cuts a row wider than the limit into runs of columns", () => {
    const row = Array.from({ length: 12 }, (_, i) => i);
    const parts = splitPiece({ row: 3, column: 1, values: [row] }, { maxCells: 5, maxBytes: 1e9 });
    expect(parts.map((p) => [p.row, p.column, p.values[0]!.length])).toEqual([
      [3, 1, 5],
      [3, 6, 5],
      [3, 11, 2],
    ]);
  });
});
