import type { Model } from "../model/Model.js";
import type { ResidualStructure } from "../model/Model.js";
import { thetaLayout, type ThetaLayout } from "../model/thetaLayout.js";
import { structureParameters } from "../structure/structureParameters.js";
import { structureTerms } from "../structure/structureTerms.js";
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
 * and σ: the same value as nlme's −2 logLik (ML) or −2 REML logLik. `rowByRow` whitens the rows at
 * every evaluation even where A(u) = Σ c_t(u) S_t would do (`structureTerms`): the same values, slower.
 */
export function makeStructuredObjective(model: Model, rs: ResidualStructure, options: { rowByRow?: boolean } = {}): ProfiledDeviance {
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
  const k = theta.size;
  // A of the whitened rows, refilled in place for each u; the ordinary objective over θ reads these
  // arrays (it is built once, with log |W| = 0: the structure's log-determinant is added here).
  // Where the structure allows, A(u) = Σ c_t(u) S_t with the S_t formed once; else the rows are
  // whitened at each u.
  const terms = options.rowByRow ? null : structureTerms(model, rs);
  const S = terms ? terms.models.map((m) => assembleCrossProducts(m, structure)) : [];
  const w = terms ? null : whitener(model, rs);
  const cross: CrossProducts = { ...structure, ...assembleCrossProducts(model, structure), logDetW: 0 };
  // A changes with the structure's parameters (formed again into `cross`)
  const inner = makeObjective(w ? w.model : model, cross, { crossChanges: true });
  let lastU: Float64Array | null = null;
  let logDetV: number | null = null;
  /** Whitens and forms A at x's u, unless A already holds it; Σ log det(D_i C_i D_i), or null where u gives no covariance. */
  const at = (x: ArrayLike<number>): number | null => {
    if (lastU && lastU.every((v, i) => v === x[k + i])) return logDetV;
    lastU = Float64Array.from({ length: sp.size }, (_, i) => x[k + i]!);
    if (w) {
      logDetV = w.whiten(lastU);
      if (logDetV !== null) assembleCrossProducts(w.model, structure, cross);
      return logDetV;
    }
    const c = terms!.coefficients(lastU);
    logDetV = c ? c.logDetV : null;
    if (c) combine(c.coef);
    return logDetV;
  };
  /** A = Σ c_t S_t, into `cross`. */
  const combine = (coef: Float64Array): void => {
    const { Anodes, ARR } = cross;
    Anodes.fill(0);
    ARR.fill(0);
    S.forEach((St, t) => {
      const c = coef[t]!;
      if (c === 0) return;
      const An = St.Anodes;
      const Ar = St.ARR;
      for (let i = 0; i < An.length; i++) Anodes[i]! += c * An[i]!;
      for (let i = 0; i < Ar.length; i++) ARR[i]! += c * Ar[i]!;
    });
  };
  const thetaOf = (x: ArrayLike<number>): Float64Array => Float64Array.from({ length: k }, (_, i) => x[i]!);
  const none = { ldL2: NaN, ldRX2: NaN, pwrss: NaN, objective: Infinity, logDetW: NaN };

  function factorize(x: ArrayLike<number>, REML = model.REML): Factorization {
    const ld = at(x);
    if (ld === null) throw new RangeError("The residual structure's parameters give no positive-definite covariance.");
    const f = inner.factorize(thetaOf(x), REML);
    const own: CrossProducts = { ...structure, Anodes: Float64Array.from(cross.Anodes), ARR: Float64Array.from(cross.ARR), logDetW: -ld };
    return { ...f, theta: Float64Array.from(x), objective: f.objective + ld, logDetW: -ld, cross: own };
  }
  return {
    layout,
    cross,
    n: model.n,
    p: model.p,
    REML: model.REML,
    evaluate(x) {
      const ld = at(x);
      return ld === null ? Infinity : inner.evaluate(thetaOf(x)) + ld;
    },
    pieces(x, V) {
      const ld = at(x);
      if (ld === null) return none;
      const p = inner.pieces(thetaOf(x), V);
      return { ...p, objective: p.objective + ld, logDetW: -ld };
    },
    factorize,
    // the whitened rows' products change with the structure's parameters: nothing here is transient
    factorizeTransient: factorize,
  };
}
