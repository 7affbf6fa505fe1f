/**
 * Profile-likelihood intervals of a generalized linear mixed model: lme4's
 * `confint(glmer, method = "profile")` (R/profile.R: `profile.merMod` with `devfun2` of a glmerMod,
 * `confint.thpr`).
 *
 * lme4 profiles the fit's own criterion (the Laplace approximation, or the quadrature's with nAGQ > 1)
 * over x = (s, β), s the random effects' SDs and correlations (θ = Sv_to_Cv(s), σ = 1): for a
 * parameter ψ held at x, every other parameter is re-optimized, u found by PIRLS at each point, and
 *   ζ(x) = sign(x − ψ̂) · √(D_min(x) − D̂).
 * The interval at level 1 − α is {x : |ζ(x)| ≤ z}, z = Φ⁻¹(1 − α/2). lme4 interpolates ζ with
 * splines; here the roots of ζ = ±z are found directly (as `profileIntervals` does for an LMM:
 * bracketed outward from ψ̂, then Brent's method), with the criterion the fit minimized.
 */
import { HlmError } from "../HlmError.js";
import { agqObjective } from "../glmm/agqObjective.js";
import { glmFamily } from "../glmm/families.js";
import type { GlmmFit } from "../glmm/GlmmFit.js";
import { laplaceObjective } from "../glmm/laplaceObjective.js";
import { makePirls } from "../glmm/pirls.js";
import type { Model } from "../model/Model.js";
import { thetaLayout } from "../model/thetaLayout.js";
import { glmmWaldIntervals, thetaToSdCor, type IntervalRow, type ParameterIntervals } from "./parameterIntervals.js";
import { makeSdCorIntoTheta, minimize, profileLimit, selectParameters, signedRoot, thetaScales, varianceKinds, type Profile, type ProfileOptions } from "./profileIntervals.js";
import { qnorm } from "./rRandom.js";

/**
 * lme4's `confint(fit, method = "profile", level, parm = which)` of a GLMM fit of `model` (built as
 * `fitGlmmModel`'s, with the fit's family and link): one row per selected parameter, variance
 * parameters first (SDs and correlations of the random effects), then the fixed effects.
 */
