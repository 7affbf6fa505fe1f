/**
 * Bad input, case by case, through the three ways data reach the engine in the add-in:
 *
 * - the task pane reading a range: the cells go to the worker, which makes the table (`TableLoads`,
 *   as `fitWorker.ts` runs it) and answers with a table or one sentence (`tableFailed`);
 * - the task pane fitting: the worker's `runFit` on that table, with where the range is on the sheet;
 * - a worksheet function: `=HLM.FIXEF(range, formula)` as Excel calls it (through what functions.ts
 *   registered), with the range's address as Excel passes it (`@requiresParameterAddresses`), giving
 *   `#VALUE!` or `#N/A` with the message.
 *
 * Each case states what the person sees: one sentence (no stack, no line breaks) that names the
 * column and the cell or row as the sheet counts them, or a fit when the input is fine after all.
 * `{what}` is the range's name in the message: "selection" in the pane, "data range" in a function.
 */
import { describe, expect, it } from "vitest";
import { rangeOrigin } from "../src/common/sheet/addresses.js";
import { FakeCustomFunctionsError, installFakeCustomFunctions } from "../src/functions/testing/fakeCustomFunctions.js";
import type { WorkerToPane } from "../src/worker/protocol.js";
import { runFit } from "../src/worker/runFit.js";
import { TableLoads } from "../src/worker/tableLoads.js";
import { datasetRange } from "./conformanceRange.js";

const associated = installFakeCustomFunctions();
await import("../src/functions/functions.js");

const FORMULA = "Reaction ~ Days + (Days | Subject)";
const sleep = datasetRange("sleepstudy"); // Reaction, Days, Subject; 180 rows; the header on row 1

/** Sleepstudy's cells, changed by `f` (row 0 the header, row r the data row on sheet row r + 1 when the range starts at A1). */
function cells(f: (c: unknown[][]) => void = () => undefined): unknown[][] {
  const c = sleep.map((row) => [...row]);
  f(c);
  return c;
}
/** Adds a column to every row: its header, then a value per data row. */
const withColumn = (c: unknown[][], name: string, value: (i: number) => unknown): void => {
  c[0]!.push(name);
  for (let i = 1; i < c.length; i++) c[i]!.push(value(i - 1));
};

interface Case {
  name: string;
  /** The range's cells, and its address on the sheet. */
  values: unknown[][];
  address: string;
  formula?: string;
  /** What the person sees: the message (where it stops: reading the range, or fitting), or a fit of so many rows. */
  expect: { read: string } | { fit: string; code?: "#VALUE!" | "#N/A" } | { nobs: number; fixef?: string[] };
}

