import { buildModel, modelTerms, parseStructure, tableFromRows } from "@hlm/core";
import { describe, expect, it } from "vitest";
import { argumentLines, checkResiduals, correlationText, defaultResiduals, formatStructure, hasProblems, keepResiduals, residualGroup, varianceText, type ResidualChoices } from "./residualBuilder.js";
import type { ColumnInfo } from "./state.js";

const columns: ColumnInfo[] = [
  { name: "weight", kind: "number" },
  { name: "Time", kind: "number" },
  { name: "Rat", kind: "string" },
  { name: "Diet", kind: "string" },
  { name: "day of study", kind: "number" },
];
const choices = (over: Partial<ResidualChoices>): ResidualChoices => ({ ...defaultResiduals, ...over });
const terms = modelTerms("weight ~ Time * Diet + (Time | Rat)");

describe("residualGroup", () => {
  it("is the one plain grouping column of the random terms, else null (nlme's default: the innermost grouping)", () => {
    expect(residualGroup(terms)).toBe("Rat");
    expect(residualGroup(modelTerms("y ~ x + (1 | g) + (0 + x | g)"))).toBe("g");
    expect(residualGroup(modelTerms("y ~ x + (1 | a/b)"))).toBeNull();
    expect(residualGroup(modelTerms("y ~ x + (1 | a) + (1 | b)"))).toBeNull();
    expect(residualGroup(modelTerms("y ~ x"))).toBeNull();
    expect(residualGroup(null)).toBeNull();
  });
});

describe("correlationText and varianceText", () => {
  it("build nlme's texts: the covariate (1 for the rows' order) and the formula's group", () => {
    expect(correlationText(choices({}), "Rat")).toBeNull();
    expect(correlationText(choices({ correlation: "ar1" }), "Mare")).toBe("corAR1(form = ~ 1 | Mare)");
    expect(correlationText(choices({ correlation: "ar1" }), null)).toBe("corAR1()");
    expect(correlationText(choices({ correlation: "ar1", time: "Time" }), "Rat")).toBe("corAR1(form = ~ Time | Rat)");
    expect(correlationText(choices({ correlation: "car1", time: "Time" }), "Rat")).toBe("corCAR1(form = ~ Time | Rat)");
    expect(correlationText(choices({ correlation: "car1", time: "Time" }), null)).toBe("corCAR1(form = ~ Time)");
    expect(correlationText(choices({ correlation: "car1" }), "Rat")).toBeNull(); // until its time is chosen
    expect(correlationText(choices({ correlation: "compsymm", time: "Time" }), "Subject")).toBe("corCompSymm(form = ~ 1 | Subject)"); // no time for compound symmetry
    expect(correlationText(choices({ correlation: "symm" }), "Subject")).toBe("corSymm(form = ~ 1 | Subject)");
    expect(correlationText(choices({ correlation: "symm", time: "day of study" }), "my group")).toBe("corSymm(form = ~ `day of study` | `my group`)");
    expect(varianceText(choices({}))).toBeNull();
    expect(varianceText(choices({ variance: "ident" }))).toBeNull(); // until its column is chosen
    expect(varianceText(choices({ variance: "ident", varianceColumn: "Diet" }))).toBe("varIdent(form = ~ 1 | Diet)");
    expect(varianceText(choices({ variance: "power", varianceColumn: "Time" }))).toBe("varPower(form = ~ Time)");
    expect(varianceText(choices({ variance: "exp", varianceColumn: "day of study" }))).toBe("varExp(form = ~ `day of study`)");
  });

  it("are texts the engine reads, and fits: AR(1) by the rows' order and varIdent on a small table", () => {
    for (const c of ["ar1", "car1", "compsymm", "symm"] as const) {
      const text = correlationText(choices({ correlation: c, time: "Time" }), "Rat")!;
      expect(parseStructure("correlation", text).text).toBe(text);
    }
    const rows = Array.from({ length: 24 }, (_, i) => [10 + (i % 4) + Math.sin(i) * 2 + (i >= 12 ? 3 : 0), i % 4, `r${Math.floor(i / 4)}`, i >= 12 ? "B" : "A"]);
    const table = tableFromRows(["weight", "Time", "Rat", "Diet"], rows);
    const model = buildModel(table, "weight ~ Time + (1 | Rat)", {
      correlation: correlationText(choices({ correlation: "ar1" }), "Rat")!,
      variance: varianceText(choices({ variance: "ident", varianceColumn: "Diet" }))!,
    });
    expect(model.residual?.correlation?.class).toBe("corAR1");
    expect(model.residual?.strata).toEqual(["A", "B"]);
  });
});

