import type { Model } from "./buildModel.js";

/**
 * The blocked cross-product matrix A = [Z X y]' W [Z X y], formed once per model (O(n)), so that
 * an evaluation of the objective never touches the n observations again (MixedModels.jl's
 * `A` blocks). Z_1, the term with the most levels, is kept apart: its diagonal block is block
 * diagonal (one p_1 × p_1 block per level) and its off-diagonal block against the rest, R =
 * [Z_2 … Z_k X y], is stored sparse by level. The rest is one dense symmetric m × m block.
 *
 * Arrays are plain Float64Array/Int32Array: these loops are the hot path of model setup and of
 * every evaluation, where ml-matrix's per-element accessors would cost more than the arithmetic.
 */
export interface CrossProducts {
  /** Columns of Z_1 per level (p_1) and number of levels (ℓ_1). */
  p1: number;
  nl1: number;
  /** Z_1'WZ_1: ℓ_1 symmetric p_1 × p_1 blocks, row-major, one after another. */
  A11: Float64Array;
  /** Size of the rest, m = q_2 + … + q_k + p + 1. */
  m: number;
  /** Number of random-effects columns in the rest (q_2 + … + q_k). */
  qRest: number;
  /** Start, in the rest, of each term 2..k (index 0 is term 2). */
  restOffsets: number[];
  /** R'WR: dense symmetric m × m, row-major, both triangles filled. */
  ARR: Float64Array;
  /** R'WZ_1 sparse by level c of term 1: rows `rowIdx[colPtr[c] .. colPtr[c+1])` (ascending). */
  colPtr: Int32Array;
  rowIdx: Int32Array;
  /** Values: entry e, column k of the level's p_1 columns at `vals[e*p1 + k]`. */
  vals: Float64Array;
  /** log |W| = Σ log w_i (0 without weights). */
  logDetW: number;
}

/** Forms the blocks of A for a model (the response is y minus the offset). */
export function crossProducts(model: Model): CrossProducts {
  const { n, p, reTerms, X, weights } = model;
  const t1 = reTerms[0]!;
  const p1 = t1.p;
  const nl1 = t1.nl;
  const rest = reTerms.slice(1);
  const restOffsets: number[] = [];
  let qRest = 0;
  for (const t of rest) {
    restOffsets.push(qRest);
    qRest += t.p * t.nl;
  }
  const m = qRest + p + 1;
  const y = responseMinusOffset(model);
  if (rest.length === 0) return singleTermCrossProducts(model, y);

  // observations grouped by level of term 1 (counting sort)
  const refs1 = t1.refs;
  const start = new Int32Array(nl1 + 1);
  for (let t = 0; t < n; t++) start[refs1[t]! + 1]!++;
  for (let c = 0; c < nl1; c++) start[c + 1]! += start[c]!;
  const byLevel = new Int32Array(n);
  const fill = start.slice(0, nl1);
  for (let t = 0; t < n; t++) byLevel[fill[refs1[t]!]!++] = t;

  // sparsity pattern of R'Z_1 per level: the rest's Z level-blocks met by the level, then X and y rows
  const colPtr = new Int32Array(nl1 + 1);
  const rowLists: Int32Array[] = [];
  const mark = new Int32Array(qRest).fill(-1);
  for (let c = 0; c < nl1; c++) {
    const rowsC: number[] = [];
    for (let s = start[c]!; s < start[c + 1]!; s++) {
      const t = byLevel[s]!;
      rest.forEach((term, j) => {
        const r0 = restOffsets[j]! + term.refs[t]! * term.p;
        if (mark[r0] !== c) {
          mark[r0] = c;
          for (let k = 0; k < term.p; k++) rowsC.push(r0 + k);
        }
      });
    }
    rowsC.sort((a, b) => a - b);
    for (let r = qRest; r < m; r++) rowsC.push(r);
    rowLists.push(Int32Array.from(rowsC));
    colPtr[c + 1] = colPtr[c]! + rowsC.length;
  }
  const nnz = colPtr[nl1]!;
  const rowIdx = new Int32Array(nnz);
  rowLists.forEach((r, c) => rowIdx.set(r, colPtr[c]!));
  const vals = new Float64Array(nnz * p1);
  const A11 = new Float64Array(nl1 * p1 * p1);
  const ARR = new Float64Array(m * m);

  // one pass over the observations: the nonzeros of row t of R are at most Σ p_j (Z) + p + 1
  const nRest = rest.length;
  const restRefs = rest.map((t) => t.refs);
  const restZ = rest.map((t) => t.z);
  const restP = rest.map((t) => t.p);
  const maxNz = restP.reduce((s, v) => s + v, 0) + p + 1;
  const rIdx = new Int32Array(maxNz);
  const rVal = new Float64Array(maxNz);
  const pos = new Int32Array(m); // position of a rest row within the current level's entries
  const z1 = t1.z;
  let logDetW = 0;
  for (let c = 0; c < nl1; c++) {
    const e0 = colPtr[c]!;
    for (let e = e0; e < colPtr[c + 1]!; e++) pos[rowIdx[e]!] = e - e0;
    const b = c * p1 * p1;
    for (let s = start[c]!; s < start[c + 1]!; s++) {
      const t = byLevel[s]!;
      const w = weights ? weights[t]! : 1;
      if (weights) logDetW += Math.log(w);
      let nz = 0;
      for (let j = 0; j < nRest; j++) {
        const pj = restP[j]!;
        const r0 = restOffsets[j]! + restRefs[j]![t]! * pj;
        const zj = restZ[j]!;
        for (let k = 0; k < pj; k++) {
          rIdx[nz] = r0 + k;
          rVal[nz++] = zj[t * pj + k]!;
        }
      }
      for (let j = 0; j < p; j++) {
        rIdx[nz] = qRest + j;
        rVal[nz++] = X[j * n + t]!;
      }
      rIdx[nz] = m - 1;
      rVal[nz++] = y[t]!;
      const zo = t * p1;
      // A11 block of level c (lower triangle; mirrored below)
      for (let a = 0; a < p1; a++) {
        const za = z1[zo + a]! * w;
        for (let bb = 0; bb <= a; bb++) A11[b + a * p1 + bb]! += za * z1[zo + bb]!;
      }
      // R'WZ_1 entries of level c
      for (let u = 0; u < nz; u++) {
        const e = (e0 + pos[rIdx[u]!]!) * p1;
        const rv = rVal[u]! * w;
        for (let k = 0; k < p1; k++) vals[e + k]! += rv * z1[zo + k]!;
      }
      // R'WR (lower triangle; mirrored below)
      for (let u = 0; u < nz; u++) {
        const ru = rIdx[u]! * m;
        const rv = rVal[u]! * w;
        for (let v = 0; v <= u; v++) ARR[ru + rIdx[v]!]! += rv * rVal[v]!;
      }
    }
    for (let a = 0; a < p1; a++) for (let bb = 0; bb < a; bb++) A11[b + bb * p1 + a] = A11[b + a * p1 + bb]!;
  }
  // rIdx is ascending within a row, so only the lower triangle was filled: mirror it
  for (let i = 0; i < m; i++) for (let j = 0; j < i; j++) ARR[j * m + i] = ARR[i * m + j]!;
  return { p1, nl1, A11, m, qRest, restOffsets, ARR, colPtr, rowIdx, vals, logDetW };
}

