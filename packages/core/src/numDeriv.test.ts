import { describe, expect, it } from "vitest";
import { HlmError } from "./HlmError.js";
import { gradient, hessian, jacobian } from "./numDeriv.js";

/** |a - b| <= rel * max(|b|, 1)  (relative for large values, absolute near zero). */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rel: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const b = expected[i]!;
    const tol = rel * Math.max(Math.abs(b), 1);
    if (!(Math.abs(a - b) <= tol)) {
      throw new Error(`element ${i}: got ${a}, expected ${b} (tolerance ${tol})`);
    }
  }
}

const flat = (m: Float64Array[]): number[] => m.flatMap((row) => Array.from(row));

// Test functions and their analytic derivatives.
// Polynomials are written with explicit products, in the same order as the R reference code, so that
// f is evaluated bit-for-bit as in R (R computes x^2 as x*x; Math.pow may differ in the last bit).
const f1 = (x: Float64Array) => x[0]! * x[0]! * x[1]! + 3 * x[1]! * x[1]! * x[1]! - x[0]! * x[2]! + 2;
const g1 = (x: number[]) => { const [a, b, c] = x as [number, number, number]; return [2 * a * b - c, a * a + 9 * b * b, -a]; };
const H1 = (x: number[]) => { const [a, b] = x as [number, number, number]; return [2 * b, 2 * a, -1, 2 * a, 18 * b, 0, -1, 0, 0]; };

const f2 = (x: Float64Array) => Math.exp(x[0]! * x[1]!) + Math.log(x[2]!) + x[0]! * Math.log(1 + x[1]! ** 2);
const g2 = (x: number[]) => {
  const [a, b, c] = x as [number, number, number];
  const e = Math.exp(a * b);
  return [b * e + Math.log(1 + b * b), a * e + (2 * a * b) / (1 + b * b), 1 / c];
};
const H2 = (x: number[]) => {
  const [a, b, c] = x as [number, number, number];
  const e = Math.exp(a * b);
  const q = 1 + b * b;
  const hab = e + a * b * e + (2 * b) / q;
  const hbb = a * a * e + (2 * a * (1 - b * b)) / (q * q);
  return [b * b * e, hab, 0, hab, hbb, 0, 0, 0, -1 / (c * c)];
};

// Coordinates that are exactly zero at the evaluation point (step eps instead of d*|x|).
const f3 = (x: Float64Array) => Math.sin(x[0]!) + x[0]! * x[1]! ** 2 + Math.exp(x[2]!) * x[1]!;
const g3 = (x: number[]) => {
  const [a, b, c] = x as [number, number, number];
  return [Math.cos(a) + b * b, 2 * a * b + Math.exp(c), Math.exp(c) * b];
};
const H3 = (x: number[]) => {
  const [a, b, c] = x as [number, number, number];
  return [-Math.sin(a), 2 * b, 0, 2 * b, 2 * a, Math.exp(c), 0, Math.exp(c), Math.exp(c) * b];
};

const f4 = (x: Float64Array) => x.reduce((s, v) => s + Math.exp(2 * v), 0);
const f5 = (x: Float64Array) => x[0]! * x[0]! * x[0]! - 2 * x[0]!;
const f6 = (x: Float64Array) => x[0]! * x[1]! * x[1]! + 0.5 * x[0]! * x[0]! - 3 * x[1]!;

