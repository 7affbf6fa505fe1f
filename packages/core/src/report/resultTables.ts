/**
 * The three result tables of a fit as plain data, the one place that decides their rows and
 * columns: the Excel add-in writes them as worksheets and the CLI's `--xlsx` as a workbook, so both
 * show the same sheets `HLM Summary`, `HLM Random Effects` and `HLM Shrinkage`.
 *
 * Numbers stay numbers (never formatted text); how they look is given by an Excel number format
 * per column. A blank cell is `null` (a group's OLS estimate that cannot be estimated, a missing
 * correlation, a p-value that was not computed).
 */
import type { LmmFit, VarCorrTerm } from "../fit/LmmFit.js";
import { pValueNumberFormat } from "./formatPValues.js";
import { STRUCTURE_LABELS, structureFormula, varianceParameters } from "./describeStructure.js";
import type { DdfMethod } from "./fitToJson.js";
import type { ShrinkageTable } from "../results/shrinkageTable.js";

/** One cell of a result table: text, a number, a truth value, or null for a blank cell. */
export type Cell = string | number | boolean | null;

/** The name of a result sheet. */
export type ResultSheetName = "HLM Summary" | "HLM Random Effects" | "HLM Shrinkage";

/** A block of a result sheet: an optional title line, a header row and data rows of the same width. */
export interface ResultSection {
  title?: string;
  header: string[];
  rows: Cell[][];
  /** Excel number format per column ("0.0000", "0.00E+00"); null = General. Same length as `header`. */
  numberFormats?: (string | null)[];
}

/** A result sheet: its name and its sections, written one below the other. */
export interface ResultTable {
  sheetName: ResultSheetName;
  sections: ResultSection[];
}

/**
 * Excel number formats of the result tables (the add-in's sheets use them too). A column of
 * p-values gets its own, from its values: `pValueNumberFormat`, so that it reads as R prints it.
 */
export const NUMBER_FORMATS = {
  estimate: "0.0000",
  stat: "0.00",
  df: "0.00",
  t: "0.000",
  corr: "0.00",
  count: "0",
} as const;
const FMT = NUMBER_FORMATS;

/** A finite number, or null (a blank cell) for NaN, ±Infinity and values that were not computed. */
const num = (v: number | null | undefined): number | null => (v === null || v === undefined || !Number.isFinite(v) ? null : v);

/**
 * The `HLM Summary` sheet: lme4's (with lmerTest's) summary as tables. Sections, in order:
 * `Model` (formula, data, method, observations, groups per grouping factor, rows dropped),
 * `Fit statistics` (AIC, BIC, logLik, deviance or REML criterion, df.resid),
 * `Scaled residuals` (Min, 1Q, Median, 3Q, Max),
 * `Random effects` (Groups, Name, Variance, Std.Dev., then correlations with the term's earlier
 * effects, as lme4 prints them; a last `Residual` row),
 * `Fixed effects` (Term, Estimate, Std. Error, df, t value, Pr(>|t|): Satterthwaite's df and
 * p-values, blank when they were not computed),
 * and `Warnings` (Code, Message; one row per warning; left out when there are none).
 * With a residual structure, after `Random effects`: `Correlation structure` (Parameter, Estimate),
 * `Variance function` (Parameter, Estimate: varIdent's strata with the reference's 1) and
 * `Within-group covariance` (the first group's V_i, rows and columns labelled by data row). With
 * `ddf: "containment"`, `Fixed effects` is nlme's t-table.
 */
