import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { conformanceDir } from "../../test/compareReference.js";
import { buildModel } from "../model/buildModel.js";
import { type Model } from "../model/Model.js";
import { fitModel } from "../fit/fit.js";
import { HlmError } from "../HlmError.js";
import type { LmmFit } from "../fit/LmmFit.js";
import { modelParameters } from "./parameterIntervals.js";
import { thetaLayout } from "../model/thetaLayout.js";
import { profileIntervals } from "./profileIntervals.js";
import { readCsv } from "../io/readCsv.js";
import { type Table } from "../io/Table.js";

/** One of lme4's `confint(m, method = "profile", oldNames = FALSE)` (test/fixtures/profile/profile.R). */
interface ProfileReference {
  name: string;
  dataset: string;
  formula: string;
  REML: boolean;
  factors: string[];
  /** Prior weights w = 1 + (Days mod 3) / 2. */
  weighted: boolean;
  level: number;
  parameters: string[];
  lower: number[];
  upper: number[];
  warnings: string[];
  lme4_confint_seconds: number;
  /**
   * Exact roots of ζ = ∓z computed in R where lme4's confint is off: where its profiles of correlations
   * are not monotone (lme4 warns and interpolates linearly: hsb_slopes_ml, where at our sd_SES lower limit
   * ζ = −1.959964 with cor = −1 and at lme4's −1.95386; sleepstudy_quadratic_ml's three correlations, off
   * by up to 4e-3), roots from lme4's deviance pieces minimized by BOBYQA from several starts and uniroot;
   * and where lme4 1.1-31 profiles fixed effects wrongly, under prior weights (sleepstudy_weighted_offset),
   * roots from ML refits with β_j in the offset. Ours agree to 1.4e-6 on correlations and 1.1e-6 relative
   * on the rest (the remainder is the difference of lme4's ML optimum and ours; lme4's quadratic fit
   * stops with a convergence warning).
   */
  exact?: { parameter: string; side: "lower" | "upper"; value: number }[];
}

const references = JSON.parse(readFileSync(new URL("../../test/fixtures/profile/profile.json", import.meta.url), "utf8")) as ProfileReference[];
const tables = new Map<string, Table>();

function table(dataset: string): Table {
  if (!tables.has(dataset)) tables.set(dataset, readCsv(readFileSync(`${conformanceDir}${dataset}.csv`, "utf8")));
  return tables.get(dataset)!;
}

/** The table with a number column added (or replaced). */
function withColumn(t: Table, name: string, values: Float64Array): Table {
  const column = { kind: "number" as const, name, values, missing: new Uint8Array(t.nrow) };
  const i = t.names.indexOf(name);
  if (i < 0) return { ...t, names: [...t.names, name], columns: [...t.columns, column] };
  return { ...t, columns: t.columns.map((c, k) => (k === i ? column : c)) };
}

function numbers(t: Table, name: string): Float64Array {
  const c = t.columns[t.names.indexOf(name)]!;
  if (c.kind !== "number") throw new Error(`${name} is not a number column`);
  return c.values;
}

function setup(ref: Pick<ProfileReference, "dataset" | "formula" | "REML" | "factors" | "weighted">, data = table(ref.dataset)): { model: Model; fit: LmmFit } {
  let t = data;
  if (ref.weighted) t = withColumn(t, "w", numbers(t, "Days").map((d) => 1 + (d % 3) / 2));
  const model = buildModel(t, ref.formula, { REML: ref.REML, factors: ref.factors, weights: ref.weighted ? "w" : undefined });
  return { model, fit: fitModel(model, { satterthwaite: false }) };
}

/**
 * Agreement with lme4: lme4 reads its limits off an interpolating spline through profile points about
 * 1/8 of a unit of ζ apart, while these are roots of ζ = ±z to ~1e-8; the largest differences measured
 * are 1.7e-4 relative (Dyestuff's SD lower limit, Dyestuff2's intercept, where R's own deviance confirms
 * ζ = 1.959964 at ours and 1.9609 at lme4's) and 6.6e-5 absolute on correlations. Limits of 0 (an SD whose
 * profile does not reach −z) and ±1 (a correlation's bound) are exact.
 */
function expectClose(actual: number, expected: number, kind: string, what: string): void {
  if (expected === 0 || Math.abs(expected) === 1) {
    expect(actual, what).toBe(expected);
    return;
  }
  const tolerance = kind === "cor" ? 1e-4 : 2.5e-4 * Math.abs(expected);
  expect(Math.abs(actual - expected), `${what}: ${actual} vs lme4 ${expected}`).toBeLessThanOrEqual(tolerance);
}

describe("profile intervals against lme4's confint(method = 'profile')", () => {
  for (const ref of references) {
    it(`${ref.name} (${ref.formula}, ${ref.REML ? "REML" : "ML"}, level ${ref.level})`, () => {
      const { model, fit } = setup(ref);
      const ci = profileIntervals(model, fit, { level: ref.level });
      expect(ci.method).toBe("profile");
      expect(ci.level).toBe(ref.level);
      expect(ci.rows.map((r) => r.parameter)).toEqual(ref.parameters);
      expect(ci.warnings).toEqual([]);
      expect(ci.rows.every((r) => Number.isFinite(r.lower) && Number.isFinite(r.upper) && r.lower <= r.upper)).toBe(true);
      ci.rows.forEach((r, k) => {
        for (const side of ["lower", "upper"] as const) {
          const what = `${ref.name} ${r.parameter} ${side}`;
          const exact = ref.exact?.find((e) => e.parameter === r.parameter && e.side === side);
          if (exact !== undefined) {
            const tolerance = r.kind === "cor" ? 5e-6 : 5e-6 * Math.abs(exact.value);
            expect(Math.abs(r[side] - exact.value), `${what}: ${r[side]} vs exact ${exact.value}`).toBeLessThanOrEqual(tolerance);
          } else {
            expectClose(r[side], ref[side][k]!, r.kind, what);
          }
        }
      });
      // the estimates are the fit's own (REML for a REML fit), not the ML ones the profile is centred on
      expect(ci.rows.map((r) => r.estimate)).toEqual(modelParameters(thetaLayout(model.reTerms), fit).map((p) => p.estimate));
    }, 60_000);
  }
});

