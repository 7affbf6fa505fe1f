/**
 * The `HLM.*` worksheet functions as plain functions, without Office: each takes the data range's
 * values (first row the header, as `Excel.Range.values` gives them), a formula, and optional
 * arguments, and returns a 2D array that spills into the sheet. Tables have a header row; single
 * values (`HLM.SIGMA`, `HLM.AIC`, …) are 1×1. Numbers stay numbers; a blank cell is null.
 *
 * Functions on the same data, formula and method share one fit (`getFit`, an LRU cache). Problems
 * are thrown as HlmError with a message a person can act on; the Office wrapper turns them into
 * `#VALUE!` or `#N/A`.
 *
 * `method` is "REML" (the default) or "ML", in any case. The last argument, `at`, is where the ranges
 * are on the sheet (their addresses, as Excel tells a function that asks for them): messages then
 * name cells and rows as the sheet counts them; without it a range is taken to start at A1.
 */
import { formatSummary, HlmError, shrinkageResultTable, shrinkageTable, summaryTable, type Cell, type LmmFit, type RanefTable, type ResultSection } from "@hlm/core";
import { rangeOrigin } from "./excel/addresses.js";
import { getFit, type CachedFit } from "./modelCache.js";
import { predictNewData } from "./predictNewData.js";
import { formulaColumns } from "./locateError.js";
import { checkErrorCells, rangeRows } from "./rangeToTable.js";

export type { Cell };

/** A result section as a spilled table: its header row, then its rows. */
const spill = (section: ResultSection): Cell[][] => [section.header, ...section.rows];

/** A finite number, or null (blank) for NaN, ±Infinity and values not computed. */
const num = (v: number | null | undefined): number | null => (v === null || v === undefined || !Number.isFinite(v) ? null : v);

/** Where the ranges of a call are: the addresses of the data and new-data ranges (missing when unknown). */
export interface RangeAddresses {
  data?: string | null | undefined;
  newdata?: string | null | undefined;
}

const fitOf = (values: unknown, formula: unknown, method: unknown, at?: RangeAddresses): CachedFit =>
  getFit(values, formula, { method, range: rangeOrigin(at?.data) });

/** The random-effects table of a grouping factor (default: the first, lme4's largest), or an HlmError naming the choices. */
function groupOf<T extends { group: string }>(tables: T[], group: unknown): T {
  if (group === null || group === undefined || (typeof group === "string" && group.trim() === "")) return tables[0]!;
  const g = String(group).trim();
  const t = tables.find((x) => x.group === g) ?? tables.find((x) => x.group.toLowerCase() === g.toLowerCase());
  if (!t) {
    throw new HlmError("OPTIONS", `'${g}' is not a grouping factor of the model; its grouping factors are ${tables.map((x) => x.group).join(", ")}.`);
  }
  return t;
}

/** HLM.FIXEF: a row per fixed effect: Term, Estimate, Std. Error, df (Satterthwaite), t value, Pr(>|t|). */
export function fixef(values: unknown, formula: unknown, method?: unknown, at?: RangeAddresses): Cell[][] {
  const { fit } = fitOf(values, formula, method, at);
  return [
    ["Term", "Estimate", "Std. Error", "df", "t value", "Pr(>|t|)"],
    ...fit.fixefNames.map((name, i): Cell[] => [name, num(fit.fixef[i]), num(fit.se[i]), num(fit.satterthwaiteDf[i]), num(fit.tValues[i]), num(fit.pValues[i])]),
  ];
}

/** HLM.RANEF: the BLUPs of a grouping factor (default the first): a row per level, its label and a column per random effect. */
export function ranef(values: unknown, formula: unknown, group?: unknown, method?: unknown, at?: RangeAddresses): Cell[][] {
  const { fit } = fitOf(values, formula, method, at);
  const r: RanefTable = groupOf(fit.ranef, group);
  return [[r.group, ...r.columns], ...r.levels.map((lev, l): Cell[] => [lev, ...r.values[l]!.map(num)])];
}

/** HLM.COEF: the coefficients per level of a grouping factor (fixed effects plus the level's BLUPs, lme4's coef()). */
export function coef(values: unknown, formula: unknown, group?: unknown, method?: unknown, at?: RangeAddresses): Cell[][] {
  const { fit } = fitOf(values, formula, method, at);
  const c = groupOf(fit.coef, group);
  return [[c.group, ...c.columns], ...c.levels.map((lev, l): Cell[] => [lev, ...c.values[l]!.map(num)])];
}

/**
 * HLM.VARCORR: the variance components as lme4 prints them: Groups, Name, Variance, Std.Dev., and
 * for terms with several effects the correlations with the term's earlier effects (`Corr`, or
 * `Corr 1`, `Corr 2`, … when a term has more than two effects); a last Residual row.
 */
export function varcorr(values: unknown, formula: unknown, method?: unknown, at?: RangeAddresses): Cell[][] {
  const { fit } = fitOf(values, formula, method, at);
  return spill(summaryTable(fit).sections.find((x) => x.title === "Random effects")!);
}

