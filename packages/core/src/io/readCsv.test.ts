import { describe, expect, it } from "vitest";
import { HlmError } from "../HlmError.js";
import { readCsv } from "./readCsv.js";
import { tableFromRows } from "./tableFromRows.js";
import { type Column, type Table } from "./Table.js";

function col(t: Table, name: string): Column {
  const c = t.columns[t.names.indexOf(name)];
  if (!c) throw new Error(`no column ${name}`);
  return c;
}

function nums(t: Table, name: string): (number | null)[] {
  const c = col(t, name);
  if (c.kind !== "number") throw new Error(`column ${name} is ${c.kind}`);
  return Array.from(c.values, (v, i) => (c.missing[i] ? null : v));
}

function strs(t: Table, name: string): (string | null)[] {
  const c = col(t, name);
  if (c.kind !== "string") throw new Error(`column ${name} is ${c.kind}`);
  return c.values;
}

/** The HlmError thrown by fn (fails if it throws something else or nothing). */
function caught(fn: () => unknown): HlmError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(HlmError);
    return e as HlmError;
  }
  throw new Error("expected an HlmError");
}

describe("readCsv: structure", () => {
  it("reads a simple table with typed columns", () => {
    const t = readCsv("id,score,school\n1,2.5,a\n2,-3,b\n3,1e-3,a\n");
    expect(t.names).toEqual(["id", "score", "school"]);
    expect(t.nrow).toBe(3);
    expect(t.columns.map((c) => c.kind)).toEqual(["number", "number", "string"]);
    expect(t.columns.map((c) => c.name)).toEqual(["id", "score", "school"]);
    expect(nums(t, "id")).toEqual([1, 2, 3]);
    expect(nums(t, "score")).toEqual([2.5, -3, 0.001]);
    expect(strs(t, "school")).toEqual(["a", "b", "a"]);
    const score = col(t, "score");
    expect(score.kind === "number" && score.values).toBeInstanceOf(Float64Array);
    expect(score.kind === "number" && score.missing).toBeInstanceOf(Uint8Array);
  });

  it("accepts a last line without a line break, CRLF and lone CR line ends", () => {
    expect(nums(readCsv("a,b\n1,2\n3,4"), "b")).toEqual([2, 4]);
    const crlf = readCsv("a,b\r\n1,x\r\n3,y\r\n");
    expect(crlf.nrow).toBe(2);
    expect(strs(crlf, "b")).toEqual(["x", "y"]);
    expect(nums(crlf, "a")).toEqual([1, 3]);
    expect(strs(readCsv("a,b\r1,x\r3,y\r"), "b")).toEqual(["x", "y"]);
  });

  it("strips a UTF-8 byte order mark", () => {
    const t = readCsv("\uFEFFid,y\n1,2\n");
    expect(t.names).toEqual(["id", "y"]);
    expect(nums(t, "id")).toEqual([1]);
  });

  it("ignores trailing empty lines", () => {
    const t = readCsv("a,b\n1,2\n3,4\n\n\r\n  \n");
    expect(t.nrow).toBe(2);
    expect(nums(t, "a")).toEqual([1, 3]);
  });

  it("gives nrow 0 for a header only", () => {
    for (const text of ["a,b", "a,b\n", "a,b\r\n\r\n"]) {
      const t = readCsv(text);
      expect(t.names).toEqual(["a", "b"]);
      expect(t.nrow).toBe(0);
      expect(t.columns).toHaveLength(2);
      expect(nums(t, "a")).toEqual([]);
    }
  });

  it("trims header names and fields, and unquotes header names", () => {
    const t = readCsv(' "my id" , score ,"x"\n 1 , 2.5 ,  hello world  \n');
    expect(t.names).toEqual(["my id", "score", "x"]);
    expect(nums(t, "my id")).toEqual([1]);
    expect(nums(t, "score")).toEqual([2.5]);
    expect(strs(t, "x")).toEqual(["hello world"]);
  });

  it("reads a one-column table, where an empty line inside the data is a missing value", () => {
    const t = readCsv("y\n1\n\n3\n\n");
    expect(t.nrow).toBe(3);
    expect(nums(t, "y")).toEqual([1, null, 3]);
  });
});

