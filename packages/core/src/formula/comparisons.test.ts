import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fit } from "../fit/fit.js";
import { readCsv } from "../io/readCsv.js";
import { deparse, parseFormula } from "./parseFormula.js";

describe("comparisons: R's logical variables", () => {
  it("parse below + and above |, and deparse as R does", () => {
    const f = parseFormula("y ~ I(Days >= 2 + 1) + I(x != 0) + (1 | g)");
    expect(deparse(f.rhs)).toBe("I(Days >= 2 + 1) + I(x != 0) + (1 | g)");
    const call = parseFormula("y ~ I(a < b * 2)").rhs;
    expect(call.type === "call" && call.args[0]!.type === "binary" && call.args[0]!.op).toBe("<");
    expect(deparse(parseFormula("y ~ I(a == 1)").rhs)).toBe("I(a == 1)");
  });
  it("I(Days > 4) is categorical with levels FALSE, TRUE, as lme4's coefficient I(Days > 4)TRUE (sleepstudy, ML)", () => {
    const table = readCsv(readFileSync(new URL("../../test/conformance/sleepstudy.csv", import.meta.url), "utf8"));
    const m = fit(table, "Reaction ~ I(Days > 4) + (1 | Subject)", { REML: false });
    expect(m.fixefNames).toEqual(["(Intercept)", "I(Days > 4)TRUE"]);
    // lme4 1.1-31: fixef 271.6301788889, 53.7554255556; logLik −912.56418384
    expect(m.fixef[0]).toBeCloseTo(271.6301788889, 5);
    expect(m.fixef[1]).toBeCloseTo(53.7554255556, 5);
    expect(m.logLik).toBeCloseTo(-912.56418384, 5);
  });
});
