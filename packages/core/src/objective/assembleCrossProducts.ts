import type { BlockedLayout } from "../linalg/BlockedLayout.js";
import { wasmRowPasses } from "../kernels/wasmKernels.js";
import type { Model } from "../model/Model.js";
import { dotProduct } from "../model/dotProduct.js";
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
 * Fills A's blocks in one pass over the observations per part (O(n)): the eliminated terms' nodes
 * (their diagonal blocks and columns), then the dense tail (tail terms, X and y). With `into`, A is
 * written into those arrays (cleared first) rather than new ones. `wasm: false` keeps the passes
 * over the rows in TypeScript (the WebAssembly ones give the same bits; for tests).
 */
export function assembleCrossProducts(model: Model, layout: BlockedLayout, into?: Pick<CrossProductValues, "Anodes" | "ARR">, wasm = true): CrossProductValues {
  const { n, weights, reTerms } = model;
  const y = responseMinusOffset(model);
  const Anodes = into ? into.Anodes.fill(0) : new Float64Array(layout.nodeValues);
  const ARR = into ? into.ARR.fill(0) : new Float64Array(layout.m * layout.m);
  let logDetW = 0;
  if (weights) for (let t = 0; t < n; t++) logDetW += Math.log(weights[t]!);
  const row = sparseRow(model, y, layout.termRow);
  if (reTerms.length === 1) singleTermColumns(model, y, layout, Anodes, wasm);
  else eliminatedTermColumns(model, y, layout, row, Anodes, wasm);
  if (layout.s === reTerms.length) tailOfXy(model, y, layout.m, ARR, wasm);
  else tailByRows(model, layout, row, ARR);
  const m = layout.m;
  for (let a = 0; a < m; a++) for (let b = 0; b < a; b++) ARR[b * m + a] = ARR[a * m + b]!;
  return { Anodes, ARR, logDetW };
}

/** Row t of [Z X y] from term `from` on, as its nonzeros: global rows idx[0 .. nz) and values val (buffers reused row after row). */
interface SparseRow {
  idx: Int32Array;
  val: Float64Array;
  /** Fills idx and val with row t from term `from` on; returns nz. */
  read(t: number, from: number): number;
}

function sparseRow(model: Model, y: Float64Array, termRow: readonly number[]): SparseRow {
  const { n, p, reTerms, X } = model;
  const k = reTerms.length;
  const q = termRow[k]!;
  const idx = new Int32Array(reTerms.reduce((acc, t) => acc + t.p, 0) + p + 1);
  const val = new Float64Array(idx.length);
  return {
    idx,
    val,
    read(t, from) {
      let nz = 0;
      for (let j = from; j < k; j++) {
        const term = reTerms[j]!;
        const pj = term.p;
        const r0 = termRow[j]! + term.refs[t]! * pj;
        for (let a = 0; a < pj; a++) {
          idx[nz] = r0 + a;
          val[nz++] = term.z[t * pj + a]!;
        }
      }
      for (let j = 0; j < p; j++) {
        idx[nz] = q + j;
        val[nz++] = X[j * n + t]!;
      }
      idx[nz] = q + p;
      val[nz++] = y[t]!;
      return nz;
    },
  };
}

/** One term: every level's column is [X y]; a single pass in the data's order. */
function singleTermColumns(model: Model, y: Float64Array, layout: BlockedLayout, Anodes: Float64Array, wasm: boolean): void {
  const { n, p, X, weights } = model;
  const { diagOff, valOff } = layout;
  const term = model.reTerms[0]!;
  const pi = term.p;
  const len = p + 1;
  const { refs, z } = term;
  // one or two columns per level in WebAssembly where it runs: the same sums (fast from a session's first fit)
  const rows = wasm && pi <= 2 ? wasmRowPasses(n) : null;
  if (rows) {
    rows.termColumns({ n, p, X, y, weights, refs, z, pi, diagOff, valOff }, Anodes);
    return;
  }
  if (pi === 1) {
    // a random intercept (or one slope): the general loop below with one column, unrolled
    for (let t = 0; t < n; t++) {
      const u = refs[t]!;
      const w = weights ? weights[t]! : 1;
      const zt = z[t]!;
      Anodes[diagOff[u]!]! += zt * w * zt;
      const v0 = valOff[u]!;
      for (let j = 0; j < p; j++) Anodes[v0 + j]! += X[j * n + t]! * w * zt;
      Anodes[v0 + p]! += y[t]! * w * zt;
    }
    return;
  }
  for (let t = 0; t < n; t++) {
    const u = refs[t]!;
    const w = weights ? weights[t]! : 1;
    const zo = t * pi;
    const d0 = diagOff[u]!;
    if (pi === 2) {
      // intercept and slope, the commonest term: straight-line code
      const z0 = z[zo]! * w;
      const z1 = z[zo + 1]! * w;
      const zz0 = z[zo]!;
      const zz1 = z[zo + 1]!;
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
      const za = z[zo + a]! * w;
      for (let b = 0; b < pi; b++) Anodes[d0 + a * pi + b]! += za * z[zo + b]!;
    }
    const v0 = valOff[u]!;
    for (let j = 0; j < len; j++) {
      const v = (j < p ? X[j * n + t]! : y[t]!) * w;
      const o = v0 + j * pi;
      for (let a = 0; a < pi; a++) Anodes[o + a]! += v * z[zo + a]!;
    }
  }
}

