import type { Model } from "./buildModel.js";
import { backSolveTransposed, forwardSolve, invertLower } from "./denseCholesky.js";
import type { Factorization, Objective } from "./makeObjective.js";
import type { ConvergenceCheck } from "./checkConvergence.js";
import type { OptSummary } from "./optimize.js";

/** Variance components of one random-effects term: Σ_i = σ² T_i T_i'. */
export interface VarCorrTerm {
  group: string;
  names: string[];
  covariance: number[][];
  sd: number[];
  corr: number[][];
}

/** Conditional modes of the random effects of one grouping factor (terms on the same factor merged). */
export interface RanefTable {
  group: string;
  columns: string[];
  levels: string[];
  /** One row per level: the BLUPs b̂ = Λθ û. */
  values: number[][];
  /** Conditional standard deviations (square roots of the diagonal of Var(b | y)). */
  condsd: number[][];
}

/** Coefficients per level of a grouping factor: fixed effects plus that level's random effects. */
export interface CoefTable {
  group: string;
  columns: string[];
  levels: string[];
  values: number[][];
}

/** A warning about the fit that does not stop it (lme4's messages and warnings). */
export interface FitWarning {
  code: "singular" | "convergence" | "rank-deficient" | "missing-rows";
  message: string;
}

/** A fitted linear mixed model: plain data (lme4's `merMod`, MixedModels.jl's `LinearMixedModel`). */
export interface LmmFit {
  formula: string;
  REML: boolean;
  responseName: string;
  nobs: number;
  /** Rows of the data dropped for missing values. */
  nDropped: number;
  /** Levels of each grouping factor, by lme4's name for it. */
  ngrps: Record<string, number>;
  theta: number[];
  thetaNames: string[];
  /** β̂: fixed-effects estimates, in the order of `fixefNames`. */
  fixefNames: string[];
  fixef: number[];
  /** Var(β̂) = σ² R_X⁻¹ R_X⁻ᵀ. */
  vcov: number[][];
  se: number[];
  tValues: number[];
  /** Satterthwaite degrees of freedom and p-values (lmerTest's), filled by `fit()`. */
  satterthwaiteDf: number[];
  pValues: number[];
  /** Residual standard deviation σ̂. */
  sigma: number;
  varcorr: VarCorrTerm[];
  /** REML criterion (REML) or deviance (ML) at the optimum. */
  objective: number;
  logLik: number;
  /** Number of parameters: fixed effects + θ + σ. */
  df: number;
  AIC: number;
  BIC: number;
  dfResid: number;
  /** Penalized weighted residual sum of squares at the optimum. */
  pwrss: number;
  fitted: Float64Array;
  residuals: Float64Array;
  /** Pearson residuals (y − fitted)·√w / σ̂. */
  scaledResiduals: Float64Array;
  /** min, 1Q, median, 3Q, max of the scaled residuals (R's quantile type 7). */
  scaledResidQuantiles: number[];
  ranef: RanefTable[];
  coef: CoefTable[];
  /** lme4's isSingular(): some diagonal θ below 1e-4. */
  singular: boolean;
  droppedColumns: string[];
  warnings: FitWarning[];
  optSummary: OptSummary;
  /** lme4's convergence statistics at the optimum. */
  convergence?: ConvergenceCheck;
}