describe("profile options and edge cases", () => {
  const sleep = references.find((r) => r.name === "sleepstudy_reml")!;
  const sleepFit = setup(sleep);

  it("profiles only the parameters named in which, by new or old name, in lme4's order", () => {
    const ci = profileIntervals(sleepFit.model, sleepFit.fit, { which: ["Days", ".sigma", "sd_(Intercept)|Subject"] });
    expect(ci.rows.map((r) => r.oldName)).toEqual([".sig01", ".sigma", "Days"]);
    ci.rows.forEach((r) => {
      const k = sleep.parameters.indexOf(r.parameter);
      expectClose(r.lower, sleep.lower[k]!, r.kind, r.parameter);
      expectClose(r.upper, sleep.upper[k]!, r.kind, r.parameter);
    });
    expect(profileIntervals(sleepFit.model, sleepFit.fit, { which: [] }).rows).toEqual([]);
  });

  it("reports progress up to two limits per parameter, and cancels when it returns false", () => {
    const seen: [number, number][] = [];
    profileIntervals(sleepFit.model, sleepFit.fit, { which: [".sigma", "Days"], onProgress: (d, t) => void seen.push([d, t]) });
    expect(seen.length).toBeGreaterThan(4);
    expect(seen.every(([, t]) => t === 4)).toBe(true);
    expect(seen.at(-1)).toEqual([4, 4]);
    expect(seen.every(([d], i) => i === 0 || d >= seen[i - 1]![0])).toBe(true);
    let calls = 0;
    const cancel = (): boolean => ++calls < 3;
    expect(() => profileIntervals(sleepFit.model, sleepFit.fit, { onProgress: cancel })).toThrow(expect.objectContaining({ code: "CANCELLED" }));
    expect(calls).toBe(3);
  });

  it("refuses a level outside (0, 1) and an unknown parameter name, naming them", () => {
    for (const level of [0, 1, 1.5, -0.1, NaN]) {
      const e = catchError(() => profileIntervals(sleepFit.model, sleepFit.fit, { level }));
      expect(e.code).toBe("OPTIONS");
      expect(e.message).toContain(String(level));
    }
    const e = catchError(() => profileIntervals(sleepFit.model, sleepFit.fit, { which: ["Days", "sd_Days|Subjcet"] }));
    expect(e.code).toBe("OPTIONS");
    expect(e.message).toContain("'sd_Days|Subjcet'");
  });

  it("gives the same intervals in the response's units when the fit shifts or scales the response", () => {
    const dye = references.find((r) => r.name === "dyestuff_reml")!;
    const base = profileIntervals(...args(setup(dye)));
    const yield0 = numbers(table("Dyestuff"), "Yield");
    // a mean 1e6 away from 0 (fitModel subtracts it) and a size of 2^80 (fitModel divides by a power of 2)
    const shifted = profileIntervals(...args(setup(dye, withColumn(table("Dyestuff"), "Yield", yield0.map((v) => v + 1e6)))));
    const scaled = profileIntervals(...args(setup(dye, withColumn(table("Dyestuff"), "Yield", yield0.map((v) => v * 2 ** 80)))));
    base.rows.forEach((r, k) => {
      const shift = r.parameter === "(Intercept)" ? 1e6 : 0;
      for (const side of ["lower", "upper"] as const) {
        expect(shifted.rows[k]![side] - shift).toBeCloseTo(r[side], 5);
        expect(scaled.rows[k]![side] / 2 ** 80).toBeCloseTo(r[side], 8);
      }
    });
    expect([...shifted.warnings, ...scaled.warnings]).toEqual([]);
  });

  it("gives an SD at 0 (a singular fit) the lower limit 0 and a finite upper one", () => {
    const ref = references.find((r) => r.name === "dyestuff2_singular")!;
    const { model, fit } = setup(ref);
    expect(fit.singular).toBe(true);
    const ci = profileIntervals(model, fit, { which: [".sig01"] });
    expect(ci.rows[0]!.estimate).toBe(0);
    expect(ci.rows[0]!.lower).toBe(0);
    expect(ci.rows[0]!.upper).toBeGreaterThan(2);
    expect(Number.isFinite(ci.rows[0]!.upper)).toBe(true);
  });
});

function args(s: { model: Model; fit: LmmFit }): [Model, LmmFit] {
  return [s.model, s.fit];
}

function catchError(f: () => unknown): HlmError {
  try {
    f();
  } catch (e) {
    if (e instanceof HlmError) return e;
    throw e;
  }
  throw new Error("expected an HlmError");
}

describe("profileIntervals with a residual structure", () => {
  it("refuses it in one sentence", () => {
    const data = readCsv(readFileSync(new URL("../../test/conformance-nlme/Ovary.csv", import.meta.url), "utf8"));
    const options = { REML: true, factors: ["Mare"], correlation: "corAR1()" };
    const model = buildModel(data, "follicles ~ s1 + c1 + (1 | Mare)", options);
    const e = catchError(() => profileIntervals(model, fitModel(model, options)));
    expect(e.code).toBe("OPTIONS");
    expect(e.message).toBe(
      "Profile-likelihood intervals are not available for a model with a residual correlation structure or variance function (the profiles do not yet hold the structure's parameters); use Wald intervals (method wald) for the fixed effects.",
    );
  });
});
