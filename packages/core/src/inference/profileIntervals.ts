/**
 * Profile-likelihood confidence intervals: lme4's `confint(m, method = "profile")` (R/profile.R:
 * `profile.merMod`, `devfun2`, `confint.thpr`).
 *
 * The profile of a parameter ψ is the signed square root of the rise of the ML deviance when ψ is
 * held at x and every other parameter is re-optimized:
 *   ζ(x) = sign(x − ψ̂) · √(D_min(x) − D̂),  D̂ the ML deviance at the ML optimum.
 * The interval at level 1 − α is {x : |ζ(x)| ≤ z}, z = Φ⁻¹(1 − α/2). lme4 profiles the ML deviance
 * even for a REML fit (it refits by ML first), interpolates ζ with splines and reads ±z off them;
 * here the two roots of ζ(x) = ±z are found directly (bracketed outward from ψ̂, then Brent's method).
 *
 * - Variance parameters (SDs, correlations, σ), lme4's `devfun2`: with s = (SDs and correlations, σ)
 *   and θ = Sv_to_Cv(s, σ), β profiled out,
 *     D(s) = log|L_θ|² − log|W| + r²(θ)/σ² + n log(2πσ²);
 *   D_min(x) minimizes D over the other entries of s (SD ≥ 0, −1 ≤ cor ≤ 1, σ > 0).
 * - Fixed effect β_j, lme4's offset device: X_j·b moves into the offset, X loses column j, and
 *   D_min(b) is the ML deviance of that model minimized over θ. A model given by its sums does the
 *   same to A alone (`holdFixedEffect`).
 * An SD whose profile stays above −z down to 0 gets the lower limit 0, a correlation whose profile
 * stays inside ±z up to ±1 gets the limit ±1 (lme4's behaviour).
 */
import { responseScale, responseShift } from "../fit/responseScaling.js";
import type { Model } from "../model/Model.js";
import { HlmError } from "../HlmError.js";
import { thetaLayout, type ThetaLayout } from "../model/thetaLayout.js";
import { type LmmFit } from "../fit/LmmFit.js";
import { solveRest } from "../linalg/triangular.js";
import { makeObjective } from "../objective/makeObjective.js";
import { holdFixedEffect } from "../objective/holdFixedEffect.js";
import type { SummedModel } from "../sql/modelFromSums.js";
import type { ProfiledDeviance } from "../objective/ProfiledDeviance.js";
import { bobyqa } from "../optim/bobyqa.js";
import { optimize } from "../optim/optimize.js";
import { modelParameters, thetaToSdCor, type IntervalRow, type ModelParameter, type ParameterIntervals, type ParameterKind } from "./parameterIntervals.js";
import { qnorm } from "./rRandom.js";

/** Options of `profileIntervals`. */
export interface ProfileOptions {
  /** Confidence level, in (0, 1); default 0.95. */
  level?: number;
  /** Parameters to profile, by `parameter` or `oldName` (`sd_(Intercept)|Subject` or `.sig01`); default all. */
  which?: readonly string[];
  /**
   * Called after each point of a profile; `done` counts the interval limits found so far (two per
   * parameter) out of `total`. Returning false cancels: HlmError("CANCELLED").
   */
  onProgress?: (done: number, total: number) => void | boolean;
  /**
   * For a model given by its sums (a database's, `Model.summed`): its cross-products and the units
   * they were summed in (`modelFromSums`' result). The profiles are then computed from A alone.
   */
  sums?: Pick<SummedModel, "cross" | "shift" | "scale">;
}

/**
 * lme4's `confint(fit, method = "profile", level, parm = which)`: one row per selected parameter,
 * in `modelParameters` order. `lower`/`upper` are the profile limits in the response's units;
 * `estimate` is the fit's own estimate (the REML estimate for a REML fit), whereas the profiles are
 * centred on the ML estimates, as lme4's are (lme4's confint reports only the limits). A model with
 * a residual structure is refused (HlmError "OPTIONS"): its parameters are not profiled.
 */
