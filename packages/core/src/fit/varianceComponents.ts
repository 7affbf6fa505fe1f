import type { ReTerm } from "../model/Model.js";
import type { VarCorrTerm } from "./LmmFit.js";

/** The variance components of each random-effects term: Σ_i = σ² T_i T_i', its SDs and correlations (lme4's VarCorr). */
export function varianceComponents(reTerms: readonly ReTerm[], T: readonly Float64Array[], sigma2: number): VarCorrTerm[] {
  return reTerms.map((t, i) => {
    const Ti = T[i]!;
    const cov: number[][] = [];
    for (let r = 0; r < t.p; r++) {
      const row: number[] = [];
      for (let c = 0; c < t.p; c++) {
        let s = 0;
        for (let k = 0; k <= Math.min(r, c); k++) s += Ti[r * t.p + k]! * Ti[c * t.p + k]!;
        row.push(sigma2 * s);
      }
      cov.push(row);
    }
    const sd = cov.map((r, k) => Math.sqrt(r[k]!));
    const corr = cov.map((r, a) => r.map((v, c) => (a === c ? 1 : v / (sd[a]! * sd[c]!))));
    return { group: t.group, names: t.columnNames, covariance: cov, sd, corr };
  });
}
