// Beside core's `resultTables.ts` (the three result tables shared with the CLI): the add-in's own sheet tables, built here and written by `../excel/writeSheetTables.ts`.
/**
 * `SheetTable`, a result sheet of any name (core's `ResultTable` with the add-in's sheet names and
 * charts too), and the tables only the add-in writes: the model comparison (`HLM Comparison`), the
 * diagnostics (`HLM Diagnostics`), and the inference sections added to `HLM Summary` (type III tests,
 * ICC and R²). Plain data in core's `ResultSection` shape, written with the same rules as core's three
 * (new sheets only, ` (2)` suffixes, an Excel table per section). No Office here.
 */
import { anovaTypeIII, diagnostics, effectSizes, HlmError, NUMBER_FORMATS, pValueNumberFormat, type Cell, type ComparisonRow, type LmmFit, type Model, type ModelComparison, type ResultSection, type ResultTable } from "@hlm/core";

/** A scatter chart of two adjacent columns of a section: x the first, y the next (x + 1). */
export interface ChartSpec {
  title: string;
  /** Index of the section in the sheet's sections. */
  section: number;
  /** Column of the x values in the section; y is the next column. */
  x: number;
}

/** A result sheet of any name: core's `ResultTable` with the add-in's sheet names too. */
export interface SheetTable {
  sheetName: ResultTable["sheetName"] | "HLM Comparison" | "HLM Diagnostics";
  sections: SheetSection[];
  /** "down" (default): sections one below the other; "across": side by side, each from the top row. */
  arrangement?: "down" | "across";
  /** Scatter charts of section columns (beside the data, from the top). */
  charts?: ChartSpec[];
}

/**
 * A section of a result sheet. `cellsReady`: every cell of `rows` is already as Excel is to get it
 * (a finite number, or "" for a blank), so the page writes the rows as they are instead of converting
 * each cell (the diagnostics' row per observation: 100,000 rows × 5 converted on the page's thread
 * took ~100 ms in one task).
 */
export type SheetSection = ResultSection & {
  cellsReady?: boolean;
  /**
   * In a message from the worker only: the rows of a `cellsReady` section as one Float64Array per
   * column (NaN for a blank), transferred without copying; `rows` is then empty until
   * `unpackSheetTables` restores it. Thousands of small arrays cost the page ~1 ms per 10,000 cells
   * to receive; typed columns cost nothing.
   */
  packed?: Float64Array[];
};

/** The tables with their `cellsReady` sections packed into typed columns, and the buffers to transfer. */
export function packSheetTables(tables: readonly SheetTable[]): { tables: SheetTable[]; transfer: ArrayBuffer[] } {
  const transfer: ArrayBuffer[] = [];
  const packed = tables.map((t) => ({
    ...t,
    sections: t.sections.map((s): SheetSection => {
      if (!s.cellsReady || s.rows.length === 0) return s;
      const columns = s.header.map((_, c) => Float64Array.from(s.rows, (r) => (typeof r[c] === "number" ? (r[c] as number) : NaN)));
      for (const col of columns) transfer.push(col.buffer);
      return { ...s, rows: [], packed: columns };
    }),
  }));
  return { tables: packed, transfer };
}

/** The inverse of `packSheetTables`, on the page: each packed section's rows back (NaN as ""), in place. */
export function unpackSheetTables(tables: SheetTable[]): void {
  for (const t of tables) {
    for (const s of t.sections) {
      const cols = s.packed;
      if (!cols) continue;
      const n = cols[0]?.length ?? 0;
      const w = cols.length;
      const rows: Cell[][] = new Array<Cell[]>(n);
      for (let i = 0; i < n; i++) {
        const r = new Array<Cell>(w);
        for (let c = 0; c < w; c++) {
          const v = cols[c]![i]!;
          r[c] = v === v ? v : ""; // NaN: a blank
        }
        rows[i] = r;
      }
      s.rows = rows;
      delete s.packed;
    }
  }
}

/** Excel number formats of the add-in's tables: core's result tables' (p-values get theirs from their values). */
export const FORMATS = NUMBER_FORMATS;

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
 * refit note when the models were asked for by REML, the residual structure every model has, the
 * generalized models' family (glmer's arguments), the data and the number of observations).
 */