/** y minus the offset: the response the penalized least squares fits. */
export function responseMinusOffset(model: Model): Float64Array {
  if (!model.offset) return model.y;
  const y = new Float64Array(model.n);
  for (let t = 0; t < model.n; t++) y[t] = model.y[t]! - model.offset[t]!;
  return y;
}

/**
 * The common case of one random-effects term: every level of Z_1 meets all of [X y], so the
 * pattern is dense per level and R'WR = [X y]'W[X y] is p(p+1)/2 contiguous dot products.
 */
function singleTermCrossProducts(model: Model, y: Float64Array): CrossProducts {
  const { n, p, X, weights } = model;
  const t1 = model.reTerms[0]!;
  const { p: p1, nl: nl1, refs, z } = t1;
  const m = p + 1;
  const colPtr = new Int32Array(nl1 + 1);
  for (let c = 0; c <= nl1; c++) colPtr[c] = c * m;
  const rowIdx = new Int32Array(nl1 * m);
  for (let e = 0; e < rowIdx.length; e++) rowIdx[e] = e % m;
  const A11 = new Float64Array(nl1 * p1 * p1);
  const vals = new Float64Array(nl1 * m * p1);
  const cols = [...Array.from({ length: p }, (_, j) => X.subarray(j * n, (j + 1) * n)), y];
  let logDetW = 0;
  for (let t = 0; t < n; t++) {
    const w = weights ? weights[t]! : 1;
    const c = refs[t]!;
    const zo = t * p1;
    const b = c * p1 * p1;
    for (let a = 0; a < p1; a++) {
      const za = z[zo + a]! * w;
      for (let bb = 0; bb <= a; bb++) A11[b + a * p1 + bb]! += za * z[zo + bb]!;
    }
    const e0 = c * m * p1;
    for (let r = 0; r < m; r++) {
      const v = cols[r]![t]! * w;
      const o = e0 + r * p1;
      for (let k = 0; k < p1; k++) vals[o + k]! += v * z[zo + k]!;
    }
  }
  for (let c = 0; c < nl1; c++) {
    const b = c * p1 * p1;
    for (let a = 0; a < p1; a++) for (let bb = 0; bb < a; bb++) A11[b + bb * p1 + a] = A11[b + a * p1 + bb]!;
  }
  const ARR = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    const ci = cols[i]!;
    for (let j = 0; j <= i; j++) {
      const cj = cols[j]!;
      let s = 0;
      if (weights) for (let t = 0; t < n; t++) s += ci[t]! * cj[t]! * weights[t]!;
      else for (let t = 0; t < n; t++) s += ci[t]! * cj[t]!;
      ARR[i * m + j] = s;
      ARR[j * m + i] = s;
    }
  }
  if (weights) for (let t = 0; t < n; t++) logDetW += Math.log(weights[t]!);
  return { p1, nl1, A11, m, qRest: 0, restOffsets: [], ARR, colPtr, rowIdx, vals, logDetW };
}
