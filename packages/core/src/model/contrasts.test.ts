import { describe, expect, it } from "vitest";
import { HlmError } from "../HlmError.js";
import { contrPoly } from "./contrasts.js";

describe("contrPoly: R's contr.poly", () => {
  it("gives R's contr.poly(5) and its names", () => {
    // R 4.2.2: print(t(contr.poly(5)), digits = 15), rows .L .Q .C ^4; R's zeros print as -3.5e-17 and 1.8e-16
    const r = [
      [-0.632455532033676, -0.316227766016838, 0, 0.316227766016838, 0.632455532033676],
      [0.534522483824849, -0.267261241912424, -0.534522483824849, -0.267261241912424, 0.534522483824849],
      [-0.316227766016838, 0.632455532033676, 0, -0.632455532033676, 0.316227766016838],
      [0.119522860933439, -0.478091443733757, 0.717137165600636, -0.478091443733757, 0.119522860933439],
    ];
    const { columns, suffixes } = contrPoly(5, "f");
    expect(suffixes).toEqual([".L", ".Q", ".C", "^4"]);
    columns.forEach((c, j) => c.forEach((v, i) => expect(Math.abs(v - r[j]![i]!)).toBeLessThan(1e-14)));
  });
  it("names the degrees as R: .L .Q .C ^4 … (contr.poly(7)); two levels are ±1/√2", () => {
    expect(contrPoly(7, "f").suffixes).toEqual([".L", ".Q", ".C", "^4", "^5", "^6"]);
    const two = contrPoly(2, "f");
    expect(two.suffixes).toEqual([".L"]);
    expect(Array.from(two.columns[0]!)).toEqual([-Math.SQRT1_2, Math.SQRT1_2].map((v) => expect.closeTo(v, 15)));
  });
  it("is orthonormal and orthogonal to the constant, increasing in its linear column, for 20 levels", () => {
    const { columns } = contrPoly(20, "f");
    for (let a = 0; a < 19; a++) {
      expect(Math.abs(columns[a]!.reduce((s, v) => s + v, 0))).toBeLessThan(1e-12);
      for (let b = 0; b < 19; b++) {
        const dot = columns[a]!.reduce((s, v, i) => s + v * columns[b]![i]!, 0);
        expect(Math.abs(dot - (a === b ? 1 : 0))).toBeLessThan(1e-10);
      }
    }
    expect(columns[0]!.every((v, i) => i === 0 || v > columns[0]![i - 1]!)).toBe(true);
  });
  it("refuses more than 95 levels, as R does", () => {
    expect(() => contrPoly(96, "ordered(x)")).toThrow(HlmError);
    expect(() => contrPoly(96, "ordered(x)")).toThrow("The ordered factor 'ordered(x)' has 96 levels; R's polynomial contrasts stop at 95 (orthogonal polynomials of higher degree cannot be computed accurately), so use factor() for it.");
  });
});
