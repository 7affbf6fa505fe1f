import type { Model } from "../model/Model.js";
import { responseMinusOffset } from "../model/response.js";

/**
 * The blocked cross-product matrix A = [Z X y]' W [Z X y], formed once per model (O(n)), laid out
 * as the blocked lower Cholesky factor L of Λ'AΛ + I will be, so that an evaluation of the
 * objective never touches the n observations again (MixedModels.jl's `A` and `L` blocks).
 *
 * Rows are numbered globally: the columns of Z_1 … Z_k (each term's levels in turn, p_i columns
 * per level), then X, then y. The first `s` terms are eliminated level by level: each level is a
 * node with a p_i × p_i diagonal block and a sparse column below it (whole level blocks of later
 * terms, then every X and y row). A term stays in that block-diagonal form while the fill-in from
 * the terms before it leaves its diagonal block-diagonal, as nesting does; the first term where it
 * would not (crossed factors) starts the dense tail: terms s..k, X and y as one dense symmetric
 * block. A single term, or nested terms, leave a tail of only X and y.
 *
 * Plain Float64Array/Int32Array: these loops are the hot path of model setup and of every
 * evaluation, where ml-matrix's per-element accessors would cost more than the arithmetic.
 */
export interface CrossProducts {
  /** Number of leading terms eliminated level by level. */
  s: number;
  /** Global row where each term's columns start, then X's (index k), then y's (index k+1). */
  termRow: number[];
  /** Nodes (levels of terms 0..s−1, in order): first global row, size p and term of each. */
  nNodes: number;
  nodeRow: Int32Array;
  nodeP: Int32Array;
  nodeTerm: Int32Array;
  /** Node of each global row before the tail. */
  rowNode: Int32Array;
  /** Column pattern of node u: global rows rowIdx[colPtr[u] .. colPtr[u+1]), ascending, all past u. */
  colPtr: Int32Array;
  rowIdx: Int32Array;
  /** In the node values: u's diagonal block (p × p row-major) at diagOff[u]; entry e, column k at valOff[u] + (e − colPtr[u])·p + k. */
  diagOff: Int32Array;
  valOff: Int32Array;
  /** A in the node layout (zeros where L fills in). */
  Anodes: Float64Array;
  /**
   * Where node u's rank update goes when it lands in another node: for the pairs (e, g), g over
   * u's entries ascending and e from g on, with row g before the tail, the index into the node
   * values of entry (row e, column g); pairs of u at pairPtr[u] .. pairPtr[u+1]).
   */
  pairPtr: Int32Array;
  pairTarget: Int32Array;
  /** Global row where the dense tail starts. */
  tailStart: number;
  /** Tail size m = q_tail + p + 1, and its random-effects rows qRest. */
  m: number;
  qRest: number;
  /** Start, within the tail, of each tail term (terms s..k−1). */
  restOffsets: number[];
  /** The tail of A: dense symmetric m × m, row-major, both triangles filled. */
  ARR: Float64Array;
  /** log |W| = Σ log w_i (0 without weights). */
  logDetW: number;
}

