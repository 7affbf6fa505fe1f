import type { Model } from "../model/Model.js";
import type { ResidualStructure } from "../model/Model.js";
import { responseMinusOffset } from "../model/response.js";
import { correlationAt, naturalParameters, sdMultipliers, symmCorrelation } from "./structureParameters.js";

/**
 * The model's rows pre-whitened, refilled for each value of the structure's parameters u.
 */
export interface Whitener {
  /**
   * The model with [Z X y] replaced, group by group, by L_i⁻¹ [Z_i X_i y_i], L_i the lower Cholesky
   * factor of D_i C_i D_i: its residuals are independent with variance σ², so it is an ordinary
   * linear mixed model (no weights, no offset; the random effects' levels unchanged). Its arrays
   * hold the rows whitened at the u of the last `whiten` call.
   */
  readonly model: Model;
  /**
   * Whitens the rows at u, into `model`; returns Σ_i log det(D_i C_i D_i) (the whitening's Jacobian
   * term of −2 log L), or null where D C D is not positive definite at u.
   */
  whiten(u: ArrayLike<number>): number | null;
}

/**
 * nlme's method: for structure parameters u, each group's rows of [Z X y] are pre-whitened by its
 * residual covariance's inverse Cholesky factor. The exponential-decay structures (corAR1, corCAR1,
 * corExp: Markov in time) in closed form, O(n); compound symmetry and the general corSymm by a dense
 * Cholesky factor per group. The buffers are the whitener's own, reused from one u to the next.
 */
export function whitener(model: Model, rs: ResidualStructure): Whitener {
  const { n, p, X, reTerms } = model;
  const termOff: number[] = [];
  let K = 0;
  for (const t of reTerms) {
    termOff.push(K);
    K += t.p;
  }
  const xOff = K;
  K += p + 1;
  // the original rows of [Z X y], row-major n × K, formed once
  const W = new Float64Array(n * K);
  const y = responseMinusOffset(model);
  for (let k = 0; k < n; k++) {
    const r = k * K;
    reTerms.forEach((t, j) => {
      for (let a = 0; a < t.p; a++) W[r + termOff[j]! + a] = t.z[k * t.p + a]!;
    });
    for (let j = 0; j < p; j++) W[r + xOff + j] = X[j * n + k]!;
    W[r + xOff + p] = y[k]!;
  }
  const cls = rs.correlation?.class;
  const markov = cls === "corAR1" || cls === "corCAR1" || cls === "corExp";
  let maxGroup = 1;
  for (let g = 0; g + 1 < rs.start.length; g++) maxGroup = Math.max(maxGroup, rs.start[g + 1]! - rs.start[g]!);
  const Lg = new Float64Array(markov || !cls ? 0 : maxGroup * maxGroup);

  const O = new Float64Array(n * K);
  const Xw = new Float64Array(n * p);
  const yw = new Float64Array(n);
  const terms = reTerms.map((t) => ({ ...t, z: new Float64Array(n * t.p) }));
  const whitened: Model = { ...model, X: Xw, y: yw, reTerms: terms, offset: null, weights: null };

  const whiten = (u: ArrayLike<number>): number | null => {
    const natural = naturalParameters(rs, u);
    const d = sdMultipliers(rs, natural, model.weights, n);
    let logDetV = 0;
    for (let k = 0; k < n; k++) {
      const dk = d[k]!;
      if (!(dk > 0) || !Number.isFinite(dk)) return null;
      logDetV += 2 * Math.log(dk);
      const r = k * K;
      const inv = 1 / dk;
      for (let a = 0; a < K; a++) O[r + a] = W[r + a]! * inv;
    }
    if (cls) {
      const symm = cls === "corSymm" ? symmCorrelation(rs.positions, u) : undefined;
      const time = rs.time!;
      for (let g = 0; g + 1 < rs.start.length; g++) {
        const s0 = rs.start[g]!;
        const m = rs.start[g + 1]! - s0;
        if (markov) {
          // e_1 = x_1; e_j = (x_j − ρ_j x_{j−1}) / √(1 − ρ_j²), ρ_j the correlation of consecutive times; backwards so x_{j−1} is still x
          for (let j = m - 1; j >= 1; j--) {
            const k = rs.rows[s0 + j]! * K;
            const km = rs.rows[s0 + j - 1]! * K;
            const rho = correlationAt(rs, natural, time[rs.rows[s0 + j - 1]!]!, time[rs.rows[s0 + j]!]!);
            const v = 1 - rho * rho;
            if (!(v > 0)) return null;
            const sc = 1 / Math.sqrt(v);
            for (let a = 0; a < K; a++) O[k + a] = (O[k + a]! - rho * O[km + a]!) * sc;
            logDetV += Math.log(v);
          }
        } else {
          // L L' = C_i, then L e = x by forward substitution
          for (let i = 0; i < m; i++) {
            const ti = time[rs.rows[s0 + i]!]!;
            for (let j = 0; j <= i; j++) {
              let s = correlationAt(rs, natural, ti, time[rs.rows[s0 + j]!]!, symm);
              for (let l = 0; l < j; l++) s -= Lg[i * m + l]! * Lg[j * m + l]!;
              if (i === j) {
                if (!(s > 0)) return null;
                Lg[i * m + i] = Math.sqrt(s);
                logDetV += Math.log(s);
              } else Lg[i * m + j] = s / Lg[j * m + j]!;
            }
          }
          for (let i = 0; i < m; i++) {
            const k = rs.rows[s0 + i]! * K;
            for (let l = 0; l < i; l++) {
              const kl = rs.rows[s0 + l]! * K;
              const f = Lg[i * m + l]!;
              if (f !== 0) for (let a = 0; a < K; a++) O[k + a]! -= f * O[kl + a]!;
            }
            const inv = 1 / Lg[i * m + i]!;
            for (let a = 0; a < K; a++) O[k + a]! *= inv;
          }
        }
      }
    }
    for (let k = 0; k < n; k++) {
      const r = k * K;
      for (let j = 0; j < p; j++) Xw[j * n + k] = O[r + xOff + j]!;
      yw[k] = O[r + xOff + p]!;
    }
    terms.forEach((t, j) => {
      const z = t.z;
      const tp = t.p;
      const off = termOff[j]!;
      for (let k = 0; k < n; k++) for (let a = 0; a < tp; a++) z[k * tp + a] = O[k * K + off + a]!;
    });
    return logDetV;
  };
  return { model: whitened, whiten };
}