/** Everything at the optimum that is derived from L: β̂, û, b̂, σ̂ and the fit statistics (lme4's `mkMerMod`). */
export function makeFit(model: Model, objective: Objective, opt: OptSummary, convergence?: ConvergenceCheck): LmmFit {
  const fac = objective.factorize(opt.theta);
  const { n, p, reTerms } = model;
  const { m, qRest } = objective.cross;
  const REML = model.REML;

  const { beta, b } = solveEffects(model, objective, fac);
  const sigma2 = fac.pwrss / (REML ? n - p : n);
  const sigma = Math.sqrt(sigma2);
  // vcov(β̂) = σ² (L_XX L_XX')⁻¹
  const LXX = new Float64Array(p * p);
  for (let i = 0; i < p; i++) for (let j = 0; j <= i; j++) LXX[i * p + j] = fac.LRR[(qRest + i) * m + qRest + j]!;
  const LXXinv = invertLower(LXX, p);
  const vcov: number[][] = [];
  for (let i = 0; i < p; i++) {
    const row: number[] = [];
    for (let j = 0; j < p; j++) {
      let s = 0;
      for (let k = Math.max(i, j); k < p; k++) s += LXXinv[k * p + i]! * LXXinv[k * p + j]!;
      row.push(sigma2 * s);
    }
    vcov.push(row);
  }
  const se = vcov.map((r, i) => Math.sqrt(r[i]!));

  const fitted = fittedValues(model, beta, b);
  const residuals = new Float64Array(n);
  const scaledResiduals = new Float64Array(n);
  const { y, weights } = model;
  for (let t = 0; t < n; t++) {
    const r = y[t]! - fitted[t]!;
    residuals[t] = r;
    scaledResiduals[t] = (weights ? r * Math.sqrt(weights[t]!) : r) / sigma;
  }

  // variance components
  const varcorr: VarCorrTerm[] = reTerms.map((t, i) => {
    const T = fac.T[i]!;
    const cov: number[][] = [];
    for (let r = 0; r < t.p; r++) {
      const row: number[] = [];
      for (let c = 0; c < t.p; c++) {
        let s = 0;
        for (let k = 0; k <= Math.min(r, c); k++) s += T[r * t.p + k]! * T[c * t.p + k]!;
        row.push(sigma2 * s);
      }
      cov.push(row);
    }
    const sd = cov.map((r, k) => Math.sqrt(r[k]!));
    const corr = cov.map((r, a) => r.map((v, c) => (a === c ? 1 : v / (sd[a]! * sd[c]!))));
    return { group: t.group, names: t.columnNames, covariance: cov, sd, corr };
  });

  const condVar = conditionalVariances(model, objective, fac, sigma2);
  // ranef and coef, merged per grouping factor in term order
  const groups = [...new Set(reTerms.map((t) => t.group))];
  const ranef: RanefTable[] = groups.map((g) => {
    const idx = reTerms.map((t, i) => (t.group === g ? i : -1)).filter((i) => i >= 0);
    const levels = reTerms[idx[0]!]!.levels;
    const columns = idx.flatMap((i) => reTerms[i]!.columnNames);
    const values: number[][] = [];
    const condsd: number[][] = [];
    for (let l = 0; l < levels.length; l++) {
      const v: number[] = [];
      const sd: number[] = [];
      for (const i of idx) {
        const pi = reTerms[i]!.p;
        const bi = b[i]!;
        const ci = condVar[i]!;
        for (let k = 0; k < pi; k++) {
          v.push(bi[l * pi + k]!);
          sd.push(Math.sqrt(ci[l * pi + k]!));
        }
      }
      values.push(v);
      condsd.push(sd);
    }
    return { group: g, columns, levels, values, condsd };
  });
  const coef: CoefTable[] = ranef.map((r) => {
    const extra = r.columns.filter((c) => !model.xNames.includes(c));
    const columns = [...model.xNames, ...extra];
    // for each output column: its fixed effect (or 0) and the ranef columns that add to it
    const base = columns.map((c) => {
      const j = model.xNames.indexOf(c);
      return j >= 0 ? beta[j]! : 0;
    });
    const adds = columns.map((c) => r.columns.flatMap((rc, k) => (rc === c ? [k] : [])));
    const values = r.values.map((row) =>
      base.map((v, j) => {
        let s = v;
        for (const k of adds[j]!) s += row[k]!;
        return s;
      }),
    );
    return { group: r.group, columns, levels: r.levels, values };
  });

  const ngrps: Record<string, number> = {};
  for (const t of reTerms) ngrps[t.group] = t.nl;
  const df = p + opt.theta.length + 1;
  const objectiveValue = fac.objective;
  const singular = opt.theta.some((v, i) => objective.layout.lower[i] === 0 && v < 1e-4);
  const warnings: FitWarning[] = [];
  if (model.nDropped > 0) warnings.push({ code: "missing-rows", message: `${model.nDropped} row${model.nDropped === 1 ? "" : "s"} with missing values dropped.` });
  if (model.droppedColumns.length > 0) {
    const k = model.droppedColumns.length;
    warnings.push({ code: "rank-deficient", message: `fixed-effect model matrix is rank deficient so dropping ${k} column${k === 1 ? "" : "s"} / coefficient${k === 1 ? "" : "s"} (${model.droppedColumns.join(", ")})` });
  }
  if (singular) warnings.push({ code: "singular", message: "boundary (singular) fit: see help('isSingular')" });
  for (const msg of opt.warnings) warnings.push({ code: "convergence", message: msg });
  if (convergence?.warning) warnings.push({ code: "convergence", message: convergence.warning });

  return {
    formula: model.formula,
    REML,
    responseName: model.responseName,
    nobs: n,
    nDropped: model.nDropped,
    ngrps,
    theta: [...opt.theta],
    thetaNames: objective.layout.names,
    fixefNames: model.xNames,
    fixef: beta,
    vcov,
    se,
    tValues: beta.map((v, i) => v / se[i]!),
    satterthwaiteDf: [],
    pValues: [],
    sigma,
    varcorr,
    objective: objectiveValue,
    logLik: -objectiveValue / 2,
    df,
    AIC: objectiveValue + 2 * df,
    BIC: objectiveValue + df * Math.log(n),
    dfResid: n - df,
    pwrss: fac.pwrss,
    fitted,
    residuals,
    scaledResiduals,
    scaledResidQuantiles: quantiles(scaledResiduals, [0, 0.25, 0.5, 0.75, 1]),
    ranef,
    coef,
    singular,
    droppedColumns: model.droppedColumns,
    warnings,
    optSummary: opt,
    ...(convergence ? { convergence } : {}),
  };
}

