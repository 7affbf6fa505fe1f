import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fitGlmm } from "../src/glmm/fitGlmm.js";
import { readCsv } from "../src/io/readCsv.js";
import { glmmToJson } from "../src/report/glmmToJson.js";
import { compareGlmm, glmmDir, loadGlmmReference } from "./compareGlmmReference.js";

/** The references, all agreeing with lme4 at conformance-glmm/README.md's tolerances (nAGQ > 1: adaptive quadrature). */
const MODELS = ["cbpp_binomial", "cbpp_binomial_agq9", "cbpp_proportion", "contraception_logit", "contraception_probit", "grouseticks_poisson", "verbagg_crossed"];
/** Those of conformance-glmm-more (made here by the same script): cloglog, an offset, nesting, a random slope, ridges, a logical I(week > 2), quadrature with 4, 5 and 7 points, a simulated data set (one fit singular), an 8-parameter Poisson model (the second stage by Newton steps), cloglog with a covariate. */
const MORE = ["epil_poisson", "epil_offset", "grouse_nested", "cbpp_cloglog", "contra_slope", "guimmun", "bacteria_logit", "contraception_agq5", "epil_offset_agq7", "cbpp_probit_agq4", "sim_singular", "sim_pois_singular", "grouse_interaction", "cbpp_cloglog_size"];
const moreDir = new URL("./conformance-glmm-more/", import.meta.url).pathname;

describe("agreement with lme4's glmer on the GLMM references", () => {
  for (const [dir, name] of [...MODELS.map((m) => [glmmDir, m] as const), ...MORE.map((m) => [moreDir, m] as const)]) {
    const ref = loadGlmmReference(name, dir);
    it(`${name}: ${ref.formula} (${ref.family}, ${ref.link})`, () => {
      const csv = existsSync(`${dir}${ref.dataset}.csv`) ? `${dir}${ref.dataset}.csv` : `${glmmDir}${ref.dataset}.csv`;
      const table = readCsv(readFileSync(csv, "utf8"));
      const got = fitGlmm(table, ref.formula, { family: ref.family, link: ref.link, nAGQ: ref.nAGQ, factors: ref.factors, ...(ref.weights ? { weights: ref.weights } : {}) });
      expect(compareGlmm(glmmToJson(got), ref)).toEqual([]);
    }, 120_000);
  }
});
