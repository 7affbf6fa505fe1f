import type { Family } from "./families.js";
import { dnorm, EPS, PROBIT_THRESH, pnorm } from "./links.js";

/**
 * The passes over the rows of a PIRLS iteration for one family and link: the same arithmetic as
 * `Family` and `Link` (the same values to the last bit), written as one loop each so the engine
 * optimizes each family's loop on its own instead of one loop calling whichever family came first.
 */
export interface RowKernel {
  /** μ = g⁻¹(η) into mu (and each d_i = w_i dev(y_i, μ_i) into `each`, if given); returns Σ d_i, the deviance. */
  muDeviance(eta: Float64Array, y: Float64Array, pw: Float64Array, mu: Float64Array, each?: Float64Array): number;
  /** The working weights w = w_prior μ'(η)²/V(μ) and response z = η − fixed + (y − μ)/μ'(η). */
  working(eta: Float64Array, mu: Float64Array, y: Float64Array, pw: Float64Array, fixed: Float64Array, w: Float64Array, z: Float64Array): void;
}


const binomialLogit: RowKernel = {
  muDeviance(eta, y, pw, mu, each) {
    let d = 0;
    for (let t = 0; t < eta.length; t++) {
      const e = eta[t]!;
      const x = e < -30 ? EPS : e > 30 ? 1 / EPS : Math.exp(e);
      const m = x / (1 + x);
      mu[t] = m;
      const yt = y[t]!;
      // binomialDev written out (the engine does not inline the call here); 0 < y < 1 takes both logarithms
      const dt = 2 * pw[t]! * (yt === 1 ? -Math.log(m) : yt === 0 ? -Math.log(1 - m) : yt * Math.log(yt / m) + (1 - yt) * Math.log((1 - yt) / (1 - m)));
      if (each) each[t] = dt;
      d += dt;
    }
    return d;
  },
  working(eta, mu, y, pw, fixed, w, z) {
    for (let t = 0; t < eta.length; t++) {
      const e = eta[t]!;
      const m = mu[t]!;
      const d = e > 30 || e < -30 ? EPS : m * (1 - m);
      w[t] = (pw[t]! * d * d) / (m * (1 - m));
      z[t] = e - fixed[t]! + (y[t]! - m) / d;
    }
  },
};

const binomialProbit: RowKernel = {
  muDeviance(eta, y, pw, mu, each) {
    let d = 0;
    for (let t = 0; t < eta.length; t++) {
      const m = pnorm(Math.min(Math.max(eta[t]!, -PROBIT_THRESH), PROBIT_THRESH));
      mu[t] = m;
      const yt = y[t]!;
      // binomialDev written out (the engine does not inline the call here); 0 < y < 1 takes both logarithms
      const dt = 2 * pw[t]! * (yt === 1 ? -Math.log(m) : yt === 0 ? -Math.log(1 - m) : yt * Math.log(yt / m) + (1 - yt) * Math.log((1 - yt) / (1 - m)));
      if (each) each[t] = dt;
      d += dt;
    }
    return d;
  },
  working(eta, mu, y, pw, fixed, w, z) {
    for (let t = 0; t < eta.length; t++) {
      const e = eta[t]!;
      const m = mu[t]!;
      const d = Math.max(dnorm(e), EPS);
      w[t] = (pw[t]! * d * d) / (m * (1 - m));
      z[t] = e - fixed[t]! + (y[t]! - m) / d;
    }
  },
};

const binomialCloglog: RowKernel = {
  muDeviance(eta, y, pw, mu, each) {
    let d = 0;
    for (let t = 0; t < eta.length; t++) {
      const m = Math.max(Math.min(-Math.expm1(-Math.exp(eta[t]!)), 1 - EPS), EPS);
      mu[t] = m;
      const yt = y[t]!;
      // binomialDev written out (the engine does not inline the call here); 0 < y < 1 takes both logarithms
      const dt = 2 * pw[t]! * (yt === 1 ? -Math.log(m) : yt === 0 ? -Math.log(1 - m) : yt * Math.log(yt / m) + (1 - yt) * Math.log((1 - yt) / (1 - m)));
      if (each) each[t] = dt;
      d += dt;
    }
    return d;
  },
  working(eta, mu, y, pw, fixed, w, z) {
    for (let t = 0; t < eta.length; t++) {
      const e = eta[t]!;
      const m = mu[t]!;
      const c = Math.min(e, 700);
      const d = Math.max(Math.exp(c) * Math.exp(-Math.exp(c)), EPS);
      w[t] = (pw[t]! * d * d) / (m * (1 - m));
      z[t] = e - fixed[t]! + (y[t]! - m) / d;
    }
  },
};

const poissonLog: RowKernel = {
  muDeviance(eta, y, pw, mu, each) {
    let d = 0;
    for (let t = 0; t < eta.length; t++) {
      const m = Math.max(Math.exp(eta[t]!), EPS);
      mu[t] = m;
      const yt = y[t]!;
      const wt = pw[t]!;
      const dt = yt > 0 ? 2 * wt * (yt * Math.log(yt / m) - (yt - m)) : 2 * (m * wt);
      if (each) each[t] = dt;
      d += dt;
    }
    return d;
  },
  working(eta, mu, y, pw, fixed, w, z) {
    for (let t = 0; t < eta.length; t++) {
      const e = eta[t]!;
      const m = mu[t]!;
      w[t] = (pw[t]! * m * m) / m;
      z[t] = e - fixed[t]! + (y[t]! - m) / m;
    }
  },
};

/** The family's kernel: one of the four above, or the family's own functions row by row for any other. */
export function rowKernel(family: Family): RowKernel {
  const key = `${family.name}-${family.link.name}`;
  if (key === "binomial-logit") return binomialLogit;
  if (key === "binomial-probit") return binomialProbit;
  if (key === "binomial-cloglog") return binomialCloglog;
  if (key === "poisson-log") return poissonLog;
  const link = family.link;
  return {
    muDeviance(eta, y, pw, mu, each) {
      let d = 0;
      for (let t = 0; t < eta.length; t++) {
        const m = link.linkinv(eta[t]!);
        mu[t] = m;
        const dt = family.devResid(y[t]!, m, pw[t]!);
        if (each) each[t] = dt;
        d += dt;
      }
      return d;
    },
    working(eta, mu, y, pw, fixed, w, z) {
      for (let t = 0; t < eta.length; t++) {
        const e = eta[t]!;
        const m = mu[t]!;
        const d = link.muEtaAt(e, m);
        w[t] = (pw[t]! * d * d) / family.variance(m);
        z[t] = e - fixed[t]! + (y[t]! - m) / d;
      }
    },
  };
}
