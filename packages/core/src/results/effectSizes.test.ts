import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { conformanceDir } from "../../test/compareReference.js";
import { buildModel } from "../model/buildModel.js";
import { effectSizes, type EffectSizes } from "./effectSizes.js";
import { waldIntervals } from "../inference/parameterIntervals.js";
import { fitModel } from "../fit/fit.js";
import { HlmError } from "../HlmError.js";
import type { LmmFit } from "../fit/LmmFit.js";
import { readCsv } from "../io/readCsv.js";

/** Written by test/fixtures/effectSizes/effectSizes.R (performance 0.10.2, lme4's confint). */
interface EffectSizesReference extends EffectSizes {
  name: string;
  formula: string;
  REML: boolean;
  wald95: { lower: number[]; upper: number[] };
  wald90: { lower: number[]; upper: number[] };
  performance?: { r2Marginal: number; r2Conditional: number; iccAdjusted: number; iccUnadjusted: number };
}

const references = JSON.parse(readFileSync(new URL("../../test/fixtures/effectSizes/effectSizes.json", import.meta.url), "utf8")) as EffectSizesReference[];
const data: Record<string, { file: string; factors: string[] }> = {
  sleepstudy_slopes_reml: { file: "sleepstudy.csv", factors: ["Subject"] },
  nels_fit0_ml: { file: "nels_sim.csv", factors: ["school"] },
  hsb_slopes_ml: { file: "hsb.csv", factors: ["School", "Minority", "Sex", "Sector"] },
  hsb_crosslevel_ml: { file: "hsb.csv", factors: ["School", "Minority", "Sex", "Sector"] },
  penicillin_crossed: { file: "Penicillin.csv", factors: ["plate", "sample"] },
};

/** |got − want| within `rel` of |want| (or of 1 for values near 0). */
function close(got: number, want: number, rel: number): boolean {
  return Math.abs(got - want) <= rel * Math.max(Math.abs(want), 1e-12) || Math.abs(got - want) <= 1e-12;
}

/** Our optimum agrees with lme4's to the conformance tolerances; Penicillin's θ̂ differs at ~5e-5 relative. */
const fitTolerance: Record<string, number> = { penicillin_crossed: 1e-4 };

/** Our fit with lme4's estimates put in (from test/conformance/<name>.json): tests the formulas alone. */
function atLme4(fit: LmmFit, name: string): LmmFit {
  const r = JSON.parse(readFileSync(`${conformanceDir}${name}.json`, "utf8")) as {
    fixef: Record<string, number>;
    se: Record<string, number>;
    sigma: number;
    varcorr: { covariance: number[][] }[];
  };
  return {
    ...fit,
    fixef: fit.fixefNames.map((nm) => r.fixef[nm]!),
    se: fit.fixefNames.map((nm) => r.se[nm]!),
    sigma: r.sigma,
    varcorr: fit.varcorr.map((v, k) => ({ ...v, covariance: r.varcorr[k]!.covariance })),
  };
}

function fitted(ref: EffectSizesReference) {
  const d = data[ref.name]!;
  const model = buildModel(readCsv(readFileSync(conformanceDir + d.file, "utf8")), ref.formula, { REML: ref.REML, factors: d.factors });
  return { model, fit: fitModel(model) };
}

describe("effectSizes: Nakagawa's R² and the ICC as performance computes them", () => {
  for (const ref of references) {
    it(ref.name, () => {
      const { model, fit } = fitted(ref);
      const es = effectSizes(model, fit);
      const exact = effectSizes(model, atLme4(fit, ref.name));
      for (const k of ["varFixed", "varRandom", "varResidual", "r2Marginal", "r2Conditional", "iccAdjusted", "iccUnadjusted"] as const) {
        expect(close(es[k], ref[k], fitTolerance[ref.name] ?? 1e-6), `${k}: ${es[k]} vs R ${ref[k]}`).toBe(true);
        expect(close(exact[k], ref[k], 1e-9), `${k} at lme4's estimates: ${exact[k]} vs R ${ref[k]}`).toBe(true);
      }
      if (ref.performance) {
        for (const k of ["r2Marginal", "r2Conditional", "iccAdjusted", "iccUnadjusted"] as const) {
          expect(close(exact[k], ref.performance[k], 1e-9), `${k} vs performance`).toBe(true);
        }
      }
      if (model.p === 1 && fit.fixefNames[0] === "(Intercept)") expect(es.r2Marginal).toBeLessThan(1e-20);
    });
  }
  it("rejects a fit of another model", () => {
    const [a, b] = [fitted(references[0]!), fitted(references[1]!)];
    expect(() => effectSizes(a.model, b.fit)).toThrow(HlmError);
  });
});