export function comparisonTable(c: Pick<ModelComparison, "rows" | "note" | "nobs"> & { structure?: readonly string[]; family?: string }, dataName?: string): SheetTable {
  const notes: Cell[][] = [];
  if (c.note) notes.push([c.note]);
  if (c.structure && c.structure.length > 0) notes.push([`Every model has the residual structure ${c.structure.join(" and ")}.`]);
  if (c.family) notes.push([`Every model is a generalized linear mixed model (lme4's glmer) with ${c.family}.`]);
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
        // anova tables print p-values with 4 digits: "< 2.2e-16"
        numberFormats: [null, FORMATS.count, FORMATS.stat, FORMATS.stat, FORMATS.stat, FORMATS.stat, FORMATS.stat, FORMATS.count, pValueNumberFormat(c.rows.map((r) => r.pValue ?? NaN), 4)],
      },
      { title: "Notes", header: ["Note"], rows: notes, numberFormats: [null] },
    ],
  };
}

/**
 * The generalized models' family as the comparison's note says it, in glmer's arguments:
 * `family = binomial(link = "logit"), the Laplace approximation` (with `weights = size`, `nAGQ = 9`).
 */
export function describeGlmmFamily(f: { family: string; link: string; nAGQ: number }, weights?: string): string {
  const parts = [`family = ${f.family}(link = "${f.link}")`, ...(weights !== undefined ? [`weights = ${weights}`] : [])];
  return `${parts.join(", ")}, ${f.nAGQ > 1 ? `nAGQ = ${f.nAGQ} (adaptive Gauss-Hermite quadrature)` : "the Laplace approximation"}`;
}

/** The columns of lmerTest's type III table. */
export const ANOVA_COLUMNS = ["Term", "Sum Sq", "Mean Sq", "NumDF", "DenDF", "F value", "Pr(>F)"];

/**
 * The inference sections of `HLM Summary`, after the fixed effects: `Type III tests` (lmerTest's
 * `anova(m)` with Satterthwaite's df; left out for a model with only an intercept, and a one-row note
 * where lmerTest's tests are not supported yet) and `Effect sizes` (performance's adjusted and
 * unadjusted ICC, Nakagawa's marginal and conditional R²).
 */
export function inferenceSections(model: Model, fit: LmmFit): ResultSection[] {
  const out: ResultSection[] = [];
  try {
    const rows = anovaTypeIII(model, fit);
    if (rows.length > 0) {
      out.push({
        title: "Type III tests (Satterthwaite)",
        header: ANOVA_COLUMNS,
        rows: rows.map((r) => [r.term, num(r.sumSq), num(r.meanSq), r.numDf, num(r.denDf), num(r.F), num(r.pValue)]),
        numberFormats: [null, FORMATS.estimate, FORMATS.estimate, FORMATS.count, FORMATS.df, FORMATS.stat, pValueNumberFormat(rows.map((r) => r.pValue), 4)],
      });
    }
  } catch (e) {
    if (!(e instanceof HlmError)) throw e;
    out.push({ title: "Type III tests (Satterthwaite)", header: ["Note"], rows: [[e.message]], numberFormats: [null] });
  }
  try {
    const e = effectSizes(model, fit);
    out.push({
      title: "Effect sizes",
      header: ["Measure", "Value"],
      rows: [
        ["ICC (adjusted)", num(e.iccAdjusted)],
        ["ICC (unadjusted)", num(e.iccUnadjusted)],
        ["Marginal R2", num(e.r2Marginal)],
        ["Conditional R2", num(e.r2Conditional)],
      ],
      numberFormats: [null, FORMATS.estimate],
    });
  } catch (e) {
    if (!(e instanceof HlmError)) throw e;
  }
  return out;
}

/** `HLM Summary` with the inference sections after the fixed effects (before the warnings, when there are any). */
export function withInference(summary: ResultTable, model: Model, fit: LmmFit): ResultTable {
  const extra = inferenceSections(model, fit);
  // "Fixed effects", or "Fixed effects (nlme's containment df)"
  const at = summary.sections.findIndex((s) => s.title === "Fixed effects" || s.title?.startsWith("Fixed effects ("));
  const sections = [...summary.sections];
  sections.splice(at < 0 ? sections.length : at + 1, 0, ...extra);
  return { ...summary, sections };
}

