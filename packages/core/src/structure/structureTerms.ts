import type { Model, ResidualStructure } from "../model/Model.js";
import { responseMinusOffset } from "../model/response.js";
import { correlationAt, naturalParameters, structureParameters, symmCorrelation } from "./structureParameters.js";

/**
 * The whitened cross-products A(u) = Σ_i [Z X y]_i' (D_i C_i D_i)⁻¹ [Z X y]_i written as a linear
 * combination Σ_t c_t(u) S_t of cross-products S_t formed once, where the structure allows it: the
 * rows of each S_t are fixed combinations of the data's rows, only the coefficients c_t move with u.
 * An evaluation then costs the size of A per term, not a pass over the n rows (MixedModels.jl's
 * principle, kept with a residual structure).
 *
 * - Exponential decay in time (corAR1, corCAR1, corExp), with or without varIdent: a group's
 *   whitened row is e_j = a_j x_j − b_j x_{j−1}, a_j = 1/(δ_j √(1−ρ_j²)), b_j = ρ_j/(δ_{j−1} √(1−ρ_j²)),
 *   ρ_j the correlation of consecutive times; a_j and b_j depend on the gap and the two rows' strata
 *   only, so rows are grouped by that type, and e_j e_j' = (a² − ab) x_j x_j' + (b² − ab) x_{j−1} x_{j−1}'
 *   + ab (x_j − x_{j−1})(x_j − x_{j−1})' (the difference keeps digits when ρ is near 1).
 * - varIdent alone: one term per stratum, coefficient 1/δ_s².
 * - Compound symmetry alone: C_i⁻¹ = (I − ρ/(1 + (m−1)ρ) J)/(1 − ρ) for a group of m rows, so one
 *   term of all rows and one per group size of the groups' summed rows.
 * - corSymm, or compound symmetry with varIdent: groups with the same positions and strata (a
 *   "pattern") share W = (D C D)⁻¹, so Σ_ab W_ab x_a x_b' over a pattern's groups is, with
 *   x_a x_b' + x_b x_a' = (x_a + x_b)(x_a + x_b)' − x_a x_a' − x_b x_b', one term per position and
 *   one per pair of positions, their coefficients W's entries (m × m per pattern per evaluation).
 * varPower and varExp (a multiplier per row), or too many terms for the rows, are whitened row by
 * row at each u (`whitener`).
 */
export interface StructureTerms {
  /** The fixed models whose cross-products are the S_t: each row a combination of the data's rows (prior weights applied, offset taken off). */
  models: Model[];
  /** c_t(u) and Σ_i log det(D_i C_i D_i) at u, or null where u gives no positive-definite covariance. */
  coefficients(u: ArrayLike<number>): { coef: Float64Array; logDetV: number } | null;
}

/** Synthetic rows, each Σ_k w_k x_{rows_k} over rows[start[i] .. start[i+1]). */
interface RowSet {
  start: number[];
  rows: number[];
  w: number[];
}

const newSet = (): RowSet => ({ start: [0], rows: [], w: [] });
function push(set: RowSet, rows: number[], w: number[]): void {
  set.rows.push(...rows);
  set.w.push(...w);
  set.start.push(set.rows.length);
}

