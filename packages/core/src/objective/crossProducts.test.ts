import { describe, expect, it } from "vitest";
import { buildModel } from "../model/buildModel.js";
import { crossProducts } from "./crossProducts.js";
import { makeObjective } from "./makeObjective.js";
import { denseDeviance } from "../../test/denseDeviance.js";
import { readCsv } from "../io/readCsv.js";

/** 3 schools × 2 classes × 3 pupils, crossed with 4 raters. */
function data(): string {
  const lines = ["y,x,school,class,rater"];
  let t = 0;
  for (let s = 0; s < 3; s++)
    for (let c = 0; c < 2; c++)
      for (let i = 0; i < 3; i++, t++) lines.push(`${(Math.sin(t) * 3 + s + c).toFixed(3)},${(t % 5) / 2},S${s},C${c},R${t % 4}`);
  return lines.join("\n");
}

describe("crossProducts: which terms stay block diagonal", () => {
  const table = readCsv(data());
  it.each([
    ["y ~ x + (1 | school)", 1, 3],
    ["y ~ x + (1 | school/class)", 2, 3],
    ["y ~ x + (x | school/class)", 2, 3],
    ["y ~ x + (1 | school) + (0 + x | school)", 2, 3],
    ["y ~ x + (1 | school) + (1 | rater)", 1, 3 + 3],
    ["y ~ x + (1 | school/class) + (1 | rater)", 1, 3 + 4 + 3],
  ])("%s: %i terms eliminated level by level, a dense tail of %i rows", (formula, s, m) => {
    const cross = crossProducts(buildModel(table, formula));
    expect(cross.s).toBe(s);
    expect(cross.m).toBe(m);
  });

  it.each([
    "y ~ x + (1 | school)",
    "y ~ x + (x | school/class)",
    "y ~ x + (1 | school) + (0 + x | school)",
    "y ~ x + (1 | school/class) + (1 | rater)",
  ])("%s: the blocked objective equals the dense marginal likelihood", (formula) => {
    const model = buildModel(table, formula, { REML: false });
    const objective = makeObjective(model);
    for (const scale of [1, 0.4, 1.7]) {
      const theta = Array.from(objective.layout.initial, (v, i) => (v === 1 ? scale * (1 + 0.1 * i) : 0.2 * scale));
      expect(objective.evaluate(theta)).toBeCloseTo(denseDeviance(model, theta), 8);
    }
  });
});