describe("checkResiduals", () => {
  it("has nothing to say about independent residuals with equal variances, or complete choices", () => {
    expect(checkResiduals(defaultResiduals, columns, terms)).toEqual({});
    expect(checkResiduals(choices({ correlation: "ar1" }), columns, terms)).toEqual({}); // the rows' order
    expect(checkResiduals(choices({ correlation: "car1", time: "Time", variance: "ident", varianceColumn: "Diet" }), columns, terms)).toEqual({});
  });

  it("asks for the columns a choice needs, numeric where they must be, and for the random effects' groups", () => {
    expect(checkResiduals(choices({ correlation: "car1" }), columns, terms)).toEqual({ time: "Choose the time column." });
    expect(checkResiduals(choices({ correlation: "ar1", time: "Rat" }), columns, terms)).toEqual({ time: "The time column 'Rat' holds text; choose a numeric column." });
    expect(checkResiduals(choices({ correlation: "symm", time: "Diet" }), columns, terms)).toEqual({ time: "The position column 'Diet' holds text; choose a numeric column." });
    expect(checkResiduals(choices({ variance: "ident" }), columns, terms)).toEqual({ varianceColumn: "Choose the column whose groups get their own variance." });
    expect(checkResiduals(choices({ variance: "power", varianceColumn: "Diet" }), columns, terms)).toEqual({ varianceColumn: "The variance covariate 'Diet' holds text; choose a numeric column." });
    expect(checkResiduals(choices({ correlation: "car1", time: "Days" }), columns, terms)).toEqual({ time: "The data has no column 'Days'; choose the time column again." });
    const p = checkResiduals(choices({ correlation: "ar1" }), columns, modelTerms("weight ~ Time"));
    expect(p).toEqual({ correlation: "A residual structure works within the groups of the random effects: add a grouping factor to the formula, such as (1 | Subject)." });
    expect(hasProblems(p)).toBe(true);
    expect(hasProblems({})).toBe(false);
  });
});

describe("argumentLines", () => {
  it("puts a text too wide for one line of the pane on the line after its argument", () => {
    expect(argumentLines([{ name: "correlation", text: "corAR1(form = ~ 1 | Mare)" }, { name: "weights", text: "varIdent(form = ~ 1 | Sex)" }])).toEqual([
      { name: "correlation", text: "corAR1(form = ~ 1 | Mare)", wrap: false },
      { name: "weights", text: "varIdent(form = ~ 1 | Sex)", wrap: false },
    ]);
    expect(argumentLines([{ name: "correlation", text: "corCAR1(form = ~ Time | Rat)" }])[0]!.wrap).toBe(true);
    expect(argumentLines([{ name: "correlation", text: "corCAR1(form = ~ 1 | Mare)" }])[0]!.wrap).toBe(true); // 40 characters
  });
});

describe("keepResiduals and formatStructure", () => {
  it("clears the columns a new range does not have", () => {
    const c = choices({ correlation: "car1", time: "Time", variance: "ident", varianceColumn: "Diet" });
    expect(keepResiduals(c, new Set(["Time", "Sex"]))).toEqual({ ...c, varianceColumn: "" });
  });
  it("writes the estimates in four significant digits", () => {
    expect(formatStructure({ label: "AR(1)", names: ["Phi"], values: [0.597466532739396] })).toBe("AR(1): Phi = 0.5975");
    expect(formatStructure({ label: "Different standard deviations per stratum", names: ["Female", "Male"], values: [1, 2.13723] })).toBe(
      "Different standard deviations per stratum: Female = 1, Male = 2.137",
    );
  });
});
