import type { ThetaDerivatives } from "./thetaDerivatives.js";

/** lme4's convergence statistics at the optimum, on the profiled objective f(θ). */
export interface ConvergenceCheck {
  /** ∇f(θ̂). */
  gradient: number[];
  /** ∇²f(θ̂). */
  hessian: number[][];
  /** max over components of min(|scaled gradient|, |gradient|), the scaled gradient being solve(chol(H), g). */
  maxGradient: number;
  /** lme4's warning, when there is one. */
  warning?: string;
}

/**
 * lme4's checkConv at θ̂. The profiled objective is f = a + ν(1 + log(2π b/ν)) (ν = n, or n − p
 * for REML), so its derivatives follow from those of a and b.
 */
export function checkConvergence(d: ThetaDerivatives, nu: number, lower: ArrayLike<number>, tol = 0.002): ConvergenceCheck {
  const k = d.theta.length;
  const g = d.aGrad.map((ga, i) => ga + (nu * d.bGrad[i]!) / d.b);
  const H = d.aHess.map((row, i) => row.map((ha, j) => ha + nu * (d.bHess[i]![j]! / d.b - (d.bGrad[i]! * d.bGrad[j]!) / (d.b * d.b))));
  // chol(H) = R (upper), R'R = H; scaled gradient s solves R s = g
  const L = new Float64Array(k * k);
  let pd = true;
  for (let i = 0; i < k && pd; i++) {
    for (let j = 0; j <= i; j++) {
      let s = H[i]![j]!;
      for (let m = 0; m < j; m++) s -= L[i * k + m]! * L[j * k + m]!;
      if (i === j) {
        if (!(s > 0)) pd = false;
        else L[i * k + i] = Math.sqrt(s);
      } else L[i * k + j] = s / L[j * k + j]!;
    }
  }
  const absG = g.map(Math.abs);
  if (absG.some((v) => !Number.isFinite(v))) return { gradient: g, hessian: H, maxGradient: NaN, warning: "The gradient at the optimum could not be evaluated." };
  if (!pd) {
    // at a boundary (singular) fit the Hessian is expected to be semi-definite; judge the raw gradient
    const atBoundary = d.theta.some((v, i) => lower[i] === 0 && v === 0);
    const maxGradient = Math.max(...absG);
    if (atBoundary || maxGradient < tol) return { gradient: g, hessian: H, maxGradient };
    return { gradient: g, hessian: H, maxGradient, warning: "Model failed to converge: the Hessian of the objective at the optimum is not positive definite." };
  }
  const s = Float64Array.from(g);
  for (let i = k - 1; i >= 0; i--) {
    let v = s[i]!;
    for (let j = i + 1; j < k; j++) v -= L[j * k + i]! * s[j]!;
    s[i] = v / L[i * k + i]!;
  }
  let maxGradient = 0;
  for (let i = 0; i < k; i++) maxGradient = Math.max(maxGradient, Math.min(Math.abs(s[i]!), absG[i]!));
  return maxGradient > tol
    ? { gradient: g, hessian: H, maxGradient, warning: `Model failed to converge with max|grad| = ${maxGradient.toPrecision(6)} (tol = ${tol}).` }
    : { gradient: g, hessian: H, maxGradient };
}