const cases: Case[] = [
  {
    name: "an empty range (one blank cell)",
    values: [[""]],
    address: "Sheet1!F9",
    expect: { read: "The {what} is empty: select the data with a header row that names the columns (for example A1:D200)." },
  },
  {
    name: "an empty range (blank cells, spaces)",
    values: [
      ["", " "],
      ["", ""],
    ],
    address: "Sheet1!A1:B2",
    expect: { read: "The {what} is empty: select the data with a header row that names the columns (for example A1:D200)." },
  },
  {
    name: "a header-only range",
    values: [["Reaction", "Days", "Subject"], ["", "", ""]],
    address: "Sheet1!A1:C2",
    expect: { read: "The {what} has only its header row (Reaction, Days, Subject); it needs data rows below the header." },
  },
  {
    name: "a duplicate header",
    values: cells((c) => (c[0]![2] = "Reaction")),
    address: "Data!B2:D182",
    expect: { read: "The column name 'Reaction' appears twice in the header of the {what} (columns B and D)." },
  },
  {
    name: "a blank header cell over values",
    values: cells((c) => (c[0]![1] = "")),
    address: "Sheet1!A1:C181",
    expect: { read: "Column B has no name: the header cell B1 is blank, and every column of the {what} needs a name in its first row." },
  },
  {
    name: "text in the numeric response (row 17 of the sheet)",
    values: cells((c) => (c[16]![0] = "12O.5")),
    address: "Sheet1!A1:C181",
    expect: { fit: "Column 'Reaction' should hold numbers, but row 17 holds '12O.5' (cell A17); correct that cell or clear it." },
  },
  {
    name: "text in the numeric response, the range starting at C3",
    values: cells((c) => (c[16]![0] = "12O.5")),
    address: "'My data'!C3:E183",
    expect: { fit: "Column 'Reaction' should hold numbers, but row 19 holds '12O.5' (cell C19); correct that cell or clear it." },
  },
  {
    name: "text in a numeric predictor",
    values: cells((c) => (c[40]![1] = "three")),
    address: "Sheet1!A1:C181",
    expect: { fit: "Column 'Days' should hold numbers, but row 41 holds 'three' (cell B41); correct that cell or clear it." },
  },
  {
    name: "#DIV/0! in the response, as Range.values gives it",
    values: cells((c) => (c[9]![0] = "#DIV/0!")),
    address: "Sheet1!A1:C181",
    expect: { fit: "Cell A10 (column 'Reaction') holds the Excel error #DIV/0!; correct it, or clear the cell if the value is missing." },
  },
  {
    name: "#DIV/0! as a worksheet function's argument carries it (an error object)",
    values: cells((c) => (c[9]![0] = { code: "#DIV/0!" })),
    address: "Sheet1!A1:C181",
    expect: { fit: "Cell A10 (column 'Reaction') holds the Excel error #DIV/0!; correct it, or clear the cell if the value is missing." },
  },
  {
    name: "#N/A in the grouping column (not a missing value: a lookup that failed)",
    values: cells((c) => (c[30]![2] = "#N/A")),
    address: "Data!D5:F185",
    expect: { fit: "Cell F35 (column 'Subject') holds the Excel error #N/A; correct it, or clear the cell if the value is missing." },
  },
  {
    name: "#VALUE! in a predictor",
    values: cells((c) => (c[100]![1] = "#VALUE!")),
    address: "Sheet1!A1:C181",
    expect: { fit: "Cell B101 (column 'Days') holds the Excel error #VALUE!; correct it, or clear the cell if the value is missing." },
  },
  {
    name: "#REF! in a column the model does not use: fitted",
    values: cells((c) => withColumn(c, "Note", (i) => (i === 7 ? "#REF!" : ""))),
    address: "Sheet1!A1:D181",
    expect: { nobs: 180 },
  },
  {
    name: "every row missing in a column of the formula",
    values: cells((c) => c.slice(1).forEach((row) => (row[0] = ""))),
    address: "Sheet1!A1:C181",
    expect: { fit: "Column 'Reaction' has no values: cells A2:A181 are all empty, so no rows are left to fit." },
  },
  {
    name: "a grouping factor with one level",
    values: cells((c) => c.slice(1).forEach((row) => (row[2] = 308))),
    address: "Sheet1!A1:C181",
    expect: { fit: "The grouping factor 'Subject' has only 1 level in the rows used; a random effect needs at least 2 (lme4 refuses this too)." },
  },
  {
    name: "a formula typo (unknown column)",
    values: cells(),
    address: "Sheet1!A1:C181",
    formula: "Reaction ~ Dayz + (Days | Subject)",
    expect: { fit: "Unknown column 'Dayz' in formula 'Reaction ~ Dayz + (Days | Subject)' (position 12); did you mean 'Days'?" },
  },
  {
    name: "a formula typo (unclosed parenthesis)",
    values: cells(),
    address: "Sheet1!A1:C181",
    formula: "Reaction ~ Days + (Days | Subject",
    expect: { fit: "Formula error at position 19 of 'Reaction ~ Days + (Days | Subject': this '(' is not closed." },
  },
  {
    name: "a grouping factor the model does not have (HLM.RANEF's group): #N/A in a function",
    values: cells(),
    address: "Sheet1!A1:C181",
    formula: FORMULA,
    expect: { nobs: 180 }, // the fit itself is fine; see the #N/A test below
  },
  {
    name: "a whole-column selection: blank rows at the bottom and a blank column at the right are left out",
    values: [...cells().map((row) => [...row, ""]), ...Array.from({ length: 300 }, () => ["", "  ", "", ""])],
    address: "Sheet1!A1:D481",
    expect: { nobs: 180 },
  },
  {
    name: "blank rows above the header and a blank column at the left",
    values: [["", "", "", ""], ["", "", "", ""], ...cells((c) => (c[16]![0] = "12O.5")).map((row) => ["", ...row])],
    address: "Sheet1!A1:D183",
    expect: { fit: "Column 'Reaction' should hold numbers, but row 19 holds '12O.5' (cell B19); correct that cell or clear it." },
  },
  {
    name: "dates: Excel gives a date cell as its serial number, a number",
    values: cells((c) => withColumn(c, "Date", (i) => 45292 + (sleep[i + 1]![1] as number))),
    address: "Sheet1!A1:D181",
    formula: "Reaction ~ Date + (1 | Subject)",
    expect: { nobs: 180, fixef: ["(Intercept)", "Date"] },
  },
  {
    name: "a date typed as text among date serial numbers",
    values: cells((c) => withColumn(c, "Date", (i) => (i === 15 ? "2024-01-17" : 45292 + (sleep[i + 1]![1] as number)))),
    address: "Sheet1!A1:D181",
    formula: "Reaction ~ Date + (1 | Subject)",
    expect: { fit: "Column 'Date' should hold numbers, but row 17 holds '2024-01-17' (cell D17); correct that cell or clear it." },
  },
  {
    name: "a logical value (TRUE) in a numeric column",
    values: cells((c) => (c[16]![1] = true)),
    address: "Sheet1!A1:C181",
    expect: { fit: "Column 'Days' should hold numbers, but row 17 holds the logical value TRUE (cell B17); correct that cell or clear it." },
  },
  {
    name: "a column of logical values as a predictor: categorical (FALSE, TRUE), as R's model.matrix makes it",
    values: cells((c) => withColumn(c, "Drug", (i) => i % 2 === 0)),
    address: "Sheet1!A1:D181",
    formula: "Reaction ~ Drug + (1 | Subject)",
    expect: { nobs: 180, fixef: ["(Intercept)", "Drugtrue"] },
  },
];

