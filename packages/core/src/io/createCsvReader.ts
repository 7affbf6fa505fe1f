/**
 * A streaming CSV reader for data tables (RFC 4180 style), pure: it is fed the text as strings, in
 * pieces of any size split anywhere, and gives the same table (or the same error) as the whole text.
 *
 * - The first non-empty line is the header; names are unquoted and trimmed, and unique. A column
 *   without a name is left out when it has no values (a trailing delimiter on every line), and is an
 *   error when it has some.
 * - Fields may be quoted with `"`; inside quotes `""` is a quote, and delimiters and line breaks are data.
 * - Line ends may be LF, CRLF (or a lone CR); a leading UTF-8 BOM is dropped; empty lines at the end are ignored.
 * - Fields are trimmed (spaces and tabs, unless that character is the delimiter). An empty field or the
 *   text `NA` (quoted or not) is missing.
 * - A column is numeric when every non-missing field is a finite decimal number (`1`, `-2.5`, `1e-3`,
 *   `.5`, `+3`, `5.`); otherwise it is a string column holding the unquoted, trimmed text.
 *
 * Line numbers in error messages are physical lines of the text (the header is line 1 unless empty
 * lines precede it), so they match what an editor shows. The table's `firstRow` is the header's line
 * plus one: the model's messages number rows as a spreadsheet shows the file (a record per row).
 *
 * Memory: the reader keeps only the text of the record it has not finished yet. Fields become numbers
 * as they are read, in growable Float64Arrays; of those, only the texts that String(number) would not
 * give back (`1.50`, `007`, `1e-3`) are kept, packed, so that a column that turns out to be a string
 * column (a later field is not a number) still holds its earlier fields' exact text. String columns
 * share one string per distinct value (up to a limit).
 */
import { HlmError } from "../HlmError.js";
import { NOT_A_NUMBER, NUMBER, readDecimal } from "./parseDecimal.js";
import type { Column, Table } from "./Table.js";

export interface ReadCsvOptions {
  /** Field separator, one character. Default: detected from the header line (',' ';' or tab). */
  delimiter?: string;
}

/** A CSV reader that is given the text piece by piece. */
export interface CsvReader {
  /** Reads the next piece of the text. Throws HlmError as soon as the text read so far is malformed. */
  push(chunk: string): void;
  /** Ends the text and returns its table. Throws HlmError for malformed text. */
  finish(): Table;
}

/** A reader for one CSV text, given in pieces with push() and ended with finish(). */
export function createCsvReader(options?: ReadCsvOptions): CsvReader {
  return new StreamingCsvReader(options?.delimiter);
}

const QUOTE = 34;
const CR = 13;
const LF = 10;
const SPACE = 32;
const TAB = 9;
const COMMA = 44;
const SEMICOLON = 59;

/** What readRecord returns when the text ends inside the record and more text may come. */
const NEED_MORE = -1;

/**
 * A copy of s that shares no memory with a longer string. V8 makes substrings of 13 or more characters
 * views of their parent, so a kept field would keep its whole chunk of the text alive.
 */
function detach(s: string): string {
  return s.length < 13 ? s : (" " + s).slice(1);
}

/** The text of a field that needed unescaping: raw region [open, end) starting at its opening quote. */
function unquote(text: string, open: number, end: number): string {
  let out = "";
  let i = open + 1;
  for (;;) {
    const j = text.indexOf('"', i);
    if (j < 0 || j >= end) {
      // Cannot happen for regions made by the tokenizer (the closing quote was seen); be safe.
      out += text.slice(i, end);
      break;
    }
    out += text.slice(i, j);
    if (j + 1 < end && text.charCodeAt(j + 1) === QUOTE) {
      out += '"';
      i = j + 2;
    } else {
      out += text.slice(j + 1, end); // text after the closing quote is kept as it is
      break;
    }
  }
  return out.trim();
}

const plural = (k: number, one: string, many: string): string => `${k} ${k === 1 ? one : many}`;

/**
 * Splits the text into records of fields, appending each field to a batch as [start, end) offsets
 * into the text; a field that needs unescaping (`""` inside quotes, or text after the closing quote)
 * is stored as (~openingQuoteOffset, end) so that its start is negative.
 */