// Reference values printed by R 4 / numDeriv 2016.8-1.1 (sprintf("%.17g")):
//   grad(f, x); t(hessian(f, x)); jacobian(g, x)
// with f1 <- function(x) x[1]*x[1]*x[2] + 3*x[2]*x[2]*x[2] - x[1]*x[3] + 2
//      f2 <- function(x) exp(x[1]*x[2]) + log(x[3]) + x[1]*log(1+x[2]^2)
//      f3 <- function(x) sin(x[1]) + x[1]*x[2]^2 + exp(x[3])*x[2]
//      f4 <- function(x) sum(exp(2*x));  f5 <- function(x) x*x*x - 2*x
//      f6 <- function(x) x[1]*x[2]*x[2] + 0.5*x[1]*x[1] - 3*x[2]
//      g  <- function(x) c(sin(x[1])*x[2], x[1]^2 + exp(x[2]), x[1]*x[2]*x[3], log(x[3]))
// Polynomials are evaluated exactly as in R, so their derivatives agree bit for bit; exp, log
// and sin come from different math libraries (last-bit differences amplified by 1/h), so those
// are compared to 1e-10.
const R = {
  g1: [-4.099999999999083, 6.6600000000003261, -1.4999999999925551],
  H1: [-1.3999999999994464, 3.0000000000030416, -1.0000000000001503, 3.0000000000030416, -12.600000000028054, -2.4034193842304034e-13, -1.0000000000001503, -2.4034193842304034e-13, 1.6844060929515775e-13],
  g2: [2.6119933367508432, 0.72508079159789529, 0.39999999999886787],
  H2: [2.0639943569444656, 2.9329345611855238, 5.0295721614236958e-12, 2.9329345611855238, 0.084656728736258582, 1.2573952398909683e-12, 5.0295721614236958e-12, 1.2573952398909683e-12, -0.16000000000070871],
  g3: [2.0000000000043401, 0.99999999999671463, 0.99999999999748479],
  H3: [3.9161305983250668e-12, 1.9999999994122777, 1.6018389640788584e-17, 1.9999999994122777, 8.4208556255783904e-14, 0.99999999989048494, 1.6018389640788584e-17, 0.99999999989048494, 0.9999990535460046],
  g4: [14.778112234841135, 806.85758697923018, 44052.931589989159],
  H4: [29.556224419335582, -1.1212973722692462e-8, -2.7622954188561129e-11, -1.1212973722692462e-8, 1613.7151739701328, -9.1725878435965236e-12, -2.7622954188561129e-11, -9.1725878435965236e-12, 88105.863167251111],
  g5: [-0.53000000000449499],
  H5: [4.1999999999987407],
  g6: [1.5624999999943685, -3.0000000000273821],
  H6: [1.0000011093618395, 2.4999999991195856, 2.4999999991195856, 0],
  // column-major 4 x 3
  J: [0, 0.9999999999934579, 0, 0, 0.47942553860420301, 0.99999999999748457, 1, 0, 0, 0, 0, 0.49999999999965389],
};

describe("gradient", () => {
  it("matches analytic gradients", () => {
    const x1 = [1.5, -0.7, 2];
    const x2 = [0.3, 1.2, 2.5];
    const x3 = [0, 1, 0];
    expectClose(gradient(f1, x1), g1(x1), 1e-8);
    expectClose(gradient(f2, x2), g2(x2), 1e-8);
    expectClose(gradient(f3, x3), g3(x3), 1e-8);
    const x4 = [1, 3, 5];
    expectClose(gradient(f4, x4), x4.map((v) => 2 * Math.exp(2 * v)), 1e-8);
    expectClose(gradient(f5, [0.7]), [3 * 0.49 - 2], 1e-8);
    expectClose(gradient(f6, [0, 1.25]), [1.25 * 1.25, -3], 1e-8);
  });

  it("reproduces numDeriv::grad", () => {
    expectClose(gradient(f1, [1.5, -0.7, 2]), R.g1, 0);
    expectClose(gradient(f5, [0.7]), R.g5, 0);
    expectClose(gradient(f6, [0, 1.25]), R.g6, 0);
    expectClose(gradient(f2, [0.3, 1.2, 2.5]), R.g2, 1e-10);
    expectClose(gradient(f3, [0, 1, 0]), R.g3, 1e-10);
    expectClose(gradient(f4, [1, 3, 5]), R.g4, 1e-10);
  });

  it("gives 0 for coordinates the function does not depend on, and takes any ArrayLike", () => {
    const g = gradient((x) => x[0]! * x[0]!, new Float32Array([2, 5]));
    expect(g).toBeInstanceOf(Float64Array);
    expect(g[1]).toBe(0);
    expectClose(g, [4, 0], 1e-8);
  });

  it("does not let f's mutations of its argument leak between evaluations", () => {
    const x = [1, 2];
    const g = gradient((v) => {
      const s = v[0]! * v[1]!;
      v.fill(100);
      return s;
    }, x);
    expectClose(g, [2, 1], 1e-8);
    expect(x).toEqual([1, 2]);
  });

  it("throws an HlmError when the function returns NaN near x", () => {
    expect(() => gradient((x) => Math.sqrt(x[0]!), [0])).toThrow(HlmError);
  });
});

