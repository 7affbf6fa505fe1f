import type { LmmFit } from "../fit/LmmFit.js";
import type { Model } from "../model/Model.js";

/** One lag of the empirical within-group autocorrelation of the residuals. */
export interface AcfLag {
  lag: number;
  /** The autocorrelation at this lag (1 at lag 0). */
  acf: number;
  /** Pairs of residuals `lag` apart within a group. */
  pairs: number;
}

/**
 * nlme's `ACF(m, resType)`: the empirical autocorrelation of the residuals within groups, lag by
 * lag: the mean of r_t r_{t+lag} over all pairs `lag` apart in a group, over the mean of r_t².
 * Rows are taken in the residual structure's order (by time when it has a time covariate, else the
 * data's), within its groups; without a structure, within the innermost random-effects grouping in
 * the data's order. `type`: "normalized" (the default with a structure: the whitened residuals,
 * which should show no correlation when the structure fits) or "pearson" (the default without one).
 * `maxLag` defaults to nlme's: min(the largest group's size − 1, 10 log10(that + 1)).
 */
export function residualAcf(model: Model, fit: LmmFit, options: { type?: "normalized" | "pearson"; maxLag?: number } = {}): AcfLag[] {
  const type = options.type ?? (fit.residual ? "normalized" : "pearson");
  const r = type === "normalized" && fit.residual ? fit.residual.normalizedResiduals : fit.scaledResiduals;
  const groups = orderedGroups(model);
  const largest = Math.max(...groups.map((g) => g.length)) - 1;
  const maxLag = Math.max(0, Math.min(options.maxLag ?? Math.min(largest, Math.floor(10 * Math.log10(largest + 1))), largest));
  const sums = new Float64Array(maxLag + 1);
  const pairs = new Float64Array(maxLag + 1);
  for (const g of groups) {
    for (let lag = 0; lag <= Math.min(maxLag, g.length - 1); lag++) {
      let s = 0;
      for (let i = 0; i + lag < g.length; i++) s += r[g[i]!]! * r[g[i + lag]!]!;
      sums[lag]! += s;
      pairs[lag]! += g.length - lag;
    }
  }
  const c0 = sums[0]! / pairs[0]!;
  return Array.from({ length: maxLag + 1 }, (_, lag) => ({ lag, acf: sums[lag]! / pairs[lag]! / c0, pairs: pairs[lag]! }));
}

/** Each group's model rows, in order. */
function orderedGroups(model: Model): Int32Array[] {
  const rs = model.residual;
  if (rs) return Array.from({ length: rs.levels.length }, (_, g) => rs.rows.subarray(rs.start[g]!, rs.start[g + 1]!));
  const inner = [...model.reTerms].sort((a, b) => b.nl - a.nl)[0]!;
  const lists: number[][] = Array.from({ length: inner.nl }, () => []);
  for (let k = 0; k < model.n; k++) lists[inner.refs[k]!]!.push(k);
  return lists.map((l) => Int32Array.from(l));
}
