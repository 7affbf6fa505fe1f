/**
 * A CSV reader for data tables (RFC 4180 style), pure: the input is a string.
 *
 * - The first non-empty line is the header; names are unquoted and trimmed, must be non-blank and unique.
 * - Fields may be quoted with `"`; inside quotes `""` is a quote, and delimiters and line breaks are data.
 * - Line ends may be LF, CRLF (or a lone CR); a leading UTF-8 BOM is dropped; empty lines at the end are ignored.
 * - Fields are trimmed (spaces and tabs, unless that character is the delimiter). An empty field or the
 *   text `NA` (quoted or not) is missing.
 * - A column is numeric when every non-missing field is a finite decimal number (`1`, `-2.5`, `1e-3`,
 *   `.5`, `+3`, `5.`); otherwise it is a string column holding the unquoted, trimmed text.
 *
 * Line numbers in error messages are physical lines of the text (the header is line 1 unless empty
 * lines precede it), so they match what an editor shows.
 */
import { HlmError } from "./HlmError.js";

export interface Table {
  names: string[];
  columns: Column[];
  nrow: number;
}

export type Column =
  | { kind: "number"; name: string; values: Float64Array; missing: Uint8Array /* 1 where NA */ }
  | { kind: "string"; name: string; values: (string | null)[] /* null where NA */ };

export interface ReadCsvOptions {
  /** Field separator, one character. Default: detected from the header line (',' ';' or tab). */
  delimiter?: string;
}

const QUOTE = 34;
const CR = 13;
const LF = 10;
const SPACE = 32;
const TAB = 9;
const COMMA = 44;
const SEMICOLON = 59;

/** 10^0 .. 10^22: the powers of ten that are exact doubles. */
const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

/**
 * Parses t[s, e) as a finite decimal number: [+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?.
 * Returns NaN when the text is not such a number (NaN is never a valid result, so it is the "no" answer).
 * Short mantissas with small exponents are computed exactly (one correctly rounded multiplication or
 * division of exact doubles); anything else goes to Number(), after the grammar has been checked.
 */