export function summaryTable(fit: LmmFit, dataName?: string, options: { ddf?: DdfMethod } = {}): ResultTable {
  const model: Cell[][] = [["Formula", fit.formula]];
  if (dataName !== undefined && dataName !== "") model.push(["Data", dataName]);
  model.push(["Method", fit.REML ? "REML" : "Maximum likelihood"]);
  if (fit.residual?.correlation) model.push(["Correlation", fit.residual.correlation.text]);
  if (fit.residual?.variance) model.push(["Variance function", fit.residual.variance.text]);
  model.push(["Observations", fit.nobs]);
  for (const [group, n] of Object.entries(fit.ngrps)) model.push([`Groups: ${group}`, n]);
  if (fit.nDropped > 0) model.push(["Rows dropped (missing values)", fit.nDropped]);

  const criterion = fit.REML ? "REML criterion" : "deviance";
  const stats = fitStatisticsSection(fit, criterion, fit.objective);
  const residuals = residualQuantilesSection("Scaled residuals", fit.scaledResidQuantiles);
  const random = randomEffectsSection(fit.varcorr, fit.sigma);

  const nlme = options.ddf === "containment" ? fit.containment : null;
  const t = nlme ?? { df: fit.satterthwaiteDf, se: fit.se, tValues: fit.tValues, pValues: fit.pValues };
  const fixed: ResultSection = {
    title: nlme ? "Fixed effects (nlme's containment df)" : "Fixed effects",
    header: ["Term", "Estimate", "Std. Error", "df", "t value", "Pr(>|t|)"],
    rows: fit.fixefNames.map((name, i) => [name, num(fit.fixef[i]), num(t.se[i]), num(t.df[i]), num(t.tValues[i]), num(t.pValues[i])]),
    numberFormats: [null, FMT.estimate, FMT.estimate, nlme ? FMT.count : FMT.df, FMT.t, pValueNumberFormat(t.pValues, 3)],
  };

  const sections: ResultSection[] = [{ title: "Model", header: ["Item", "Value"], rows: model, numberFormats: [null, null] }, stats, ...(fit.scaledResidQuantiles.length > 0 ? [residuals] : []), random, ...structureSections(fit), fixed];
  if (fit.warnings.length > 0) {
    sections.push({ title: "Warnings", header: ["Code", "Message"], rows: fit.warnings.map((w) => [w.code, w.message]), numberFormats: [null, null] });
  }
  return { sheetName: "HLM Summary", sections };
}

/** The residual structure's sections of the summary sheet (none without one). */
function structureSections(fit: LmmFit): ResultSection[] {
  const r = fit.residual;
  if (!r) return [];
  const out: ResultSection[] = [];
  if (r.correlation) {
    const c = r.correlation;
    out.push({
      title: `Correlation structure: ${STRUCTURE_LABELS[c.class]}, ${structureFormula(r, "correlation")}`,
      header: ["Parameter", "Estimate"],
      rows: c.names.map((n, i) => [n, num(c.values[i])]),
      numberFormats: [null, FMT.estimate],
    });
  }
  if (r.variance) {
    const pv = varianceParameters(r);
    out.push({
      title: `Variance function: ${STRUCTURE_LABELS[r.variance.class]}, ${structureFormula(r, "variance")}`,
      header: [r.variance.class === "varIdent" ? "Stratum" : "Parameter", r.variance.class === "varIdent" ? "SD ratio" : "Estimate"],
      rows: pv.names.map((n, i) => [n, num(pv.values[i])]),
      numberFormats: [null, FMT.estimate],
    });
  }
  const V = r.marginalCovariance;
  out.push({
    title: `Within-group covariance (marginal): ${r.group} ${V.group}`,
    header: ["Row", ...V.rows.map((row) => `Row ${row}`)],
    rows: V.rows.map((row, i) => [`Row ${row}`, ...V.matrix[i]!.map((v) => num(v))]),
    numberFormats: [null, ...V.rows.map(() => FMT.estimate)],
  });
  return out;
}

/** The "Fit statistics" section: AIC, BIC, logLik, the criterion (named and valued by the caller) and df.resid. */
export function fitStatisticsSection(fit: { AIC: number; BIC: number; logLik: number; dfResid: number }, criterion: string, value: number): ResultSection {
  return {
    title: "Fit statistics",
    header: ["AIC", "BIC", "logLik", criterion, "df.resid"],
    rows: [[num(fit.AIC), num(fit.BIC), num(fit.logLik), num(value), fit.dfResid]],
    numberFormats: [FMT.stat, FMT.stat, FMT.stat, FMT.stat, FMT.count],
  };
}

/** A residuals' min, quartiles and max as a section. */
export function residualQuantilesSection(title: string, quantiles: readonly number[]): ResultSection {
  return {
    title,
    header: ["Min", "1Q", "Median", "3Q", "Max"],
    rows: [[0, 1, 2, 3, 4].map((i) => num(quantiles[i]))],
    numberFormats: Array<string>(5).fill(FMT.estimate),
  };
}

