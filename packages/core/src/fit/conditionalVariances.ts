import type { BlockedLayout } from "../linalg/BlockedLayout.js";
import { invertLowerTransposed } from "../linalg/triangular.js";
import { wasmRowPasses } from "../kernels/wasmKernels.js";
import type { Model } from "../model/Model.js";
import type { Factorization } from "../objective/ProfiledDeviance.js";

/**
 * Diagonals of Var(b | y) = σ² Λ (L_Z L_Z')⁻¹ Λ' per level and column (lme4's condVar uses the
 * factor of the random-effects rows only). For a node u, the diagonal block of (L_Z L_Z')⁻¹ is
 * X'X over the columns X = L_Z⁻¹ E_u, whose nonzeros are u's ancestors among the nodes and the
 * tail's random-effects rows. Per term: ℓ_i × p_i values. `wasm: false` keeps the nodes' part in
 * TypeScript (the WebAssembly kernel gives the same bits; for tests).
 */
export function conditionalVariances(model: Model, layout: BlockedLayout, fac: Factorization, sigma2: number, wasm = true): Float64Array[] {
  const { m, qRest } = layout;
  // (L_tail^Z)⁻¹ for the tail's random-effects rows, by columns: row r of Xt is column r of the inverse
  const LZ = new Float64Array(qRest * qRest);
  for (let i = 0; i < qRest; i++) for (let j = 0; j <= i; j++) LZ[i * qRest + j] = fac.LRR[i * m + j]!;
  const Xt = qRest > 0 ? invertLowerTransposed(LZ, qRest) : new Float64Array(0);
  const out: Float64Array[] = model.reTerms.map((t) => new Float64Array(t.nl * t.p));
  // in WebAssembly where it runs, from 32 nodes: the same operations in the same order (fast from a session's first fit)
  const kernels = wasm && layout.nNodes >= 32 ? wasmRowPasses() : null;
  if (kernels) kernels.nodeVariances(layout, fac.Lnodes, Xt, fac.T, sigma2, out);
  else nodeVariances(model, layout, fac, Xt, sigma2, out);
  tailTermVariances(model, layout, fac, Xt, sigma2, out);
  return out;
}

/** The nodes' levels: X = L_Z⁻¹ E_u column by column through u's ancestors, then the tail's random-effects rows. */
function nodeVariances(model: Model, layout: BlockedLayout, fac: Factorization, Xt: Float64Array, sigma2: number, out: Float64Array[]): void {
  const { qRest, nNodes, nodeP, nodeRow, rowNode, diagOff, valOff, colPtr, rowIdx, tailStart } = layout;
  const reTerms = model.reTerms;
  const L = fac.Lnodes;
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
    const i = layout.nodeTerm[u]!;
    const l = (nodeRow[u]! - layout.termRow[i]!) / pu;
    out[i]!.set(diagOfTDT(fac.T[i]!, D, pu, sigma2), l * pu);
  }
}

/** The tail terms' levels: D = Σ_i LZinv[i, block]' LZinv[i, block], dot products of the block's columns. */
function tailTermVariances(model: Model, layout: BlockedLayout, fac: Factorization, Xt: Float64Array, sigma2: number, out: Float64Array[]): void {
  const { qRest, restOffsets, s } = layout;
  model.reTerms.slice(s).forEach((t, j) => {
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
