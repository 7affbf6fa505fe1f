import { HlmError } from "../HlmError.js";
import { LINKS, type Link } from "./links.js";
import { logChoose, logGamma } from "./logGamma.js";

/**
 * An exponential family of a GLM as R's `family` objects hold it, with prior weights w: the variance
 * function V(μ), the deviance residuals' squares d_i (their sum is the deviance), −2 log-likelihood
 * (R's `aic()` term, the binomial coefficient and log y! included) and the starting μ (`mustart`).
 */
export interface Family {
  name: "binomial" | "poisson";
  link: Link;
  variance(mu: number): number;
  /** d_i = w_i · dev(y_i, μ_i), the square of the deviance residual. */
  devResid(y: number, mu: number, w: number): number;
  /** −2 log f(y_i | μ_i) with prior weight w_i; at μ = y it is the saturated model's. */
  minus2LogLik(y: number, mu: number, w: number): number;
  /** R's `mustart` from `family$initialize`. */
  start(y: number, w: number): number;
  /** Refuses a response the family cannot have (one sentence naming the value). */
  check(y: number, row: number): void;
}

/** R's round(x) to a whole number: halves to the even neighbour (round(2.5) = 2, round(0.5) = 0), as R's dbinom(round(m y), round(m)) in binomial()$aic. */
export function rRound(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - Math.trunc(x)) === 0.5 ? 2 * Math.round(x / 2) : r;
}

/** y log(y / μ), 0 at y = 0 (R's `y_log_y`). */
const yLogY = (y: number, mu: number): number => (y !== 0 ? y * Math.log(y / mu) : 0);

/**
 * The binomial deviance residual's square without the prior weight and factor 2, y log(y/μ) +
 * (1 − y) log((1 − y)/(1 − μ)) (R's `binomial_dev_resids`): for a 0/1 response −log μ or
 * −log(1 − μ), one logarithm and no division (R's value to rounding).
 */
export const binomialDev = (y: number, mu: number): number => (y === 1 ? -Math.log(mu) : y === 0 ? -Math.log(1 - mu) : yLogY(y, mu) + yLogY(1 - y, 1 - mu));

const binomial = (link: Link): Family => ({
  name: "binomial",
  link,
  variance: (mu) => mu * (1 - mu),
  devResid: (y, mu, w) => 2 * w * binomialDev(y, mu),
  minus2LogLik: (y, mu, w) => {
    // dbinom(round(m y), round(m), μ, log = TRUE) with m = w: the weights are the numbers of trials
    const m = rRound(w);
    const k = rRound(w * y);
    const a = k > 0 ? k * Math.log(mu) : 0;
    const b = m - k > 0 ? (m - k) * Math.log(1 - mu) : 0;
    return -2 * (logChoose(m, k) + a + b);
  },
  start: (y, w) => (w * y + 0.5) / (w + 1),
  check: (y, row) => {
    if (!(y >= 0 && y <= 1)) throw new HlmError("DATA", `A binomial response must be a proportion between 0 and 1, but it is ${y} in row ${row}.`, { row });
  },
});

const poisson = (link: Link): Family => ({
  name: "poisson",
  link,
  variance: (mu) => mu,
  devResid: (y, mu, w) => {
    const r = mu * w;
    return y > 0 ? 2 * w * (y * Math.log(y / mu) - (y - mu)) : 2 * r;
  },
  minus2LogLik: (y, mu, w) => -2 * w * (y > 0 ? y * Math.log(mu) - mu - logGamma(y + 1) : -mu),
  start: (y) => y + 0.1,
  check: (y, row) => {
    if (!(y >= 0)) throw new HlmError("DATA", `A Poisson response must be a count of 0 or more, but it is ${y} in row ${row}.`, { row });
  },
});

/** The family with its link (binomial: logit, probit or cloglog, logit by default; poisson: log). */
export function glmFamily(family: "binomial" | "poisson", link?: Link["name"]): Family {
  const name = link ?? (family === "binomial" ? "logit" : "log");
  const allowed = family === "binomial" ? ["logit", "probit", "cloglog"] : ["log"];
  if (!allowed.includes(name)) throw new HlmError("OPTIONS", `The ${family} family takes the link ${allowed.map((a) => `'${a}'`).join(", ")}, not '${name}'.`);
  return family === "binomial" ? binomial(LINKS[name]) : poisson(LINKS[name]);
}
