import { describe, expect, it } from "vitest";
import { modelTerms } from "./modelTerms.js";
import { deparse, parseFormula } from "./parseFormula.js";

/** Term labels as R's attr(terms(f), "term.labels") prints them. */
const labels = (f: string): string[] => {
  const t = modelTerms(f);
  return t.fixed.terms.map((term) => term.map((k) => t.fixed.variables[k]!.name).join(":"));
};

describe("modelTerms: R's terms() expansion", () => {
  it("expands * into main effects and the interaction, ordered by degree", () => {
    expect(labels("y ~ a * b + (1 | g)")).toEqual(["a", "b", "a:b"]);
    expect(labels("y ~ flp + ses + flp * ses + (ses | school)")).toEqual(["flp", "ses", "flp:ses"]);
    expect(labels("y ~ a:b + c + (1 | g)")).toEqual(["c", "a:b"]);
  });
  it("names an interaction by the order in which its variables first appear", () => {
    expect(labels("y ~ b:a + a + (1 | g)")).toEqual(["a", "b:a"]);
    expect(labels("y ~ a + b:a + (1 | g)")).toEqual(["a", "a:b"]);
  });
  it("handles powers, nesting with / and removal with -", () => {
    expect(labels("y ~ (a + b + c)^2 + (1 | g)")).toEqual(["a", "b", "c", "a:b", "a:c", "b:c"]);
    expect(labels("y ~ a/b + (1 | g)")).toEqual(["a", "a:b"]);
    expect(labels("y ~ a * b - a:b + (1 | g)")).toEqual(["a", "b"]);
  });
  it("reads the intercept from 0, 1 and -1", () => {
    expect(modelTerms("y ~ x + (1 | g)").fixed.intercept).toBe(true);
    expect(modelTerms("y ~ 0 + x + (1 | g)").fixed.intercept).toBe(false);
    expect(modelTerms("y ~ x - 1 + (1 | g)").fixed.intercept).toBe(false);
    expect(modelTerms("y ~ -1 + x + (1 | g)").fixed.intercept).toBe(false);
    expect(modelTerms("y ~ 1 + (1 | g)").fixed.terms).toEqual([]);
  });
  it("keeps transforms as variables named as R deparses them", () => {
    expect(labels("y ~ log(x) + I(x^2) + I(x * 2) + scale(z) + (1 | g)")).toEqual(["log(x)", "I(x^2)", "I(x * 2)", "scale(z)"]);
  });
  it("collects offsets apart from the terms", () => {
    const t = modelTerms("y ~ x + offset(log(n)) + (1 | g)");
    expect(t.offsets.map((e) => deparse(e))).toEqual(["log(n)"]);
    expect(labels("y ~ x + offset(log(n)) + (1 | g)")).toEqual(["x"]);
  });
  it("splits random-effects terms: correlated, uncorrelated, nested, interaction", () => {
    const t = modelTerms("y ~ x + (x | g) + (z || h) + (1 | a/b) + (1 | c:d)");
    expect(t.random.map((r) => r.group)).toEqual(["g", "h", "h", "a", "b:a", "c:d"]);
    expect(t.random.map((r) => [r.effects.intercept, r.effects.terms.length])).toEqual([
      [true, 1],
      [true, 0],
      [false, 1],
      [true, 0],
      [true, 0],
      [true, 0],
    ]);
    expect(modelTerms("y ~ 1 + (1 | a/b/c)").random.map((r) => r.group)).toEqual(["a", "b:a", "c:b:a"]);
  });
});

describe("parseFormula", () => {
  it("gives | lower precedence than +, as R", () => {
    const f = parseFormula("y ~ (x + z | g)");
    expect(f.rhs.type).toBe("paren");
    if (f.rhs.type === "paren") expect(f.rhs.expr.type === "binary" && f.rhs.expr.op).toBe("|");
  });
  it("round-trips formulas through deparse", () => {
    for (const s of ["y ~ a + b:c + (1 | g)", "log(y) ~ I(x^2) + (x || g)", "y ~ 0 + a * b + (1 | a/b)"]) {
      const f = parseFormula(s);
      const printed = `${deparse(f.lhs!)} ~ ${deparse(f.rhs)}`;
      expect(printed).toBe(s);
      const again = parseFormula(printed);
      expect(`${deparse(again.lhs!)} ~ ${deparse(again.rhs)}`).toBe(printed);
    }
  });
});
