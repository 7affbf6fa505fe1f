import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fit } from "../src/fit/fit.js";
import { fitToJson } from "../src/report/fitToJson.js";
import { readCsv } from "../src/io/readCsv.js";
import { compareWithReference, conformanceDir, loadReferences } from "./compareReference.js";

const references = loadReferences();
const tables = new Map<string, ReturnType<typeof readCsv>>();
const table = (dataset: string) => {
  if (!tables.has(dataset)) tables.set(dataset, readCsv(readFileSync(`${conformanceDir}${dataset}.csv`, "utf8")));
  return tables.get(dataset)!;
};

describe("agreement with lme4 on the conformance references", () => {
  it("finds the reference fits", () => {
    expect(references.length).toBeGreaterThanOrEqual(14);
  });
  for (const ref of references) {
    it(`${ref.name}: ${ref.formula} (${ref.REML ? "REML" : "ML"})`, () => {
      const result = fit(table(ref.dataset), ref.formula, { REML: ref.REML, factors: ref.factors, ...(typeof ref.weights === "string" ? { weights: ref.weights } : {}) });
      const got = fitToJson(result, { dataset: ref.dataset, factors: ref.factors });
      expect(compareWithReference(got, ref)).toEqual([]);
      expect(result.theta.length).toBe(ref.theta.length);
      expect(result.thetaNames).toEqual(ref.theta_names);
    });
  }
});