function parseDecimal(t: string, s: number, e: number): number {
  let i = s;
  if (i >= e) return NaN;
  let c = t.charCodeAt(i);
  let neg = false;
  if (c === 45) {
    neg = true;
    i++;
  } else if (c === 43) {
    i++;
  }
  let mant = 0;
  let sig = 0;
  let exp10 = 0;
  let digits = 0;
  let exact = true;
  while (i < e) {
    const d = t.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    digits++;
    if (mant !== 0 || d !== 0) {
      if (sig < 15) {
        mant = mant * 10 + d;
        sig++;
      } else {
        exact = false;
      }
    }
    i++;
  }
  if (i < e && t.charCodeAt(i) === 46) {
    i++;
    while (i < e) {
      const d = t.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      digits++;
      if (mant !== 0 || d !== 0) {
        if (sig < 15) {
          mant = mant * 10 + d;
          sig++;
          exp10--;
        } else {
          exact = false;
        }
      } else {
        exp10--;
      }
      i++;
    }
  }
  if (digits === 0) return NaN;
  if (i < e) {
    c = t.charCodeAt(i);
    if (c !== 101 && c !== 69) return NaN;
    i++;
    let eneg = false;
    if (i < e) {
      c = t.charCodeAt(i);
      if (c === 45) {
        eneg = true;
        i++;
      } else if (c === 43) {
        i++;
      }
    }
    let ev = 0;
    let ed = 0;
    while (i < e) {
      const d = t.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      if (ev < 100000) ev = ev * 10 + d;
      ed++;
      i++;
    }
    if (ed === 0 || i !== e) return NaN;
    exp10 += eneg ? -ev : ev;
  }
  if (exact) {
    if (mant === 0) return neg ? -0 : 0;
    if (exp10 >= 0 && exp10 <= 22) {
      const v = mant * POW10[exp10]!;
      return neg ? -v : v;
    }
    if (exp10 < 0 && exp10 >= -22) {
      const v = mant / POW10[-exp10]!;
      return neg ? -v : v;
    }
  }
  const v = Number(t.slice(s, e));
  return Number.isFinite(v) ? v : NaN;
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
 * Splits records into fields. Each field is stored as [start, end) offsets into the text; a field
 * that needs unescaping (`""` inside quotes, or text after the closing quote) is stored as
 * (~openingQuoteOffset, end) so that its start is negative.
 */
class Tokenizer {
  starts = new Int32Array(4096);
  ends = new Int32Array(4096);
  len = 0;
  /** Whether the last record was an empty (or white-space only) line. */
  blank = false;
  private readonly n: number;
  private readonly ws1: number;
  private readonly ws2: number;

  constructor(
    private readonly text: string,
    public pos: number,
    public line: number,
    private readonly delim: number,
  ) {
    this.n = text.length;
    this.ws1 = delim === SPACE ? -2 : SPACE;
    this.ws2 = delim === TAB ? -2 : TAB;
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

  /** Reads one record starting at this.pos, appends its fields, and returns how many there were. */
  readRecord(): number {
    const text = this.text;
    const n = this.n;
    const D = this.delim;
    const W1 = this.ws1;
    const W2 = this.ws2;
    let starts = this.starts;
    let ends = this.ends;
    let len = this.len;
    let pos = this.pos;
    let nf = 0;
    let firstEmpty = false;
    for (;;) {
      let c = pos < n ? text.charCodeAt(pos) : -1;
      while (c === W1 || c === W2) {
        pos++;
        c = pos < n ? text.charCodeAt(pos) : -1;
      }
      let s: number;
      let e: number;
      if (c === QUOTE) {
        const open = pos;
        const quoteLine = this.line;
        let complex = false;
        pos++;
        for (;;) {
          if (pos >= n) {
            throw new HlmError("DATA", `Line ${quoteLine} has a quote (") that is never closed.`, { row: quoteLine });
          }
          c = text.charCodeAt(pos);
          if (c === QUOTE) {
            if (pos + 1 < n && text.charCodeAt(pos + 1) === QUOTE) {
              complex = true;
              pos += 2;
              continue;
            }
            break;
          }
          if (c === LF || (c === CR && (pos + 1 >= n || text.charCodeAt(pos + 1) !== LF))) this.line++;
          pos++;
        }
        const close = pos;
        pos++;
        c = pos < n ? text.charCodeAt(pos) : -1;
        while (c === W1 || c === W2) {
          pos++;
          c = pos < n ? text.charCodeAt(pos) : -1;
        }
        if (c !== D && c !== LF && c !== CR && c !== -1) {
          // Text after the closing quote: keep it (lenient, like spreadsheet programs).
          complex = true;
          while (pos < n) {
            c = text.charCodeAt(pos);
            if (c === D || c === LF || c === CR) break;
            pos++;
          }
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
        e = pos;
        while (e > s && ((c = text.charCodeAt(e - 1)) === W1 || c === W2)) e--;
        if (nf === 0 && s === e) firstEmpty = true;
      }
      if (len === starts.length) {
        this.len = len;
        this.grow();
        starts = this.starts;
        ends = this.ends;
      }
      starts[len] = s;
      ends[len] = e;
      len++;
      nf++;
      if (pos >= n) break;
      c = text.charCodeAt(pos);
      if (c === D) {
        pos++;
        continue;
      }
      // End of line.
      pos += c === CR && pos + 1 < n && text.charCodeAt(pos + 1) === LF ? 2 : 1;
      this.line++;
      break;
    }
    this.len = len;
    this.pos = pos;
    this.blank = nf === 1 && firstEmpty;
    return nf;
  }

  /** The text of field k. */
  fieldText(k: number): string {
    const s = this.starts[k]!;
    return s < 0 ? unquote(this.text, ~s, this.ends[k]!) : this.text.slice(s, this.ends[k]!);
  }
}

/** Counts ',', ';' and tabs outside quotes on the line starting at `start`; the most frequent wins. */
function detectDelimiter(text: string, start: number): number {
  let comma = 0;
  let semi = 0;
  let tab = 0;
  let inQuotes = false;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) inQuotes = !inQuotes;
    else if (inQuotes) continue;
    else if (c === LF || c === CR) break;
    else if (c === COMMA) comma++;
    else if (c === SEMICOLON) semi++;
    else if (c === TAB) tab++;
  }
  if (semi > comma && semi >= tab) return SEMICOLON;
  if (tab > comma && tab > semi) return TAB;
  return COMMA;
}

function checkNames(names: string[], where: (j: number) => string, row: number): void {
  const seen = new Map<string, number>();
  for (let j = 0; j < names.length; j++) {
    const name = names[j]!;
    if (name === "") {
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

function isNA(t: string): boolean {
  return t === "" || t === "NA";
}

/** Reads a CSV text into typed columns. Throws HlmError("DATA") for malformed input. */
export function readCsv(text: string, options?: ReadCsvOptions): Table {
  const n = text.length;
  let start = n > 0 && text.charCodeAt(0) === 0xfeff ? 1 : 0;
  // Skip empty (or white-space only) lines before the header.
  let line = 1;
  for (let i = start; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === SPACE || c === TAB) continue;
    if (c === LF || c === CR) {
      if (c === CR && i + 1 < n && text.charCodeAt(i + 1) === LF) i++;
      line++;
      start = i + 1;
      continue;
    }
    break;
  }
  let onlySpace = true;
  for (let i = start; i < n && onlySpace; i++) {
    const c = text.charCodeAt(i);
    if (c !== SPACE && c !== TAB) onlySpace = false;
  }
  if (onlySpace) {
    throw new HlmError("DATA", "The CSV text is empty: it needs a header line naming the columns.");
  }

  let delim: number;
  if (options?.delimiter !== undefined) {
    const d = options.delimiter;
    if (typeof d !== "string" || d.length !== 1 || d === '"' || d === "\n" || d === "\r") {
      throw new HlmError("OPTIONS", `The CSV delimiter must be one character other than a quote or a line break, not ${JSON.stringify(d)}.`);
    }
    delim = d.charCodeAt(0);
  } else {
    delim = detectDelimiter(text, start);
  }

  const tok = new Tokenizer(text, start, line, delim);
  const headerLine = tok.line;
  const ncol = tok.readRecord();
  const names: string[] = [];
  for (let j = 0; j < ncol; j++) names.push(tok.fieldText(j).trim());
  checkNames(names, () => ` (line ${headerLine})`, headerLine);
  tok.len = 0;

  let nrow = 0;
  let trailingBlank = 0; // consecutive empty lines just read (for one-column tables they are NA rows)
  let blankLine = 0; // first line of that run
  while (tok.pos < n) {
    const lineNo = tok.line;
    const nf = tok.readRecord();
    if (tok.blank) {
      if (trailingBlank === 0) blankLine = lineNo;
      trailingBlank++;
      if (ncol === 1) nrow++;
      else tok.len -= 1;
      continue;
    }
    if (trailingBlank > 0 && ncol !== 1) {
      throw new HlmError("DATA", `Line ${blankLine} is empty, but the header has ${ncol} columns; remove the empty line.`, {
        row: blankLine,
      });
    }
    trailingBlank = 0;
    if (nf !== ncol) {
      throw new HlmError("DATA", `Line ${lineNo} has ${plural(nf, "field", "fields")}, but the header has ${ncol} columns.`, {
        row: lineNo,
      });
    }
    nrow++;
  }
  if (ncol === 1) {
    nrow -= trailingBlank;
    tok.len -= trailingBlank;
  }

  const columns: Column[] = [];
  for (let j = 0; j < ncol; j++) columns.push(buildColumn(tok, text, ncol, j, nrow, names[j]!));
  return { names, columns, nrow };
}

/**
 * Distinct substrings of `text`, looked up by their characters without slicing (open addressing,
 * FNV-1a hash). Stops remembering new values after LIMIT distinct ones (then it just slices).
 */
class StringPool {
  private static readonly LIMIT = 1 << 16;
  private slots = new Int32Array(1024); // entry index + 1, 0 = empty
  private hashes: number[] = [];
  private starts: number[] = [];
  private ends: number[] = [];
  private values: string[] = [];

  constructor(private readonly text: string) {}

  get(s: number, e: number): string {
    const text = this.text;
    let h = 0x811c9dc5;
    for (let i = s; i < e; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
    const slots = this.slots;
    const mask = slots.length - 1;
    const len = e - s;
    let slot = h & mask;
    for (;;) {
      const id = slots[slot]!;
      if (id === 0) break;
      const q = id - 1;
      if (this.hashes[q] === h) {
        const qs = this.starts[q]!;
        if (this.ends[q]! - qs === len) {
          let i = 0;
          while (i < len && text.charCodeAt(s + i) === text.charCodeAt(qs + i)) i++;
          if (i === len) return this.values[q]!;
        }
      }
      slot = (slot + 1) & mask;
    }
    const value = text.slice(s, e);
    const count = this.values.length;
    if (count < StringPool.LIMIT) {
      slots[slot] = count + 1;
      this.hashes.push(h);
      this.starts.push(s);
      this.ends.push(e);
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

function buildColumn(tok: Tokenizer, text: string, ncol: number, j: number, nrow: number, name: string): Column {
  const starts = tok.starts;
  const ends = tok.ends;
  const values = new Float64Array(nrow);
  const missing = new Uint8Array(nrow);
  let numeric = true;
  for (let r = 0, k = j; r < nrow; r++, k += ncol) {
    const s = starts[k]!;
    const e = ends[k]!;
    if (s < 0) {
      const t = unquote(text, ~s, e);
      if (isNA(t)) {
        missing[r] = 1;
        values[r] = NaN;
        continue;
      }
      const v = parseDecimal(t, 0, t.length);
      if (v !== v) {
        numeric = false;
        break;
      }
      values[r] = v;
      continue;
    }
    const len = e - s;
    if (len === 0 || (len === 2 && text.charCodeAt(s) === 78 && text.charCodeAt(s + 1) === 65)) {
      missing[r] = 1;
      values[r] = NaN;
      continue;
    }
    const v = parseDecimal(text, s, e);
    if (v !== v) {
      numeric = false;
      break;
    }
    values[r] = v;
  }
  if (numeric) return { kind: "number", name, values, missing };
  // Grouping columns repeat a few values many times: share one string per distinct value (up to a
  // limit), found by hashing the characters in place, so that repeated values allocate nothing.
  const strings: (string | null)[] = new Array<string | null>(nrow);
  const pool = new StringPool(text);
  for (let r = 0, k = j; r < nrow; r++, k += ncol) {
    const s = starts[k]!;
    const e = ends[k]!;
    if (s < 0) {
      const t = unquote(text, ~s, e);
      strings[r] = isNA(t) ? null : t;
    } else if (e === s || (e - s === 2 && text.charCodeAt(s) === 78 && text.charCodeAt(s + 1) === 65)) {
      strings[r] = null;
    } else {
      strings[r] = pool.get(s, e);
    }
  }
  return { kind: "string", name, values: strings };
}

/** The cell as trimmed text, or null when it is missing (null, undefined, "", "NA"). */
function cellText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  let t: string;
  if (typeof v === "string") t = v;
  else if (v instanceof Date) t = Number.isNaN(v.getTime()) ? String(v) : v.toISOString();
  else t = String(v);
  t = t.trim();
  return isNA(t) ? null : t;
}

/**
 * A table from cells that are already split (e.g. an Excel range), with the typing rules of readCsv:
 * numbers stay numbers, strings are trimmed and parsed like CSV fields, null/undefined/""/"NA" are
 * missing. Rows may be shorter than the header (the rest is missing). Row numbers in messages count
 * the header as row 1.
 */
export function tableFromRows(header: unknown[], rows: unknown[][]): Table {
  if (header.length === 0) {
    throw new HlmError("DATA", "The header row is empty: it must name the columns.");
  }
  const names = header.map((h) => (h === null || h === undefined ? "" : String(h).trim()));
  checkNames(names, () => "", 1);
  const ncol = names.length;
  const nrow = rows.length;
  for (let r = 0; r < nrow; r++) {
    const row = rows[r];
    if (row === undefined || row === null) continue;
    for (let j = ncol; j < row.length; j++) {
      if (cellText(row[j]) !== null) {
        throw new HlmError(
          "DATA",
          `Row ${r + 2} has a value in column ${j + 1}, but the header has ${ncol} columns.`,
          { row: r + 2 },
        );
      }
    }
  }
  const columns: Column[] = [];
  for (let j = 0; j < ncol; j++) {
    const name = names[j]!;
    const values = new Float64Array(nrow);
    const missing = new Uint8Array(nrow);
    let numeric = true;
    for (let r = 0; r < nrow && numeric; r++) {
      const v = rows[r]?.[j];
      if (typeof v === "number" && Number.isFinite(v)) {
        values[r] = v;
        continue;
      }
      const t = cellText(v);
      if (t === null) {
        missing[r] = 1;
        values[r] = NaN;
        continue;
      }
      const x = typeof v === "number" ? NaN : parseDecimal(t, 0, t.length);
      if (x !== x) numeric = false;
      else values[r] = x;
    }
    if (numeric) {
      columns.push({ kind: "number", name, values, missing });
    } else {
      const strings: (string | null)[] = new Array<string | null>(nrow);
      for (let r = 0; r < nrow; r++) strings[r] = cellText(rows[r]?.[j]);
      columns.push({ kind: "string", name, values: strings });
    }
  }
  return { names, columns, nrow };
}
