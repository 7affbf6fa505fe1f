/// <reference types="custom-functions-runtime" />
/**
 * The `HLM.*` worksheet functions (namespace HLM, from the manifest): thin wrappers around
 * `../common/worksheetFunctions.ts`, registered with `CustomFunctions.associate`. Their JSDoc is the source
 * of `functions.json` (custom-functions-metadata). Errors become `#VALUE!` or `#N/A` with a message
 * (`toCustomFunctionError`); blank cells of a result are "" so that they show empty. Each asks Excel
 * for the addresses of its arguments (`@requiresParameterAddresses`, the trailing `invocation`), so
 * that a message about the data names the cell and row as the sheet counts them.
 */
import * as wf from "../common/worksheetFunctions.js";
import type { Cell } from "../common/worksheetFunctions.js";
import { toCustomFunctionError } from "./toCustomFunctionError.js";

/** A value a function can hand to Excel: blank cells as "". */
type Out = string | number | boolean;

/**
 * Where the range arguments are on the sheet, from the invocation (`@requiresParameterAddresses`:
 * Excel passes the address of each argument, or nothing where the host cannot): messages then name
 * cells and rows as the sheet counts them. The data range is the first argument; the new-data range
 * of HLM.PREDICT the third.
 */
function where(invocation: CustomFunctions.Invocation | undefined, third?: "newdata"): wf.RangeAddresses {
  const a = invocation?.parameterAddresses;
  if (!Array.isArray(a)) return {};
  return third ? { data: a[0], newdata: a[2] } : { data: a[0] };
}

/** Runs a worksheet function; its error becomes the CustomFunctions.Error Excel shows. */
function run<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw toCustomFunctionError(e);
  }
}

/** `run` for a worksheet function that answers later (a Promise): its rejection becomes the CustomFunctions.Error. */
async function runAsync<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw toCustomFunctionError(e);
  }
}

/** A table that spills: null (blank) cells as "". */
export const spill = (table: Cell[][]): Out[][] => table.map((row) => row.map((c) => c ?? ""));

/** The one value of a 1×1 result, or #NUM! when it could not be computed. */
function single(table: Cell[][]): number {
  const v = table[0]?.[0];
  if (typeof v !== "number") throw new CustomFunctions.Error(CustomFunctions.ErrorCode.invalidNumber);
  return v;
}

/**
 * The fixed effects of a linear mixed model: Term, Estimate, Std. Error, df, t value and Pr(>|t|), as lme4 with lmerTest (Satterthwaite's df), or nlme's t-table with ddf=containment in options; with family=binomial or poisson in options, glmer's z tests (z value, Pr(>|z|)).
 * @customfunction FIXEF
 * @requiresParameterAddresses
 * @param data The data with its header row.
 * @param formula The model formula, e.g. "score ~ ses + (ses | school)".
 * @param [method] "REML" (the default) or "ML".
 * @param [options] Model options, e.g. "correlation=corAR1(); variance=varIdent(form = ~ 1 | Sex); ddf=containment; factors=Rat, Diet", or "family=binomial; link=probit; nagq=9; weights=n" for a generalized linear mixed model.
 * @returns A table with a header row.
 */
export function fixef(data: any[][], formula: string, method?: string, options?: string, invocation?: CustomFunctions.Invocation): any[][] {
  return run(() => spill(wf.fixef(data, formula, method, options, where(invocation))));
}

/**
 * The random effects (BLUPs) of a grouping factor: a row per level (for a generalized model, glmer's conditional modes on the link scale).
 * @customfunction RANEF
 * @requiresParameterAddresses
 * @param data The data with its header row.
 * @param formula The model formula, e.g. "score ~ ses + (ses | school)".
 * @param [group] The grouping factor (default: the first of the formula, lme4's largest).
 * @param [method] "REML" (the default) or "ML".
 * @param [options] Model options, e.g. "correlation=corAR1(); variance=varIdent(form = ~ 1 | Sex); ddf=containment; factors=Rat, Diet", or "family=binomial; link=probit; nagq=9; weights=n" for a generalized linear mixed model.
 * @returns A table with a header row.
 */
export function ranef(data: any[][], formula: string, group?: string, method?: string, options?: string, invocation?: CustomFunctions.Invocation): any[][] {
  return run(() => spill(wf.ranef(data, formula, group, method, options, where(invocation))));
}