class Tokenizer {
  text = "";
  n = 0;
  pos = 0;
  /** The physical line at pos (1-based). */
  line = 1;
  /** The delimiter's character code; -1 until it is known. */
  delim = -1;
  starts = new Int32Array(4096);
  ends = new Int32Array(4096);
  /** The number of fields in the batch. */
  len = 0;
  /** Whether the last record was an empty (or white-space only) line. */
  blank = false;
  private ws1 = SPACE;
  private ws2 = TAB;

  setDelimiter(delim: number): void {
    this.delim = delim;
    this.ws1 = delim === SPACE ? -2 : SPACE;
    this.ws2 = delim === TAB ? -2 : TAB;
  }

  /** Continues on `text` (what is left of the previous text, then the new pieces) from its start. */
  setText(text: string): void {
    this.text = text;
    this.n = text.length;
    this.pos = 0;
  }

  private grow(): void {
    const cap = this.starts.length * 2;
    const s = new Int32Array(cap);
    s.set(this.starts);
    const e = new Int32Array(cap);
    e.set(this.ends);
    this.starts = s;
    this.ends = e;
  }

  /**
   * Reads the record at this.pos, appends its fields to the batch and returns how many there were.
   * When the text ends before the record is known to end and `atEnd` is false, returns NEED_MORE and
   * leaves pos, line and the batch as they were.
   */
  readRecord(atEnd: boolean): number {
    const text = this.text;
    const n = this.n;
    const D = this.delim;
    const W1 = this.ws1;
    const W2 = this.ws2;
    const line0 = this.line;
    let starts = this.starts;
    let ends = this.ends;
    let pos = this.pos;
    let len = this.len;
    let nf = 0;
    let firstEmpty = false;
    for (;;) {
      let c = pos < n ? text.charCodeAt(pos) : -1;
      while (c === W1 || c === W2) {
        pos++;
        c = pos < n ? text.charCodeAt(pos) : -1;
      }
      if (c === -1 && !atEnd) break;
      let s: number;
      let e: number;
      if (c === QUOTE) {
        const open = pos;
        const quoteLine = this.line;
        let complex = false;
        pos++;
        for (;;) {
          if (pos >= n) {
            if (!atEnd) break;
            throw new HlmError("DATA", `Line ${quoteLine} has a quote (") that is never closed.`, { row: quoteLine });
          }
          c = text.charCodeAt(pos);
          if (c === QUOTE) {
            if (pos + 1 < n) {
              if (text.charCodeAt(pos + 1) === QUOTE) {
                complex = true;
                pos += 2;
                continue;
              }
            } else if (!atEnd) {
              pos = n; // a doubled quote may follow
              break;
            }
            break;
          }
          if (c === LF) {
            this.line++;
          } else if (c === CR) {
            if (pos + 1 < n) {
              if (text.charCodeAt(pos + 1) !== LF) this.line++;
            } else if (!atEnd) {
              pos = n; // an LF may follow
              break;
            } else {
              this.line++;
            }
          }
          pos++;
        }
        if (pos >= n) break; // (only when more may come: at the end, an open quote has thrown)
        const close = pos;
        pos++;
        c = pos < n ? text.charCodeAt(pos) : -1;
        while (c === W1 || c === W2) {
          pos++;
          c = pos < n ? text.charCodeAt(pos) : -1;
        }
        if (c === -1 && !atEnd) break;
        if (c !== D && c !== LF && c !== CR && c !== -1) {
          // Text after the closing quote: keep it (lenient, like spreadsheet programs).
          complex = true;
          while (pos < n) {
            c = text.charCodeAt(pos);
            if (c === D || c === LF || c === CR) break;
            pos++;
          }
          if (pos >= n && !atEnd) break;
        }
        if (complex) {
          s = ~open;
          e = pos;
        } else {
          s = open + 1;
          e = close;
          while (s < e && ((c = text.charCodeAt(s)) === SPACE || c === TAB)) s++;
          while (e > s && ((c = text.charCodeAt(e - 1)) === SPACE || c === TAB)) e--;
        }
      } else {
        s = pos;
        while (pos < n) {
          c = text.charCodeAt(pos);
          if (c === D || c === LF || c === CR) break;
          pos++;
        }
        if (pos >= n && !atEnd) break;
        e = pos;
        while (e > s && ((c = text.charCodeAt(e - 1)) === W1 || c === W2)) e--;
        if (nf === 0 && s === e) firstEmpty = true;
      }
      if (len === starts.length) {
        this.grow();
        starts = this.starts;
        ends = this.ends;
      }
      starts[len] = s;
      ends[len] = e;
      len++;
      nf++;
      if (pos >= n) {
        // The end of the text ends the record.
        this.pos = pos;
        this.len = len;
        this.blank = nf === 1 && firstEmpty;
        return nf;
      }
      c = text.charCodeAt(pos);
      if (c === D) {
        pos++;
        continue;
      }
      // End of line.
      if (c === CR) {
        if (pos + 1 < n) pos += text.charCodeAt(pos + 1) === LF ? 2 : 1;
        else if (!atEnd) break; // an LF may follow
        else pos++;
      } else {
        pos++;
      }
      this.line++;
      this.pos = pos;
      this.len = len;
      this.blank = nf === 1 && firstEmpty;
      return nf;
    }
    // The text ended inside the record: read it again when more text has come.
    this.line = line0;
    return NEED_MORE;
  }

