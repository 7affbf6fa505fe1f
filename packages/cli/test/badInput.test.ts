import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ExcelJS from "exceljs";
import { beforeAll, describe, expect, it } from "vitest";
import { conformanceDir } from "../../core/test/compareReference.js";
import { run } from "../src/run.js";

/**
 * Whatever file and formula `hlm fit` is given, it prints a fit (exit 0, its warnings with it) or
 * exactly one line on stderr saying what is wrong and where (exit 2), never a stack trace. The
 * engine's choices (spreadsheet errors, Inf and NaN are errors; NA and empty cells are missing) are
 * explained in packages/core/test/badInput.test.ts.
 */
async function capture(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await run(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

const dir = mkdtempSync(join(tmpdir(), "hlm-bad-"));
const file = (name: string): string => join(dir, name);
const FORMULA = "y ~ x + (1 | g)";
const GOOD = "y,x,g\n1.2,2,a\n2.1,3,a\n2.9,1,b\n4.4,5,b\n5.3,6,c\n6.1,7,c\n3.2,7,c\n";
const refill = "correct it, or leave the cell empty (or NA) if the value is missing.";

/** Files: name → contents. */
const FILES: Record<string, string | Buffer> = {
  "empty.csv": "",
  "header.csv": "y,x,g\n",
  "twice.csv": "y,x,x,g\n1,2,3,a\n",
  "unnamed.csv": "y,,g\n1,2,a\n",
  "text.csv": GOOD.replace("2.9,1,b", "2.9,one,b"),
  "inf.csv": GOOD.replace("4.4,5,b", "4.4,Inf,b"),
  "nan.csv": GOOD.replace("4.4,5,b", "NaN,5,b"),
  "div0.csv": GOOD.replace("5.3,6,c", "5.3,#DIV/0!,c"),
  "na-group.csv": GOOD.replace("6.1,7,c", "6.1,7,#N/A"),
  "all-missing.csv": "y,x,g\n1,,a\n2,NA,a\n3,,b\n",
  "one-level.csv": "y,x,g\n1,2,a\n2,3,a\n3,1,a\n4,5,a\n",
  "all-levels.csv": "y,x,g\n1,2,a\n2,3,b\n3,1,c\n4,5,d\n",
  "six.csv": "y,x,g\n1,2,a\n2,3,a\n3,1,b\n4,5,b\n5,6,c\n6,7,c\n",
  "huge.csv": GOOD.replace("6.1,7,c", "6.1e300,7,c"),
  "tiny.csv": "y,x,g\n1e-300,2,a\n2e-300,3,a\n3e-300,1,b\n4e-300,5,b\n5e-300,6,c\n6e-300,7,c\n3e-300,7,c\n",
  "constant.csv": "y,x,g\n5,2,a\n5,3,a\n5,1,b\n5,5,b\n5,6,c\n5,7,c\n",
  "exact.csv": "y,x,g\n4,2,a\n6,3,a\n2,1,b\n10,5,b\n12,6,c\n14,7,c\n14,7,c\n",
  "weights.csv": "y,w,g\n1,1,a\n2,1,a\n3,1,b\n4,0,b\n5,1,c\n6,1,c\n7,1,c\n",
  "collinear.csv": "y,x,x2,z,g\n1.2,2,4,1,a\n2.1,3,6,0,a\n2.9,1,2,1,b\n4.4,5,10,0,b\n5.3,6,12,1,c\n6.1,7,14,0,c\n3.2,7,14,1,c\n",
  "scales.csv": "y,big,small,g\n1.2,2e6,0.002,a\n2.1,3e6,0.001,a\n2.9,1e6,0.003,b\n4.4,5e6,0.002,b\n5.3,6e6,0.001,c\n6.1,7e6,0.002,c\n3.2,7e6,0.003,c\n",
  "picture.csv": Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]),
  "data.ods": Buffer.from("PK\u0003\u0004 an OpenDocument spreadsheet"),
  "data.sav": Buffer.from("$FL2@(#) IBM SPSS STATISTICS"),
  "data.json": '[{"y": 1, "x": 2, "g": "a"}]',
};

beforeAll(async () => {
  for (const [name, contents] of Object.entries(FILES)) writeFileSync(file(name), contents);
  mkdirSync(file("folder.csv"));
  // a sheet with Excel error values: #DIV/0! in x (row 4) and #N/A in g (row 6)
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet("Data");
  ws.addRow(["y", "x", "g"]);
  ws.addRow([1.2, 2, "a"]);
  ws.addRow([2.1, 3, "a"]);
  ws.addRow([2.9, { formula: "1/0", result: { error: "#DIV/0!" } }, "b"]);
  ws.addRow([4.4, 5, "b"]);
  ws.addRow([5.3, 6, { formula: "VLOOKUP(9,Z1:Z2,1,FALSE)", result: { error: "#N/A" } }]);
  ws.addRow([6.1, 7, "c"]);
  ws.addRow([3.2, 7, "c"]);
  await wb.xlsx.writeFile(file("errors.xlsx"));
  // a sheet whose table starts in row 3 (two empty rows above the header): rows are the sheet's
  const wb2 = new ExcelJS.Workbook();
  const ws2 = wb2.addWorksheet("Data");
  const rows: unknown[][] = [["y", "x", "g"], [1.2, 2, "a"], [2.1, 3, "a"], [2.9, 1, "b"], [4.4, "five", "b"], [5.3, 6, "c"], [6.1, 7, "c"], [3.2, 7, "c"]];
  rows.forEach((r, i) => r.forEach((v, j) => (ws2.getCell(3 + i, 1 + j).value = v as ExcelJS.CellValue)));
  await wb2.xlsx.writeFile(file("offset.xlsx"));
});