export function profileIntervals(model: Model, fit: LmmFit, options: ProfileOptions = {}): ParameterIntervals {
  if (model.summed && !options.sums) throw new HlmError("OPTIONS", "Profile intervals of a model given by its sums need its cross-products (modelFromSums' result, as options.sums).");
  const level = options.level ?? 0.95;
  if (!(level > 0 && level < 1)) throw new HlmError("OPTIONS", `The confidence level must be between 0 and 1 (exclusive), not ${level}.`);
  if (model.residual || fit.residual) {
    throw new HlmError("OPTIONS", "Profile-likelihood intervals are not available for a model with a residual correlation structure or variance function (the profiles do not yet hold the structure's parameters); use Wald intervals (method wald) for the fixed effects.");
  }
  const layout = thetaLayout(model.reTerms);
  const parameters = modelParameters(layout, fit);
  const selected = selectParameters(parameters, options.which);
  const z = qnorm((1 + level) / 2);
  const warnings: string[] = [];
  const rows: IntervalRow[] = [];
  if (selected.length === 0) return { method: "profile", level, rows, warnings };
  const ml = mlOptimum(model, fit.theta, options.sums);
  const total = 2 * selected.length;
  let done = 0;
  const progress = (): void => {
    if (options.onProgress && options.onProgress(done, total) === false) throw new HlmError("CANCELLED", "The profile was cancelled.");
  };
  const nvp = layout.size + 1;
  for (const k of selected) {
    const par = parameters[k]!;
    const profile = k < nvp ? varianceProfile(ml, k) : fixedEffectProfile(ml, k - nvp);
    const limits = ([-1, 1] as const).map((dir) => {
      const limit = profileLimit(profile, dir, z, par, warnings, progress);
      done++;
      progress();
      return toResponseUnits(ml, par, limit);
    });
    rows.push({ ...par, lower: limits[0]!, upper: limits[1]! });
  }
  return { method: "profile", level, rows, warnings };
}

/** Indices into `parameters` of the names in `which` (all when absent), in the parameters' order. */
export function selectParameters(parameters: readonly ModelParameter[], which: readonly string[] | undefined): number[] {
  if (which === undefined) return parameters.map((_, k) => k);
  for (const name of which) {
    if (!parameters.some((p) => p.parameter === name || p.oldName === name)) {
      throw new HlmError("OPTIONS", `There is no parameter '${name}' to profile; the parameters are ${parameters.map((p) => `'${p.parameter}'`).join(", ")}.`);
    }
  }
  return parameters.flatMap((p, k) => (which.includes(p.parameter) || which.includes(p.oldName) ? [k] : []));
}

/**
 * The ML fit a profile starts from, in the working units of `fitModel` (response shifted by `shift`
 * and divided by `scale`, as the fit does for responses hard on the arithmetic).
 */
interface MlOptimum {
  /** The model, shifted and scaled, with REML false. */
  model: Model;
  /** A of a model given by its sums (in the working units); null for a model with rows. */
  cross: SummedModel["cross"] | null;
  objective: ProfiledDeviance;
  layout: ThetaLayout;
  shift: number;
  scale: number;
  /** θ̂, σ̂ = √(r²/n), β̂ at the ML optimum. */
  theta: Float64Array;
  sigma: number;
  beta: Float64Array;
  /** Wald standard errors of β̂ at the ML optimum: σ̂ √V_jj. */
  se: Float64Array;
  /** s = Cv_to_Sv(θ̂, σ̂): SDs and correlations, then σ̂. */
  sdcor: Float64Array;
  /** D̂: the ML deviance at the optimum. */
  deviance: number;
}

/**
 * Refits by ML (lme4's `refitML`) from the fit's θ, and polishes the optimum with tight tolerances.
 * A model given by its sums is already in its working units (`sums.shift`, `sums.scale`).
 */
function mlOptimum(original: Model, thetaStart: readonly number[], sums: ProfileOptions["sums"]): MlOptimum {
  const shift = sums ? sums.shift : responseShift(original);
  const scale = sums ? sums.scale : responseScale(original, shift);
  const model: Model = sums
    ? { ...original, REML: false }
    : {
        ...original,
        REML: false,
        y: shift === 0 && scale === 1 ? original.y : original.y.map((v) => (v - shift) / scale),
        offset: original.offset && scale !== 1 ? original.offset.map((v) => v / scale) : original.offset,
      };
  const cross = sums ? sums.cross : null;
  const objective = cross ? makeObjective(model, cross) : makeObjective(model);
  const { layout, n, p } = objective;
  const opt = optimize(objective, { thetaStart });
  const polished = minimize((t) => objective.evaluate(t), Float64Array.from(opt.theta), layout.lower, null, thetaScales(opt.theta));
  const theta = polished.fx <= opt.fmin ? polished.x : Float64Array.from(opt.theta);
  const V = new Float64Array(p * p);
  const { pwrss, objective: deviance } = objective.pieces(theta, V);
  const sigma = Math.sqrt(pwrss / n);
  const beta = fixedEffects(objective, theta);
  const se = Float64Array.from({ length: p }, (_, j) => sigma * Math.sqrt(V[j * p + j]!));
  return { model, cross, objective, layout, shift, scale, theta, sigma, beta, se, sdcor: thetaToSdCor(layout, theta, sigma), deviance };
}

