import { describe, expect, it } from "vitest";
import { fitFixtureModel, glmmAfter } from "../../test/glmmAfterFixture.js";
import type { GlmmFit } from "../glmm/GlmmFit.js";
import { glmmEffectSizes } from "./glmmEffectSizes.js";

/** |got − want| / |want|. */
const rel = (got: number | null, want: number): number => Math.abs(got! - want) / Math.abs(want);

describe("glmmEffectSizes: performance's icc() and r2_nakagawa() of a glmer fit", () => {
  for (const c of glmmAfter.models) {
    it(`${c.name}: ${c.formula} (${c.link})`, () => {
      const { model, fit } = fitFixtureModel(c);
      const e = glmmEffectSizes(model, fit);
      // at our optimum: within the fit's agreement with glmer's (largest absolute difference seen 1.1e-5, grouseticks; relative 6.3e-5, the random slope)
      // a singular fit: no σ²_r, no ICC, no conditional R² (performance's NA)
      const nullable = (got: number | null, want: number | null, tol: number): void => {
        if (want === null) expect(got).toBeNull();
        else expect(rel(got, want)).toBeLessThan(tol);
      };
      expect(rel(e.varFixed, c.variance.fixed)).toBeLessThan(1e-4);
      nullable(e.varRandom, c.variance.random, 1e-4);
      expect(rel(e.varResidual, c.variance.residual)).toBeLessThan(1e-4);
      nullable(e.iccAdjusted, c.icc?.adjusted ?? null, 1e-4);
      nullable(e.iccUnadjusted, c.icc?.unadjusted ?? null, 1e-4);
      expect(rel(e.r2Marginal, c.r2!.marginal)).toBeLessThan(1e-4);
      nullable(e.r2Conditional, c.r2!.conditional, 1e-4);
      expect(e.warnings).toEqual(c.warnings.map((w) => w.replace(/\s+/g, " ")));
      expect(e.warnings.length > 0).toBe(["grouseticks_poisson", "sim_pois_singular"].includes(c.name));

      // lme4's estimates put in (and its null model's intercept): the formulas alone, to 1e-9
      const names = Object.keys(c.covariance);
      const atLme4: GlmmFit = {
        ...fit,
        fixef: c.fixef,
        theta: [c.theta].flat(),
        varcorr: fit.varcorr.map((v, k) => ({ ...v, covariance: c.covariance[names[k]!]! })),
      };
      const nullFit = { ...fit, fixef: [c.nullIntercept].flat() };
      const r = glmmEffectSizes(model, atLme4, { nullFit });
      expect(rel(r.varFixed, c.variance.fixed)).toBeLessThan(1e-9);
      nullable(r.varRandom, c.variance.random, 1e-9);
      expect(rel(r.varDistribution, c.variance.distribution)).toBeLessThan(1e-12);
      nullable(r.iccAdjusted, c.icc?.adjusted ?? null, 1e-9);
      nullable(r.iccUnadjusted, c.icc?.unadjusted ?? null, 1e-9);
      expect(rel(r.r2Marginal, c.r2!.marginal)).toBeLessThan(1e-9);
      nullable(r.r2Conditional, c.r2!.conditional, 1e-9);
    }, 60_000);
  }

});
