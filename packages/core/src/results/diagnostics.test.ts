import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { diagnostics, ppoints, qqnorm } from "./diagnostics.js";
import { fit } from "../fit/fit.js";
import { readCsv } from "../io/readCsv.js";

describe("diagnostic plot data", () => {
  it("gives R's ppoints and qqnorm, ties in order of position", () => {
    expect(Array.from(ppoints(3))).toEqual([0.625 / 3.25, 1.625 / 3.25, 2.625 / 3.25]);
    expect(ppoints(11)[0]).toBe(0.5 / 11);
    // R: qqnorm(c(3,1,2,2,5,-1,0,7,2.5,4,9))$x and qqnorm(c(3,1,2,2,5))$x
    const r11 = [0.22988411757923216, -0.74785859476330208, -0.47278912099226728, -0.22988411757923205, 0.74785859476330208, -1.6906216295848977, -1.0968035620935135, 1.0968035620935135, 0, 0.47278912099226722, 1.6906216295848984];
    qqnorm([3, 1, 2, 2, 5, -1, 0, 7, 2.5, 4, 9]).forEach((v, i) => expect(v).toBeCloseTo(r11[i]!, 14));
    const r5 = [0.49720057068155399, -1.1797611176118603, -0.49720057068155399, 0, 1.1797611176118603];
    qqnorm([3, 1, 2, 2, 5]).forEach((v, i) => expect(v).toBeCloseTo(r5[i]!, 14));
  });

  it("lays out residuals and BLUPs of a fit for their plots", () => {
    const data = readCsv(readFileSync(new URL("../../test/conformance/sleepstudy.csv", import.meta.url), "utf8"));
    const f = fit(data, "Reaction ~ Days + (Days | Subject)");
    const d = diagnostics(f);
    expect(d.fitted.length).toBe(180);
    d.residuals.forEach((r, i) => expect(r).toBeCloseTo(f.residuals[i]!, 12));
    expect(d.ranef.map((r) => `${r.group}/${r.column}/${r.levels.length}`)).toEqual(["Subject/(Intercept)/18", "Subject/Days/18"]);
    // the largest BLUP sits at the largest normal quantile
    const days = d.ranef[1]!;
    const iMax = days.values.indexOf(Math.max(...days.values));
    expect(days.theoretical[iMax]).toBeCloseTo(Math.max(...days.theoretical), 14);
    expect(Math.max(...d.residualTheoretical)).toBeCloseTo(-Math.min(...d.residualTheoretical), 12);
  });
});