/** HLM.SIGMA: the residual standard deviation σ̂ (1×1). */
export function sigma(values: unknown, formula: unknown, method?: unknown, at?: RangeAddresses): Cell[][] {
  return [[num(fitOf(values, formula, method, at).fit.sigma)]];
}

/** HLM.LOGLIK: the log-likelihood (the REML log-likelihood for a REML fit, as lme4's logLik()) (1×1). */
export function logLik(values: unknown, formula: unknown, method?: unknown, at?: RangeAddresses): Cell[][] {
  return [[num(fitOf(values, formula, method, at).fit.logLik)]];
}

/** HLM.AIC: Akaike's information criterion, as lme4's AIC() (1×1). */
export function aic(values: unknown, formula: unknown, method?: unknown, at?: RangeAddresses): Cell[][] {
  return [[num(fitOf(values, formula, method, at).fit.AIC)]];
}

/** HLM.BIC: the Bayesian information criterion, as lme4's BIC() (1×1). */
export function bic(values: unknown, formula: unknown, method?: unknown, at?: RangeAddresses): Cell[][] {
  return [[num(fitOf(values, formula, method, at).fit.BIC)]];
}

/**
 * The intraclass correlation of a grouping factor: its random-intercept variance τ² over the total
 * τ² + σ². With several grouping factors the denominator adds every factor's intercept variance
 * (the share of the variance at that factor's level). In a model with random slopes the variance
 * of the intercept is used, which is the variance between groups where the slope variables are 0:
 * it depends on how they are centred.
 */
export function iccOf(fit: LmmFit, group?: unknown): number {
  const intercepts = fit.varcorr.filter((v) => v.names[0] === "(Intercept)");
  const groups = [...new Set(fit.varcorr.map((v) => v.group))];
  const g = group === null || group === undefined || (typeof group === "string" && group.trim() === "") ? groups[0]! : String(group).trim();
  if (!groups.includes(g)) {
    throw new HlmError("OPTIONS", `'${g}' is not a grouping factor of the model; its grouping factors are ${groups.join(", ")}.`);
  }
  const term = intercepts.find((v) => v.group === g);
  if (!term) throw new HlmError("OPTIONS", `The grouping factor '${g}' has no random intercept, so it has no intraclass correlation.`);
  const tau2 = term.covariance[0]![0]!;
  const total = intercepts.reduce((s, v) => s + v.covariance[0]![0]!, 0) + fit.sigma * fit.sigma;
  return tau2 / total;
}

/**
 * HLM.ICC: the intraclass correlation τ²/(τ² + σ²) of a grouping factor (default the first) (1×1).
 * For a model with random slopes it is the intercept-variance ICC (see `iccOf`).
 */
export function icc(values: unknown, formula: unknown, group?: unknown, method?: unknown, at?: RangeAddresses): Cell[][] {
  return [[num(iccOf(fitOf(values, formula, method, at).fit, group))]];
}

/**
 * HLM.PREDICT: predictions for a range of new rows (its first row a header naming the columns, in
 * any order). Two columns: `Prediction` (with the BLUPs of the rows' groups; a group level the fit
 * has not seen gets the population prediction for its term) and `Population` (fixed effects only,
 * X β̂). A missing value or an unknown level of a fixed-effect factor is an HlmError naming the row.
 */
export function predict(values: unknown, formula: unknown, newValues: unknown, method?: unknown, at?: RangeAddresses): Cell[][] {
  const { model, fit } = fitOf(values, formula, method, at);
  const fresh = rangeRows(newValues, { what: "new data range", ...rangeOrigin(at?.newdata) });
  checkErrorCells(fresh.layout, formulaColumns(model.formula)); // Excel errors in the new rows' columns that the model uses
  const { prediction, population } = predictNewData(model, fit, rangeRows(values, rangeOrigin(at?.data)), fresh);
  return [["Prediction", "Population"], ...prediction.map((p, r): Cell[] => [num(p), num(population[r])])];
}

/**
 * HLM.SHRINKAGE: the lecture's shrinkage table for a grouping factor (default the first): a row per
 * level with its n, its own OLS estimates (`OLS <column>`, blank where they cannot be estimated) and
 * the BLUP coefficients (`BLUP <column>`).
 */
export function shrinkage(values: unknown, formula: unknown, group?: unknown, method?: unknown, at?: RangeAddresses): Cell[][] {
  const { model, fit } = fitOf(values, formula, method, at);
  const g = groupOf(fit.ranef, group).group;
  return spill(shrinkageResultTable(shrinkageTable(model, fit, g)).sections[0]!);
}

/** HLM.SUMMARY: lme4's summary (with lmerTest's t-tests) as text, one line per cell of a single column. */
export function summary(values: unknown, formula: unknown, method?: unknown, at?: RangeAddresses): Cell[][] {
  const text = formatSummary(fitOf(values, formula, method, at).fit);
  return text.replace(/\n$/, "").split("\n").map((line) => [line]);
}
