import { describe, expect, it } from "vitest";
import { createCsvReader } from "./createCsvReader.js";
import { HlmError } from "../HlmError.js";
import { readCsv } from "./readCsv.js";
import { type ReadCsvOptions } from "./createCsvReader.js";
import { type Table } from "./Table.js";

/** The table, or the error (code, message and details), of reading `pieces` one after the other. */
function readPieces(pieces: string[], options?: ReadCsvOptions): Table | { error: string } {
  try {
    const reader = createCsvReader(options);
    for (const piece of pieces) reader.push(piece);
    return reader.finish();
  } catch (e) {
    if (!(e instanceof HlmError)) throw e;
    return { error: `${e.code}: ${e.message} ${JSON.stringify(e.details)}` };
  }
}

/** The text cut at the given positions. */
function cut(text: string, at: number[]): string[] {
  const pieces: string[] = [];
  let from = 0;
  for (const p of at) {
    pieces.push(text.slice(from, p));
    from = p;
  }
  pieces.push(text.slice(from));
  return pieces;
}

/** A seeded pseudo-random number generator (uniform on [0, 1)). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Small texts covering the reader's rules, good and bad; each is read cut at every position. */
const SMALL_TEXTS = [
  "id,score,school\n1,2.5,a\n2,-3,b\n3,1e-3,a\n",
  "a,b\n1,2\n3,4",
  "a,b\r\n1,x\r\n3,y\r\n",
  "a,b\r1,x\r3,y\r",
  "\uFEFFid,y\n1,2\n",
  "a,b\n1,2\n3,4\n\n\r\n  \n",
  "a,b\r\n\r\n",
  ' "my id" , score ,"x"\n 1 , 2.5 ,  hello world  \n',
  "y\n1\n\n3\n\n",
  "y\r\n1\r\n\r\n3\r\n\r\n\r\n",
  'id,name,note\n1,"Smith, J.","He said ""hi"""\n2,"two\nlines","a\r\nb"\n3,plain,"""quoted"""\n',
  'a,b\n"1.5",""\n" 2 ","NA"\n',
  'a,b\nab"c,"x"y\n',
  "x,g\n1,a\n,b\nNA,\n4,NA\n",
  "x\n1.50\n 007 \nabc\n",
  "x\n1\n-0\n+3\n.5\n5.\n1e-3\n0.0000001\n2\nnot a number\n",
  "a;b;c\n1;2,5;x\n",
  "a\tb\n1\t \n3\tz\n",
  '"a,b";c\n1;2\n',
  "\n\na,b\n1,2\n",
  "\r\n \r\na,b\r\n1,2\r\n",
  // bad input
  "",
  "\uFEFF",
  "  \r\n",
  'a,b\n1,"x\ny"\n2\n',
  "a,b,c\n1,2,3\n4,5\n",
  "a,b\r\n1,2\r\n3,4\r\n5,6,7\r\n",
  "a,b\n1,2\n\n3,4\n",
  "a,b\n1,2\n\n3,\"4\n",
  "a,,c\n1,2,3\n",
  'x,y," x "\n1,2,3\n',
  'a,b\n1,2\n3,"abc\n4,5\n',
  '"a,b\n1,2\n',
  "\na,b\n1\n",
];

