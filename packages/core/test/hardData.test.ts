import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { fit } from "../src/fit/fit.js";
import { fitToJson } from "../src/report/fitToJson.js";
import { readCsv } from "../src/io/readCsv.js";
import { compareWithReference, loadReferences } from "./compareReference.js";
import { nanWithoutReason } from "./nanWithoutReason.js";

/**
 * Data that is hard on the optimizer, fitted as lme4 fits it (`fixtures/hard/gen.R`, references by
 * `conformance/lme4-reference.R`): every number within the conformance tolerances, the warnings
 * lme4 gives (as FitWarnings), and no NaN or Inf without a warning that says why.
 */
const dir = fileURLToPath(new URL("./fixtures/hard/", import.meta.url));
const refs = loadReferences(dir);

/** lme4 1.1-31's messages and warnings on each model (Rscript, lmer with the reference's data and REML). */
const LME4_WARNINGS: Record<string, string[]> = {
  // variance components at zero: the slope's own part of θ is 0 (correlation 1)
  zero_variance_reml: ["boundary (singular) fit: see help('isSingular')"],
  // random intercepts and slopes correlated -0.999: lme4 warns "Model failed to converge with
  // max|grad| = 0.00233812 (tol = 0.002, component 1)", on the edge of its tolerance; the analytic
  // gradient here, at an optimum whose θ agrees with lme4's to 4 digits, is as near the edge, on
  // either side of it as rounding goes: the warning may be there or not (see ON_THE_EDGE)
  near_perfect_corr_ml: [],
  // income ~1e6 beside a rate ~1e-3
  bad_scale_reml: ["Some predictor variables are on very different scales: consider rescaling"],
  // 40 groups of one observation beside 4 groups of 50
  size_one_groups_reml: [],
  // one group of 2000 and 60 of 2 or 3
  unbalanced_ml: [],
  // 4000 levels, 1 to 4 observations each, random slopes
  many_levels_reml: [],
  // NA in y, x and g; x2 = 2x and xz = x + z (lme4 drops 2 columns; it reports no dropped rows)
  missing_collinear_reml: [
    "5 rows with missing values dropped ('y' missing in 3, 'x' missing in 2, 'x2' missing in 2, 'xz' missing in 2, 'g' missing in 1).",
    "fixed-effect model matrix is rank deficient so dropping 2 columns / coefficients (x2, xz)",
  ],
  // y = 1e6 plus effects of size 1 (the mean is 1e6 SDs from 0)
  large_mean_reml: [],
};

/** Models where lme4's convergence check is on the edge of its tolerance: a convergence warning is allowed. */
const ON_THE_EDGE = new Set(["near_perfect_corr_ml"]);
const CONVERGENCE = /^Model failed to converge with max\|grad\| = 0\.00[2-4]\d* \(tol = 0\.002\)\.$/;

describe("hard data fits as lme4 fits it", () => {
  it("has the references", () => expect(refs.map((r) => r.name).sort()).toEqual(Object.keys(LME4_WARNINGS).sort()));
  for (const ref of refs) {
    it(`${ref.name}: ${ref.formula} (${ref.REML ? "REML" : "ML"}, ${ref.nobs} rows, ${Object.values(ref.ngrps).join(" and ")} groups)`, () => {
      const t0 = performance.now();
      const f = fit(readCsv(readFileSync(`${dir}${ref.dataset}.csv`, "utf8")), ref.formula, { REML: ref.REML });
      expect(performance.now() - t0).toBeLessThan(30_000);
      expect(compareWithReference(fitToJson(f), ref)).toEqual([]);
      f.theta.forEach((t, i) => expect(Math.abs(t - ref.theta[i]!)).toBeLessThan(1e-3 * Math.max(1, Math.abs(ref.theta[i]!))));
      const messages = f.warnings.map((w) => w.message).filter((m) => !(ON_THE_EDGE.has(ref.name) && CONVERGENCE.test(m)));
      expect(messages).toEqual(LME4_WARNINGS[ref.name]);
      expect(nanWithoutReason(f)).toEqual([]);
    });
  }
});
