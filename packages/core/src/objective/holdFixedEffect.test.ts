import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readCsv } from "../io/readCsv.js";
import { buildModel } from "../model/buildModel.js";
import type { Model } from "../model/Model.js";
import { crossProducts } from "./crossProducts.js";
import { holdFixedEffect } from "./holdFixedEffect.js";
import { makeObjective } from "./makeObjective.js";

const conformance = new URL("../../test/conformance/", import.meta.url);
const table = (name: string): ReturnType<typeof readCsv> => readCsv(readFileSync(new URL(`${name}.csv`, conformance), "utf8"));

/** The model with β_j held at b from its rows: X_j·b added to the offset, column j dropped (lme4's offset device). */
function withRows(model: Model, j: number, b: number): Model {
  const { n, p, X } = model;
  const rest = new Float64Array(n * (p - 1));
  rest.set(X.subarray(0, j * n), 0);
  rest.set(X.subarray((j + 1) * n), j * n);
  const offset = Float64Array.from({ length: n }, (_, t) => (model.offset?.[t] ?? 0) + b * X[j * n + t]!);
  return { ...model, X: rest, p: p - 1, xNames: model.xNames.filter((_, c) => c !== j), offset };
}

describe("holdFixedEffect: A with β_j held at b is the A of the model with X_j·b in its offset", () => {
  const cases: [string, string, string[]][] = [
    // one term: the nodes' X and y rows
    ["sleepstudy", "Reaction ~ Days + (Days | Subject)", []],
    // nested: two levels of nodes
    ["Pastes", "strength ~ 1 + (1 | batch) + (1 | sample)", []],
    // crossed: the dense tail holds a term's levels beside X and y
    ["Penicillin", "diameter ~ plate + (1 | sample)", []],
    // a factor's columns and a slope, the intercept held
    ["hsb", "MathAch ~ SES * Sector + (SES | School)", ["Sector"]],
  ];
  for (const [data, formula, factors] of cases) {
    it(`${data}: ${formula}`, () => {
      const model = buildModel(table(data), formula, { REML: false, factors });
      const cross = crossProducts(model);
      const before = Float64Array.from(cross.ARR);
      const theta = makeObjective(model).layout.initial.map((v, i) => v * (0.6 + 0.3 * i));
      for (let j = 0; j < model.p; j++) {
        for (const b of [-1.5, 0.3, 7]) {
          const held = makeObjective(model, holdFixedEffect(cross, model.p, j, b)).evaluate(theta);
          const fromRows = makeObjective(withRows(model, j, b)).evaluate(theta);
          expect(Math.abs(held - fromRows) / Math.abs(fromRows), `${model.xNames[j]} at ${b}`).toBeLessThan(1e-10);
        }
      }
      // A itself is left as it was
      expect(cross.ARR).toEqual(before);
    });
  }
});
