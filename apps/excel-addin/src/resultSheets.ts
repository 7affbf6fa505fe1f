/**
 * The add-in's own result sheets, beside core's three (`HLM Summary`, `HLM Random Effects`,
 * `HLM Shrinkage`, from `@hlm/core`'s resultTables): the model comparison (`HLM Comparison`), as
 * plain data in core's `ResultSection` shape, written by `../excel/writeResultSheets.ts` with the same
 * rules (new sheets only, ` (2)` suffixes, an Excel table per section). No Office here.
 */
import type { Cell, ComparisonRow, ModelComparison, ResultSection, ResultTable } from "@hlm/core";

/** A result sheet of any name: core's `ResultTable` with the add-in's sheet names too. */
export interface SheetTable {
  sheetName: ResultTable["sheetName"] | "HLM Comparison" | "HLM Diagnostics";
  sections: ResultSection[];
}

/** Excel number formats of the add-in's tables (the same as core's result tables). */
export const FORMATS = {
  estimate: "0.0000",
  stat: "0.00",
  df: "0.00",
  p: '[<2.2E-16]"<2e-16";0.00E+00',
  count: "0",
} as const;

/** A finite number, or null (a blank cell). */
export const num = (v: number | null | undefined): number | null => (v === null || v === undefined || !Number.isFinite(v) ? null : v);

/** The columns of lme4's anova(m0, m1, ...) table. */
export const COMPARISON_HEADER = ["Model", "npar", "AIC", "BIC", "logLik", "deviance", "Chisq", "Df", "Pr(>Chisq)"];

/** A comparison row as the sheet shows it (blank Chisq, Df and p in the first row, as lme4 prints them). */
export function comparisonRow(r: ComparisonRow): Cell[] {
  return [r.name, r.npar, num(r.AIC), num(r.BIC), num(r.logLik), num(r.deviance), num(r.Chisq), r.Df, num(r.pValue)];
}

/**
 * The `HLM Comparison` sheet: lme4's `anova(m0, m1, ...)`. Sections: `Models` (Model, Formula, in
 * the order of the table), `Likelihood-ratio tests` (Model, npar, AIC, BIC, logLik, deviance, Chisq,
 * Df, Pr(>Chisq); each model tested against the one above it, sorted by npar) and `Notes` (lme4's
 * refit note when the models were asked for by REML, the data and the number of observations).
 */
export function comparisonTable(c: Pick<ModelComparison, "rows" | "note" | "nobs">, dataName?: string): SheetTable {
  const notes: Cell[][] = [];
  if (c.note) notes.push([c.note]);
  notes.push([`Data: ${dataName ? `${dataName}, ` : ""}${c.nobs} observations.`]);
  notes.push(["Models are sorted by their number of parameters; each is tested against the one above it."]);
  return {
    sheetName: "HLM Comparison",
    sections: [
      { title: "Models", header: ["Model", "Formula"], rows: c.rows.map((r) => [r.name, r.formula]), numberFormats: [null, null] },
      {
        title: "Likelihood-ratio tests",
        header: COMPARISON_HEADER,
        rows: c.rows.map(comparisonRow),
        numberFormats: [null, FORMATS.count, FORMATS.stat, FORMATS.stat, FORMATS.stat, FORMATS.stat, FORMATS.stat, FORMATS.count, FORMATS.p],
      },
      { title: "Notes", header: ["Note"], rows: notes, numberFormats: [null] },
    ],
  };
}
