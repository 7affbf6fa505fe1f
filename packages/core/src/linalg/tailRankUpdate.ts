/**
 * The dense tail's share of the nodes' elimination: M −= Σ_u L_tu L_tu', formed one row of M at a
 * time through a transposed index of where the nodes meet the tail (in TypeScript, or in the
 * WebAssembly kernel's index form).
 */
import type { BlockedLayout } from "./BlockedLayout.js";
import type { TailUpdateIndex } from "../kernels/wasmKernels.js";

/**
 * Where the nodes meet the tail, transposed: for each tail row i, the node entries on that row
 * (node u, entry index g into u's column), at tailPtr[i] .. tailPtr[i+1]); and, per node, the
 * index of its first tail entry. Lets the tail's rank update be formed one row of M at a time.
 */
export interface TailIndex {
  firstTail: Int32Array;
  tailPtr: Int32Array;
  tailNode: Int32Array;
  tailEntry: Int32Array;
  /** Workspace: one row of the update, length m. */
  row: Float64Array;
  /**
   * One-column nodes whose tail entries are one run of consecutive tail rows (crossed intercepts,
   * one term over X and y): their update is formed node by node, densely (`denseNodes`, with each
   * run's first tail row `denseStart` and length `denseLength`); the transposed lists `sparsePtr`,
   * `sparseNode`, `sparseEntry` hold the other nodes' entries, as tailPtr … do all of them.
   */
  denseNodes: Int32Array;
  denseStart: Int32Array;
  denseLength: Int32Array;
  sparsePtr: Int32Array;
  sparseNode: Int32Array;
  sparseEntry: Int32Array;
  /** Workspace: the dense nodes' update, m × m (lower triangle). */
  dense: Float64Array;
}

export function tailIndex(layout: BlockedLayout): TailIndex {
  const { nNodes, colPtr, rowIdx, tailStart, m } = layout;
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
  // nodes of one column whose tail entries are consecutive rows
  const isDense = new Uint8Array(nNodes);
  const dn: number[] = [];
  for (let u = 0; u < nNodes; u++) {
    const f = firstTail[u]!;
    const e1 = colPtr[u + 1]!;
    if (layout.nodeP[u] !== 1 || e1 - f < 2) continue;
    let run = true;
    for (let e = f + 1; e < e1 && run; e++) run = rowIdx[e] === rowIdx[e - 1]! + 1;
    if (run) {
      isDense[u] = 1;
      dn.push(u);
    }
  }
  const denseNodes = Int32Array.from(dn);
  const denseStart = Int32Array.from(dn, (u) => rowIdx[firstTail[u]!]! - tailStart);
  const denseLength = Int32Array.from(dn, (u) => colPtr[u + 1]! - firstTail[u]!);
  const sparseCount = new Int32Array(m + 1);
  for (let i = 0; i < m; i++) for (let t = tailPtr[i]!; t < tailPtr[i + 1]!; t++) if (!isDense[tailNode[t]!]) sparseCount[i + 1]!++;
  for (let i = 0; i < m; i++) sparseCount[i + 1]! += sparseCount[i]!;
  const sparsePtr = Int32Array.from(sparseCount);
  const sparseNode = new Int32Array(sparseCount[m]!);
  const sparseEntry = new Int32Array(sparseCount[m]!);
  for (let i = 0, k = 0; i < m; i++) {
    for (let t = tailPtr[i]!; t < tailPtr[i + 1]!; t++) {
      if (isDense[tailNode[t]!]) continue;
      sparseNode[k] = tailNode[t]!;
      sparseEntry[k++] = tailEntry[t]!;
    }
  }
  return {
    firstTail,
    tailPtr,
    tailNode,
    tailEntry,
    row: new Float64Array(m),
    denseNodes,
    denseStart,
    denseLength,
    sparsePtr,
    sparseNode,
    sparseEntry,
    dense: new Float64Array(dn.length > 0 ? m * m : 0),
  };
}

/**
 * The tail's update M −= Σ_u L_tu L_tu' (lower triangle) from the eliminated nodes, one row of M at
 * a time through the transposed index: row i gathers, in a small buffer, the products of the nodes
 * with an entry on row i, and M is written in order.
 */
export function tailRankUpdate(layout: BlockedLayout, tix: TailIndex, S: Float64Array, M: Float64Array): void {
  const { nodeP, valOff, colPtr, rowIdx, tailStart, m } = layout;
  const { firstTail, sparsePtr: tailPtr, sparseNode: tailNode, sparseEntry: tailEntry, row } = tix;
  if (tix.denseNodes.length > 0) denseNodesUpdate(layout, tix, S, M);
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

/** The dense nodes' share: D = Σ_u v_u v_u' over their runs (lower triangle), node after node, then M −= D. */
function denseNodesUpdate(layout: BlockedLayout, tix: TailIndex, S: Float64Array, M: Float64Array): void {
  const { valOff, colPtr, m } = layout;
  const { firstTail, denseNodes, denseStart, denseLength, dense: D } = tix;
  D.fill(0);
  for (let k = 0; k < denseNodes.length; k++) {
    const u = denseNodes[k]!;
    const v0 = valOff[u]! + firstTail[u]! - colPtr[u]!;
    const r0 = denseStart[k]!;
    const len = denseLength[k]!;
    for (let a = 0; a < len; a++) {
      const va = S[v0 + a]!;
      const o = (r0 + a) * m + r0;
      for (let b = 0; b <= a; b++) D[o + b]! += S[v0 + b]! * va;
    }
  }
  for (let i = 0; i < m; i++) for (let c = 0, o = i * m; c <= i; c++) M[o + c]! -= D[o + c]!;
}

/** The transposed index in the form of the WebAssembly tail kernel (one-column nodes: value o of node u is entry colPtr[u] + o − valOff[u]). */
export function wasmTailIndex(layout: BlockedLayout, tix: TailIndex): TailUpdateIndex {
  const { nNodes, valOff, colPtr, rowIdx, tailStart, nodeValues } = layout;
  const { firstTail, tailPtr, tailNode, tailEntry } = tix;
  const tailCol = new Int32Array(nodeValues);
  let runs = true;
  for (let u = 0; u < nNodes; u++) {
    for (let e = firstTail[u]!; e < colPtr[u + 1]!; e++) {
      tailCol[valOff[u]! + e - colPtr[u]!] = rowIdx[e]! - tailStart;
      if (e > firstTail[u]! && rowIdx[e]! !== rowIdx[e - 1]! + 1) runs = false;
    }
  }
  const tStart = new Int32Array(tailNode.length);
  const tG = new Int32Array(tailNode.length);
  for (let t = 0; t < tailNode.length; t++) {
    const u = tailNode[t]!;
    tStart[t] = valOff[u]! + firstTail[u]! - colPtr[u]!;
    tG[t] = valOff[u]! + tailEntry[t]! - colPtr[u]!;
  }
  return { tailCol, tStart, tG, tailPtr, runs };
}
