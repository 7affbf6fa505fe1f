/**
 * The parameters of a fitted model as lme4's `confint()` lists them, and the map between θ and
 * the standard-deviation / correlation scale (lme4's `Cv_to_Sv` and `Sv_to_Cv`).
 *
 * Order (lme4's): per random-effects term, its θ entries in θ's order (lower triangle of Λ's
 * template, column by column), each diagonal entry an SD and each off-diagonal one a correlation;
 * then σ; then the fixed effects.
 */
import normalQuantile from "@stdlib/stats-base-dists-normal-quantile";
import { HlmError } from "../HlmError.js";
import type { LmmFit } from "../fit/LmmFit.js";
import type { GlmmFit } from "../glmm/GlmmFit.js";
import type { ThetaLayout } from "../model/thetaLayout.js";

/** Which kind of parameter a row is. */
export type ParameterKind = "sd" | "cor" | "sigma" | "fixed";

/** A parameter of the model, named as lme4 names it. */
export interface ModelParameter {
  /** lme4's name (`confint(..., oldNames = FALSE)`): `sd_(Intercept)|Subject`, `cor_Days.(Intercept)|Subject`, `sigma`, or the fixed effect's name. */
  parameter: string;
  /** lme4's default row name of `confint()`: `.sig01`, `.sig02`, …, `.sigma`, or the fixed effect's name. */
  oldName: string;
  kind: ParameterKind;
  /** The estimate on this scale (SD, correlation, σ, β). */
  estimate: number;
}

/** A confidence interval of one parameter. */
export interface IntervalRow extends ModelParameter {
  lower: number;
  upper: number;
}

/** Confidence intervals of a model's parameters (lme4's `confint()`). */
export interface ParameterIntervals {
  method: "Wald" | "profile" | "boot";
  level: number;
  rows: IntervalRow[];
  /** Soft problems met on the way (a profile that is not monotone, bootstrap refits that failed, …). */
  warnings: string[];
}

/**
 * Wald intervals of the fixed effects, lme4's `confint(m, method = "Wald")`: β̂ ± z_{(1+level)/2} · SE(β̂)
 * with the standard normal quantile (lme4 gives no Wald intervals of the variance parameters).
 */
export function waldIntervals(fit: LmmFit, level = 0.95): ParameterIntervals {
  return { method: "Wald", level, rows: fixedWaldRows(fit, level), warnings: [] };
}

/** β̂ ± z · SE(β̂), a row per fixed effect. */
function fixedWaldRows(fit: Pick<LmmFit, "fixef" | "fixefNames" | "se">, level: number): IntervalRow[] {
  if (!(level > 0 && level < 1)) throw new HlmError("OPTIONS", `The confidence level must lie strictly between 0 and 1, not ${level}.`);
  const z = normalQuantile((1 + level) / 2, 0, 1);
  return fit.fixefNames.map((name, j): IntervalRow => {
    const b = fit.fixef[j]!;
    return { parameter: name, oldName: name, kind: "fixed", estimate: b, lower: b - z * fit.se[j]!, upper: b + z * fit.se[j]! };
  });
}

/**
 * Wald intervals of a GLMM, lme4's `confint(glmer, method = "Wald")`: first a row per variance
 * parameter (`.sig01`, …: the random effects' SDs and correlations, in θ's order) whose limits are
 * NaN, as lme4's are NA (it has no Wald intervals for them; JSON prints them as null, the table as
 * NA), then β̂ ± z · SE(β̂) with lme4's Hessian-based standard errors.
 */
export function glmmWaldIntervals(fit: GlmmFit, level = 0.95): ParameterIntervals {
  const fixed = fixedWaldRows(fit, level);
  const variance: IntervalRow[] = [];
  for (const v of fit.varcorr) {
    const p = v.names.length;
    for (let c = 0; c < p; c++) {
      for (let r = c; r < p; r++) {
        const parameter = r === c ? `sd_${v.names[r]}|${v.group}` : `cor_${v.names[r]}.${v.names[c]}|${v.group}`;
        const estimate = r === c ? v.sd[r]! : v.corr[r]![c]!;
        variance.push({ parameter, oldName: `.sig${String(variance.length + 1).padStart(2, "0")}`, kind: r === c ? "sd" : "cor", estimate, lower: NaN, upper: NaN });
      }
    }
  }
  return { method: "Wald", level, rows: [...variance, ...fixed], warnings: [] };
}

