import { HlmError } from "../HlmError.js";
import type { Model } from "../model/Model.js";
import type { Objective } from "../objective/Objective.js";
import type { Family } from "./families.js";
import { ghRule } from "./ghRule.js";
import type { PirlsResult } from "./pirls.js";

/**
 * Adaptive Gauss–Hermite quadrature with `nAGQ` nodes (lme4's `glmerAGQ`), for one scalar
 * random-effects term, over x = (θ, β): at the modes u (PIRLS as `laplaceObjective` finds them) and
 * the conditional SDs s_l = 1/L_ll, per level l
 *   m_l = Σ_k w_k exp(−½(c_l(u_l + z_k s_l) − c_l(u_l)) + z_k²/2),  c_l(v) = Σ_{i in l} d_i + v²,
 * (∫ exp(−½c_l(v)) dv / √(2π) = s_l m_l exp(−½c_l(u_l))), and the criterion is
 * Σ_l c_l(u_l) + log |L|² − 2 Σ_l log m_l: with one node (z = 0, w = 1) the Laplace criterion. As
 * lme4 1.1-31 computes it, from the deviance residuals only: the saturated model's −2 log-likelihood
 * is left out.
 */
export function agqObjective(model: Model, family: Family, laplace: Objective & { at(x: ArrayLike<number>): PirlsResult }, nAGQ: number): Objective & { at(x: ArrayLike<number>): PirlsResult } {
  const term = model.reTerms[0]!;
  if (model.reTerms.length !== 1 || term.p !== 1) {
    throw new HlmError("OPTIONS", "nAGQ > 1 is only available for models with a single, scalar random-effects term (lme4's words), such as (1 | group); use nAGQ = 1.");
  }
  const rule = ghRule(nAGQ);
  const { n } = model;
  const y = model.y;
  const pw = model.weights ?? new Float64Array(n).fill(1);
  const nl = term.nl;
  const evaluate = (x: ArrayLike<number>): number => {
    const r = laplace.at(x);
    if (!Number.isFinite(r.laplace)) return Infinity;
    const theta = x[0]!;
    const { Lnodes, LRR } = r.fac;
    const lay = r.fac.cross;
    const sd = Float64Array.from({ length: nl }, (_, l) => 1 / (lay.nNodes > 0 ? Lnodes[lay.diagOff[l]!]! : LRR[l * lay.m + l]!));
    const devc = (eta: ArrayLike<number>, u: ArrayLike<number>): Float64Array => {
      const c = Float64Array.from(u, (v) => v * v);
      for (let t = 0; t < n; t++) c[term.refs[t]!]! += family.devResid(y[t]!, family.link.linkinv(eta[t]!), pw[t]!);
      return c;
    };
    const c0 = devc(r.eta, r.u);
    const mult = new Float64Array(nl);
    const eta = new Float64Array(n);
    const u = new Float64Array(nl);
    rule.z.forEach((z, k) => {
      for (let l = 0; l < nl; l++) u[l] = r.u[l]! + z * sd[l]!;
      for (let t = 0; t < n; t++) eta[t] = r.eta[t]! + theta * term.z[t]! * z * sd[term.refs[t]!]!;
      const c = devc(eta, u);
      for (let l = 0; l < nl; l++) mult[l]! += Math.exp(-0.5 * (c[l]! - c0[l]!) + 0.5 * z * z) * rule.w[k]!;
    });
    let f = r.fac.ldL2;
    for (let l = 0; l < nl; l++) f += c0[l]! - 2 * Math.log(mult[l]!);
    return f;
  };
  return { layout: laplace.layout, at: laplace.at, evaluate };
}