/** The pane's read: the worker's answer to the range's cells. */
function paneRead(c: Case): WorkerToPane {
  const loads = new TableLoads();
  loads.add({ type: "rows", id: 1, rows: c.values });
  return loads.finish({ type: "makeTable", id: 1, what: "selection", ...rangeOrigin(c.address) }).reply;
}

/** The pane's fit on the table of a read: the worker's last message. */
function paneFit(read: WorkerToPane, c: Case): WorkerToPane {
  if (read.type !== "tableReady") throw new Error(`not read: ${JSON.stringify(read)}`);
  const out: WorkerToPane[] = [];
  runFit(
    { type: "fit", id: 2, table: read.table, layout: read.layout, formula: c.formula ?? FORMULA, REML: true, factors: [], dataName: c.address },
    (m) => out.push(m),
    () => false,
  );
  return out.at(-1)!;
}

/** `=HLM.FIXEF(range, formula)` as Excel calls it, with the range's address. */
function worksheet(c: Case): { code: string; message?: string } | { table: unknown[][] } {
  const f = associated.get("FIXEF") as (...a: unknown[]) => unknown[][];
  try {
    return { table: f(c.values, c.formula ?? FORMULA, null, null, { parameterAddresses: [c.address, "", "", ""] }) };
  } catch (e) {
    expect(e).toBeInstanceOf(FakeCustomFunctionsError);
    const err = e as FakeCustomFunctionsError;
    return { code: err.code, ...(err.message !== undefined ? { message: err.message } : {}) };
  }
}

