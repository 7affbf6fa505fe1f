import type { Model } from "./buildModel.js";
import { crossProducts, type CrossProducts } from "./crossProducts.js";
import { cholLowerInPlace, forwardSolve } from "./denseCholesky.js";
import { templates, thetaLayout, type ThetaLayout } from "./lambda.js";

/**
 * The blocked lower Cholesky factor L of Λθ'AΛθ + I (I on the random-effects rows only), for the
 * ordering [Z_1 | Z_2 … Z_k X y], at one θ.
 */
export interface Factorization {
  theta: Float64Array;
  /** Templates T_i of Λθ, row-major p_i × p_i. */
  T: Float64Array[];
  /** L_11: ℓ_1 lower-triangular p_1 × p_1 blocks (Z_1 is block diagonal, so is its factor). */
  L11: Float64Array;
  /**
   * L̃_R1 = R'WZ_1 Λ_1 L_11⁻ᵀ, with A's sparsity pattern (entry e, column k at `e*p1 + k`); the
   * block L_R1 of L is Λ_R' L̃_R1 (the rest's rows scaled by their templates).
   */
  LtR1: Float64Array;
  /** L_RR: lower factor of the dense rest, m × m row-major. */
  LRR: Float64Array;
  /** log |L_θ|², over the random-effects rows. */
  ldL2: number;
  /** log |R_X|², over the fixed-effects rows. */
  ldRX2: number;
  /** Penalized weighted residual sum of squares r²(θ): the square of L's last diagonal entry. */
  pwrss: number;
  /** The profiled objective (deviance for ML, REML criterion for REML); Infinity if not positive definite. */
  objective: number;
}

/** The profiled deviance or REML criterion as a function of θ alone (lme4's `mkLmerDevfun`). */
export interface Objective {
  readonly layout: ThetaLayout;
  readonly cross: CrossProducts;
  readonly n: number;
  readonly p: number;
  readonly REML: boolean;
  /** The objective at θ; the same θ always gives the same value. */
  evaluate(theta: ArrayLike<number>): number;
  /**
   * The scalar pieces of the objective at θ (log-determinants, r², objective) without keeping L;
   * with `V` given (p × p), also fills V = (R_X'R_X)⁻¹ = vcov(β̂)/σ².
   */
  pieces(theta: ArrayLike<number>, V?: Float64Array): Pick<Factorization, "ldL2" | "ldRX2" | "pwrss" | "objective">;
  /** The objective at θ for the given criterion, with every piece of L kept (a fresh object). */
  factorize(theta: ArrayLike<number>, REML?: boolean): Factorization;
}