describe("createCsvReader: a text in pieces reads as the whole text", () => {
  it("cut at every position, in two pieces and in three", () => {
    for (const text of SMALL_TEXTS) {
      const whole = readPieces([text]);
      for (let i = 0; i <= text.length; i++) {
        expect(readPieces(cut(text, [i])), `${JSON.stringify(text)} cut at ${i}`).toEqual(whole);
        for (let j = i; j <= text.length; j++) {
          expect(readPieces(cut(text, [i, j])), `${JSON.stringify(text)} cut at ${i}, ${j}`).toEqual(whole);
        }
      }
    }
  });

  it("one character at a time, with empty pieces between", () => {
    for (const text of SMALL_TEXTS) {
      const pieces = Array.from(text).flatMap((c) => ["", c]);
      expect(readPieces(pieces), JSON.stringify(text)).toEqual(readPieces([text]));
    }
  });

  it("gives the same result as readCsv, which reads a text in one piece", () => {
    for (const text of SMALL_TEXTS) {
      let expected: Table | { error: string };
      try {
        expected = readCsv(text);
      } catch (e) {
        const h = e as HlmError;
        expected = { error: `${h.code}: ${h.message} ${JSON.stringify(h.details)}` };
      }
      expect(readPieces(cut(text, [1, 2, 5]))).toEqual(expected);
    }
  });

  it("with an explicit delimiter, or a bad one (reported once the text is known not to be empty)", () => {
    const text = "a|b\n1|x y\n2|\n";
    for (let i = 0; i <= text.length; i++) {
      expect(readPieces(cut(text, [i]), { delimiter: "|" })).toEqual(readCsv(text, { delimiter: "|" }));
      expect(readPieces(cut(text, [i]), { delimiter: "ab" })).toEqual({
        error: 'OPTIONS: The CSV delimiter must be one character other than a quote or a line break, not "ab". undefined',
      });
    }
    expect(readPieces(["  ", "\n"], { delimiter: "ab" })).toEqual({
      error: "DATA: The CSV text is empty: it needs a header line naming the columns. undefined",
    });
  });

  it("cut at random positions, for larger generated texts", () => {
    const rnd = random(20240605);
    const fields = ["1", "-2.5", "1.50", "007", "1e-3", ".5", "+3", "-0", "0.0000001", "NA", "", '"4.5"', '"1""2"', " 3 ", "abc", '"a,b"', '"x""y"', '"line\nbreak"', '"cr\r\nlf"', '"q"r'];
    for (let k = 0; k < 60; k++) {
      const ncol = 1 + Math.floor(rnd() * 4);
      const nrow = Math.floor(rnd() * 2000);
      const eol = ["\n", "\r\n", "\r"][Math.floor(rnd() * 3)]!;
      // Columns are numbers until a random row (if any), then a mix: so columns turn into string columns anywhere.
      const stringsFrom = Array.from({ length: ncol }, () => (rnd() < 0.6 ? Math.floor(rnd() * nrow) : nrow));
      const lines = [Array.from({ length: ncol }, (_, j) => `c${j}`).join(",")];
      for (let r = 0; r < nrow; r++) {
        const line = Array.from({ length: ncol }, (_, j) => fields[Math.floor(rnd() * (r >= stringsFrom[j]! ? fields.length : 14))]);
        lines.push(line.join(","));
      }
      const text = lines.join(eol) + (rnd() < 0.5 ? eol : "");
      const whole = readPieces([text]);
      for (const size of [7, 300, 5000]) {
        const at: number[] = [];
        for (let p = Math.floor(rnd() * size); p < text.length; p += 1 + Math.floor(rnd() * size)) at.push(p);
        expect(readPieces(cut(text, at)), `text ${k}, pieces up to ${size}`).toEqual(whole);
      }
    }
  });
});

describe("createCsvReader: pieces split where the text needs care", () => {
  it("a quoted field with line breaks across pieces, and the line numbers after it", () => {
    const t = readPieces(['id,note\n1,"first\nsec', 'ond\r', '\nthird"\n2,plain\n']) as Table;
    expect(t.nrow).toBe(2);
    expect(t.columns[1]).toEqual({ kind: "string", name: "note", values: ["first\nsecond\r\nthird", "plain"] });
    expect(readPieces(['a,b\n1,"x\n', '\ny"\n2', "\n"])).toEqual({ error: 'DATA: Line 5 has 1 field, but the header has 2 columns. {"row":5}' });
  });

  it("CRLF split between pieces is one line end", () => {
    const t = readPieces(["a,b\r", "\n1,2\r", "\n3,4\r", "\n"]) as Table;
    expect(t.nrow).toBe(2);
    expect(readPieces(["a,b\r", "\n1,2\r", "\n3\r", "\n"])).toEqual({ error: 'DATA: Line 3 has 1 field, but the header has 2 columns. {"row":3}' });
    // A lone CR at the end of a piece, then more text: a line end of its own.
    expect(readPieces(["a,b\r", "1,2\r", "3\r"])).toEqual({ error: 'DATA: Line 3 has 1 field, but the header has 2 columns. {"row":3}' });
  });

  it("a BOM alone in the first piece, or after empty pieces, is dropped; elsewhere it is text", () => {
    for (const pieces of [["\uFEFF", "a,b\n1,2\n"], ["", "\uFEFF", "a", ",b\n1,2"], ["\uFEFFa,b\n", "1,2\n"]]) {
      expect((readPieces(pieces) as Table).names).toEqual(["a", "b"]);
    }
    expect((readPieces(["a,b\n", "\uFEFF1,2\n"]) as Table).columns[0]).toEqual({ kind: "string", name: "a", values: ["\uFEFF1"] });
  });

  it("a doubled quote split between pieces", () => {
    const t = readPieces(['a\n"say ""hi"', '""\n']) as Table;
    expect(t.columns[0]).toEqual({ kind: "string", name: "a", values: ['say "hi"'] });
  });

  it("the header line across pieces, where its delimiter is counted", () => {
    const t = readPieces(["a;", '"b\n', 'c";d,e\n1;2;3,5\n']) as Table;
    expect(t.names).toEqual(["a", "b\nc", "d,e"]);
    expect(t.columns[2]).toEqual({ kind: "string", name: "d,e", values: ["3,5"] });
  });

  it("a record longer than many pieces", () => {
    const long = "x".repeat(100_000);
    const text = `a,b\n1,"${long}\n${long}"\n2,z\n`;
    const pieces = cut(text, Array.from({ length: Math.floor(text.length / 997) }, (_, i) => (i + 1) * 997));
    const t = readPieces(pieces) as Table;
    expect(t.nrow).toBe(2);
    expect(t.columns[1]).toEqual({ kind: "string", name: "b", values: [`${long}\n${long}`, "z"] });
  });
});