/**
 * The coefficients per level of a grouping factor (fixed effects plus the level's BLUPs, as lme4's coef()).
 * @customfunction COEF
 * @requiresParameterAddresses
 * @param data The data with its header row.
 * @param formula The model formula, e.g. "score ~ ses + (ses | school)".
 * @param [group] The grouping factor (default: the first of the formula, lme4's largest).
 * @param [method] "REML" (the default) or "ML".
 * @param [options] Model options, e.g. "correlation=corAR1(); variance=varIdent(form = ~ 1 | Sex); ddf=containment; factors=Rat, Diet", or "family=binomial; link=probit; nagq=9; weights=n" for a generalized linear mixed model.
 * @returns A table with a header row.
 */
export function coef(data: any[][], formula: string, group?: string, method?: string, options?: string, invocation?: CustomFunctions.Invocation): any[][] {
  return run(() => spill(wf.coef(data, formula, group, method, options, where(invocation))));
}

/**
 * The variance components: Groups, Name, Variance, Std.Dev. and correlations, with a Residual row (none for a generalized model).
 * @customfunction VARCORR
 * @requiresParameterAddresses
 * @param data The data with its header row.
 * @param formula The model formula, e.g. "score ~ ses + (ses | school)".
 * @param [method] "REML" (the default) or "ML".
 * @param [options] Model options, e.g. "correlation=corAR1(); variance=varIdent(form = ~ 1 | Sex); ddf=containment; factors=Rat, Diet", or "family=binomial; link=probit; nagq=9; weights=n" for a generalized linear mixed model.
 * @returns A table with a header row.
 */
export function varcorr(data: any[][], formula: string, method?: string, options?: string, invocation?: CustomFunctions.Invocation): any[][] {
  return run(() => spill(wf.varcorr(data, formula, method, options, where(invocation))));
}

/**
 * The residual standard deviation of a linear mixed model.
 * @customfunction SIGMA
 * @requiresParameterAddresses
 * @param data The data with its header row.
 * @param formula The model formula, e.g. "score ~ ses + (ses | school)".
 * @param [method] "REML" (the default) or "ML".
 * @param [options] Model options, e.g. "correlation=corAR1(); variance=varIdent(form = ~ 1 | Sex); ddf=containment; factors=Rat, Diet", or "family=binomial; link=probit; nagq=9; weights=n" for a generalized linear mixed model.
 * @returns The residual standard deviation.
 */
export function sigma(data: any[][], formula: string, method?: string, options?: string, invocation?: CustomFunctions.Invocation): number {
  return run(() => single(wf.sigma(data, formula, method, options, where(invocation))));
}

/**
 * The log-likelihood of a linear or generalized linear mixed model (the REML log-likelihood for a REML fit, as lme4's logLik()).
 * @customfunction LOGLIK
 * @requiresParameterAddresses
 * @param data The data with its header row.
 * @param formula The model formula, e.g. "score ~ ses + (ses | school)".
 * @param [method] "REML" (the default) or "ML".
 * @param [options] Model options, e.g. "correlation=corAR1(); variance=varIdent(form = ~ 1 | Sex); ddf=containment; factors=Rat, Diet", or "family=binomial; link=probit; nagq=9; weights=n" for a generalized linear mixed model.
 * @returns The log-likelihood.
 */
export function logLik(data: any[][], formula: string, method?: string, options?: string, invocation?: CustomFunctions.Invocation): number {
  return run(() => single(wf.logLik(data, formula, method, options, where(invocation))));
}

/**
 * Akaike's information criterion of a linear or generalized linear mixed model, as lme4's AIC().
 * @customfunction AIC
 * @requiresParameterAddresses
 * @param data The data with its header row.
 * @param formula The model formula, e.g. "score ~ ses + (ses | school)".
 * @param [method] "REML" (the default) or "ML".
 * @param [options] Model options, e.g. "correlation=corAR1(); variance=varIdent(form = ~ 1 | Sex); ddf=containment; factors=Rat, Diet", or "family=binomial; link=probit; nagq=9; weights=n" for a generalized linear mixed model.
 * @returns The AIC.
 */
export function aic(data: any[][], formula: string, method?: string, options?: string, invocation?: CustomFunctions.Invocation): number {
  return run(() => single(wf.aic(data, formula, method, options, where(invocation))));
}

