import { describe, expect, it } from "vitest";
import { tableFromRows } from "../io/tableFromRows.js";
import { buildModel } from "../model/buildModel.js";
import type { Model } from "../model/Model.js";
import { assembleCrossProducts } from "../objective/assembleCrossProducts.js";
import { blockedLayout } from "../objective/blockedLayout.js";
import { symbolicElimination } from "../objective/symbolicElimination.js";
import { glmFamily } from "./families.js";
import { rowPatterns } from "./rowPatterns.js";
import { rowSpace } from "./rowSpace.js";
import { planSize, scatterPlan, workingCrossProducts } from "./workingCrossProducts.js";

/** A fixed sequence in [0, 1) (the fractional parts of a scaled sine), for data that only has to look irregular. */
function uniform(seed: number): () => number {
  let k = seed;
  return () => {
    const v = Math.sin(++k * 12.9898) * 43758.5453;
    return v - Math.floor(v);
  };
}

/** Crossed groups, a two-level factor, a numeric variable of few values or of many, and a random slope. */
function model(formula: string, fewValues: boolean): Model {
  const r = uniform(7);
  const rows: unknown[][] = [];
  for (let t = 0; t < 400; t++) {
    rows.push([r() < 0.5 ? 1 : 0, `g${Math.floor(r() * 30)}`, `h${Math.floor(r() * 12)}`, r() < 0.4 ? "a" : "b", fewValues ? Math.floor(r() * 5) : r() * 10]);
  }
  return buildModel(tableFromRows(["y", "g", "h", "f", "x"], rows), formula, { REML: false, factors: ["g", "h", "f"] });
}

describe("workingCrossProducts", () => {
  it.each([
    ["y ~ f * x + (1 | g) + (1 | h)", true],
    ["y ~ f * x + (1 | g) + (1 | h)", false],
    ["y ~ f + x + (x | g)", true],
    ["y ~ f + x + (x | g) + (1 | h)", false],
  ])("re-forms A = [Z X z]'W[Z X z] as the linear model's assembly does (%s, few values of x: %s)", (formula, few) => {
    const base = model(formula, few);
    const r = uniform(11);
    const w = Float64Array.from({ length: base.n }, () => 0.05 + r());
    const z = Float64Array.from({ length: base.n }, () => 4 * r() - 2);
    const wm: Model = { ...base, y: z, weights: w, offset: null, residual: null };
    const layout = blockedLayout(base.reTerms, base.p, symbolicElimination(base.reTerms, base.n));
    const A = workingCrossProducts(wm, layout);
    const expected = assembleCrossProducts(wm, layout);
    const check = (): void => {
      expect(A.cross.Anodes.length).toBe(expected.Anodes.length);
      A.cross.Anodes.forEach((v, i) => expect(Math.abs(v - expected.Anodes[i]!)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(expected.Anodes[i]!))));
      A.cross.ARR.forEach((v, i) => expect(Math.abs(v - expected.ARR[i]!)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(expected.ARR[i]!))));
    };
    A.fill(w, z);
    check();
    // the response's products alone, on A's other products restored from a fill at z = 0
    A.fill(w, new Float64Array(base.n));
    const restored = A.values.slice();
    A.fill(Float64Array.from(w, (v) => 2 * v), z);
    A.values.set(restored);
    A.fillResponse(w, z);
    check();
  });

  it.each([
    ["y ~ f * x + (1 | g) + (1 | h)", true],
    ["y ~ f + x + (x | g) + (1 | h)", false],
  ])("scatters in WebAssembly, from a row space, to the same A to the last bit (%s)", (formula, few) => {
    const base = model(formula, few);
    const r = uniform(13);
    const layout = blockedLayout(base.reTerms, base.p, symbolicElimination(base.reTerms, base.n));
    const plan = scatterPlan(base, layout);
    const space = rowSpace(glmFamily("binomial", "probit"), base.y, new Float64Array(base.n).fill(1), 2, planSize(plan, layout))!;
    const [w, z] = [space.array(), space.array()];
    w.set(Float64Array.from({ length: base.n }, () => 0.05 + r()));
    z.set(Float64Array.from({ length: base.n }, () => 4 * r() - 2));
    const wm: Model = { ...base, y: z, weights: w, offset: null, residual: null };
    const inWasm = workingCrossProducts(wm, layout, rowPatterns(base.X, base.n, base.p), plan, space);
    const inJs = workingCrossProducts(wm, layout, rowPatterns(base.X, base.n, base.p), plan);
    expect(space.scatter.owns(inWasm.values)).toBe(true);
    inWasm.fill(w, z);
    inJs.fill(w, z);
    expect(Array.from(inWasm.values)).toEqual(Array.from(inJs.values));
    inWasm.fillResponse(w, w);
    inJs.fillResponse(w, w);
    expect(Array.from(inWasm.values)).toEqual(Array.from(inJs.values));
    // weights outside the space: the TypeScript loops, the same A
    inWasm.fill(w.slice(), z.slice());
    inJs.fill(w, z);
    expect(Array.from(inWasm.values)).toEqual(Array.from(inJs.values));
  });
});