/**
 * β̂ and b̂ from L: back-substitution L'[u; β; −1] = 0 through the rest, then through Z_1's
 * blocks; b = Λθ u, per term (rows of `b[i]` are levels, p_i values each).
 */
function solveEffects(model: Model, objective: Objective, fac: Factorization): { beta: number[]; b: Float64Array[] } {
  const { p, reTerms } = model;
  const { m, qRest, restOffsets, p1, nl1, colPtr, rowIdx } = objective.cross;
  const z = solveRest(fac.LRR, m);
  const beta = Array.from(z.subarray(qRest, qRest + p));
  const w = Float64Array.from(z);
  scaleRestRows(model, fac, w, restOffsets);
  const u1 = new Float64Array(nl1 * p1);
  const Lt = fac.LtR1;
  for (let c = 0; c < nl1; c++) {
    for (let e = colPtr[c]!; e < colPtr[c + 1]!; e++) {
      const we = w[rowIdx[e]!]!;
      for (let k = 0; k < p1; k++) u1[c * p1 + k]! -= Lt[e * p1 + k]! * we;
    }
    backSolveTransposed(fac.L11, p1, u1, c * p1 * p1, c * p1);
  }
  const b = reTerms.map((t, i) => {
    const u = i === 0 ? u1 : z.subarray(restOffsets[i - 1]!, restOffsets[i - 1]! + t.nl * t.p);
    return multiplyLevels(fac.T[i]!, t.p, t.nl, u);
  });
  return { beta, b };
}

/** Fitted values Xβ̂ + Zb̂ + offset, conditional on the BLUPs. */
function fittedValues(model: Model, beta: number[], b: Float64Array[]): Float64Array {
  const { n, p, X } = model;
  const fitted = model.offset ? Float64Array.from(model.offset) : new Float64Array(n);
  for (let j = 0; j < p; j++) {
    const bj = beta[j]!;
    const o = j * n;
    for (let t = 0; t < n; t++) fitted[t]! += X[o + t]! * bj;
  }
  model.reTerms.forEach((term, i) => addTermEffects(fitted, term.refs, term.z, term.p, b[i]!));
  return fitted;
}

function addTermEffects(fitted: Float64Array, refs: Int32Array, z: Float64Array, p: number, bi: Float64Array): void {
  const n = fitted.length;
  if (p === 1) {
    for (let t = 0; t < n; t++) fitted[t]! += z[t]! * bi[refs[t]!]!;
    return;
  }
  for (let t = 0; t < n; t++) {
    const o = refs[t]! * p;
    let s = 0;
    for (let k = 0; k < p; k++) s += z[t * p + k]! * bi[o + k]!;
    fitted[t]! += s;
  }
}