  /** The text of field k of the batch. */
  fieldText(k: number): string {
    const s = this.starts[k]!;
    return s < 0 ? unquote(this.text, ~s, this.ends[k]!) : this.text.slice(s, this.ends[k]!);
  }
}

/**
 * Counts ',', ';' and tabs outside quotes on the line starting at `start`; the most frequent wins.
 * Returns -1 when the text ends before the line does and `atEnd` is false.
 */
function detectDelimiter(text: string, start: number, atEnd: boolean): number {
  let comma = 0;
  let semi = 0;
  let tab = 0;
  let inQuotes = false;
  let i = start;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) inQuotes = !inQuotes;
    else if (inQuotes) continue;
    else if (c === LF || c === CR) break;
    else if (c === COMMA) comma++;
    else if (c === SEMICOLON) semi++;
    else if (c === TAB) tab++;
  }
  if (i === text.length && !atEnd) return -1;
  if (semi > comma && semi >= tab) return SEMICOLON;
  if (tab > comma && tab > semi) return TAB;
  return COMMA;
}

/**
 * Checks header names: none blank (unless `allowBlank`: the caller drops such columns when they are
 * empty), none twice. `where(j)` adds where column j is to the message.
 */
export function checkNames(names: string[], where: (j: number) => string, row: number, allowBlank = false): void {
  const seen = new Map<string, number>();
  for (let j = 0; j < names.length; j++) {
    const name = names[j]!;
    if (name === "") {
      if (allowBlank) continue;
      throw new HlmError("DATA", `Column ${j + 1} has no name in the header${where(j)}.`, { row });
    }
    const first = seen.get(name);
    if (first !== undefined) {
      throw new HlmError(
        "DATA",
        `The column name "${name}" appears twice in the header (columns ${first + 1} and ${j + 1}).`,
        { column: name, row },
      );
    }
    seen.set(name, j);
  }
}

/** Whether a field's text means a missing value: empty or `NA`. */
export function isNA(t: string): boolean {
  return t === "" || t === "NA";
}

/**
 * Distinct strings, looked up by the characters of a piece of some text without slicing it (open
 * addressing, FNV-1a hash). Stops remembering new values after LIMIT distinct ones (then it just copies).
 */
class StringPool {
  private static readonly LIMIT = 1 << 16;
  private slots = new Int32Array(1024); // entry index + 1, 0 = empty
  private hashes: number[] = [];
  private values: string[] = [];

