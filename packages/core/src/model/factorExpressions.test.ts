import { describe, expect, it } from "vitest";
import { HlmError } from "../HlmError.js";
import { parseFormula } from "../formula/parseFormula.js";
import { tableFromRows } from "../io/tableFromRows.js";
import type { Table } from "../io/Table.js";
import { evaluateFactor, factorOnRows } from "./factorExpressions.js";
import { ModelFrameSource } from "./ModelFrameSource.js";

// x numeric (10 sorts after 2 as a number, before it as text), g text, h text, k numeric named categorical
const table = tableFromRows(
  ["x", "g", "h", "k"],
  [
    [10, "mid", "u", 3],
    [2, "low", "v", 1],
    [0.5, "High", "u", 2],
    [null, "low", "v", 3],
    [2, "mid", null, 1],
    [100, "High", "v", 2],
  ],
);
const source = (t: Table = table, formula = "y ~ …"): ModelFrameSource => new ModelFrameSource(t, new Set(["k"]), formula);
/** The factor of the right-hand side of `~ text`, each row's label (null where missing) and the levels. */
const factorOf = (text: string, t?: Table) => {
  const f = evaluateFactor(source(t), parseFormula(`y ~ ${text}`).rhs, `y ~ ${text}`);
  return { levels: f.levels, labels: Array.from(f.codes, (c) => (c < 0 ? null : f.levels[c]!)), ordered: f.ordered };
};
const thrown = (run: () => unknown): HlmError => {
  try {
    run();
  } catch (e) {
    if (e instanceof HlmError) return e;
    throw e;
  }
  throw new Error("expected an error");
};

describe("factor(), as.factor(), ordered(): R's levels", () => {
  it("sorts a numeric column's values as numbers and labels them as R's as.character (R: levels(factor(c(10, 2, 0.5, NA, 2, 100))))", () => {
    expect(factorOf("factor(x)")).toEqual({ levels: ["0.5", "2", "10", "100"], labels: ["10", "2", "0.5", null, "2", "100"], ordered: false });
    expect(factorOf("as.factor(x)").levels).toEqual(["0.5", "2", "10", "100"]);
  });
  it("keeps a text column's C-locale order (upper case first) and a categorical number column's numeric order", () => {
    expect(factorOf("factor(g)").levels).toEqual(["High", "low", "mid"]);
    expect(factorOf("factor(k)").levels).toEqual(["1", "2", "3"]);
  });
  it("makes a factor of a numeric expression by its values (R: factor(x / 2))", () => {
    expect(factorOf("factor(x / 2)").levels).toEqual(["0.25", "1", "5", "50"]);
  });
  it("orders with ordered() and as.ordered(); factor() and as.factor() of an ordered factor stay ordered, as in R", () => {
    expect(factorOf("ordered(x)").ordered).toBe(true);
    expect(factorOf("as.ordered(g)").ordered).toBe(true);
    expect(factorOf("factor(ordered(g))").ordered).toBe(true);
    expect(factorOf("factor(g)").ordered).toBe(false);
  });
});

describe("relevel()", () => {
  it("moves the reference level first and keeps the others in order (R: relevel(factor(x), ref = \"10\"))", () => {
    expect(factorOf('relevel(factor(x), ref = "10")').levels).toEqual(["10", "0.5", "2", "100"]);
    expect(factorOf('relevel(g, "mid")').levels).toEqual(["mid", "High", "low"]);
  });
  it("reads a number as the level's position, as R does (relevel(factor(x), ref = 3) is level '10')", () => {
    expect(factorOf("relevel(factor(x), ref = 3)").levels).toEqual(["10", "0.5", "2", "100"]);
  });
  it("refuses what R refuses, naming the position", () => {
    const e = thrown(() => factorOf('relevel(g, ref = "Mid")'));
    expect(e.message).toBe("relevel(): 'Mid' is not a level of g (its levels are High, low, mid) ('y ~ relevel(g, ref = \"Mid\")', position 22).");
    expect(e.details?.position).toBe(22); // the quoted level
    expect(thrown(() => factorOf('relevel(x, ref = "2")')).message).toBe(
      "relevel() needs a factor, as in R, and 'x' is numeric; write relevel(factor(x), ref = …) ('y ~ relevel(x, ref = \"2\")', position 13).",
    );
    expect(thrown(() => factorOf('relevel(ordered(g), ref = "mid")')).message).toContain("relevel() is only for unordered factors, as in R, and 'ordered(g)' is ordered");
    expect(thrown(() => factorOf("relevel(g, ref = 4)")).message).toContain("relevel(): ref = 4 is not a level's position 1 to 3 of g");
    expect(thrown(() => factorOf("relevel(g)")).message).toContain('relevel() takes a factor and the reference level, as in relevel(g, ref = "b")');
    expect(thrown(() => factorOf('relevel(g, rf = "mid")')).message).toContain("relevel() has no argument 'rf' here (it takes ref = …)");
  });
});

