import { describe, expect, it } from "vitest";
import { glmFamily, rRound } from "./families.js";
import { LINKS } from "./links.js";
import { logGamma } from "./logGamma.js";

// the numbers are R 4's: binomial(link)$linkinv, $mu.eta, $linkfun, $dev.resids, $aic; poisson(); lgamma
describe("links as R's make.link defines them", () => {
  const eta = [-40, -2, 0.5, 35];
  const cases = {
    logit: { inv: [2.2204460492503126e-16, 0.11920292202211755, 0.62245933120185459, 0.99999999999999978], dmu: [2.2204460492503131e-16, 0.10499358540350651, 0.23500371220159449, 2.2204460492503131e-16], fun: [-2.1972245773362191, 0.84729786038720345] },
    probit: { inv: [2.2204460492503284e-16, 0.022750131948179212, 0.69146246127401301, 0.99999999999999978], dmu: [2.2204460492503131e-16, 0.053990966513188063, 0.35206532676429952, 2.2204460492503131e-16], fun: [-1.2815515655446008, 0.52440051270804067] },
    cloglog: { inv: [2.2204460492503131e-16, 0.12657698150688337, 0.80770435445203503, 0.99999999999999978], dmu: [2.2204460492503131e-16, 0.11820495159314316, 0.31704192107794216, 2.2204460492503131e-16], fun: [-2.2503673273124454, 0.18562675886236557] },
  } as const;
  for (const [name, c] of Object.entries(cases)) {
    it(`${name}: linkinv, mu.eta and linkfun, with R's guards at the extremes`, () => {
      const link = LINKS[name as keyof typeof cases];
      eta.forEach((e, i) => {
        expect(link.linkinv(e)).toBeCloseTo(c.inv[i]!, 14);
        expect(link.muEta(e) / c.dmu[i]!).toBeCloseTo(1, 10);
      });
      [0.1, 0.7].forEach((mu, i) => expect(link.linkfun(mu)).toBeCloseTo(c.fun[i]!, 12));
    });
  }
  it("log: exp(η) floored at the machine epsilon", () => {
    expect(LINKS.log.linkinv(-40)).toBe(2.220446049250313e-16);
    expect(LINKS.log.muEta(1.5)).toBeCloseTo(4.4816890703380645, 13);
  });
});

describe("families with prior weights", () => {
  it("binomial: squared deviance residuals and −2 log-likelihood with the binomial coefficient", () => {
    const f = glmFamily("binomial");
    const y = [0, 0.25, 1];
    const mu = [0.2, 0.3, 0.9];
    const w = [4, 8, 3];
    [1.7851484105136781, 0.098628230667598626, 0.63216309394695813].forEach((d, i) => expect(f.devResid(y[i]!, mu[i]!, w[i]!)).toBeCloseTo(d, 13));
    expect(y.reduce((s, yi, i) => s + f.minus2LogLik(yi, mu[i]!, w[i]!), 0)).toBeCloseTo(4.8488930286787602, 12);
    expect(f.variance(0.3)).toBeCloseTo(0.21, 15);
  });
  it("poisson: squared deviance residuals and −2 log-likelihood with log y!", () => {
    const f = glmFamily("poisson");
    const y = [0, 3, 10];
    const mu = [0.5, 2.5, 12];
    const w = [1, 1, 2];
    [1, 0.093929340763727609, 0.70713772824181653].forEach((d, i) => expect(f.devResid(y[i]!, mu[i]!, w[i]!)).toBeCloseTo(d, 13));
    expect(y.reduce((s, yi, i) => s + f.minus2LogLik(yi, mu[i]!, w[i]!), 0)).toBeCloseTo(13.10715884799323, 11);
  });
  it("log Γ as R's lgamma", () => {
    [0.3, 1, 10.5, 1e4].forEach((x, i) => expect(logGamma(x) - [1.0957979948180756, 0, 13.940625219403763, 82099.717496442376][i]!).toBeCloseTo(0, 9));
  });
  it("refuses a link the family does not take, and a response outside its range, in one sentence", () => {
    expect(() => glmFamily("poisson", "logit")).toThrow("The poisson family takes the link 'log', not 'logit'.");
    expect(() => glmFamily("binomial").check(1.5, 7)).toThrow("A binomial response must be a proportion between 0 and 1, but it is 1.5 in row 7.");
    expect(() => glmFamily("poisson").check(-1, 3)).toThrow("A Poisson response must be a count of 0 or more, but it is -1 in row 3.");
  });

  it("rounds as R's round() does, halves to even (binomial()$aic's dbinom(round(m y), round(m)))", () => {
    // R: round(c(0.5, 1.5, 2.5, -0.5, -1.5, 2.4999, 3.7)) is 0 2 2 0 -2 2 4
    expect([0.5, 1.5, 2.5, -0.5, -1.5, 2.4999, 3.7].map(rRound).map((v) => v + 0)).toEqual([0, 2, 2, 0, -2, 2, 4]);
  });
});