  /** The string t[s, e): the pooled one when it has been seen before. */
  get(t: string, s: number, e: number): string {
    let h = 0x811c9dc5;
    for (let i = s; i < e; i++) h = Math.imul(h ^ t.charCodeAt(i), 16777619);
    const slots = this.slots;
    const mask = slots.length - 1;
    const len = e - s;
    let slot = h & mask;
    for (;;) {
      const id = slots[slot]!;
      if (id === 0) break;
      const q = id - 1;
      if (this.hashes[q] === h) {
        const v = this.values[q]!;
        if (v.length === len) {
          let i = 0;
          while (i < len && t.charCodeAt(s + i) === v.charCodeAt(i)) i++;
          if (i === len) return v;
        }
      }
      slot = (slot + 1) & mask;
    }
    const value = detach(t.slice(s, e));
    const count = this.values.length;
    if (count < StringPool.LIMIT) {
      slots[slot] = count + 1;
      this.hashes.push(h);
      this.values.push(value);
      if ((count + 1) * 2 > slots.length) this.rehash();
    }
    return value;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let q = 0; q < this.values.length; q++) {
      let slot = this.hashes[q]! & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = q + 1;
    }
    this.slots = slots;
  }
}

/**
 * The texts of a numeric column's values that String(value) would not give back exactly (`1.50`,
 * `007`, `1e-3`), by row. Such texts are made of digits, signs, `.`, `e` and `E` only, so they are
 * stored as bytes, each followed by a comma: one byte per character, and no string per value.
 */
class ExactTexts {
  rows = new Int32Array(16);
  count = 0;
  private bytes = new Uint8Array(64);
  private size = 0;

  /** Adds the text t[s, e) of the value in `row`. */
  add(row: number, t: string, s: number, e: number): void {
    if (this.count === this.rows.length) {
      const rows = new Int32Array(this.rows.length * 2);
      rows.set(this.rows);
      this.rows = rows;
    }
    this.rows[this.count++] = row;
    const need = this.size + (e - s) + 1;
    if (need > this.bytes.length) {
      let cap = this.bytes.length * 2;
      while (cap < need) cap *= 2;
      const bytes = new Uint8Array(cap);
      bytes.set(this.bytes.subarray(0, this.size));
      this.bytes = bytes;
    }
    const bytes = this.bytes;
    let size = this.size;
    for (let i = s; i < e; i++) bytes[size++] = t.charCodeAt(i);
    bytes[size++] = COMMA;
    this.size = size;
  }

  /** All texts, in the order they were added. */
  texts(): string[] {
    const out: string[] = [];
    const bytes = this.bytes;
    let start = 0;
    for (let i = 0; i < this.size; i++) {
      if (bytes[i] !== COMMA) continue;
      let t = "";
      for (let j = start; j < i; j += 4096) t += String.fromCharCode(...bytes.subarray(j, Math.min(i, j + 4096)));
      out.push(t);
      start = i + 1;
    }
    return out;
  }
}

/** The most values in one block of a string column. */
const BLOCK_STRINGS = 1 << 16;

/**
 * One column as it is read: numbers while every field is a number (or missing), else strings. The
 * numbers go into arrays that double when full, and the table gets views of their first nrow values:
 * not a copy, which would double the memory the columns need just when it is largest. (The unused
 * rest of a buffer is never written, so it takes address space and, in practice, little memory.)
 */
class ColumnBuilder {
  /** The number of values so far. */
  private n = 0;
  private numeric = true;
  private values = new Float64Array(256);
  private missing = new Uint8Array(256);
  private exact = new ExactTexts();
  /**
   * For a string column: full blocks of values, the block being filled (made at its full size, so
   * that it never grows) and how much of it is used, and the pool of the distinct strings.
   */
  private stringBlocks: (string | null)[][] = [];
  private strings: (string | null)[] = [];
  private usedStrings = 0;
  private pool: StringPool | null = null;

  constructor(private readonly name: string) {}

