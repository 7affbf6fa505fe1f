import { describe, expect, it } from "vitest";
import { deparse, parseFormula } from "./parseFormula.js";

describe("parseFormula's names", () => {
  it("reads and prints names as R does, whatever their alphabet: backticks exactly where a name is not syntactic", () => {
    const names = ["x", "x.1", ".x", "x_y", "Größe", "αβ", "naïve_2", "日本"];
    const f = parseFormula(`y ~ ${names.join(" + ")} + (1 | g)`);
    expect(deparse(f.rhs)).toBe(`${names.join(" + ")} + (1 | g)`);
    // non-syntactic names, in backticks as written, print in backticks again
    const quoted = ["a b", "_x", "2x", ".5x", "x-y", "é è"];
    for (const name of quoted) expect(deparse(parseFormula(`y ~ \`${name}\``).rhs)).toBe(`\`${name}\``);
  });
});
