import gammainc from "@stdlib/math-base-special-gammainc";
import { buildModel } from "../model/buildModel.js";
import { fitModel, type FitOptions } from "../fit/fit.js";
import { HlmError } from "../HlmError.js";
import type { LmmFit } from "../fit/LmmFit.js";
import type { StructureOptions } from "../model/Model.js";
import type { Table } from "../io/Table.js";
import { fitGlmm, type GlmmOptions } from "../glmm/fitGlmm.js";
import type { GlmmFit } from "../glmm/GlmmFit.js";

/** One row of the comparison (lme4's anova(m0, m1, ...)): a model, and its test against the row above. */
export interface ComparisonRow {
  name: string;
  formula: string;
  /** The model's residual structure as nlme's lme call writes it (`correlation = corAR1()`, `weights = varIdent(form = ~ 1 | Sex)`), when it has one. */
  structure?: string;
  /** Number of parameters: fixed effects + θ (+ the residual structure's) + σ. */
  npar: number;
  AIC: number;
  BIC: number;
  logLik: number;
  /** −2 logLik (of the ML fit, or of the REML fits that nlme's rule compares as they are). */
  deviance: number;
  /** Likelihood-ratio statistic against the previous row, 2·max(0, ΔlogLik); null in the first row. */
  Chisq: number | null;
  /** Difference in npar from the previous row; null in the first row. */
  Df: number | null;
  /** Pr(>Chisq), upper tail of χ²(Df); null in the first row and where Df is 0. */
  pValue: number | null;
}

/** What a likelihood-ratio comparison reads from a fit, LMM or GLMM. */
export type ComparableFit = Pick<LmmFit, "formula" | "nobs" | "nDropped" | "df" | "logLik" | "AIC" | "BIC" | "fixef">;

/** A likelihood-ratio comparison of nested models, as lme4's anova(m0, m1, ...). */
export interface ModelComparison<F extends ComparableFit = LmmFit> {
  /** Some models were asked for by REML and were fitted by ML instead (lme4 refits them so). */
  refitML: boolean;
  /** lme4's message when it refits, the REML note when REML fits are compared as they are (nlme's rule), else null. */
  note: string | null;
  nobs: number;
  /** Sorted by npar (ties in the order given), as lme4 does. */
  rows: ComparisonRow[];
  /** The fits compared (ML, or REML under nlme's rule), in the order of `rows`. */
  fits: F[];
}

export interface CompareOptions extends FitOptions {
  /** Names of the models, in the order of the formulas (default m0, m1, ...). */
  names?: string[];
  /**
   * Per formula, its residual structure (nlme's texts; `{}` for a model without one), in the order
   * of the formulas. Default: the options' `correlation` and `variance` for every model.
   */
  structures?: readonly StructureOptions[];
}

export const REFIT_NOTE = "refitting model(s) with ML (instead of REML)";
export const REML_NOTE = "REML likelihoods compared: the models have the same fixed effects (nlme's anova)";

/** The structure as nlme's lme call writes it, or undefined for none. */
function structureLabel(s: StructureOptions): string | undefined {
  const parts = [s.correlation?.trim() ? `correlation = ${s.correlation.trim()}` : "", s.variance?.trim() ? `weights = ${s.variance.trim()}` : ""].filter((x) => x !== "");
  return parts.length > 0 ? parts.join(", ") : undefined;
}

/**
 * Fits each formula to the table by maximum likelihood and compares them by likelihood-ratio tests
 * (lme4's anova(m0, m1, ...)). REML is the default as in lmer: models asked for by REML are refitted by ML,
 * and the result says so (`refitML`, `note`).
 *
 * When a model has a residual structure (`structures`, or the options' `correlation`, `variance`),
 * nlme's rule: REML fits with the same fixed effects (the same X columns) are compared as they are,
 * by their REML likelihoods (nlme's anova(m0, m1); BIC with log(n − p), as nlme), and `note` says so;
 * otherwise they are refitted by ML as above.
 */
export function compareModels(table: Table, formulas: readonly string[], options: CompareOptions = {}): ModelComparison {
  if (formulas.length < 2) throw new HlmError("OPTIONS", `Comparing models needs at least two formulas, got ${formulas.length}.`);
  const names = checkNames(options.names, formulas.length);
  const { names: _names, structures: given, correlation, variance, ...rest } = options;
  const structures = given ?? formulas.map(() => ({ ...(correlation !== undefined ? { correlation } : {}), ...(variance !== undefined ? { variance } : {}) }));
  if (structures.length !== formulas.length) throw new HlmError("OPTIONS", `Give one residual structure per model: ${formulas.length} models, ${structures.length} structures.`);
  const labels = structures.map(structureLabel);
  const withLabels = (c: ModelComparison): ModelComparison => ({
    ...c,
    rows: c.rows.map((r) => {
      const label = labels[names.indexOf(r.name)];
      return label !== undefined ? { ...r, structure: label } : r;
    }),
  });
  const structured = labels.some((l) => l !== undefined);
  if (structured && options.REML !== false) {
    // nlme's anova compares REML fits as they are; that is meaningful when the fixed effects are the same
    const models = formulas.map((f, i) => buildModel(table, f, { ...rest, ...structures[i]!, REML: true }));
    const columns = models.map((m) => [...m.xNames].sort().join("\u0000"));
    if (columns.every((c) => c === columns[0])) {
      const fits = models.map((m) => fitModel(m, { ...rest, REML: true }));
      return { ...withLabels(tabulate(fits, names, true)), refitML: false, note: REML_NOTE };
    }
  }
  const fits = formulas.map((f, i) => {
    const fitOptions: FitOptions = { ...rest, ...structures[i]!, REML: false };
    return fitModel(buildModel(table, f, fitOptions), fitOptions);
  });
  const result = withLabels(compareFits(fits, names));
  const refitML = options.REML !== false;
  return { ...result, refitML, note: refitML ? REFIT_NOTE : null };
}