export function structureTerms(model: Model, rs: ResidualStructure): StructureTerms | null {
  const cls = rs.correlation?.class;
  const vcls = rs.variance?.class;
  if (vcls && vcls !== "varIdent") return null;
  const markov = cls === "corAR1" || cls === "corCAR1" || cls === "corExp";
  if (cls === "corSymm" || (cls === "corCompSymm" && vcls)) return patternTerms(model, rs);
  const sp = structureParameters(rs);
  const nc = sp.nCorrelation;
  const stratum = (k: number): number => (rs.stratum ? rs.stratum[k]! : 0);
  const G = rs.levels.length;
  const logW = priorLogDet(model);

  if (cls === "corCompSymm") {
    const all = newSet();
    const sums = new Map<number, RowSet>();
    const sizes: number[] = [];
    for (let g = 0; g < G; g++) {
      const rows = Array.from(rs.rows.subarray(rs.start[g]!, rs.start[g + 1]!));
      for (const k of rows) push(all, [k], [1]);
      const m = rows.length;
      if (!sums.has(m)) sums.set(m, newSet());
      push(sums.get(m)!, rows, rows.map(() => 1));
      sizes.push(m);
    }
    const ms = [...sums.keys()];
    return {
      models: [all, ...ms.map((m) => sums.get(m)!)].map((s) => setModel(model, s)),
      coefficients(u) {
        const rho = naturalParameters(rs, u)[0]!;
        if (!(rho < 1)) return null;
        let logDetV = logW;
        for (const m of sizes) {
          const v = 1 + (m - 1) * rho;
          if (!(v > 0)) return null;
          logDetV += (m - 1) * Math.log(1 - rho) + Math.log(v);
        }
        const coef = new Float64Array(1 + ms.length);
        coef[0] = 1 / (1 - rho);
        ms.forEach((m, i) => (coef[1 + i] = -rho / (1 + (m - 1) * rho) / (1 - rho)));
        return { coef, logDetV };
      },
    };
  }

  // Markov in time and/or varIdent: first rows by stratum; later rows by (gap, stratum, previous stratum)
  type Kind = { gap: number; s: number; sPrev: number; count: number; cur: RowSet; prev: RowSet; diff: RowSet };
  const firsts = new Map<number, { count: number; set: RowSet }>();
  const kinds = new Map<string, Kind>();
  const time = rs.time;
  for (let g = 0; g < G; g++) {
    for (let j = rs.start[g]!; j < rs.start[g + 1]!; j++) {
      const k = rs.rows[j]!;
      if (!markov || j === rs.start[g]!) {
        const s = stratum(k);
        if (!firsts.has(s)) firsts.set(s, { count: 0, set: newSet() });
        const f = firsts.get(s)!;
        f.count++;
        push(f.set, [k], [1]);
        continue;
      }
      const kp = rs.rows[j - 1]!;
      const gap = time![k]! - time![kp]!;
      const key = `${gap}|${stratum(k)}|${stratum(kp)}`;
      let kind = kinds.get(key);
      if (!kind) kinds.set(key, (kind = { gap, s: stratum(k), sPrev: stratum(kp), count: 0, cur: newSet(), prev: newSet(), diff: newSet() }));
      kind.count++;
      push(kind.cur, [k], [1]);
      push(kind.prev, [kp], [1]);
      push(kind.diff, [k, kp], [1, -1]);
    }
  }
  const fs = [...firsts.entries()];
  const ks = [...kinds.values()];
  if (!worthTerms(model, fs.length + 3 * ks.length)) return null;
  return {
    models: [...fs.map(([, f]) => f.set), ...ks.flatMap((kd) => [kd.cur, kd.prev, kd.diff])].map((s) => setModel(model, s)),
    coefficients(u) {
      const natural = naturalParameters(rs, u);
      const delta = (s: number): number => (s === 0 ? 1 : natural[nc + s - 1]!);
      const coef = new Float64Array(fs.length + 3 * ks.length);
      let logDetV = logW;
      let t = 0;
      for (const [s, f] of fs) {
        const d = delta(s);
        if (!(d > 0) || !Number.isFinite(d)) return null;
        coef[t++] = 1 / (d * d);
        logDetV += 2 * f.count * Math.log(d);
      }
      for (const kd of ks) {
        const rho = correlationAt(rs, natural, 0, kd.gap);
        const v = 1 - rho * rho;
        const d = delta(kd.s);
        const dp = delta(kd.sPrev);
        if (!(v > 0) || !(d > 0) || !(dp > 0) || !Number.isFinite(d * dp)) return null;
        const a = 1 / (d * Math.sqrt(v));
        const b = rho / (dp * Math.sqrt(v));
        coef[t++] = a * a - a * b;
        coef[t++] = b * b - a * b;
        coef[t++] = a * b;
        logDetV += kd.count * (Math.log(v) + 2 * Math.log(d));
      }
      return { coef, logDetV };
    },
  };
}

