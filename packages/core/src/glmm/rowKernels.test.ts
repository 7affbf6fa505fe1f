import { describe, expect, it } from "vitest";
import { glmFamily } from "./families.js";
import { rowKernel } from "./rowKernels.js";

/** η across every guard (beyond ±30, the probit clamp, cloglog's 700), y as 0/1, proportions and counts, prior weights. */
function rows(poisson: boolean) {
  const etas = [-800, -40, -30.5, -30, -12, -8.2, -3, -0.67, -0.1, 0, 0.2, 0.7, 2.5, 8.2, 30, 31, 45];
  const n = etas.length * 3;
  const eta = new Float64Array(n);
  const y = new Float64Array(n);
  const pw = new Float64Array(n);
  const fixed = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    eta[t] = etas[t % etas.length]! * (poisson ? 0.1 : 1);
    y[t] = poisson ? [0, 1, 7][t % 3]! : [0, 1, 0.25][t % 3]!;
    pw[t] = [1, 4, 2.5][Math.floor(t / etas.length)]!;
    fixed[t] = 0.1 * t - 1;
  }
  return { eta, y, pw, fixed, n };
}

describe("rowKernel", () => {
  it.each([
    ["binomial", "logit"],
    ["binomial", "probit"],
    ["binomial", "cloglog"],
    ["poisson", "log"],
  ] as const)("gives %s (%s)'s μ, deviance residuals, deviance, working weights and response to the last bit", (name, linkName) => {
    const family = glmFamily(name, linkName);
    const { eta, y, pw, fixed, n } = rows(name === "poisson");
    const kernel = rowKernel(family);
    const mu = new Float64Array(n);
    const each = new Float64Array(n);
    const dev = kernel.muDeviance(eta, y, pw, mu, each);
    expect(kernel.muDeviance(eta, y, pw, new Float64Array(n))).toBe(dev);
    const w = new Float64Array(n);
    const z = new Float64Array(n);
    kernel.working(eta, mu, y, pw, fixed, w, z);
    let expectedDev = 0;
    for (let t = 0; t < n; t++) {
      const m = family.link.linkinv(eta[t]!);
      expect(mu[t]).toBe(m);
      expect(each[t]).toBe(family.devResid(y[t]!, m, pw[t]!));
      expectedDev += family.devResid(y[t]!, m, pw[t]!);
      const d = family.link.muEtaAt(eta[t]!, m);
      expect(w[t]).toBe((pw[t]! * d * d) / family.variance(m));
      expect(z[t]).toBe(eta[t]! - fixed[t]! + (y[t]! - m) / d);
    }
    expect(dev).toBe(expectedDev);
    expect(Number.isFinite(dev)).toBe(true);
  });
});
