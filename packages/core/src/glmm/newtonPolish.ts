import { CholeskyDecomposition, Matrix } from "ml-matrix";
import type { Objective } from "../objective/Objective.js";
import { centralGradient, finiteHessian } from "./finiteHessian.js";

/**
 * Newton steps from an optimizer's end point on lme4's finite-difference derivatives (`deriv12`):
 * the Hessian H once at the start, then x ← x − H⁻¹g with the central-difference gradient g at each
 * new point, while a step lowers f by more than 1e-9 and stays inside the bounds (at most
 * `maxSteps`). Where the criterion is flat along a ridge (correlated fixed effects), BOBYQA's trust
 * region stops a few 1e-3 standard errors short of the optimum; one or two Newton steps reach it.
 * Returns the point, its value, the Hessian (for the vcov: the start's, or recomputed at the end
 * when the steps moved x by more than a tenth of a standard error, f by more than 1e-2) and the
 * evaluations used. The differences step across a bound, as lme4's do in glmer (θ = 0 and θ = −δ
 * give the same criterion).
 */
export function newtonPolish(objective: Objective, x0: ArrayLike<number>, f0: number, maxSteps = 3): { x: number[]; fx: number; hessian: number[][]; evaluations: number } {
  const lower = objective.layout.lower;
  let x = Array.from(x0);
  let fx = f0;
  let evaluations = 0;
  const counted = (z: Float64Array): number => {
    evaluations++;
    return objective.evaluate(z);
  };
  const first = finiteHessian(counted, x, fx);
  let gradient = first.gradient;
  const H = first.hessian;
  const chol = H.every((r) => r.every(Number.isFinite)) ? new CholeskyDecomposition(new Matrix(H)) : null;
  let moved = 0;
  for (let step = 0; step < maxSteps && chol?.isPositiveDefinite() && gradient.every(Number.isFinite); step++) {
    const delta = chol.solve(Matrix.columnVector(gradient)).to1DArray();
    const next = x.map((v, i) => v - delta[i]!);
    // a step that would leave the bounds (or come within the difference step of them) is not taken
    if (next.some((v, i) => Number.isFinite(lower[i]!) && v - 1e-4 < lower[i]!)) break;
    const fn = counted(Float64Array.from(next));
    if (!(fn < fx)) break;
    const gain = fx - fn;
    moved += gain;
    x = next;
    fx = fn;
    if (gain < 1e-9) break;
    gradient = centralGradient(counted, x);
  }
  const hessian = moved > 1e-2 ? finiteHessian(counted, x, fx).hessian : H;
  return { x, fx, hessian, evaluations };
}
