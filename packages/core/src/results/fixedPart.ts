import type { PredictableFit } from "./Predictions.js";

/**
 * X β̂ (+ offset) of m new rows and its standard error √(x' Var(β̂) x): `xAt(r, i)` is row r's value
 * in the fit's fixed-effect column i, `offsetAt(r)` its offset.
 */
export function fixedPart(m: number, fit: PredictableFit, xAt: (r: number, i: number) => number, offsetAt: (r: number) => number): { population: Float64Array; se: Float64Array } {
  const p = fit.fixef.length;
  const population = new Float64Array(m);
  const se = new Float64Array(m);
  const x = new Float64Array(p);
  for (let r = 0; r < m; r++) {
    let s = offsetAt(r);
    for (let i = 0; i < p; i++) {
      x[i] = xAt(r, i);
      s += x[i]! * fit.fixef[i]!;
    }
    population[r] = s;
    let v = 0;
    for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) v += x[i]! * fit.vcov[i]![j]! * x[j]!;
    se[r] = Math.sqrt(Math.max(0, v));
  }
  return { population, se };
}
