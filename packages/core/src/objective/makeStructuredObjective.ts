import type { Model } from "../model/Model.js";
import type { ResidualStructure } from "../model/Model.js";
import { thetaLayout, type ThetaLayout } from "../model/thetaLayout.js";
import { structureParameters } from "../structure/structureParameters.js";
import { whitener } from "../structure/whitener.js";
import { assembleCrossProducts } from "./assembleCrossProducts.js";
import { blockedLayout } from "./blockedLayout.js";
import type { CrossProducts } from "./crossProducts.js";
import { makeObjective } from "./makeObjective.js";
import type { Factorization, ProfiledDeviance } from "./ProfiledDeviance.js";
import { symbolicElimination } from "./symbolicElimination.js";

/**
 * The profiled objective of a model with a residual structure, over x = (θ, u): θ as without one,
 * then the structure's unconstrained parameters u (`structureParameters`). Each evaluation whitens
 * the rows at u (`whitener`), forms A from them in the model's blocked layout (the layout depends on
 * the random effects' levels only, which whitening within groups keeps), and factors Λ'AΛ + I as the
 * ordinary objective does, with log |W| = −Σ log det(D_i C_i D_i). nlme's criterion, profiled over β
 * and σ: the same value as nlme's −2 logLik (ML) or −2 REML logLik.
 */
export function makeStructuredObjective(model: Model, rs: ResidualStructure): ProfiledDeviance {
  const theta = thetaLayout(model.reTerms);
  const sp = structureParameters(rs);
  const layout: ThetaLayout = {
    terms: theta.terms,
    size: theta.size + sp.size,
    lower: Float64Array.from([...theta.lower, ...new Array<number>(sp.size).fill(-Infinity)]),
    names: [...theta.names, ...sp.names],
    initial: Float64Array.from([...theta.initial, ...sp.initial]),
  };
  const structure = blockedLayout(model.reTerms, model.p, symbolicElimination(model.reTerms, model.n));
  const whiten = whitener(model, rs);
  const k = theta.size;

  /** The ordinary objective of the rows whitened at u (null where u gives no covariance). */
  const at = (x: ArrayLike<number>): { inner: ProfiledDeviance; cross: CrossProducts } | null => {
    const w = whiten(Array.from({ length: sp.size }, (_, i) => x[k + i]!));
    if (!w) return null;
    const cross: CrossProducts = { ...structure, ...assembleCrossProducts(w.model, structure), logDetW: -w.logDetV };
    return { inner: makeObjective(w.model, cross), cross };
  };
  const thetaOf = (x: ArrayLike<number>): Float64Array => Float64Array.from({ length: k }, (_, i) => x[i]!);
  const none = { ldL2: NaN, ldRX2: NaN, pwrss: NaN, objective: Infinity, logDetW: NaN };
  const initial = at(layout.initial);

  return {
    layout,
    cross: initial ? initial.cross : { ...structure, ...assembleCrossProducts(model, structure) },
    n: model.n,
    p: model.p,
    REML: model.REML,
    evaluate(x) {
      const o = at(x);
      return o ? o.inner.evaluate(thetaOf(x)) : Infinity;
    },
    pieces(x, V) {
      const o = at(x);
      return o ? o.inner.pieces(thetaOf(x), V) : none;
    },
    factorize(x, REML = model.REML): Factorization {
      const o = at(x);
      if (!o) throw new RangeError("The residual structure's parameters give no positive-definite covariance.");
      return { ...o.inner.factorize(thetaOf(x), REML), theta: Float64Array.from(x) };
    },
  };
}
