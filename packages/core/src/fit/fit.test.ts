import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { conformanceDir } from "../../test/compareReference.js";
import { fit } from "./fit.js";
import { HlmError } from "../HlmError.js";
import { readCsv } from "../io/readCsv.js";

const sleep = readCsv(readFileSync(`${conformanceDir}sleepstudy.csv`, "utf8"));
const formula = "Reaction ~ Days + (Days | Subject)";

describe("fit: soft problems are warnings on the fit, not exceptions", () => {
  it("stopping at the evaluation limit gives a convergence warning and still a fit", () => {
    const m = fit(sleep, formula, { maxEvaluations: 8 });
    expect(m.optSummary.status).toBe("maxfun");
    expect(m.warnings.filter((w) => w.code === "convergence").map((w) => w.message)).toContain("The optimizer stopped after 8 evaluations without converging.");
    expect(Number.isFinite(m.objective)).toBe(true);
  });
  it("a converged fit has a small scaled gradient and no warning", () => {
    const m = fit(sleep, formula);
    expect(m.warnings).toEqual([]);
    expect(m.convergence!.maxGradient).toBeLessThan(0.002);
  });
  it("a fit stopped far from the optimum fails lme4's gradient check", () => {
    const m = fit(sleep, formula, { maxEvaluations: 4 });
    expect(m.convergence!.maxGradient).toBeGreaterThan(0.002);
    expect(m.warnings.some((w) => w.message.startsWith("Model failed to converge"))).toBe(true);
  });
  it("a singular fit is flagged, as lme4's isSingular", () => {
    const m = fit(readCsv(readFileSync(`${conformanceDir}Dyestuff2.csv`, "utf8")), "Yield ~ 1 + (1 | Batch)");
    expect(m.singular).toBe(true);
    expect(m.theta).toEqual([0]);
    expect(m.warnings.map((w) => w.code)).toEqual(["singular"]);
  });
  it("reports dropped rows and dropped columns", () => {
    const text = "y,x,x2,g\n1,1,2,a\n2,2,4,a\n3,NA,6,b\n5,4,8,b\n4,5,10,c\n6,6,12,c\n3,2,4,a\n5,5,10,b\n";
    const m = fit(readCsv(text), "y ~ x + x2 + (1 | g)");
    expect(m.warnings.map((w) => w.message)).toEqual(
      expect.arrayContaining(["1 row with missing values dropped ('x' missing in 1).", "fixed-effect model matrix is rank deficient so dropping 1 column / coefficient (x2)"]),
    );
    expect(m.fixefNames).toEqual(["(Intercept)", "x"]);
  });
});

describe("fit: progress and cancellation", () => {
  it("reports every evaluation and stops when asked", () => {
    const seen: number[] = [];
    expect(() =>
      fit(sleep, formula, {
        onProgress: (p) => {
          seen.push(p.evaluations);
          return p.evaluations < 10;
        },
      }),
    ).toThrow(new HlmError("CANCELLED", "The fit was cancelled."));
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });
});

describe("fit: a linear mixed model only", () => {
  it("refuses a family, in one sentence naming fitGlmm", () => {
    expect(() => fit(sleep, formula, { family: "poisson" })).toThrow("A generalized linear mixed model (family 'poisson') is fitted by fitGlmm(), not fit().");
  });
});
