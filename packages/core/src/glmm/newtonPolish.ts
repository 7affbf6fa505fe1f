import { CholeskyDecomposition, Matrix } from "ml-matrix";
import type { Objective } from "../objective/Objective.js";
import { finiteHessian } from "./finiteHessian.js";

/**
 * Newton steps from an optimizer's end point on the finite-difference gradient and Hessian (lme4's
 * `deriv12`): x ← x − H⁻¹g while that lowers f and stays inside the bounds (at most `maxSteps`). Where
 * the criterion is flat along a ridge (correlated fixed effects), BOBYQA's trust region stops a few
 * 1e-3 standard errors short of the optimum; one or two Newton steps reach it. Returns the point, its
 * value, the Hessian there (for the vcov) and the evaluations used. The differences step across a
 * bound, as lme4's do in glmer (θ = 0 and θ = −δ give the same criterion).
 */
export function newtonPolish(objective: Objective, x0: ArrayLike<number>, f0: number, maxSteps = 3): { x: number[]; fx: number; hessian: number[][]; evaluations: number } {
  const f = (z: ArrayLike<number>): number => objective.evaluate(z);
  const lower = objective.layout.lower;
  let x = Array.from(x0);
  let fx = f0;
  let evaluations = 0;
  const counted = (z: Float64Array): number => {
    evaluations++;
    return f(z);
  };
  let d = finiteHessian(counted, x, fx);
  for (let step = 0; step < maxSteps; step++) {
    if (!d.hessian.every((r) => r.every(Number.isFinite)) || !d.gradient.every(Number.isFinite)) break;
    const H = new Matrix(d.hessian);
    const chol = new CholeskyDecomposition(H);
    if (!chol.isPositiveDefinite()) break;
    const delta = chol.solve(Matrix.columnVector(d.gradient)).to1DArray();
    const next = x.map((v, i) => v - delta[i]!);
    // a step that would leave the bounds (or come within the difference step of them) is not taken
    if (next.some((v, i) => Number.isFinite(lower[i]!) && v - 1e-4 < lower[i]!)) break;
    const fn = counted(Float64Array.from(next));
    if (!(fn < fx)) break;
    x = next;
    fx = fn;
    d = finiteHessian(counted, x, fx);
  }
  return { x, fx, hessian: d.hessian, evaluations };
}
