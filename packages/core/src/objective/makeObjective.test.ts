import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { denseDeviance } from "../../test/denseDeviance.js";
import { buildModel } from "../model/buildModel.js";
import { makeObjective } from "./makeObjective.js";
import { tailIndex, wasmTailIndex } from "../linalg/tailRankUpdate.js";
import { readCsv } from "../io/readCsv.js";

/** 12 groups of 5 with two covariates. */
function data(): string {
  const lines = ["y,x,z,g"];
  for (let t = 0; t < 60; t++) lines.push(`${(Math.sin(t) * 2 + Math.cos(t / 7) + (t % 12) / 4).toFixed(4)},${((t * 7) % 11) / 3},${Math.cos(t * 1.3).toFixed(3)},G${t % 12}`);
  return lines.join("\n");
}

describe("makeObjective: one term's fast evaluation equals the factorization and the dense likelihood", () => {
  const table = readCsv(data());
  it.each([
    ["y ~ x + (1 | g)", [0.8]],
    ["y ~ x + z + (x | g)", [1.1, -0.3, 0.6]],
    ["y ~ x + z + (x + z | g)", [0.9, 0.2, -0.1, 0.7, 0.3, 0.5]],
  ])("%s", (formula, theta) => {
    for (const REML of [false, true]) {
      const model = buildModel(table, formula, { REML });
      const objective = makeObjective(model);
      const fast = objective.evaluate(theta);
      expect(fast).toBeCloseTo(objective.factorize(theta).objective, 9);
      if (!REML) expect(fast).toBeCloseTo(denseDeviance(model, theta), 8);
      const pieces = objective.pieces(theta);
      expect(pieces.objective).toBe(fast);
    }
  });
});

describe("makeObjective: a crossed design with a large dense tail (the WebAssembly tail kernel)", () => {
  // 400 rows, 100 levels of s crossed with 70 of d: tail of 70 + 2 + 1 rows, past the kernel's threshold
  const lines = ["y,x,s,d"];
  let seed = 11;
  const unif = (): number => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296;
  for (let t = 0; t < 400; t++) lines.push(`${(unif() * 3 + (t % 7) / 3).toFixed(4)},${(unif() * 2).toFixed(3)},S${Math.floor(unif() * 100)},D${Math.floor(unif() * 70)}`);
  const table = readCsv(lines.join("\n"));
  it.each([
    [[0.7, 0.4]],
    [[1.2, 0.05]],
    [[0, 0.9]],
  ])("θ = %j: evaluate, factorize and the dense likelihood agree", (theta) => {
    const model = buildModel(table, "y ~ x + (1 | s) + (1 | d)", { REML: false });
    const objective = makeObjective(model);
    expect(objective.cross.m).toBeGreaterThanOrEqual(64);
    const value = objective.evaluate(theta);
    expect(value).toBeCloseTo(denseDeviance(model, theta), 7);
    expect(objective.factorize(theta).objective).toBeCloseTo(value, 9);
    expect(objective.evaluate(theta)).toBe(value);
  });
});

describe("makeObjective: a small crossed tail with nodes whose tail rows run unbroken and nodes whose do not", () => {
  // s0..s14 meet every level of d (their columns reach the whole tail: the dense update), s15..s29 some
  const lines = ["y,x,s,d"];
  let seed = 5;
  const unif = (): number => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296;
  for (let s = 0; s < 30; s++) {
    for (let d = 0; d < 8; d++) {
      if (s >= 15 && unif() < 0.5) continue;
      lines.push(`${(unif() * 3 + d / 4 + (s % 5) / 3).toFixed(4)},${(unif() * 2).toFixed(3)},S${s},D${d}`);
    }
  }
  const table = readCsv(lines.join("\n"));
  it.each([
    [[0.7, 0.4]],
    [[1.3, 0.8]],
  ])("θ = %j: the factorization equals the dense likelihood, in TypeScript and in WebAssembly", (theta) => {
    const model = buildModel(table, "y ~ x + (1 | s) + (1 | d)", { REML: false });
    const js = makeObjective(model);
    expect(js.cross.m).toBeLessThan(64);
    const dense = denseDeviance(model, theta);
    expect(js.factorize(theta).objective).toBeCloseTo(dense, 8);
    expect(makeObjective(model, js.cross, { wasmTailFrom: 1 }).factorize(theta).objective).toBeCloseTo(dense, 8);
  });
  it("with every level of d met by every s (the WebAssembly update's consecutive runs), equals the dense likelihood too", () => {
    const full = ["y,x,s,d"];
    for (let s = 0; s < 20; s++) for (let d = 0; d < 9; d++) full.push(`${(unif() * 3 + d / 4 + (s % 5) / 3).toFixed(4)},${(unif() * 2).toFixed(3)},S${s},D${d}`);
    const model = buildModel(readCsv(full.join("\n")), "y ~ x + (1 | s) + (1 | d)", { REML: false });
    const js = makeObjective(model);
    const tix = tailIndex(js.cross);
    expect(wasmTailIndex(js.cross, tix).runs).toBe(true);
    for (const theta of [[0.7, 0.4], [1.3, 0.8]]) {
      const dense = denseDeviance(model, theta);
      expect(js.factorize(theta).objective).toBeCloseTo(dense, 8);
      expect(makeObjective(model, js.cross, { wasmTailFrom: 1 }).factorize(theta).objective).toBeCloseTo(dense, 8);
    }
  });
});

