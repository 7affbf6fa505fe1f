import { fitModel, HlmError, type LmmFit, type Model } from "@hlm/core";
import { describe, expect, it } from "vitest";
import { copyRange, datasetRange, loadReference } from "../../test/conformanceRange.js";
import { getFit, hashValues, ModelCache, modelCache, parseMethod } from "./modelCache.js";

/** A cache whose fitter counts the models it fits. */
function countingCache(capacity = 20): { cache: ModelCache; fitted: Model[] } {
  const fitted: Model[] = [];
  const cache = new ModelCache(capacity, (model): LmmFit => {
    fitted.push(model);
    return fitModel(model, { satterthwaite: false });
  });
  return { cache, fitted };
}

const small = [
  ["y", "x", "g"],
  [1, 1, "a"],
  [3, 2, "a"],
  [4, 3, "a"],
  [2, 1, "b"],
  [2, 2, "b"],
  [5, 3, "b"],
  [3, 1, "c"],
  [4, 2, "c"],
  [6, 3, "c"],
];

describe("parseMethod", () => {
  it("reads REML and ML in any case, and REML when the argument is left out", () => {
    expect([undefined, null, "", "REML", "reml", " Reml ", "ML", "ml", " mL"].map(parseMethod)).toEqual(["REML", "REML", "REML", "REML", "REML", "REML", "ML", "ML", "ML"]);
  });

  it("refuses anything else with a sentence", () => {
    expect(() => parseMethod("Laplace")).toThrow('The method must be "REML" or "ML" (maximum likelihood), not "Laplace".');
    expect(() => parseMethod(1)).toThrow('The method must be "REML" or "ML" (maximum likelihood), not 1.');
    expect(() => parseMethod(true)).toThrow(expect.objectContaining({ code: "OPTIONS", message: 'The method must be "REML" or "ML" (maximum likelihood), not true.' }));
  });
});

describe("hashValues", () => {
  it("is the same for equal values and differs when a cell, its type or the shape differs", () => {
    const h = hashValues(small);
    expect(hashValues(copyRange(small))).toBe(h);
    expect(h).toMatch(/^[0-9a-f]{16}$/);
    const changed = copyRange(small);
    changed[5]![0] = 2.0000000001;
    expect(hashValues(changed)).not.toBe(h);
    const asText = copyRange(small);
    asText[1]![0] = "1";
    expect(hashValues(asText)).not.toBe(h);
    expect(hashValues(small.slice(0, 9))).not.toBe(h);
    expect(hashValues([["a", "b"]])).not.toBe(hashValues([["ab"]]));
    expect(hashValues([[1, ""]])).not.toBe(hashValues([[1, null]]));
  });
});

describe("ModelCache", () => {
  it("fits once for several calls on the same data, formula and method", () => {
    const { cache, fitted } = countingCache();
    const a = cache.get(small, "y ~ x + (1 | g)");
    const b = cache.get(copyRange(small), "  y ~ x + (1 | g) ", { method: "reml" });
    expect(b).toBe(a);
    expect(fitted.length).toBe(1);
    expect(cache.stats).toEqual({ hits: 1, misses: 1, fits: 1 });
    expect(a.fit.fixefNames).toEqual(["(Intercept)", "x"]);
    expect(a.model.n).toBe(9);
  });

  it("fits again for another method, formula, data or factor list", () => {
    const { cache, fitted } = countingCache();
    const reml = cache.get(small, "y ~ x + (1 | g)");
    const ml = cache.get(small, "y ~ x + (1 | g)", { method: "ML" });
    expect(ml.fit.REML).toBe(false);
    expect(reml.fit.REML).toBe(true);
    cache.get(small, "y ~ 1 + (1 | g)");
    const other = copyRange(small);
    other[1]![0] = 1.5;
    cache.get(other, "y ~ x + (1 | g)");
    cache.get(small, "y ~ x + (1 | g)", { factors: ["x"] });
    expect(fitted.length).toBe(5);
    expect(cache.get(small, "y ~ x + (1 | g)", { factors: ["x"] }).fit.fixefNames).toEqual(["(Intercept)", "x2", "x3"]);
    expect(fitted.length).toBe(5);
    expect(cache.size).toBe(5);
  });

  it("forgets the least recently used fit beyond its capacity", () => {
    const { cache, fitted } = countingCache(2);
    cache.get(small, "y ~ x + (1 | g)"); // A
    cache.get(small, "y ~ 1 + (1 | g)"); // B
    cache.get(small, "y ~ x + (1 | g)"); // A again: now B is the oldest
    cache.get(small, "y ~ x + (x | g)"); // C evicts B
    expect(fitted.length).toBe(3);
    expect(cache.size).toBe(2);
    cache.get(small, "y ~ x + (1 | g)"); // A still there
    expect(fitted.length).toBe(3);
    cache.get(small, "y ~ 1 + (1 | g)"); // B was forgotten
    expect(fitted.length).toBe(4);
  });

  it("remembers a failure from the input and throws it again without rebuilding", () => {
    const { cache, fitted } = countingCache();
    const call = (): unknown => cache.get(small, "y ~ xx + (1 | g)");
    expect(call).toThrow("Unknown column 'xx' in formula 'y ~ xx + (1 | g)' (position 5); did you mean 'x'?");
    expect(call).toThrow(HlmError);
    expect(cache.stats).toEqual({ hits: 1, misses: 1, fits: 0 });
    expect(fitted.length).toBe(0);
  });

  it("refuses a formula that is not text before looking at the data", () => {
    const { cache } = countingCache();
    expect(() => cache.get(small, "")).toThrow('The formula must be text such as "score ~ ses + (ses | school)"; it is empty.');
    expect(() => cache.get(small, 42)).toThrow('The formula must be text such as "score ~ ses + (ses | school)"; it is 42.');
    expect(cache.stats.misses).toBe(0);
  });

  it("names the range's cells in data errors", () => {
    const { cache } = countingCache();
    expect(() => cache.get([["y", ""], [1, 2]], "y ~ 1 + (1 | g)", { range: { firstColumn: 3 } })).toThrow("Column E has no name: the header cell E1 is blank,");
  });
});

describe("getFit", () => {
  it("gives lme4's fit of Dyestuff from the shared cache", () => {
    const ref = loadReference("dyestuff_reml");
    const values = datasetRange("Dyestuff");
    const before = modelCache.stats.fits;
    const { fit, model } = getFit(values, ref.formula);
    expect(model.n).toBe(30);
    expect(Math.abs(fit.fixef[0]! - ref.fixef["(Intercept)"]!)).toBeLessThan(0.002 * ref.se["(Intercept)"]!);
    expect(Math.abs(fit.sigma - ref.sigma)).toBeLessThan(1e-4 * ref.sigma);
    expect(getFit(copyRange(values), ref.formula, { method: "REML" }).fit).toBe(fit);
    expect(modelCache.stats.fits - before).toBe(1);
  });
});