/** Builds the objective of a model: forms A once, then each evaluation factors Λ'AΛ + I. */
export function makeObjective(model: Model): Objective {
  const cross = crossProducts(model);
  const layout = thetaLayout(model.reTerms);
  const { n, p } = model;
  const { p1, m, qRest, restOffsets, A11, ARR, vals, logDetW } = cross;
  const restTerms = model.reTerms.slice(1);

  // workspace, reused between evaluations (its contents never outlive one call)
  const wsL11 = new Float64Array(A11.length);
  const wsLt = new Float64Array(vals.length);
  const wsM = new Float64Array(m * m);
  const tmp = new Float64Array(Math.max(p1 * p1, ...restTerms.map((t) => t.p)));

  function factorInto(theta: Float64Array, L11: Float64Array, Lt: Float64Array, M: Float64Array, REML: boolean): Omit<Factorization, "theta" | "T" | "L11" | "LtR1" | "LRR"> {
    const T = templates(layout, theta);
    const T1 = T[0]!;
    M.set(ARR);
    let ldL2 = firstBlock(cross, T1, L11, Lt, M, tmp);
    const ok = !Number.isNaN(ldL2);
    // mirror the updated lower triangle, scale the rest's Z rows and columns by Λ_R, add I
    for (let i = 0; i < m; i++) for (let j = 0; j < i; j++) M[j * m + i] = M[i * m + j]!;
    restTerms.forEach((term, j) => {
      const Tj = T[j + 1]!;
      const pj = term.p;
      for (let l = 0; l < term.nl; l++) {
        const r0 = restOffsets[j]! + l * pj;
        if (pj === 1) {
          const t = Tj[0]!;
          for (let col = 0; col < m; col++) M[r0 * m + col]! *= t;
          for (let row = 0; row < m; row++) M[row * m + r0]! *= t;
          continue;
        }
        for (let col = 0; col < m; col++) {
          for (let a = 0; a < pj; a++) {
            let s = 0;
            for (let bb = a; bb < pj; bb++) s += Tj[bb * pj + a]! * M[(r0 + bb) * m + col]!;
            tmp[a] = s;
          }
          for (let a = 0; a < pj; a++) M[(r0 + a) * m + col] = tmp[a]!;
        }
        for (let row = 0; row < m; row++) {
          const ro = row * m + r0;
          for (let a = 0; a < pj; a++) {
            let s = 0;
            for (let bb = a; bb < pj; bb++) s += M[ro + bb]! * Tj[bb * pj + a]!;
            tmp[a] = s;
          }
          for (let a = 0; a < pj; a++) M[ro + a] = tmp[a]!;
        }
      }
    });
    for (let r = 0; r < qRest; r++) M[r * m + r]! += 1;
    let ldRX2 = 0;
    let chol = true;
    if (!cholLowerInPlace(M, m)) chol = false;
    for (let r = 0; r < qRest; r++) ldL2 += 2 * Math.log(M[r * m + r]!);
    for (let r = qRest; r < qRest + p; r++) ldRX2 += 2 * Math.log(M[r * m + r]!);
    const last = M[m * m - 1]!;
    const pwrss = last * last;
    let objective: number;
    if (!ok || !chol || !Number.isFinite(ldL2) || !Number.isFinite(ldRX2)) objective = Infinity;
    else if (REML) objective = ldL2 + ldRX2 - logDetW + (n - p) * (1 + Math.log((2 * Math.PI * pwrss) / (n - p)));
    else objective = ldL2 - logDetW + n * (1 + Math.log((2 * Math.PI * pwrss) / n));
    return { ldL2, ldRX2, pwrss, objective };
  }

  return {
    layout,
    cross,
    n,
    p,
    REML: model.REML,
    evaluate(theta) {
      return factorInto(Float64Array.from(theta), wsL11, wsLt, wsM, model.REML).objective;
    },
    pieces(theta, V) {
      const parts = factorInto(Float64Array.from(theta), wsL11, wsLt, wsM, model.REML);
      if (V) crossprodInverseRX(wsM, m, qRest, p, V);
      return parts;
    },
    factorize(theta, REML = model.REML) {
      const L11 = new Float64Array(A11.length);
      const LtR1 = new Float64Array(vals.length);
      const LRR = new Float64Array(m * m);
      const parts = factorInto(Float64Array.from(theta), L11, LtR1, LRR, REML);
      return { theta: Float64Array.from(theta), T: templates(layout, theta), L11, LtR1, LRR, ...parts };
    },
  };
}

/**
 * V = (R_X'R_X)⁻¹ from the X block of L (the lower factor of the rest, m × m, whose rows
 * qRest .. qRest+p−1 hold R_X'); vcov(β̂) = σ² V.
 */
export function crossprodInverseRX(LRR: Float64Array, m: number, qRest: number, p: number, V: Float64Array): void {
  const Li = new Float64Array(p * p);
  // invert the lower-triangular R_X' in place of Li, column by column
  for (let j = 0; j < p; j++) {
    for (let i = j; i < p; i++) {
      let s = i === j ? 1 : 0;
      for (let k = j; k < i; k++) s -= LRR[(qRest + i) * m + qRest + k]! * Li[k * p + j]!;
      Li[i * p + j] = s / LRR[(qRest + i) * m + qRest + i]!;
    }
  }
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = i; k < p; k++) s += Li[k * p + i]! * Li[k * p + j]!;
      V[i * p + j] = s;
      V[j * p + i] = s;
    }
  }
}

/**
 * The first term's block column: L11_c = chol(T1'A11_c T1 + I) per level c, the rows
 * L̃_R1,c = (R'WZ_1)_c T1 L11_c⁻ᵀ, and the rank update M −= Σ_c L̃_R1,c L̃_R1,c' of the rest (lower
 * triangle). Returns Σ log diag(L11)² (NaN if a block is not positive definite). Specialized for
 * p_1 = 1 and 2, the common cases, as scalar code.
 */
