/**
 * The ICC and Nakagawa's R² of a generalized linear mixed model on the latent scale, as
 * performance 0.10.2's `icc()` and `r2_nakagawa()` compute them through insight 0.19.0's
 * `get_variance()` for a binomial (logit, probit, cloglog) or Poisson (log) `glmer` fit:
 *
 * - σ²_f, the fixed effects': R's `var(X β̂)` over the rows (X without the offset).
 * - σ²_r, the random effects': per grouping factor with fewer levels than rows, the mean over rows of
 *   x_i' Σ x_i, where x_i holds the term's columns *taken from the fixed-effects matrix X by name*
 *   (an intercept added when X has none; a random slope absent from X is left out), as insight does.
 * - σ²_d, the distribution-specific variance: π²/3 (logit), 1 (probit), π²/6 (cloglog); for a Poisson
 *   model log(1 + 1/μ) (the lognormal approximation), μ = exp(β₀) with β₀ the intercept of the null
 *   model, the model refitted with the intercept alone and the same random effects, offset, weights
 *   and quadrature (insight's `null_model`), with insight's warning when μ < 6.
 * - σ²_e, the dispersion: the variance of observation-level random effects (a grouping factor with
 *   a level per row), else 0. The residual variance is σ²_d + σ²_e.
 *
 * ICC adjusted = σ²_r / (σ²_r + σ²_res), unadjusted = σ²_r / (σ²_f + σ²_r + σ²_res); R² marginal =
 * σ²_f / (σ²_f + σ²_r + σ²_res), conditional = (σ²_f + σ²_r) / (…). With a variance component at 0
 * (a diagonal θ below 1e-5) insight gives no σ²_r: the ICCs and the conditional R² are then null (R's
 * NA) and the marginal R² is σ²_f / (σ²_f + σ²_res), as performance gives them, with its warning.
 */
import { HlmError } from "../HlmError.js";
import { fitGlmmModel } from "../glmm/fitGlmm.js";
import type { GlmmFit } from "../glmm/GlmmFit.js";
import type { Model } from "../model/Model.js";
import { thetaLayout } from "../model/thetaLayout.js";
import { sampleVariance } from "./effectSizes.js";

/** The latent-scale variance decomposition of a GLMM and the ICC and R² built from it; null where performance gives NA. */
export interface GlmmEffectSizes {
  family: GlmmFit["family"];
  link: GlmmFit["link"];
  varFixed: number;
  /** null when a variance component is 0 (insight gives none). */
  varRandom: number | null;
  /** σ²_d + σ²_e. */
  varResidual: number;
  varDistribution: number;
  varDispersion: number;
  /** A Poisson model's null-model intercept β₀ (μ = exp β₀ in σ²_d); null for a binomial model. */
  nullIntercept: number | null;
  iccAdjusted: number | null;
  iccUnadjusted: number | null;
  r2Marginal: number;
  r2Conditional: number | null;
  /** insight's and performance's warnings, as they word them. */
  warnings: string[];
}

/** Options: the null model's fit for a Poisson model, when it is at hand (else it is fitted). */
export interface GlmmEffectSizesOptions {
  nullFit?: GlmmFit;
}