/** corSymm, or compound symmetry with varIdent: terms per pattern of positions and strata (see `structureTerms`). */
function patternTerms(model: Model, rs: ResidualStructure): StructureTerms | null {
  const sp = structureParameters(rs);
  const nc = sp.nCorrelation;
  const time = rs.time!;
  const stratum = (k: number): number => (rs.stratum ? rs.stratum[k]! : 0);
  const logW = priorLogDet(model);
  const patterns = new Map<string, { times: number[]; strata: number[]; groups: number[][] }>();
  for (let g = 0; g + 1 < rs.start.length; g++) {
    const rows = Array.from(rs.rows.subarray(rs.start[g]!, rs.start[g + 1]!));
    const key = rows.map((k) => `${time[k]}:${stratum(k)}`).join(",");
    if (!patterns.has(key)) patterns.set(key, { times: rows.map((k) => time[k]!), strata: rows.map(stratum), groups: [] });
    patterns.get(key)!.groups.push(rows);
  }
  const ps = [...patterns.values()];
  const sets: RowSet[] = [];
  for (const pt of ps) {
    const m = pt.times.length;
    for (let a = 0; a < m; a++) {
      const set = newSet();
      for (const rows of pt.groups) push(set, [rows[a]!], [1]);
      sets.push(set);
    }
    for (let a = 0; a < m; a++) {
      for (let b = a + 1; b < m; b++) {
        const set = newSet();
        for (const rows of pt.groups) push(set, [rows[a]!, rows[b]!], [1, 1]);
        sets.push(set);
      }
    }
  }
  if (!worthTerms(model, sets.length)) return null;
  const maxM = Math.max(...ps.map((pt) => pt.times.length));
  const R = new Float64Array(maxM * maxM);
  const Winv = new Float64Array(maxM * maxM);
  return {
    models: sets.map((set) => setModel(model, set)),
    coefficients(u) {
      const natural = naturalParameters(rs, u);
      const symm = rs.correlation!.class === "corSymm" ? symmCorrelation(rs.positions, u) : undefined;
      const delta = (s: number): number => (s === 0 ? 1 : natural[nc + s - 1]!);
      const coef = new Float64Array(sets.length);
      let logDetV = logW;
      let t = 0;
      for (const pt of ps) {
        const m = pt.times.length;
        // R = D C D, its Cholesky factor in place, then W = R⁻¹ column by column
        for (let a = 0; a < m; a++) for (let b = 0; b <= a; b++) R[a * m + b] = delta(pt.strata[a]!) * delta(pt.strata[b]!) * correlationAt(rs, natural, pt.times[a]!, pt.times[b]!, symm);
        let logDet = 0;
        for (let a = 0; a < m; a++) {
          for (let b = 0; b <= a; b++) {
            let v = R[a * m + b]!;
            for (let l = 0; l < b; l++) v -= R[a * m + l]! * R[b * m + l]!;
            if (a === b) {
              if (!(v > 0) || !Number.isFinite(v)) return null;
              R[a * m + a] = Math.sqrt(v);
              logDet += Math.log(v);
            } else R[a * m + b] = v / R[b * m + b]!;
          }
        }
        for (let c = 0; c < m; c++) {
          // solve L L' w = e_c
          const w = Winv.subarray(c * m, c * m + m);
          for (let a = 0; a < m; a++) {
            let v = a === c ? 1 : 0;
            for (let l = 0; l < a; l++) v -= R[a * m + l]! * w[l]!;
            w[a] = v / R[a * m + a]!;
          }
          for (let a = m - 1; a >= 0; a--) {
            let v = w[a]!;
            for (let l = a + 1; l < m; l++) v -= R[l * m + a]! * w[l]!;
            w[a] = v / R[a * m + a]!;
          }
        }
        const W = (a: number, b: number): number => Winv[b * m + a]!;
        for (let a = 0; a < m; a++) {
          let c = W(a, a);
          for (let b = 0; b < m; b++) if (b !== a) c -= W(a, b);
          coef[t++] = c;
        }
        for (let a = 0; a < m; a++) for (let b = a + 1; b < m; b++) coef[t++] = W(a, b);
        logDetV += pt.groups.length * logDet;
      }
      return { coef, logDetV };
    },
  };
}

/** −Σ log w over the rows: the prior weights' part of Σ log det(D_i C_i D_i) (their 1/√w in D). */
function priorLogDet(model: Model): number {
  let logW = 0;
  if (model.weights) for (let k = 0; k < model.n; k++) logW -= Math.log(model.weights[k]!);
  return logW;
}

/** Are `count` terms, each the size of A, well below one pass over the n rows of [Z X y] (n K²)? */
function worthTerms(model: Model, count: number): boolean {
  const K = model.reTerms.reduce((acc, t) => acc + t.p, 0) + model.p + 1;
  const perTerm = model.reTerms.reduce((acc, t) => acc + t.nl * t.p * K, 0) + K * K;
  return count * perTerm <= model.n * K * K;
}

/** The model whose rows are a row set's combinations of the data's rows (√w applied, y less the offset; no weights, no offset). */
function setModel(model: Model, set: RowSet): Model {
  const n = set.start.length - 1;
  const { p, X } = model;
  const N = model.n;
  const y = responseMinusOffset(model);
  const sw = (k: number): number => (model.weights ? Math.sqrt(model.weights[k]!) : 1);
  const Xs = new Float64Array(n * p);
  const ys = new Float64Array(n);
  const terms = model.reTerms.map((t) => ({ ...t, refs: new Int32Array(n), z: new Float64Array(n * t.p) }));
  for (let i = 0; i < n; i++) {
    const first = set.rows[set.start[i]!]!;
    terms.forEach((t, j) => (t.refs[i] = model.reTerms[j]!.refs[first]!));
    for (let e = set.start[i]!; e < set.start[i + 1]!; e++) {
      const k = set.rows[e]!;
      const w = set.w[e]! * sw(k);
      for (let j = 0; j < p; j++) Xs[j * n + i]! += w * X[j * N + k]!;
      ys[i]! += w * y[k]!;
      terms.forEach((t, j) => {
        const src = model.reTerms[j]!;
        for (let a = 0; a < t.p; a++) t.z[i * t.p + a]! += w * src.z[k * t.p + a]!;
      });
    }
  }
  return { ...model, n, X: Xs, y: ys, reTerms: terms, offset: null, weights: null, rows: new Int32Array(n) };
}