/** lme4's names of the variance parameters, in θ's order, then σ. */
export function varianceParameterNames(layout: ThetaLayout, groups: readonly string[], columnNames: readonly (readonly string[])[]): { parameter: string; oldName: string; kind: "sd" | "cor" | "sigma" }[] {
  const out: { parameter: string; oldName: string; kind: "sd" | "cor" | "sigma" }[] = [];
  layout.terms.forEach(({ p }, i) => {
    const cols = columnNames[i]!;
    for (let c = 0; c < p; c++) {
      for (let r = c; r < p; r++) {
        const parameter = r === c ? `sd_${cols[r]}|${groups[i]}` : `cor_${cols[r]}.${cols[c]}|${groups[i]}`;
        out.push({ parameter, oldName: `.sig${String(out.length + 1).padStart(2, "0")}`, kind: r === c ? "sd" : "cor" });
      }
    }
  });
  out.push({ parameter: "sigma", oldName: ".sigma", kind: "sigma" });
  return out;
}

/** The parameters of a fit with their estimates, in lme4's order. */
export function modelParameters(layout: ThetaLayout, fit: LmmFit): ModelParameter[] {
  const names = varianceParameterNames(
    layout,
    fit.varcorr.map((v) => v.group),
    fit.varcorr.map((v) => v.names),
  );
  const values = thetaToSdCor(layout, fit.theta, fit.sigma);
  const variance = names.map((n, k) => ({ ...n, estimate: values[k]! }));
  return [...variance, ...fit.fixefNames.map((name, j) => ({ parameter: name, oldName: name, kind: "fixed" as const, estimate: fit.fixef[j]! }))];
}

/**
 * θ and σ to the SD/correlation scale (lme4's `Cv_to_Sv(theta, s = sigma)`): per term Σ = σ² T T',
 * diagonal entries become √Σ_rr, off-diagonal ones Σ_rc / √(Σ_rr Σ_cc) (0 when either SD is 0);
 * σ is appended.
 */
export function thetaToSdCor(layout: ThetaLayout, theta: ArrayLike<number>, sigma: number): Float64Array {
  const out = new Float64Array(layout.size + 1);
  for (const { p, offset } of layout.terms) {
    const T = lowerTemplate(theta, offset, p);
    const cov = (r: number, c: number): number => {
      let s = 0;
      for (let k = 0; k <= Math.min(r, c); k++) s += T[r * p + k]! * T[c * p + k]!;
      return s;
    };
    const sd = Array.from({ length: p }, (_, r) => Math.sqrt(cov(r, r)));
    let k = offset;
    for (let c = 0; c < p; c++) {
      for (let r = c; r < p; r++) {
        if (r === c) out[k++] = sigma * sd[r]!;
        else out[k++] = sd[r]! > 0 && sd[c]! > 0 ? cov(r, c) / (sd[r]! * sd[c]!) : 0;
      }
    }
  }
  out[layout.size] = sigma;
  return out;
}

/**
 * The inverse (lme4's `Sv_to_Cv(sdcor, s = sigma)`): per term Σ/σ² from the SDs and correlations,
 * and its lower Cholesky factor as θ. A Σ that is only semi-definite (an SD of 0, a correlation of
 * ±1) gives zero columns where its pivots vanish.
 */
export function sdCorToTheta(layout: ThetaLayout, sdcor: ArrayLike<number>, sigma: number): Float64Array {
  const theta = new Float64Array(layout.size);
  for (const { p, offset } of layout.terms) {
    const sd = new Float64Array(p);
    const C = new Float64Array(p * p);
    let k = offset;
    for (let c = 0; c < p; c++) for (let r = c; r < p; r++) (r === c ? (sd[r] = sdcor[k]! / sigma) : (C[r * p + c] = sdcor[k]!)), k++;
    for (let r = 0; r < p; r++) {
      C[r * p + r] = sd[r]! * sd[r]!;
      for (let c = 0; c < r; c++) C[r * p + c] = C[r * p + c]! * sd[r]! * sd[c]!;
    }
    // lower Cholesky factor of C, in place
    for (let c = 0; c < p; c++) {
      let d = C[c * p + c]!;
      for (let j = 0; j < c; j++) d -= C[c * p + j]! ** 2;
      const pivot = d > 1e-14 * C[c * p + c]! && d > 0 ? Math.sqrt(d) : 0;
      C[c * p + c] = pivot;
      for (let r = c + 1; r < p; r++) {
        let s = C[r * p + c]!;
        for (let j = 0; j < c; j++) s -= C[r * p + j]! * C[c * p + j]!;
        C[r * p + c] = pivot > 0 ? s / pivot : 0;
      }
    }
    k = offset;
    for (let c = 0; c < p; c++) for (let r = c; r < p; r++) theta[k++] = C[r * p + c]!;
  }
  return theta;
}

/** Term's template T (row-major p × p, lower triangular) from θ[offset…]. */
function lowerTemplate(theta: ArrayLike<number>, offset: number, p: number): Float64Array {
  const T = new Float64Array(p * p);
  let k = offset;
  for (let c = 0; c < p; c++) for (let r = c; r < p; r++) T[r * p + c] = theta[k++]!;
  return T;
}
