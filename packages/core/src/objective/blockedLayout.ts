import type { BlockedLayout } from "../linalg/BlockedLayout.js";
import type { ReTerm } from "../model/Model.js";
import type { Elimination } from "./symbolicElimination.js";

/**
 * The layout of L from the symbolic elimination: a node per level of the eliminated terms, with its
 * rows (the later blocks its pattern reaches, then X and y), where each node's values are stored,
 * the dense tail, and where each node's rank update lands in later nodes.
 */
export function blockedLayout(reTerms: readonly ReTerm[], p: number, elimination: Elimination): BlockedLayout {
  const { s, termBlock, blockTerm, patterns } = elimination;
  const k = reTerms.length;
  const termRow: number[] = [];
  let q = 0;
  for (const t of reTerms) {
    termRow.push(q);
    q += t.p * t.nl;
  }
  termRow.push(q, q + p);
  const N = q + p + 1;
  const blockRow = (b: number): number => {
    const i = blockTerm[b]!;
    return termRow[i]! + (b - termBlock[i]!) * reTerms[i]!.p;
  };

  // nodes and their row patterns
  const nNodes = s === 0 ? 0 : termBlock[s - 1]! + reTerms[s - 1]!.nl;
  const tailStart = s === k ? q : termRow[s]!;
  const nodeRow = new Int32Array(nNodes);
  const nodeP = new Int32Array(nNodes);
  const nodeTerm = new Int32Array(nNodes);
  const rowNode = new Int32Array(tailStart);
  const colPtr = new Int32Array(nNodes + 1);
  // each node's later blocks, ascending (several terms only: one term's nodes reach X and y alone)
  const blockLists: number[][] = [];
  for (let u = 0; u < nNodes; u++) {
    const i = blockTerm[u]!;
    nodeTerm[u] = i;
    nodeP[u] = reTerms[i]!.p;
    nodeRow[u] = blockRow(u);
    rowNode.fill(u, nodeRow[u]!, nodeRow[u]! + nodeP[u]!);
    let count = N - q;
    if (k > 1) {
      const blocks = [...patterns[u]!].sort((a, b) => a - b);
      blockLists.push(blocks);
      for (const b of blocks) count += reTerms[blockTerm[b]!]!.p;
    }
    colPtr[u + 1] = colPtr[u]! + count;
  }
  const rowIdx = new Int32Array(colPtr[nNodes]!);
  for (let u = 0; u < nNodes; u++) {
    let e = colPtr[u]!;
    if (k > 1) {
      for (const b of blockLists[u]!) {
        const r0 = blockRow(b);
        for (let a = 0; a < reTerms[blockTerm[b]!]!.p; a++) rowIdx[e++] = r0 + a;
      }
    }
    for (let r = q; r < N; r++) rowIdx[e++] = r;
  }
  const diagOff = new Int32Array(nNodes);
  const valOff = new Int32Array(nNodes);
  let nodeValues = 0;
  for (let u = 0; u < nNodes; u++) {
    const pu = nodeP[u]!;
    diagOff[u] = nodeValues;
    nodeValues += pu * pu;
    valOff[u] = nodeValues;
    nodeValues += (colPtr[u + 1]! - colPtr[u]!) * pu;
  }

  // the tail: terms s..k−1, X, y
  const restOffsets: number[] = [];
  for (let j = s; j < k; j++) restOffsets.push(termRow[j]! - tailStart);
  const { pairPtr, pairTarget } = updateTargets({ nNodes, colPtr, rowIdx, rowNode, nodeP, nodeRow, diagOff, valOff, tailStart });
  return { s, termRow, nNodes, nodeRow, nodeP, nodeTerm, rowNode, colPtr, rowIdx, diagOff, valOff, nodeValues, pairPtr, pairTarget, tailStart, m: N - tailStart, qRest: q - tailStart, restOffsets };
}

/** For each node, where each entry of its rank update lands in a later node (the update-target index of `BlockedLayout`). */
function updateTargets(l: Pick<BlockedLayout, "nNodes" | "colPtr" | "rowIdx" | "rowNode" | "nodeP" | "nodeRow" | "diagOff" | "valOff" | "tailStart">): { pairPtr: Int32Array; pairTarget: Int32Array } {
  const { nNodes, colPtr, rowIdx, rowNode, nodeP, nodeRow, diagOff, valOff, tailStart } = l;
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
  return { pairPtr, pairTarget: Int32Array.from(targets) };
}

/** Index of value v in the ascending a[from..to) (it is there by construction). */
export function lowerBound(a: Int32Array, from: number, to: number, v: number): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