/** Several terms: the nodes of the eliminated terms, level by level, each level's rows in turn. */
function eliminatedTermColumns(model: Model, y: Float64Array, layout: BlockedLayout, row: SparseRow, Anodes: Float64Array, wasm: boolean): void {
  const { n, p, X, weights, reTerms } = model;
  const k = reTerms.length;
  const { s, termRow, colPtr, rowIdx, diagOff, valOff } = layout;
  // in WebAssembly where it runs: the same sums in the same order (fast from a session's first fit)
  const rows = wasm ? wasmRowPasses(n) : null;
  if (rows) {
    rows.eliminatedColumns({ n, p, X, y, weights, terms: reTerms, s, termRow, colPtr, rowIdx, diagOff, valOff }, Anodes);
    return;
  }
  const pos = new Int32Array(termRow[k]! + p + 1).fill(-1);
  for (let i = 0, first = 0; i < s; first += reTerms[i]!.nl, i++) {
    const term = reTerms[i]!;
    const pi = term.p;
    const byLevel = groupByLevel(term.refs, term.nl);
    for (let l = 0; l < term.nl; l++) {
      const u = first + l;
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
        const nz = row.read(t, i + 1);
        for (let v = 0; v < nz; v++) {
          const o = v0 + pos[row.idx[v]!]! * pi;
          const rv = row.val[v]! * w;
          for (let a = 0; a < pi; a++) Anodes[o + a]! += rv * term.z[zo + a]!;
        }
      }
      for (let e = e0; e < colPtr[u + 1]!; e++) pos[rowIdx[e]!] = -1;
    }
  }
}

/** A tail of only X and y: its lower triangle as p(p+1)/2 contiguous dot products. */
function tailOfXy(model: Model, y: Float64Array, m: number, ARR: Float64Array, wasm: boolean): void {
  const { n, p, X, weights } = model;
  const cols = [...Array.from({ length: p }, (_, j) => X.subarray(j * n, (j + 1) * n)), y];
  // without weights, the same dot products in WebAssembly where it runs (fast from a session's first fit)
  const kernels = wasm && !weights ? wasmRowPasses(n) : null;
  if (kernels) {
    const G = kernels.gram(cols, n);
    for (let a = 0; a < m; a++) for (let b = 0; b <= a; b++) ARR[a * m + b] = G[a * m + b]!;
    return;
  }
  for (let a = 0; a < m; a++) {
    for (let b = 0; b <= a; b++) {
      const ca = cols[a]!;
      const cb = cols[b]!;
      let sum = 0;
      if (weights) for (let t = 0; t < n; t++) sum += ca[t]! * cb[t]! * weights[t]!;
      else sum = dotProduct(ca, cb, n);
      ARR[a * m + b] = sum;
    }
  }
}

/** A tail with random-effects terms (crossed factors): its lower triangle row by row of the data. */
function tailByRows(model: Model, layout: BlockedLayout, row: SparseRow, ARR: Float64Array): void {
  const { n, weights } = model;
  const { s, tailStart, m } = layout;
  for (let t = 0; t < n; t++) {
    const w = weights ? weights[t]! : 1;
    const nz = row.read(t, s);
    for (let a = 0; a < nz; a++) {
      const ra = (row.idx[a]! - tailStart) * m - tailStart;
      const va = row.val[a]! * w;
      for (let b = 0; b <= a; b++) ARR[ra + row.idx[b]!]! += va * row.val[b]!;
    }
  }
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