/** Solves L_RR'[x; −1] = 0 for x (the rest's part of [û; β̂]), returning [x; −1]. */
function solveRest(LRR: Float64Array, m: number): Float64Array {
  const z = new Float64Array(m);
  z[m - 1] = -1;
  for (let i = m - 2; i >= 0; i--) {
    let s = 0;
    for (let j = i + 1; j < m; j++) s += LRR[j * m + i]! * z[j]!;
    z[i] = -s / LRR[i * m + i]!;
  }
  return z;
}

/** v ← Λ_R v on the rest's random-effects rows (each level block multiplied by T_j). */
function scaleRestRows(model: Model, fac: Factorization, v: Float64Array, restOffsets: number[]): void {
  model.reTerms.slice(1).forEach((term, j) => {
    const scaled = multiplyLevels(fac.T[j + 1]!, term.p, term.nl, v.subarray(restOffsets[j]!, restOffsets[j]! + term.nl * term.p));
    v.set(scaled, restOffsets[j]!);
  });
}

/** For ℓ blocks of p values: T · block, each. */
function multiplyLevels(T: Float64Array, p: number, nl: number, u: ArrayLike<number>): Float64Array {
  const out = new Float64Array(nl * p);
  for (let l = 0; l < nl; l++) {
    for (let r = 0; r < p; r++) {
      let s = 0;
      for (let k = 0; k <= r; k++) s += T[r * p + k]! * u[l * p + k]!;
      out[l * p + r] = s;
    }
  }
  return out;
}

/**
 * Diagonals of Var(b | y) = σ² Λ (L_Z L_Z')⁻¹ Λ' per level and column (lme4's condVar uses the
 * factor of the random-effects rows only). Per term: ℓ_i × p_i values.
 */
