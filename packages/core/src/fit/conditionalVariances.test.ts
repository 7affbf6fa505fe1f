import { describe, expect, it } from "vitest";
import { readCsv } from "../io/readCsv.js";
import { wasmRowPasses } from "../kernels/wasmKernels.js";
import { buildModel } from "../model/buildModel.js";
import { makeObjective } from "../objective/makeObjective.js";
import { conditionalVariances } from "./conditionalVariances.js";

/** 480 rows: 120 pupils nested in 40 schools (not declared so), crossed with 9 raters, with weights. */
function rows(): string {
  const lines = ["y,x,w,pupil,school,rater"];
  for (let t = 0; t < 480; t++) {
    const pupil = t % 120;
    lines.push(`${(Math.sin(t) * 3 + (pupil % 7) + (t % 9) / 4).toFixed(4)},${((t * 7) % 11) / 3},${1 + (t % 3) / 2},P${pupil},S${pupil % 40},R${(t * 5) % 9}`);
  }
  return lines.join("\n");
}

describe("conditionalVariances: the nodes' levels in WebAssembly (from 32 nodes) give the TypeScript's bits", () => {
  const table = readCsv(rows());
  it.each([
    ["y ~ x + (1 | pupil) + (1 | school)", false],
    ["y ~ x + (x | pupil) + (x | school)", true],
    ["y ~ x + (1 | school/pupil) + (1 | rater)", false],
    ["y ~ x + (x | pupil) + (1 | school) + (x | rater)", true],
  ] as const)("%s (weights: %s)", (formula, weighted) => {
    const model = buildModel(table, formula, weighted ? { weights: "w" } : {});
    const objective = makeObjective(model);
    const theta = Array.from(objective.layout.initial, (v, i) => (v === 1 ? 0.6 + 0.15 * i : 0.1));
    const fac = objective.factorize(theta);
    expect(fac.cross.nNodes).toBeGreaterThanOrEqual(32);
    if (formula.includes("rater")) expect(fac.cross.qRest).toBeGreaterThan(0);
    expect(wasmRowPasses()).not.toBeNull();
    const viaWasm = conditionalVariances(model, fac.cross, fac, 1.7);
    const viaTypeScript = conditionalVariances(model, fac.cross, fac, 1.7, false);
    expect(viaWasm.map((v) => Array.from(v))).toEqual(viaTypeScript.map((v) => Array.from(v)));
    // every level's conditional variance is positive
    for (const v of viaWasm) for (const x of v) expect(x).toBeGreaterThan(0);
  });
});
