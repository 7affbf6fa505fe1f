import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fit } from "../src/fit/fit.js";
import { readCsv } from "../src/io/readCsv.js";
import { fitToJson } from "../src/report/fitToJson.js";
import { compareWithNlmeMore, hlmCall, loadNlmeMoreReferences, nlmeMoreDir } from "./compareNlmeMore.js";

const references = loadNlmeMoreReferences();

describe("agreement with nlme on models of our own (conformance-nlme-more)", () => {
  it("finds the reference fits", () => {
    expect(references.length).toBeGreaterThanOrEqual(19);
  });
  for (const ref of references) {
    it(`${ref.name}: ${ref.correlation || "independent"} ${ref.weights} (${ref.method})`, () => {
      const table = readCsv(readFileSync(`${nlmeMoreDir}${ref.dataset}.csv`, "utf8"));
      const { formula, options } = hlmCall(ref);
      const result = fit(table, formula, options);
      expect(compareWithNlmeMore(result, fitToJson(result, { ddf: "containment" }), ref)).toEqual([]);
      expect(result.warnings.some((w) => w.code === "not-identified")).toBe(!ref.identified);
      expect(result.warnings.filter((w) => w.code === "convergence")).toEqual([]);
    });
  }
});

describe("the same nlme model in another of HLM's spellings", () => {
  const byName = (name: string) => references.find((r) => r.name === name)!;
  const cases: [string, string, Partial<ReturnType<typeof hlmCall>["options"]>][] = [
    // nested groups written out: a's intercept and a:b's
    ["nested_ar1_reml", "y ~ t + x + (1 | a) + (1 | a:b)", {}],
    ["nested_ar1pos_ml", "y ~ t + x + (1 | a) + (1 | a:b)", {}],
    // the innermost grouping named in the form, as the random effects name it
    ["nested_ar1pos_ml", "y ~ t + x + (1 | a/b)", { correlation: "corAR1(form = ~ 1 | a/b)" }],
    // a starting value changes nothing but the start
    ["sleepstudy_ar1_ml", "Reaction ~ Days + (Days | Subject)", { correlation: "corAR1(0.3, form = ~ Days | Subject)" }],
  ];
  for (const [name, formula, change] of cases) {
    it(`${name} as ${formula} ${change.correlation ?? ""}`, () => {
      const ref = byName(name);
      const table = readCsv(readFileSync(`${nlmeMoreDir}${ref.dataset}.csv`, "utf8"));
      const result = fit(table, formula, { ...hlmCall(ref).options, ...change });
      expect(compareWithNlmeMore(result, fitToJson(result, { ddf: "containment" }), ref)).toEqual([]);
    });
  }
});
