import { crossProducts, type CrossProducts } from "./crossProducts.js";
import { cholLowerInPlace, forwardSolve, WASM_MIN_N } from "../linalg/denseCholesky.js";
import { wasmTailKernel, type TailUpdateIndex } from "../linalg/wasm/wasmKernels.js";
import { templates, thetaLayout, type ThetaLayout } from "../model/thetaLayout.js";
import type { Model, ReTerm } from "../model/Model.js";

/**
 * The blocked lower Cholesky factor L of Λθ'AΛθ + I (I on the random-effects rows only), in the
 * layout of `CrossProducts`, at one θ.
 */
export interface Factorization {
  theta: Float64Array;
  /** Templates T_i of Λθ, row-major p_i × p_i. */
  T: Float64Array[];
  /** The eliminated nodes' blocks of L: each node's lower-triangular diagonal block and its column below. */
  Lnodes: Float64Array;
  /** L_RR: lower factor of the dense tail, m × m row-major. */
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
  const { m, qRest, restOffsets, ARR, Anodes, logDetW, s } = cross;
  const tailTerms = model.reTerms.slice(s);
  const maxP = Math.max(1, ...model.reTerms.map((t) => t.p));

  // workspace, reused between evaluations (its contents never outlive one call)
  const wsNodes = new Float64Array(Anodes.length);
  const wsM = new Float64Array(m * m);
  const tmp = new Float64Array(maxP * maxP);
  // scalar tail terms (crossed intercepts): the diagonal of Λ over the tail, 1 on the X and y rows
  const tailScalar = tailTerms.every((t) => t.p === 1);
  const tailScale = new Float64Array(m).fill(1);
  const tix = tailIndex(cross);
  // large tails below one-column nodes (crossed intercepts): the rank update and the Cholesky in WebAssembly
  const wasmTail = m >= WASM_MIN_N && cross.nNodes > 0 && cross.nodeP.every((p1) => p1 === 1) ? wasmTailKernel() : null;
  const wasmIndex = wasmTail ? wasmTailIndex(cross, tix) : null;

  // one random-effects term: the evaluations that keep no L use its per-level products (see singleTerm)
  const single = model.reTerms.length === 1 ? singleTerm(cross) : null;

  function factorInto(theta: Float64Array, S: Float64Array | null, M: Float64Array, REML: boolean): Omit<Factorization, "theta" | "T" | "Lnodes" | "LRR"> {
    const T = templates(layout, theta);
    let ldL2: number;
    if (S === null && single) {
      M.set(ARR);
      ldL2 = single.update(T[0]!, M);
    } else {
      const nodes = S ?? wsNodes;
      // scale and inflate: S = Λ'AΛ + I on the nodes, M likewise on the tail
      nodes.set(Anodes);
      scaleNodes(cross, model.reTerms, T, nodes, tmp);
      if (tailScalar) {
        // every tail term has one column per level: Λ'MΛ + I is M_ij d_i d_j (+1 on the diagonal), one pass over the lower triangle
        tailTerms.forEach((term, j) => tailScale.fill(T[s + j]![0]!, restOffsets[j]!, restOffsets[j]! + term.nl));
        scaleLowerInto(ARR, M, m, tailScale, qRest);
      } else {
        M.set(ARR);
        tailTerms.forEach((term, j) => scaleTail(M, m, restOffsets[j]!, term.nl, term.p, T[s + j]!, tmp));
        for (let r = 0; r < qRest; r++) M[r * m + r]! += 1;
      }
      // eliminate the nodes, then update and factor the tail
      ldL2 = eliminateNodes(cross, tix.firstTail, nodes);
    }
    const ok = !Number.isNaN(ldL2);
    let chol = false;
    if (ok) {
      if (S === null && single) chol = cholLowerInPlace(M, m);
      else if (wasmTail) chol = wasmTail(wasmIndex!, S ?? wsNodes, M, m);
      else {
        tailRankUpdate(cross, tix, S ?? wsNodes, M);
        chol = cholLowerInPlace(M, m);
      }
    }
    let ldRX2 = 0;
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
      return factorInto(Float64Array.from(theta), null, wsM, model.REML).objective;
    },
    pieces(theta, V) {
      const parts = factorInto(Float64Array.from(theta), null, wsM, model.REML);
      if (V) crossprodInverseRX(wsM, m, qRest, p, V);
      return parts;
    },
    factorize(theta, REML = model.REML) {
      const Lnodes = new Float64Array(Anodes.length);
      const LRR = new Float64Array(m * m);
      const parts = factorInto(Float64Array.from(theta), Lnodes, LRR, REML);
      return { theta: Float64Array.from(theta), T: templates(layout, theta), Lnodes, LRR, ...parts };
    },
  };
}

