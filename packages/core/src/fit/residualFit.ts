import type { Model, ResidualStructure } from "../model/Model.js";
import { correlationAt, naturalParameters, sdMultipliers, structureParameters, symmCorrelation } from "../structure/structureParameters.js";
import { whitener } from "../structure/whitener.js";
import type { ResidualFit, VarCorrTerm } from "./LmmFit.js";

/** The residual structure's results at the optimum x = (θ, u): its parameters, C_i and V_i of the first group, normalized residuals. */
export function residualFit(model: Model, rs: ResidualStructure, x: readonly number[], beta: readonly number[], sigma: number, varcorr: VarCorrTerm[], residuals: Float64Array): ResidualFit {
  const sp = structureParameters(rs);
  const u = x.slice(x.length - sp.size);
  const natural = naturalParameters(rs, u);
  const nc = sp.nCorrelation;
  const c = rs.correlation;
  const f = rs.variance;
  // the first group's rows in the data's order
  const first = Array.from(rs.rows.subarray(rs.start[0]!, rs.start[1]!)).sort((a, b) => a - b);
  const m = first.length;
  const symm = c?.class === "corSymm" ? symmCorrelation(rs.positions, u) : undefined;
  const C = first.map((r) => first.map((s) => (c ? correlationAt(rs, natural, rs.time![r]!, rs.time![s]!, symm) : r === s ? 1 : 0)));
  const d = sdMultipliers(rs, natural, model.weights, model.n);
  const s2 = sigma * sigma;
  const V = C.map((row, i) => row.map((v, j) => s2 * d[first[i]!]! * d[first[j]!]! * v));
  // Z_i G Z_i': every random-effects term's rows of this group share its level
  model.reTerms.forEach((t) => {
    const G = varcorr.find((vc) => vc.group === t.group && vc.names.join() === t.columnNames.join())?.covariance;
    if (!G) return;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) {
        let s = 0;
        for (let a = 0; a < t.p; a++) for (let b = 0; b < t.p; b++) s += t.z[first[i]! * t.p + a]! * G[a]![b]! * t.z[first[j]! * t.p + b]!;
        V[i]![j]! += s;
      }
    }
  });
  // normalized residuals: the residuals whitened as the rows were, over σ̂
  const w = whitener({ ...model, y: residuals, offset: null, X: new Float64Array(0), p: 0, reTerms: [] }, rs);
  const normalizedResiduals = w.whiten(u) !== null ? w.model.y.map((v) => v / sigma) : new Float64Array(model.n).fill(NaN);
  return {
    group: rs.group,
    correlation: c ? { class: c.class, text: c.text, covariate: c.form.covariate, names: sp.names.slice(0, nc), values: natural.slice(0, nc) } : null,
    variance: f ? { class: f.class, text: f.text, column: (f.class === "varIdent" ? f.form.group[0] : f.form.covariate) ?? "", names: sp.names.slice(nc), values: natural.slice(nc), strata: rs.strata } : null,
    unconstrained: u,
    correlationMatrix: c ? { group: rs.levels[0]!, matrix: C } : null,
    marginalCovariance: { group: rs.levels[0]!, rows: first.map((r) => model.rows[r]! + 1), matrix: V },
    fittedFixed: Array.from({ length: model.n }, (_, k) => {
      let s = model.offset ? model.offset[k]! : 0;
      for (let j = 0; j < model.p; j++) s += model.X[j * model.n + k]! * beta[j]!;
      return s;
    }),
    normalizedResiduals,
  };
}

/** Pearson residuals with a variance function: (y − fitted) / (σ̂ d), d the row's SD multiplier (with the prior weights'). */
export function pearsonResiduals(model: Model, rs: ResidualStructure, u: readonly number[], sigma: number, residuals: Float64Array): Float64Array {
  const d = sdMultipliers(rs, naturalParameters(rs, u), model.weights, model.n);
  return residuals.map((r, k) => r / (sigma * d[k]!));
}
