import { CholeskyDecomposition, Matrix } from "ml-matrix";
import type { Objective } from "../objective/Objective.js";
import { centralGradient, finiteHessian } from "./finiteHessian.js";

/**
 * Newton steps from an optimizer's end point on lme4's finite-difference derivatives (`deriv12`):
 * x ← x − H⁻¹g while a step lowers f and stays inside the bounds (at most `maxSteps`; a step that
 * gains less than 1e-12 is the last), with the central-difference gradient g at each new point and
 * the Hessian H formed again only after a step that gains more than 1e-2 (about a tenth of a
 * standard error). Where the criterion is flat along a ridge (correlated fixed effects), BOBYQA's
 * trust region stops a few 1e-3 standard errors short of the optimum; one or two Newton steps reach
 * it. Returns the point, its value, the gradient there (for lme4's convergence check), the last
 * Hessian (the vcov's) and the evaluations used. The differences step across a bound, as lme4's do
 * in glmer (θ = 0 and θ = −δ give the same criterion).
 */
export function newtonPolish(objective: Objective, x0: ArrayLike<number>, f0: number, maxSteps = 4): { x: number[]; fx: number; gradient: number[]; hessian: number[][]; evaluations: number; decrement: number } {
  const lower = objective.layout.lower;
  let x = Array.from(x0);
  let fx = f0;
  let evaluations = 0;
  const counted = (z: Float64Array): number => {
    evaluations++;
    return objective.evaluate(z);
  };
  let { gradient, hessian } = finiteHessian(counted, x, fx);
  let fAtHessian = fx;
  for (let step = 0; step < maxSteps; step++) {
    if (!hessian.every((r) => r.every(Number.isFinite)) || !gradient.every(Number.isFinite)) break;
    const chol = new CholeskyDecomposition(new Matrix(hessian));
    if (!chol.isPositiveDefinite()) break;
    const delta = chol.solve(Matrix.columnVector(gradient)).to1DArray();
    // a step that would leave the bounds (or come within the difference step of them) is not taken;
    // one that does not lower f is tried at half its length (the criterion is flat only to PIRLS's tolerance)
    let next: number[] = [];
    let fn = Infinity;
    for (const scale of [1, 0.5]) {
      next = x.map((v, i) => v - scale * delta[i]!);
      if (next.some((v, i) => Number.isFinite(lower[i]!) && v - 1e-4 < lower[i]!)) break;
      fn = counted(Float64Array.from(next));
      if (fn < fx) break;
    }
    if (!(fn < fx)) break;
    const gain = fx - fn;
    x = next;
    fx = fn;
    if (gain > 1e-2) {
      ({ gradient, hessian } = finiteHessian(counted, x, fx));
      fAtHessian = fx;
    }
    else gradient = centralGradient(counted, x);
    if (gain < 1e-12) break;
  }
  // the vcov's Hessian from a point within 1e-5 of the end in f (a few thousandths of a standard error)
  if (fAtHessian - fx > 1e-5) ({ gradient, hessian } = finiteHessian(counted, x, fx));
  return { x, fx, gradient, hessian, evaluations, decrement: newtonDecrement(hessian, gradient) };
}

/** g'H⁻¹g, twice the gain a Newton step promises (Infinity where H is not positive definite). */
export function newtonDecrement(hessian: number[][], gradient: number[]): number {
  if (!hessian.every((r) => r.every(Number.isFinite)) || !gradient.every(Number.isFinite)) return Infinity;
  const chol = new CholeskyDecomposition(new Matrix(hessian));
  if (!chol.isPositiveDefinite()) return Infinity;
  const delta = chol.solve(Matrix.columnVector(gradient)).to1DArray();
  return delta.reduce((acc, d, i) => acc + d * gradient[i]!, 0);
}
