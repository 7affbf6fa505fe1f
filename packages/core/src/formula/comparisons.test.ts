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

describe("comparisons with a quoted text: a column's values as R's == and != read them", () => {
  const lines = ["y,sex,g"];
  for (let t = 0; t < 40; t++) lines.push(`${(Math.sin(t) * 2 + (t % 3) + (t % 2 ? 1.5 : 0)).toFixed(4)},${t % 2 ? "M" : "F"},G${t % 8}`);
  const table = readCsv(lines.join("\n"));
  it('I(sex == "M") is the same column as sex\'s treatment contrast, named as lme4 names it', () => {
    const a = fit(table, 'y ~ I(sex == "M") + (1 | g)', { REML: false });
    const b = fit(table, "y ~ sex + (1 | g)", { REML: false });
    expect(a.fixefNames).toEqual(["(Intercept)", 'I(sex == "M")TRUE']);
    expect(a.fixef[1]).toBeCloseTo(b.fixef[1]!, 10);
    expect(a.logLik).toBeCloseTo(b.logLik, 10);
    const c = fit(table, 'y ~ I(sex != "M") + (1 | g)', { REML: false });
    expect(c.fixef[1]).toBeCloseTo(-b.fixef[1]!, 10);
  });
  it("refuses a quoted text compared with anything but a column, naming the position", () => {
    expect(() => fit(table, 'y ~ I("M" == "F") + (1 | g)')).toThrow('A quoted text can be compared only with a column, as in r2 == "Y" (\'y ~ I("M" == "F") + (1 | g)\', position 7).');
  });
});
