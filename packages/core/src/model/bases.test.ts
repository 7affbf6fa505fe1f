/**
 * The bases against R 4.2.2's own numbers (stats::poly, splines::bs/ns/splineDesign, quantile,
 * scale), each pasted from the R call in its comment; matrices are listed column by column, as R's
 * as.vector() lists them.
 */
import { describe, expect, it } from "vitest";
import { polyFromCoefficients, polyRaw, polyTraining } from "./polyBasis.js";
import { bsBasis, bsKnots, nsBasis, nsKnots, quantile7, splineDesign } from "./splineBasis.js";
import { scaleCall, type BasisContext } from "./basisCalls.js";
import type { Basis } from "./Basis.js";
import { parseFormula, type Expr } from "../formula/parseFormula.js";

const x = Float64Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 2.5, 0.3]);

/** The columns' values at the rows, column by column (R's as.vector of m[rows, ]). */
const byColumn = (cols: Float64Array[], rows?: number[]): number[] => cols.flatMap((c) => (rows ? rows.map((i) => c[i]!) : [...c]));

function expectClose(got: number[], want: number[], tol = 1e-12): void {
  expect(got.length).toBe(want.length);
  const bad = got.flatMap((g, i) => (Math.abs(g - want[i]!) <= tol * Math.max(1, Math.abs(want[i]!)) ? [] : [`[${i}] ${g} vs ${want[i]}`]));
  expect(bad).toEqual([]);
}

describe("poly(): R's orthogonal polynomials", () => {
  // p <- poly(c(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 2.5, 0.3), 3); attr(p, "coefs")
  const alpha = [3.9833333333333334, 4.7364678621357719, 4.4467930245177598];
  const norm2 = [1, 12, 100.93666666666665, 624.10829067732266, 3622.3200055224997];

  it("has R's recurrence coefficients and basis on the training points", () => {
    const fitted = polyTraining(x, 3)!;
    expectClose(fitted.coefs.alpha, alpha);
    expectClose(fitted.coefs.norm2, norm2);
    // unclass(p)[c(1, 5, 11), ]
    expectClose(byColumn(fitted.columns, [0, 4, 10]), [
      -0.39648080942517305, 0.0016589155206073901, -0.14764348133406022, 0.41852032249047394, -0.33718715833374441, -0.20390397278064396, -0.36327579355408091,
      0.060821432187944065, 0.31716143365729499,
    ]);
    // orthonormal columns
    const dot = (a: Float64Array, b: Float64Array): number => a.reduce((s, v, i) => s + v * b[i]!, 0);
    expect(dot(fitted.columns[0]!, fitted.columns[2]!)).toBeCloseTo(0, 14);
    expect(dot(fitted.columns[1]!, fitted.columns[1]!)).toBeCloseTo(1, 14);
  });

  it("rebuilds the basis at new points from the coefficients (predict(p, c(-1, 4.2, 12)))", () => {
    const cols = polyFromCoefficients(Float64Array.from([-1, 4.2, 12]), { alpha, norm2 });
    expectClose(byColumn(cols), [
      -0.49601574066161802, 0.021565901767896446, 0.797938365412168, 0.80759001903783623, -0.34134853754961542, 1.9941401457709385, -1.3139020640343395,
      0.01270852747949228, 5.428476449431491,
    ]);
    // at the training points the recurrence gives the QR's basis
    expectClose(byColumn(polyFromCoefficients(x, { alpha, norm2 })), byColumn(polyTraining(x, 3)!.columns), 1e-13);
  });

  it("refuses a degree the points cannot carry, and raw = TRUE gives the powers", () => {
    expect(polyTraining(Float64Array.from([1, 1, 2, 2]), 2)).toBeNull();
    expect(byColumn(polyRaw(Float64Array.from([2, -3]), 3))).toEqual([2, -3, 4, 9, 8, -27]);
  });
});

