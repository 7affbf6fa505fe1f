/**
 * The fit's statistics, each computed here only: the degrees of freedom of σ̂², the likelihood and
 * the information criteria, the t statistics and their p-values.
 */
import type { ContainmentTable } from "./LmmFit.js";
import { tTestPValue } from "./satterthwaite.js";

/** ν, the degrees of freedom of σ̂² = r²/ν: n − p for REML, n for maximum likelihood. */
export const sigmaDf = (model: { REML: boolean; n: number; p: number }): number => (model.REML ? model.n - model.p : model.n);

/** logLik, AIC and BIC from the objective (−2 logLik, or the REML criterion), the number of parameters df and of observations n. */
export function informationCriteria(objective: number, df: number, n: number): { logLik: number; AIC: number; BIC: number } {
  return { logLik: -objective / 2, AIC: objective + 2 * df, BIC: objective + df * Math.log(n) };
}

/**
 * The number of observations in BIC's log: n, except for REML fits with a residual structure,
 * where nlme (whose model it is) uses n − p.
 */
export function bicObservations(model: { REML: boolean; n: number; p: number; residual?: unknown }): number {
  return model.residual && model.REML ? model.n - model.p : model.n;
}

/** The number of parameters of a linear mixed model: the fixed effects, θ and σ. */
export const parameterCount = (p: number, nTheta: number): number => p + nTheta + 1;

/** t = β̂ / SE. */
export const tStatistic = (estimate: number, se: number): number => estimate / se;

/** Two-sided p-values of t statistics with their degrees of freedom. */
export const tPValues = (t: readonly number[], df: readonly number[]): number[] => t.map((v, i) => tTestPValue(v, df[i]!));

/**
 * nlme's t-table: its standard errors are vcov's, times √(n / (n − p)) under maximum likelihood
 * (summary.lme's `adjustSigma`), with the containment degrees of freedom.
 */
export function nlmeTTable(model: { REML: boolean; n: number; p: number }, beta: number[], se: number[], df: number[]): ContainmentTable {
  const adjust = model.REML ? 1 : Math.sqrt(model.n / (model.n - model.p));
  const seAdj = se.map((v) => v * adjust);
  const t = beta.map((v, i) => tStatistic(v, seAdj[i]!));
  return { df, se: seAdj, tValues: t, pValues: tPValues(t, df) };
}
