import { describe, expect, it } from "vitest";
import { LINKS, pnorm } from "./links.js";

describe("pnorm", () => {
  // R 4.2.2: sprintf("%.17g", pnorm(x)), across Cody's three ranges and both tails
  const cases: [number, number][] = [
  [-40, 0],
  [-37, 5.7255712225245771e-300],
  [-10, 7.6198530241605269e-24],
  [-6, 9.8658764503769809e-10],
  [-5.6, 1.071759025831093e-08],
  [-3, 0.0013498980316300946],
  [-0.67, 0.25142889509531013],
  [-0.5, 0.30853753872598694],
  [0, 0.5],
  [0.3, 0.61791142218895267],
  [0.7, 0.75803634777692697],
  [2, 0.97724986805182079],
  [5.7, 0.99999999400962858],
  [8, 0.99999999999999933],
  [8.3, 1],
  ];
  it.each(cases)("Φ(%d) is R's to one unit in the last place", (x, r) => {
    expect(Math.abs(pnorm(x) - r)).toBeLessThanOrEqual(2.3e-16 * Math.abs(r));
  });
  it("keeps digits in the lower tail, where 1 − Φ(−x) would cancel", () => {
    expect(pnorm(-10) / 7.619853024160527e-24).toBeCloseTo(1, 14);
  });
  it("is the probit link's inverse, clamped where R clamps it", () => {
    expect(LINKS.probit.linkinv(1.3)).toBe(pnorm(1.3));
    expect(LINKS.probit.linkinv(-50)).toBeGreaterThan(0);
    expect(LINKS.probit.linkinv(50)).toBeLessThan(1);
  });
});
