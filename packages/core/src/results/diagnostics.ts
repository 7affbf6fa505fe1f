/**
 * The data of the diagnostic plots users expect after a fit: residuals against fitted values, and
 * normal QQ plots of the residuals and of the BLUPs of each random effect (R's `qqnorm`).
 */
import normalQuantile from "@stdlib/stats-base-dists-normal-quantile";
import type { LmmFit } from "../fit/LmmFit.js";

/** R's `ppoints(n)`: (i − a)/(n + 1 − 2a), i = 1…n, a = 3/8 for n ≤ 10 and 1/2 above. */
export function ppoints(n: number): Float64Array {
  const a = n <= 10 ? 3 / 8 : 1 / 2;
  return Float64Array.from({ length: n }, (_, i) => (i + 1 - a) / (n + 1 - 2 * a));
}

/** R's `qqnorm(y)$x`: the normal quantile of each value's plotting position, in y's order (ties by position). */
export function qqnorm(y: ArrayLike<number>): Float64Array {
  const n = y.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => y[i]! - y[j]! || i - j);
  const q = ppoints(n);
  const x = new Float64Array(n);
  order.forEach((i, rank) => (x[i] = normalQuantile(q[rank]!, 0, 1)));
  return x;
}

/** The BLUPs of one column of a grouping factor's random effects, with their normal quantiles. */
export interface RanefQQ {
  group: string;
  column: string;
  levels: string[];
  values: Float64Array;
  /** qqnorm of `values`. */
  theoretical: Float64Array;
}

/** Per observation and per random effect, what the diagnostic plots draw. */
export interface Diagnostics {
  fitted: Float64Array;
  residuals: Float64Array;
  /** Pearson residuals (y − fitted)·√w / σ̂, and their normal quantiles. */
  scaledResiduals: Float64Array;
  residualTheoretical: Float64Array;
  ranef: RanefQQ[];
}

export function diagnostics(fit: LmmFit): Diagnostics {
  const ranef: RanefQQ[] = fit.ranef.flatMap((r) =>
    r.columns.map((column, c) => {
      const values = Float64Array.from(r.values, (row) => row[c]!);
      return { group: r.group, column, levels: r.levels, values, theoretical: qqnorm(values) };
    }),
  );
  return { fitted: fit.fitted, residuals: fit.residuals, scaledResiduals: fit.scaledResiduals, residualTheoretical: qqnorm(fit.scaledResiduals), ranef };
}
