import { describe, expect, it } from "vitest";
import { buildModel } from "./buildModel.js";
import { HlmError } from "../HlmError.js";
import { readCsv } from "../io/readCsv.js";
import { tableFromRows } from "../io/tableFromRows.js";

const data = readCsv("y,x,f,g,h\n1,1,a,u,p\n2,3,b,v,p\n3,2,c,u,q\n4,5,a,v,q\n5,4,b,u,r\n6,6,c,v,r\n7,8,a,u,s\n8,7,b,v,s\n");

describe("buildModel: fixed-effects columns as R's model.matrix names them", () => {
  it.each([
    ["y ~ 0 + f + g + (1 | h)", ["fa", "fb", "fc", "gv"]],
    ["y ~ x:f + (1 | h)", ["(Intercept)", "x:fa", "x:fb", "x:fc"]],
    ["y ~ f * g + (1 | h)", ["(Intercept)", "fb", "fc", "gv", "fb:gv", "fc:gv"]],
    ["y ~ x + f:x + g + (1 | h)", ["(Intercept)", "x", "gv", "x:fb", "x:fc"]],
    ["y ~ log(x) + I(x^2) + (1 | h)", ["(Intercept)", "log(x)", "I(x^2)"]],
  ])("%s", (formula, names) => {
    const m = buildModel(data, formula);
    expect(m.xNames).toEqual(names);
  });
  it("codes factor columns as 0/1 and evaluates transforms", () => {
    const m = buildModel(data, "y ~ f + I(x^2) + (1 | h)");
    const col = (name: string) => Array.from(m.X.subarray(m.xNames.indexOf(name) * m.n, (m.xNames.indexOf(name) + 1) * m.n));
    expect(col("fb")).toEqual([0, 1, 0, 0, 1, 0, 0, 1]);
    expect(col("I(x^2)")).toEqual([1, 9, 4, 25, 16, 36, 64, 49]);
  });
  it("drops rank-deficient columns with lme4's warning", () => {
    const d = readCsv("y,x,x2,h\n1,1,2,a\n2,2,4,a\n3,3,6,b\n5,4,8,b\n4,5,10,c\n6,6,12,c\n");
    const m = buildModel(d, "y ~ x + x2 + (1 | h)");
    expect(m.xNames).toEqual(["(Intercept)", "x"]);
    expect(m.droppedColumns).toEqual(["x2"]);
  });
  it("drops rows with missing values in the formula's variables only", () => {
    const d = readCsv("y,x,z,h\n1,1,NA,a\n2,,1,a\n3,3,1,b\nNA,4,1,b\n4,5,1,c\n6,6,1,c\n5,7,1,a\n");
    const m = buildModel(d, "y ~ x + (1 | h)");
    expect(m.n).toBe(5);
    expect(m.nDropped).toBe(2);
    expect(Array.from(m.rows)).toEqual([0, 2, 4, 5, 6]);
  });
  it("builds interaction and nested grouping factors with lme4's names and level labels", () => {
    const twice = readCsv("y,g,h\n1,u,q\n2,u,q\n3,v,p\n4,v,p\n5,u,p\n6,u,p\n7,v,r\n8,v,r\n");
    const m = buildModel(twice, "y ~ 1 + (1 | g/h)");
    expect(m.reTerms.map((t) => t.group)).toEqual(["h:g", "g"]);
    // levels ordered by h's level, then g's (R's ':' on factors), unused combinations dropped
    expect(m.reTerms[0]!.levels).toEqual(["p:u", "p:v", "q:u", "r:v"]);
    expect(Array.from(m.reTerms[0]!.refs)).toEqual([2, 2, 1, 1, 0, 0, 3, 3]);
  });
  it("makes a numeric grouping column's levels in R's order, whole numbers in a narrow range or not", () => {
    // whole numbers in a narrow range (read by value), negative ones too; then ids far apart, and fractions
    for (const ids of [[12, -3, 7, 12, 0, -3, 7, 100, 2, 2], [1234567, 3, 1234567, -700001, 3, 12, 12, -700001, 1, 1], [0.5, 2, 10, 0.5, 2, 10, 1.25, 1.25, 3, 3]]) {
      const rows = ids.map((g, i) => [i % 3, g]);
      const m = buildModel(tableFromRows(["y", "g"], rows), "y ~ 1 + (1 | g)", {});
      const sorted = [...new Set(ids)].sort((a, b) => a - b);
      expect(m.reTerms[0]!.levels).toEqual(sorted.map(String));
      expect(Array.from(m.reTerms[0]!.refs)).toEqual(ids.map((g) => sorted.indexOf(g)));
    }
  });

  it("orders random-effects terms by decreasing number of levels, as lme4", () => {
    const m = buildModel(data, "y ~ 1 + (1 | g) + (1 | h) + (1 | f)");
    expect(m.reTerms.map((t) => `${t.group}:${t.nl}`)).toEqual(["h:4", "f:3", "g:2"]);
  });
});

