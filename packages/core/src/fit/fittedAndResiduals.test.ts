import { describe, expect, it } from "vitest";
import { readCsv } from "../io/readCsv.js";
import { buildModel } from "../model/buildModel.js";
import { fittedAndResiduals } from "./fittedAndResiduals.js";
import { fittedValues } from "./solveEffects.js";

/** 15 groups of 6 rows, three covariates and an offset, weights. */
function data(): string {
  const lines = ["y,x,z,u,o,w,g,h"];
  for (let t = 0; t < 90; t++) lines.push(`${(Math.sin(t) * 3 + t / 20).toFixed(4)},${((t * 7) % 11) / 3},${Math.cos(t * 1.3).toFixed(3)},${(t % 5) - 2},${(t % 3) / 10},${1 + (t % 4)},G${t % 15},H${t % 4}`);
  return lines.join("\n");
}

describe("fittedAndResiduals: one pass over the rows, the same sums as fittedValues", () => {
  const table = readCsv(data());
  it.each([
    ["y ~ x + (1 | g)", {}],
    ["y ~ x + z + (x | g)", {}],
    ["y ~ x + z + u + (x + z | g) + (1 | h)", {}],
    ["y ~ x + offset(o) + (x | g) + (1 | h)", { weights: "w" }],
  ] as const)("%s", (formula, extra) => {
    const model = buildModel(table, formula, { REML: true, ...extra });
    const beta = Array.from({ length: model.p }, (_, j) => 0.7 - 0.3 * j);
    const b = model.reTerms.map((t, i) => Float64Array.from({ length: t.nl * t.p }, (_, k) => Math.sin(k + i) / 3));
    const sigma = 1.7;
    const r = fittedAndResiduals(model, beta, b, sigma);
    const f = fittedValues(model, beta, b);
    expect(Array.from(r.fitted)).toEqual(Array.from(f));
    for (let t = 0; t < model.n; t++) {
      expect(r.residuals[t]).toBe(model.y[t]! - f[t]!);
      const w = model.weights ? Math.sqrt(model.weights[t]!) : 1;
      expect(r.scaledResiduals[t]).toBeCloseTo(((model.y[t]! - f[t]!) * w) / sigma, 14);
    }
  });
});