describe("hessian", () => {
  it("matches analytic Hessians", () => {
    const x1 = [1.5, -0.7, 2];
    const x2 = [0.3, 1.2, 2.5];
    expectClose(flat(hessian(f1, x1)), H1(x1), 1e-8);
    expectClose(flat(hessian(f2, x2)), H2(x2), 1e-8);
    const x4 = [1, 3, 5];
    const h4 = hessian(f4, x4);
    expectClose(flat(h4).map((v, k) => (k % 4 === 0 ? v : 0)), [4 * Math.exp(2), 0, 0, 0, 4 * Math.exp(6), 0, 0, 0, 4 * Math.exp(10)], 1e-8);
    expectClose(flat(h4).map((v, k) => (k % 4 === 0 ? 0 : v)), new Array<number>(9).fill(0), 1e-7);
    expectClose(flat(hessian(f5, [0.7])), [6 * 0.7], 1e-8);
  });

  it("matches analytic Hessians where some x_i = 0 (fixed step eps = 1e-4 there)", () => {
    const x3 = [0, 1, 0];
    // With a fixed step of 1e-4 the second differences lose a few more digits, exactly as in R.
    expectClose(flat(hessian(f3, x3)), H3(x3), 1e-5);
  });

  it("reproduces numDeriv::hessian (genD with d = 0.1)", () => {
    expectClose(flat(hessian(f1, [1.5, -0.7, 2])), R.H1, 0);
    expectClose(flat(hessian(f5, [0.7])), R.H5, 0);
    expectClose(flat(hessian(f6, [0, 1.25])), R.H6, 0);
    expectClose(flat(hessian(f2, [0.3, 1.2, 2.5])), R.H2, 1e-10);
    expectClose(flat(hessian(f3, [0, 1, 0])), R.H3, 1e-10);
    expectClose(flat(hessian(f4, [1, 3, 5])), R.H4, 1e-10);
  });

  it("is exactly symmetric with Float64Array rows", () => {
    const H = hessian(f2, [0.3, 1.2, 2.5]);
    expect(H).toHaveLength(3);
    for (let i = 0; i < 3; i++) {
      expect(H[i]).toBeInstanceOf(Float64Array);
      for (let j = 0; j < 3; j++) expect(H[i]![j]).toBe(H[j]![i]);
    }
  });

  it("accepts numDeriv's method.args", () => {
    // d = 1e-4 (genD's own default) is much less accurate for second derivatives than hessian's 0.1.
    const H = hessian(f2, [0.3, 1.2, 2.5], { d: 1e-4 });
    expectClose(flat(H), H2([0.3, 1.2, 2.5]), 1e-4);
    expect(Math.abs(H[0]![0]! - hessian(f2, [0.3, 1.2, 2.5])[0]![0]!)).toBeGreaterThan(1e-8);
    expect(() => hessian(f2, [1, 1, 1], { r: 0 })).toThrow(/whole number of at least 1/);
  });
});

describe("jacobian", () => {
  const g = (x: Float64Array) =>
    Float64Array.of(Math.sin(x[0]!) * x[1]!, x[0]! ** 2 + Math.exp(x[1]!), x[0]! * x[1]! * x[2]!, Math.log(x[2]!));
  const x = [0.5, 0, 2];

  it("returns d f / d x_k as jac[k]", () => {
    const J = jacobian(g, x);
    expect(J).toHaveLength(3);
    const [a, b, c] = x as [number, number, number];
    expectClose(J[0]!, [Math.cos(a) * b, 2 * a, b * c, 0], 1e-8);
    expectClose(J[1]!, [Math.sin(a), Math.exp(b), a * c, 0], 1e-8);
    expectClose(J[2]!, [0, 0, a * b, 1 / c], 1e-8);
  });

  it("reproduces numDeriv::jacobian", () => {
    expectClose(flat(jacobian(g, x)), R.J, 1e-10);
  });

  it("differentiates a matrix-valued function flattened to a vector", () => {
    // A(t) = [[t0^2, t0 t1], [t0 t1, exp(t1)]] flattened column-major.
    const A = (t: Float64Array) => Float64Array.of(t[0]! ** 2, t[0]! * t[1]!, t[0]! * t[1]!, Math.exp(t[1]!));
    const J = jacobian(A, [1.3, -0.4]);
    expectClose(J[0]!, [2.6, -0.4, -0.4, 0], 1e-8);
    expectClose(J[1]!, [0, 1.3, 1.3, Math.exp(-0.4)], 1e-8);
  });

  it("agrees with gradient for a scalar function", () => {
    const J = jacobian((v) => Float64Array.of(f2(v)), [0.3, 1.2, 2.5]);
    expectClose(J.map((col) => col[0]!), gradient(f2, [0.3, 1.2, 2.5]), 1e-14);
  });
});
