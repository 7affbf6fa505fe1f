import tCdf from "@stdlib/stats-base-dists-t-cdf";
import { EigenvalueDecomposition, Matrix } from "ml-matrix";
import type { Model } from "./buildModel.js";
import { invertLower } from "./denseCholesky.js";
import type { Objective } from "./makeObjective.js";
import { hessian, jacobian } from "./numDeriv.js";

/** Satterthwaite's approximation (lmerTest) at the optimum: covariance of the variance parameters and ∂vcov(β̂)/∂φ. */
export interface SatterthwaiteModel {
  /** φ = (θ, σ): the variance parameters, lmerTest's `varpar`. */
  varpar: number[];
  /** Asymptotic covariance of φ: 2 H⁻¹, H the Hessian of the unprofiled deviance in φ. */
  vcovVarpar: number[][];
  /** Jacobian of vcov(β̂) with respect to each φ_k (p × p each). */
  jacobian: number[][][];
  /** vcov(β̂) at φ̂. */
  vcov: number[][];
  /** Number of eigenvalues of H that were not positive (the model may not have converged). */
  nonPositiveEigenvalues: number;
}

/** The unprofiled deviance in φ = (θ, σ) (lmerTest's `devfun_vp`), and vcov(β̂) as a function of φ (`get_covbeta`). */
function varparFunctions(objective: Objective, REML: boolean) {
  const { n, p } = objective;
  const k = objective.layout.size;
  const deviance = (varpar: Float64Array): number => {
    const sigma2 = varpar[k]! ** 2;
    const fac = objective.factorize(varpar.subarray(0, k), REML);
    let dev = fac.ldL2 + fac.pwrss / sigma2 + n * Math.log(2 * Math.PI * sigma2);
    if (REML) dev += fac.ldRX2 - p * Math.log(2 * Math.PI * sigma2);
    return dev;
  };
  const covBeta = (varpar: Float64Array): Float64Array => {
    const sigma2 = varpar[k]! ** 2;
    const fac = objective.factorize(varpar.subarray(0, k), REML);
    const { m, qRest } = objective.cross;
    const LXX = new Float64Array(p * p);
    for (let i = 0; i < p; i++) for (let j = 0; j <= i; j++) LXX[i * p + j] = fac.LRR[(qRest + i) * m + qRest + j]!;
    const Li = invertLower(LXX, p);
    const out = new Float64Array(p * p);
    for (let i = 0; i < p; i++) {
      for (let j = 0; j < p; j++) {
        let s = 0;
        for (let q = Math.max(i, j); q < p; q++) s += Li[q * p + i]! * Li[q * p + j]!;
        out[i * p + j] = sigma2 * s;
      }
    }
    return out;
  };
  return { deviance, covBeta };
}

/** Builds lmerTest's Satterthwaite quantities at the fitted θ̂ and σ̂. */
export function satterthwaiteModel(model: Model, objective: Objective, theta: readonly number[], sigma: number): SatterthwaiteModel {
  const { deviance, covBeta } = varparFunctions(objective, model.REML);
  const varpar = [...theta, sigma];
  const H = hessian(deviance, varpar);
  const eig = new EigenvalueDecomposition(new Matrix(H.map((r) => Array.from(r))), { assumeSymmetric: true });
  const values = eig.realEigenvalues;
  const vectors = eig.eigenvectorMatrix;
  const tol = 1e-6;
  const q = varpar.length;
  const vcovVarpar: number[][] = Array.from({ length: q }, () => new Array<number>(q).fill(0));
  let nonPositive = 0;
  values.forEach((ev, e) => {
    if (ev <= tol) {
      nonPositive++;
      return;
    }
    for (let i = 0; i < q; i++) for (let j = 0; j < q; j++) vcovVarpar[i]![j]! += (2 * vectors.get(i, e) * vectors.get(j, e)) / ev;
  });
  const p = objective.p;
  const jac = jacobian(covBeta, varpar).map((d) => Array.from({ length: p }, (_, i) => Array.from(d.subarray(i * p, (i + 1) * p))));
  const v = covBeta(Float64Array.from(varpar));
  const vcov = Array.from({ length: p }, (_, i) => Array.from(v.subarray(i * p, (i + 1) * p)));
  return { varpar, vcovVarpar, jacobian: jac, vcov, nonPositiveEigenvalues: nonPositive };
}

/** Satterthwaite degrees of freedom of a contrast L'β (ν = 2 (L'VL)² / g'Ag, g_k = L'J_kL). */
export function satterthwaiteDf(sm: SatterthwaiteModel, L: readonly number[]): number {
  const quad = (M: number[][]): number => {
    let s = 0;
    for (let i = 0; i < L.length; i++) for (let j = 0; j < L.length; j++) s += L[i]! * M[i]![j]! * L[j]!;
    return s;
  };
  const v = quad(sm.vcov);
  const g = sm.jacobian.map(quad);
  let gAg = 0;
  for (let i = 0; i < g.length; i++) for (let j = 0; j < g.length; j++) gAg += g[i]! * sm.vcovVarpar[i]![j]! * g[j]!;
  return (2 * v * v) / gAg;
}

/** Two-sided p-value of a t statistic with ν degrees of freedom. */
export function tTestPValue(t: number, df: number): number {
  if (!Number.isFinite(t) || !(df > 0)) return NaN;
  return 2 * tCdf(-Math.abs(t), df);
}