  /**
   * Adds `count` fields of a batch: starts/ends[first + r * stride] for r < count (the tokenizer's
   * offsets into `text`: a negative start for a field to unescape).
   */
  addFields(text: string, starts: Int32Array, ends: Int32Array, first: number, stride: number, count: number): void {
    let r = 0;
    let k = first;
    if (this.numeric) {
      if (this.n + count > this.values.length) this.grow(this.n + count);
      const values = this.values;
      const missing = this.missing;
      let n = this.n;
      for (; r < count; r++, k += stride) {
        const s = starts[k]!;
        const e = ends[k]!;
        let status: number;
        if (s < 0) {
          const t = unquote(text, ~s, e);
          if (isNA(t)) {
            values[n] = NaN;
            missing[n++] = 1;
            continue;
          }
          status = readDecimal(t, 0, t.length, values, n);
          if (status === NOT_A_NUMBER) break;
          if (status === NUMBER) this.exact.add(n, t, 0, t.length);
        } else {
          if (e === s || (e - s === 2 && text.charCodeAt(s) === 78 && text.charCodeAt(s + 1) === 65)) {
            values[n] = NaN;
            missing[n++] = 1;
            continue;
          }
          status = readDecimal(text, s, e, values, n);
          if (status === NOT_A_NUMBER) break;
          if (status === NUMBER) this.exact.add(n, text, s, e);
        }
        n++;
      }
      this.n = n;
      if (r === count) return;
      this.toStrings(); // field r is not a number
    }
    // Grouping columns repeat a few values many times: the pool shares one string per distinct value.
    const pool = this.pool!;
    for (; r < count; r++, k += stride) {
      const s = starts[k]!;
      const e = ends[k]!;
      let value: string | null;
      if (s < 0) {
        const t = unquote(text, ~s, e);
        value = isNA(t) ? null : pool.get(t, 0, t.length);
      } else if (e === s || (e - s === 2 && text.charCodeAt(s) === 78 && text.charCodeAt(s + 1) === 65)) {
        value = null;
      } else {
        value = pool.get(text, s, e);
      }
      this.pushString(value);
    }
  }

  /** Adds a value to a string column. */
  private pushString(value: string | null): void {
    if (this.usedStrings === this.strings.length) {
      if (this.usedStrings > 0) this.stringBlocks.push(this.strings);
      this.strings = new Array<string | null>(Math.min(BLOCK_STRINGS, Math.max(256, this.strings.length * 2)));
      this.usedStrings = 0;
    }
    this.strings[this.usedStrings++] = value;
    this.n++;
  }

  /** Makes room for `size` numbers. */
  private grow(size: number): void {
    let cap = this.values.length * 2;
    while (cap < size) cap *= 2;
    const values = new Float64Array(cap);
    values.set(this.values.subarray(0, this.n));
    const missing = new Uint8Array(cap);
    missing.set(this.missing.subarray(0, this.n));
    this.values = values;
    this.missing = missing;
  }

  /** Makes this a string column: the values so far as their texts. */
  private toStrings(): void {
    const texts = this.exact.texts();
    const rows = this.exact.rows;
    const pool = new StringPool();
    const n = this.n;
    this.numeric = false;
    this.pool = pool;
    this.n = 0;
    let q = 0;
    for (let r = 0; r < n; r++) {
      if (this.missing[r]) {
        this.pushString(null);
      } else {
        const t = q < texts.length && rows[q] === r ? texts[q++]! : String(this.values[r]);
        this.pushString(pool.get(t, 0, t.length));
      }
    }
    this.values = new Float64Array(0);
    this.missing = new Uint8Array(0);
    this.exact = new ExactTexts();
  }

  /** The column of the first nrow values. */
  finish(nrow: number): Column {
    const name = this.name;
    if (this.numeric) {
      return { kind: "number", name, values: this.values.subarray(0, nrow), missing: this.missing.subarray(0, nrow) };
    }
    const blocks = this.stringBlocks;
    const last = this.strings;
    this.stringBlocks = [];
    this.strings = [];
    if (blocks.length === 0) {
      last.length = nrow;
      return { kind: "string", name, values: last };
    }
    blocks.push(last);
    const values = new Array<string | null>(nrow);
    let row = 0;
    for (const block of blocks) {
      for (let i = 0; i < block.length && row < nrow; i++) values[row++] = block[i] ?? null;
    }
    return { kind: "string", name, values };
  }
}

/** The first row of a column that is not missing, or -1. */
function firstValue(c: Column): number {
  if (c.kind === "number") return c.missing.indexOf(0);
  return c.values.findIndex((v) => v !== null);
}