/** One sentence for a person: one line, no stack, one full stop (or question mark) at the end. */
function expectOneSentence(message: string): void {
  expect(message).not.toMatch(/\n|\bat \S+ \(|\.(js|ts):\d+/);
  expect(message).toMatch(/[.?]$/);
  expect(message.slice(0, -1)).not.toMatch(/[.?!] [A-Z]/);
}

describe("bad input: what the person sees, in the pane and in a worksheet function", () => {
  it.each(cases.map((c) => [c.name, c] as const))("%s", (_, c) => {
    const read = paneRead(c);
    const fn = worksheet(c);
    const e = c.expect;
    if ("read" in e) {
      expect(read).toMatchObject({ type: "tableFailed", code: "DATA", message: e.read.replace("{what}", "selection") });
      expect(fn).toEqual({ code: "#VALUE!", message: e.read.replace("{what}", "data range") });
      expectOneSentence((read as { message: string }).message);
      return;
    }
    const fit = paneFit(read, c);
    if ("fit" in e) {
      expect(fit).toMatchObject({ type: "error", message: e.fit });
      expect(fn).toEqual({ code: e.code ?? "#VALUE!", message: e.fit });
      expectOneSentence(e.fit);
      return;
    }
    expect(fit.type, JSON.stringify(fit)).toBe("done");
    if (fit.type !== "done") return;
    expect(fit.fit.nobs).toBe(e.nobs);
    if (e.fixef) expect(fit.fit.fixefNames).toEqual(e.fixef);
    expect("table" in fn && fn.table[0]).toEqual(["Term", "Estimate", "Std. Error", "df", "t value", "Pr(>|t|)"]);
    if (e.fixef) expect("table" in fn && fn.table.slice(1).map((r) => r[0])).toEqual(e.fixef);
  });

  it("a grouping factor the model does not have is #N/A with the message (HLM.RANEF, HLM.ICC)", () => {
    const ranef = associated.get("RANEF") as (...a: unknown[]) => unknown;
    try {
      ranef(sleep, FORMULA, "Patient", null, null, { parameterAddresses: ["Sheet1!A1:C181", "", "", "", ""] });
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({ code: "#N/A", message: "'Patient' is not a grouping factor of the model; its grouping factors are Subject." });
    }
  });

  it("without addresses (a host that does not pass them, or an array argument) a range counts from A1", () => {
    const f = associated.get("FIXEF") as (...a: unknown[]) => unknown;
    const values = cells((c) => (c[16]![0] = "12O.5"));
    for (const invocation of [undefined, {}, { parameterAddresses: ["", "", "", ""] }]) {
      expect(() => f(values, FORMULA, null, null, invocation)).toThrow(
        expect.objectContaining({ code: "#VALUE!", message: "Column 'Reaction' should hold numbers, but row 17 holds '12O.5' (cell A17); correct that cell or clear it." }),
      );
    }
  });

  it("HLM.PREDICT names the new data's cells as the sheet counts them", () => {
    const predict = associated.get("PREDICT") as (...a: unknown[]) => unknown;
    const fresh = [
      ["Days", "Subject"],
      [1, 308],
      ["#DIV/0!", 309],
    ];
    expect(() => predict(sleep, FORMULA, fresh, null, null, { parameterAddresses: ["Sheet1!A1:C181", "", "Sheet2!H4:I6", "", ""] })).toThrow(
      expect.objectContaining({ code: "#VALUE!", message: "Cell H6 (column 'Days') holds the Excel error #DIV/0!; correct it, or clear the cell if the value is missing." }),
    );
    fresh[2]![0] = "";
    expect(() => predict(sleep, FORMULA, fresh, null, null, { parameterAddresses: ["Sheet1!A1:C181", "", "Sheet2!H4:I6", "", ""] })).toThrow(
      expect.objectContaining({ code: "#VALUE!", message: "Row 6 of the new data has no value for 'Days'; every variable of the fixed and random effects needs one for a prediction." }),
    );
  });
});
