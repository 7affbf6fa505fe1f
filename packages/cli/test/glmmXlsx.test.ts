/**
 * `hlm fit --family … --xlsx OUT.xlsx`: a GLMM's two result sheets (core's glmmSummaryTable and
 * glmmRandomEffectsTable), read back with exceljs and checked against lme4's glmer reference.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ExcelJS from "exceljs";
import { beforeAll, describe, expect, it } from "vitest";
import { glmmDir, loadGlmmReference } from "../../core/test/compareGlmmReference.js";
import { run } from "../src/run.js";

async function capture(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await run(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

/** The section whose title in column A starts with `title`: its header and rows down to a blank row. */
function section(ws: ExcelJS.Worksheet, title: string): { header: string[]; rows: ExcelJS.CellValue[][]; formats: (string | undefined)[] } {
  let titleRow = 0;
  for (let r = 1; r <= ws.rowCount && titleRow === 0; r++) if (String(ws.getCell(r, 1).value ?? "").startsWith(title)) titleRow = r;
  expect(titleRow, `section '${title}' in '${ws.name}'`).toBeGreaterThan(0);
  const hr = ws.getRow(titleRow + 1);
  const header: string[] = [];
  for (let c = 1; hr.getCell(c).value !== null; c++) header.push(String(hr.getCell(c).value));
  const rows: ExcelJS.CellValue[][] = [];
  for (let r = titleRow + 2; r <= ws.rowCount && header.some((_, j) => ws.getCell(r, j + 1).value !== null); r++) rows.push(header.map((_, j) => ws.getCell(r, j + 1).value));
  const formats = header.map((_, j) => ws.getCell(titleRow + 2, j + 1).numFmt);
  return { header, rows, formats };
}

const CBPP = "cbind(incidence, size - incidence) ~ period + (1 | herd)";

describe("hlm fit --family binomial --xlsx writes glmer's summary and the conditional modes as sheets", () => {
  const out = join(mkdtempSync(join(tmpdir(), "hlm-glmm-xlsx-")), "cbpp.xlsx");
  const ref = loadGlmmReference("cbpp_binomial");
  let wb: ExcelJS.Workbook;
  let printed = "";

  beforeAll(async () => {
    const r = await capture(["fit", `${glmmDir}cbpp.csv`, "--formula", CBPP, "--family", "binomial", "--factors", "herd,period", "--xlsx", out]);
    expect(r.err).toBe(`hlm: wrote ${out} (sheets HLM Summary, HLM Random Effects)\n`);
    expect(r.code).toBe(0);
    printed = r.out;
    wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(out);
  }, 60_000);

  it("prints glmer's summary as well; the workbook has the two sheets", () => {
    expect(printed).toContain("Generalized linear mixed model fit by maximum likelihood (Laplace");
    expect(wb.worksheets.map((w) => w.name)).toEqual(["HLM Summary", "HLM Random Effects"]);
  });

  it("HLM Summary: family, link and method; z tests and odds ratios as lme4 gives them", () => {
    const ws = wb.getWorksheet("HLM Summary")!;
    const model = section(ws, "Model");
    expect(model.rows).toContainEqual(["Family", "binomial"]);
    expect(model.rows).toContainEqual(["Link", "logit"]);
    expect(model.rows).toContainEqual(["Method", "Maximum likelihood (Laplace approximation)"]);
    const stats = section(ws, "Fit statistics");
    expect(stats.rows[0]![0] as number).toBeCloseTo(ref.AIC, 2);
    expect(stats.rows[0]![3] as number).toBeCloseTo(ref.objective, 2);
    const fixed = section(ws, "Fixed effects");
    expect(fixed.header).toEqual(["Term", "Estimate", "Std. Error", "z value", "Pr(>|z|)"]);
    for (const row of fixed.rows) {
      const term = row[0] as string;
      expect(row[1] as number).toBeCloseTo(ref.fixef[term]!, 3);
      expect(row[2] as number).toBeCloseTo(ref.se[term]!, 3);
    }
    expect(fixed.formats.slice(1, 4)).toEqual(["0.0000", "0.0000", "0.000"]);
    const or = section(ws, "Odds ratios");
    expect(or.header).toEqual(["Term", "Odds ratio", "2.5 %", "97.5 %"]);
    expect(or.rows[1]![1] as number).toBeCloseTo(Math.exp(ref.fixef.period2!), 3);
    expect(section(ws, "Correlation of fixed effects").rows).toHaveLength(3);
  });

  it("HLM Random Effects: lme4's conditional modes and SDs per herd, and its probability in period 1", () => {
    const re = section(wb.getWorksheet("HLM Random Effects")!, "herd");
    expect(re.header).toEqual(["herd", "mode (Intercept)", "condSD (Intercept)", "coef (Intercept)", "Probability at reference levels"]);
    const r = ref.ranef[0]!;
    expect(re.rows).toHaveLength(15);
    for (const row of re.rows) {
      const l = r.levels.indexOf(String(row[0]));
      expect(row[1] as number).toBeCloseTo(r.values[l]![0]!, 3);
      expect(row[2] as number).toBeCloseTo(r.condsd[l]![0]!, 3);
    }
    expect(re.rows.find((row) => row[0] === "1")![4] as number).toBeCloseTo(ref.fitted_head[0]!, 4);
  });
});

describe("hlm fit --family --xlsx checks its output before the fit", () => {
  it("refuses a name that is not .xlsx in one sentence", async () => {
    const r = await capture(["fit", `${glmmDir}cbpp.csv`, "--formula", CBPP, "--family", "binomial", "--xlsx", "out.csv"]);
    expect(r.code).toBe(2);
    expect(r.err).toBe("hlm: --xlsx writes an Excel workbook: give a file name ending in .xlsx, not 'out.csv'.\n");
  });
});