function firstBlock(cross: CrossProducts, T1: Float64Array, L11: Float64Array, Lt: Float64Array, M: Float64Array, tmp: Float64Array): number {
  const { p1, nl1, A11, colPtr, rowIdx, vals, m } = cross;
  let ld = 0;
  // Σ log l as log Π l (every l ≥ 1), flushing the product into the sum before it could overflow
  let prod = 1;
  if (p1 === 1) {
    const t = T1[0]!;
    const t2 = t * t;
    for (let c = 0; c < nl1; c++) {
      const l = Math.sqrt(t2 * A11[c]! + 1);
      L11[c] = l;
      prod *= l;
      if (prod > 1e150) {
        ld += Math.log(prod);
        prod = 1;
      }
      const f = t / l;
      const e0 = colPtr[c]!;
      const e1 = colPtr[c + 1]!;
      for (let e = e0; e < e1; e++) Lt[e] = vals[e]! * f;
      for (let e = e0; e < e1; e++) {
        const re = rowIdx[e]! * m;
        const le = Lt[e]!;
        for (let g = e0; g <= e; g++) M[re + rowIdx[g]!]! -= le * Lt[g]!;
      }
    }
    return 2 * (ld + Math.log(prod));
  }
  if (p1 === 2) {
    const t00 = T1[0]!;
    const t10 = T1[2]!;
    const t11 = T1[3]!;
    for (let c = 0; c < nl1; c++) {
      const b = 4 * c;
      const a00 = A11[b]!;
      const a01 = A11[b + 1]!;
      const a11 = A11[b + 3]!;
      const b00 = a00 * t00 + a01 * t10;
      const b10 = a01 * t00 + a11 * t10;
      const c00 = t00 * b00 + t10 * b10 + 1;
      const c10 = t11 * b10;
      const c11 = t11 * a11 * t11 + 1;
      const l00 = Math.sqrt(c00);
      const l10 = c10 / l00;
      const d = c11 - l10 * l10;
      if (!(d > 0)) return NaN;
      const l11 = Math.sqrt(d);
      L11[b] = l00;
      L11[b + 1] = 0;
      L11[b + 2] = l10;
      L11[b + 3] = l11;
      prod *= l00 * l11;
      if (prod > 1e150) {
        ld += Math.log(prod);
        prod = 1;
      }
      const e0 = colPtr[c]!;
      const e1 = colPtr[c + 1]!;
      for (let e = e0; e < e1; e++) {
        const v0 = vals[2 * e]! * t00 + vals[2 * e + 1]! * t10;
        const v1 = vals[2 * e + 1]! * t11;
        const w0 = v0 / l00;
        Lt[2 * e] = w0;
        Lt[2 * e + 1] = (v1 - l10 * w0) / l11;
      }
      for (let e = e0; e < e1; e++) {
        const re = rowIdx[e]! * m;
        const u0 = Lt[2 * e]!;
        const u1 = Lt[2 * e + 1]!;
        for (let g = e0; g <= e; g++) M[re + rowIdx[g]!]! -= u0 * Lt[2 * g]! + u1 * Lt[2 * g + 1]!;
      }
    }
    return 2 * (ld + Math.log(prod));
  }
  for (let c = 0; c < nl1; c++) {
    const b = c * p1 * p1;
    for (let i = 0; i < p1; i++) {
      for (let j = 0; j < p1; j++) {
        let s = 0;
        for (let k = j; k < p1; k++) s += A11[b + i * p1 + k]! * T1[k * p1 + j]!;
        tmp[i * p1 + j] = s; // (A11_c T1)[i][j]
      }
    }
    for (let i = 0; i < p1; i++) {
      for (let j = 0; j <= i; j++) {
        let s = i === j ? 1 : 0;
        for (let k = i; k < p1; k++) s += T1[k * p1 + i]! * tmp[k * p1 + j]!;
        L11[b + i * p1 + j] = s;
      }
    }
    if (!cholLowerInPlace(L11, p1, b)) return NaN;
    for (let i = 0; i < p1; i++) ld += Math.log(L11[b + i * p1 + i]!);
    const e0 = colPtr[c]!;
    const e1 = colPtr[c + 1]!;
    for (let e = e0; e < e1; e++) {
      const o = e * p1;
      for (let k = 0; k < p1; k++) {
        let s = 0;
        for (let j = k; j < p1; j++) s += vals[o + j]! * T1[j * p1 + k]!;
        Lt[o + k] = s;
      }
      forwardSolve(L11, p1, Lt, b, o);
    }
    for (let e = e0; e < e1; e++) {
      const re = rowIdx[e]! * m;
      const oe = e * p1;
      for (let g = e0; g <= e; g++) {
        const og = g * p1;
        let s = 0;
        for (let k = 0; k < p1; k++) s += Lt[oe + k]! * Lt[og + k]!;
        M[re + rowIdx[g]!]! -= s;
      }
    }
  }
  return 2 * ld;
}