describe("hlm fit: bad input gives one line on stderr and exit status 2", () => {
  const cases: [string, string, string[], (d: string) => string][] = [
    ["a file that does not exist", "none.csv", [], (d) => `Cannot read '${join(d, "none.csv")}': no such file.`],
    ["a folder", "folder.csv", [], (d) => `Cannot read '${join(d, "folder.csv")}': it is a directory.`],
    ["a binary file (a picture) named .csv", "picture.csv", [], (d) => `Cannot read '${join(d, "picture.csv")}': it is not a text (CSV) file.`],
    ["an OpenDocument spreadsheet", "data.ods", [], (d) => `Cannot read '${join(d, "data.ods")}': hlm reads CSV (or tab or semicolon separated) text and Excel workbooks (.xlsx), not .ods files; save the data from LibreOffice or Excel as CSV or .xlsx.`],
    ["an SPSS file", "data.sav", [], (d) => `Cannot read '${join(d, "data.sav")}': hlm reads CSV (or tab or semicolon separated) text and Excel workbooks (.xlsx), not .sav files; save the data from SPSS as CSV or .xlsx.`],
    ["a JSON file", "data.json", [], (d) => `Cannot read '${join(d, "data.json")}': hlm reads CSV (or tab or semicolon separated) text and Excel workbooks (.xlsx), not .json files; save the data as CSV or .xlsx.`],
    ["an empty file", "empty.csv", [], () => "The CSV text is empty: it needs a header line naming the columns."],
    ["a header and no rows", "header.csv", [], () => "The data have no rows: below the header there is nothing to fit."],
    ["a column name twice", "twice.csv", [], () => 'The column name "x" appears twice in the header (columns 2 and 3).'],
    ["a column without a name", "unnamed.csv", [], () => "Column 2 has no name in the header (line 1), but it has values (the first in row 2); name the column or remove it."],
    ["text in a numeric column", "text.csv", [], () => "Column 'x' should be numeric but row 4 holds 'one' (name it in --factors if it is categorical)."],
    ["Inf", "inf.csv", [], () => `Column 'x' holds 'Inf' in row 5, an infinite value, which cannot be fitted; ${refill}`],
    ["NaN in the response", "nan.csv", [], () => `Column 'y' holds 'NaN' (not a number) in row 5; ${refill}`],
    ["#DIV/0! in a CSV", "div0.csv", [], () => `Column 'x' holds the spreadsheet error '#DIV/0!' in row 6; ${refill}`],
    ["#N/A in a grouping column", "na-group.csv", [], () => `Column 'g' holds the spreadsheet error '#N/A' in row 7; ${refill}`],
    ["#DIV/0! in a workbook (a cell's saved error)", "errors.xlsx", [], () => `Column 'x' holds the spreadsheet error '#DIV/0!' in row 4; ${refill}`],
    ["#N/A in a workbook's grouping column", "errors.xlsx", ["--formula", "y ~ 1 + (1 | g)"], () => `Column 'g' holds the spreadsheet error '#N/A' in row 6; ${refill}`],
    ["text in a workbook whose header is in row 3: the sheet's row", "offset.xlsx", [], () => "Column 'x' should be numeric but row 7 holds 'five' (name it in --factors if it is categorical)."],
    ["a variable missing in every row", "all-missing.csv", [], () => "'x' is missing (empty or NA) in all 3 rows of the data; no rows are left to fit."],
    ["a grouping factor with one level", "one-level.csv", [], () => "The grouping factor 'g' has only 1 level in the rows used; a random effect needs at least 2 (lme4 refuses this too)."],
    ["a level per observation", "all-levels.csv", [], () => "The grouping factor 'g' has 4 levels for 4 observations; it must have fewer levels than observations (lme4 refuses this too)."],
    ["as many random effects as observations", "six.csv", ["--formula", "y ~ x + (x | g)"], () => "The term for 'g' has 6 random effects for 6 observations; there must be more observations than random effects (lme4 refuses this too)."],
    ["a response of 6e300", "huge.csv", [], () => "'y' is too large to fit: it reaches 6.1e+300 in row 7, and values beyond 1e100 overflow the computations; rescale it, e.g. I(y / 1e301)."],
    ["a response of size 1e-300", "tiny.csv", [], () => "'y' is too small to fit: its largest value is 6e-300 (row 7), and values all below 1e-100 underflow the computations; rescale it, e.g. I(y * 1e299)."],
    ["a constant response", "constant.csv", [], () => "'y' has the same value (5) in all 6 rows used; there is no variation to model."],
    ["a response the fixed effects reproduce exactly", "exact.csv", [], () => "The model reproduces 'y' exactly (every residual is 0), so its variances cannot be estimated; lme4 would report a residual SD of 0."],
    ["a weight of 0", "weights.csv", ["--formula", "y ~ 1 + (1 | g)", "--weights", "w"], () => "Weights must be positive: 'w' is 0 in row 5; leave out the rows of weight 0."],
    ["a formula with an unknown column", "six.csv", ["--formula", "y ~ z + (1 | g)"], () => "Unknown column 'z' in formula 'y ~ z + (1 | g)' (position 5)."],
  ];
  for (const [what, name, extra, message] of cases) {
    it(what, async () => {
      const argv = ["fit", file(name), ...(extra.includes("--formula") ? extra : ["--formula", FORMULA, ...extra])];
      const r = await capture(argv);
      expect(r.err).toBe(`hlm: ${message(dir)}\n`);
      expect(r.code).toBe(2);
      expect(r.out).toBe("");
    });
  }

  it("the built command: exit 2, one line, no stack trace, also for a fit that cannot be done", () => {
    const main = fileURLToPath(new URL("../dist/main.js", import.meta.url));
    for (const [name, formula] of [["exact.csv", FORMULA], ["huge.csv", FORMULA], ["picture.csv", FORMULA]] as const) {
      const p = spawnSync(process.execPath, [main, "fit", file(name), "--formula", formula], { encoding: "utf8", timeout: 60_000 });
      expect(p.status, name).toBe(2);
      expect(p.stderr.split("\n").length, p.stderr).toBe(2);
      expect(p.stderr).toMatch(/^hlm: [^\n]+\.\n$/);
      expect(p.stderr).not.toMatch(/\bat .*\.js:\d+/);
      expect(p.stdout).toBe("");
    }
  });
});

