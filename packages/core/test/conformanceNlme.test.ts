import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fit } from "../src/fit/fit.js";
import { readCsv } from "../src/io/readCsv.js";
import { fitToJson } from "../src/report/fitToJson.js";
import { compareWithNlme, loadNlmeReferences, nlmeDir, nlmeFormula } from "./compareNlmeReference.js";

const references = loadNlmeReferences();

describe("agreement with nlme on the residual-structure references", () => {
  it("finds the reference fits", () => {
    expect(references.length).toBeGreaterThanOrEqual(6);
  });
  for (const ref of references) {
    it(`${ref.name}: ${ref.correlation || "independent"} ${ref.weights} (${ref.method})`, () => {
      const table = readCsv(readFileSync(`${nlmeDir}${ref.dataset}.csv`, "utf8"));
      const result = fit(table, nlmeFormula(ref), { REML: ref.method === "REML", factors: ref.factors, correlation: ref.correlation, variance: ref.weights });
      expect(compareWithNlme(fitToJson(result, { ddf: "containment" }), ref)).toEqual([]);
      // the non-identified models say so
      expect(result.warnings.some((w) => w.code === "not-identified")).toBe(!ref.identified);
      expect(result.warnings.filter((w) => w.code === "convergence")).toEqual([]);
    });
  }
});
