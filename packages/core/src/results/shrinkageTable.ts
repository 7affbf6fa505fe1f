import type { Model } from "../model/Model.js";
import { responseMinusOffset } from "../model/response.js";
import { HlmError } from "../HlmError.js";
import type { LmmFit } from "../fit/LmmFit.js";
import { dropRankDeficient, rankFromGram } from "../model/rankDeficiency.js";

/**
 * The lecture's shrinkage table for one grouping factor: per level, its number of observations,
 * the group's own OLS estimates β̂_j (regressing y on the random-effects columns within the group;
 * null where a coefficient cannot be estimated, as lm() gives NA) beside the BLUP coefficients
 * β̃_j = β̂ + b̂_j (lme4's coef()).
 */
export interface ShrinkageTable {
  group: string;
  /** The random-effects columns of the group (`(Intercept)`, `ses`). */
  columns: string[];
  levels: string[];
  n: number[];
  /** Per level, per column: the group's OLS estimate, or null. */
  ols: (number | null)[][];
  /** Per level, per column: the BLUP coefficient. */
  blup: number[][];
}

/** The shrinkage table of a grouping factor (default: the first, lme4's largest). */
export function shrinkageTable(model: Model, fit: LmmFit, group?: string): ShrinkageTable {
  const g = group ?? model.reTerms[0]!.group;
  const terms = model.reTerms.filter((t) => t.group === g);
  if (terms.length === 0) {
    throw new HlmError("OPTIONS", `'${g}' is not a grouping factor of the model; its grouping factors are ${[...new Set(model.reTerms.map((t) => t.group))].join(", ")}.`);
  }
  if (model.summed) return fromSums(model, fit, g);
  const columns = [...new Set(terms.flatMap((t) => t.columnNames))];
  const ref = terms[0]!;
  const nl = ref.nl;
  const y = responseMinusOffset(model);
  // rows of each level
  const count = new Int32Array(nl);
  for (let t = 0; t < model.n; t++) count[ref.refs[t]!]!++;
  const start = new Int32Array(nl + 1);
  for (let l = 0; l < nl; l++) start[l + 1] = start[l]! + count[l]!;
  const rows = new Int32Array(model.n);
  const fill = start.slice(0, nl);
  for (let t = 0; t < model.n; t++) rows[fill[ref.refs[t]!]!++] = t;
  // the value of each column in row t: from the first term that has it
  const source = columns.map((c) => {
    const term = terms.find((t) => t.columnNames.includes(c))!;
    return { z: term.z, p: term.p, k: term.columnNames.indexOf(c) };
  });
  const coef = fit.coef.find((c) => c.group === g)!;
  const coefIndex = columns.map((c) => coef.columns.indexOf(c));
  const ols: (number | null)[][] = [];
  const blup: number[][] = [];
  for (let l = 0; l < nl; l++) {
    const nj = count[l]!;
    const X = source.map(({ z, p, k }) => {
      const col = new Float64Array(nj);
      for (let s = 0; s < nj; s++) col[s] = z[rows[start[l]! + s]! * p + k]!;
      return col;
    });
    const yj = new Float64Array(nj);
    for (let s = 0; s < nj; s++) yj[s] = y[rows[start[l]! + s]!]!;
    ols.push(leastSquares(X, yj, nj));
    blup.push(coefIndex.map((j) => coef.values[l]![j]!));
  }
  return { group: g, columns, levels: ref.levels, n: Array.from(count), ols, blup };
}

/** OLS coefficients of y on the columns of X (null for columns lm() would report as NA). */
function leastSquares(X: Float64Array[], y: Float64Array, n: number): (number | null)[] {
  const out: (number | null)[] = X.map(() => null);
  if (n === 0) return out;
  const { keep } = dropRankDeficient(X, n);
  const k = keep.length;
  if (k === 0) return out;
  // normal equations on the kept columns, by Cholesky
  const A = new Float64Array(k * k);
  const b = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    const xi = X[keep[i]!]!;
    for (let s = 0; s < n; s++) b[i]! += xi[s]! * y[s]!;
    for (let j = 0; j <= i; j++) {
      const xj = X[keep[j]!]!;
      let v = 0;
      for (let s = 0; s < n; s++) v += xi[s]! * xj[s]!;
      A[i * k + j] = v;
    }
  }
  return solveNormalEquations(A, b, k, keep, out);
}

/**
 * The shrinkage table of a model given by its sums: each level's OLS from its Z_l'Z_l and
 * Z_l'(y − offset), which the sums query gives cell by cell (`SummedMoments.groups`); the columns lm()
 * would report as NA decided on Z_l'Z_l as the rows' are (`rankFromGram`).
 */
function fromSums(model: Model, fit: LmmFit, g: string): ShrinkageTable {
  const moments = model.summed!.moments;
  if (!moments) {
    throw new HlmError("OPTIONS", "The shrinkage table's own regressions are unweighted, as lm() on each group's rows, and this model's sums were computed with prior weights; fit it from the rows, or compute the sums without weights.");
  }
  const gm = moments.groups.find((x) => x.group === g)!;
  const { columns, levels } = gm;
  const q = columns.length;
  const coef = fit.coef.find((c) => c.group === g)!;
  const coefIndex = columns.map((c) => coef.columns.indexOf(c));
  const ols = levels.map((_, l) => {
    const out: (number | null)[] = columns.map(() => null);
    const n = gm.n[l]!;
    const G = gm.zz.subarray(l * q * q, (l + 1) * q * q);
    const decided = n > 0 ? rankFromGram(G, q, n, 1e-7, "decide") : null;
    if (!decided || decided.keep.length === 0) return out;
    const { keep } = decided;
    const k = keep.length;
    const A = new Float64Array(k * k);
    const b = new Float64Array(k);
    for (let i = 0; i < k; i++) {
      b[i] = gm.zy[l * q + keep[i]!]!;
      for (let j = 0; j <= i; j++) A[i * k + j] = G[keep[i]! * q + keep[j]!]!;
    }
    return solveNormalEquations(A, b, k, keep, out);
  });
  const blup = levels.map((_, l) => coefIndex.map((j) => coef.values[l]![j]!));
  return { group: g, columns, levels, n: Array.from(gm.n), ols, blup };
}

/** Solves A x = b by Cholesky (A's lower triangle, k × k, overwritten; b too) and writes x into `out` at the kept columns (null where not finite). */
function solveNormalEquations(A: Float64Array, b: Float64Array, k: number, keep: readonly number[], out: (number | null)[]): (number | null)[] {
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * k + j]!;
      for (let m = 0; m < j; m++) s -= A[i * k + m]! * A[j * k + m]!;
      A[i * k + j] = i === j ? Math.sqrt(s) : s / A[j * k + j]!;
    }
  }
  for (let i = 0; i < k; i++) {
    let s = b[i]!;
    for (let m = 0; m < i; m++) s -= A[i * k + m]! * b[m]!;
    b[i] = s / A[i * k + i]!;
  }
  for (let i = k - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let m = i + 1; m < k; m++) s -= A[m * k + i]! * b[m]!;
    b[i] = s / A[i * k + i]!;
  }
  keep.forEach((j, i) => (out[j] = Number.isFinite(b[i]!) ? b[i]! : null));
  return out;
}