describe("hlm fit: what lme4 fits is fitted, and the warnings are printed", () => {
  const missing = "3 rows with missing values dropped ('y' missing in 1, 'x' missing in 1, 'g' missing in 1).";
  beforeAll(() => writeFileSync(file("missing.csv"), GOOD.replace("2.9,1,b", "2.9,NA,b").replace("5.3,6,c", ",6,c").replace("3.2,7,c", "3.2,7,") + "4.1,2,b\n3.3,5,a\n4.4,4,c\n"));
  it("rows with missing values: dropped, counted in the summary", async () => {
    const r = await capture(["fit", file("missing.csv"), "--formula", FORMULA]);
    expect(r.code).toBe(0);
    expect(r.err).toBe("");
    expect(r.out).toContain("Number of obs: 7, groups:  g, 3");
    expect(r.out.trimEnd().split("\n").slice(-1)).toEqual([missing]);
  });
  it("with --json, the warnings go to stderr, one line each, and stdout is the JSON", async () => {
    const r = await capture(["fit", file("missing.csv"), "--formula", FORMULA, "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).nobs).toBe(7);
    expect(r.err).toBe(`hlm: warning: ${missing}\n`);
  });
  it("collinear predictors: a column dropped", async () => {
    const r = await capture(["fit", file("collinear.csv"), "--formula", "y ~ x + x2 + z + (1 | g)", "--json"]);
    expect(r.code).toBe(0);
    expect(Object.keys(JSON.parse(r.out).fixef)).toEqual(["(Intercept)", "x", "z"]);
    expect(r.err).toBe("hlm: warning: fixed-effect model matrix is rank deficient so dropping 1 column / coefficient (x2)\n");
  });
  it("a singular fit: fitted and flagged", async () => {
    const r = await capture(["fit", `${conformanceDir}Dyestuff2.csv`, "--formula", "Yield ~ 1 + (1 | Batch)"]);
    expect(r.code).toBe(0);
    expect(r.out.trimEnd().split("\n").slice(-1)).toEqual(["boundary (singular) fit: see help('isSingular')"]);
  });
  it("predictors on very different scales: lme4's warning", async () => {
    const r = await capture(["fit", file("scales.csv"), "--formula", "y ~ big + small + (1 | g)"]);
    expect(r.code).toBe(0);
    expect(r.out.trimEnd().split("\n").slice(-1)).toEqual(["Warning: Some predictor variables are on very different scales: consider rescaling"]);
  });
  it("an empty column without a name (a comma at the end of every line) is left out", async () => {
    writeFileSync(file("trailing.csv"), readFileSync(file("six.csv"), "utf8").replace(/\n/g, ",\n"));
    const r = await capture(["fit", file("trailing.csv"), "--formula", FORMULA, "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).nobs).toBe(6);
  });
});
