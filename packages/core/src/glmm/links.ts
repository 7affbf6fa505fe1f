import qnorm from "@stdlib/stats-base-dists-normal-quantile";

/** R's `.Machine$double.eps`. */
export const EPS = 2.220446049250313e-16;

/** A link function g of a GLM (R's `make.link`): η = g(μ), μ = g⁻¹(η) and dμ/dη, with R's guards against 0 and 1. */
export interface Link {
  name: "logit" | "probit" | "cloglog" | "log";
  linkfun(mu: number): number;
  linkinv(eta: number): number;
  muEta(eta: number): number;
  /** dμ/dη at η where μ = g⁻¹(η) is known already: the same value, without its exponential where μ gives it (logit: μ(1 − μ); log: μ). */
  muEtaAt(eta: number, mu: number): number;
}

// Cody's rational Chebyshev approximations to Φ (Math. Comp. 1969), the coefficients R's pnorm uses
const A = [2.2352520354606839287, 161.02823106855587881, 1067.6894854603709582, 18154.981253343561249, 0.065682337918207449113];
const B = [47.20258190468824187, 976.09855173777669322, 10260.932208618978205, 45507.789335026729956];
const C = [
  0.39894151208813466764, 8.8831497943883759412, 93.506656132177855979, 597.27027639480026226, 2494.5375852903726711, 6848.1904505362823326,
  11602.651437647350124, 9842.7148383839780218, 1.0765576773720192317e-8,
];
const D = [22.266688044328115691, 235.38790178262499861, 1519.377599407554805, 6485.558298266760755, 18615.571640885098091, 34900.952721145977266, 38912.003286093271411, 19685.429676859990727];
const P = [0.21589853405795699, 0.1274011611602473639, 0.022235277870649807, 0.001421619193227893466, 2.9112874951168792e-5, 0.02307344176494017303];
const Q = [1.28426009614491121, 0.468238212480865118, 0.0659881378689285515, 0.00378239633202758244, 7.29751555083966205e-5];
const SQRT_32 = 5.656854249492380195206754896838;
const ONE_OVER_SQRT_2PI = 0.398942280401432677939946059934;

/** Φ(x), the standard normal distribution function, as R's `pnorm` computes it (Cody's algorithm): no cancellation in either tail. */
export function pnorm(x: number): number {
  const y = Math.abs(x);
  if (y <= 0.67448975) {
    let num = 0;
    let den = 0;
    if (y > EPS / 2) {
      const xsq = x * x;
      num = A[4]! * xsq;
      den = xsq;
      for (let i = 0; i < 3; i++) {
        num = (num + A[i]!) * xsq;
        den = (den + B[i]!) * xsq;
      }
    }
    return 0.5 + (x * (num + A[3]!)) / (den + B[3]!);
  }
  let tail: number;
  if (y <= SQRT_32) {
    let num = C[8]! * y;
    let den = y;
    for (let i = 0; i < 7; i++) {
      num = (num + C[i]!) * y;
      den = (den + D[i]!) * y;
    }
    tail = (num + C[7]!) / (den + D[7]!);
  } else if (y < 37.5193) {
    const xsq = 1 / (x * x);
    let num = P[5]! * xsq;
    let den = xsq;
    for (let i = 0; i < 4; i++) {
      num = (num + P[i]!) * xsq;
      den = (den + Q[i]!) * xsq;
    }
    tail = (ONE_OVER_SQRT_2PI - (xsq * (num + P[4]!)) / (den + Q[4]!)) / y;
  } else return x > 0 ? 1 : 0;
  // exp(−y²/2) in two parts, y² split at a multiple of 1/16, as R does against rounding
  const ysq = Math.trunc(y * 16) / 16;
  const del = (y - ysq) * (y + ysq);
  const lower = Math.exp(-ysq * ysq * 0.5) * Math.exp(-del * 0.5) * tail;
  return x > 0 ? 1 - lower : lower;
}

export const dnorm = (x: number): number => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
/** R's −qnorm(DBL_EPSILON): where the probit link clamps η. */
export const PROBIT_THRESH = -qnorm(EPS, 0, 1);

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
      if (eta > 30 || eta < -30) return EPS;
      const e = Math.exp(eta);
      return e / ((1 + e) * (1 + e));
    },
    muEtaAt: (eta, mu) => (eta > 30 || eta < -30 ? EPS : mu * (1 - mu)),
  },
  probit: {
    name: "probit",
    linkfun: (mu) => qnorm(mu, 0, 1),
    linkinv: (eta) => pnorm(Math.min(Math.max(eta, -PROBIT_THRESH), PROBIT_THRESH)),
    muEta: (eta) => Math.max(dnorm(eta), EPS),
    muEtaAt: (eta) => Math.max(dnorm(eta), EPS),
  },
  cloglog: {
    name: "cloglog",
    linkfun: (mu) => Math.log(-Math.log(1 - mu)),
    linkinv: (eta) => Math.max(Math.min(-Math.expm1(-Math.exp(eta)), 1 - EPS), EPS),
    muEta: (eta) => {
      const e = Math.min(eta, 700);
      return Math.max(Math.exp(e) * Math.exp(-Math.exp(e)), EPS);
    },
    muEtaAt(eta) {
      return this.muEta(eta);
    },
  },
  log: {
    name: "log",
    linkfun: (mu) => Math.log(mu),
    linkinv: (eta) => Math.max(Math.exp(eta), EPS),
    muEta: (eta) => Math.max(Math.exp(eta), EPS),
    muEtaAt: (_eta, mu) => mu,
  },
};
