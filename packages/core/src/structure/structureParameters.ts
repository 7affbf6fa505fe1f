import type { ResidualStructure } from "../model/Model.js";

/**
 * The parameters of a residual structure as the optimizer sees them: unconstrained reals u (nlme's
 * "unconstrained" coefficients), mapped to the natural scale (Phi, Rho, range, correlations, SD
 * ratios, power) by `naturalParameters`. Correlation parameters first, then the variance function's.
 */
export interface StructureParameters {
  /** Number of correlation parameters; the variance function's follow. */
  nCorrelation: number;
  size: number;
  /** Names on the natural scale, nlme's (`Phi`, `Rho`, `range`, `cor(1,2)`, a stratum's label, `power`, `expon`). */
  names: string[];
  /** Starting u: nlme's defaults (corCAR1 0.2, corExp 0.9 × the smallest distance, else 0 or ratio 1), or the structure's `value`. */
  initial: Float64Array;
}

/** a = 1/(P − 1), the lower bound of compound symmetry's Rho for groups of up to P rows. */
function compSymmBound(rs: ResidualStructure): number {
  let P = 2;
  for (let g = 0; g + 1 < rs.start.length; g++) P = Math.max(P, rs.start[g + 1]! - rs.start[g]!);
  return 1 / (P - 1);
}

/** The smallest distance between two times of a group (corExp's scale). */
function smallestDistance(rs: ResidualStructure): number {
  let d = Infinity;
  for (let g = 0; g + 1 < rs.start.length; g++) {
    for (let j = rs.start[g]! + 1; j < rs.start[g + 1]!; j++) d = Math.min(d, Math.abs(rs.time![rs.rows[j]!]! - rs.time![rs.rows[j - 1]!]!));
  }
  return Number.isFinite(d) && d > 0 ? d : 1;
}

export function structureParameters(rs: ResidualStructure): StructureParameters {
  const names: string[] = [];
  const initial: number[] = [];
  const c = rs.correlation;
  if (c) {
    const v = c.value;
    switch (c.class) {
      case "corAR1":
        names.push("Phi");
        initial.push(Math.log((1 + (v ?? 0)) / (1 - (v ?? 0))));
        break;
      case "corCAR1":
        names.push("Phi");
        initial.push(Math.log((v ?? 0.2) / (1 - (v ?? 0.2))));
        break;
      case "corExp":
        names.push("range");
        initial.push(Math.log(v ?? 0.9 * smallestDistance(rs)));
        break;
      case "corCompSymm": {
        names.push("Rho");
        const a = compSymmBound(rs);
        initial.push(Math.log(((v ?? 0) + a) / (1 - (v ?? 0))));
        break;
      }
      case "corSymm":
        for (let i = 1; i <= rs.positions; i++) for (let j = i + 1; j <= rs.positions; j++) names.push(`cor(${i},${j})`);
        for (let i = initial.length; i < names.length; i++) initial.push(0);
        break;
    }
  }
  const nCorrelation = names.length;
  const f = rs.variance;
  if (f) {
    if (f.class === "varIdent") {
      for (const s of rs.strata.slice(1)) {
        names.push(s);
        initial.push(Math.log(f.value ?? 1));
      }
    } else {
      names.push(f.class === "varPower" ? "power" : "expon");
      initial.push(f.value ?? 0);
    }
  }
  return { nCorrelation, size: names.length, names, initial: Float64Array.from(initial) };
}