export function glmmProfileIntervals(model: Model, fit: GlmmFit, options: ProfileOptions = {}): ParameterIntervals {
  const level = options.level ?? 0.95;
  if (!(level > 0 && level < 1)) throw new HlmError("OPTIONS", `The confidence level must be between 0 and 1 (exclusive), not ${level}.`);
  if (model.n !== fit.nobs || model.p !== fit.fixef.length) {
    throw new HlmError("OPTIONS", "glmmProfileIntervals: the model and the fit do not belong together (different observations or fixed effects).");
  }
  const layout = thetaLayout(model.reTerms);
  const k = layout.size;
  const p = model.p;
  // the criterion as fitGlmmModel minimized it: PIRLS from the first stage's modes at θ̂
  const family = glmFamily(fit.family, fit.link);
  const pirls = makePirls(model, family);
  const start = pirls.joint(fit.theta);
  const lp0 = model.offset ? start.eta.map((v, t) => v - model.offset![t]!) : start.eta;
  const laplace = laplaceObjective(model, pirls, start.u, lp0);
  const objective = fit.nAGQ > 1 ? agqObjective(model, family, laplace, fit.nAGQ) : laplace;
  const x = new Float64Array(k + p);
  const deviance = objective.evaluate(Float64Array.from([...fit.theta, ...fit.fixef]));

  const parameters = glmmWaldIntervals(fit).rows.map(({ lower: _l, upper: _u, ...par }) => par);
  const selected = selectParameters(parameters, options.which);
  const z = qnorm((1 + level) / 2);
  const warnings: string[] = [];
  const rows: IntervalRow[] = [];
  const total = 2 * selected.length;
  let done = 0;
  const progress = (): void => {
    if (options.onProgress && options.onProgress(done, total) === false) throw new HlmError("CANCELLED", "The profile was cancelled.");
  };

  const sdcor = thetaToSdCor(layout, fit.theta, 1).subarray(0, k);
  const kinds = varianceKinds(layout).slice(0, k);
  const sdCorIntoTheta = makeSdCorIntoTheta(layout);
  const theta = new Float64Array(k);
  const s = new Float64Array(k);
  /** The criterion at the SDs and correlations s and fixed effects β. */
  const atSdCor = (beta: ArrayLike<number>): number => {
    if (!sdCorIntoTheta(s, 1, theta)) return Infinity;
    x.set(theta, 0);
    x.set(beta, k);
    const D = objective.evaluate(x);
    return Number.isFinite(D) ? D : Infinity;
  };
  const seScale = fit.se.map((v, j) => (v > 0 && Number.isFinite(v) ? v : Math.abs(fit.fixef[j]!) * 0.01 || 1));

  /** The profile of variance parameter i: s_i held, the other entries of s and β re-optimized. */
  const varianceProfile = (i: number): Profile => {
    const others = Array.from({ length: k }, (_, c) => c).filter((c) => c !== i);
    const m = others.length;
    const lower = Float64Array.from([...others.map((c) => (kinds[c] === "cor" ? -1 : 0)), ...new Array<number>(p).fill(-Infinity)]);
    const upper = Float64Array.from([...others.map((c) => (kinds[c] === "cor" ? 1 : Infinity)), ...new Array<number>(p).fill(Infinity)]);
    const sdScale = Math.max(...others.filter((c) => kinds[c] === "sd").map((c) => sdcor[c]!), sdcor[i]!, 0.1);
    const scales = Float64Array.from([...others.map((c) => (kinds[c] === "cor" ? 0.5 : Math.max(sdcor[c]!, 0.05 * sdScale))), ...seScale]);
    const f = (xi: number, y: Float64Array): number => {
      s[i] = xi;
      for (let j = 0; j < m; j++) s[others[j]!] = y[j]!;
      return atSdCor(y.subarray(m));
    };
    const estimate = sdcor[i]!;
    const kind = kinds[i]!;
    return {
      estimate,
      lower: kind === "cor" ? -1 : 0,
      upper: kind === "cor" ? 1 : Infinity,
      step: kind === "cor" ? 0.05 : estimate > 0 ? 0.1 * estimate : 0.1,
      start: Float64Array.from([...others.map((c) => sdcor[c]!), ...fit.fixef]),
      at(xi, y0) {
        const r = minimize((y) => f(xi, y), y0, lower, upper, scales);
        return { zeta: signedRoot(xi - estimate, r.fx - deviance), inner: r.x, deviance: r.fx - deviance };
      },
    };
  };

  /** The profile of fixed effect j: β_j held, θ and the other β re-optimized. */
  const fixedProfile = (j: number): Profile => {
    const lower = Float64Array.from([...layout.lower, ...new Array<number>(p - 1).fill(-Infinity)]);
    const scales = Float64Array.from([...thetaScales(fit.theta), ...seScale.filter((_, c) => c !== j)]);
    const f = (b: number, y: Float64Array): number => {
      x.set(y.subarray(0, k), 0);
      for (let c = 0, q = k; c < p; c++) x[k + c] = c === j ? b : y[q++]!;
      const D = objective.evaluate(x);
      return Number.isFinite(D) ? D : Infinity;
    };
    const estimate = fit.fixef[j]!;
    return {
      estimate,
      lower: -Infinity,
      upper: Infinity,
      step: seScale[j]!,
      start: Float64Array.from([...fit.theta, ...fit.fixef.filter((_, c) => c !== j)]),
      at(b, y0) {
        const r = minimize((y) => f(b, y), y0, lower, null, scales);
        return { zeta: signedRoot(b - estimate, r.fx - deviance), inner: r.x, deviance: r.fx - deviance };
      },
    };
  };

  for (const idx of selected) {
    const par = parameters[idx]!;
    const profile = idx < k ? varianceProfile(idx) : fixedProfile(idx - k);
    const limits = ([-1, 1] as const).map((dir) => {
      const limit = profileLimit(profile, dir, z, { ...par, parameter: par.parameter }, warnings, progress);
      done++;
      progress();
      return limit;
    });
    rows.push({ ...par, lower: limits[0]!, upper: limits[1]! });
  }
  return { method: "profile", level, rows, warnings };
}