describe("interaction()", () => {
  it("labels a.b and varies the first factor fastest, with the combinations present (R: levels(droplevels(interaction(g, h))))", () => {
    // rows: mid.u, low.v, High.u, low.v, (h missing), High.v
    expect(factorOf("interaction(g, h)")).toEqual({ levels: ["High.u", "mid.u", "High.v", "low.v"], labels: ["mid.u", "low.v", "High.u", "low.v", null, "High.v"], ordered: false });
  });
  it("varies the last fastest with lex.order = TRUE and joins with sep", () => {
    expect(factorOf('interaction(g, h, sep = "_", lex.order = TRUE)').levels).toEqual(["High_u", "High_v", "low_v", "mid_u"]);
  });
  it("makes numbers factors by value (as.factor) and takes three factors", () => {
    expect(factorOf("interaction(x, h)").levels).toEqual(["0.5.u", "10.u", "2.v", "100.v"]);
    expect(factorOf("interaction(g, h, k)").levels).toEqual(["low.v.1", "High.u.2", "High.v.2", "mid.u.3", "low.v.3"]);
  });
  it("refuses an argument it does not take", () => {
    expect(thrown(() => factorOf("interaction(g, h, drop = maybe)")).message).toContain("'maybe' must be TRUE or FALSE");
    expect(thrown(() => factorOf("interaction(g, h, sep = 1)")).message).toContain('interaction(): sep must be a text in quotes, as in sep = "_"');
  });
});

describe("factorOnRows", () => {
  it("keeps the levels the rows have, in order (lme4's drop.unused.levels)", () => {
    const f = evaluateFactor(source(), parseFormula("~ factor(x)").rhs, "");
    const onRows = factorOnRows(f, "factor(x)", Int32Array.from([0, 1, 4]));
    expect(onRows.levels).toEqual(["2", "10"]);
    expect(Array.from(onRows.codes)).toEqual([1, 0, 0]);
    expect(onRows.ordered).toBeUndefined();
    expect(factorOnRows(evaluateFactor(source(), parseFormula("~ ordered(x)").rhs, ""), "o", Int32Array.from([0])).ordered).toBe(true);
  });
});

describe("numeric functions on the rows (ModelFrameSource.evaluate)", () => {
  const evaluate = (text: string, t?: Table): number[] => Array.from(source(t, `y ~ ${text}`).evaluate(parseFormula(`y ~ ${text}`).rhs));
  it("pmin and pmax take columns or numbers, row by row, missing where an argument is (R: pmin(x, 5), pmax(x, 3, x / 4))", () => {
    expect(evaluate("pmin(x, 5)")).toEqual([5, 2, 0.5, NaN, 2, 5]);
    expect(evaluate("pmax(x, 3, x / 4)")).toEqual([10, 3, 3, NaN, 3, 100]);
  });
  it("round with and without digits (R: round(x / 4), round(x / 3, digits = 2))", () => {
    expect(evaluate("round(x / 4)")).toEqual([2, 0, 0, NaN, 0, 25]); // 2.5 → 2, 0.5 → 0, 0.125 → 0
    expect(evaluate("round(x / 3, digits = 2)")).toEqual([3.33, 0.67, 0.17, NaN, 0.67, 33.33]);
  });
  it("sin, cos, tan", () => {
    expect(evaluate("sin(x)")[0]).toBe(Math.sin(10));
    expect(evaluate("cos(x)")[1]).toBe(Math.cos(2));
    expect(evaluate("tan(x)")[2]).toBe(Math.tan(0.5));
  });
  it("as.numeric: a number column as it is, a text column's numbers read, a factor refused", () => {
    expect(evaluate("as.numeric(x)")).toEqual([10, 2, 0.5, NaN, 2, 100]);
    const text: Table = { names: ["t"], nrow: 3, columns: [{ kind: "string", name: "t", values: ["1.5", null, "-2"] }] };
    expect(evaluate("as.numeric(t)", text)).toEqual([1.5, NaN, -2]);
    const e = thrown(() => evaluate("as.numeric(g)"));
    expect(e.message).toBe("as.numeric(g): column 'g' holds 'mid' in row 1, which is not a number ('y ~ as.numeric(g)', position 5).");
    expect(e.details?.row).toBe(1);
    expect(thrown(() => evaluate("as.numeric(factor(x))")).message).toBe(
      "as.numeric() of the factor 'factor(x)' gives its level codes 1, 2, … in R, not its values, so it is refused ('y ~ as.numeric(factor(x))', position 5); use the numeric column itself.",
    );
    expect(thrown(() => evaluate("as.numeric(k)")).message).toContain("as.numeric() of 'k', which is categorical (named in the factors), gives its level codes");
  });
  it("refuses a factor in arithmetic and wrong numbers of arguments", () => {
    expect(thrown(() => evaluate("log(factor(x))")).message).toBe("'factor(x)' is categorical and cannot be used in arithmetic ('y ~ log(factor(x))', position 9).");
    expect(thrown(() => evaluate("pmin(x)")).message).toBe("pmin() takes 2 or more arguments, as in pmin(x, 5) (formula position 5).");
    expect(thrown(() => evaluate("round(x, 1, 2)")).message).toBe("round() takes 1 or 2 arguments, as in round(x) or round(x, digits) (formula position 5).");
  });
});