/** performance::icc(m) and r2_nakagawa(m) of a GLMM fit of `model`. */
export function glmmEffectSizes(model: Model, fit: GlmmFit, options: GlmmEffectSizesOptions = {}): GlmmEffectSizes {
  const { n, p, X, reTerms } = model;
  if (n !== fit.nobs || p !== fit.fixef.length || reTerms.length !== fit.varcorr.length) {
    throw new HlmError("OPTIONS", "glmmEffectSizes: the model and the fit do not belong together (different observations, fixed effects or random-effects terms).");
  }
  if (reTerms.length === 0) throw new HlmError("OPTIONS", "glmmEffectSizes: the model has no random effects, so there is no ICC or R² of Nakagawa's.");
  const warnings: string[] = [];

  // σ²_f: var(X β̂)
  const eta = new Float64Array(n);
  for (let j = 0; j < p; j++) for (let i = 0; i < n; i++) eta[i] = eta[i]! + fit.fixef[j]! * X[j * n + i]!;
  const varFixed = sampleVariance(eta);

  // σ²_r and σ²_e: each grouping factor's first term (insight matches VarCorr's names to ranef's), with its columns from X
  const column = (name: string): Float64Array | null => {
    const j = fit.fixefNames.indexOf(name);
    if (j >= 0) return X.subarray(j * n, (j + 1) * n);
    return name === "(Intercept)" ? new Float64Array(n).fill(1) : null;
  };
  const seen = new Set<string>();
  let varRandom = 0;
  let varDispersion = 0;
  fit.varcorr.forEach((vc, k) => {
    if (seen.has(vc.group)) return;
    seen.add(vc.group);
    const kept = vc.names.map((nm, a) => [a, column(nm)] as const).filter((x): x is readonly [number, Float64Array] => x[1] !== null);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      for (const [a, za] of kept) for (const [b, zb] of kept) sum += za[i]! * vc.covariance[a]![b]! * zb[i]!;
    }
    if (reTerms[k]!.nl === n) varDispersion += sum / n;
    else varRandom += sum / n;
  });
  if (fit.varcorr.some((vc) => vc.names.some((nm) => column(nm) === null))) {
    warnings.push("Random slopes not present as fixed effects. This artificially inflates the conditional ICC. Solution: Respecify fixed structure!");
  }
  const layout = thetaLayout(reTerms);
  const singular = fit.theta.some((t, i) => layout.lower[i] === 0 && Math.abs(t) < 1e-5);
  if (singular) {
    warnings.push("Can't compute random effect variances. Some variance components equal zero. Your model may suffer from singularity (see `?lme4::isSingular` and `?performance::check_singularity`). Solution: Respecify random structure! You may also decrease the `tolerance` level to enforce the calculation of random effect variances.");
  }

  // σ²_d
  let varDistribution: number;
  let nullIntercept: number | null = null;
  if (fit.family === "binomial") {
    varDistribution = fit.link === "logit" ? Math.PI ** 2 / 3 : fit.link === "probit" ? 1 : Math.PI ** 2 / 6;
  } else {
    const nullFit = options.nullFit ?? fitGlmmModel(nullModel(model), { family: fit.family, link: fit.link, nAGQ: fit.nAGQ });
    nullIntercept = nullFit.fixef[0]!;
    const mu = Math.exp(nullIntercept);
    if (mu < 6) warnings.push(`mu of ${mu.toFixed(1)} is too close to zero, estimate of random effect variances may be unreliable.`);
    varDistribution = Math.log1p(1 / mu); // log(1 + V(μ)/μ²), V(μ) = μ
  }
  const varResidual = varDistribution + varDispersion;

  const random = singular ? null : varRandom;
  const total = random === null ? varFixed + varResidual : varFixed + random + varResidual;
  return {
    family: fit.family,
    link: fit.link,
    varFixed,
    varRandom: random,
    varResidual,
    varDistribution,
    varDispersion,
    nullIntercept,
    iccAdjusted: random === null ? null : random / (random + varResidual),
    iccUnadjusted: random === null ? null : random / total,
    r2Marginal: varFixed / total,
    r2Conditional: random === null ? null : (varFixed + random) / total,
    warnings,
  };
}

/** The model with the intercept alone as its fixed effects (insight's `null_model`: the same rows, random effects, offset and weights). */
export function nullModel(model: Model): Model {
  const bar = model.formula.indexOf("~");
  // the formula as a label: `y ~ (1 | g) + (0 + x | h)` from the terms' columns
  const random = model.reTerms
    .map((t) => {
      const cols = t.columnNames.map((c) => (c === "(Intercept)" ? "1" : c));
      return `(${cols.includes("1") ? "" : "0 + "}${cols.join(" + ")} | ${t.group})`;
    })
    .join(" + ");
  return {
    ...model,
    formula: bar >= 0 ? `${model.formula.slice(0, bar).trim()} ~ ${random}` : model.formula,
    p: 1,
    X: new Float64Array(model.n).fill(1),
    xNames: ["(Intercept)"],
    droppedColumns: [],
  };
}

