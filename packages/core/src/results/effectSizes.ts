import type { Model } from "../model/Model.js";
import { HlmError } from "../HlmError.js";
import type { LmmFit } from "../fit/LmmFit.js";

/** The variance decomposition of a Gaussian mixed model and the R² and ICC built from it. */
export interface EffectSizes {
  /** σ²_f: variance of the fixed-effects predictions X β̂ (n − 1 denominator, as R's `var`). */
  varFixed: number;
  /** σ²_r: mean over observations of z_i' Σ z_i, summed over the random-effects terms (Johnson 2014). */
  varRandom: number;
  /** σ²_e: the residual variance σ̂². */
  varResidual: number;
  /** Nakagawa & Schielzeth's marginal R²: σ²_f / (σ²_f + σ²_r + σ²_e). */
  r2Marginal: number;
  /** Conditional R²: (σ²_f + σ²_r) / (σ²_f + σ²_r + σ²_e). */
  r2Conditional: number;
  /** Adjusted ICC: σ²_r / (σ²_r + σ²_e). */
  iccAdjusted: number;
  /** Unadjusted (conditional) ICC: σ²_r / (σ²_f + σ²_r + σ²_e). */
  iccUnadjusted: number;
}

/**
 * Nakagawa's R² and the ICC of a fitted LMM, as `performance::r2_nakagawa` and `performance::icc`
 * compute them for a Gaussian model. The fit does not carry X and Z, so the model it was fitted
 * from comes along (`fitModel(model)` or `buildModel` with the fit's table, formula and options).
 * Prior weights and offsets do not enter, as in `performance`.
 *
 * With a residual correlation structure alone, σ̂² is still every residual's variance (C_i has a unit
 * diagonal), so the decomposition holds as `insight::get_variance` gives it for nlme's lme; the ICC is
 * then the random effects' share of the variance, not the correlation of two rows of a group (the
 * residual correlation adds to that). With a variance function the residual variance differs between
 * rows: refused (HlmError "OPTIONS").
 *
 * A model given by its sums (a database's, `Model.summed`) gives the same decomposition from the
 * rows' unweighted moments (`SummedMoments`); sums computed with prior weights have none: refused.
 */
export function effectSizes(model: Model, fit: LmmFit): EffectSizes {
  const { n, p, reTerms } = model;
  if (n !== fit.nobs || p !== fit.fixef.length || reTerms.length !== fit.varcorr.length) {
    throw new HlmError("OPTIONS", "effectSizes: the model and the fit do not belong together (different observations, fixed effects or random-effects terms).");
  }
  const variance = fit.residual?.variance ?? model.residual?.variance;
  if (variance) {
    throw new HlmError("OPTIONS", `The ICC and R² need one residual variance, but under the variance function '${variance.text}' it differs between rows; they are not available for this model.`);
  }
  if (reTerms.length === 0) throw new HlmError("OPTIONS", "effectSizes: the model has no random effects, so there is no R² of Nakagawa's or ICC.");
  reTerms.forEach((term, k) => {
    const vc = fit.varcorr[k]!;
    if (vc.group !== term.group || vc.names.length !== term.p) {
      throw new HlmError("OPTIONS", `effectSizes: the fit's random-effects term '${vc.group}' does not match the model's '${term.group}'.`);
    }
  });
  const { varFixed, varRandom } = model.summed ? fromSums(model, fit) : fromRows(model, fit);
  const varResidual = fit.sigma * fit.sigma;
  const total = varFixed + varRandom + varResidual;
  return {
    varFixed,
    varRandom,
    varResidual,
    r2Marginal: varFixed / total,
    r2Conditional: (varFixed + varRandom) / total,
    iccAdjusted: varRandom / (varRandom + varResidual),
    iccUnadjusted: varRandom / total,
  };
}

/** σ²_f as R's `var` of X β̂ over the rows, and σ²_r as the mean of z_t' Σ z_t. */
function fromRows(model: Model, fit: LmmFit): { varFixed: number; varRandom: number } {
  const { n, p, X, reTerms } = model;
  const eta = new Float64Array(n);
  for (let j = 0; j < p; j++) {
    const b = fit.fixef[j]!;
    const col = j * n;
    for (let i = 0; i < n; i++) eta[i] = eta[i]! + b * X[col + i]!;
  }
  let varRandom = 0;
  reTerms.forEach((term, k) => {
    const S = fit.varcorr[k]!.covariance;
    const q = term.p;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const base = i * q;
      let zSz = 0;
      for (let a = 0; a < q; a++) {
        const za = term.z[base + a]!;
        if (za === 0) continue;
        const row = S[a]!;
        let s = 0;
        for (let b = 0; b < q; b++) s += row[b]! * term.z[base + b]!;
        zSz += za * s;
      }
      sum += zSz;
    }
    varRandom += sum / n;
  });
  return { varFixed: sampleVariance(eta), varRandom };
}

/**
 * The same from the rows' moments a database summed: σ²_f = β̂'(X'X − s s'/n)β̂ / (n − 1) with s
 * the column sums of X, and σ²_r = Σ_i tr(Σ_i · Σ_t z_t z_t') / n, Σ_t z_t z_t' from the levels' Z_l'Z_l.
 */
function fromSums(model: Model, fit: LmmFit): { varFixed: number; varRandom: number } {
  const moments = model.summed!.moments;
  if (!moments) {
    throw new HlmError("OPTIONS", "The ICC and R² are unweighted variances over the rows, and this model's sums were computed with prior weights; fit it from the rows, or compute the sums without weights.");
  }
  const { n, p } = model;
  const { xSums, xtx, groups } = moments;
  const beta = fit.fixef;
  let quad = 0;
  for (let a = 0; a < p; a++) {
    let s = 0;
    for (let b = 0; b < p; b++) s += (xtx[a * p + b]! - (xSums[a]! * xSums[b]!) / n) * beta[b]!;
    quad += beta[a]! * s;
  }
  let varRandom = 0;
  model.reTerms.forEach((term, k) => {
    const S = fit.varcorr[k]!.covariance;
    // Σ_t z_t z_t' of the term: its columns' block of its grouping factor's Z_l'Z_l, summed over the levels
    const gm = groups.find((g) => g.group === term.group)!;
    const q = gm.columns.length;
    const at = term.columnNames.map((c) => gm.columns.indexOf(c));
    let trace = 0;
    for (let l = 0; l < gm.levels.length; l++) {
      const base = l * q * q;
      for (let a = 0; a < term.p; a++) for (let b = 0; b < term.p; b++) trace += S[a]![b]! * gm.zz[base + at[b]! * q + at[a]!]!;
    }
    varRandom += trace / n;
  });
  return { varFixed: n > 1 ? Math.max(0, quad) / (n - 1) : 0, varRandom };
}

/** R's `var`: two-pass, n − 1 denominator. */
export function sampleVariance(x: Float64Array): number {
  const n = x.length;
  if (n < 2) return 0;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i]!;
  mean /= n;
  let ss = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const d = x[i]! - mean;
    ss += d * d;
    c += d;
  }
  return (ss - (c * c) / n) / (n - 1);
}