describe("readCsv: quoting", () => {
  it("handles quoted fields with delimiters, doubled quotes and line breaks", () => {
    const text = 'id,name,note\n1,"Smith, J.","He said ""hi"""\n2,"two\nlines","a\r\nb"\n3,plain,"""quoted"""\n';
    const t = readCsv(text);
    expect(t.nrow).toBe(3);
    expect(nums(t, "id")).toEqual([1, 2, 3]);
    expect(strs(t, "name")).toEqual(["Smith, J.", "two\nlines", "plain"]);
    expect(strs(t, "note")).toEqual(['He said "hi"', "a\r\nb", '"quoted"']);
  });

  it("treats quoted numbers as numbers and quoted empty fields as missing", () => {
    const t = readCsv('a,b\n"1.5",""\n" 2 ","NA"\n');
    expect(nums(t, "a")).toEqual([1.5, 2]);
    expect(nums(t, "b")).toEqual([null, null]);
  });

  it("keeps a quote inside an unquoted field and text after a closing quote as they are", () => {
    const t = readCsv('a,b\nab"c,"x"y\n');
    expect(strs(t, "a")).toEqual(['ab"c']);
    expect(strs(t, "b")).toEqual(["xy"]);
  });

  it("counts lines inside quoted fields for later error messages", () => {
    const e = caught(() => readCsv('a,b\n1,"x\ny"\n2\n'));
    expect(e.message).toBe("Line 4 has 1 field, but the header has 2 columns.");
  });
});

describe("readCsv: missing values and numeric detection", () => {
  it("treats empty fields and NA as missing, in numeric and string columns", () => {
    const t = readCsv("x,g\n1,a\n,b\nNA,\n4,NA\n");
    expect(nums(t, "x")).toEqual([1, null, null, 4]);
    expect(strs(t, "g")).toEqual(["a", "b", null, null]);
    const x = col(t, "x");
    expect(x.kind === "number" && Array.from(x.missing)).toEqual([0, 1, 1, 0]);
    expect(x.kind === "number" && Number.isNaN(x.values[1])).toBe(true);
  });

  it("recognises decimal number formats", () => {
    const t = readCsv("x\n1\n-2.5\n1e-3\n.5\n+3\n5.\n-0.25E+2\n007\n1.7976931348623157e308\n123456789012345678901234567890\n0.1000000000000000055511151231257827\n");
    expect(nums(t, "x")).toEqual([
      1, -2.5, 0.001, 0.5, 3, 5, -25, 7, 1.7976931348623157e308, 1.2345678901234568e29, 0.1,
    ]);
  });

  it("parses numbers exactly like Number()", () => {
    const samples = [
      "0.1", "0.2", "0.3", "3.14159265358979", "2.718281828459045", "1e22", "1e23", "9007199254740993",
      "123.456e-7", "-0.000001234", "4.35", "8.675309e-300", "5e-324", "0.30000000000000004", "999999999999999.9",
    ];
    const t = readCsv(["x", ...samples].join("\n"));
    expect(nums(t, "x")).toEqual(samples.map(Number));
  });

  it("makes a column a string column when any value is not a finite decimal number", () => {
    const cases: [string, string][] = [
      ["0x10", "hex"], ["1,5", "decimal comma (quoted)"], ["Inf", "Inf"], ["-Inf", "-Inf"], ["NaN", "NaN"],
      ["#DIV/0!", "Excel error"], ["1e400", "overflow"], ["1 000", "inner space"], ["1e", "bad exponent"],
      [".", "lone point"], ["-", "lone sign"], ["Infinity", "Infinity"], ["1_000", "separator"], ["2024-01-05", "date"],
    ];
    for (const [bad] of cases) {
      const t = readCsv(`x\n1\n"${bad}"\n3\n`);
      expect(strs(t, "x")).toEqual(["1", bad, "3"]);
    }
  });

  it("keeps the raw text of numbers in a string column", () => {
    const t = readCsv("x\n1.50\n 007 \nabc\n");
    expect(strs(t, "x")).toEqual(["1.50", "007", "abc"]);
  });

  it("makes an all-missing column numeric", () => {
    const t = readCsv("a,b\n1,\n2,NA\n");
    expect(nums(t, "b")).toEqual([null, null]);
  });
});

