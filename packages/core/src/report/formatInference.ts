/**
 * The inference results as R prints them: lmerTest's type III table, lme4's confint() table and
 * lme4's influence() per level. Plain text, as `formatSummary`.
 */
import type { AnovaRow } from "../inference/anovaTypeIII.js";
import { formatPValues } from "./formatPValues.js";
import { formatCommon, signifStars } from "./formatSummary.js";
import type { GroupInfluence } from "../results/groupInfluence.js";
import type { ParameterIntervals } from "../inference/parameterIntervals.js";

/** Right-aligned columns, the first left-aligned, two spaces apart (as R prints a matrix). */
function columns(rows: string[][]): string {
  const width = rows[0]!.map((_, j) => Math.max(...rows.map((r) => r[j]!.length)));
  return rows.map((r) => r.map((c, j) => (j === 0 ? c.padEnd(width[0]!) : c.padStart(width[j]!))).join("  ").trimEnd()).join("\n") + "\n";
}

/** lmerTest's print of `anova(model)`. */
export function formatAnova(rows: readonly AnovaRow[]): string {
  const f = (xs: number[]) => formatCommon(xs, 5).map((s) => s.trim());
  const sumSq = f(rows.map((r) => r.sumSq));
  const meanSq = f(rows.map((r) => r.meanSq));
  const denDf = f(rows.map((r) => r.denDf));
  const F = f(rows.map((r) => r.F));
  const p = formatPValues(rows.map((r) => r.pValue), 4); // anova tables: 4 digits, "< 2.2e-16"
  const table = [["", "Sum Sq", "Mean Sq", "NumDF", "DenDF", "F value", "Pr(>F)", ""], ...rows.map((r, i) => [r.term, sumSq[i]!, meanSq[i]!, String(r.numDf), denDf[i]!, F[i]!, p[i]!, signifStars(r.pValue).trim()])];
  return `Type III Analysis of Variance Table with Satterthwaite's method\n${columns(table)}---\nSignif. codes:  0 '***' 0.001 '**' 0.01 '*' 0.05 '.' 0.1 ' ' 1\n`;
}

/** lme4's confint() table, with the estimates beside the limits and any warnings below. */
export function formatIntervals(result: ParameterIntervals & { nsim?: number; seed?: number }): string {
  const pct = (a: number) => `${Number((100 * a).toPrecision(3))} %`;
  const a = (1 - result.level) / 2;
  // one number of decimals for the whole table, as R prints a matrix
  const k = result.rows.length;
  // a limit lme4 gives as NA (a GLMM's variance parameters under Wald) is NaN here, and prints as NA
  const all = formatCommon([...result.rows.map((r) => r.estimate), ...result.rows.map((r) => r.lower), ...result.rows.map((r) => r.upper)], 6).map((s) => s.trim().replace("NaN", "NA"));
  const table = [["", "Estimate", pct(a), pct(1 - a)], ...result.rows.map((r, i) => [r.parameter, all[i]!, all[k + i]!, all[2 * k + i]!])];
  const warnings = result.warnings.map((w) => `Warning: ${w}\n`).join("");
  const title = result.method === "Wald" ? "Wald" : result.method === "profile" ? "Profile-likelihood" : "Parametric bootstrap";
  const detail = result.nsim !== undefined && result.seed !== undefined ? `, ${result.nsim} refits, seed ${result.seed}` : "";
  return `${title} confidence intervals (${Number((100 * result.level).toPrecision(4))} %${detail})\n${columns(table)}${warnings}`;
}

/** Per level left out: Cook's distance, the change in each fixed effect, and whether the refit converged. */
export function formatInfluence(inf: GroupInfluence): string {
  // a coefficient the refit does not have (dropped as collinear) prints as NA, as in R
  const na = (xs: string[]) => xs.map((x) => x.trim().replace("NaN", "NA"));
  const cook = na(formatCommon(inf.cooksDistance.map((d) => d ?? NaN), 6));
  const delta = inf.fixefNames.map((_, j) => na(formatCommon(inf.fixefWithout.map((b) => (b[j] === null ? NaN : b[j]! - inf.fixef[j]!)), 6)));
  const table = [
    [inf.group, "Cook's D", ...inf.fixefNames.map((n) => `Δ ${n}`), "converged"],
    ...inf.levels.map((l, k) => [l, cook[k]!, ...delta.map((d) => d[k]!), inf.converged[k] ? "yes" : "no"]),
  ];
  return `Influence of each level of ${inf.group}: the model refitted without it (lme4's influence())\n${columns(table)}`;
}