/** How many fields the tokenizer collects before they go into the columns. */
const BATCH = 1 << 16;

const FIND_HEADER = 0;
const READ_HEADER = 1;
const READ_ROWS = 2;

class StreamingCsvReader implements CsvReader {
  private readonly tok = new Tokenizer();
  /** Pieces pushed but not read yet, and their total length. */
  private pending: string[] = [];
  private pendingLength = 0;
  /** How much new text to wait for before reading again (the length of the unfinished record). */
  private wanted = 0;
  private stage = FIND_HEADER;
  private bomChecked = false;
  private names: string[] = [];
  /** The physical line of the header (1 unless empty lines precede it). */
  private headerLine = 1;
  private columns: ColumnBuilder[] = [];
  private nrow = 0;
  /** Consecutive empty lines just read (for one-column tables they are NA rows), and the first one. */
  private trailingBlank = 0;
  private blankLine = 0;
  private done = false;
  private failure: unknown = undefined;

  constructor(private readonly delimiter: string | undefined) {}

  push(chunk: string): void {
    this.checkUsable();
    if (chunk.length === 0) return;
    this.pending.push(chunk);
    this.pendingLength += chunk.length;
    // Wait for as much new text as is left over, so that a long record is read again only a few times.
    if (this.pendingLength < this.wanted) return;
    try {
      this.read(false);
    } catch (e) {
      this.failure = e;
      throw e;
    }
  }

  finish(): Table {
    this.checkUsable();
    this.done = true;
    try {
      this.read(true);
    } catch (e) {
      this.failure = e;
      throw e;
    }
    const nrow = this.columns.length === 1 ? this.nrow - this.trailingBlank : this.nrow;
    let columns = this.columns.map((c) => c.finish(nrow));
    this.columns = [];
    this.tok.setText("");
    // Rows are numbered as a spreadsheet shows the file: the header's row, then one per record.
    const firstRow = this.headerLine + 1;
    let names = this.names;
    if (names.includes("")) {
      // A column without a name is dropped when it is empty (a trailing delimiter on every line, as
      // spreadsheet programs write for a formatted but empty column); with values it is a mistake.
      columns.forEach((c, j) => {
        if (names[j] !== "") return;
        const first = firstValue(c);
        if (first >= 0) {
          const error = new HlmError("DATA", `Column ${j + 1} has no name in the header (line ${this.headerLine}), but it has values (the first in row ${firstRow + first}); name the column or remove it.`, {
            row: firstRow + first,
          });
          this.failure = error;
          throw error;
        }
      });
      columns = columns.filter((_, j) => names[j] !== "");
      names = names.filter((name) => name !== "");
    }
    return { names, columns, nrow, firstRow };
  }

  private checkUsable(): void {
    if (this.failure !== undefined) throw this.failure;
    if (this.done) throw new HlmError("INTERNAL", "This CSV reader has finished; make a new one to read another text.");
  }

  /** Reads as far as the text allows: all of it when `atEnd`. */
  private read(atEnd: boolean): void {
    const tok = this.tok;
    if (this.pending.length > 0) {
      const rest = tok.pos < tok.n ? tok.text.slice(tok.pos) : "";
      const pending = this.pending;
      this.pending = [];
      this.pendingLength = 0;
      if (rest === "" && pending.length === 1) {
        tok.setText(pending[0]!);
      } else if (!(this.stage === READ_ROWS && pending.length === 1 && this.bridge(rest, pending[0]!))) {
        tok.setText(rest + pending.join(""));
      }
    }
    if (this.stage === FIND_HEADER && this.findHeader(atEnd)) this.stage = READ_HEADER;
    if (this.stage === READ_HEADER && this.readHeader(atEnd)) this.stage = READ_ROWS;
    if (this.stage === READ_ROWS) this.readRows(atEnd);
    this.wanted = tok.n - tok.pos;
  }