/**
 * Λ'AΛ + I on the nodes: each diagonal block becomes T_i'A_uu T_i + I, each level block of a
 * column T_j'B T_i (X and y rows are not scaled).
 */
function scaleNodes(cross: CrossProducts, reTerms: readonly ReTerm[], T: Float64Array[], S: Float64Array, tmp: Float64Array): void {
  const { nNodes, nodeP, nodeTerm, diagOff, valOff, colPtr, rowIdx, rowNode, tailStart, termRow } = cross;
  const q = termRow[reTerms.length]!;
  for (let u = 0; u < nNodes; u++) {
    const pu = nodeP[u]!;
    const Tu = T[nodeTerm[u]!]!;
    const d = diagOff[u]!;
    if (pu === 1) {
      const t = Tu[0]!;
      S[d] = S[d]! * t * t + 1;
    } else if (pu === 2) {
      inflate2(Tu, S, d, S, d);
    } else {
      // D ← T'DT + I
      for (let i = 0; i < pu; i++) {
        for (let j = 0; j < pu; j++) {
          let acc = 0;
          for (let kk = j; kk < pu; kk++) acc += S[d + i * pu + kk]! * Tu[kk * pu + j]!;
          tmp[i * pu + j] = acc;
        }
      }
      for (let i = 0; i < pu; i++) {
        for (let j = 0; j < pu; j++) {
          let acc = i === j ? 1 : 0;
          for (let kk = i; kk < pu; kk++) acc += Tu[kk * pu + i]! * tmp[kk * pu + j]!;
          S[d + i * pu + j] = acc;
        }
      }
    }
    // column entries: right-multiply every row by T_u, left-multiply each Z level block by T_j'
    const v0 = valOff[u]!;
    const e0 = colPtr[u]!;
    const e1 = colPtr[u + 1]!;
    if (pu === 1) {
      const t = Tu[0]!;
      for (let o = v0; o < v0 + (e1 - e0); o++) S[o]! *= t;
    } else if (pu === 2) {
      const t00 = Tu[0]!;
      const t10 = Tu[2]!;
      const t11 = Tu[3]!;
      for (let o = v0; o < v0 + 2 * (e1 - e0); o += 2) {
        const a1 = S[o + 1]!;
        S[o] = S[o]! * t00 + a1 * t10;
        S[o + 1] = a1 * t11;
      }
    } else {
      for (let e = e0; e < e1; e++) {
        const o = v0 + (e - e0) * pu;
        for (let kk = 0; kk < pu; kk++) {
          let acc = 0;
          for (let j = kk; j < pu; j++) acc += S[o + j]! * Tu[j * pu + kk]!;
          tmp[kk] = acc;
        }
        for (let kk = 0; kk < pu; kk++) S[o + kk] = tmp[kk]!;
      }
    }
    for (let e = e0; e < e1; ) {
      const r = rowIdx[e]!;
      if (r >= q) break;
      const j = r < tailStart ? nodeTerm[rowNode[r]!]! : termOf(termRow, r);
      const pj = reTerms[j]!.p;
      const Tj = T[j]!;
      const o = v0 + (e - e0) * pu;
      if (pj === 1) {
        const t = Tj[0]!;
        for (let kk = 0; kk < pu; kk++) S[o + kk]! *= t;
      } else {
        for (let kk = 0; kk < pu; kk++) {
          for (let a = 0; a < pj; a++) {
            let acc = 0;
            for (let b = a; b < pj; b++) acc += Tj[b * pj + a]! * S[o + b * pu + kk]!;
            tmp[a] = acc;
          }
          for (let a = 0; a < pj; a++) S[o + a * pu + kk] = tmp[a]!;
        }
      }
      e += pj;
    }
  }
}