/** Compares fits already made by maximum likelihood (REML fits must be refitted: use compareModels). */
export function compareFits(fits: readonly LmmFit[], names?: readonly string[]): ModelComparison {
  if (fits.length < 2) throw new HlmError("OPTIONS", `Comparing models needs at least two fits, got ${fits.length}.`);
  const labels = checkNames(names, fits.length);
  const reml = fits.map((f, i) => (f.REML ? labels[i]! : null)).filter((x) => x !== null);
  if (reml.length > 0) throw new HlmError("OPTIONS", `Likelihood-ratio tests need maximum-likelihood fits, and ${reml.join(", ")} ${reml.length === 1 ? "was" : "were"} fitted by REML; fit with REML false, or use compareModels, which refits them.`);
  return tabulate(fits, labels, false);
}

/**
 * Likelihood-ratio tests of nested generalized linear mixed models, lme4's `anova(glmer0, glmer1, ...)`:
 * the fits sorted by their number of parameters, each tested against the one above (the same table
 * as `compareFits`; a GLMM has no REML to refit). With nAGQ > 1 the log-likelihoods are lme4's, as
 * its anova compares them.
 */
export function compareGlmmFits(fits: readonly GlmmFit[], names?: readonly string[]): ModelComparison<GlmmFit> {
  if (fits.length < 2) throw new HlmError("OPTIONS", `Comparing models needs at least two fits, got ${fits.length}.`);
  const labels = checkNames(names, fits.length);
  const families = new Set(fits.map((f) => `${f.family} (${f.link})`));
  if (families.size > 1) throw new HlmError("OPTIONS", `Likelihood-ratio tests compare models of one family and link, and these have ${[...families].join(", ")}.`);
  return tabulate(fits, labels, false);
}

/** Fits each formula to the table as `fitGlmm` does (the same family, link, weights and nAGQ) and compares them (`compareGlmmFits`). */
export function compareGlmmModels(table: Table, formulas: readonly string[], options: GlmmOptions & { names?: string[] }): ModelComparison<GlmmFit> {
  if (formulas.length < 2) throw new HlmError("OPTIONS", `Comparing models needs at least two formulas, got ${formulas.length}.`);
  const { names, ...rest } = options;
  const labels = checkNames(names, formulas.length);
  return compareGlmmFits(formulas.map((f) => fitGlmm(table, f, rest)), labels);
}

/**
 * The comparison table of fits made by the same criterion: ML, or (`reml`) REML fits with the same
 * fixed effects, whose BIC is nlme's, −2 logLik + npar · log(n − p).
 */
function tabulate<F extends ComparableFit>(fits: readonly F[], labels: readonly string[], reml: boolean): ModelComparison<F> {
  const nobs = fits.map((f) => f.nobs);
  if (nobs.some((n) => n !== nobs[0])) {
    const dropped = fits.some((f) => f.nDropped > 0) ? " (rows with missing values in their variables were dropped)" : "";
    throw new HlmError("DATA", `The models were fitted to different numbers of observations${dropped}: ${labels.map((l, i) => `${l} ${nobs[i]}`).join(", ")}; compare models fitted to the same rows, e.g. after removing the rows with missing values in any of their variables.`);
  }
  const order = fits.map((_, i) => i).sort((a, b) => fits[a]!.df - fits[b]!.df || a - b);
  const rows: ComparisonRow[] = [];
  order.forEach((i, k) => {
    const f = fits[i]!;
    const prev = k > 0 ? fits[order[k - 1]!]! : null;
    const Chisq = prev ? 2 * Math.max(0, f.logLik - prev.logLik) : null;
    const Df = prev ? f.df - prev.df : null;
    const pValue = Chisq !== null && Df !== null && Df > 0 ? chisqUpperTail(Chisq, Df) : null;
    const BIC = reml ? -2 * f.logLik + f.df * Math.log(f.nobs - f.fixef.length) : f.BIC;
    rows.push({ name: labels[i]!, formula: f.formula, npar: f.df, AIC: f.AIC, BIC, logLik: f.logLik, deviance: -2 * f.logLik, Chisq, Df, pValue });
  });
  return { refitML: false, note: null, nobs: nobs[0]!, rows, fits: order.map((i) => fits[i]!) };
}

function checkNames(names: readonly string[] | undefined, n: number): string[] {
  if (names === undefined) return Array.from({ length: n }, (_, i) => `m${i}`);
  if (names.length !== n) throw new HlmError("OPTIONS", `Give one name per model: ${n} models, ${names.length} names.`);
  if (new Set(names).size !== names.length) throw new HlmError("OPTIONS", "The model names must differ from each other.");
  return [...names];
}

/** Pr(X > x) for X ~ χ²(df) (R's pchisq(x, df, lower.tail = FALSE)). */
export function chisqUpperTail(x: number, df: number): number {
  if (!(x > 0)) return 1;
  return gammainc(x / 2, df / 2, true, true); // the upper tail itself: no 1 − P cancellation for tiny p
}
