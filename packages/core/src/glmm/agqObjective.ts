import { HlmError } from "../HlmError.js";
import type { Model } from "../model/Model.js";
import type { Objective } from "../objective/Objective.js";
import type { Family } from "./families.js";
import { ghRule } from "./ghRule.js";
import type { PirlsResult } from "./pirls.js";
import { rowKernel } from "./rowKernels.js";
import { rowSpace } from "./rowSpace.js";

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
  agqAllowed(model);
  const term = model.reTerms[0]!;
  const rule = ghRule(nAGQ);
  const { n } = model;
  const nl = term.nl;
  // y, the prior weights, η at a node, its μ and d_i in WebAssembly memory where its row kernels take the family
  const space = rowSpace(family, model.y, model.weights ?? new Float64Array(n).fill(1), 3);
  const y = space ? space.y : model.y;
  const pw = space ? space.pw : (model.weights ?? new Float64Array(n).fill(1));
  const kernel = space ? space.kernel : rowKernel(family);
  const refs = term.refs;
  const zt = term.z;
  // per evaluation: the conditional SDs, c_l at the modes and at a node, the sums, η at a node, its μ and d_i
  const sd = new Float64Array(nl);
  const c0 = new Float64Array(nl);
  const c = new Float64Array(nl);
  const mult = new Float64Array(nl);
  const eta = space ? space.array() : new Float64Array(n);
  const mu = space ? space.array() : new Float64Array(n);
  const d = space ? space.array() : new Float64Array(n);
  /** c_l = u_l² + Σ_{i in l} d_i at η, into out. */
  const devc = (at: Float64Array, u: (l: number) => number, out: Float64Array): void => {
    for (let l = 0; l < nl; l++) {
      const v = u(l);
      out[l] = v * v;
    }
    kernel.muDeviance(at, y, pw, mu, d);
    for (let t = 0; t < n; t++) out[refs[t]!]! += d[t]!;
  };
  const evaluate = (x: ArrayLike<number>): number => {
    const r = laplace.at(x);
    if (!Number.isFinite(r.laplace)) return Infinity;
    const theta = x[0]!;
    const { Lnodes, LRR } = r.fac;
    const lay = r.fac.cross;
    for (let l = 0; l < nl; l++) sd[l] = 1 / (lay.nNodes > 0 ? Lnodes[lay.diagOff[l]!]! : LRR[l * lay.m + l]!);
    eta.set(r.eta);
    devc(eta, (l) => r.u[l]!, c0);
    mult.fill(0);
    for (let k = 0; k < rule.z.length; k++) {
      const z = rule.z[k]!;
      if (z === 0) {
        // the middle node of an odd rule is the modes themselves: c = c0, each term exp(0)·w
        for (let l = 0; l < nl; l++) mult[l]! += rule.w[k]!;
        continue;
      }
      for (let t = 0; t < n; t++) eta[t] = r.eta[t]! + theta * zt[t]! * z * sd[refs[t]!]!;
      devc(eta, (l) => r.u[l]! + z * sd[l]!, c);
      for (let l = 0; l < nl; l++) mult[l]! += Math.exp(-0.5 * (c[l]! - c0[l]!) + 0.5 * z * z) * rule.w[k]!;
    }
    let f = r.fac.ldL2;
    for (let l = 0; l < nl; l++) f += c0[l]! - 2 * Math.log(mult[l]!);
    return f;
  };
  return { layout: laplace.layout, at: laplace.at, evaluate };
}

/** Refuses nAGQ > 1 where lme4 does: unless the model has a single, scalar random-effects term. */
export function agqAllowed(model: Pick<Model, "reTerms">): void {
  if (model.reTerms.length !== 1 || model.reTerms[0]!.p !== 1) {
    throw new HlmError("OPTIONS", "nAGQ > 1 is only available for models with a single, scalar random-effects term (lme4's words), such as (1 | group); use nAGQ = 1.");
  }
}