/** Forms the blocks of A for a model (the response is y minus the offset). */
export function crossProducts(model: Model): CrossProducts {
  const { n, p, reTerms, X, weights } = model;
  const k = reTerms.length;
  const y = responseMinusOffset(model);
  const termRow: number[] = [];
  let q = 0;
  for (const t of reTerms) {
    termRow.push(q);
    q += t.p * t.nl;
  }
  termRow.push(q, q + p);
  const N = q + p + 1;
  const termBlock: number[] = [];
  let nBlocks = 0;
  for (const t of reTerms) {
    termBlock.push(nBlocks);
    nBlocks += t.nl;
  }
  const blockTerm = new Int32Array(nBlocks);
  reTerms.forEach((t, i) => blockTerm.fill(i, termBlock[i]!, termBlock[i]! + t.nl));
  const blockRow = (b: number): number => {
    const i = blockTerm[b]!;
    return termRow[i]! + (b - termBlock[i]!) * reTerms[i]!.p;
  };

  // block patterns from the data: level l of term i meets level l' of term j > i in some row
  const patterns: Set<number>[] = k > 1 ? Array.from({ length: nBlocks }, () => new Set<number>()) : [];
  if (k > 1) {
    for (let t = 0; t < n; t++) {
      for (let i = 0; i < k - 1; i++) {
        const pat = patterns[termBlock[i]! + reTerms[i]!.refs[t]!]!;
        for (let j = i + 1; j < k; j++) pat.add(termBlock[j]! + reTerms[j]!.refs[t]!);
      }
    }
  }
  // symbolic elimination, term by term, while each term's diagonal stays block diagonal
  let s = 0;
  while (s < k) {
    if (s > 0) {
      let blockDiagonal = true;
      for (let b = termBlock[s]!; b < termBlock[s]! + reTerms[s]!.nl && blockDiagonal; b++) {
        for (const o of patterns[b]!) if (blockTerm[o] === s) blockDiagonal = false;
      }
      if (!blockDiagonal) break;
    }
    for (let b = termBlock[s]!; b < termBlock[s]! + reTerms[s]!.nl; b++) {
      const pat = patterns[b];
      if (pat === undefined || pat.size === 0) continue;
      let parent = Infinity;
      for (const o of pat) if (o < parent) parent = o;
      const into = patterns[parent]!;
      for (const o of pat) if (o !== parent) into.add(o);
    }
    s++;
  }

  // nodes and their row patterns
  const nNodes = s === 0 ? 0 : termBlock[s - 1]! + reTerms[s - 1]!.nl;
  const tailStart = s === k ? q : termRow[s]!;
  const nodeRow = new Int32Array(nNodes);
  const nodeP = new Int32Array(nNodes);
  const nodeTerm = new Int32Array(nNodes);
  const rowNode = new Int32Array(tailStart);
  const colPtr = new Int32Array(nNodes + 1);
  const rowLists: Int32Array[] = [];
  for (let u = 0; u < nNodes; u++) {
    const i = blockTerm[u]!;
    nodeTerm[u] = i;
    nodeP[u] = reTerms[i]!.p;
    nodeRow[u] = blockRow(u);
    rowNode.fill(u, nodeRow[u]!, nodeRow[u]! + nodeP[u]!);
    const blocks = k > 1 ? [...patterns[u]!].sort((a, b) => a - b) : [];
    const rows: number[] = [];
    for (const b of blocks) {
      const r0 = blockRow(b);
      for (let a = 0; a < reTerms[blockTerm[b]!]!.p; a++) rows.push(r0 + a);
    }
    for (let r = q; r < N; r++) rows.push(r);
    rowLists.push(Int32Array.from(rows));
    colPtr[u + 1] = colPtr[u]! + rows.length;
  }
  const rowIdx = new Int32Array(colPtr[nNodes]!);
  rowLists.forEach((r, u) => rowIdx.set(r, colPtr[u]!));
  const diagOff = new Int32Array(nNodes);
  const valOff = new Int32Array(nNodes);
  let size = 0;
  for (let u = 0; u < nNodes; u++) {
    const pu = nodeP[u]!;
    diagOff[u] = size;
    size += pu * pu;
    valOff[u] = size;
    size += (colPtr[u + 1]! - colPtr[u]!) * pu;
  }
  const Anodes = new Float64Array(size);

  // the tail: terms s..k−1, X, y
  const restOffsets: number[] = [];
  for (let j = s; j < k; j++) restOffsets.push(termRow[j]! - tailStart);
  const m = N - tailStart;
  const qRest = q - tailStart;
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

  // update targets that land in nodes
  const targets: number[] = [];
  const pairPtr = new Int32Array(nNodes + 1);
  for (let u = 0; u < nNodes; u++) {
    const e0 = colPtr[u]!;
    const e1 = colPtr[u + 1]!;
    for (let g = e0; g < e1; g++) {
      const rg = rowIdx[g]!;
      if (rg >= tailStart) break;
      const w = rowNode[rg]!;
      const pw = nodeP[w]!;
      const col = rg - nodeRow[w]!;
      for (let e = g; e < e1; e++) {
        const re = rowIdx[e]!;
        if (re < nodeRow[w]! + pw) targets.push(diagOff[w]! + (re - nodeRow[w]!) * pw + col);
        else targets.push(valOff[w]! + (lowerBound(rowIdx, colPtr[w]!, colPtr[w + 1]!, re) - colPtr[w]!) * pw + col);
      }
    }
    pairPtr[u + 1] = targets.length;
  }
  return {
    s,
    termRow,
    nNodes,
    nodeRow,
    nodeP,
    nodeTerm,
    rowNode,
    colPtr,
    rowIdx,
    diagOff,
    valOff,
    Anodes,
    pairPtr,
    pairTarget: Int32Array.from(targets),
    tailStart,
    m,
    qRest,
    restOffsets,
    ARR,
    logDetW,
  };
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

/** Index of value v in the ascending a[from..to) (it is there by construction). */
function lowerBound(a: Int32Array, from: number, to: number, v: number): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
