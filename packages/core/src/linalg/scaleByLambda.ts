/**
 * Scale and inflate, the first step of an evaluation: Λθ'AΛθ + I from A's blocks, on the nodes (each
 * level's diagonal block and column) and on the dense tail.
 */
import type { BlockedLayout } from "./BlockedLayout.js";
import { inflateBlock } from "./smallBlocks.js";

/**
 * Λ'AΛ + I on the nodes: each diagonal block becomes T_i'A_uu T_i + I, each level block of a
 * column T_j'B T_i (X and y rows are not scaled).
 */
export function scaleNodes(layout: BlockedLayout, termP: readonly number[], T: Float64Array[], S: Float64Array, tmp: Float64Array): void {
  const { nNodes, nodeP, nodeTerm, nodeRow, diagOff, valOff, colPtr, rowIdx, rowNode, tailStart, termRow } = layout;
  const q = termRow[termP.length]!;
  // with scalar terms only, each Z row's scale λ_j (random intercepts: the common case), so that a
  // scalar node's column is scaled in one pass, (a·λ_u)·λ_j as the two passes below would
  const rowScale = termP.every((pj) => pj === 1) ? new Float64Array(q) : null;
  if (rowScale) {
    for (let j = 0; j < termP.length; j++) rowScale.fill(T[j]![0]!, termRow[j]!, termRow[j + 1]!);
    for (let u = 0; u < nNodes; u++) {
      const t = rowScale[nodeRow[u]!]!;
      const d = diagOff[u]!;
      S[d] = S[d]! * t * t + 1; // inflateBlock for one column
      const v0 = valOff[u]!;
      const e0 = colPtr[u]!;
      const e1 = colPtr[u + 1]!;
      for (let e = e0; e < e1; e++) {
        const r = rowIdx[e]!;
        const o = v0 + (e - e0);
        S[o] = r < q ? S[o]! * t * rowScale[r]! : S[o]! * t;
      }
    }
    return;
  }
  for (let u = 0; u < nNodes; u++) {
    const pu = nodeP[u]!;
    const Tu = T[nodeTerm[u]!]!;
    const d = diagOff[u]!;
    inflateBlock(Tu, pu, S, d, S, d, tmp);
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
    // the rows ascend, so the term of a tail row only moves forward
    let tailTerm = 0;
    for (let e = e0; e < e1; ) {
      const r = rowIdx[e]!;
      if (r >= q) break;
      if (r >= tailStart) while (termRow[tailTerm + 1]! <= r) tailTerm++;
      const j = r < tailStart ? nodeTerm[rowNode[r]!]! : tailTerm;
      const pj = termP[j]!;
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

/**
 * M = D A D + I_q on the lower triangle (D = diag(d), I on the first q rows), A and M m × m
 * row-major; the strict upper triangle of M is left as it was (nothing after this step reads it).
 */
export function scaleLowerInto(A: Float64Array, M: Float64Array, m: number, d: Float64Array, q: number): void {
  for (let i = 0; i < m; i++) {
    const di = d[i]!;
    const r = i * m;
    for (let j = 0; j <= i; j++) M[r + j] = A[r + j]! * di * d[j]!;
    if (i < q) M[r + i]! += 1;
  }
}

/** Λ'MΛ on the tail's level blocks of one term (M full symmetric m × m): rows, then columns, by T. */
export function scaleTail(M: Float64Array, m: number, start: number, nl: number, pj: number, Tj: Float64Array, tmp: Float64Array): void {
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