describe("readCsv: delimiters", () => {
  it("detects semicolons and tabs from the header line", () => {
    const semi = readCsv("a;b;c\n1;2,5;x\n");
    expect(semi.names).toEqual(["a", "b", "c"]);
    expect(strs(semi, "b")).toEqual(["2,5"]);
    const tab = readCsv("a\tb\n1\t \n3\tz\n");
    expect(tab.names).toEqual(["a", "b"]);
    expect(strs(tab, "b")).toEqual([null, "z"]);
    // Delimiters inside quoted header names do not count.
    expect(readCsv('"a,b";c\n1;2\n').names).toEqual(["a,b", "c"]);
  });

  it("uses an explicit delimiter", () => {
    const t = readCsv("a|b\n1|x y\n", { delimiter: "|" });
    expect(t.names).toEqual(["a", "b"]);
    expect(strs(t, "b")).toEqual(["x y"]);
    const e = caught(() => readCsv("a,b\n", { delimiter: "ab" }));
    expect(e.code).toBe("OPTIONS");
    expect(e.message).toBe('The CSV delimiter must be one character other than a quote or a line break, not "ab".');
  });
});

describe("readCsv: errors", () => {
  it("rejects empty input", () => {
    for (const text of ["", "\uFEFF", "\n\n", "  \r\n"]) {
      const e = caught(() => readCsv(text));
      expect(e.code).toBe("DATA");
      expect(e.message).toBe("The CSV text is empty: it needs a header line naming the columns.");
    }
  });

  it("rejects rows with too many or too few fields, naming the line", () => {
    let e = caught(() => readCsv("a,b,c\n1,2,3\n4,5\n"));
    expect(e.code).toBe("DATA");
    expect(e.message).toBe("Line 3 has 2 fields, but the header has 3 columns.");
    expect(e.details?.row).toBe(3);
    e = caught(() => readCsv("a,b\r\n1,2\r\n3,4\r\n5,6,7\r\n"));
    expect(e.message).toBe("Line 4 has 3 fields, but the header has 2 columns.");
  });

  it("rejects an empty line inside the data of a multi-column table", () => {
    const e = caught(() => readCsv("a,b\n1,2\n\n3,4\n"));
    expect(e.code).toBe("DATA");
    expect(e.message).toBe("Line 3 is empty, but the header has 2 columns; remove the empty line.");
  });

  it("rejects blank and duplicate column names", () => {
    let e = caught(() => readCsv("a,,c\n1,,3\n4,2,3\n"));
    expect(e.code).toBe("DATA");
    expect(e.message).toBe("Column 2 has no name in the header (line 1), but it has values (the first in row 3); name the column or remove it.");
    expect(e.details?.row).toBe(3);
    e = caught(() => readCsv('x,y," x "\n1,2,3\n'));
    expect(e.message).toBe('The column name "x" appears twice in the header (columns 1 and 3).');
    expect(e.details?.column).toBe("x");
  });

  it("leaves out a column without a name and without values (a delimiter at the end of every line)", () => {
    const t = readCsv("a,b,\n1,x,\n2,y,\n");
    expect(t.names).toEqual(["a", "b"]);
    expect(t.columns.map((c) => c.name)).toEqual(["a", "b"]);
    expect(t.firstRow).toBe(2);
    expect(readCsv("\n\na,b\n1,2\n").firstRow).toBe(4);
  });

  it("rejects an unterminated quote, naming the line where it opens", () => {
    const e = caught(() => readCsv('a,b\n1,2\n3,"abc\n4,5\n'));
    expect(e.code).toBe("DATA");
    expect(e.message).toBe('Line 3 has a quote (") that is never closed.');
    expect(caught(() => readCsv('"a,b\n1,2\n')).message).toBe('Line 1 has a quote (") that is never closed.');
  });

  it("counts empty lines before the header in line numbers", () => {
    const t = readCsv("\n\na,b\n1,2\n");
    expect(t.names).toEqual(["a", "b"]);
    expect(caught(() => readCsv("\na,b\n1\n")).message).toBe("Line 3 has 1 field, but the header has 2 columns.");
  });
});

