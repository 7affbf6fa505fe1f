import { describe, expect, it } from "vitest";
import { rRound, unsupportedFunction } from "./rFunctions.js";

describe("rRound: R's round(x, digits), R 4.2.2", () => {
  // R: x <- c(...); d <- c(...); round(x, d), printed with sprintf("%.17g")
  const cases: [x: number, digits: number, r: number][] = [
    [0.5, 0, 0],
    [1.5, 0, 2],
    [2.5, 0, 2],
    [-2.5, 0, -2],
    [0.15, 1, 0.1], // 0.15 is stored as 0.1499…
    [2.675, 2, 2.67],
    [1.005, 2, 1],
    [1234.5678, -2, 1200],
    [1234.5678, 2, 1234.57],
    [-1234.5678, -1, -1230],
    [5e-324, 0, 0],
    [1e300, -2, 1e300],
    [0.285, 2, 0.28],
    [9.995, 2, 9.99],
  ];
  it.each(cases)("round(%d, %d) is %d", (x, digits, r) => {
    expect(rRound(x, digits)).toBe(r);
  });
  it("rounds halves to even without digits, keeps the sign of -0.5 (R: 1/round(-0.5) is -Inf) and passes NaN", () => {
    expect([0.5, 1.5, 2.5, 3.5, 4.5, 5.5].map((x) => rRound(x))).toEqual([0, 2, 2, 4, 4, 6]);
    expect(1 / rRound(-0.5)).toBe(-Infinity);
    expect(rRound(NaN)).toBeNaN();
    expect(rRound(2.7)).toBe(3);
  });
});

describe("an unsupported function", () => {
  const message = (fn: string): string => unsupportedFunction(fn, 4, `y ~ ${fn}(x) + (1 | g)`).message;
  it("lists every supported function, the bases' too", () => {
    expect(message("foo")).toBe(
      "Unsupported function 'foo()' in formula 'y ~ foo(x) + (1 | g)' (position 5); supported: log, log10, log2, log1p, exp, expm1, sqrt, abs, sin, cos, tan, round, pmin, pmax, as.numeric, I, offset; factor, as.factor, ordered, as.ordered, relevel, interaction; poly, ns, bs, scale.",
    );
    expect(unsupportedFunction("foo", 4, "y ~ foo(x) + (1 | g)").details?.position).toBe(5);
  });
  it("suggests the name one slip or a wrong case away, not a distant one", () => {
    expect(message("Factor")).toContain("(did you mean 'factor()'?)");
    expect(message("as.Factor")).toContain("(did you mean 'as.factor()'?)");
    expect(message("factr")).toContain("(did you mean 'factor()'?)");
    expect(message("intraction")).toContain("(did you mean 'interaction()'?)");
    expect(message("Round")).toContain("(did you mean 'round()'?)");
    expect(message("foo")).not.toContain("did you mean");
    expect(message("median")).not.toContain("did you mean");
  });
});