describe("makeObjective: the nodes' elimination in WebAssembly gives the TypeScript's bits", () => {
  const egsingle = readCsv(readFileSync(new URL("../../test/fixtures/lme4/egsingle.csv", import.meta.url), "utf8"));
  const sleep = readCsv(readFileSync(new URL("../../test/conformance/sleepstudy.csv", import.meta.url), "utf8"));
  it.each([
    [egsingle, "math ~ year + (year | childid) + (year | schoolid)", ["childid", "schoolid"]],
    [egsingle, "math ~ year + (1 | schoolid/childid)", ["childid", "schoolid"]],
    [egsingle, "math ~ year + (year | childid) + (1 | schoolid)", ["childid", "schoolid"]],
    [sleep, "Reaction ~ Days + (1 | Subject) + (0 + Days | Subject)", []],
  ] as const)("%#: %s", (table, formula, factors) => {
    const model = buildModel(table, formula, { REML: false, factors: [...factors] });
    const wasm = makeObjective(model);
    const ts = makeObjective(model, undefined, { blocked: false });
    expect(wasm.cross.nNodes).toBeGreaterThanOrEqual(32);
    const k = wasm.layout.initial.length;
    for (let r = 0; r < 12; r++) {
      const theta = Float64Array.from({ length: k }, (_, i) => (wasm.layout.lower[i] === 0 ? 0.05 + r * 0.17 + i * 0.07 : Math.sin(r + i) * 0.6));
      expect(wasm.evaluate(theta)).toBe(ts.evaluate(theta));
      const a = wasm.factorize(theta);
      const b = ts.factorize(theta);
      expect([a.objective, a.ldL2, a.pwrss]).toEqual([b.objective, b.ldL2, b.pwrss]);
      expect(Array.from(a.Lnodes)).toEqual(Array.from(b.Lnodes));
      expect(Array.from(a.LRR)).toEqual(Array.from(b.LRR));
    }
    // a block that is not positive definite: both refuse
    const bad = Float64Array.from(wasm.layout.initial).fill(NaN);
    expect(wasm.evaluate(bad)).toBe(Infinity);
    expect(ts.evaluate(bad)).toBe(Infinity);
  });
});

describe("makeObjective: the crossed tail formed in the WebAssembly kernel's memory", () => {
  /** 2,400 ratings: 500 raters crossed with 150 items in 6 groups. */
  function crossedCsv(): string {
    const lines = ["y,x,rater,item,grp"];
    for (let t = 0; t < 2400; t++) {
      const a = (t * 7919) % 500;
      const b = (t * 104729) % 150;
      lines.push(`${(Math.sin(t) + (a % 11) / 5 + (b % 7) / 3).toFixed(4)},${((t * 13) % 17) / 4},R${a},I${b},G${b % 6}`);
    }
    return lines.join("\n");
  }
  const model = buildModel(readCsv(crossedCsv()), "y ~ x + (1 | rater) + (1 | item) + (1 | grp)", { REML: false });
  const inKernel = makeObjective(model);
  const here = makeObjective(model, undefined, { tailInKernel: false });

  it("gives the bits of the tail formed here: objectives, (R_X'R_X)⁻¹, and a kept factorization", () => {
    expect(inKernel.cross.m).toBeGreaterThanOrEqual(64);
    for (const theta of [[1, 1, 1], [0.4, 1.3, 0.2], [2.5, 0.05, 0.9], [0, 0.7, 0]]) {
      expect(inKernel.evaluate(theta)).toBe(here.evaluate(theta));
      const V1 = new Float64Array(model.p * model.p);
      const V2 = new Float64Array(model.p * model.p);
      expect(inKernel.pieces(theta, V1)).toEqual(here.pieces(theta, V2));
      expect(Array.from(V1)).toEqual(Array.from(V2));
      const f1 = inKernel.factorize(theta);
      const f2 = here.factorize(theta);
      expect(f1.objective).toBe(f2.objective);
      expect(Array.from(f1.LRR)).toEqual(Array.from(f2.LRR));
    }
    // and the TypeScript tail (no WebAssembly) agrees to rounding
    const typescript = makeObjective(model, undefined, { wasmTailFrom: Infinity });
    expect(inKernel.evaluate([0.4, 1.3, 0.2])).toBeCloseTo(typescript.evaluate([0.4, 1.3, 0.2]), 8);
  });
});