/** The term whose columns hold global row r (r before X). */
function termOf(termRow: number[], r: number): number {
  let j = 0;
  while (termRow[j + 1]! <= r) j++;
  return j;
}

/**
 * M = D A D + I_q on the lower triangle (D = diag(d), I on the first q rows), A and M m × m
 * row-major; the strict upper triangle of M is left as it was (nothing after this step reads it).
 */
function scaleLowerInto(A: Float64Array, M: Float64Array, m: number, d: Float64Array, q: number): void {
  for (let i = 0; i < m; i++) {
    const di = d[i]!;
    const r = i * m;
    for (let j = 0; j <= i; j++) M[r + j] = A[r + j]! * di * d[j]!;
    if (i < q) M[r + i]! += 1;
  }
}

/** Λ'MΛ on the tail's level blocks of one term (M full symmetric m × m): rows, then columns, by T. */
function scaleTail(M: Float64Array, m: number, start: number, nl: number, pj: number, Tj: Float64Array, tmp: Float64Array): void {
  for (let l = 0; l < nl; l++) {
    const r0 = start + l * pj;
    if (pj === 1) {
      const t = Tj[0]!;
      for (let col = 0; col < m; col++) M[r0 * m + col]! *= t;
      for (let row = 0; row < m; row++) M[row * m + r0]! *= t;
      continue;
    }
    for (let col = 0; col < m; col++) {
      for (let a = 0; a < pj; a++) {
        let acc = 0;
        for (let b = a; b < pj; b++) acc += Tj[b * pj + a]! * M[(r0 + b) * m + col]!;
        tmp[a] = acc;
      }
      for (let a = 0; a < pj; a++) M[(r0 + a) * m + col] = tmp[a]!;
    }
    for (let row = 0; row < m; row++) {
      const ro = row * m + r0;
      for (let a = 0; a < pj; a++) {
        let acc = 0;
        for (let b = a; b < pj; b++) acc += M[ro + b]! * Tj[b * pj + a]!;
        tmp[a] = acc;
      }
      for (let a = 0; a < pj; a++) M[ro + a] = tmp[a]!;
    }
  }
}

/**
 * Where the nodes meet the tail, transposed: for each tail row i, the node entries on that row
 * (node u, entry index g into u's column), at tailPtr[i] .. tailPtr[i+1]); and, per node, the
 * index of its first tail entry. Lets the tail's rank update be formed one row of M at a time.
 */
interface TailIndex {
  firstTail: Int32Array;
  tailPtr: Int32Array;
  tailNode: Int32Array;
  tailEntry: Int32Array;
  /** Workspace: one row of the update, length m. */
  row: Float64Array;
}

function tailIndex(cross: CrossProducts): TailIndex {
  const { nNodes, colPtr, rowIdx, tailStart, m } = cross;
  const firstTail = new Int32Array(nNodes);
  const count = new Int32Array(m + 1);
  for (let u = 0; u < nNodes; u++) {
    let g = colPtr[u]!;
    const e1 = colPtr[u + 1]!;
    while (g < e1 && rowIdx[g]! < tailStart) g++;
    firstTail[u] = g;
    for (; g < e1; g++) count[rowIdx[g]! - tailStart + 1]!++;
  }
  for (let i = 0; i < m; i++) count[i + 1]! += count[i]!;
  const tailPtr = Int32Array.from(count);
  const tailNode = new Int32Array(count[m]!);
  const tailEntry = new Int32Array(count[m]!);
  for (let u = 0; u < nNodes; u++) {
    for (let g = firstTail[u]!; g < colPtr[u + 1]!; g++) {
      const t = count[rowIdx[g]! - tailStart]!++;
      tailNode[t] = u;
      tailEntry[t] = g;
    }
  }
  return { firstTail, tailPtr, tailNode, tailEntry, row: new Float64Array(m) };
}