describe("buildModel: what lme4 refuses", () => {
  const message = (formula: string, text = "y,x,g\n1,1,a\n2,2,a\n3,3,a\n4,4,a\n"): string => {
    try {
      buildModel(readCsv(text), formula);
    } catch (e) {
      expect(e).toBeInstanceOf(HlmError);
      return (e as Error).message;
    }
    throw new Error("no error");
  };
  it("a grouping factor with one level", () => {
    expect(message("y ~ x + (1 | g)")).toBe("The grouping factor 'g' has only 1 level in the rows used; a random effect needs at least 2 (lme4 refuses this too).");
  });
  it("a grouping factor with as many levels as observations", () => {
    expect(message("y ~ x + (1 | g)", "y,x,g\n1,1,a\n2,2,b\n3,3,c\n")).toBe(
      "The grouping factor 'g' has 3 levels for 3 observations; it must have fewer levels than observations (lme4 refuses this too).",
    );
  });
  it("as many random effects as observations", () => {
    expect(message("y ~ x + (x | g)", "y,x,g\n1,1,a\n2,2,a\n3,3,b\n4,5,b\n5,4,c\n6,6,c\n")).toBe(
      "The term for 'g' has 6 random effects for 6 observations; there must be more observations than random effects (lme4 refuses this too).",
    );
  });
  it("text in a numeric column, naming the row", () => {
    expect(message("y ~ x + (1 | g)", "y,x,g\n1,1,a\n2,oops,b\n3,3,a\n4,4,b\n5,5,a\n")).toBe(
      "Column 'x' should be numeric but row 3 holds 'oops' (name it in --factors if it is categorical).",
    );
  });
  it("a formula whose every row is missing", () => {
    expect(message("y ~ x + (1 | g)", "y,x,g\n1,NA,a\n2,NA,b\n")).toBe("'x' is missing (empty or NA) in all 2 rows of the data; no rows are left to fit.");
  });
});

describe("levels of a numeric column used as a factor", () => {
  it("sorts them by value as R's factor() does (2 before 10), for fixed and grouping factors", () => {
    // R: d$a <- factor(c(2, 10, 1, ...)); levels 1, 2, 10; lmer(y ~ a + (1 | g)) has a2, a10; ranef(m)$g rows 1, 2, 3, 10, 11
    const g = [1, 2, 10, 11, 3].flatMap((v) => Array<number>(6).fill(v));
    const a = Array.from({ length: 30 }, (_, i) => [2, 10, 1][i % 3]!);
    const y = a.map((v, i) => v / 5 + Math.sin(i));
    const table = tableFromRows(["y", "a", "g"], y.map((v, i) => [v, a[i], g[i]]));
    const model = buildModel(table, "y ~ a + (1 | g)", { factors: ["a", "g"] });
    expect(model.xNames).toEqual(["(Intercept)", "a2", "a10"]);
    expect(model.factorLevels.a).toEqual(["1", "2", "10"]);
    expect(model.reTerms[0]!.levels).toEqual(["1", "2", "3", "10", "11"]);
    // a text column keeps R's string order
    const text = tableFromRows(["y", "a", "g"], y.map((v, i) => [v, `L${a[i]}`, g[i]]));
    expect(buildModel(text, "y ~ a + (1 | g)", { factors: ["g"] }).xNames).toEqual(["(Intercept)", "aL10", "aL2"]);
  });
});
