import gammainc from "@stdlib/math-base-special-gammainc";
import qnorm from "@stdlib/stats-base-dists-normal-quantile";

/** R's `.Machine$double.eps`. */
const EPS = 2.220446049250313e-16;

/** A link function g of a GLM (R's `make.link`): η = g(μ), μ = g⁻¹(η) and dμ/dη, with R's guards against 0 and 1. */
export interface Link {
  name: "logit" | "probit" | "cloglog" | "log";
  linkfun(mu: number): number;
  linkinv(eta: number): number;
  muEta(eta: number): number;
}

/** Φ(x), the standard normal distribution function, without cancellation in either tail. */
export function pnorm(x: number): number {
  const tail = 0.5 * gammainc((x * x) / 2, 0.5, true, true);
  return x < 0 ? tail : 1 - tail;
}

const dnorm = (x: number): number => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
/** R's −qnorm(DBL_EPSILON): where the probit link clamps η. */
const PROBIT_THRESH = -qnorm(EPS, 0, 1);

/** The links by name, as R's `make.link` defines them. */
export const LINKS: Record<Link["name"], Link> = {
  logit: {
    name: "logit",
    linkfun: (mu) => Math.log(mu / (1 - mu)),
    linkinv: (eta) => {
      const t = eta < -30 ? EPS : eta > 30 ? 1 / EPS : Math.exp(eta);
      return t / (1 + t);
    },
    muEta: (eta) => {
      const o = 1 + Math.exp(eta);
      return eta > 30 || eta < -30 ? EPS : Math.exp(eta) / (o * o);
    },
  },
  probit: {
    name: "probit",
    linkfun: (mu) => qnorm(mu, 0, 1),
    linkinv: (eta) => pnorm(Math.min(Math.max(eta, -PROBIT_THRESH), PROBIT_THRESH)),
    muEta: (eta) => Math.max(dnorm(eta), EPS),
  },
  cloglog: {
    name: "cloglog",
    linkfun: (mu) => Math.log(-Math.log(1 - mu)),
    linkinv: (eta) => Math.max(Math.min(-Math.expm1(-Math.exp(eta)), 1 - EPS), EPS),
    muEta: (eta) => {
      const e = Math.min(eta, 700);
      return Math.max(Math.exp(e) * Math.exp(-Math.exp(e)), EPS);
    },
  },
  log: {
    name: "log",
    linkfun: (mu) => Math.log(mu),
    linkinv: (eta) => Math.max(Math.exp(eta), EPS),
    muEta: (eta) => Math.max(Math.exp(eta), EPS),
  },
};