describe("splines: R's splineDesign, bs() and ns()", () => {
  it("splineDesign gives values and derivatives (derivs recycled over x)", () => {
    // splineDesign(c(0,0,0,0,3,6,9,9,9,9), c(0, 3, 9), 4, c(0, 1, 2))
    expectClose(byColumn(splineDesign([0, 0, 0, 0, 3, 6, 9, 9, 9, 9], [0, 3, 9], 4, [0, 1, 2])), [
      1, 0, 0, 0, -0.25, 0, 0, 0.083333333333333329, 0, 0, 0.16666666666666666, 0.33333333333333331, 0, 0, -1, 0, 0, 0.66666666666666663,
    ]);
  });

  it("quantile type 7, as R's quantile(c(5, 1, 3, 2, 2, 8, 13), c(1/3, 2/3, 0.25, 0.1))", () => {
    expectClose(quantile7([5, 1, 3, 2, 2, 8, 13], [1 / 3, 2 / 3, 0.25, 0.1]), [2, 5, 2, 1.6000000000000001]);
  });

  it("bs(x, df = 5): knots at the tertiles; beyond the boundary, R's extrapolation", () => {
    const k = bsKnots(x, { df: 5, knots: null, degree: 3, intercept: false, boundary: null });
    // attr(bs(x, df = 5), "knots")
    expectClose(k.knots, [2.333333333333333, 5.3333333333333321]);
    expect(k.boundary).toEqual([0, 9]);
    // predict(bs(x, df = 5), c(-1, 0, 2.25, 4.5, 9, 11))
    expectClose(byColumn(bsBasis(Float64Array.from([-1, 0, 2.25, 4.5, 9, 11]), k, 3)), [
      -2.2060290634110791, 0, 0.34343165628416528, 0.0067816840277777546, 0, 0, 0.29950573979591855, 0, 0.55482078085140307, 0.39755859374999997, 0,
      -0.036363636363636334, -0.0089285714285714315, 0, 0.10170200892857145, 0.51937500000000014, 0, 0.66561983471074337, 0, 0, 0, 0.076284722222222281, 0,
      -3.3204658151765569, 0, 0, 0, 0, 1, 3.6912096168294504,
    ]);
  });

  it("bs(x, degree = 2, knots = 4, intercept = TRUE) at and beyond the boundary", () => {
    const k = bsKnots(x, { df: null, knots: [4], degree: 2, intercept: true, boundary: null });
    // predict(bs(x, degree = 2, knots = 4, intercept = TRUE), c(-2, 0.5, 4, 9, 10.5))
    expectClose(byColumn(bsBasis(Float64Array.from([-2, 0.5, 4, 9, 10.5]), k, 2)), [
      2.25, 0.765625, 0, 0, 0, -1.3611111111111112, 0.22743055555555555, 0.55555555555555558, 0, 0.049999999999999975, 0.1111111111111111, 0.0069444444444444441,
      0.44444444444444442, 0, -0.73999999999999999, 0, 0, 0, 1, 1.6899999999999999,
    ]);
  });

  it("ns(x, df = 4): knots at the quartiles, linear beyond the boundary", () => {
    const k = nsKnots(x, { df: 4, knots: null, intercept: false, boundary: null });
    expectClose(k.knots, [1.75, 3.5, 6.25]);
    // predict(ns(x, df = 4), c(-1, 0, 2.25, 4.5, 9, 11))
    expectClose(byColumn(nsBasis(Float64Array.from([-1, 0, 2.25, 4.5, 9, 11]), k)), [
      0, 0, 0.28629134412385643, 0.6042291251068681, 0, 0, 0.14488358652488856, 0, -0.16297002442658071, 0.27700267327124228, -0.14285714285714288,
      -0.92207792207792205, -0.43465075957466559, 0, 0.49547821777892109, 0.12438374335803061, 0.42857142857142855, 0.58441558441558383, 0.28976717304977712, 0,
      -0.33031881185261408, -0.07490847102907025, 0.71428571428571419, 1.3376623376623376,
    ]);
  });

  it("ns(x, knots = c(3, 6), intercept = TRUE, Boundary.knots = c(-1, 10)); NaN where x is missing", () => {
    const k = nsKnots(x, { df: null, knots: [3, 6], intercept: true, boundary: [-1, 10] });
    // unclass(n2)[c(1, 4, 12), ]
    expectClose(byColumn(nsBasis(x, k), [0, 3, 11]), [
      0.036842565909366402, 0.6026547173475707, 0.12953586106053896, -0.18205010491884008, 0.13130499099908846, -0.16345746598878008, 0.50956635995538169,
      0.21033984618107815, 0.46912410289771667, -0.32426950178978831, -0.1338526293879588, -0.29853352002581968,
    ]);
    // predict(n2, c(-3, 12))
    expectClose(byColumn(nsBasis(Float64Array.from([-3, NaN, 12]), k), [0, 2]), [
      -0.96772109649411953, 0, -0.34058294313983806, -0.73118279569892453, 0.93660309363455474, 0.51075268817204256, -0.59602015049471657, 1.2204301075268822,
    ]);
    expect(nsBasis(Float64Array.from([-3, NaN, 12]), k).every((c) => Number.isNaN(c[1]!))).toBe(true);
  });
});

describe("scale(): centre and scale recorded", () => {
  const call = (text: string): Expr & { type: "call" } => parseFormula(`y ~ ${text}`).rhs as Expr & { type: "call" };
  const ctx = (values: number[], bases = new Map<string, Basis>()): BasisContext => ({
    formula: "f",
    evaluate: () => Float64Array.from(values),
    row: (i) => i + 1,
    bases,
    warn: () => undefined,
  });

  it("as R's attributes(scale(c(1, 4, NA, 10))) and scale(…, center = FALSE)", () => {
    const c = ctx([1, 4, NaN, 10]);
    const v = scaleCall(call("scale(x)"), c);
    expect(c.bases.get("scale(x)")).toEqual({ fn: "scale", center: 5, scale: expect.closeTo(4.5825756949558398, 14) });
    expect(v[0]).toBeCloseTo(-4 / 4.5825756949558398, 14);
    const c2 = ctx([1, 4, NaN, 10]);
    scaleCall(call("scale(x, center = FALSE)"), c2);
    expect(c2.bases.get("scale(x, center = FALSE)")).toEqual({ fn: "scale", center: null, scale: expect.closeTo(7.6485292703891776, 14) });
  });

  it("uses the recorded centre and scale on other rows", () => {
    const bases = new Map<string, Basis>([["scale(x)", { fn: "scale", center: 5, scale: 2 }]]);
    expect([...scaleCall(call("scale(x)"), ctx([9, 1], bases))]).toEqual([2, -2]);
  });
});