/**
 * Right-looking blocked Cholesky over the nodes, in order: factor u's diagonal block, solve its
 * column (L_eu = S_eu L_uu⁻ᵀ), and subtract the rank update L_·u L_·u' from the later nodes (the
 * tail's share is `tailRankUpdate`'s). Returns Σ log diag(L_uu)² (NaN if a block is not positive definite).
 */
function eliminateNodes(cross: CrossProducts, firstTail: Int32Array, S: Float64Array): number {
  const { nNodes, nodeP, diagOff, valOff, colPtr, pairPtr, pairTarget } = cross;
  let ld = 0;
  // Σ log l as log Π l (every l ≥ 1), flushing the product into the sum before it could overflow
  let prod = 1;
  for (let u = 0; u < nNodes; u++) {
    const pu = nodeP[u]!;
    const d = diagOff[u]!;
    const v0 = valOff[u]!;
    const e0 = colPtr[u]!;
    const e1 = colPtr[u + 1]!;
    const ft = firstTail[u]!;
    let k = pairPtr[u]!;
    if (pu === 1) {
      const l = Math.sqrt(S[d]!);
      if (!(l > 0)) return NaN;
      S[d] = l;
      prod *= l;
      const inv = 1 / l;
      for (let o = v0; o < v0 + (e1 - e0); o++) S[o]! *= inv;
      for (let g = e0; g < ft; g++) {
        const lg = S[v0 + g - e0]!;
        for (let e = g; e < e1; e++) S[pairTarget[k++]!]! -= S[v0 + e - e0]! * lg;
      }
    } else if (pu === 2) {
      const l00 = Math.sqrt(S[d]!);
      const l10 = S[d + 2]! / l00;
      const dd = S[d + 3]! - l10 * l10;
      if (!(l00 > 0) || !(dd > 0)) return NaN;
      const l11 = Math.sqrt(dd);
      S[d] = l00;
      S[d + 1] = 0;
      S[d + 2] = l10;
      S[d + 3] = l11;
      prod *= l00 * l11;
      for (let o = v0; o < v0 + 2 * (e1 - e0); o += 2) {
        const w0 = S[o]! / l00;
        S[o] = w0;
        S[o + 1] = (S[o + 1]! - l10 * w0) / l11;
      }
      for (let g = e0; g < ft; g++) {
        const og = v0 + 2 * (g - e0);
        const g0 = S[og]!;
        const g1 = S[og + 1]!;
        for (let e = g, oe = og; e < e1; e++, oe += 2) S[pairTarget[k++]!]! -= S[oe]! * g0 + S[oe + 1]! * g1;
      }
    } else {
      if (!cholLowerInPlace(S, pu, d)) return NaN;
      for (let i = 0; i < pu; i++) prod *= S[d + i * pu + i]!;
      for (let e = e0; e < e1; e++) forwardSolve(S, pu, S, d, v0 + (e - e0) * pu);
      for (let g = e0; g < ft; g++) {
        const og = v0 + (g - e0) * pu;
        for (let e = g; e < e1; e++) {
          const oe = v0 + (e - e0) * pu;
          let acc = 0;
          for (let a = 0; a < pu; a++) acc += S[oe + a]! * S[og + a]!;
          S[pairTarget[k++]!]! -= acc;
        }
      }
    }
    if (prod > 1e150) {
      ld += Math.log(prod);
      prod = 1;
    }
  }
  return 2 * (ld + Math.log(prod));
}

/**
 * The tail's update M −= Σ_u L_tu L_tu' (lower triangle) from the eliminated nodes, one row of M at
 * a time through the transposed index: row i gathers, in a small buffer, the products of the nodes
 * with an entry on row i, and M is written in order.
 */
