/**
 * functions.json, as custom-functions-metadata makes it from the JSDoc of functions.ts (the same
 * call the build makes): every HLM function with its parameters, which are optional, which take a
 * range, and whether the result spills.
 */
import { generateCustomFunctionsMetadata } from "custom-functions-metadata";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const source = fileURLToPath(new URL("./functions.ts", import.meta.url));

interface Param {
  name: string;
  type?: string;
  dimensionality?: string;
  optional?: boolean;
}
interface Fn {
  id: string;
  name: string;
  description?: string;
  parameters: Param[];
  result: { dimensionality?: string; type?: string };
}

/** Expected: parameter names (`[x]` optional, `data*` a matrix) and whether the result spills. */
const expected: Record<string, { params: string[]; spills: boolean }> = {
  FIXEF: { params: ["data*", "formula", "[method]", "[options]"], spills: true },
  RANEF: { params: ["data*", "formula", "[group]", "[method]", "[options]"], spills: true },
  COEF: { params: ["data*", "formula", "[group]", "[method]", "[options]"], spills: true },
  VARCORR: { params: ["data*", "formula", "[method]", "[options]"], spills: true },
  SIGMA: { params: ["data*", "formula", "[method]", "[options]"], spills: false },
  LOGLIK: { params: ["data*", "formula", "[method]", "[options]"], spills: false },
  AIC: { params: ["data*", "formula", "[method]", "[options]"], spills: false },
  BIC: { params: ["data*", "formula", "[method]", "[options]"], spills: false },
  ICC: { params: ["data*", "formula", "[group]", "[method]", "[type]", "[options]"], spills: false },
  R2: { params: ["data*", "formula", "[method]", "[options]"], spills: true },
  ANOVA: { params: ["data*", "formula", "[method]", "[options]"], spills: true },
  INFLUENCE: { params: ["data*", "formula", "[group]", "[method]", "[options]"], spills: true },
  CONFINT: { params: ["data*", "formula", "[method]", "[level]", "[type]", "[options]"], spills: true },
  PREDICT: { params: ["data*", "formula", "newdata*", "[method]", "[options]"], spills: true },
  SHRINKAGE: { params: ["data*", "formula", "[group]", "[method]", "[options]"], spills: true },
  SUMMARY: { params: ["data*", "formula", "[method]", "[options]"], spills: true },
  CORSTRUCT: { params: ["data*", "formula", "[method]", "[options]"], spills: true },
  VARFUNC: { params: ["data*", "formula", "[method]", "[options]"], spills: true },
  VARCOV: { params: ["data*", "formula", "[method]", "[options]"], spills: true },
  SQL: { params: ["formula", "table", "dialect", "[options]"], spills: true },
};

const describeParam = (p: Param): string => {
  const base = p.dimensionality === "matrix" ? `${p.name}*` : p.name;
  return p.optional ? `[${base}]` : base;
};

describe("functions.json", () => {
  it("lists every HLM function with the right parameters", async () => {
    const result = await generateCustomFunctionsMetadata(source);
    expect(result.errors).toEqual([]);
    const functions = (JSON.parse(result.metadataJson) as { functions: Fn[] }).functions;
    expect(functions.map((f) => f.id).sort()).toEqual(Object.keys(expected).sort());
    for (const f of functions) {
      const want = expected[f.id]!;
      expect(f.name, f.id).toBe(f.id);
      expect(f.description, f.id).toBeTruthy();
      expect(f.parameters.map(describeParam), f.id).toEqual(want.params);
      expect(f.result.dimensionality === "matrix", `${f.id} spills`).toBe(want.spills);
      for (const p of f.parameters) {
        if (p.name === "data" || p.name === "newdata") expect(p.type, `${f.id} ${p.name}`).toBe("any");
        else if (p.name === "level") expect(p.type, `${f.id} ${p.name}`).toBe("number");
        else expect(p.type, `${f.id} ${p.name}`).toBe("string");
      }
      if (!want.spills) expect(f.result.type, f.id).toBe("number");
    }
  });
});