/**
 * The Bayesian information criterion of a linear or generalized linear mixed model, as lme4's BIC().
 * @customfunction BIC
 * @requiresParameterAddresses
 * @param data The data with its header row.
 * @param formula The model formula, e.g. "score ~ ses + (ses | school)".
 * @param [method] "REML" (the default) or "ML".
 * @param [options] Model options, e.g. "correlation=corAR1(); variance=varIdent(form = ~ 1 | Sex); ddf=containment; factors=Rat, Diet", or "family=binomial; link=probit; nagq=9; weights=n" for a generalized linear mixed model.
 * @returns The BIC.
 */
export function bic(data: any[][], formula: string, method?: string, options?: string, invocation?: CustomFunctions.Invocation): number {
  return run(() => single(wf.bic(data, formula, method, options, where(invocation))));
}

/**
 * The intraclass correlation, as R's performance::icc: adjusted (the default) or unadjusted; naming one of several grouping factors gives that factor's share.
 * @customfunction ICC
 * @requiresParameterAddresses
 * @param data The data with its header row.
 * @param formula The model formula, e.g. "score ~ ses + (1 | school)".
 * @param [group] A grouping factor, for its share of the variance when the model has several (default: the whole model's ICC).
 * @param [method] "REML" (the default) or "ML".
 * @param [type] "adjusted" (the default) or "unadjusted".
 * @param [options] Model options, e.g. "correlation=corAR1(); variance=varIdent(form = ~ 1 | Sex); ddf=containment; factors=Rat, Diet", or "family=binomial; link=probit; nagq=9; weights=n" for a generalized linear mixed model.
 * @returns The intraclass correlation.
 */
export function icc(data: any[][], formula: string, group?: string, method?: string, type?: string, options?: string, invocation?: CustomFunctions.Invocation): number {
  return run(() => single(wf.icc(data, formula, group, method, type, options, where(invocation))));
}

/**
 * Nakagawa's R² of a linear or generalized linear mixed model (latent scale), as R's performance::r2_nakagawa: marginal (fixed effects) and conditional (fixed and random effects).
 * @customfunction R2
 * @requiresParameterAddresses
 * @param data The data with its header row.
 * @param formula The model formula, e.g. "score ~ ses + (ses | school)".
 * @param [method] "REML" (the default) or "ML".
 * @param [options] Model options, e.g. "correlation=corAR1(); variance=varIdent(form = ~ 1 | Sex); ddf=containment; factors=Rat, Diet", or "family=binomial; link=probit; nagq=9; weights=n" for a generalized linear mixed model.
 * @returns Two labelled rows: Marginal R2 and Conditional R2.
 */
export function r2(data: any[][], formula: string, method?: string, options?: string, invocation?: CustomFunctions.Invocation): any[][] {
  return run(() => spill(wf.r2(data, formula, method, options, where(invocation))));
}

/**
 * Influence of each level of a grouping column: the model refitted without it (lme4's influence()), with Cook's distance and the change in each fixed effect.
 * @customfunction INFLUENCE
 * @requiresParameterAddresses
 * @param data The data with its header row.
 * @param formula The model formula, e.g. "score ~ ses + (ses | school)".
 * @param [group] The column whose levels are left out one at a time (default: the first grouping factor).
 * @param [method] "REML" (the default) or "ML".
 * @param [options] Model options, e.g. "correlation=corAR1(); variance=varIdent(form = ~ 1 | Sex); ddf=containment; factors=Rat, Diet", or "family=binomial; link=probit; nagq=9; weights=n" for a generalized linear mixed model.
 * @returns A table with a header row and a row per level.
 */
export function influence(data: any[][], formula: string, group?: string, method?: string, options?: string, invocation?: CustomFunctions.Invocation): any[][] {
  return run(() => spill(wf.influence(data, formula, group, method, options, where(invocation))));
}

/**
 * Type III F tests of the fixed-effects terms with Satterthwaite's denominator df, as lmerTest's anova(): Sum Sq, Mean Sq, NumDF, DenDF, F value, Pr(>F).
 * @customfunction ANOVA
 * @requiresParameterAddresses
 * @param data The data with its header row.
 * @param formula The model formula, e.g. "score ~ ses * sector + (ses | school)".
 * @param [method] "REML" (the default) or "ML".
 * @param [options] Model options, e.g. "correlation=corAR1(); variance=varIdent(form = ~ 1 | Sex); ddf=containment; factors=Rat, Diet", or "family=binomial; link=probit; nagq=9; weights=n" for a generalized linear mixed model.
 * @returns A table with a header row and a row per term.
 */