function tailRankUpdate(cross: CrossProducts, tix: TailIndex, S: Float64Array, M: Float64Array): void {
  const { nodeP, valOff, colPtr, rowIdx, tailStart, m } = cross;
  const { firstTail, tailPtr, tailNode, tailEntry, row } = tix;
  for (let i = 0; i < m; i++) {
    const t1 = tailPtr[i + 1]!;
    if (tailPtr[i] === t1) continue;
    for (let t = tailPtr[i]!; t < t1; t++) {
      const u = tailNode[t]!;
      const g = tailEntry[t]!;
      const pu = nodeP[u]!;
      const e0 = colPtr[u]!;
      const v0 = valOff[u]!;
      if (pu === 1) {
        const lg = S[v0 + g - e0]!;
        for (let e = firstTail[u]!; e <= g; e++) row[rowIdx[e]! - tailStart]! += S[v0 + e - e0]! * lg;
      } else {
        const og = v0 + (g - e0) * pu;
        for (let e = firstTail[u]!; e <= g; e++) {
          const oe = v0 + (e - e0) * pu;
          let acc = 0;
          for (let a = 0; a < pu; a++) acc += S[oe + a]! * S[og + a]!;
          row[rowIdx[e]! - tailStart]! += acc;
        }
      }
    }
    const r = i * m;
    for (let c = 0; c <= i; c++) {
      M[r + c]! -= row[c]!;
      row[c] = 0;
    }
  }
}

