import { describe, expect, it } from "vitest";
import { tableFromRows } from "../io/tableFromRows.js";
import { buildModel } from "./buildModel.js";

const g = ["a", "a", "b", "b", "c", "c"];

describe("binomial responses, as glm reads them", () => {
  it("cbind(s, f): the proportion s/(s + f), with s + f as the prior weight (times a weights column)", () => {
    const t = tableFromRows(["s", "n", "x", "w", "g"], [3, 1, 0, 2, 5, 4].map((s, i) => [s, 5, i, i + 1, g[i]!]));
    const m = buildModel(t, "cbind(s, n - s) ~ x + (1 | g)", { family: "binomial" });
    expect(Array.from(m.y)).toEqual([0.6, 0.2, 0, 0.4, 1, 0.8]);
    expect(Array.from(m.weights!)).toEqual([5, 5, 5, 5, 5, 5]);
    expect(m.responseName).toBe("cbind(s, n - s)");
    const mw = buildModel(t, "cbind(s, n - s) ~ x + (1 | g)", { family: "binomial", weights: "w" });
    expect(Array.from(mw.weights!)).toEqual([5, 10, 15, 20, 25, 30]);
  });
  it("a two-level categorical column: its first level in C order is failure (0)", () => {
    const t = tableFromRows(["r", "x", "g"], ["Y", "N", "N", "Y", "Y", "N"].map((r, i) => [r, i, g[i]!]));
    const m = buildModel(t, "r ~ x + (1 | g)", { family: "binomial" });
    expect(Array.from(m.y)).toEqual([1, 0, 0, 1, 1, 0]);
    expect(m.weights).toBeNull();
  });
  it("refuses a categorical response with other than two levels, and cbind() with other than two columns", () => {
    const t = tableFromRows(["r", "x", "g"], ["Y", "N", "M", "Y", "Y", "N"].map((r, i) => [r, i, g[i]!]));
    expect(() => buildModel(t, "r ~ x + (1 | g)", { family: "binomial" })).toThrow("A categorical binomial response needs exactly two levels, but 'r' has 3.");
    expect(() => buildModel(t, "cbind(x) ~ 1 + (1 | g)", { family: "binomial" })).toThrow("cbind() in the response of 'cbind(x) ~ 1 + (1 | g)' needs two columns, successes and failures, as in cbind(s, n - s).");
  });
  it("leaves a linear mixed model's response as it was: a categorical response is refused", () => {
    const t = tableFromRows(["r", "x", "g"], ["Y", "N", "N", "Y", "Y", "N"].map((r, i) => [r, i, g[i]!]));
    expect(() => buildModel(t, "r ~ x + (1 | g)")).toThrow();
  });
});