describe("waldIntervals: lme4's confint(method = 'Wald')", () => {
  for (const ref of references) {
    it(ref.name, () => {
      const { fit } = fitted(ref);
      const tol = fitTolerance[ref.name] ?? 1e-6;
      for (const [level, want] of [[0.95, ref.wald95], [0.9, ref.wald90]] as const) {
        const ci = waldIntervals(fit, level);
        const exact = waldIntervals(atLme4(fit, ref.name), level);
        expect(ci.rows.map((r) => r.parameter)).toEqual(fit.fixefNames);
        ci.rows.map((r) => r.lower).forEach((x, i) => expect(close(x, want.lower[i]!, tol), `lower ${i}: ${x} vs ${want.lower[i]}`).toBe(true));
        ci.rows.map((r) => r.upper).forEach((x, i) => expect(close(x, want.upper[i]!, tol), `upper ${i}: ${x} vs ${want.upper[i]}`).toBe(true));
        exact.rows.map((r) => r.lower).forEach((x, i) => expect(close(x, want.lower[i]!, 1e-9), `lower ${i} at lme4's estimates`).toBe(true));
        exact.rows.map((r) => r.upper).forEach((x, i) => expect(close(x, want.upper[i]!, 1e-9), `upper ${i} at lme4's estimates`).toBe(true));
      }
    });
  }
  it("uses the exact normal quantile and checks the level", () => {
    const { fit } = fitted(references[0]!);
    const ci = waldIntervals(fit);
    expect((ci.rows[0]!.upper - ci.rows[0]!.estimate) / fit.se[0]!).toBeCloseTo(1.959963984540054, 14);
    expect(() => waldIntervals(fit, 1)).toThrow(HlmError);
    expect(() => waldIntervals(fit, 0)).toThrow(HlmError);
  });
});

describe("effectSizes with a residual structure", () => {
  const nlme = new URL("../../test/conformance-nlme/", import.meta.url);
  it("with a correlation structure alone, decomposes the variance as insight::get_variance does for nlme's lme", () => {
    const data = readCsv(readFileSync(new URL("Ovary.csv", nlme), "utf8"));
    const options = { REML: true, factors: ["Mare"], correlation: "corAR1()" };
    const model = buildModel(data, "follicles ~ s1 + c1 + (1 | Mare)", options);
    const e = effectSizes(model, fitModel(model, options));
    // R: insight::get_variance(lme(follicles ~ s1 + c1, random = ~1|Mare, data = d, correlation = corAR1()))
    // (performance's icc() and r2_nakagawa() give NA for it, with a warning about singularity that does not apply)
    expect(close(e.varFixed, 4.30251821626, 1e-5)).toBe(true);
    expect(close(e.varResidual, 13.43552462981, 1e-5)).toBe(true);
    expect(close(e.varRandom, 7.88075244072, 1e-5)).toBe(true);
    expect(close(e.iccAdjusted, 7.88075244072 / (7.88075244072 + 13.43552462981), 1e-5)).toBe(true);
  });
  it("refuses a variance function: the residual variance is not one number", () => {
    const data = readCsv(readFileSync(new URL("Orthodont.csv", nlme), "utf8"));
    const options = { REML: true, variance: "varIdent(form = ~ 1 | Sex)" };
    const model = buildModel(data, "distance ~ age * Sex + (1 | Subject)", options);
    expect(() => effectSizes(model, fitModel(model, options))).toThrow(
      new HlmError("OPTIONS", "The ICC and R² need one residual variance, but under the variance function 'varIdent(form = ~ 1 | Sex)' it differs between rows; they are not available for this model."),
    );
  });
});
