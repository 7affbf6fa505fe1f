import type { BlockedLayout } from "../linalg/BlockedLayout.js";
import type { Model } from "../model/Model.js";
import { responseMinusOffset } from "../model/response.js";

/** The values of A = [Z X y]'W[Z X y] in a `BlockedLayout`, and log |W|. */
export interface CrossProductValues {
  /** A in the node layout (zeros where L fills in). */
  Anodes: Float64Array;
  /** The tail of A: dense symmetric m × m, row-major, both triangles filled. */
  ARR: Float64Array;
  /** log |W| = Σ log w_i (0 without weights). */
  logDetW: number;
}

/**
 * Fills A's blocks in one pass over the observations (O(n)), grouped by level of each eliminated
 * term: its diagonal blocks, its columns (later terms' level blocks, X and y), and the dense tail
 * (tail terms, X and y; p(p+1)/2 contiguous dot products when the tail is only [X y]).
 */
export function assembleCrossProducts(model: Model, layout: BlockedLayout): CrossProductValues {
  const { n, p, reTerms, X, weights } = model;
  const k = reTerms.length;
  const y = responseMinusOffset(model);
  const { s, termRow, colPtr, rowIdx, diagOff, valOff, tailStart, m } = layout;
  const q = termRow[k]!;
  const N = q + p + 1;
  const termBlock: number[] = [];
  for (let i = 0, b = 0; i < k; b += reTerms[i]!.nl, i++) termBlock.push(b);
  const Anodes = new Float64Array(layout.nodeValues);
  const ARR = new Float64Array(m * m);

  // one pass over the observations, grouped by node of each eliminated term
  const maxNz = reTerms.reduce((acc, t) => acc + t.p, 0) + p + 1;
  const rIdx = new Int32Array(maxNz);
  const rVal = new Float64Array(maxNz);
  const pos = new Int32Array(N).fill(-1);
  let logDetW = 0;
  if (weights) for (let t = 0; t < n; t++) logDetW += Math.log(weights[t]!);
  /** The nonzeros of row t of [Z X y] from term `from` on: global rows rIdx[0..nz), values rVal. */
  const rowOf = (t: number, from: number): number => {
    let nz = 0;
    for (let j = from; j < k; j++) {
      const term = reTerms[j]!;
      const pj = term.p;
      const r0 = termRow[j]! + term.refs[t]! * pj;
      for (let a = 0; a < pj; a++) {
        rIdx[nz] = r0 + a;
        rVal[nz++] = term.z[t * pj + a]!;
      }
    }
    for (let j = 0; j < p; j++) {
      rIdx[nz] = q + j;
      rVal[nz++] = X[j * n + t]!;
    }
    rIdx[nz] = q + p;
    rVal[nz++] = y[t]!;
    return nz;
  };
  if (k === 1) {
    // one term: every level's column is [X y]; a single pass in the data's order
    const term = reTerms[0]!;
    const pi = term.p;
    const len = p + 1;
    for (let t = 0; t < n; t++) {
      const u = term.refs[t]!;
      const w = weights ? weights[t]! : 1;
      const zo = t * pi;
      const d0 = diagOff[u]!;
      if (pi === 2) {
        // intercept and slope, the commonest term: straight-line code
        const z0 = term.z[zo]! * w;
        const z1 = term.z[zo + 1]! * w;
        const zz0 = term.z[zo]!;
        const zz1 = term.z[zo + 1]!;
        Anodes[d0]! += z0 * zz0;
        Anodes[d0 + 1]! += z0 * zz1;
        Anodes[d0 + 2]! += z1 * zz0;
        Anodes[d0 + 3]! += z1 * zz1;
        let o = valOff[u]!;
        for (let j = 0; j < p; j++, o += 2) {
          const v = X[j * n + t]!;
          Anodes[o]! += v * z0;
          Anodes[o + 1]! += v * z1;
        }
        Anodes[o]! += y[t]! * z0;
        Anodes[o + 1]! += y[t]! * z1;
        continue;
      }
      for (let a = 0; a < pi; a++) {
        const za = term.z[zo + a]! * w;
        for (let b = 0; b < pi; b++) Anodes[d0 + a * pi + b]! += za * term.z[zo + b]!;
      }
      const v0 = valOff[u]!;
      for (let j = 0; j < len; j++) {
        const v = (j < p ? X[j * n + t]! : y[t]!) * w;
        const o = v0 + j * pi;
        for (let a = 0; a < pi; a++) Anodes[o + a]! += v * term.z[zo + a]!;
      }
    }
  }
  for (let i = 0; i < s && k > 1; i++) {
    const term = reTerms[i]!;
    const pi = term.p;
    const byLevel = groupByLevel(term.refs, term.nl);
    for (let l = 0; l < term.nl; l++) {
      const u = termBlock[i]! + l;
      const e0 = colPtr[u]!;
      for (let e = e0; e < colPtr[u + 1]!; e++) pos[rowIdx[e]!] = e - e0;
      const d0 = diagOff[u]!;
      const v0 = valOff[u]!;
      for (let sIdx = byLevel.start[l]!; sIdx < byLevel.start[l + 1]!; sIdx++) {
        const t = byLevel.order[sIdx]!;
        const w = weights ? weights[t]! : 1;
        const zo = t * pi;
        for (let a = 0; a < pi; a++) {
          const za = term.z[zo + a]! * w;
          for (let b = 0; b < pi; b++) Anodes[d0 + a * pi + b]! += za * term.z[zo + b]!;
        }
        if (i === k - 1) {
          // the last term's column is exactly [X y]: no lookups
          for (let j = 0; j <= p; j++) {
            const v = (j < p ? X[j * n + t]! : y[t]!) * w;
            const o = v0 + (colPtr[u + 1]! - colPtr[u]! - p - 1 + j) * pi;
            for (let a = 0; a < pi; a++) Anodes[o + a]! += v * term.z[zo + a]!;
          }
          continue;
        }
        const nz = rowOf(t, i + 1);
        for (let v = 0; v < nz; v++) {
          const o = v0 + pos[rIdx[v]!]! * pi;
          const rv = rVal[v]! * w;
          for (let a = 0; a < pi; a++) Anodes[o + a]! += rv * term.z[zo + a]!;
        }
      }
      for (let e = e0; e < colPtr[u + 1]!; e++) pos[rowIdx[e]!] = -1;
    }
  }
  if (s === k) {
    // the tail is [X y]: p(p+1)/2 contiguous dot products
    const cols = [...Array.from({ length: p }, (_, j) => X.subarray(j * n, (j + 1) * n)), y];
    for (let a = 0; a < m; a++) {
      for (let b = 0; b <= a; b++) {
        const ca = cols[a]!;
        const cb = cols[b]!;
        let sum = 0;
        if (weights) for (let t = 0; t < n; t++) sum += ca[t]! * cb[t]! * weights[t]!;
        else {
          // four partial sums: independent additions instead of one chain
          let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
          let t = 0;
          for (; t + 3 < n; t += 4) {
            s0 += ca[t]! * cb[t]!;
            s1 += ca[t + 1]! * cb[t + 1]!;
            s2 += ca[t + 2]! * cb[t + 2]!;
            s3 += ca[t + 3]! * cb[t + 3]!;
          }
          for (; t < n; t++) s0 += ca[t]! * cb[t]!;
          sum = s0 + s1 + (s2 + s3);
        }
        ARR[a * m + b] = sum;
      }
    }
  } else {
    for (let t = 0; t < n; t++) {
      const w = weights ? weights[t]! : 1;
      const nz = rowOf(t, s);
      for (let a = 0; a < nz; a++) {
        const ra = (rIdx[a]! - tailStart) * m - tailStart;
        const va = rVal[a]! * w;
        for (let b = 0; b <= a; b++) ARR[ra + rIdx[b]!]! += va * rVal[b]!;
      }
    }
  }
  for (let a = 0; a < m; a++) for (let b = 0; b < a; b++) ARR[b * m + a] = ARR[a * m + b]!;
  return { Anodes, ARR, logDetW };
}

/** Observations grouped by level (a counting sort): level l's rows are order[start[l] .. start[l+1]). */
function groupByLevel(refs: Int32Array, nl: number): { start: Int32Array; order: Int32Array } {
  const start = new Int32Array(nl + 1);
  for (let t = 0; t < refs.length; t++) start[refs[t]! + 1]!++;
  for (let l = 0; l < nl; l++) start[l + 1]! += start[l]!;
  const order = new Int32Array(refs.length);
  const fill = start.slice(0, nl);
  for (let t = 0; t < refs.length; t++) order[fill[refs[t]!]!++] = t;
  return { start, order };
}