  /**
   * Reads the unfinished record `rest` on a short string, `rest` and the start of `chunk`, and moves
   * on to `chunk` after it (instead of copying all of `chunk` behind `rest`). False when the record
   * is long enough that copying is simpler.
   */
  private bridge(rest: string, chunk: string): boolean {
    const tok = this.tok;
    for (let m = Math.max(256, 2 * rest.length); m < chunk.length; m *= 2) {
      tok.setText(rest + chunk.slice(0, m));
      this.readRows(false);
      if (tok.pos > 0) {
        // The unfinished record (and maybe more) has been read; it ended in the chunk.
        const pos = tok.pos - rest.length;
        tok.setText(chunk);
        tok.pos = pos;
        return true;
      }
    }
    return false;
  }

  /** Skips the BOM and empty lines before the header; false when the text ends first (and more may come). */
  private findHeader(atEnd: boolean): boolean {
    const tok = this.tok;
    const text = tok.text;
    const n = tok.n;
    if (!this.bomChecked && n > 0) {
      if (text.charCodeAt(0) === 0xfeff) tok.pos = 1;
      this.bomChecked = true;
    }
    for (let i = tok.pos; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c === SPACE || c === TAB) continue;
      if (c === LF || c === CR) {
        if (c === CR) {
          if (i + 1 < n) {
            if (text.charCodeAt(i + 1) === LF) i++;
          } else if (!atEnd) {
            return false; // an LF may follow
          }
        }
        tok.line++;
        tok.pos = i + 1;
        continue;
      }
      return true;
    }
    if (!atEnd) return false;
    throw new HlmError("DATA", "The CSV text is empty: it needs a header line naming the columns.");
  }

  /** Reads the header line; false when the text ends first (and more may come). */
  private readHeader(atEnd: boolean): boolean {
    const tok = this.tok;
    if (tok.delim < 0) {
      const d = this.delimiter;
      if (d !== undefined) {
        if (typeof d !== "string" || d.length !== 1 || d === '"' || d === "\n" || d === "\r") {
          throw new HlmError("OPTIONS", `The CSV delimiter must be one character other than a quote or a line break, not ${JSON.stringify(d)}.`);
        }
        tok.setDelimiter(d.charCodeAt(0));
      } else {
        const detected = detectDelimiter(tok.text, tok.pos, atEnd);
        if (detected < 0) return false;
        tok.setDelimiter(detected);
      }
    }
    const headerLine = tok.line;
    const ncol = tok.readRecord(atEnd);
    if (ncol === NEED_MORE) return false;
    const names: string[] = [];
    for (let j = 0; j < ncol; j++) names.push(detach(tok.fieldText(j).trim()));
    checkNames(names, () => ` (line ${headerLine})`, headerLine, true);
    this.names = names;
    this.headerLine = headerLine;
    this.columns = names.map((name) => new ColumnBuilder(name));
    tok.len = 0;
    return true;
  }

  /** Reads the data records there are (all of them when `atEnd`). */
  private readRows(atEnd: boolean): void {
    const tok = this.tok;
    const ncol = this.columns.length;
    while (tok.pos < tok.n) {
      const lineNo = tok.line;
      const nf = tok.readRecord(atEnd);
      if (nf === NEED_MORE) break;
      if (tok.blank) {
        if (this.trailingBlank === 0) this.blankLine = lineNo;
        this.trailingBlank++;
        if (ncol === 1) this.nrow++;
        else tok.len -= 1;
        continue;
      }
      if (this.trailingBlank > 0 && ncol !== 1) {
        throw new HlmError("DATA", `Line ${this.blankLine} is empty, but the header has ${ncol} columns; remove the empty line.`, {
          row: this.blankLine,
        });
      }
      this.trailingBlank = 0;
      if (nf !== ncol) {
        throw new HlmError("DATA", `Line ${lineNo} has ${plural(nf, "field", "fields")}, but the header has ${ncol} columns.`, {
          row: lineNo,
        });
      }
      this.nrow++;
      if (tok.len >= BATCH) this.flush();
    }
    this.flush();
  }

  /** Moves the batch of records into the columns, column by column. */
  private flush(): void {
    const tok = this.tok;
    const ncol = this.columns.length;
    const count = tok.len / ncol;
    if (count === 0) return;
    for (let j = 0; j < ncol; j++) this.columns[j]!.addFields(tok.text, tok.starts, tok.ends, j, ncol, count);
    tok.len = 0;
  }
}
