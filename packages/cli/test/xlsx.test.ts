/**
 * `hlm fit … --xlsx OUT.xlsx` (the three result sheets, read back with exceljs and checked against
 * lme4's references) and `.xlsx` data files (the same fit as from the same data in CSV).
 */
import { mkdtempSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ExcelJS from "exceljs";
import { beforeAll, describe, expect, it } from "vitest";
import { conformanceDir, loadReferences, type Reference } from "../../core/test/compareReference.js";
import { readTable, run } from "../src/run.js";
import { TABLE_STYLE } from "../src/writeXlsx.js";

async function capture(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await run(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

async function openWorkbook(path: string): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(path);
  return wb;
}

/** A section of a result sheet as written: its title row, header, rows and number formats. */
interface Section {
  titleRow: number;
  header: string[];
  rows: ExcelJS.CellValue[][];
  formats: (string | undefined)[];
}

/** The section titled `title` in column A of `ws`: the header below the title, rows down to a blank row. */
function section(ws: ExcelJS.Worksheet, title: string): Section {
  let titleRow = 0;
  for (let r = 1; r <= ws.rowCount && titleRow === 0; r++) if (ws.getCell(r, 1).value === title) titleRow = r;
  expect(titleRow, `section '${title}' in '${ws.name}'`).toBeGreaterThan(0);
  const hr = ws.getRow(titleRow + 1);
  const header: string[] = [];
  for (let c = 1; hr.getCell(c).value !== null; c++) header.push(String(hr.getCell(c).value));
  const rows: ExcelJS.CellValue[][] = [];
  const formats: (string | undefined)[] = header.map(() => undefined);
  for (let r = titleRow + 2; r <= ws.rowCount && header.some((_, j) => ws.getCell(r, j + 1).value !== null); r++) {
    rows.push(header.map((_, j) => ws.getCell(r, j + 1).value));
    if (r === titleRow + 2) header.forEach((_, j) => (formats[j] = ws.getCell(r, j + 1).numFmt));
  }
  return { titleRow, header, rows, formats };
}

/** The Excel tables of a sheet (exceljs's typings say getTables() gives pairs; it gives Table objects). */
const tablesOf = (ws: ExcelJS.Worksheet): ExcelJS.TableProperties[] => (ws.getTables() as unknown as { table: ExcelJS.TableProperties }[]).map((t) => t.table);

const num = (v: ExcelJS.CellValue): number => {
  expect(typeof v).toBe("number");
  return v as number;
};

describe("hlm fit --xlsx writes the three result sheets", () => {
  const dir = mkdtempSync(join(tmpdir(), "hlm-xlsx-"));
  const out = join(dir, "nels fit1.xlsx");
  const ref: Reference = loadReferences().find((r) => r.name === "nels_fit1_ml")!;
  let wb: ExcelJS.Workbook;
  let printed = "";

  beforeAll(async () => {
    writeFileSync(out, "an old file that --xlsx replaces");
    const r = await capture(["fit", `${conformanceDir}${ref.dataset}.csv`, "--formula", ref.formula, "--ml", "--xlsx", out]);
    expect(r.err).toBe(`hlm: wrote ${out} (sheets HLM Summary, HLM Random Effects, HLM Shrinkage)\n`);
    expect(r.code).toBe(0);
    printed = r.out;
    wb = await openWorkbook(out);
  });

  it("prints the summary as well, and the workbook has the sheets in order, each section an Excel table", () => {
    expect(printed).toContain("Linear mixed model fit by maximum likelihood");
    expect(wb.worksheets.map((w) => w.name)).toEqual(["HLM Summary", "HLM Random Effects", "HLM Shrinkage"]);
    const summary = wb.getWorksheet("HLM Summary")!;
    expect(tablesOf(summary).map((t) => t.name)).toEqual(["HLM_Summary_Model", "HLM_Summary_Fit_statistics", "HLM_Summary_Scaled_residuals", "HLM_Summary_Random_effects", "HLM_Summary_Fixed_effects"]);
    for (const ws of wb.worksheets) for (const t of tablesOf(ws)) expect(t.style?.theme).toBe(TABLE_STYLE);
    // titles bold, one blank row between sections
    expect(summary.getCell("A1").value).toBe("Model");
    expect(summary.getCell("A1").font?.bold).toBe(true);
    expect(summary.getCell("A2").font?.bold).toBe(true);
    const model = section(summary, "Model");
    const stats = section(summary, "Fit statistics");
    expect(stats.titleRow).toBe(model.titleRow + 2 + model.rows.length + 1);
    expect([1, 2, 3, 4, 5, 6].map((c) => summary.getCell(stats.titleRow - 1, c).value)).toEqual(Array(6).fill(null));
    // the one-table sheets keep title and header in view; the summary scrolls as a whole
    expect(wb.getWorksheet("HLM Random Effects")!.views[0]).toMatchObject({ state: "frozen", ySplit: 2 });
    expect(wb.getWorksheet("HLM Shrinkage")!.views[0]).toMatchObject({ state: "frozen", ySplit: 2 });
    expect(summary.views?.[0]?.state).not.toBe("frozen");
  });

  it("HLM Summary: model, fit statistics and fixed effects as lme4 gives them, with number formats", () => {
    const ws = wb.getWorksheet("HLM Summary")!;
    const model = section(ws, "Model");
    expect(model.rows).toEqual([
      ["Formula", ref.formula],
      ["Data", ref.dataset],
      ["Method", "Maximum likelihood"],
      ["Observations", ref.nobs],
      ["Groups: school", ref.ngrps.school],
    ]);
    const stats = section(ws, "Fit statistics");
    expect(stats.header).toEqual(["AIC", "BIC", "logLik", "deviance", "df.resid"]);
    expect(num(stats.rows[0]![0]!)).toBeCloseTo(ref.AIC, 2);
    expect(num(stats.rows[0]![2]!)).toBeCloseTo(ref.logLik, 2);
    expect(stats.rows[0]![4]).toBe(ref.df_resid);
    expect(stats.formats).toEqual(["0.00", "0.00", "0.00", "0.00", "0"]);

    const fixed = section(ws, "Fixed effects");
    expect(fixed.header).toEqual(["Term", "Estimate", "Std. Error", "df", "t value", "Pr(>|t|)"]);
    expect(fixed.rows.map((r) => r[0])).toEqual(Object.keys(ref.fixef));
    for (const row of fixed.rows) {
      const term = row[0] as string;
      const se = ref.se[term]!;
      expect(Math.abs(num(row[1]!) - ref.fixef[term]!)).toBeLessThanOrEqual(0.002 * se);
      expect(Math.abs(num(row[2]!) - se)).toBeLessThanOrEqual(2e-3 * se);
      expect(Math.abs(num(row[3]!) - ref.satterthwaite_df[term]!)).toBeLessThanOrEqual(0.02 * ref.satterthwaite_df[term]!);
    }
    // both p-values below machine precision: "<2e-16", as lme4's summary prints them
    expect(fixed.formats).toEqual([undefined, "0.0000", "0.0000", "0.00", "0.000", '[<2.22044604925031E-16]"<2e-16";[<0.0001]0.00e-00;0.000']);

    const random = section(ws, "Random effects");
    expect(random.header).toEqual(["Groups", "Name", "Variance", "Std.Dev.", "Corr"]);
    expect(random.rows.map((r) => [r[0], r[1]])).toEqual([["school", "(Intercept)"], ["school", "ses"], ["Residual", null]]);
    expect(num(random.rows[1]![4]!)).toBeCloseTo(ref.varcorr[0]!.corr[1]![0]!, 2);
    expect(random.rows[0]![4]).toBeNull();
    expect(num(random.rows[2]![3]!)).toBeCloseTo(ref.sigma, 3);
  });

  it("HLM Random Effects: a row per school with lme4's BLUPs, their conditional SDs and coef()", () => {
    const ws = wb.getWorksheet("HLM Random Effects")!;
    const re = section(ws, "school");
    expect(re.header).toEqual(["school", "ranef (Intercept)", "ranef ses", "condSD (Intercept)", "condSD ses", "coef (Intercept)", "coef ses"]);
    expect(re.formats).toEqual([undefined, ...Array(6).fill("0.0000")]);
    const rr = ref.ranef.find((r) => r.group === "school")!;
    expect(re.rows.length).toBe(rr.levels.length);
    const byLevel = new Map(re.rows.map((r) => [r[0] as string, r]));
    rr.levels.forEach((lev, i) => {
      const row = byLevel.get(lev)!;
      expect(row, lev).toBeDefined();
      rr.values[i]!.forEach((v, k) => {
        const sd = rr.condsd[i]![k]!;
        expect(Math.abs(num(row[1 + k]!) - v)).toBeLessThanOrEqual(0.005 * sd);
        expect(Math.abs(num(row[3 + k]!) - sd)).toBeLessThanOrEqual(0.005 * sd);
        // coef = fixef + ranef for the columns that are fixed effects too
        const fe = ref.fixef[rr.columns[k]!]!;
        expect(Math.abs(num(row[5 + k]!) - (fe + v))).toBeLessThanOrEqual(0.005 * sd + 0.002 * ref.se[rr.columns[k]!]!);
      });
    });
  });

  it("HLM Shrinkage: n per school adding up to the observations, OLS beside the BLUP coefficients", () => {
    const ws = wb.getWorksheet("HLM Shrinkage")!;
    const sh = section(ws, "Shrinkage: school");
    expect(sh.header).toEqual(["school", "n", "OLS (Intercept)", "OLS ses", "BLUP (Intercept)", "BLUP ses"]);
    expect(sh.formats).toEqual([undefined, "0", "0.0000", "0.0000", "0.0000", "0.0000"]);
    expect(sh.rows.length).toBe(ref.ngrps.school);
    expect(sh.rows.reduce((s, r) => s + num(r[1]!), 0)).toBe(ref.nobs);
    const re = new Map(section(wb.getWorksheet("HLM Random Effects")!, "school").rows.map((r) => [r[0], r]));
    for (const r of sh.rows) {
      expect(typeof r[2]).toBe("number"); // every school has enough rows and spread in ses
      expect(r[4]).toBe(re.get(r[0])![5]); // BLUP coefficients are coef()
      expect(r[5]).toBe(re.get(r[0])![6]);
    }
    // OLS estimates scatter more than the BLUPs (shrinkage)
    const sd = (xs: number[]): number => Math.sqrt(xs.reduce((s, x) => s + (x - xs.reduce((a, b) => a + b, 0) / xs.length) ** 2, 0) / xs.length);
    expect(sd(sh.rows.map((r) => num(r[3]!)))).toBeGreaterThan(sd(sh.rows.map((r) => num(r[5]!))));
  });

  it("column widths fit the content", () => {
    const re = wb.getWorksheet("HLM Random Effects")!;
    expect(re.getColumn(2).width).toBeGreaterThanOrEqual("ranef (Intercept)".length);
    expect(re.getColumn(1).width).toBeLessThan(15);
    const summary = wb.getWorksheet("HLM Summary")!;
    expect(summary.getColumn(1).width).toBeGreaterThanOrEqual("Groups: school".length);
  });
});

/**
 * Small data: y by x in groups a..f, with an empty y, a group whose x never changes (its OLS slope
 * cannot be estimated) and a group with one row (nor can it).
 */
const ROWS: (string | number | null)[][] = [];
{
  const groups = ["a", "b", "c", "d", "e", "f"];
  let seed = 7;
  const rand = (): number => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647 - 0.5;
  };
  groups.forEach((g, gi) => {
    const n = g === "f" ? 1 : 6;
    for (let i = 0; i < n; i++) {
      const x = g === "e" ? 2 : i + ((gi * 3) % 5) * 0.5;
      const y = Math.round((10 + gi * 0.7 + (1 + 0.2 * (gi - 2.5)) * x + rand() * 2) * 1000) / 1000;
      ROWS.push([g, x, gi === 1 && i === 2 ? null : y]);
    }
  });
}
const FORMULA = "y ~ x + (x | g)";

describe("reading .xlsx data", () => {
  const dir = mkdtempSync(join(tmpdir(), "hlm-xlsx-in-"));
  const csv = join(dir, "small.csv");
  const xlsx = join(dir, "small.xlsx");

  beforeAll(async () => {
    writeFileSync(csv, ["g,x,y", ...ROWS.map((r) => r.map((v) => (v === null ? "" : String(v))).join(","))].join("\n") + "\n");
    const wb = new ExcelJS.Workbook();
    const notes = wb.addWorksheet("Notes");
    notes.getCell("A1").value = "Data on the next sheet";
    const ws = wb.addWorksheet("Data");
    ws.addRow(["g", " x ", "y", "when"]);
    ROWS.forEach(([g, x, y], i) => {
      // text with spaces around it, a formula with its saved result, a number typed as text, dates
      const gCell = i === 0 ? ` ${g} ` : g;
      const xCell = i === 1 ? { formula: `${x}*1`, result: x } : i === 2 ? String(x) : x;
      ws.addRow([gCell, xCell, y, new Date(Date.UTC(2024, 0, 1 + i, i === 3 ? 12 : 0, i === 3 ? 30 : 0))]);
    });
    await wb.xlsx.writeFile(xlsx);
  });

  it("reads the named sheet: numbers stay numbers, text trimmed, empty cells missing, formulas their result, dates ISO text", async () => {
    const t = await readTable(xlsx, "Data");
    expect(t.names).toEqual(["g", "x", "y", "when"]);
    expect(t.nrow).toBe(ROWS.length);
    const [g, x, y, when] = t.columns;
    expect(g!.kind).toBe("string");
    expect(g!.values.slice(0, 2)).toEqual(["a", "a"]);
    expect(x!.kind).toBe("number");
    expect(Array.from(x!.values as Float64Array)).toEqual(ROWS.map((r) => r[1]));
    expect(y?.kind === "number" && Array.from(y.missing).indexOf(1)).toBe(8);
    expect(when!.values.slice(0, 5)).toEqual(["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04T12:30:00", "2024-01-05"]);
  });

  it("finds the table where it starts on the sheet, and skips an empty column without a name", async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet("Offset");
    ws.getCell("B3").value = "g";
    ws.getCell("D3").value = "y";
    ws.getCell("B4").value = "a";
    ws.getCell("D4").value = 1.5;
    ws.getCell("B5").value = "b";
    ws.getCell("D5").value = { formula: "D4*2", result: 3 };
    const path = join(dir, "offset.xlsx");
    await wb.xlsx.writeFile(path);
    const t = await readTable(path);
    expect(t.names).toEqual(["g", "y"]);
    expect(t.columns.map((c) => (c.kind === "number" ? Array.from(c.values) : c.values))).toEqual([["a", "b"], [1.5, 3]]);
  });

  it("gives the same fit as the same data in CSV", async () => {
    const fromCsv = await capture(["fit", csv, "--formula", FORMULA, "--json"]);
    const results = join(dir, "with json.xlsx");
    const fromXlsx = await capture(["fit", xlsx, "--sheet", "Data", "--formula", FORMULA, "--json", "--xlsx", results]);
    // the row without y is dropped, the fit is singular; beside the JSON, the warnings go to stderr
    expect(fromCsv.err).toBe("hlm: warning: 1 row with missing values dropped ('y' missing in 1).\nhlm: warning: boundary (singular) fit: see help('isSingular')\n");
    expect(fromXlsx.err).toBe(`${fromCsv.err}hlm: wrote ${results} (sheets HLM Summary, HLM Random Effects, HLM Shrinkage)\n`);
    const a = JSON.parse(fromCsv.out);
    const b = JSON.parse(fromXlsx.out);
    expect(a.nobs).toBe(ROWS.length - 1);
    for (const j of [a, b]) delete j.fit_seconds;
    expect(b).toEqual(a);
    // --xlsx with --json writes the workbook too
    expect((await openWorkbook(results)).worksheets.map((w) => w.name)).toEqual(["HLM Summary", "HLM Random Effects", "HLM Shrinkage"]);
    // the first sheet by default: here the notes, which have no such columns
    const first = await capture(["fit", xlsx, "--formula", FORMULA]);
    expect(first.code).toBe(2);
    expect(first.err).toMatch(/^hlm: Unknown column 'y' in formula/);
  });

  it("the shrinkage sheet leaves OLS blank where a group cannot estimate it", async () => {
    const out = join(dir, "small results.xlsx");
    const r = await capture(["fit", xlsx, "--sheet", "data", "--formula", FORMULA, "--xlsx", out]);
    expect(r.err).toBe(`hlm: wrote ${out} (sheets HLM Summary, HLM Random Effects, HLM Shrinkage)\n`);
    expect(r.code).toBe(0);
    const sh = section((await openWorkbook(out)).getWorksheet("HLM Shrinkage")!, "Shrinkage: g");
    const byGroup = new Map(sh.rows.map((row) => [row[0], row]));
    expect(sh.rows.map((row) => [row[0], row[1]])).toEqual([["a", 6], ["b", 5], ["c", 6], ["d", 6], ["e", 6], ["f", 1]]);
    // e: x is always 2, so its own slope is blank, its intercept is its mean
    const e = byGroup.get("e")!;
    expect(e[3]).toBeNull();
    const ey = ROWS.filter((row) => row[0] === "e").map((row) => row[2] as number);
    expect(num(e[2]!)).toBeCloseTo(ey.reduce((s, v) => s + v, 0) / ey.length, 10);
    // f: one row, so its own slope is blank too; the BLUPs are there for every group
    expect(byGroup.get("f")![3]).toBeNull();
    for (const row of sh.rows) {
      expect(typeof row[4]).toBe("number");
      expect(typeof row[5]).toBe("number");
    }
    for (const row of sh.rows.filter((row) => row[0] !== "e" && row[0] !== "f")) expect(typeof row[3]).toBe("number");
  });

  describe("mistakes exit with status 2 and one line on stderr", () => {
    const cases: [string, () => string[], (d: string) => string][] = [
      ["an unknown sheet", () => ["fit", xlsx, "--sheet", "Daten", "--formula", FORMULA], () => `hlm: There is no sheet 'Daten' in '${xlsx}'; its sheets are 'Notes', 'Data'.\n`],
      ["--sheet with CSV data", () => ["fit", csv, "--sheet", "Data", "--formula", FORMULA], () => `hlm: --sheet is for Excel workbooks (.xlsx), and '${csv}' is not one.\n`],
      ["an old .xls file", () => ["fit", join(dir, "old.xls"), "--formula", FORMULA], (d) => `hlm: Cannot read '${join(d, "old.xls")}': it is an old binary Excel file (.xls) or a password-protected workbook; save it in Excel or LibreOffice as an Excel Workbook (.xlsx) or as CSV.\n`],
      ["an .xls saved under the name .xlsx", () => ["fit", join(dir, "renamed.xlsx"), "--formula", FORMULA], (d) => `hlm: Cannot read '${join(d, "renamed.xlsx")}': it is an old binary Excel file (.xls) or a password-protected workbook; save it in Excel or LibreOffice as an Excel Workbook (.xlsx) or as CSV.\n`],
      ["a text file named .xlsx", () => ["fit", join(dir, "text.xlsx"), "--formula", FORMULA], (d) => `hlm: Cannot read '${join(d, "text.xlsx")}': it is not an Excel workbook (.xlsx).\n`],
      ["a workbook named .csv", () => ["fit", join(dir, "book.csv"), "--formula", FORMULA], (d) => `hlm: Cannot read '${join(d, "book.csv")}': it looks like an Excel workbook; name it .xlsx, or save it as CSV.\n`],
      ["a missing workbook", () => ["fit", join(dir, "none.xlsx"), "--formula", FORMULA], (d) => `hlm: Cannot read '${join(d, "none.xlsx")}': no such file.\n`],
      ["values under a header cell left empty", () => ["fit", join(dir, "unnamed.xlsx"), "--formula", FORMULA], () => "hlm: Column C of sheet 'Data' has values (cell C3) but no name in the header row (row 1).\n"],
      ["a formula without a saved result", () => ["fit", join(dir, "unsaved.xlsx"), "--formula", FORMULA], (d) => `hlm: Cell B3 of '${join(d, "unsaved.xlsx")}' has a formula without a saved result; open the workbook in Excel or LibreOffice and save it.\n`],
      ["--xlsx onto the data file", () => ["fit", xlsx, "--sheet", "Data", "--formula", FORMULA, "--xlsx", xlsx], () => `hlm: --xlsx '${xlsx}' is the data file itself; write the results to another file.\n`],
      ["--xlsx onto the data file by another path", () => ["fit", xlsx, "--formula", FORMULA, "--xlsx", join(dir, "sub", "..", "small.xlsx")], (d) => `hlm: --xlsx '${join(d, "sub", "..", "small.xlsx")}' is the data file itself; write the results to another file.\n`],
      ["--xlsx onto the data file through a link", () => ["fit", xlsx, "--formula", FORMULA, "--xlsx", join(dir, "link.xlsx")], (d) => `hlm: --xlsx '${join(d, "link.xlsx")}' is the data file itself; write the results to another file.\n`],
      ["--xlsx not naming an .xlsx", () => ["fit", csv, "--formula", FORMULA, "--xlsx", join(dir, "out.csv")], (d) => `hlm: --xlsx writes an Excel workbook: give a file name ending in .xlsx, not '${join(d, "out.csv")}'.\n`],
      ["--xlsx into a folder that is not there", () => ["fit", csv, "--formula", FORMULA, "--xlsx", join(dir, "nowhere", "out.xlsx")], (d) => `hlm: Cannot write '${join(d, "nowhere", "out.xlsx")}': its folder does not exist.\n`],
    ];
    beforeAll(async () => {
      mkdirSync(join(dir, "sub"), { recursive: true });
      symlinkSync(xlsx, join(dir, "link.xlsx"));
      const ole2 = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0, 0]);
      writeFileSync(join(dir, "old.xls"), ole2);
      writeFileSync(join(dir, "renamed.xlsx"), ole2);
      writeFileSync(join(dir, "text.xlsx"), "g,x,y\na,1,2\n");
      writeFileSync(join(dir, "book.csv"), readFileSync(xlsx));
      const wb = new ExcelJS.Workbook();
      const ws = wb.addWorksheet("Data");
      ws.addRow(["g", "x", "y"]);
      ws.addRow(["a", 1, 2]);
      ws.addRow(["a", { formula: "B2+1" }, 3]);
      await wb.xlsx.writeFile(join(dir, "unsaved.xlsx"));
      const unnamed = new ExcelJS.Workbook();
      const u = unnamed.addWorksheet("Data");
      u.addRow(["g", "x"]);
      u.addRow(["a", 1]);
      u.addRow(["a", 2, "stray"]);
      await unnamed.xlsx.writeFile(join(dir, "unnamed.xlsx"));
    });
    for (const [what, argv, message] of cases) {
      it(what, async () => {
        const r = await capture(argv());
        expect(r.err).toBe(message(dir));
        expect(r.code).toBe(2);
        expect(r.out).toBe("");
      });
    }
  });
});
