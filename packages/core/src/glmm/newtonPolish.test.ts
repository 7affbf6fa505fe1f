import { describe, expect, it } from "vitest";
import type { Objective } from "../objective/Objective.js";
import { newtonPolish } from "./newtonPolish.js";

/** f(x) = (x − c)'A(x − c) + 0.05 Σ (x_i − c_i)⁴ (A positive definite, correlated): its optimum is c, its Hessian there 2A. */
const A = [
  [4, 1.5, 0.5],
  [1.5, 3, -0.8],
  [0.5, -0.8, 2],
];
const c = [0.3, -1.2, 2];
const f = (x: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) s += (x[i]! - c[i]!) * A[i]![j]! * (x[j]! - c[j]!);
  for (let i = 0; i < 3; i++) s += 0.05 * (x[i]! - c[i]!) ** 4;
  return s;
};
const objective: Objective = {
  layout: { size: 3, lower: Float64Array.from([-Infinity, -Infinity, -Infinity]), initial: new Float64Array(3), names: ["a", "b", "c"] },
  evaluate: f,
};

describe("newtonPolish", () => {
  it.each([false, true])("reaches the optimum with the Hessian there, from far away (first Hessian one-sided: %s)", (rough) => {
    const x0 = [1.5, 0.4, 0.5];
    const r = newtonPolish(objective, x0, f(x0), 8, rough ? "rough" : "full");
    r.x.forEach((v, i) => expect(Math.abs(v - c[i]!)).toBeLessThan(1e-5));
    expect(r.fx).toBeLessThan(1e-10);
    r.hessian.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - 2 * A[i]![j]!)).toBeLessThan(1e-4)));
    r.gradient.forEach((g) => expect(Math.abs(g)).toBeLessThan(1e-4));
    expect(r.decrement).toBeLessThan(1e-8);
    // quasi-Newton between full Hessians: fewer than three full Hessians (12 evaluations each) and the steps' gradients
    expect(r.evaluations).toBeLessThan(60);
  });
  it("starts from a Hessian whose β block is given (a rough one), in fewer evaluations than one-sided pairs", () => {
    const x0 = [1.5, 0.4, 0.5];
    // the last two parameters' block, 10% off the true 2A
    const betaBlock = [
      [2 * 3 * 1.1, 2 * -0.8 * 0.9],
      [2 * -0.8 * 0.9, 2 * 2 * 1.1],
    ];
    const seeded = newtonPolish(objective, x0, f(x0), 8, { betaBlock });
    const rough = newtonPolish(objective, x0, f(x0), 8, "rough");
    seeded.x.forEach((v, i) => expect(Math.abs(v - c[i]!)).toBeLessThan(1e-5));
    seeded.hessian.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - 2 * A[i]![j]!)).toBeLessThan(1e-4)));
    expect(seeded.decrement).toBeLessThan(1e-8);
    expect(seeded.evaluations).toBeLessThanOrEqual(rough.evaluations);
  });
  it("stops where it starts when the start is the optimum, with one Hessian", () => {
    const r = newtonPolish(objective, c, 0);
    expect(r.x).toEqual(c);
    expect(r.evaluations).toBe(12);
  });
});
