import { CholeskyDecomposition, Matrix } from "ml-matrix";
import type { Objective } from "../objective/Objective.js";
import { centralGradient, finiteHessian, seededHessian } from "./finiteHessian.js";

/**
 * Newton steps from an optimizer's end point on lme4's finite-difference derivatives (`deriv12`):
 * x ← x − H⁻¹g while a step lowers f and stays inside the bounds (at most `maxSteps`), until the
 * Newton decrement g'H⁻¹g falls below 1e-8 (the optimum within 5e-9 in f, 7e-5 standard errors).
 * After each step H is carried by the BFGS update from the central-difference gradient at the new
 * point (2n evaluations); lme4's full finite-difference Hessian (n² + n evaluations) is formed again
 * when a step gains less than 1e-3 further than 1e-5 in f from the last one, and where the model
 * converges or fails with none that near.
 *
 * `first`: the first Hessian, lme4's full one (`"full"`), from one-sided pairs (`"rough"`,
 * `finiteHessian`'s `oneSided`) or with its β block given (`{ betaBlock }`, `seededHessian`), for a
 * start far from the optimum. `deltas`: the gradients' difference step per parameter, smaller than
 * lme4's 1e-4 for a β whose column of X is large (where 1e-4 moves η far and the central difference
 * errs by f'''δ²); the Hessian stays lme4's.
 *
 * Where the criterion is flat along a ridge (correlated fixed effects), BOBYQA's trust region stops a
 * few 1e-3 standard errors short of the optimum; one or two Newton steps reach it. Returns the point,
 * its value, the gradient there (for lme4's convergence check), the last full Hessian (the vcov's,
 * from a point within 1e-5 of the end in f) and the evaluations used. The differences step across a
 * bound, as lme4's do in glmer (θ = 0 and θ = −δ give the same criterion).
 */
export function newtonPolish(
  objective: Objective,
  x0: ArrayLike<number>,
  f0: number,
  maxSteps = 4,
  first: "full" | "rough" | { betaBlock: number[][] } = "full",
  deltas?: ArrayLike<number>,
): { x: number[]; fx: number; gradient: number[]; hessian: number[][]; evaluations: number; decrement: number } {
  const lower = objective.layout.lower;
  let x = Array.from(x0);
  let fx = f0;
  let evaluations = 0;
  const counted = (z: Float64Array): number => {
    evaluations++;
    return objective.evaluate(z);
  };
  let { gradient, hessian: model } = typeof first === "object" ? seededHessian(counted, x, fx, first.betaBlock) : finiteHessian(counted, x, fx, undefined, 1e-4, first === "rough");
  /** The last full Hessian and f where it was taken (NaN: none yet). */
  let hessian = model;
  let fAtFull = first === "full" ? fx : NaN;
  const nearFull = (): boolean => fAtFull - fx <= 1e-5;
  /** Parameters whose gradient the steps take with a smaller difference step than lme4's 1e-4. */
  const finer = (j: number): boolean => deltas !== undefined && deltas[j]! < 1e-4;
  /** The central-difference gradient at x, each parameter at its own step. */
  const gradientAt = (): number[] => centralGradient(counted, x, deltas ?? 1e-4);
  /** lme4's full derivatives at x: the gradient (its finer components again at their steps) and the Hessian, which the steps then use. */
  const full = (): void => {
    ({ gradient, hessian } = finiteHessian(counted, x, fx));
    if (deltas && Array.from(deltas).some((d) => d < 1e-4)) {
      const fine = centralGradient(counted, x, deltas, finer);
      gradient = gradient.map((g, j) => (finer(j) ? fine[j]! : g));
    }
    model = hessian;
    fAtFull = fx;
  };
  for (let step = 0; step < maxSteps; ) {
    const delta = newtonStep(model, gradient);
    if (!delta || !(newtonDecrement(model, gradient) >= 1e-8)) {
      // converged (or no descent direction): with a full Hessian near here that is the end (where the
      // model has no descent direction, its full Hessian is tried first); otherwise take one and look again
      if (nearFull()) {
        if (!delta && model !== hessian) {
          model = hessian;
          continue;
        }
        break;
      }
      full();
      continue;
    }
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
    step++;
    if (!(fn < fx)) {
      if (nearFull()) {
        if (model === hessian) break;
        model = hessian;
        continue;
      }
      full();
      continue;
    }
    const gain = fx - fn;
    const s = next.map((v, i) => v - x[i]!);
    x = next;
    fx = fn;
    if (gain > 1e-3 || nearFull()) {
      // the model learns the curvature along the step: where the finite-difference Hessian overstates
      // it (a nearly flat ridge), the next decrement is larger and the steps go on
      const g = gradientAt();
      model = bfgsUpdate(model, s, g.map((v, i) => v - gradient[i]!));
      gradient = g;
    } else full();
    if (gain < 1e-12) break;
  }
  if (!nearFull()) full();
  return { x, fx, gradient, hessian, evaluations, decrement: newtonDecrement(hessian, gradient) };
}

/** g'H⁻¹g, twice the gain a Newton step promises (Infinity where H is not positive definite). */
function newtonDecrement(hessian: number[][], gradient: number[]): number {
  const delta = newtonStep(hessian, gradient);
  return delta ? delta.reduce((acc, d, i) => acc + d * gradient[i]!, 0) : Infinity;
}

/** H⁻¹g, or null where H is not finite and positive definite. */
function newtonStep(hessian: number[][], gradient: number[]): number[] | null {
  if (!hessian.every((r) => r.every(Number.isFinite)) || !gradient.every(Number.isFinite)) return null;
  const chol = new CholeskyDecomposition(new Matrix(hessian));
  if (!chol.isPositiveDefinite()) return null;
  return chol.solve(Matrix.columnVector(gradient)).to1DArray();
}

/** The BFGS update of H for the step s and gradient change y: H − Hss'H/s'Hs + yy'/y's (H itself where y's ≤ 0). */
function bfgsUpdate(H: number[][], s: number[], y: number[]): number[][] {
  const Hs = H.map((row) => row.reduce((acc, v, j) => acc + v * s[j]!, 0));
  const sHs = Hs.reduce((acc, v, i) => acc + v * s[i]!, 0);
  const ys = y.reduce((acc, v, i) => acc + v * s[i]!, 0);
  if (!(ys > 0 && sHs > 0)) return H;
  return H.map((row, i) => row.map((v, j) => v - (Hs[i]! * Hs[j]!) / sHs + (y[i]! * y[j]!) / ys));
}
