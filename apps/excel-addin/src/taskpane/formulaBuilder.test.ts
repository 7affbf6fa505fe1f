import { describe, expect, it } from "vitest";
import { buildFormula, checkFormulaText, closestColumn, emptyPickers, pickersFromFormula, quoteName, splitAtPosition } from "./formulaBuilder.js";

const columns = ["Reaction", "Days", "Subject"];

describe("buildFormula", () => {
  it("builds y ~ a + b + (a | g) from the pickers", () => {
    expect(buildFormula({ response: "y", fixed: ["a", "b"], group: "g", slopes: ["a"] })).toBe("y ~ a + b + (a | g)");
  });
  it("writes 1 for an empty side and leaves out the random term without a group", () => {
    expect(buildFormula({ response: "y", fixed: [], group: "g", slopes: [] })).toBe("y ~ 1 + (1 | g)");
    expect(buildFormula({ response: "y", fixed: ["x"], group: "", slopes: ["x"] })).toBe("y ~ x");
    expect(buildFormula(emptyPickers)).toBe("");
  });
  it("drops the response and the group from the effects, and quotes names R would not read", () => {
    expect(buildFormula({ response: "y", fixed: ["y", "x", "g"], group: "g", slopes: ["g", "x"] })).toBe("y ~ x + (x | g)");
    expect(quoteName("my col")).toBe("`my col`");
    expect(quoteName("ses.c")).toBe("ses.c");
    expect(quoteName(".5x")).toBe("`.5x`");
    expect(buildFormula({ response: "score 1", fixed: ["2nd"], group: "school", slopes: [] })).toBe("`score 1` ~ `2nd` + (1 | school)");
  });
  it("builds formulas the core parser reads back into the same pickers", () => {
    const p = { response: "Reaction", fixed: ["Days"], group: "Subject", slopes: ["Days"] };
    expect(pickersFromFormula(buildFormula(p))).toEqual(p);
    expect(checkFormulaText(buildFormula(p), columns).kind).toBe("ok");
  });
});

describe("pickersFromFormula", () => {
  it("reads response, main effects, the first grouping factor and its slopes", () => {
    expect(pickersFromFormula("score ~ flp * ses + (ses | school)")).toEqual({ response: "score", fixed: ["flp", "ses"], group: "school", slopes: ["ses"] });
    expect(pickersFromFormula("y ~ x + (1 | g) + (0 + x | g)")).toEqual({ response: "y", fixed: ["x"], group: "g", slopes: ["x"] });
    expect(pickersFromFormula("y ~ log(x) + z + (z || g)")).toEqual({ response: "y", fixed: ["z"], group: "g", slopes: ["z"] });
  });
  it("is null while the formula does not parse", () => {
    expect(pickersFromFormula("y ~ x + (x | ")).toBeNull();
    expect(pickersFromFormula("")).toBeNull();
  });
});

describe("checkFormulaText", () => {
  it("is empty for blank text and ok for a good formula", () => {
    expect(checkFormulaText("  ").kind).toBe("empty");
    expect(checkFormulaText("Reaction ~ Days + (Days | Subject)", columns).kind).toBe("ok");
  });
  it("gives the core parser's message and 1-based position", () => {
    const c = checkFormulaText("Reaction ~ Days + (Days | Subject", columns);
    expect(c.kind).toBe("error");
    if (c.kind !== "error") return;
    expect(c.message).toMatch(/Formula error at position/);
    expect(c.position).toBe(19); // the "(" that is not closed
    const d = checkFormulaText("Reaction ~ Days +* Subject");
    expect(d.kind === "error" && d.position).toBe(18);
  });
  it("names an unknown column at its position, with a suggestion", () => {
    const c = checkFormulaText("Reaction ~ Dayz + (Days | Subject)", columns);
    expect(c).toEqual({ kind: "error", message: "Unknown column 'Dayz' at position 12; did you mean 'Days'?", position: 12 });
    const d = checkFormulaText("Reaction ~ Days + (Days | Zzzzzzz)", columns);
    expect(d.kind === "error" && d.message).toBe("Unknown column 'Zzzzzzz' at position 27; the columns are Reaction, Days, Subject.");
    // functions are not columns
    expect(checkFormulaText("log(Reaction) ~ I(Days^2) + (1 | Subject)", columns).kind).toBe("ok");
  });
  it("does not check names before the data is known", () => {
    expect(checkFormulaText("a ~ b + (1 | c)").kind).toBe("ok");
  });
});

describe("helpers", () => {
  it("suggests close column names", () => {
    expect(closestColumn("reaction", columns)).toBe("Reaction");
    expect(closestColumn("Subjct", columns)).toBe("Subject");
    expect(closestColumn("zzz", columns)).toBeUndefined();
  });
  it("splits the text around a 1-based position", () => {
    expect(splitAtPosition("y ~ x +", 7)).toEqual({ before: "y ~ x ", at: "+", after: "" });
    expect(splitAtPosition("y ~", 4)).toEqual({ before: "y ~", at: " ", after: "" });
  });
});
