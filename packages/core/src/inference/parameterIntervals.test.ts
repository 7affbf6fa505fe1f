import { describe, expect, it } from "vitest";
import { thetaLayout } from "../model/thetaLayout.js";
import { modelParameters, sdCorToTheta, thetaToSdCor, varianceParameterNames } from "./parameterIntervals.js";
import type { ReTerm } from "../model/Model.js";
import type { LmmFit } from "../fit/LmmFit.js";

const term = (group: string, columnNames: string[]) => ({ group, columnNames, p: columnNames.length }) as unknown as ReTerm;
// sleepstudy, Reaction ~ Days + (Days | Subject), REML (lme4 1.1-31, test/conformance)
const layout = thetaLayout([term("Subject", ["(Intercept)", "Days"]), term("Night", ["(Intercept)"])]);
const theta = [0.966741773967412, 0.0151690588960361, 0.230909953207795, 0.5];
const sigma = 25.5917957216753;

describe("parameter names and the SD/correlation scale", () => {
  it("names the parameters as lme4's confint does", () => {
    expect(varianceParameterNames(layout, ["Subject", "Night"], [["(Intercept)", "Days"], ["(Intercept)"]])).toEqual([
      { parameter: "sd_(Intercept)|Subject", oldName: ".sig01", kind: "sd" },
      { parameter: "cor_Days.(Intercept)|Subject", oldName: ".sig02", kind: "cor" },
      { parameter: "sd_Days|Subject", oldName: ".sig03", kind: "sd" },
      { parameter: "sd_(Intercept)|Night", oldName: ".sig04", kind: "sd" },
      { parameter: "sigma", oldName: ".sigma", kind: "sigma" },
    ]);
  });

  it("gives lme4's SDs and correlation from θ and σ, and θ back", () => {
    const s = thetaToSdCor(layout, theta, sigma);
    expect(s[0]).toBeCloseTo(24.7406579949841, 9);
    expect(s[1]).toBeCloseTo(0.0655512382381282, 12);
    expect(s[2]).toBeCloseTo(5.92213765889808, 9);
    expect(s[3]).toBeCloseTo(0.5 * sigma, 12);
    expect(s[4]).toBe(sigma);
    const back = sdCorToTheta(layout, s, sigma);
    back.forEach((v, k) => expect(v).toBeCloseTo(theta[k]!, 12));
  });

  it("maps a zero SD and a correlation of -1 to a semi-definite θ without NaN", () => {
    const l2 = thetaLayout([term("g", ["(Intercept)", "x"])]);
    expect(Array.from(sdCorToTheta(l2, [0, 0.3, 2, 1], 1))).toEqual([0, 0, 2]);
    const t = sdCorToTheta(l2, [2, -1, 3, 1], 1);
    expect(Array.from(t)).toEqual([2, -3, 0]);
    expect(Array.from(thetaToSdCor(l2, t, 1))).toEqual([2, -1, 3, 1]);
  });

  it("lists the fit's parameters with estimates in lme4's order", () => {
    const l1 = thetaLayout([term("Subject", ["(Intercept)"])]);
    const fit = { theta: [2], sigma: 3, fixefNames: ["(Intercept)", "Days"], fixef: [250, 10], varcorr: [{ group: "Subject", names: ["(Intercept)"] }] } as unknown as LmmFit;
    expect(modelParameters(l1, fit).map((r) => [r.oldName, r.kind, r.estimate])).toEqual([
      [".sig01", "sd", 6],
      [".sigma", "sigma", 3],
      ["(Intercept)", "fixed", 250],
      ["Days", "fixed", 10],
    ]);
  });
});
