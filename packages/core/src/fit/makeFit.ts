import { describeDropped } from "../model/droppedRows.js";
import { responseMoments } from "../model/response.js";
import { type Model } from "../model/Model.js";
import { HlmError } from "../HlmError.js";
import { backSolveTransposed, invertLower, invertLowerTransposed, multiplyLevels, solveRest } from "../linalg/triangular.js";
import type { Factorization, ProfiledDeviance } from "../objective/ProfiledDeviance.js";
import { checkConvergence, type ConvergenceCheck } from "./checkConvergence.js";
import { satterthwaiteDf, satterthwaiteModel, satterthwaiteWarning, tTestPValue, type SatterthwaiteModel } from "./satterthwaite.js";
import { thetaDerivatives } from "./thetaDerivatives.js";
import type { OptSummary } from "../optim/optimize.js";

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
  code: "singular" | "convergence" | "rank-deficient" | "missing-rows" | "scale" | "satterthwaite";
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
  /** Names of the fixed effects (X's columns kept), as R's model.matrix names them. */
  fixefNames: string[];
  /** β̂: fixed-effects estimates, in the order of `fixefNames`. */
  fixef: number[];
  /** Var(β̂) = σ² R_X⁻¹ R_X⁻ᵀ. */
  vcov: number[][];
  se: number[];
  tValues: number[];
  /** Satterthwaite degrees of freedom and p-values (lmerTest's), filled by `fit()`. */
  satterthwaiteDf: number[];
  pValues: number[];
  /**
   * lmerTest's Satterthwaite quantities at the optimum (the covariance of the variance parameters
   * and the derivatives of vcov(β̂)), for the df of any contrast (`satterthwaiteDf`); null when the
   * fit was made with `satterthwaite: false`. Kept in the units the fit was computed in (`fitModel`
   * may have rescaled the response): degrees of freedom do not depend on them.
   */
  satterthwaite: SatterthwaiteModel | null;
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
  convergence: ConvergenceCheck;
}

/** Options of the last stage. */
export interface MakeFitOptions {
  /** Compute Satterthwaite degrees of freedom and p-values (default true). */
  satterthwaite?: boolean;
}

/**
 * The fit at the optimum (lme4's `mkMerMod`): β̂, b̂, σ, vcov, variance components, fitted values
 * and residuals, BLUPs with conditional variances; the derivatives of the objective's pieces at θ̂
 * give lme4's convergence check and lmerTest's Satterthwaite degrees of freedom.
 */
export function makeFit(model: Model, objective: ProfiledDeviance, opt: OptSummary, options: MakeFitOptions = {}): LmmFit {
  const derivatives = thetaDerivatives(objective, opt.theta);
  const nu = model.REML ? model.n - model.p : model.n;
  const convergence = checkConvergence(derivatives, nu, objective.layout.lower);
  const result = fitAt(model, objective, opt, convergence);
  checkFinite(result, model);
  if (options.satterthwaite !== false && model.p > 0) {
    const sm = satterthwaiteModel(derivatives, result.sigma, nu, model.p);
    result.satterthwaite = sm;
    result.satterthwaiteDf = result.fixef.map((_, i) => satterthwaiteDf(sm, result.fixef.map((__, j) => (i === j ? 1 : 0))));
    result.pValues = result.tValues.map((t, i) => tTestPValue(t, result.satterthwaiteDf[i]!));
    const warning = satterthwaiteWarning(result.fixefNames, result.satterthwaiteDf);
    if (warning) result.warnings.push({ code: "satterthwaite", message: warning });
  }
  return result;
}

/**
 * A fit whose residual SD is 0 (the fixed effects reproduce the response exactly) or whose estimates
 * are not finite numbers is no fit: a clear error instead of NaN or Inf in the results.
 */