describe("readCsv: large input", () => {
  it("reads 200,000 rows", () => {
    const n = 200_000;
    const parts: string[] = ["id,score,ses,school\r\n"];
    for (let i = 0; i < n; i++) {
      parts.push(`${i},${(i % 1000) / 8},${i % 7 === 0 ? "NA" : ((i % 201) - 100) / 50},"s${i % 160}"\r\n`);
    }
    const t = readCsv(parts.join(""));
    expect(t.nrow).toBe(n);
    expect(t.columns.map((c) => c.kind)).toEqual(["number", "number", "number", "string"]);
    const id = col(t, "id");
    const score = col(t, "score");
    const ses = col(t, "ses");
    const school = col(t, "school");
    if (id.kind !== "number" || score.kind !== "number" || ses.kind !== "number" || school.kind !== "string") {
      throw new Error("unexpected column kinds");
    }
    expect(id.values[0]).toBe(0);
    expect(id.values[n - 1]).toBe(n - 1);
    expect(score.values[12345]).toBe(345 / 8);
    expect(ses.missing[7 * 1000]).toBe(1);
    expect(ses.values[7 * 1000 + 1]).toBe(((7001 % 201) - 100) / 50);
    expect(school.values[199_999]).toBe(`s${199_999 % 160}`);
    let missing = 0;
    for (let i = 0; i < n; i++) missing += ses.missing[i]!;
    expect(missing).toBe(Math.ceil(n / 7));
  });
});

describe("tableFromRows", () => {
  it("types cells with the CSV rules", () => {
    const t = tableFromRows(
      [" id ", "score", "group", "flag"],
      [
        [1, " 2.5 ", "a", true],
        [2, null, " b ", false],
        [3, "NA", "", undefined],
        [4, "", 7, "x"],
      ],
    );
    expect(t.names).toEqual(["id", "score", "group", "flag"]);
    expect(t.nrow).toBe(4);
    expect(nums(t, "id")).toEqual([1, 2, 3, 4]);
    expect(nums(t, "score")).toEqual([2.5, null, null, null]);
    expect(strs(t, "group")).toEqual(["a", "b", null, "7"]);
    expect(strs(t, "flag")).toEqual(["true", "false", null, "x"]);
  });

  it("treats numeric text as numbers and non-finite numbers as text", () => {
    const t = tableFromRows(["a", "b"], [["1e3", 1], [".5", Number.POSITIVE_INFINITY]]);
    expect(nums(t, "a")).toEqual([1000, 0.5]);
    expect(strs(t, "b")).toEqual(["1", "Infinity"]);
  });

  it("pads short rows with missing values and allows empty trailing cells", () => {
    const t = tableFromRows(["a", "b"], [[1], [2, 3, null, ""]]);
    expect(nums(t, "b")).toEqual([null, 3]);
  });

  it("gives nrow 0 without rows", () => {
    const t = tableFromRows(["a"], []);
    expect(t.nrow).toBe(0);
    expect(nums(t, "a")).toEqual([]);
  });

  it("reports blank and duplicate names and values beyond the header", () => {
    let e = caught(() => tableFromRows(["a", null], []));
    expect(e.code).toBe("DATA");
    expect(e.message).toBe("Column 2 has no name in the header.");
    e = caught(() => tableFromRows(["a", "a"], []));
    expect(e.message).toBe('The column name "a" appears twice in the header (columns 1 and 2).');
    e = caught(() => tableFromRows(["a", "b"], [[1, 2], [3, 4, 5]]));
    expect(e.message).toBe("Row 3 has a value in column 3, but the header has 2 columns.");
    e = caught(() => tableFromRows([], []));
    expect(e.message).toBe("The header row is empty: it must name the columns.");
  });
});