/** β̂(θ): back-substitution through the X rows of the dense tail of L (R_X β̂ = c_X). */
function fixedEffects(objective: ProfiledDeviance, theta: Float64Array): Float64Array {
  const { LRR } = objective.factorize(theta, false);
  const { m, qRest } = objective.cross;
  return solveRest(LRR, m, qRest).slice(qRest, qRest + objective.p);
}

/** A limit found in working units back in the response's: SDs, σ and β times the scale, the intercept plus the shift. */
function toResponseUnits(ml: MlOptimum, par: ModelParameter, x: number): number {
  if (par.kind === "cor") return x;
  return x * ml.scale + (par.parameter === "(Intercept)" ? ml.shift : 0);
}

/**
 * One parameter's profile: ζ at a value of the parameter (the other parameters re-optimized from the
 * inner optimum of a neighbouring point), the ML estimate, the parameter's bounds and a first step.
 */
export interface Profile {
  /** ψ̂, the ML estimate (working units). */
  estimate: number;
  lower: number;
  upper: number;
  /** A first step away from ψ̂ (the Wald SE for β, a fraction of the estimate for the rest). */
  step: number;
  /** ζ(x) and the inner optimum it ended at (to warm-start a neighbour). */
  at(x: number, start: Float64Array): { zeta: number; inner: Float64Array; deviance: number };
  /** The inner optimum at ψ̂ itself. */
  start: Float64Array;
}

/**
 * The profile of variance parameter k of s = (SDs, correlations, σ) by lme4's `devfun2`:
 * D(s) = log|L_θ|² − log|W| + r²(θ)/σ² + n log(2πσ²), θ = Sv_to_Cv(s, σ), minimized over s without s_k.
 */
function varianceProfile(ml: MlOptimum, k: number): Profile {
  const { objective, layout, sdcor, sigma, deviance } = ml;
  const { n } = objective;
  const logDetW = objective.cross.logDetW;
  const nvp = sdcor.length;
  const kinds = varianceKinds(layout);
  const lowerAll = kinds.map((kind) => (kind === "cor" ? -1 : 0));
  const upperAll = kinds.map((kind) => (kind === "cor" ? 1 : Infinity));
  const scaleAll = kinds.map((kind, i) => (kind === "cor" ? 0.5 : Math.max(sdcor[i]!, 0.05 * sigma)));
  const others = Array.from({ length: nvp }, (_, i) => i).filter((i) => i !== k);
  const sdCorIntoTheta = makeSdCorIntoTheta(layout);
  const s = Float64Array.from(sdcor);
  const theta = new Float64Array(layout.size);
  /** D(s) with s_k = x and the other entries from y. */
  const devfun2 = (x: number, y: Float64Array): number => {
    s[k] = x;
    for (let i = 0; i < others.length; i++) s[others[i]!] = y[i]!;
    const sig = s[nvp - 1]!;
    if (!(sig > 0) || !sdCorIntoTheta(s, sig, theta)) return Infinity;
    const { ldL2, pwrss } = objective.pieces(theta);
    const D = ldL2 - logDetW + pwrss / (sig * sig) + n * Math.log(2 * Math.PI * sig * sig);
    return Number.isFinite(D) ? D : Infinity;
  };
  const pick = (a: ArrayLike<number>): Float64Array => Float64Array.from(others, (i) => a[i]!);
  /**
   * A start y whose correlations, with s_k = x, are feasible: y itself, or y with the other
   * correlations shrunk toward 0 by the largest factor λ ∈ [0, 1] that is (bisection; at λ = 0 only
   * s_k is left, which is feasible).
   */
  const feasibleStart = (x: number, y: Float64Array): Float64Array => {
    const trial = Float64Array.from(sdcor);
    const feasible = (t: Float64Array): boolean => sdCorIntoTheta(t, 1, theta);
    const shrunk = (lambda: number): Float64Array => {
      trial[k] = x;
      others.forEach((i, j) => (trial[i] = kinds[i] === "cor" ? lambda * y[j]! : y[j]!));
      return trial;
    };
    if (feasible(shrunk(1))) return y;
    let lo = 0;
    let hi = 1;
    for (let iter = 0; iter < 40; iter++) {
      const mid = (lo + hi) / 2;
      if (feasible(shrunk(mid))) lo = mid;
      else hi = mid;
    }
    return pick(shrunk(lo));
  };
  const lower = pick(lowerAll);
  const upper = pick(upperAll);
  const scales = pick(scaleAll);
  const estimate = sdcor[k]!;
  const kind = kinds[k]!;
  return {
    estimate,
    lower: lowerAll[k]!,
    upper: upperAll[k]!,
    step: kind === "cor" ? 0.05 : estimate > 0 ? 0.05 * estimate : 0.1 * sigma,
    start: pick(sdcor),
    at(x, start) {
      const r = minimize((y) => devfun2(x, y), feasibleStart(x, start), lower, upper, scales);
      return { zeta: signedRoot(x - estimate, r.fx - deviance), inner: r.x, deviance: r.fx - deviance };
    },
  };
}

