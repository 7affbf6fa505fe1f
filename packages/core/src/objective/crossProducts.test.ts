import { describe, expect, it } from "vitest";
import { buildModel } from "../model/buildModel.js";
import { assembleCrossProducts } from "./assembleCrossProducts.js";
import { crossProducts } from "./crossProducts.js";
import { makeObjective } from "./makeObjective.js";
import { denseDeviance } from "../../test/denseDeviance.js";
import { readCsv } from "../io/readCsv.js";
import { wasmRowPasses } from "../kernels/wasmKernels.js";

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

describe("crossProducts: one term's blocks, row by row (the WebAssembly pass from 64 rows gives these bits)", () => {
  /** 100 rows in 9 groups, with weights. */
  function rows(): string {
    const lines = ["y,x,z,w,g"];
    for (let t = 0; t < 100; t++) lines.push(`${(Math.sin(t) * 3 + (t % 9)).toFixed(4)},${((t * 7) % 11) / 3},${Math.cos(t).toFixed(3)},${1 + (t % 3) / 2},G${(t * 5) % 9}`);
    return lines.join("\n");
  }
  const table = readCsv(rows());
  it.each([
    ["y ~ x + (1 | g)", false],
    ["y ~ x + z + (x | g)", false],
    ["y ~ x + (1 | g)", true],
    ["y ~ x * z + (z | g)", true],
  ] as const)("%s (weights: %s)", (formula, weighted) => {
    const model = buildModel(table, formula, weighted ? { weights: "w" } : {});
    const cross = crossProducts(model);
    const term = model.reTerms[0]!;
    const pi = term.p;
    const { n, p, X, y, weights } = model;
    const A = new Float64Array(cross.nodeValues);
    // the TypeScript pass of assembleCrossProducts (its operations, in its order)
    for (let t = 0; t < n; t++) {
      const u = term.refs[t]!;
      const w = weights ? weights[t]! : 1;
      const d0 = cross.diagOff[u]!;
      const v0 = cross.valOff[u]!;
      if (pi === 1) {
        const zt = term.z[t]!;
        A[d0]! += zt * w * zt;
        for (let j = 0; j < p; j++) A[v0 + j]! += X[j * n + t]! * w * zt;
        A[v0 + p]! += y[t]! * w * zt;
      } else {
        const z0 = term.z[2 * t]! * w;
        const z1 = term.z[2 * t + 1]! * w;
        const zz0 = term.z[2 * t]!;
        const zz1 = term.z[2 * t + 1]!;
        A[d0]! += z0 * zz0;
        A[d0 + 1]! += z0 * zz1;
        A[d0 + 2]! += z1 * zz0;
        A[d0 + 3]! += z1 * zz1;
        let o = v0;
        for (let j = 0; j < p; j++, o += 2) {
          A[o]! += X[j * n + t]! * z0;
          A[o + 1]! += X[j * n + t]! * z1;
        }
        A[o]! += y[t]! * z0;
        A[o + 1]! += y[t]! * z1;
      }
    }
    expect(Array.from(cross.Anodes)).toEqual(Array.from(A));
  });
});

describe("crossProducts: several terms' node blocks (the WebAssembly pass from 64 rows gives the TypeScript's bits)", () => {
  /** 240 rows: pupils nested in 12 schools (not declared so), crossed with 7 raters, with weights. */
  function rows(): string {
    const lines = ["y,x,z,w,pupil,school,rater"];
    for (let t = 0; t < 240; t++) {
      const pupil = t % 60;
      lines.push(`${(Math.sin(t) * 3 + (pupil % 5)).toFixed(4)},${((t * 7) % 11) / 3},${Math.cos(t).toFixed(3)},${1 + (t % 3) / 2},P${pupil},S${pupil % 12},R${(t * 3) % 7}`);
    }
    return lines.join("\n");
  }
  const table = readCsv(rows());
  it.each([
    ["y ~ x + (1 | pupil) + (1 | school)", false],
    ["y ~ x + (x | pupil) + (x | school)", true],
    ["y ~ x * z + (1 | school/pupil) + (z | rater)", true],
    ["y ~ x + (x + z | pupil) + (1 | school) + (1 | rater)", false],
    ["y ~ 1 + (1 | pupil) + (0 + x | school)", true],
  ] as const)("%s (weights: %s)", (formula, weighted) => {
    const model = buildModel(table, formula, weighted ? { weights: "w" } : {});
    const cross = crossProducts(model);
    expect(model.reTerms.length).toBeGreaterThan(1);
    expect(cross.s).toBeGreaterThan(0);
    expect(wasmRowPasses()).not.toBeNull();
    const typescript = assembleCrossProducts(model, cross, undefined, false);
    expect(cross.Anodes.some((v) => v !== 0)).toBe(true);
    expect(Array.from(cross.Anodes)).toEqual(Array.from(typescript.Anodes));
    expect(Array.from(cross.ARR)).toEqual(Array.from(typescript.ARR));
  });
});

describe("crossProducts: the tail of X and y (the WebAssembly dot products from 64 rows give the TypeScript's bits)", () => {
  const lines = ["y,x,z,w,g"];
  for (let t = 0; t < 150; t++) lines.push(`${(Math.sin(t) * 3 + (t % 9)).toFixed(4)},${((t * 7) % 11) / 3},${Math.cos(t).toFixed(3)},${1 + (t % 3) / 2},G${(t * 5) % 13}`);
  const table = readCsv(lines.join("\n"));
  it.each(["y ~ x + (1 | g)", "y ~ x * z + (z | g)", "y ~ 1 + (1 | g)"])("%s", (formula) => {
    const model = buildModel(table, formula);
    const cross = crossProducts(model);
    expect(wasmRowPasses()).not.toBeNull();
    const typescript = assembleCrossProducts(model, cross, undefined, false);
    expect(cross.ARR.some((v) => v !== 0)).toBe(true);
    expect(Array.from(cross.ARR)).toEqual(Array.from(typescript.ARR));
    expect(Array.from(cross.Anodes)).toEqual(Array.from(typescript.Anodes));
  });
});
