import { describe, expect, it } from "vitest";
import { predictorScalesDiffer } from "./fitWarnings.js";

/** X column-major from columns. */
const X = (...cols: number[][]): Float64Array => Float64Array.from(cols.flat());

describe("predictorScalesDiffer (lme4's checkScaleX)", () => {
  const n = 200;
  const wave = (scale: number, shift = 0): number[] => Array.from({ length: n }, (_, t) => shift + scale * Math.sin(t * 0.37));
  const ones = new Array<number>(n).fill(1);
  const dummy = Array.from({ length: n }, (_, t) => t % 2);
  it.each([
    ["an intercept, a dummy and a covariate of SD about 0.7", [ones, dummy, wave(1)], false],
    ["covariates whose SDs are 10 apart", [ones, wave(1), wave(10)], false],
    ["covariates whose SDs are 10,000 apart", [ones, wave(0.01), wave(100)], true],
    ["a covariate of SD above 1000", [ones, wave(5000)], true],
    ["a covariate of SD below 1/1000, far from 0", [ones, wave(1e-4, 1e6)], true],
    ["only 0/1 columns", [ones, dummy], false],
  ] as const)("%s", (_, cols, differ) => {
    expect(predictorScalesDiffer(X(...cols), n, cols.length)).toBe(differ);
  });
});