export function anova(data: any[][], formula: string, method?: string, options?: string, invocation?: CustomFunctions.Invocation): any[][] {
  return run(() => spill(wf.anova(data, formula, method, options, where(invocation))));
}

/**
 * Confidence intervals of the parameters, as lme4's confint(): Wald (the default; fixed effects), profile, or parametric bootstrap (500 simulations, fixed seed); warnings follow as rows of their own.
 * @customfunction CONFINT
 * @requiresParameterAddresses
 * @param data The data with its header row.
 * @param formula The model formula, e.g. "score ~ ses + (ses | school)".
 * @param [method] "REML" (the default) or "ML".
 * @param [level] The confidence level (default 0.95).
 * @param [type] "Wald" (the default), "profile" or "boot".
 * @param [options] Model options, e.g. "correlation=corAR1(); variance=varIdent(form = ~ 1 | Sex); ddf=containment; factors=Rat, Diet", or "family=binomial; link=probit; nagq=9; weights=n" for a generalized linear mixed model.
 * @returns A table with a header row and a row per parameter: its estimate, lower and upper limit.
 */
export async function confint(data: any[][], formula: string, method?: string, level?: number, type?: string, options?: string, invocation?: CustomFunctions.Invocation): Promise<any[][]> {
  return runAsync(async () => spill(await wf.confint(data, formula, method, level, type, options, where(invocation))));
}

/**
 * Predictions for new rows: with the BLUPs of their groups (Prediction), from the fixed effects only (Population), and the standard error of the fixed part (SE); new group levels get the population prediction.
 * @customfunction PREDICT
 * @requiresParameterAddresses
 * @param data The data with its header row.
 * @param formula The model formula, e.g. "score ~ ses + (ses | school)".
 * @param newdata The new rows with a header row naming their columns.
 * @param [method] "REML" (the default) or "ML".
 * @param [options] Model options, e.g. "correlation=corAR1(); variance=varIdent(form = ~ 1 | Sex); ddf=containment; factors=Rat, Diet", or "family=binomial; link=probit; nagq=9; weights=n" for a generalized linear mixed model.
 * @returns A table with a header row and a row per new row.
 */
export function predict(data: any[][], formula: string, newdata: any[][], method?: string, options?: string, invocation?: CustomFunctions.Invocation): any[][] {
  return run(() => spill(wf.predict(data, formula, newdata, method, options, where(invocation, "newdata"))));
}

/**
 * The shrinkage table of a grouping factor: a row per level with its n, its own OLS estimates and the BLUP coefficients.
 * @customfunction SHRINKAGE
 * @requiresParameterAddresses
 * @param data The data with its header row.
 * @param formula The model formula, e.g. "score ~ ses + (ses | school)".
 * @param [group] The grouping factor (default: the first of the formula, lme4's largest).
 * @param [method] "REML" (the default) or "ML".
 * @param [options] Model options, e.g. "correlation=corAR1(); variance=varIdent(form = ~ 1 | Sex); ddf=containment; factors=Rat, Diet", or "family=binomial; link=probit; nagq=9; weights=n" for a generalized linear mixed model.
 * @returns A table with a header row.
 */
export function shrinkage(data: any[][], formula: string, group?: string, method?: string, options?: string, invocation?: CustomFunctions.Invocation): any[][] {
  return run(() => spill(wf.shrinkage(data, formula, group, method, options, where(invocation))));
}

/**
 * The summary of a linear mixed model as lme4 prints it (with lmerTest's t-tests), or of a generalized one as glmer's, a line per cell.
 * @customfunction SUMMARY
 * @requiresParameterAddresses
 * @param data The data with its header row.
 * @param formula The model formula, e.g. "score ~ ses + (ses | school)".
 * @param [method] "REML" (the default) or "ML".
 * @param [options] Model options, e.g. "correlation=corAR1(); variance=varIdent(form = ~ 1 | Sex); ddf=containment; factors=Rat, Diet", or "family=binomial; link=probit; nagq=9; weights=n" for a generalized linear mixed model.
 * @returns The summary text, a line per row.
 */
export function summary(data: any[][], formula: string, method?: string, options?: string, invocation?: CustomFunctions.Invocation): any[][] {
  return run(() => spill(wf.summary(data, formula, method, options, where(invocation))));
}

