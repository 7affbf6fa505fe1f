import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { formatPValues, formatReal, pValueNumberFormat } from "./formatPValues.js";

/** R's format.pval on columns of p-values (test/fixtures/formatPValues/formatPValues.R). */
const cases = JSON.parse(readFileSync(new URL("../../test/fixtures/formatPValues/formatPValues.json", import.meta.url), "utf8")) as { p: number[]; digits3: string[]; digits4: string[] }[];

/**
 * A number as Excel shows it under the formats pValueNumberFormat makes: up to two conditional
 * sections `[<x]` and a last one for the rest; a section is a quoted text, `0.000` (fixed) or
 * `0.00e-00` (scientific, lower-case e, a sign only for negative exponents).
 */
function excelText(v: number, format: string): string {
  const sections = format.match(/(?:"[^"]*"|[^;])+/g)!;
  const pick = sections.find((s) => {
    const m = /^\[<([^\]]+)\]/.exec(s);
    return m !== null && v < Number(m[1]);
  }) ?? sections.find((s) => !s.startsWith("[<"))!;
  const body = pick.replace(/^\[<[^\]]+\]/, "");
  if (body.startsWith('"')) return body.slice(1, -1);
  const sci = /^0(?:\.(0+))?e-00$/.exec(body);
  if (sci) {
    const [m, e] = v.toExponential(sci[1]?.length ?? 0).split("e") as [string, string];
    const exp = Number(e);
    return `${m}e${exp < 0 ? "-" : ""}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  const fixed = /^0(?:\.(0+))?$/.exec(body);
  if (!fixed) throw new Error(`not a format of pValueNumberFormat: ${body}`);
  return v.toFixed(fixed[1]?.length ?? 0);
}

describe("formatPValues: R's format.pval", () => {
  it.each(cases.map((c) => [c.p.join(", "), c] as const))("%s", (_, c) => {
    expect(formatPValues(c.p, 3)).toEqual(c.digits3);
    expect(formatPValues(c.p, 4)).toEqual(c.digits4);
  });
  it("missing p-values are NA, and do not change how the others are written", () => {
    expect(formatPValues([0.0267, NaN, 0.5], 3)).toEqual(["0.0267", "NA", "0.5000"]);
  });
});

describe("pValueNumberFormat: the workbook's p-values read as R prints them", () => {
  it.each(cases.map((c) => [c.p.join(", "), c] as const))("%s", (_, c) => {
    for (const digits of [3, 4] as const) {
      const format = pValueNumberFormat(c.p, digits);
      expect(c.p.map((p) => excelText(p, format))).toEqual(digits === 3 ? c.digits3 : c.digits4);
    }
  });
  it("is R's summary format for lme4's sleepstudy p-values: '< 2e-16', '3.26e-06'", () => {
    expect(pValueNumberFormat([1.2e-17, 3.26e-6], 3)).toBe('[<2.22044604925031E-16]"< 2e-16";[<0.0001]0.00e-00;0.000');
  });
});

describe("formatReal: R's choice of fixed or scientific notation", () => {
  it.each([
    [[0.0267, 0.5], 3, { scientific: false, decimals: 4 }],
    [[3.2e-6, 1.1e-7], 3, { scientific: true, decimals: 1 }],
    [[0.000123], 3, { scientific: false, decimals: 6 }],
    [[123456789], 3, { scientific: true, decimals: 2 }],
    [[-1.5, 20], 4, { scientific: false, decimals: 1 }],
  ] as const)("%j, digits %d", (xs, digits, expected) => {
    expect(formatReal(xs, digits)).toEqual(expected);
  });
});
