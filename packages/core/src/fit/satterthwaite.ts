import tCdf from "@stdlib/stats-base-dists-t-cdf";
import { EigenvalueDecomposition, Matrix } from "ml-matrix";
import type { ThetaDerivatives } from "./thetaDerivatives.js";

/** lmerTest's Satterthwaite quantities at the optimum, in the variance parameters φ = (θ, σ). */
export interface SatterthwaiteModel {
  varpar: number[];
  /** Asymptotic covariance of φ: 2 H⁻¹ (pseudo-inverse over positive eigenvalues), H the Hessian of the deviance in φ. */
  vcovVarpar: number[][];
  /** ∂vcov(β̂)/∂φ_k, p × p each. */
  jacobian: number[][][];
  /** vcov(β̂) = σ² V. */
  vcov: number[][];
  /** Eigenvalues of H not above 1e-6 (lmerTest warns that the model may not have converged). */
  nonPositiveEigenvalues: number;
}

/**
 * The deviance in φ (lmerTest's `devfun_vp`) is a(θ) + b(θ)/σ² + ν log(2πσ²) and vcov(β̂) = σ² V(θ),
 * so their σ-derivatives are analytic and the θ-derivatives come from `thetaDerivatives`.
 */
export function satterthwaiteModel(d: ThetaDerivatives, sigma: number, nu: number, p: number): SatterthwaiteModel {
  const k = d.theta.length;
  const s2 = sigma * sigma;
  const q = k + 1;
  const H: number[][] = Array.from({ length: q }, () => new Array<number>(q).fill(0));
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) H[i]![j] = d.aHess[i]![j]! + d.bHess[i]![j]! / s2;
    H[i]![k] = H[k]![i] = (-2 * d.bGrad[i]!) / (s2 * sigma);
  }
  H[k]![k] = (6 * d.b) / (s2 * s2) - (2 * nu) / s2;
  const vcovVarpar: number[][] = Array.from({ length: q }, () => new Array<number>(q).fill(0));
  const toMatrix = (a: ArrayLike<number>, f: number): number[][] => Array.from({ length: p }, (_, i) => Array.from({ length: p }, (__, j) => f * a[i * p + j]!));
  const jacobian = [...d.dV.map((dv) => toMatrix(dv, s2)), toMatrix(d.V, 2 * sigma)];
  const model = { varpar: [...d.theta, sigma], vcovVarpar, jacobian, vcov: toMatrix(d.V, s2), nonPositiveEigenvalues: 0 };
  if (H.some((row) => row.some((h) => !Number.isFinite(h)))) {
    // the derivatives could not be evaluated (the fit warns of that): no df rather than an eigen-solver failure
    for (const row of vcovVarpar) row.fill(NaN);
    model.nonPositiveEigenvalues = q;
    return model;
  }
  const eig = new EigenvalueDecomposition(new Matrix(H), { assumeSymmetric: true });
  const vectors = eig.eigenvectorMatrix;
  let nonPositive = 0;
  eig.realEigenvalues.forEach((ev, e) => {
    if (ev <= 1e-6) {
      nonPositive++;
      return;
    }
    for (let i = 0; i < q; i++) for (let j = 0; j < q; j++) vcovVarpar[i]![j]! += (2 * vectors.get(i, e) * vectors.get(j, e)) / ev;
  });
  model.nonPositiveEigenvalues = nonPositive;
  return model;
}

/** Satterthwaite degrees of freedom of a contrast L'β: ν = 2 (L'VL)² / g'Ag with g_k = L'J_kL. */
export function satterthwaiteDf(sm: SatterthwaiteModel, L: readonly number[]): number {
  const quad = (M: number[][]): number => {
    let s = 0;
    for (let i = 0; i < L.length; i++) for (let j = 0; j < L.length; j++) s += L[i]! * M[i]![j]! * L[j]!;
    return s;
  };
  const v = quad(sm.vcov);
  // ν = 2 / (g/v)'A(g/v): the same ratio without squaring v, which could leave the range of doubles
  const g = sm.jacobian.map((J) => quad(J) / v);
  let gAg = 0;
  for (let i = 0; i < g.length; i++) for (let j = 0; j < g.length; j++) gAg += g[i]! * sm.vcovVarpar[i]![j]! * g[j]!;
  return 2 / gAg;
}

/**
 * The warning for coefficients whose Satterthwaite df is not a positive finite number (the Hessian of
 * the deviance in the variance parameters gives nothing to go on), or null when there are none.
 */
export function satterthwaiteWarning(names: readonly string[], df: readonly number[]): string | null {
  const failed = names.filter((_, i) => !(df[i]! > 0 && Number.isFinite(df[i]!)));
  if (failed.length === 0) return null;
  return `Satterthwaite degrees of freedom could not be computed for ${failed.join(", ")}; do not rely on ${failed.length === 1 ? "its p-value" : "their p-values"}.`;
}

/** Two-sided p-value of a t statistic with ν degrees of freedom. */
export function tTestPValue(t: number, df: number): number {
  if (!Number.isFinite(t) || !(df > 0)) return NaN;
  return 2 * tCdf(-Math.abs(t), df);
}