/** The structure's parameters on the natural scale, in the order of `names`. */
export function naturalParameters(rs: ResidualStructure, u: ArrayLike<number>): number[] {
  const out: number[] = [];
  const c = rs.correlation;
  let i = 0;
  if (c) {
    switch (c.class) {
      case "corAR1":
        out.push(Math.tanh(u[i++]! / 2));
        break;
      case "corCAR1":
        out.push(1 / (1 + Math.exp(-u[i++]!)));
        break;
      case "corExp":
        out.push(Math.exp(u[i++]!));
        break;
      case "corCompSymm": {
        const a = compSymmBound(rs);
        const e = Math.exp(u[i++]!);
        out.push(Number.isFinite(e) ? (e - a) / (1 + e) : 1);
        break;
      }
      case "corSymm": {
        const P = rs.positions;
        const k = (P * (P - 1)) / 2;
        const C = symmCorrelation(P, Array.from({ length: k }, (_, j) => u[j]!));
        i += k;
        for (let a = 0; a < P; a++) for (let b = a + 1; b < P; b++) out.push(C[a * P + b]!);
        break;
      }
    }
  }
  const f = rs.variance;
  if (f) {
    if (f.class === "varIdent") for (let s = 1; s < rs.strata.length; s++) out.push(Math.exp(u[i++]!));
    else out.push(u[i++]!);
  }
  return out;
}

/**
 * corSymm's P × P correlation matrix (row-major) from P(P−1)/2 unconstrained values: canonical
 * partial correlations tanh(u) build the rows of its Cholesky factor, each of unit length, so every
 * u gives a positive-definite correlation matrix.
 */
export function symmCorrelation(P: number, u: ArrayLike<number>): Float64Array {
  const L = new Float64Array(P * P);
  let k = 0;
  L[0] = 1;
  for (let i = 1; i < P; i++) {
    let rest = 1;
    for (let j = 0; j < i; j++) {
      const z = Math.tanh(u[k++]!);
      L[i * P + j] = z * Math.sqrt(rest);
      rest -= L[i * P + j]! * L[i * P + j]!;
    }
    L[i * P + i] = Math.sqrt(Math.max(rest, 0));
  }
  const C = new Float64Array(P * P);
  for (let a = 0; a < P; a++) {
    for (let b = 0; b <= a; b++) {
      let s = 0;
      for (let j = 0; j <= b; j++) s += L[a * P + j]! * L[b * P + j]!;
      C[a * P + b] = C[b * P + a] = a === b ? 1 : s;
    }
  }
  return C;
}

/** The rows' standard-deviation multipliers d (the diagonal of D) at the variance function's natural parameters, with the prior weights' 1/√w. */
export function sdMultipliers(rs: ResidualStructure, natural: readonly number[], weights: Float64Array | null, n: number): Float64Array {
  const d = new Float64Array(n).fill(1);
  const f = rs.variance;
  const nc = natural.length - (f ? (f.class === "varIdent" ? rs.strata.length - 1 : 1) : 0);
  if (f?.class === "varIdent") {
    for (let k = 0; k < n; k++) {
      const s = rs.stratum![k]!;
      if (s > 0) d[k] = natural[nc + s - 1]!;
    }
  } else if (f?.class === "varPower") {
    for (let k = 0; k < n; k++) d[k] = Math.pow(Math.abs(rs.covariate![k]!), natural[nc]!);
  } else if (f?.class === "varExp") {
    for (let k = 0; k < n; k++) d[k] = Math.exp(natural[nc]! * rs.covariate![k]!);
  }
  if (weights) for (let k = 0; k < n; k++) d[k]! /= Math.sqrt(weights[k]!);
  return d;
}

/**
 * The correlation between two rows at times s and t (positions for corAR1, corSymm) for the
 * structure's natural parameters: corAR1 Phi^|s−t|, corCAR1 Phi^|s−t|, corExp exp(−|s−t|/range),
 * corCompSymm Rho, corSymm the general matrix's entry; 1 on the diagonal.
 */
export function correlationAt(rs: ResidualStructure, natural: readonly number[], s: number, t: number, symm?: Float64Array): number {
  if (s === t) return 1;
  const c = rs.correlation;
  if (!c) return 0;
  const d = Math.abs(s - t);
  switch (c.class) {
    case "corAR1":
    case "corCAR1":
      return Math.pow(natural[0]!, d);
    case "corExp":
      return Math.exp(-d / natural[0]!);
    case "corCompSymm":
      return natural[0]!;
    case "corSymm":
      return symm![(s - 1) * rs.positions + (t - 1)]!;
    default:
      return 0;
  }
}
