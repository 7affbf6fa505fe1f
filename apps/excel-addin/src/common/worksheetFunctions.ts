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
 * `method` is "REML" (the default) or "ML", in any case. `options` (after the function's own optional
 * arguments) is a text of `key=value` pairs (`fitOptions.ts`): a residual correlation structure and
 * variance function in nlme's language, the t-tests' df (Satterthwaite or nlme's containment),
 * categorical columns and a weights column, and `family=binomial; link=probit; nagq=9` for a
 * generalized linear mixed model (lme4's glmer): `HLM.FIXEF` then gives z tests, `HLM.RANEF` the
 * conditional modes, `HLM.VARCORR`, `HLM.LOGLIK`, `HLM.AIC`, `HLM.BIC`, `HLM.SUMMARY`, `HLM.COEF`,
 * `HLM.ICC`, `HLM.R2`, `HLM.PREDICT` and Wald `HLM.CONFINT` the GLMM's values, and the functions
 * that do not apply to one (σ, Satterthwaite's F tests, shrinkage, residual structures, influence)
 * say so in one sentence. The last argument, `at`, is where the ranges
 * are on the sheet (their addresses, as Excel tells a function that asks for them): messages then
 * name cells and rows as the sheet counts them; without it a range is taken to start at A1.
 */
import * as core from "@hlm/core";
import { anovaTypeIII, groupInfluence, type GroupInfluence, bootstrapIntervalsAsync, profileIntervals, effectSizes, formatGlmmSummary, formatSummary, glmmEffectSizes, glmmSummaryTable, glmmWaldIntervals, HlmError, predictGlmm, shrinkageResultTable, shrinkageTable, summaryTable, waldIntervals, type Cell, type ContainmentTable, type EffectSizes, type GlmmEffectSizes, type GlmmFit, type LmmFit, type Model, type ParameterIntervals, type RanefTable, type ResidualFit, type ResultSection, type SummedModel } from "@hlm/core";
import { parseFitOptions, type FitOptionsArg } from "./fitOptions.js";
import { rangeOrigin } from "./sheet/addresses.js";
import { checkFormula, getFit, getGlmm, parseMethod, type CachedFit, type CachedGlmm } from "./modelCache.js";
import { formulaColumns } from "./locateError.js";
import { checkErrorCells, rangeRows, rangeToTable } from "./rangeToTable.js";

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

/** A fit of the worksheet functions, with the options it was asked for (the ddf of its t-tests, its factors). */
type OptionsFit = CachedFit & { options: FitOptionsArg };

/** A generalized linear mixed model's fit of the worksheet functions (options with `family=`). */
type GlmmOptionsFit = CachedGlmm & { options: FitOptionsArg & { family: "binomial" | "poisson" } };

/** The fit of a call, a linear or a generalized linear mixed model by its options' `family`. */
type AnyFit = ({ kind: "lmm" } & OptionsFit) | ({ kind: "glmm" } & GlmmOptionsFit);

/**
 * Why a worksheet function does not apply to a generalized linear mixed model, by function (one
 * sentence each, the cell's `#VALUE!`).
 */
const NOT_FOR_GLMM: Record<"HLM.SIGMA" | "HLM.ANOVA" | "HLM.INFLUENCE" | "HLM.SHRINKAGE" | "HLM.CORSTRUCT" | "HLM.VARFUNC" | "HLM.VARCOV", (family: string) => string> = {
  "HLM.SIGMA": (f) => `HLM.SIGMA is for linear mixed models: a ${f} model (family=${f}) has no residual standard deviation σ.`,
  "HLM.ANOVA": (f) => `HLM.ANOVA's F tests with Satterthwaite's df are for linear mixed models; for a ${f} model (family=${f}), HLM.FIXEF gives the z tests of the fixed effects.`,
  "HLM.INFLUENCE": (f) => `HLM.INFLUENCE's refits without each group are not available for a generalized linear mixed model (family=${f}) yet.`,
  "HLM.SHRINKAGE": (f) => `HLM.SHRINKAGE sets each group's least-squares estimates beside its BLUPs, for linear mixed models; for a ${f} model (family=${f}), HLM.RANEF gives the conditional modes.`,
  "HLM.CORSTRUCT": (f) => `HLM.CORSTRUCT is for nlme's residual structures of a linear mixed model, which a ${f} model (family=${f}) does not have.`,
  "HLM.VARFUNC": (f) => `HLM.VARFUNC is for nlme's residual structures of a linear mixed model, which a ${f} model (family=${f}) does not have.`,
  "HLM.VARCOV": (f) => `HLM.VARCOV is for nlme's residual structures of a linear mixed model, which a ${f} model (family=${f}) does not have.`,
};

/** The fit of a call: a linear mixed model, or with `family=` in the options lme4's glmer (whose method is ML: an explicit "REML" is refused). */
function anyFitOf(values: unknown, formula: unknown, method: unknown, options?: unknown, at?: RangeAddresses): AnyFit {
  const o = parseFitOptions(options);
  if (o.family === undefined) return { kind: "lmm", ...lmmFitOf(values, formula, method, o, at) };
  if (typeof method === "string" && method.trim().toUpperCase() === "REML") {
    throw new HlmError("OPTIONS", `A ${o.family} model (family=${o.family}) is fitted by maximum likelihood, as lme4's glmer; leave the method blank or give "ML".`);
  }
  parseMethod(method); // anything but REML, ML or blank: its sentence
  const g = getGlmm(values, formula, {
    family: o.family,
    range: rangeOrigin(at?.data),
    ...(o.link !== undefined ? { link: o.link } : {}),
    ...(o.nAGQ !== undefined ? { nAGQ: o.nAGQ } : {}),
    ...(o.factors ? { factors: o.factors } : {}),
    ...(o.weights !== undefined ? { weights: o.weights } : {}),
  });
  return { kind: "glmm", ...g, options: { ...o, family: o.family } };
}

/** The fit of a call for a function of linear mixed models only: with `family=` in the options, the function's sentence (`NOT_FOR_GLMM`). */
function fitOf(values: unknown, formula: unknown, method: unknown, options: unknown, at: RangeAddresses | undefined, fn: keyof typeof NOT_FOR_GLMM): OptionsFit {
  const o = parseFitOptions(options);
  if (o.family !== undefined) {
    throw new HlmError("OPTIONS", NOT_FOR_GLMM[fn](o.family));
  }
  return lmmFitOf(values, formula, method, o, at);
}

/** The linear mixed model of a call with its options read, from the shared cache. */
function lmmFitOf(values: unknown, formula: unknown, method: unknown, o: FitOptionsArg, at?: RangeAddresses): OptionsFit {
  const fit = getFit(values, formula, {
    method,
    range: rangeOrigin(at?.data),
    ...(o.factors ? { factors: o.factors } : {}),
    ...(o.weights !== undefined ? { weights: o.weights } : {}),
    ...(o.correlation !== undefined ? { correlation: o.correlation } : {}),
    ...(o.variance !== undefined ? { variance: o.variance } : {}),
    ...(o.columns !== undefined ? { columns: o.columns } : {}),
  });
  return { ...fit, options: o };
}

/** nlme's containment t-table of a fit, or an HlmError when the model's groupings are crossed (nlme fits nested ones only). */
function containmentOf(fit: LmmFit): ContainmentTable {
  if (fit.containment) return fit.containment;
  throw new HlmError("OPTIONS", `nlme's containment degrees of freedom need nested grouping factors, and the groupings of '${fit.formula}' are crossed; use ddf=satterthwaite.`);
}

/** Refuses what the engine does not yet compute for a model with a residual correlation structure or variance function. */
function refuseStructure(fit: LmmFit, what: string): void {
  if (!fit.residual) return;
  const r = fit.residual;
  const texts = [r.correlation?.text, r.variance?.text].filter((t): t is string => t !== undefined).join(" and ");
  throw new HlmError("OPTIONS", `${what} is not available for a model with a residual structure (${texts}) yet; leave the correlation and variance options out for it.`);
}

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

/**
 * HLM.FIXEF: a row per fixed effect: Term, Estimate, Std. Error, df, t value, Pr(>|t|); the df
 * Satterthwaite's (lmerTest's), or with `ddf=containment` nlme's t-table (its containment df, and
 * under ML its standard errors scaled as nlme's `summary(lme)` does). For a GLMM (`family=`),
 * glmer's z tests: Term, Estimate, Std. Error, z value, Pr(>|z|).
 */
export function fixef(values: unknown, formula: unknown, method?: unknown, options?: unknown, at?: RangeAddresses): Cell[][] {
  const any = anyFitOf(values, formula, method, options, at);
  if (any.kind === "glmm") {
    const g = any.fit;
    return [["Term", "Estimate", "Std. Error", "z value", "Pr(>|z|)"], ...g.fixefNames.map((name, i): Cell[] => [name, num(g.fixef[i]), num(g.se[i]), num(g.zValues[i]), num(g.pValues[i])])];
  }
  const { fit, options: o } = any;
  const t = o.ddf === "containment" ? containmentOf(fit) : { df: fit.satterthwaiteDf, se: fit.se, tValues: fit.tValues, pValues: fit.pValues };
  return [
    ["Term", "Estimate", "Std. Error", "df", "t value", "Pr(>|t|)"],
    ...fit.fixefNames.map((name, i): Cell[] => [name, num(fit.fixef[i]), num(t.se[i]), num(t.df[i]), num(t.tValues[i]), num(t.pValues[i])]),
  ];
}

/** HLM.RANEF: the BLUPs of a grouping factor (default the first): a row per level, its label and a column per random effect (for a GLMM, glmer's conditional modes on the link scale). */
export function ranef(values: unknown, formula: unknown, group?: unknown, method?: unknown, options?: unknown, at?: RangeAddresses): Cell[][] {
  const { fit } = anyFitOf(values, formula, method, options, at);
  const r: RanefTable = groupOf(fit.ranef, group);
  return [[r.group, ...r.columns], ...r.levels.map((lev, l): Cell[] => [lev, ...r.values[l]!.map(num)])];
}

/** HLM.COEF: the coefficients per level of a grouping factor (fixed effects plus the level's BLUPs, lme4's coef()). */
export function coef(values: unknown, formula: unknown, group?: unknown, method?: unknown, options?: unknown, at?: RangeAddresses): Cell[][] {
  const any = anyFitOf(values, formula, method, options, at);
  const c = groupOf(any.kind === "glmm" ? glmmCoef(any.fit) : any.fit.coef, group);
  return [[c.group, ...c.columns], ...c.levels.map((lev, l): Cell[] => [lev, ...c.values[l]!.map(num)])];
}

/** lme4's coef() of a GLMM: per level, every fixed effect plus the level's modes of the same name (random-only columns after). */
function glmmCoef(fit: GlmmFit): { group: string; columns: string[]; levels: string[]; values: number[][] }[] {
  return fit.ranef.map((r) => {
    const columns = [...fit.fixefNames, ...r.columns.filter((c) => !fit.fixefNames.includes(c))];
    const values = r.values.map((row) => columns.map((c) => (fit.fixefNames.includes(c) ? fit.fixef[fit.fixefNames.indexOf(c)]! : 0) + r.columns.reduce((sum, rc, k) => (rc === c ? sum + row[k]! : sum), 0)));
    return { group: r.group, columns, levels: r.levels, values };
  });
}

/**
 * HLM.VARCORR: the variance components as lme4 prints them: Groups, Name, Variance, Std.Dev., and
 * for terms with several effects the correlations with the term's earlier effects (`Corr`, or
 * `Corr 1`, `Corr 2`, … when a term has more than two effects); a last Residual row (none for a GLMM).
 */
export function varcorr(values: unknown, formula: unknown, method?: unknown, options?: unknown, at?: RangeAddresses): Cell[][] {
  const any = anyFitOf(values, formula, method, options, at);
  const table = any.kind === "glmm" ? glmmSummaryTable(any.fit) : summaryTable(any.fit);
  return spill(table.sections.find((x) => x.title === "Random effects")!);
}

/** HLM.SIGMA: the residual standard deviation σ̂ (1×1). */
export function sigma(values: unknown, formula: unknown, method?: unknown, options?: unknown, at?: RangeAddresses): Cell[][] {
  return [[num(fitOf(values, formula, method, options, at, "HLM.SIGMA").fit.sigma)]];
}

/** HLM.LOGLIK: the log-likelihood (the REML log-likelihood for a REML fit, as lme4's logLik()) (1×1). */
export function logLik(values: unknown, formula: unknown, method?: unknown, options?: unknown, at?: RangeAddresses): Cell[][] {
  return [[num(anyFitOf(values, formula, method, options, at).fit.logLik)]];
}

/** HLM.AIC: Akaike's information criterion, as lme4's AIC() (1×1). */
export function aic(values: unknown, formula: unknown, method?: unknown, options?: unknown, at?: RangeAddresses): Cell[][] {
  return [[num(anyFitOf(values, formula, method, options, at).fit.AIC)]];
}

/** HLM.BIC: the Bayesian information criterion, as lme4's BIC() (1×1). */
export function bic(values: unknown, formula: unknown, method?: unknown, options?: unknown, at?: RangeAddresses): Cell[][] {
  return [[num(anyFitOf(values, formula, method, options, at).fit.BIC)]];
}

/** The effect sizes of a fit (Nakagawa's R², performance's ICC), computed once per fit. */
const effectSizesOf = (() => {
  const memo = new WeakMap<LmmFit, EffectSizes>();
  return (model: Model, fit: LmmFit): EffectSizes => {
    let e = memo.get(fit);
    if (!e) {
      e = effectSizes(model, fit);
      memo.set(fit, e);
    }
    return e;
  };
})();

/** The effect sizes of a GLMM fit (performance's latent-scale ICC and Nakagawa's R²; a Poisson model fits its null model once), computed once per fit. */
const glmmEffectSizesOf = (() => {
  const memo = new WeakMap<GlmmFit, GlmmEffectSizes>();
  return (model: Model, fit: GlmmFit): GlmmEffectSizes => {
    let e = memo.get(fit);
    if (!e) {
      e = glmmEffectSizes(model, fit);
      memo.set(fit, e);
    }
    return e;
  };
})();

/** A GLMM's effect size, or the sentence saying why performance gives NA for it (a singular fit). */
function glmmValue(e: GlmmEffectSizes, v: number | null, what: string): number {
  if (v !== null && Number.isFinite(v)) return v;
  throw new HlmError("OPTIONS", `The ${what} of this ${e.family} model is not defined (performance gives NA): ${e.warnings[0] ?? "a variance component is 0"}`.replace(/\.?$/, "."));
}

/** Which ICC: "adjusted" (the default, performance's ICC_adjusted) or "unadjusted" (ICC_conditional). */
export function parseIccType(type: unknown): "adjusted" | "unadjusted" {
  if (type === null || type === undefined || (typeof type === "string" && type.trim() === "")) return "adjusted";
  if (typeof type === "string") {
    const t = type.trim().toLowerCase();
    if (t === "adjusted") return "adjusted";
    if (t === "unadjusted") return "unadjusted";
  }
  throw new HlmError("OPTIONS", `The ICC type must be "adjusted" or "unadjusted", not ${typeof type === "string" ? `"${type}"` : String(type)}.`);
}

/**
 * The intraclass correlation, as R's `performance::icc`:
 * - without a group, or naming the model's only grouping factor: the ICC of the whole model from
 *   core's `effectSizes`, adjusted σ²_r/(σ²_r + σ²_e) (the default) or unadjusted
 *   σ²_r/(σ²_f + σ²_r + σ²_e), where σ²_r is the mean variance of the random effects over the
 *   observations (it includes random slopes);
 * - naming one of several grouping factors: that factor's share, `performance::icc(by_group = TRUE)`:
 *   its random-intercept variance over the sum of every random-intercept variance and σ² (adjusted only).
 */
export function iccOf(model: Model, fit: LmmFit, group?: unknown, type?: unknown): number {
  const which = parseIccType(type);
  const groups = [...new Set(fit.varcorr.map((v) => v.group))];
  const blank = group === null || group === undefined || (typeof group === "string" && group.trim() === "");
  const g = blank ? null : String(group).trim();
  if (g !== null && !groups.includes(g)) {
    throw new HlmError("OPTIONS", `'${g}' is not a grouping factor of the model; its grouping factors are ${groups.join(", ")}.`);
  }
  if (g === null || groups.length === 1) {
    const e = effectSizesOf(model, fit);
    return which === "adjusted" ? e.iccAdjusted : e.iccUnadjusted;
  }
  if (which === "unadjusted") {
    throw new HlmError("OPTIONS", `The unadjusted ICC is one number for the whole model; leave the group blank for it, or ask for the adjusted ICC of '${g}'.`);
  }
  const intercepts = fit.varcorr.filter((v) => v.names[0] === "(Intercept)");
  const term = intercepts.find((v) => v.group === g);
  if (!term) throw new HlmError("OPTIONS", `The grouping factor '${g}' has no random intercept, so it has no intraclass correlation of its own.`);
  const tau2 = term.covariance[0]![0]!;
  const total = intercepts.reduce((s, v) => s + v.covariance[0]![0]!, 0) + fit.sigma * fit.sigma;
  return tau2 / total;
}

/**
 * HLM.ICC: the intraclass correlation as `performance::icc` (1×1): adjusted by default, or
 * unadjusted; with a group named among several grouping factors, that factor's share (see `iccOf`).
 * For a GLMM, performance's latent-scale ICC of the whole model (core's `glmmEffectSizes`).
 */
export function icc(values: unknown, formula: unknown, group?: unknown, method?: unknown, type?: unknown, options?: unknown, at?: RangeAddresses): Cell[][] {
  const any = anyFitOf(values, formula, method, options, at);
  if (any.kind === "lmm") return [[num(iccOf(any.model, any.fit, group, type))]];
  const which = parseIccType(type);
  const groups = [...new Set(any.fit.varcorr.map((v) => v.group))];
  const g = group === null || group === undefined || String(group).trim() === "" ? null : String(group).trim();
  if (g !== null && !groups.includes(g)) throw new HlmError("OPTIONS", `'${g}' is not a grouping factor of the model; its grouping factors are ${groups.join(", ")}.`);
  if (g !== null && groups.length > 1) {
    throw new HlmError("OPTIONS", `The ICC of one of several grouping factors is for linear mixed models; leave the group blank for the ${any.options.family} model's ICC (performance's, on the latent scale).`);
  }
  const e = glmmEffectSizesOf(any.model, any.fit);
  return [[glmmValue(e, which === "adjusted" ? e.iccAdjusted : e.iccUnadjusted, `${which} ICC`)]];
}

/** HLM.R2: Nakagawa's marginal (fixed effects) and conditional (fixed and random effects) R², as `performance::r2_nakagawa`: two labelled rows (for a GLMM on the latent scale; a conditional R² performance gives as NA is blank). */
export function r2(values: unknown, formula: unknown, method?: unknown, options?: unknown, at?: RangeAddresses): Cell[][] {
  const any = anyFitOf(values, formula, method, options, at);
  if (any.kind === "glmm") {
    const g = glmmEffectSizesOf(any.model, any.fit);
    return [
      ["Marginal R2", num(g.r2Marginal)],
      ["Conditional R2", num(g.r2Conditional)],
    ];
  }
  const { model, fit } = any;
  const e = effectSizesOf(model, fit);
  return [
    ["Marginal R2", num(e.r2Marginal)],
    ["Conditional R2", num(e.r2Conditional)],
  ];
}

/** The header of HLM.ANOVA, as lmerTest prints it. */
export const ANOVA_HEADER = ["Term", "Sum Sq", "Mean Sq", "NumDF", "DenDF", "F value", "Pr(>F)"];

/**
 * HLM.ANOVA: lmerTest's type III table of the fixed-effects terms with Satterthwaite's denominator
 * df (`anova(model)`): Term, Sum Sq, Mean Sq, NumDF, DenDF, F value, Pr(>F). A model with only an
 * intercept has no term to test: an HlmError; so is `ddf=containment` (nlme's F tests are not computed).
 */
export function anova(values: unknown, formula: unknown, method?: unknown, options?: unknown, at?: RangeAddresses): Cell[][] {
  const { model, fit, options: o } = fitOf(values, formula, method, options, at, "HLM.ANOVA");
  if (o.ddf === "containment") {
    throw new HlmError("OPTIONS", `HLM.ANOVA's F tests use Satterthwaite's denominator df (lmerTest's); nlme's containment df are for the t-tests of HLM.FIXEF and HLM.SUMMARY, so leave ddf=containment out here.`);
  }
  const rows = anovaTypeIII(model, fit);
  if (rows.length === 0) {
    throw new HlmError("OPTIONS", `The formula '${fit.formula}' has no fixed-effects term besides the intercept, so there is no F test to show.`);
  }
  return [ANOVA_HEADER, ...rows.map((r): Cell[] => [r.term, num(r.sumSq), num(r.meanSq), r.numDf, num(r.denDf), num(r.F), num(r.pValue)])];
}

/** Influence refits per fit and column (one refit per level: once per fit). */
const influenceMemo = new WeakMap<LmmFit, Map<string, GroupInfluence>>();

/**
 * HLM.INFLUENCE: the model refitted without each level of a grouping column (default: the first
 * grouping factor's column), lme4's `influence(m, groups)`: a row per level with lme4's Cook's
 * distance and the change in each fixed effect (blank where the refit drops the column), and whether
 * the refit converged. One refit per level: for data of modest size. With a residual structure, each
 * refit keeps it (core's groupInfluence).
 */
export function influence(values: unknown, formula: unknown, group?: unknown, method?: unknown, options?: unknown, at?: RangeAddresses): Cell[][] {
  const { model, fit, options: o } = fitOf(values, formula, method, options, at, "HLM.INFLUENCE");
  // by default the first grouping factor's column (Subject for (1 | factor(Subject)))
  const column = group === null || group === undefined || String(group).trim() === "" ? core.nameUses(model.terms.random[0]!.groupExprs[0]!)[0]!.name : String(group).trim();
  let byColumn = influenceMemo.get(fit);
  let inf = byColumn?.get(column);
  if (!inf) {
    inf = groupInfluence(rangeToTable(values, rangeOrigin(at?.data)), model, fit, column, {
      ...(o.factors ? { factors: o.factors } : {}),
      ...(o.weights !== undefined ? { weights: o.weights } : {}),
    });
    if (!byColumn) influenceMemo.set(fit, (byColumn = new Map()));
    byColumn.set(column, inf);
  }
  const header: Cell[] = [inf.group, "Cook's D", ...inf.fixefNames.map((n) => `Δ ${n}`), "Converged"];
  return [
    header,
    ...inf.levels.map((level, k): Cell[] => [level, num(inf.cooksDistance[k]), ...inf.fixefWithout[k]!.map((b, j) => (b === null ? null : num(b - inf.fixef[j]!))), inf.converged[k]!]),
  ];
}

/** Kinds of confidence interval of HLM.CONFINT. */
export type IntervalType = "Wald" | "profile" | "boot";

/** "Wald" (default), "profile" or "boot" ("bootstrap" too), any case. */
export function parseIntervalType(type: unknown): IntervalType {
  if (type === null || type === undefined || (typeof type === "string" && type.trim() === "")) return "Wald";
  if (typeof type === "string") {
    const t = type.trim().toLowerCase();
    if (t === "wald") return "Wald";
    if (t === "profile") return "profile";
    if (t === "boot" || t === "bootstrap") return "boot";
  }
  throw new HlmError("OPTIONS", `The interval type must be "Wald", "profile" or "boot", not ${typeof type === "string" ? `"${type}"` : String(type)}.`);
}

/** A confidence level strictly between 0 and 1 (default 0.95); a number or numeric text. */
export function parseLevel(level: unknown): number {
  if (level === null || level === undefined || (typeof level === "string" && level.trim() === "")) return 0.95;
  const x = typeof level === "number" ? level : typeof level === "string" ? Number(level.trim().replace(/%$/, "")) / (level.trim().endsWith("%") ? 100 : 1) : NaN;
  if (Number.isFinite(x) && x > 0 && x < 1) return x;
  const shown = typeof level === "string" ? `"${level}"` : String(level);
  const hint = x >= 50 && x < 100 ? ` (for ${x}% write ${x / 100})` : "";
  throw new HlmError("OPTIONS", `The confidence level must be a number between 0 and 1 such as 0.95, not ${shown}${hint}.`);
}

/** R's column names of a confidence interval: "2.5 %" and "97.5 %" for 0.95 (format(100 p, digits = 3)). */
export function percentLabels(level: number): [string, string] {
  const pct = (p: number): string => `${Number((100 * p).toPrecision(3))} %`;
  return [pct((1 - level) / 2), pct((1 + level) / 2)];
}

/** The default seed and number of simulations of bootstrap intervals: the sheet recalculates to the same numbers. */
export const BOOT_SEED = 20240607;
export const BOOT_NSIM = 500;

/** Intervals computed for a fit, by type and level (profiles and bootstraps are slow: once per fit). */
const intervalMemo = new WeakMap<LmmFit, Map<string, Promise<ParameterIntervals>>>();

/**
 * The confidence intervals of a fit: Wald (fixed effects), profile or parametric bootstrap (every
 * parameter, lme4's names). The bootstrap's 500 refits give the thread back between refits
 * (`bootstrapIntervalsAsync`), so that Excel's shared runtime and the task pane stay responsive.
 * A computation that failed is not remembered.
 */
export function intervalsOf(model: Model, fit: LmmFit, level: number, type: IntervalType, sums?: SummedModel): Promise<ParameterIntervals> {
  const key = `${type}\u0000${level}`;
  let byKey = intervalMemo.get(fit);
  const hit = byKey?.get(key);
  if (hit) return hit;
  const result =
    type === "boot"
      ? bootstrapIntervalsAsync(model, fit, { level, nsim: BOOT_NSIM, seed: BOOT_SEED })
      : new Promise<ParameterIntervals>((resolve) => resolve(type === "Wald" ? waldIntervals(fit, level) : profileIntervals(model, fit, { level, ...(sums ? { sums } : {}) })));
  if (!byKey) {
    byKey = new Map();
    intervalMemo.set(fit, byKey);
  }
  byKey.set(key, result);
  result.catch(() => byKey.delete(key));
  return result;
}

/**
 * HLM.CONFINT: confidence intervals as lme4's `confint()`: a row per parameter (lme4's names:
 * `sd_(Intercept)|Subject`, `cor_Days.(Intercept)|Subject`, `sigma`, the fixed effects) with its
 * estimate and the lower and upper limits (headed "2.5 %" and "97.5 %" for 0.95). `type` "Wald"
 * (the default) gives the fixed effects only, as lme4's Wald intervals; "profile" the likelihood
 * profile; "boot" the parametric bootstrap (500 simulations, a fixed seed, so that the sheet
 * recalculates to the same numbers). The warnings lme4 would print (a profile that turns back,
 * bootstrap refits that were singular or failed) follow as rows of their own, `Warning: …`. A model
 * with a residual structure has Wald intervals only (the profile and the bootstrap would leave it out).
 * A GLMM has Wald intervals only, lme4's `confint(glmer, method = "Wald")`: its variance parameters'
 * limits blank (lme4's NA), then β̂ ± z SE.
 */
export async function confint(values: unknown, formula: unknown, method?: unknown, level?: unknown, type?: unknown, options?: unknown, at?: RangeAddresses): Promise<Cell[][]> {
  const lev = parseLevel(level);
  const kind = parseIntervalType(type);
  const any = anyFitOf(values, formula, method, options, at);
  if (any.kind === "glmm") {
    if (kind !== "Wald") throw new HlmError("OPTIONS", `HLM.CONFINT's ${kind === "boot" ? "bootstrap" : "profile"} intervals are not available for a generalized linear mixed model (family=${any.options.family}) yet; use type "Wald".`);
    const ci = glmmWaldIntervals(any.fit, lev);
    return [["Parameter", "Estimate", ...percentLabels(lev)], ...ci.rows.map((r): Cell[] => [r.parameter, num(r.estimate), num(r.lower), num(r.upper)])];
  }
  const { model, fit, sums } = any;
  if (kind !== "Wald") refuseStructure(fit, `HLM.CONFINT's ${kind === "boot" ? "bootstrap" : "profile"} interval`);
  const ci = await intervalsOf(model, fit, lev, kind, sums);
  return [
    ["Parameter", "Estimate", ...percentLabels(lev)],
    ...ci.rows.map((r): Cell[] => [r.parameter, num(r.estimate), num(r.lower), num(r.upper)]),
    ...ci.warnings.map((w): Cell[] => [`Warning: ${w}`, null, null, null]),
  ];
}

/**
 * HLM.PREDICT: predictions for a range of new rows (its first row a header naming the columns, in
 * any order), by core's `predict` (lme4's predict with allow.new.levels). Three columns: `Prediction`
 * (with the BLUPs of the rows' groups; a group level the fit has not seen gets the population
 * prediction for its term), `Population` (fixed effects only, X β̂) and `SE` (the standard error of
 * X β̂). A missing value or an unknown level of a fixed-effect factor is an HlmError naming the row.
 * For a GLMM, lme4's `predict(glmer, newdata, type = "response")`: `Prediction (probability)` or
 * `(mean count)` with the modes, `Population` without them, `Link` (η with the modes) and the
 * standard error of X β̂ on the link scale.
 */
export function predict(values: unknown, formula: unknown, newValues: unknown, method?: unknown, options?: unknown, at?: RangeAddresses): Cell[][] {
  const any = anyFitOf(values, formula, method, options, at);
  const { model } = any;
  const fresh = rangeRows(newValues, { what: "new data range", ...rangeOrigin(at?.newdata) });
  checkErrorCells(fresh.layout, formulaColumns(model.formula)); // Excel errors in the new rows' columns that the model uses
  const newdata = core.tableFromRows(fresh.header, fresh.rows, { firstRow: fresh.layout.headerRow + 2 });
  if (any.kind === "glmm") {
    const g = any.fit;
    const o = any.options;
    const p = predictGlmm(rangeToTable(values, rangeOrigin(at?.data)), model, g, newdata, { type: "response", ...(o.factors ? { factors: o.factors } : {}), ...(o.weights !== undefined ? { weights: o.weights } : {}) });
    const scale = g.family === "binomial" ? "probability" : "mean count";
    return [
      [`Prediction (${scale})`, `Population (${scale})`, `Link (${g.link})`, `SE of X b (${g.link} scale)`],
      ...Array.from(p.fit, (v, r): Cell[] => [num(v), num(p.population[r]), num(p.link[r]), num(p.se[r])]),
    ];
  }
  const { fit } = any;
  const p = core.predict(rangeToTable(values, rangeOrigin(at?.data)), model, fit, newdata);
  return [["Prediction", "Population", "SE"], ...Array.from(p.fit, (v, r): Cell[] => [num(v), num(p.population[r]), num(p.se[r])])];
}

/**
 * HLM.SHRINKAGE: the lecture's shrinkage table for a grouping factor (default the first): a row per
 * level with its n, its own OLS estimates (`OLS <column>`, blank where they cannot be estimated) and
 * the BLUP coefficients (`BLUP <column>`).
 */
export function shrinkage(values: unknown, formula: unknown, group?: unknown, method?: unknown, options?: unknown, at?: RangeAddresses): Cell[][] {
  const { model, fit } = fitOf(values, formula, method, options, at, "HLM.SHRINKAGE");
  const g = groupOf(fit.ranef, group).group;
  return spill(shrinkageResultTable(shrinkageTable(model, fit, g)).sections[0]!);
}

/**
 * HLM.SUMMARY: lme4's summary (with lmerTest's t-tests, or with `ddf=containment` nlme's t-table) as
 * text, one line per cell of a single column; with a residual structure, nlme's sections too; for a
 * GLMM, glmer's summary.
 */
export function summary(values: unknown, formula: unknown, method?: unknown, options?: unknown, at?: RangeAddresses): Cell[][] {
  const any = anyFitOf(values, formula, method, options, at);
  if (any.kind === "glmm") {
    const text = formatGlmmSummary(any.fit, any.options.weights !== undefined ? { weights: any.options.weights } : {});
    return text.replace(/\n$/, "").split("\n").map((line) => [line]);
  }
  const { fit, options: o } = any;
  if (o.ddf === "containment") containmentOf(fit);
  // a covariance too large to print: in a sheet, HLM.VARCOV gives it (the CLI's pointer is to its --json)
  const text = formatSummary(fit, { ddf: o.ddf }).replace(/see --json \(marginal_cov\) or the HLM Summary sheet\./, "see HLM.VARCOV with the same options.");
  return text.replace(/\n$/, "").split("\n").map((line) => [line]);
}

/** The residual structure of a fit, or an HlmError (#N/A) saying the model has none and how to give one. */
function residualOf(fit: LmmFit, what: "correlation" | "variance" | "either"): ResidualFit {
  const r = fit.residual;
  if (r && (what === "either" || r[what])) return r;
  const example = what === "variance" ? "variance=varIdent(form = ~ 1 | Sex)" : "correlation=corAR1()";
  const part = what === "correlation" ? "residual correlation structure" : what === "variance" ? "variance function" : "residual correlation structure or variance function";
  throw new HlmError("OPTIONS", `The model has no ${part}; give one in the options, for example "${example}".`);
}

/** The summary sheet's section of a fit's residual structure whose title starts so (core's `summaryTable`). */
const structureSection = (fit: LmmFit, title: string): ResultSection => summaryTable(fit).sections.find((x) => x.title?.startsWith(title))!;

/**
 * HLM.CORSTRUCT: the parameters of the residual correlation structure (nlme's corStruct on its
 * natural scale: corAR1's and corCAR1's Phi, corExp's range, corCompSymm's Rho, corSymm's
 * correlations): Parameter, Estimate. The model must have `correlation=` in its options (#N/A otherwise).
 */
export function corstruct(values: unknown, formula: unknown, method?: unknown, options?: unknown, at?: RangeAddresses): Cell[][] {
  const { fit } = fitOf(values, formula, method, options, at, "HLM.CORSTRUCT");
  residualOf(fit, "correlation");
  return spill(structureSection(fit, "Correlation structure"));
}

/**
 * HLM.VARFUNC: the parameters of the variance function (nlme's varFunc): varIdent's SD ratio per
 * stratum (Stratum, SD ratio; the reference stratum's 1 first), varPower's power or varExp's expon
 * (Parameter, Estimate). The model must have `variance=` in its options (#N/A otherwise).
 */
export function varfunc(values: unknown, formula: unknown, method?: unknown, options?: unknown, at?: RangeAddresses): Cell[][] {
  const { fit } = fitOf(values, formula, method, options, at, "HLM.VARFUNC");
  residualOf(fit, "variance");
  return spill(structureSection(fit, "Variance function"));
}

/**
 * HLM.VARCOV: the within-group covariance matrix of the first group, V = Z G Z' + σ² D C D (nlme's
 * `getVarCov(m, type = "marginal")`): its top-left cell names the group (`Mare 1`), then a row and
 * a column per observation of the group, labelled by its sheet row (`Row 2`). The model must have a
 * residual structure in its options (#N/A otherwise).
 */
export function varcov(values: unknown, formula: unknown, method?: unknown, options?: unknown, at?: RangeAddresses): Cell[][] {
  const { fit, layout } = fitOf(values, formula, method, options, at, "HLM.VARCOV");
  const V = residualOf(fit, "either").marginalCovariance;
  const label = (row: number): string => `Row ${layout.headerRow + 1 + row}`; // the engine's data row k is the sheet's row headerRow + 1 + k
  return [[`${fit.residual!.group} ${V.group}`, ...V.rows.map(label)], ...V.rows.map((row, i): Cell[] => [label(row), ...V.matrix[i]!.map(num)])];
}

/**
 * HLM.SQL: the query that computes a linear mixed model's sums where the rows are (a warehouse:
 * `dialect` duckdb, postgres, spark or bigquery; `table` its table), one line of SQL per cell. Its
 * result, opened in a sheet, is data for the other HLM functions and the task pane, which then fit
 * from the sums (give them the same formula and options). Options: `factors`, `weights`, `columns`
 * (kinds of columns: grouping factors and factors are text by default, others numbers) and `where`.
 */
export function sql(formula: unknown, table: unknown, dialect: unknown, options?: unknown): Cell[][] {
  const f = checkFormula(formula);
  if (typeof table !== "string" || table.trim() === "") throw new HlmError("OPTIONS", "Name the warehouse's table the rows are in, such as \"analytics.scores\".");
  if (typeof dialect !== "string" || dialect.trim() === "") throw new HlmError("OPTIONS", "Name the SQL dialect: duckdb, postgres, spark or bigquery.");
  const o = parseFitOptions(options);
  const rowsOnly = [o.family !== undefined ? "family" : null, o.correlation !== undefined ? "correlation" : null, o.variance !== undefined ? "variance" : null].filter((k) => k !== null);
  if (rowsOnly.length > 0) throw new HlmError("OPTIONS", `The option ${rowsOnly.join(" and ")} needs repeated passes over the rows, which one query of sums cannot make; HLM.SQL writes the query of a linear mixed model.`);
  const model = { ...(o.factors ? { factors: o.factors } : {}), ...(o.weights !== undefined ? { weights: o.weights } : {}) };
  const plan = core.planCrossProducts(f, core.declaredColumns(f, { ...model, ...(o.columns !== undefined ? { kinds: o.columns } : {}) }), model);
  const text = core.crossProductsQuery(plan, { table: table.trim(), ...(o.where !== undefined ? { where: o.where } : {}) }, core.parseDialect(dialect.trim()));
  // a cell holds at most 32,767 characters: long lines are cut after a comma
  return text.split("\n").flatMap((line) => cutLine(line, 8000)).map((line) => [line]);
}

/** A line of SQL in pieces of at most about `max` characters, each ending after ", " (where SQL allows a line break). */
function cutLine(line: string, max: number): string[] {
  const out: string[] = [];
  let rest = line;
  while (rest.length > max) {
    const at = rest.lastIndexOf(", ", max);
    if (at <= 0) break;
    out.push(rest.slice(0, at + 1));
    rest = "  " + rest.slice(at + 2);
  }
  out.push(rest);
  return out;
}