/** The "Random effects" section: each term's variances, SDs and correlations, then the residual's row when there is a σ (a GLMM has none). */
export function randomEffectsSection(varcorr: readonly VarCorrTerm[], sigma: number | null): ResultSection {
  const nCorr = Math.max(0, ...varcorr.map((v) => v.names.length - 1));
  const rows: Cell[][] = [];
  for (const v of varcorr) {
    v.names.forEach((name, i) => {
      const corr: Cell[] = [];
      for (let j = 0; j < nCorr; j++) corr.push(j < i ? num(v.corr[i]![j]) : null);
      rows.push([v.group, name, num(v.covariance[i]![i]), num(v.sd[i]), ...corr]);
    });
  }
  if (sigma !== null) rows.push(["Residual", null, num(sigma * sigma), num(sigma), ...Array<null>(nCorr).fill(null)]);
  return {
    title: "Random effects",
    header: ["Groups", "Name", "Variance", "Std.Dev.", ...corrHeaders(nCorr)],
    rows,
    numberFormats: [null, null, FMT.estimate, FMT.estimate, ...Array<string>(nCorr).fill(FMT.corr)],
  };
}

/**
 * Headers of the correlation columns of the random-effects table: `Corr` when a term has at most two
 * effects, else `Corr 1`, `Corr 2`, …: column k holds the correlation with the term's k-th effect.
 */
function corrHeaders(n: number): string[] {
  if (n === 1) return ["Corr"];
  return Array.from({ length: n }, (_, k) => `Corr ${k + 1}`);
}

/**
 * The `HLM Random Effects` sheet: one section per grouping factor (titled with its name), one row per
 * level: the level label, the BLUPs (`ranef <column>`), their conditional standard deviations
 * (`condSD <column>`), and the level's coefficients, fixed plus random effects (`coef <column>`,
 * lme4's coef()).
 */
export function randomEffectsTable(fit: LmmFit): ResultTable {
  const sections: ResultSection[] = fit.ranef.map((r) => {
    const coef = fit.coef.find((c) => c.group === r.group);
    const coefColumns = coef?.columns ?? [];
    const coefRow = new Map<string, number[]>();
    if (coef) coef.levels.forEach((lev, l) => coefRow.set(lev, coef.values[l]!));
    const rows: Cell[][] = r.levels.map((lev, l) => {
      const c = coefRow.get(lev);
      return [
        lev,
        ...r.columns.map((_, k) => num(r.values[l]![k])),
        ...r.columns.map((_, k) => num(r.condsd[l]![k])),
        ...coefColumns.map((_, k) => num(c?.[k])),
      ];
    });
    const nr = r.columns.length;
    return {
      title: r.group,
      header: [r.group, ...r.columns.map((c) => `ranef ${c}`), ...r.columns.map((c) => `condSD ${c}`), ...coefColumns.map((c) => `coef ${c}`)],
      rows,
      numberFormats: [null, ...Array<string>(2 * nr + coefColumns.length).fill(FMT.estimate)],
    };
  });
  return { sheetName: "HLM Random Effects", sections };
}

/**
 * The `HLM Shrinkage` sheet (the lecture's shrinkage table): one row per level of the grouping
 * factor: its label, its number of observations `n`, the group's own OLS estimates (`OLS <column>`,
 * blank where the group's regression cannot estimate them) and the BLUP coefficients (`BLUP <column>`).
 */
export function shrinkageResultTable(s: ShrinkageTable): ResultTable {
  const rows: Cell[][] = s.levels.map((lev, l) => [
    lev,
    s.n[l]!,
    ...s.columns.map((_, k) => num(s.ols[l]![k])),
    ...s.columns.map((_, k) => num(s.blup[l]![k])),
  ]);
  return {
    sheetName: "HLM Shrinkage",
    sections: [
      {
        title: `Shrinkage: ${s.group}`,
        header: [s.group, "n", ...s.columns.map((c) => `OLS ${c}`), ...s.columns.map((c) => `BLUP ${c}`)],
        rows,
        numberFormats: [null, FMT.count, ...Array<string>(2 * s.columns.length).fill(FMT.estimate)],
      },
    ],
  };
}