/** The title of core's section of the first group's within-group covariance (`Within-group covariance (marginal): Mare 1`). */
const COVARIANCE_TITLE = "Within-group covariance";

/**
 * `HLM Summary` with the within-group covariance's rows and columns labelled by the sheet's rows:
 * core numbers the data's rows from 1 (`Row 1`, the first under the header), the sheet from its
 * top (`Row 2` when the header is on row 1), as the diagnostics sheet and the add-in's messages do.
 * `headerRow` is the header's 0-based sheet row (the range's `SheetLayout.headerRow`).
 */
export function withSheetRows(summary: ResultTable, headerRow: number): ResultTable {
  const relabel = (c: Cell): Cell => (typeof c === "string" && /^Row \d+$/.test(c) ? `Row ${headerRow + 1 + Number(c.slice(4))}` : c);
  return {
    ...summary,
    sections: summary.sections.map((s) =>
      s.title?.startsWith(COVARIANCE_TITLE) ? { ...s, header: s.header.map((h) => relabel(h) as string), rows: s.rows.map((r) => [relabel(r[0] ?? null), ...r.slice(1)]) } : s,
    ),
  };
}

/** Where the observations of a fit are on the sheet, for the diagnostics' `Row` column. */
export interface ObservationRows {
  /** Index in the data table of each observation used (core's `Model.rows`). */
  rows: ArrayLike<number>;
  /** 0-based sheet row of the data's header (the range's `SheetLayout.headerRow`; default 0, row 1). */
  headerRow?: number;
}

/**
 * The `HLM Diagnostics` sheet: the data of the plots users expect after a fit, and their charts.
 * Sections side by side: `Residuals` (Row, Fitted, Residual, Normal quantile, Scaled residual: one row
 * per observation used, `Row` the sheet row it came from (or `Observation`, its number, without
 * `at`); the normal quantile is R's `qqnorm` of the scaled (Pearson) residual, from R's `ppoints`),
 * then per grouping factor and random effect `BLUPs <effect> | <group>` (level, Normal quantile, BLUP).
 * Charts: residuals against fitted values, the normal QQ plot of the scaled residuals, and one normal
 * QQ plot per random effect (x the normal quantile, y the value, as R's `qqnorm`). Core's
 * `diagnostics(fit)` computes the numbers.
 */
export function diagnosticsTable(fit: LmmFit, at?: ObservationRows): SheetTable {
  const d = diagnostics(fit);
  const n = d.fitted.length;
  const first = (at?.headerRow ?? 0) + 2;
  const label = (i: number): number => (at && at.rows.length === n ? first + at.rows[i]! : i + 1);
  // cells as Excel is to get them (numbers, "" for a blank): written without a pass over them on the page
  const cell = (x: number | undefined): number | "" => (x !== undefined && Number.isFinite(x) ? x : "");
  const rows: Cell[][] = new Array<Cell[]>(n);
  for (let i = 0; i < n; i++) rows[i] = [label(i), cell(d.fitted[i]), cell(d.residuals[i]), cell(d.residualTheoretical[i]), cell(d.scaledResiduals[i])];
  const sections: SheetSection[] = [
    {
      title: "Residuals",
      header: [at && at.rows.length === n ? "Row" : "Observation", "Fitted", "Residual", "Normal quantile", "Scaled residual"],
      rows,
      numberFormats: [FORMATS.count, FORMATS.estimate, FORMATS.estimate, FORMATS.estimate, FORMATS.estimate],
      cellsReady: true,
    },
  ];
  const charts: ChartSpec[] = [
    { title: "Residuals against fitted values", section: 0, x: 1 },
    { title: "Normal QQ plot of the scaled residuals", section: 0, x: 3 },
  ];
  for (const r of d.ranef) {
    charts.push({ title: `Normal QQ plot of the BLUPs: ${r.column} | ${r.group}`, section: sections.length, x: 1 });
    sections.push({
      title: `BLUPs: ${r.column} | ${r.group}`,
      header: [r.group, "Normal quantile", `BLUP ${r.column}`],
      rows: r.levels.map((level, l): Cell[] => [level, num(r.theoretical[l]), num(r.values[l])]),
      numberFormats: [null, FORMATS.estimate, FORMATS.estimate],
    });
  }
  return { sheetName: "HLM Diagnostics", sections, arrangement: "across", charts };
}
