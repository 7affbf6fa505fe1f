import { describe, expect, it } from "vitest";
import { glmFamily } from "./families.js";
import { rowKernel } from "./rowKernels.js";
import { rowSpace } from "./rowSpace.js";

/** η across R's guards (beyond ±30 for the logit), y as 0/1, proportions and counts, prior weights; n odd (a padding row). */
function rows(poisson: boolean) {
  const etas = [-800, -40, -30.5, -30, -29.9, -12, -8.2, -3, -0.67, -0.1, 0, 0.2, 0.7, 2.5, 8.2, 19, 29.9, 30, 31, 45];
  const n = etas.length * 3 + 1;
  const eta = new Float64Array(n);
  const y = new Float64Array(n);
  const pw = new Float64Array(n);
  const fixed = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    eta[t] = etas[t % etas.length]! * (poisson ? 0.1 : 1);
    y[t] = poisson ? [0, 1, 7, 120][t % 4]! : [0, 1, 0.25, 1, 0][t % 5]!;
    pw[t] = [1, 4, 2.5, 1][Math.floor(t / etas.length)]!;
    fixed[t] = 0.1 * t - 1;
  }
  return { eta, y, pw, fixed, n };
}

describe("rowSpace", () => {
  it.each([
    ["binomial", "logit"],
    ["poisson", "log"],
  ] as const)("gives %s (%s)'s μ and deviance within a few units in the last place, and its working weights and response exactly", (name, linkName) => {
    const family = glmFamily(name, linkName);
    const { eta, y, pw, fixed, n } = rows(name === "poisson");
    const space = rowSpace(family, y, pw, 7)!;
    expect(space).not.toBeNull();
    const [etaW, muW, fixedW, wW, zW] = [space.array(), space.array(), space.array(), space.array(), space.array()];
    etaW.set(eta);
    fixedW.set(fixed);
    const js = rowKernel(family);
    const mu = new Float64Array(n);
    const each = new Float64Array(n);
    const dev = js.muDeviance(eta, y, pw, mu, each);
    const devW = space.kernel.muDeviance(etaW, space.y, space.pw, muW);
    for (let t = 0; t < n; t++) expect(Math.abs(muW[t]! - mu[t]!)).toBeLessThanOrEqual(4 * Number.EPSILON * mu[t]!);
    // each row's deviance, through one-row spaces (the kernel sums in lanes): the TypeScript kernel's
    // where it is accurate; beyond |η| = 8 the logit's −log(1 − μ) at μ near 1 cancels there, and
    // the row is held to the deviance in a form without cancellation
    const exact = (t: number): number => {
      if (name === "poisson" || Math.abs(eta[t]!) <= 8) return each[t]!;
      const e = eta[t]!;
      const g = e < -30 ? -Math.log(1 / Number.EPSILON) : e > 30 ? Math.log(1 / Number.EPSILON) : e;
      const v = y[t]!;
      const c = (v > 0 ? v * Math.log(v) : 0) + (v < 1 ? (1 - v) * Math.log(1 - v) : 0);
      return 2 * pw[t]! * (c + Math.log1p(Math.exp(-Math.abs(g))) + v * Math.max(-g, 0) + (1 - v) * Math.max(g, 0));
    };
    let sum = 0;
    for (let t = 0; t < n; t++) {
      const one = rowSpace(family, y.subarray(t, t + 1), pw.subarray(t, t + 1), 2)!;
      const [e1, m1] = [one.array(), one.array()];
      e1[0] = eta[t]!;
      const d1 = one.kernel.muDeviance(e1, one.y, one.pw, m1);
      expect(Math.abs(d1 - exact(t))).toBeLessThanOrEqual(1e-14 * Math.max(1, exact(t)));
      sum += exact(t);
    }
    expect(Math.abs(devW - sum)).toBeLessThan(1e-14 * sum);
    // each row's deviance kept, in the kernel's lanes: the one-row values
    const eachW = space.array();
    expect(space.kernel.muDeviance(etaW, space.y, space.pw, muW, eachW)).toBe(devW);
    for (let t = 0; t < n; t++) expect(Math.abs(eachW[t]! - exact(t))).toBeLessThanOrEqual(1e-14 * Math.max(1, exact(t)));
    if (name === "binomial") expect(Math.abs(dev - sum)).toBeGreaterThan(1e-6); // the cancellation the kernel avoids
    const w = new Float64Array(n);
    const z = new Float64Array(n);
    js.working(eta, muW, y, pw, fixed, w, z);
    space.kernel.working(etaW, muW, space.y, space.pw, fixedW, wW, zW);
    expect(Array.from(wW)).toEqual(Array.from(w));
    expect(Array.from(zW)).toEqual(Array.from(z));
  });

  it("runs the TypeScript kernel, to the last bit, where an array is not the space's", () => {
    const family = glmFamily("binomial", "logit");
    const { eta, y, pw, n } = rows(false);
    const space = rowSpace(family, y, pw, 1)!;
    const mu = new Float64Array(n);
    const each = new Float64Array(n);
    const muJs = new Float64Array(n);
    const eachJs = new Float64Array(n);
    expect(space.kernel.muDeviance(eta, space.y, space.pw, mu, each)).toBe(rowKernel(family).muDeviance(eta, y, pw, muJs, eachJs));
    expect(Array.from(mu)).toEqual(Array.from(muJs));
    expect(Array.from(each)).toEqual(Array.from(eachJs));
  });

  it("runs the TypeScript kernel for other links, and gives no more arrays than asked", () => {
    const y = new Float64Array([0, 1, 1]);
    const pw = new Float64Array([1, 1, 1]);
    const probit = glmFamily("binomial", "probit");
    const space = rowSpace(probit, y, pw, 2, { doubles: 3, ints: 2 })!;
    const [eta, mu] = [space.array(), space.array()];
    eta.set([-1, 0.5, 2]);
    const muJs = new Float64Array(3);
    expect(space.kernel.muDeviance(eta, space.y, space.pw, mu)).toBe(rowKernel(probit).muDeviance(eta, y, pw, muJs));
    expect(Array.from(mu)).toEqual(Array.from(muJs));
    expect(() => space.array()).toThrow(RangeError);
    expect(Array.from(space.doubles(3))).toEqual([0, 0, 0]);
    expect(() => space.doubles(1)).toThrow(RangeError);
    expect(space.ints(2).length).toBe(2);
    expect(() => space.ints(1)).toThrow(RangeError);
  });

  it("gathers a scalar term's effects (or Xβ by X's patterns) as the TypeScript loop rounds them, in place or from another array", () => {
    const n = 9;
    const space = rowSpace(glmFamily("poisson", "log"), new Float64Array(n), new Float64Array(n).fill(1), 3, { doubles: 4, ints: n })!;
    const [src, out, z] = [space.array(), space.array(), space.array()];
    const refs = space.ints(n);
    const b = space.doubles(4);
    for (let t = 0; t < n; t++) {
      src[t] = Math.sin(t) * 3;
      z[t] = 0.5 + t / 7;
      refs[t] = (t * 5) % 4;
    }
    b.set([0.1, -2.3, 1e-3, 7.7]);
    space.gather.add(out, src, refs, b);
    for (let t = 0; t < n; t++) expect(out[t]).toBe(src[t]! + b[refs[t]!]!);
    const before = out.slice();
    space.gather.addScaled(out, z, refs, b);
    for (let t = 0; t < n; t++) expect(out[t]).toBe(before[t]! + z[t]! * b[refs[t]!]!);
    const again = out.slice();
    space.gather.add(out, out, refs, b);
    for (let t = 0; t < n; t++) expect(out[t]).toBe(again[t]! + b[refs[t]!]!);
  });
});