/**
 * θ = Sv_to_Cv(s, σ) written into `theta`, without allocating: per term, with R its correlation
 * matrix and L_R R's lower Cholesky factor, T = diag(SD/σ) L_R (so that T T' = Σ/σ²). A pivot of
 * R down to −1e-10 counts as 0 and leaves its column 0, as in `sdCorToTheta`. Returns false when a
 * term's correlations do not form a positive semi-definite matrix (lme4's Sv_to_Cv fails there;
 * `sdCorToTheta` would give a θ with other correlations).
 */
export function makeSdCorIntoTheta(layout: ThetaLayout): (s: ArrayLike<number>, sigma: number, theta: Float64Array) => boolean {
  const maxP = Math.max(1, ...layout.terms.map((t) => t.p));
  const C = new Float64Array(maxP * maxP);
  return (s, sigma, theta) => {
    for (const { p, offset } of layout.terms) {
      // R, lower triangle, row-major p × p
      let k = offset;
      for (let c = 0; c < p; c++) for (let r = c; r < p; r++, k++) C[r * p + c] = r === c ? 1 : s[k]!;
      for (let c = 0; c < p; c++) {
        let d = C[c * p + c]!;
        for (let j = 0; j < c; j++) d -= C[c * p + j]! ** 2;
        if (d < -1e-10) return false;
        const pivot = d > 1e-10 ? Math.sqrt(d) : 0;
        for (let r = c + 1; r < p; r++) {
          let v = C[r * p + c]!;
          for (let j = 0; j < c; j++) v -= C[r * p + j]! * C[c * p + j]!;
          // a zero pivot leaves its column zero in a semi-definite matrix
          if (pivot === 0 && Math.abs(v) > 1e-6) return false;
          C[r * p + c] = pivot > 0 ? v / pivot : 0;
        }
        C[c * p + c] = pivot;
      }
      // T = diag(SD/σ) L_R, column by column
      k = offset;
      for (let c = 0; c < p; c++) for (let r = c; r < p; r++, k++) theta[k] = (s[offsetOfSd(offset, p, r)]! / sigma) * C[r * p + c]!;
    }
    return true;
  };
}

/** Index in s (or θ) of the SD of column r of the term of p columns starting at offset: the diagonal entries come first in each column. */
function offsetOfSd(offset: number, p: number, r: number): number {
  // column c holds p − c entries, its diagonal first
  return offset + r * p - (r * (r - 1)) / 2;
}

/** The kind of each entry of s = (θ's entries on the SD/correlation scale, σ). */
export function varianceKinds(layout: ThetaLayout): ParameterKind[] {
  const kinds: ParameterKind[] = [];
  for (const { p } of layout.terms) for (let c = 0; c < p; c++) for (let r = c; r < p; r++) kinds.push(r === c ? "sd" : "cor");
  kinds.push("sigma");
  return kinds;
}

/**
 * The profile of fixed effect j: at β_j = b, the ML deviance of the model whose offset takes X_j·b
 * and whose X loses column j, minimized over θ (lme4's `fe.zeta`).
 */