/**
 * The parameters of the residual correlation structure, as nlme's coef(corStruct): AR(1)'s Phi, compound symmetry's Rho, the general correlations; the structure is given in options as correlation=corAR1() and the like.
 * @customfunction CORSTRUCT
 * @requiresParameterAddresses
 * @param data The data with its header row.
 * @param formula The model formula, e.g. "follicles ~ s1 + c1 + (1 | Mare)".
 * @param [method] "REML" (the default) or "ML".
 * @param [options] Model options with the correlation structure, e.g. "correlation=corAR1(form = ~ Time | Rat)".
 * @returns A table with a header row: Parameter, Estimate.
 */
export function corstruct(data: any[][], formula: string, method?: string, options?: string, invocation?: CustomFunctions.Invocation): any[][] {
  return run(() => spill(wf.corstruct(data, formula, method, options, where(invocation))));
}

/**
 * The parameters of the variance function, as nlme's coef(varFunc): varIdent's SD ratio per stratum, varPower's power, varExp's expon; the function is given in options as variance=varIdent(form = ~ 1 | Sex) and the like.
 * @customfunction VARFUNC
 * @requiresParameterAddresses
 * @param data The data with its header row.
 * @param formula The model formula, e.g. "distance ~ age * Sex + (1 | Subject)".
 * @param [method] "REML" (the default) or "ML".
 * @param [options] Model options with the variance function, e.g. "variance=varIdent(form = ~ 1 | Sex)".
 * @returns A table with a header row: Stratum and SD ratio (varIdent), or Parameter and Estimate.
 */
export function varfunc(data: any[][], formula: string, method?: string, options?: string, invocation?: CustomFunctions.Invocation): any[][] {
  return run(() => spill(wf.varfunc(data, formula, method, options, where(invocation))));
}

/**
 * The within-group covariance matrix of the first group (random effects and residual structure together), as nlme's getVarCov(type = "marginal"); rows and columns labelled by sheet row.
 * @customfunction VARCOV
 * @requiresParameterAddresses
 * @param data The data with its header row.
 * @param formula The model formula, e.g. "follicles ~ s1 + c1 + (1 | Mare)".
 * @param [method] "REML" (the default) or "ML".
 * @param [options] Model options with a correlation structure or variance function, e.g. "correlation=corAR1()".
 * @returns The matrix with a header row and a label column; the top-left cell names the group.
 */
export function varcov(data: any[][], formula: string, method?: string, options?: string, invocation?: CustomFunctions.Invocation): any[][] {
  return run(() => spill(wf.varcov(data, formula, method, options, where(invocation))));
}

/**
 * The SQL query that computes a linear mixed model's sums in a warehouse, one line per cell: run it there, open its result in a sheet, and give that range to the other HLM functions or the task pane as the data.
 * @customfunction SQL
 * @param formula The model formula, e.g. "score ~ ses + (ses | school)".
 * @param table The warehouse's table, e.g. "analytics.scores".
 * @param dialect The SQL dialect: "duckdb", "postgres", "spark" or "bigquery".
 * @param [options] Model options, e.g. "factors=flp; weights=w; columns=school:number; where=year >= 2020".
 * @returns The query, a line per cell.
 */
export function sql(formula: string, table: string, dialect: string, options?: string): any[][] {
  return run(() => spill(wf.sql(formula, table, dialect, options)));
}

/** The functions by their id in functions.json (the name after `@customfunction`). */
export const functionsById = {
  FIXEF: fixef,
  RANEF: ranef,
  COEF: coef,
  VARCORR: varcorr,
  SIGMA: sigma,
  LOGLIK: logLik,
  AIC: aic,
  BIC: bic,
  ICC: icc,
  R2: r2,
  ANOVA: anova,
  INFLUENCE: influence,
  CONFINT: confint,
  PREDICT: predict,
  SHRINKAGE: shrinkage,
  SUMMARY: summary,
  CORSTRUCT: corstruct,
  VARFUNC: varfunc,
  VARCOV: varcov,
  SQL: sql,
} as const;

// In Excel's runtime (not when the page is opened outside Excel) the functions are registered.
if (typeof CustomFunctions !== "undefined") {
  for (const [id, f] of Object.entries(functionsById)) CustomFunctions.associate(id, f);
}

