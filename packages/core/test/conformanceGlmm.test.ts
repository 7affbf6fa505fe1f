import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fitGlmm } from "../src/glmm/fitGlmm.js";
import { readCsv } from "../src/io/readCsv.js";
import { compareGlmm, glmmDir, loadGlmmReference } from "./compareGlmmReference.js";

/** The nAGQ = 1 references that agree with lme4 (conformance-glmm/README.md's tolerances). */
const MODELS = ["cbpp_binomial", "cbpp_proportion", "contraception_logit", "contraception_probit", "grouseticks_poisson", "verbagg_crossed"];

describe("agreement with lme4's glmer on the GLMM references", () => {
  for (const name of MODELS) {
    const ref = loadGlmmReference(name);
    it(`${name}: ${ref.formula} (${ref.family}, ${ref.link})`, () => {
      const table = readCsv(readFileSync(`${glmmDir}${ref.dataset}.csv`, "utf8"));
      const got = fitGlmm(table, ref.formula, { family: ref.family, link: ref.link, factors: ref.factors, ...(ref.weights ? { weights: ref.weights } : {}) });
      expect(compareGlmm(got, ref)).toEqual([]);
      expect(got.vcovSource).toBe("hessian");
    }, 120_000);
  }
});