function fixedEffectProfile(ml: MlOptimum, j: number): Profile {
  const { model, cross, layout, theta, beta, se, deviance } = ml;
  const scales = thetaScales(theta);
  return {
    estimate: beta[j]!,
    lower: -Infinity,
    upper: Infinity,
    step: se[j]! > 0 ? se[j]! : Math.abs(beta[j]!) * 0.01 || 1,
    start: Float64Array.from(theta),
    at(b, start) {
      const objective = cross ? makeObjective(model, holdFixedEffect(cross, model.p, j, b)) : makeObjective(withFixedEffect(model, j, b));
      const r = minimize((t) => objective.evaluate(t), start, layout.lower, null, scales);
      return { zeta: signedRoot(b - beta[j]!, r.fx - deviance), inner: r.x, deviance: r.fx - deviance };
    },
  };
}

/** The model with β_j held at b: X_j·b added to the offset, column j dropped from X. */
function withFixedEffect(model: Model, j: number, b: number): Model {
  const { n, p, X } = model;
  const Xj = X.subarray(j * n, (j + 1) * n);
  const Xrest = new Float64Array(n * (p - 1));
  Xrest.set(X.subarray(0, j * n), 0);
  Xrest.set(X.subarray((j + 1) * n), j * n);
  const offset = new Float64Array(n);
  for (let t = 0; t < n; t++) offset[t] = (model.offset ? model.offset[t]! : 0) + b * Xj[t]!;
  return { ...model, X: Xrest, p: p - 1, xNames: model.xNames.filter((_, c) => c !== j), offset };
}

/** sign(d) √max(0, rise): ζ from the parameter's displacement and the deviance's rise. */
export function signedRoot(d: number, rise: number): number {
  return Math.sign(d) * Math.sqrt(Math.max(0, rise));
}

/** Variable scales for BOBYQA over θ: |θ_i|, but no less than 5% of the largest |θ| (1 if all are 0). */
export function thetaScales(theta: ArrayLike<number>): Float64Array {
  let max = 0;
  for (let i = 0; i < theta.length; i++) max = Math.max(max, Math.abs(theta[i]!));
  const floor = max > 0 ? 0.05 * max : 1;
  return Float64Array.from(theta, (t) => Math.max(Math.abs(t), floor));
}

/**
 * min f(x) over lower ≤ x ≤ upper by BOBYQA in the variables x_i / scale_i, from x0, to a trust
 * radius of 1e-7 (relative to the scales): tight enough that ζ at ±2 is exact to ~1e-8.
 */
export function minimize(f: (x: Float64Array) => number, x0: Float64Array, lower: ArrayLike<number>, upper: ArrayLike<number> | null, scales: Float64Array): { x: Float64Array; fx: number } {
  const d = x0.length;
  const x = new Float64Array(d);
  const toX = (y: Float64Array): Float64Array => {
    for (let i = 0; i < d; i++) x[i] = y[i]! * scales[i]!;
    return x;
  };
  const y0 = Float64Array.from(x0, (v, i) => Math.min(Math.max(v, lower[i]!), upper ? upper[i]! : Infinity) / scales[i]!);
  const r = bobyqa((y) => f(toX(y)), y0, {
    lower: Float64Array.from(lower, (l, i) => l / scales[i]!),
    upper: upper ? Float64Array.from(upper, (u, i) => u / scales[i]!) : undefined,
    rhobeg: 0.1,
    rhoend: 1e-7,
  });
  return { x: Float64Array.from(toX(r.x)), fx: r.fx };
}

/**
 * The limit of a profile on one side (dir −1: lower, +1: upper): the root of ζ(x) = dir·z. Steps
 * outward from ψ̂ by secant extrapolation of ζ (each step at most 10 times the last) until ζ passes
 * dir·z or the parameter's bound is reached (then the bound is the limit), then Brent's method on
 * the bracket. Warnings for a profile that turns back or a deviance below the optimum's.
 */
