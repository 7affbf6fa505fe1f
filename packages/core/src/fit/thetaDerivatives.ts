import type { ProfiledDeviance } from "../objective/ProfiledDeviance.js";

/**
 * Derivatives in θ, at one θ, of the pieces of the objective: a(θ) = log|L_θ|² (+ log|R_X|² for
 * REML) − log|W| (which varies with a residual structure's parameters), b(θ) = r²(θ) (the pwrss) and V(θ) = (R_X'R_X)⁻¹. Every derivative that the fit needs
 * after the optimum comes from these (σ enters analytically): lme4's convergence check on the
 * profiled objective and lmerTest's Satterthwaite df on the deviance in (θ, σ).
 */
export interface ThetaDerivatives {
  theta: number[];
  a: number;
  aGrad: number[];
  aHess: number[][];
  b: number;
  bGrad: number[];
  bHess: number[][];
  /** V = (R_X'R_X)⁻¹, p × p row-major, and ∂V/∂θ_i. */
  V: Float64Array;
  dV: Float64Array[];
  /** Objective evaluations used. */
  evaluations: number;
}

/**
 * Central differences with steps h_i = max(1e-3 |θ_i|, 1e-4); off-diagonal second derivatives from
 * f(θ + h_i e_i + h_j e_j) and f(θ − h_i e_i − h_j e_j), as numDeriv's genD. k(k+1) + 1 evaluations
 * for k parameters. (numDeriv adds Richardson extrapolation; without it the Satterthwaite df still
 * agree with lmerTest's within the conformance tolerance on every reference, at half the evaluations.)
 */
export function thetaDerivatives(objective: ProfiledDeviance, thetaIn: readonly number[]): ThetaDerivatives {
  const k = thetaIn.length;
  const p = objective.p;
  const REML = objective.REML;
  const theta = Float64Array.from(thetaIn);
  const x = new Float64Array(k);
  let evaluations = 0;
  const evalAt = (V?: Float64Array): [number, number] => {
    evaluations++;
    const r = objective.pieces(x, V);
    return [r.ldL2 + (REML ? r.ldRX2 : 0) - r.logDetW, r.pwrss];
  };
  x.set(theta);
  const V = new Float64Array(p * p);
  const [a0, b0] = evalAt(V);
  const h = Array.from(theta, (t) => Math.max(1e-3 * Math.abs(t), 1e-4));

  type Step = { g: number[][]; d2: number[][]; off: number[][][]; dV: Float64Array[] };
  const step = (): Step => {
    const g = [new Array<number>(k), new Array<number>(k)];
    const d2 = [new Array<number>(k), new Array<number>(k)];
    const dV: Float64Array[] = [];
    const Vp = new Float64Array(p * p);
    const Vm = new Float64Array(p * p);
    for (let i = 0; i < k; i++) {
      x.set(theta);
      x[i] = theta[i]! + h[i]!;
      const fp = evalAt(Vp);
      x[i] = theta[i]! - h[i]!;
      const fm = evalAt(Vm);
      for (let c = 0; c < 2; c++) {
        g[c]![i] = (fp[c]! - fm[c]!) / (2 * h[i]!);
        d2[c]![i] = (fp[c]! - 2 * (c === 0 ? a0 : b0) + fm[c]!) / (h[i]! * h[i]!);
      }
      const d = new Float64Array(p * p);
      for (let e = 0; e < p * p; e++) d[e] = (Vp[e]! - Vm[e]!) / (2 * h[i]!);
      dV.push(d);
    }
    const off = [0, 1].map(() => Array.from({ length: k }, () => new Array<number>(k).fill(0)));
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < i; j++) {
        x.set(theta);
        x[i] = theta[i]! + h[i]!;
        x[j] = theta[j]! + h[j]!;
        const fpp = evalAt();
        x[i] = theta[i]! - h[i]!;
        x[j] = theta[j]! - h[j]!;
        const fmm = evalAt();
        for (let c = 0; c < 2; c++) {
          const f0 = c === 0 ? a0 : b0;
          const v = (fpp[c]! - 2 * f0 + fmm[c]! - h[i]! * h[i]! * d2[c]![i]! - h[j]! * h[j]! * d2[c]![j]!) / (2 * h[i]! * h[j]!);
          off[c]![i]![j] = v;
          off[c]![j]![i] = v;
        }
      }
    }
    return { g, d2, off, dV };
  };
  const s1 = step();
  const hess = (c: number): number[][] => Array.from({ length: k }, (_, i) => Array.from({ length: k }, (__, j) => (i === j ? s1.d2[c]![i]! : s1.off[c]![i]![j]!)));
  return { theta: [...theta], a: a0, aGrad: s1.g[0]!, aHess: hess(0), b: b0, bGrad: s1.g[1]!, bHess: hess(1), V, dV: s1.dV, evaluations };
}
