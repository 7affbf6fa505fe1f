import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { fit } from "../src/fit.js";
import { fitToJson } from "../src/fitToJson.js";
import { readCsv } from "../src/readCsv.js";
import { compareWithReference, conformanceDir, loadReferences } from "./compareReference.js";

/**
 * More lme4 references, made with `../shared/tools/lme4-reference.R fixtures/lme4 fixtures/lme4/models.tsv`:
 * weights, offsets, transforms, no intercept, factor slopes, an interaction without main effects,
 * the same factor in two terms, explicit and three-level nesting, partially crossed factors.
 */
const fixtureDir = fileURLToPath(new URL("./fixtures/lme4/", import.meta.url));
const references = loadReferences(fixtureDir);
const csv = (dataset: string) => {
  const local = `${fixtureDir}${dataset}.csv`;
  return readCsv(readFileSync(existsSync(local) ? local : `${conformanceDir}${dataset}.csv`, "utf8"));
};

describe("agreement with lme4 on models beyond the conformance set", () => {
  it("has the references", () => expect(references.length).toBe(14));
  for (const ref of references) {
    it(`${ref.name}: ${ref.formula}${typeof ref.weights === "string" ? `, weights ${ref.weights}` : ""} (${ref.REML ? "REML" : "ML"})`, () => {
      const result = fit(csv(ref.dataset), ref.formula, { REML: ref.REML, factors: ref.factors, ...(typeof ref.weights === "string" ? { weights: ref.weights } : {}) });
      expect(compareWithReference(fitToJson(result, {}), ref)).toEqual([]);
      expect(result.thetaNames).toEqual(ref.theta_names);
    });
  }
});
