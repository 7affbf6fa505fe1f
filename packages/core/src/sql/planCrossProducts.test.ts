import { describe, expect, it } from "vitest";
import { HlmError } from "../HlmError.js";
import { planCrossProducts, type SqlColumn } from "./planCrossProducts.js";

const columns: SqlColumn[] = [
  { name: "y", kind: "number" },
  { name: "x", kind: "number" },
  { name: "z", kind: "number" },
  { name: "g", kind: "number" },
  { name: "h", kind: "text" },
  { name: "sex", kind: "text" },
  { name: "w", kind: "number" },
];

const error = (f: () => unknown): HlmError => {
  try {
    f();
  } catch (e) {
    if (e instanceof HlmError) return e;
    throw e;
  }
  throw new Error("no error");
};

describe("planCrossProducts", () => {
  it("splits the variables into numeric and categorical ones and the columns into atoms", () => {
    const plan = planCrossProducts("y ~ x * sex + log(z) + (x | g) + (1 | h)", columns);
    expect(plan.numeric.map((v) => v.name)).toEqual(["x", "log(z)"]);
    expect(plan.categorical.map((v) => [v.name, v.kind])).toEqual([
      ["sex", "text"],
      ["g", "number"],
      ["h", "text"],
    ]);
    // atoms: 1, x, log(z); X uses all three (x:sex is x times an indicator), Z uses 1 and x
    expect(plan.atoms).toEqual([[], [0], [1]]);
    expect(plan.xAtoms.sort()).toEqual([0, 1, 2]);
    expect(plan.zAtoms.sort()).toEqual([0, 1]);
    expect(plan.fixedKeys).toEqual([0]);
    // per cell: each Z atom with every atom and y (index 3)
    expect(plan.cellSums).toContainEqual([1, 2]);
    expect(plan.cellSums).toContainEqual([0, 3]);
    expect(plan.cellSums).not.toContainEqual([2, 2]);
    expect(plan.intercept).toBe(true);
  });

  it("reads ordered() and relevel() as factors with their contrasts and reference level", () => {
    const plan = planCrossProducts("y ~ ordered(x) + relevel(h, ref = 'b') + relevel(factor(z), ref = '3') + (1 | g)", columns);
    expect(plan.categorical.map((c) => [c.column, c.ordered ?? false, c.ref ?? null])).toEqual([
      ["x", true, null],
      ["h", false, "b"],
      ["z", false, "3"],
      ["g", false, null],
    ]);
  });

  it("makes a numeric column categorical with --factors and factor()", () => {
    const plan = planCrossProducts("y ~ factor(x) + z + (1 | g)", columns, { factors: ["z"] });
    expect(plan.categorical.map((v) => v.name)).toEqual(["factor(x)", "z", "g"]);
    expect(plan.numeric).toEqual([]);
  });

  it("makes each column of a poly() basis an atom of its own, in its interactions too", () => {
    const plan = planCrossProducts("y ~ poly(x, 2) * z + (poly(x, 2, raw = TRUE) | g)", columns);
    expect(plan.polys.map((q) => [q.key, q.degree, q.raw])).toEqual([
      ["poly(x, 2)", 2, false],
      ["poly(x, 2, raw = TRUE)", 2, true],
    ]);
    expect(plan.numeric.map((v) => v.name)).toEqual(["poly(x, 2)1", "poly(x, 2)2", "z", "poly(x, 2, raw = TRUE)1", "poly(x, 2, raw = TRUE)2"]);
    const name = (a: number): string => plan.atoms[a]!.map((k) => plan.numeric[k]!.name).join(":") || "1";
    expect(plan.xAtoms.map(name)).toEqual(["1", "poly(x, 2)1", "poly(x, 2)2", "z", "poly(x, 2)1:z", "poly(x, 2)2:z"]);
    expect(plan.zAtoms.map(name)).toEqual(["1", "poly(x, 2, raw = TRUE)1", "poly(x, 2, raw = TRUE)2"]);
  });

  it("makes a comparison R's logical variable (categorical), and 1 or 0 inside arithmetic", () => {
    const plan = planCrossProducts('y ~ I(x > 2) + I(x * (x <= 1)) + I(sex == "F") + (1 | g)', columns);
    expect(plan.categorical.map((c) => [c.name, c.logical !== undefined])).toEqual([
      ["I(x > 2)", true],
      ['I(sex == "F")', true],
      ["g", false],
    ]);
    expect(plan.numeric.map((v) => v.name)).toEqual(["I(x * (x <= 1))"]);
  });

  it("refuses what SQL cannot compute, naming the formula position", () => {
    const e = error(() => planCrossProducts("y ~ ns(x, 2) + (1 | g)", columns));
    expect(e.message).toMatch(/ns\(\) \(position 5 of 'y ~ ns\(x, 2\) \+ \(1 \| g\)'\) cannot be computed in SQL/);
    expect(error(() => planCrossProducts("y ~ poly(sex, 2) + (1 | g)", columns)).message).toMatch(/'sex' \(position 10 .*\) is categorical/);
    expect(error(() => planCrossProducts("y ~ poly(x, 2, coefs = 1) + (1 | g)", columns)).message).toMatch(/The argument 'coefs' of poly\(\) is set from the data/);
    expect(error(() => planCrossProducts('y ~ I(x == "a") + (1 | g)', columns)).message).toMatch(/^The comparison 'x == "a"' of a column that is not text with a quoted text \(position 9 of .*cannot be computed in SQL/);
    expect(error(() => planCrossProducts('y ~ I(sex < "M") + (1 | g)', columns)).message).toMatch(/^'sex' \(position 7 of .*\) is categorical, so it cannot be used in arithmetic/);
    expect(error(() => planCrossProducts('y ~ I("M" == "F") + (1 | g)', columns)).message).toMatch(/^The comparison '"M" == "F"' \(a quoted text is compared with a column, by == or !=\)/);
    expect(error(() => planCrossProducts("y ~ relevel(x, ref = '2') + (1 | g)", columns)).message).toMatch(/relevel\(\) needs a factor, as in R: write relevel\(factor\(x\), ref = …\)/);
    expect(error(() => planCrossProducts("y ~ interaction(h, sex) + (1 | g)", columns)).message).toMatch(/^interaction\(\) \(position 5 .*cannot be computed in SQL/);
    expect(error(() => planCrossProducts("y ~ round(x, 2) + (1 | g)", columns)).message).toMatch(/round\(\) with digits/);
  });

  it("names an unknown column with the closest one, and a categorical column in arithmetic", () => {
    expect(error(() => planCrossProducts("y ~ xx + (1 | g)", columns)).message).toMatch(/Unknown column 'xx' at position 5 .*did you mean 'x'/);
    expect(error(() => planCrossProducts("y ~ log(sex) + (1 | g)", columns)).message).toMatch(/'sex' \(position 9 .*\) is categorical/);
    expect(error(() => planCrossProducts("y ~ x + (1 | g)", columns, { weights: "sex" })).message).toMatch(/weights column 'sex' must be numeric/);
    expect(error(() => planCrossProducts("y ~ x", columns)).message).toMatch(/no random-effects term/);
  });
});