export function profileLimit(profile: Profile, dir: -1 | 1, z: number, par: ModelParameter, warnings: string[], progress: () => void): number {
  const target = dir * z;
  const bound = dir < 0 ? profile.lower : profile.upper;
  const warn = (message: string): void => {
    if (!warnings.includes(message)) warnings.push(message);
  };
  // the evaluated points, to warm-start each new one from its nearest neighbour
  const points: { x: number; inner: Float64Array }[] = [{ x: profile.estimate, inner: profile.start }];
  const zeta = (x: number): number => {
    let near = points[0]!;
    for (const q of points) if (Math.abs(q.x - x) < Math.abs(near.x - x)) near = q;
    const r = profile.at(x, near.inner);
    points.push({ x, inner: r.inner });
    if (r.deviance < -1e-6) warn(`Profiling '${par.parameter}' found a deviance ${(-r.deviance).toPrecision(3)} below the ML optimum's; the fit may not have converged, and the interval may be too narrow.`);
    progress();
    return r.zeta;
  };
  if (profile.estimate === bound) return bound;
  // bracket: (x0, ζ0) inside, (x1, ζ1) the newest point
  let x0 = profile.estimate;
  let z0 = 0;
  let step = dir * profile.step;
  for (let iter = 0; iter < 60; iter++) {
    let x1 = x0 + step;
    if ((x1 - bound) * dir >= 0) x1 = bound;
    if (bound === 0 && par.kind === "sigma" && x1 <= 0) x1 = x0 / 2;
    const z1 = zeta(x1);
    if (Number.isNaN(z1)) break;
    if (dir * z1 >= z) return brent(zeta, x0, z0 - target, x1, z1 - target, target, Math.abs(x1) + Math.abs(profile.step));
    if (x1 === bound) return bound;
    if (dir * (z1 - z0) <= 0) {
      // flat (no secant): a longer step; turning back by more than rounding: a warning as well
      if (dir * (z1 - z0) < -1e-3) warn(`The profile of '${par.parameter}' is not monotone; its ${dir < 0 ? "lower" : "upper"} limit may be inaccurate.`);
      step *= 2;
    } else {
      // secant to the target, 5% beyond it so that the next point brackets the root; at most 10× the last step
      const next = ((x1 - x0) * (target - z1)) / (z1 - z0);
      step = dir * Math.min(Math.abs(next) * 1.05 + 1e-12 * Math.abs(x1), 10 * Math.abs(x1 - x0));
    }
    x0 = x1;
    z0 = z1;
  }
  warn(`The profile of '${par.parameter}' does not reach the ${dir < 0 ? "lower" : "upper"} limit; it is reported as NaN.`);
  return NaN;
}

/**
 * Brent's method (Brent 1973, "zeroin") for ζ(x) = target on [a, b] with g = ζ − target of opposite
 * signs at the ends, to an absolute tolerance of 1e-8 · scale.
 */
function brent(zeta: (x: number) => number, a: number, fa: number, b: number, fb: number, target: number, scale: number): number {
  const tol = 1e-8 * scale;
  let c = a;
  let fc = fa;
  let d = b - a;
  let e = d;
  for (let iter = 0; iter < 100; iter++) {
    if (Math.abs(fc) < Math.abs(fb)) {
      a = b;
      b = c;
      c = a;
      fa = fb;
      fb = fc;
      fc = fa;
    }
    const tol1 = 2 * Number.EPSILON * Math.abs(b) + 0.5 * tol;
    const m = 0.5 * (c - b);
    if (Math.abs(m) <= tol1 || fb === 0) return b;
    if (Math.abs(e) >= tol1 && Math.abs(fa) > Math.abs(fb)) {
      // inverse quadratic interpolation (secant when only two points differ)
      const s = fb / fa;
      let p: number;
      let q: number;
      if (a === c) {
        p = 2 * m * s;
        q = 1 - s;
      } else {
        const qq = fa / fc;
        const r = fb / fc;
        p = s * (2 * m * qq * (qq - r) - (b - a) * (r - 1));
        q = (qq - 1) * (r - 1) * (s - 1);
      }
      if (p > 0) q = -q;
      else p = -p;
      if (2 * p < Math.min(3 * m * q - Math.abs(tol1 * q), Math.abs(e * q))) {
        e = d;
        d = p / q;
      } else {
        d = m;
        e = m;
      }
    } else {
      d = m;
      e = m;
    }
    a = b;
    fa = fb;
    b += Math.abs(d) > tol1 ? d : m > 0 ? tol1 : -tol1;
    fb = zeta(b) - target;
    if ((fb > 0 && fc > 0) || (fb < 0 && fc < 0)) {
      c = a;
      fc = fa;
      d = b - a;
      e = d;
    }
  }
  return b;
}
