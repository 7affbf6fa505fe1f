/**
 * Splitting large reads and writes into blocks, one `context.sync` each, so that no request or
 * response comes near Excel's payload limit (5 MB on the web) however many rows a table has.
 */
import type { CellRect } from "./addresses.js";

/** How much one block may hold. */
export interface BlockLimits {
  /** Cells in one block (values and number formats of a cell count once). */
  maxCells: number;
  /** An estimate of the block's JSON payload in bytes. */
  maxBytes: number;
}

/** Writes: at most 5,000 cells and about 1 MB per sync, well under Excel's 5 MB. */
export const WRITE_LIMITS: BlockLimits = { maxCells: 5_000, maxBytes: 1_000_000 };

/** Reads: at most 10,000 cells per sync (the size of what comes back is not known beforehand). */
export const READ_MAX_CELLS = 10_000;

/** The approximate JSON size of one cell value or number format. */
export function cellBytes(v: unknown): number {
  if (typeof v === "string") return v.length * 2 + 3; // quotes, a comma, room for escapes and UTF-8
  if (typeof v === "number") return 24;
  if (typeof v === "boolean") return 6;
  return 5;
}

/** A rectangle split into blocks of whole rows (and, for a row wider than `maxCells`, of columns). */
export function splitRect(rect: CellRect, maxCells: number): CellRect[] {
  const out: CellRect[] = [];
  if (rect.rowCount < 1 || rect.columnCount < 1) return out;
  if (rect.columnCount > maxCells) {
    for (let r = 0; r < rect.rowCount; r++) {
      for (let c = 0; c < rect.columnCount; c += maxCells) {
        out.push({ row: rect.row + r, column: rect.column + c, rowCount: 1, columnCount: Math.min(maxCells, rect.columnCount - c) });
      }
    }
    return out;
  }
  const rowsPer = Math.max(1, Math.floor(maxCells / rect.columnCount));
  for (let r = 0; r < rect.rowCount; r += rowsPer) {
    out.push({ row: rect.row + r, column: rect.column, rowCount: Math.min(rowsPer, rect.rowCount - r), columnCount: rect.columnCount });
  }
  return out;
}

/** Cells to write at a place: values and (optionally) number formats of the same shape. */
export interface WritePiece {
  row: number;
  column: number;
  values: (string | number | boolean)[][];
  numberFormat?: string[][];
}

/** The estimated bytes of one row of values and its number formats. */
function rowBytes(values: readonly unknown[], formats: readonly unknown[] | undefined): number {
  let bytes = 0;
  for (const v of values) bytes += cellBytes(v);
  if (formats) for (const x of formats) bytes += cellBytes(x);
  return bytes;
}

/** The number of cells and the estimated bytes of a piece. */
export function pieceSize(p: WritePiece): { cells: number; bytes: number } {
  let cells = 0;
  let bytes = 0;
  p.values.forEach((row, r) => {
    cells += row.length;
    bytes += rowBytes(row, p.numberFormat?.[r]);
  });
  return { cells, bytes };
}

/**
 * Splits a piece into pieces within the limits: runs of whole rows, and a row that alone is too
 * large into runs of columns.
 */
export function splitPiece(p: WritePiece, limits: BlockLimits = WRITE_LIMITS): WritePiece[] {
  return [...pieceParts(p, limits)];
}

/** The parts of `splitPiece`, one at a time (each row is measured when the part it goes in is asked for). */
function* pieceParts(p: WritePiece, limits: BlockLimits): Generator<WritePiece> {
  let start = 0;
  let cells = 0;
  let bytes = 0;
  for (let r = 0; r < p.values.length; r++) {
    const values = p.values[r]!;
    const size = { cells: values.length, bytes: rowBytes(values, p.numberFormat?.[r]) };
    if (size.cells > limits.maxCells || size.bytes > limits.maxBytes) {
      if (r > start) yield slice(p, start, r, 0, Infinity);
      yield* splitRow(p, r, limits);
      start = r + 1;
      cells = 0;
      bytes = 0;
      continue;
    }
    if (r > start && (cells + size.cells > limits.maxCells || bytes + size.bytes > limits.maxBytes)) {
      yield slice(p, start, r, 0, Infinity);
      start = r;
      cells = 0;
      bytes = 0;
    }
    cells += size.cells;
    bytes += size.bytes;
  }
  if (p.values.length > start) yield slice(p, start, p.values.length, 0, Infinity);
}

/** Rows [r0, r1) and columns [c0, c1) of a piece, placed where they belong. */
function slice(p: WritePiece, r0: number, r1: number, c0: number, c1: number): WritePiece {
  const values = p.values.slice(r0, r1).map((row) => row.slice(c0, c1));
  const piece: WritePiece = { row: p.row + r0, column: p.column + c0, values };
  if (p.numberFormat) piece.numberFormat = p.numberFormat.slice(r0, r1).map((row) => row.slice(c0, c1));
  return piece;
}

/** One row of a piece cut into runs of columns within the limits. */
function splitRow(p: WritePiece, r: number, limits: BlockLimits): WritePiece[] {
  const out: WritePiece[] = [];
  const row = p.values[r]!;
  const fmt = p.numberFormat?.[r];
  let c0 = 0;
  let bytes = 0;
  for (let c = 0; c < row.length; c++) {
    const b = cellBytes(row[c]) + (fmt ? cellBytes(fmt[c]) : 0);
    if (c > c0 && (c - c0 + 1 > limits.maxCells || bytes + b > limits.maxBytes)) {
      out.push(slice(p, r, r + 1, c0, c));
      c0 = c;
      bytes = 0;
    }
    bytes += b;
  }
  out.push(slice(p, r, r + 1, c0, row.length));
  return out;
}

/**
 * Pieces packed into batches, one `context.sync` each: every piece is first split to fit the limits,
 * then consecutive pieces share a batch while the batch stays within the limits.
 */
export function packBatches(pieces: readonly WritePiece[], limits: BlockLimits = WRITE_LIMITS): WritePiece[][] {
  return [...batches(pieces, limits)];
}

/**
 * The batches of `packBatches`, one at a time: a piece is split when its first batch is asked for,
 * so that the work of cutting a large table spreads over the syncs that send it.
 */
export function* batches(pieces: readonly WritePiece[], limits: BlockLimits = WRITE_LIMITS): Generator<WritePiece[]> {
  let current: WritePiece[] = [];
  let cells = 0;
  let bytes = 0;
  for (const piece of pieces) {
    for (const part of pieceParts(piece, limits)) {
      const size = pieceSize(part);
      if (current.length > 0 && (cells + size.cells > limits.maxCells || bytes + size.bytes > limits.maxBytes)) {
        yield current;
        current = [];
        cells = 0;
        bytes = 0;
      }
      current.push(part);
      cells += size.cells;
      bytes += size.bytes;
    }
  }
  if (current.length > 0) yield current;
}