/** The transposed index in the form of the WebAssembly tail kernel (one-column nodes: value o of node u is entry colPtr[u] + o − valOff[u]). */
function wasmTailIndex(cross: CrossProducts, tix: TailIndex): TailUpdateIndex {
  const { nNodes, valOff, colPtr, rowIdx, tailStart, Anodes } = cross;
  const { firstTail, tailPtr, tailNode, tailEntry } = tix;
  const tailCol = new Int32Array(Anodes.length);
  for (let u = 0; u < nNodes; u++) for (let e = firstTail[u]!; e < colPtr[u + 1]!; e++) tailCol[valOff[u]! + e - colPtr[u]!] = rowIdx[e]! - tailStart;
  const tStart = new Int32Array(tailNode.length);
  const tG = new Int32Array(tailNode.length);
  for (let t = 0; t < tailNode.length; t++) {
    const u = tailNode[t]!;
    tStart[t] = valOff[u]! + firstTail[u]! - colPtr[u]!;
    tG[t] = valOff[u]! + tailEntry[t]! - colPtr[u]!;
  }
  return { tailCol, tStart, tG, tailPtr };
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

/** The 2 × 2 block T'AT + I (T lower triangular, A symmetric at src[so..]), written full into dst[do..] (may be src). */
function inflate2(T: Float64Array, src: Float64Array, so: number, dst: Float64Array, dOff: number): void {
  const t00 = T[0]!;
  const t10 = T[2]!;
  const t11 = T[3]!;
  const a00 = src[so]!;
  const a01 = src[so + 1]!;
  const a11 = src[so + 3]!;
  const b00 = a00 * t00 + a01 * t10;
  const b10 = a01 * t00 + a11 * t10;
  const c10 = t11 * b10;
  dst[dOff] = t00 * b00 + t10 * b10 + 1;
  dst[dOff + 1] = c10;
  dst[dOff + 2] = c10;
  dst[dOff + 3] = t11 * a11 * t11 + 1;
}

/**
 * One random-effects term, whose every level meets the whole tail [X y]: with a_c the level's
 * block of R'WZ (m × p) and D_c = Z_c'WZ_c, the level's rank update of the tail is
 * L̃_c L̃_c' = a_c S_c a_c' with S_c = T (T'D_cT + I)⁻¹ T'. It is formed as W W', row r of W being
 * L_c⁻¹T'a_r with L_cL_c' = T'D_cT + I (for one column S_c is the scalar t²/(t²D_c + 1)): the explicit S_c
 * cancels digits when a level's columns differ greatly in size. log|L_θ|² = Σ_c log det(T'D_cT + I).
 */
function singleTerm(cross: CrossProducts): { update(T: Float64Array, M: Float64Array): number } {
  const { nNodes: nl, nodeP, diagOff, valOff, m, Anodes: A } = cross;
  const p1 = nodeP[0]!;
  const C = new Float64Array(p1 * p1);
  const col = new Float64Array(p1);
  const b = new Float64Array(m * p1);
  return {
    update(T, M) {
      let ld = 0;
      let prod = 1;
      for (let c = 0; c < nl; c++) {
        const d = diagOff[c]!;
        const a = valOff[c]!;
        if (p1 === 1) {
          const t2 = T[0]! * T[0]!;
          const cc = t2 * A[d]! + 1;
          prod *= cc;
          const sc = t2 / cc;
          for (let r = 0; r < m; r++) {
            const br = A[a + r]! * sc;
            for (let s2 = 0; s2 <= r; s2++) M[r * m + s2]! -= br * A[a + s2]!;
          }
        } else if (p1 === 2) {
          // C = T'D_cT + I = LL' and W's rows L⁻¹T'a_r, in closed form
          const t00 = T[0]!;
          const t10 = T[2]!;
          const t11 = T[3]!;
          inflate2(T, A, d, C, 0);
          const l00 = Math.sqrt(C[0]!);
          const l10 = C[1]! / l00;
          const l11sq = C[3]! - l10 * l10;
          if (!(l11sq > 0)) return NaN;
          const i00 = 1 / l00;
          const i11 = 1 / Math.sqrt(l11sq);
          prod *= C[0]! * l11sq;
          for (let r = 0; r < m; r++) {
            const x0 = A[a + 2 * r]!;
            const x1 = A[a + 2 * r + 1]!;
            const w0 = (t00 * x0 + t10 * x1) * i00;
            b[2 * r] = w0;
            b[2 * r + 1] = (t11 * x1 - l10 * w0) * i11;
          }
          for (let r = 0; r < m; r++) {
            const g0 = b[2 * r]!;
            const g1 = b[2 * r + 1]!;
            const row = r * m;
            for (let s2 = 0, o = 0; s2 <= r; s2++, o += 2) M[row + s2]! -= g0 * b[o]! + g1 * b[o + 1]!;
          }
        } else {
          // C = T'D_cT + I = LL'; row r of W is L⁻¹T'a_r, and the update is W W' (as for p = 2)
          for (let i = 0; i < p1; i++) {
            for (let j = 0; j < p1; j++) {
              let acc = i === j ? 1 : 0;
              for (let u = i; u < p1; u++) for (let v = j; v < p1; v++) acc += T[u * p1 + i]! * A[d + u * p1 + v]! * T[v * p1 + j]!;
              C[i * p1 + j] = acc;
            }
          }
          if (!cholLowerInPlace(C, p1)) return NaN;
          for (let i = 0; i < p1; i++) prod *= C[i * p1 + i]! * C[i * p1 + i]!;
          for (let r = 0; r < m; r++) {
            for (let i = 0; i < p1; i++) {
              let acc = 0;
              for (let u = i; u < p1; u++) acc += T[u * p1 + i]! * A[a + r * p1 + u]!;
              col[i] = acc;
            }
            forwardSolve(C, p1, col);
            for (let i = 0; i < p1; i++) b[r * p1 + i] = col[i]!;
          }
          for (let r = 0; r < m; r++) {
            for (let s2 = 0; s2 <= r; s2++) {
              let acc = 0;
              for (let k = 0; k < p1; k++) acc += b[r * p1 + k]! * b[s2 * p1 + k]!;
              M[r * m + s2]! -= acc;
            }
          }
        }
        if (prod > 1e150) {
          ld += Math.log(prod);
          prod = 1;
        }
      }
      return ld + Math.log(prod);
    },
  };
}