describe("createCsvReader: columns", () => {
  it("keeps the exact text of earlier numbers when a column turns out to be a string column", () => {
    const numbers = ["1.50", "007", "-0", "+3", ".5", "5.", "1e-3", "1E5", "0.0000001", "0.000001", "123456789012345678901", "0.1000000000000000055511151231257827", "2.5", "-12", "0", "NA", "", '"3.0"', '"1""5"'];
    const rows: string[] = [];
    for (let r = 0; r < 3000; r++) rows.push(numbers[r % numbers.length]!);
    const text = `x\n${rows.join("\n")}\nword\n`;
    const expected = rows.map((t) => (t === "NA" || t === "" ? null : t === '"3.0"' ? "3.0" : t === '"1""5"' ? '1"5' : t));
    for (const size of [1 << 20, 1000, 10]) {
      const t = readPieces(cut(text, Array.from({ length: Math.floor(text.length / size) }, (_, i) => (i + 1) * size))) as Table;
      expect(t.columns[0]).toEqual({ kind: "string", name: "x", values: [...expected, "word"] });
    }
  });

  it("stores numbers in a Float64Array of nrow values, with a Uint8Array of missing flags", () => {
    const text = `y,g\n${Array.from({ length: 3000 }, (_, i) => `${i % 10 === 0 ? "NA" : i / 4},g${i % 7}`).join("\n")}\n`;
    const t = readPieces(cut(text, [100, 5000, 5001])) as Table;
    const y = t.columns[0]!;
    if (y.kind !== "number") throw new Error("y should be numeric");
    expect(y.values).toBeInstanceOf(Float64Array);
    expect(y.values.length).toBe(3000);
    expect(y.missing.length).toBe(3000);
    expect(y.values[5]).toBe(5 / 4);
    expect(y.missing[10]).toBe(1);
    expect(t.columns[1]!.values[2999]).toBe(`g${2999 % 7}`);
  });
});

describe("createCsvReader: use", () => {
  it("reports a malformed record as soon as it has been pushed", () => {
    const reader = createCsvReader();
    reader.push("a,b\n1,2\n");
    expect(() => reader.push("3,4,5\n6,7\n")).toThrow("Line 3 has 3 fields, but the header has 2 columns.");
    // and it stays failed
    expect(() => reader.push("8,9\n")).toThrow("Line 3 has 3 fields, but the header has 2 columns.");
    expect(() => reader.finish()).toThrow("Line 3 has 3 fields, but the header has 2 columns.");
  });

  it("is finished after finish()", () => {
    const reader = createCsvReader();
    reader.push("a\n1\n");
    expect(reader.finish().nrow).toBe(1);
    expect(() => reader.push("2\n")).toThrow(HlmError);
    expect(() => reader.finish()).toThrow(HlmError);
  });
});
