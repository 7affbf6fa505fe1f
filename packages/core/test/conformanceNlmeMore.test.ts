import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fit } from "../src/fit/fit.js";
import { readCsv } from "../src/io/readCsv.js";
import { fitToJson } from "../src/report/fitToJson.js";
import { compareWithNlmeMore, hlmCall, loadNlmeMoreReferences, nlmeMoreDir } from "./compareNlmeMore.js";

const references = loadNlmeMoreReferences();

describe("agreement with nlme on models of our own (conformance-nlme-more)", () => {
  it("finds the reference fits", () => {
    expect(references.length).toBeGreaterThanOrEqual(16);
  });
  for (const ref of references) {
    it(`${ref.name}: ${ref.correlation || "independent"} ${ref.weights} (${ref.method})`, () => {
      const table = readCsv(readFileSync(`${nlmeMoreDir}${ref.dataset}.csv`, "utf8"));
      const { formula, options } = hlmCall(ref);
      const result = fit(table, formula, options);
      expect(compareWithNlmeMore(result, fitToJson(result, { ddf: "containment" }), ref)).toEqual([]);
      expect(result.warnings.filter((w) => w.code === "convergence" || w.code === "not-identified")).toEqual([]);
    });
  }
});