function checkFinite(fit: LmmFit, model: Model): void {
  // σ² below 1e-14 of the response's variance is within the rounding of the sums of squares: an exact fit
  const { n } = model;
  const { ss } = responseMoments(model);
  if (fit.pwrss <= 0 || fit.sigma <= 1e-7 * Math.sqrt(ss / (n - 1))) {
    throw new HlmError("FIT", `The model reproduces '${fit.responseName}' exactly (every residual is 0), so its variances cannot be estimated; lme4 would report a residual SD of 0.`);
  }
  const bad: string[] = [];
  if (!Number.isFinite(fit.sigma)) bad.push("the residual SD");
  if (!Number.isFinite(fit.objective)) bad.push("the objective");
  fit.fixefNames.forEach((name, i) => {
    if (!Number.isFinite(fit.fixef[i]!) || !Number.isFinite(fit.se[i]!)) bad.push(`'${name}'`);
  });
  if (fit.varcorr.some((v) => v.sd.some((x) => !Number.isFinite(x)))) bad.push("the random-effect SDs");
  if (bad.length > 0) {
    throw new HlmError("FIT", `The fit broke down numerically: ${bad.slice(0, 3).join(", ")}${bad.length > 3 ? ", …" : ""} came out as NaN or infinite; look for extreme or nearly collinear values in the data.`);
  }
}

/** Everything of the fit but the Satterthwaite df and p-values. */
function fitAt(model: Model, objective: ProfiledDeviance, opt: OptSummary, convergence: ConvergenceCheck): LmmFit {
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
  if (model.nDropped > 0) {
    const why = model.droppedBy && model.droppedBy.length > 0 ? ` (${describeDropped(model.droppedBy)})` : "";
    warnings.push({ code: "missing-rows", message: `${model.nDropped} row${model.nDropped === 1 ? "" : "s"} with missing values dropped${why}.` });
  }
  if (model.droppedColumns.length > 0) {
    const k = model.droppedColumns.length;
    warnings.push({ code: "rank-deficient", message: `fixed-effect model matrix is rank deficient so dropping ${k} column${k === 1 ? "" : "s"} / coefficient${k === 1 ? "" : "s"} (${model.droppedColumns.join(", ")})` });
  }
  if (predictorScalesDiffer(model.X, n, p)) warnings.push({ code: "scale", message: "Some predictor variables are on very different scales: consider rescaling" });
  if (singular) warnings.push({ code: "singular", message: "boundary (singular) fit: see help('isSingular')" });
  for (const msg of opt.warnings) warnings.push({ code: "convergence", message: msg });
  if (convergence.warning) warnings.push({ code: "convergence", message: convergence.warning });

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
    satterthwaite: null,
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
    convergence,
  };
}

/**
 * lme4's checkScaleX: the fixed-effects columns that are not all 0 or 1 have standard deviations
 * more than a factor 1000 apart, or one of them is above 1000 or below 1/1000.
 */
export function predictorScalesDiffer(X: Float64Array, n: number, p: number): boolean {
  const logSd: number[] = [];
  for (let j = 0; j < p; j++) {
    const o = j * n;
    let indicator = true;
    let sum = 0;
    for (let t = 0; t < n; t++) {
      const v = X[o + t]!;
      if (v !== 0 && v !== 1) indicator = false;
      sum += v;
    }
    if (indicator) continue;
    const mean = sum / n;
    let ss = 0;
    for (let t = 0; t < n; t++) ss += (X[o + t]! - mean) ** 2;
    logSd.push(0.5 * Math.log(ss / (n - 1)));
  }
  const limit = Math.log(1000);
  if (logSd.some((l) => !(Math.abs(l) <= limit))) return true;
  return logSd.length > 0 && Math.max(...logSd) - Math.min(...logSd) > limit;
}

/**
 * β̂ and b̂ from L: back-substitution L'[u; β; −1] = 0 through the tail, then through the nodes
 * in reverse; b = Λθ u, per term (rows of `b[i]` are levels, p_i values each).
 */