function conditionalVariances(model: Model, objective: Objective, fac: Factorization, sigma2: number): Float64Array[] {
  const { m, qRest, restOffsets, p1, nl1, colPtr, rowIdx } = objective.cross;
  const reTerms = model.reTerms;
  // (L_RR^Z)⁻¹ for the rest's random-effects rows
  const LZ = new Float64Array(qRest * qRest);
  for (let i = 0; i < qRest; i++) for (let j = 0; j <= i; j++) LZ[i * qRest + j] = fac.LRR[i * m + j]!;
  const LZinv = qRest > 0 ? invertLower(LZ, qRest) : new Float64Array(0);
  const out: Float64Array[] = [];

  // term 1: D_c = L11_c⁻ᵀ L11_c⁻¹ + G_c'G_c with G_c = LZ⁻¹ L_R1,c^Z L11_c⁻¹
  const T1 = fac.T[0]!;
  const v1 = new Float64Array(nl1 * p1);
  const Linv = new Float64Array(p1 * p1);
  const col = new Float64Array(p1);
  const rowTerm = new Int32Array(qRest);
  reTerms.slice(1).forEach((t, j) => rowTerm.fill(j + 1, restOffsets[j]!, restOffsets[j]! + t.nl * t.p));
  for (let c = 0; c < nl1; c++) {
    const b = c * p1 * p1;
    for (let k = 0; k < p1; k++) {
      col.fill(0);
      col[k] = 1;
      forwardSolve(fac.L11, p1, col, b);
      for (let i = 0; i < p1; i++) Linv[i * p1 + k] = col[i]!;
    }
    const D = new Float64Array(p1 * p1);
    for (let i = 0; i < p1; i++) for (let j = 0; j < p1; j++) {
      let s = 0;
      for (let k = 0; k < p1; k++) s += Linv[k * p1 + i]! * Linv[k * p1 + j]!;
      D[i * p1 + j] = s;
    }
    if (qRest > 0) {
      // B = L_R1,c^Z L11_c⁻¹ (sparse rows), the rows scaled by their terms' templates: B = Λ_R' L̃ L11⁻¹
      const e0 = colPtr[c]!;
      let e1 = e0;
      while (e1 < colPtr[c + 1]! && rowIdx[e1]! < qRest) e1++;
      if (e1 > e0) {
        const nr = e1 - e0;
        const B = new Float64Array(nr * p1);
        for (let e = e0; e < e1; e++) {
          for (let k = 0; k < p1; k++) {
            let s = 0;
            for (let j = 0; j < p1; j++) s += fac.LtR1[e * p1 + j]! * Linv[j * p1 + k]!;
            B[(e - e0) * p1 + k] = s;
          }
        }
        // row scaling by T_j' within each level block (rows of a block are contiguous)
        for (let r = 0; r < nr; ) {
          const row = rowIdx[e0 + r]!;
          const j = rowTerm[row]!;
          const pj = reTerms[j]!.p;
          const Tj = fac.T[j]!;
          for (let k = 0; k < p1; k++) {
            const tmp: number[] = [];
            for (let a = 0; a < pj; a++) {
              let s = 0;
              for (let bb = a; bb < pj; bb++) s += Tj[bb * pj + a]! * B[(r + bb) * p1 + k]!;
              tmp.push(s);
            }
            for (let a = 0; a < pj; a++) B[(r + a) * p1 + k] = tmp[a]!;
          }
          r += pj;
        }
        // G = LZinv[:, rows] B; D += G'G
        const G = new Float64Array(qRest * p1);
        for (let r = 0; r < nr; r++) {
          const row = rowIdx[e0 + r]!;
          for (let i = row; i < qRest; i++) {
            const li = LZinv[i * qRest + row]!;
            if (li === 0) continue;
            for (let k = 0; k < p1; k++) G[i * p1 + k]! += li * B[r * p1 + k]!;
          }
        }
        for (let i = 0; i < p1; i++) for (let j = 0; j < p1; j++) {
          let s = 0;
          for (let r = 0; r < qRest; r++) s += G[r * p1 + i]! * G[r * p1 + j]!;
          D[i * p1 + j]! += s;
        }
      }
    }
    // diag of σ² T1 D T1'
    for (let r = 0; r < p1; r++) {
      let s = 0;
      for (let a = 0; a <= r; a++) for (let bb = 0; bb <= r; bb++) s += T1[r * p1 + a]! * D[a * p1 + bb]! * T1[r * p1 + bb]!;
      v1[c * p1 + r] = sigma2 * s;
    }
  }
  out.push(v1);
  // terms 2..k: D = Σ_i LZinv[i, block]' LZinv[i, block]
  reTerms.slice(1).forEach((t, j) => {
    const Tj = fac.T[j + 1]!;
    const pj = t.p;
    const v = new Float64Array(t.nl * pj);
    for (let l = 0; l < t.nl; l++) {
      const r0 = restOffsets[j]! + l * pj;
      const D = new Float64Array(pj * pj);
      for (let i = r0; i < qRest; i++) {
        for (let a = 0; a < pj; a++) for (let bb = 0; bb < pj; bb++) D[a * pj + bb]! += LZinv[i * qRest + r0 + a]! * LZinv[i * qRest + r0 + bb]!;
      }
      for (let r = 0; r < pj; r++) {
        let s = 0;
        for (let a = 0; a <= r; a++) for (let bb = 0; bb <= r; bb++) s += Tj[r * pj + a]! * D[a * pj + bb]! * Tj[r * pj + bb]!;
        v[l * pj + r] = sigma2 * s;
      }
    }
    out.push(v);
  });
  return out;
}

/** R's quantile(x, probs) with its default type 7; probs ascending (order statistics by selection, O(n)). */
export function quantiles(x: ArrayLike<number>, probs: number[]): number[] {
  const a = Float64Array.from(x);
  const n = a.length;
  let from = 0;
  return probs.map((pr) => {
    const h = (n - 1) * pr;
    const lo = Math.floor(h);
    // after selecting lo, everything from lo on is ≥ a[lo]: the next selection starts there
    const vlo = select(a, lo, from);
    from = lo;
    if (h === lo || lo + 1 >= n) return vlo;
    let vhi = Infinity;
    for (let i = lo + 1; i < n; i++) if (a[i]! < vhi) vhi = a[i]!;
    return vlo + (h - lo) * (vhi - vlo);
  });
}

/** Hoare's selection in a[from..]: rearranges it so that a[k] is the k-th smallest, smaller before, larger after. */
function select(a: Float64Array, k: number, from: number): number {
  let lo = from;
  let hi = a.length - 1;
  while (hi > lo) {
    const pivot = a[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return a[k]!;
}