function solveEffects(model: Model, objective: ProfiledDeviance, fac: Factorization): { beta: number[]; b: Float64Array[] } {
  const { p, reTerms } = model;
  const { m, tailStart, nNodes, nodeP, nodeRow, diagOff, valOff, colPtr, rowIdx, termRow } = objective.cross;
  const x = new Float64Array(tailStart + m);
  x.set(solveRest(fac.LRR, m), tailStart);
  const L = fac.Lnodes;
  for (let u = nNodes - 1; u >= 0; u--) {
    const pu = nodeP[u]!;
    const r0 = nodeRow[u]!;
    const v0 = valOff[u]!;
    for (let e = colPtr[u]!; e < colPtr[u + 1]!; e++) {
      const xe = x[rowIdx[e]!]!;
      const o = v0 + (e - colPtr[u]!) * pu;
      for (let a = 0; a < pu; a++) x[r0 + a]! -= L[o + a]! * xe;
    }
    backSolveTransposed(L, pu, x, diagOff[u]!, r0);
  }
  const q = termRow[reTerms.length]!;
  const beta = Array.from(x.subarray(q, q + p));
  const b = reTerms.map((t, i) => multiplyLevels(fac.T[i]!, t.p, t.nl, x.subarray(termRow[i]!, termRow[i]! + t.nl * t.p)));
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

/**
 * Diagonals of Var(b | y) = σ² Λ (L_Z L_Z')⁻¹ Λ' per level and column (lme4's condVar uses the
 * factor of the random-effects rows only). For a node u, the diagonal block of (L_Z L_Z')⁻¹ is
 * X'X over the columns X = L_Z⁻¹ E_u, whose nonzeros are u's ancestors among the nodes and the
 * tail's random-effects rows. Per term: ℓ_i × p_i values.
 */
function conditionalVariances(model: Model, objective: ProfiledDeviance, fac: Factorization, sigma2: number): Float64Array[] {
  const { m, qRest, restOffsets, s, nNodes, nodeP, nodeRow, rowNode, diagOff, valOff, colPtr, rowIdx, tailStart } = objective.cross;
  const reTerms = model.reTerms;
  const L = fac.Lnodes;
  // (L_tail^Z)⁻¹ for the tail's random-effects rows, by columns: row r of Xt is column r of the inverse
  const LZ = new Float64Array(qRest * qRest);
  for (let i = 0; i < qRest; i++) for (let j = 0; j <= i; j++) LZ[i * qRest + j] = fac.LRR[i * m + j]!;
  const Xt = qRest > 0 ? invertLowerTransposed(LZ, qRest) : new Float64Array(0);
  const out: Float64Array[] = reTerms.map((t) => new Float64Array(t.nl * t.p));
  const maxP = Math.max(1, ...reTerms.map((t) => t.p));
  // sparse accumulator over the rows before the tail end of Z: columns of L⁻¹E_u, maxP wide
  const acc = new Float64Array((tailStart + qRest) * maxP);
  const touched = new Uint8Array(nNodes);
  const tailRows: number[] = [];
  const tailMark = new Uint8Array(qRest);
  for (let u = 0; u < nNodes; u++) {
    const pu = nodeP[u]!;
    const D = new Float64Array(pu * pu);
    for (let a = 0; a < pu; a++) acc[(nodeRow[u]! + a) * maxP + a] = 1;
    const queue = [u];
    touched[u] = 1;
    while (queue.length > 0) {
      // the smallest touched node next: the updates only go forward
      let qi = 0;
      for (let i = 1; i < queue.length; i++) if (queue[i]! < queue[qi]!) qi = i;
      const v = queue.splice(qi, 1)[0]!;
      touched[v] = 0;
      const pv = nodeP[v]!;
      const rv = nodeRow[v]!;
      // X_v = L_vv⁻¹ acc_v, column by column
      for (let c = 0; c < pu; c++) {
        for (let a = 0; a < pv; a++) {
          let sum = acc[(rv + a) * maxP + c]!;
          for (let b = 0; b < a; b++) sum -= L[diagOff[v]! + a * pv + b]! * acc[(rv + b) * maxP + c]!;
          acc[(rv + a) * maxP + c] = sum / L[diagOff[v]! + a * pv + a]!;
        }
      }
      for (let a = 0; a < pu; a++) for (let c = 0; c < pu; c++) for (let r = 0; r < pv; r++) D[a * pu + c]! += acc[(rv + r) * maxP + a]! * acc[(rv + r) * maxP + c]!;
      // push −L_ev X_v to the rows below (random-effects rows only)
      for (let e = colPtr[v]!; e < colPtr[v + 1]!; e++) {
        const re = rowIdx[e]!;
        if (re >= tailStart + qRest) break;
        const o = valOff[v]! + (e - colPtr[v]!) * pv;
        for (let c = 0; c < pu; c++) {
          let sum = 0;
          for (let r = 0; r < pv; r++) sum += L[o + r]! * acc[(rv + r) * maxP + c]!;
          acc[re * maxP + c]! -= sum;
        }
        if (re < tailStart) {
          const w = rowNode[re]!;
          if (!touched[w]) {
            touched[w] = 1;
            queue.push(w);
          }
        } else if (!tailMark[re - tailStart]) {
          tailMark[re - tailStart] = 1;
          tailRows.push(re - tailStart);
        }
      }
      for (let r = 0; r < pv; r++) for (let c = 0; c < pu; c++) acc[(rv + r) * maxP + c] = 0;
    }
    if (tailRows.length > 0) {
      // G = LZinv[:, rows] · rhs (columns of the inverse, contiguous in Xt); D += G'G
      tailRows.sort((a, b) => a - b);
      const G = new Float64Array(qRest * pu);
      for (const r of tailRows) {
        const xr = r * qRest;
        for (let c = 0; c < pu; c++) {
          const v = acc[(tailStart + r) * maxP + c]!;
          if (v === 0) continue;
          if (pu === 1) for (let i = r; i < qRest; i++) G[i]! += Xt[xr + i]! * v;
          else for (let i = r; i < qRest; i++) G[i * pu + c]! += Xt[xr + i]! * v;
        }
      }
      for (let a = 0; a < pu; a++) for (let c = 0; c < pu; c++) {
        let sum = 0;
        for (let i = tailRows[0]!; i < qRest; i++) sum += G[i * pu + a]! * G[i * pu + c]!;
        D[a * pu + c]! += sum;
      }
      for (const r of tailRows) {
        tailMark[r] = 0;
        for (let c = 0; c < pu; c++) acc[(tailStart + r) * maxP + c] = 0;
      }
      tailRows.length = 0;
    }
    const i = objective.cross.nodeTerm[u]!;
    const l = (nodeRow[u]! - objective.cross.termRow[i]!) / pu;
    out[i]!.set(diagOfTDT(fac.T[i]!, D, pu, sigma2), l * pu);
  }
  // tail terms: D = Σ_i LZinv[i, block]' LZinv[i, block], dot products of the block's columns
  reTerms.slice(s).forEach((t, j) => {
    const pj = t.p;
    for (let l = 0; l < t.nl; l++) {
      const r0 = restOffsets[j]! + l * pj;
      const D = new Float64Array(pj * pj);
      for (let a = 0; a < pj; a++) {
        for (let b = 0; b <= a; b++) {
          const xa = (r0 + a) * qRest;
          const xb = (r0 + b) * qRest;
          let sum = 0;
          for (let i = r0; i < qRest; i++) sum += Xt[xa + i]! * Xt[xb + i]!;
          D[a * pj + b] = sum;
          D[b * pj + a] = sum;
        }
      }
      out[s + j]!.set(diagOfTDT(fac.T[s + j]!, D, pj, sigma2), l * pj);
    }
  });
  return out;
}

/** The diagonal of σ² T D T' (T lower triangular p × p). */
function diagOfTDT(T: Float64Array, D: Float64Array, p: number, sigma2: number): Float64Array {
  const out = new Float64Array(p);
  for (let r = 0; r < p; r++) {
    let sum = 0;
    for (let a = 0; a <= r; a++) for (let b = 0; b <= r; b++) sum += T[r * p + a]! * D[a * p + b]! * T[r * p + b]!;
    out[r] = sigma2 * sum;
  }
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
