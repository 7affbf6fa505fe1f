import { cholLowerInPlace, WASM_MIN_N } from "../linalg/denseCholesky.js";
import { eliminateNodes } from "../linalg/eliminateNodes.js";
import { scaleLowerInto, scaleNodes, scaleTail } from "../linalg/scaleByLambda.js";
import { singleTermUpdate } from "../linalg/singleTermUpdate.js";
import { tailIndex, tailRankUpdate, wasmTailIndex, type TailIndex } from "../linalg/tailRankUpdate.js";
import { crossprodInverseRX } from "../linalg/triangular.js";
import { wasmBlocked, wasmTailKernel, type BlockedData } from "../kernels/wasmKernels.js";
import type { Model } from "../model/Model.js";
import { templates, thetaLayout } from "../model/thetaLayout.js";
import { crossProducts, type CrossProducts } from "./crossProducts.js";
import type { Factorization, ProfiledDeviance } from "./ProfiledDeviance.js";

/**
 * Builds the objective of a model: forms A once (or takes it, formed from rows already transformed,
 * as a residual structure's whitening gives them), then each evaluation factors Λ'AΛ + I. The
 * tail's rank update and Cholesky go to WebAssembly from a tail of `wasmTailFrom` rows (default
 * `WASM_MIN_N`; PIRLS, which factors many times per evaluation, asks for it sooner). `crossChanges`:
 * the caller forms A again into `cross` between evaluations (a residual structure, PIRLS's working
 * weights), so nothing read from it may be kept. `blocked: false` keeps the nodes' elimination in
 * TypeScript (the WebAssembly kernel gives the same bits; for tests). With the WebAssembly tail and
 * one column per tail level, the kernel forms the scaled tail in its own memory and an evaluation
 * reads back only what it needs; `tailInKernel: false` forms it here and reads all of it back (the
 * same bits; for tests).
 */
export function makeObjective(model: Model, cross: CrossProducts = crossProducts(model), options: { wasmTailFrom?: number; crossChanges?: boolean; blocked?: boolean; tailInKernel?: boolean } = {}): ProfiledDeviance {
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
  // the transposed tail index, made when first needed (one term's evaluations never need it)
  let tixMade: TailIndex | null = null;
  const tixOf = (): TailIndex => (tixMade ??= tailIndex(cross));
  const termP = model.reTerms.map((t) => t.p);
  // large tails below one-column nodes (crossed intercepts): the rank update and the Cholesky in WebAssembly
  const wasmTail = m >= (options.wasmTailFrom ?? WASM_MIN_N) && cross.nNodes > 0 && cross.nodeP.every((p1) => p1 === 1) ? wasmTailKernel() : null;
  const wasmIndex = wasmTail ? wasmTailIndex(cross, tixOf()) : null;
  // the scaled tail formed in the tail kernel's memory (one column per tail level)
  const tailInKernel = wasmTail !== null && tailScalar && options.tailInKernel !== false;

  // one random-effects term: the levels' update over all of them at once (and, for one or two columns, L's node values)
  const single = model.reTerms.length === 1 ? singleTermUpdate(cross, cross.Anodes, undefined, options.crossChanges ?? false) : null;

  // nodes of one or two columns of several terms (nested and partly crossed): scaling, elimination and
  // the tail's rank update in WebAssembly (the same operations as scaleNodes, eliminateNodes,
  // tailRankUpdate); one term goes through singleTermUpdate, its factorizations that keep L included
  const blockedKernel =
    options.blocked !== false && !wasmTail && !single && cross.nNodes >= 32 && cross.nodeP.every((p1) => p1 <= 2) && termP.every((p1) => p1 <= 2) ? wasmBlocked() : null;
  const tOff = Int32Array.from(termP, (_, j) => termP.slice(0, j).reduce((a, p1) => a + p1 * p1, 0));
  const packedT = new Float64Array(termP.reduce((a, p1) => a + p1 * p1, 0));
  const blockedData: BlockedData | null = blockedKernel ? { layout: cross, tix: tixOf(), A: cross.Anodes, termP: Int32Array.from(termP), tOff, tLength: packedT.length } : null;

  function factorInto(theta: Float64Array, S: Float64Array | null, M: Float64Array, REML: boolean, T = templates(layout, theta)): Omit<Factorization, "theta" | "T" | "Lnodes" | "LRR" | "cross"> {
    let ldL2: number;
    // one term: the levels' update of the tail over all levels at once (and L's node values for a
    // factorization that keeps them)
    const viaSingle = single !== null && (S === null || single.fillsL);
    if (viaSingle) {
      M.set(ARR);
      ldL2 = single!.update(T[0]!, M, S ?? undefined);
    } else {
      const nodes = S ?? wsNodes;
      // scale and inflate: S = Λ'AΛ + I on the nodes, M likewise on the tail
      if (!blockedKernel) {
        nodes.set(Anodes);
        scaleNodes(cross, termP, T, nodes, tmp);
      }
      if (tailScalar) {
        // every tail term has one column per level: Λ'MΛ + I is M_ij d_i d_j (+1 on the diagonal), one pass over the lower triangle
        tailTerms.forEach((term, j) => tailScale.fill(T[s + j]![0]!, restOffsets[j]!, restOffsets[j]! + term.nl));
        // the WebAssembly tail kernel forms M in its own memory (the same operations), sparing the copies
        if (!tailInKernel) scaleLowerInto(ARR, M, m, tailScale, qRest);
      } else {
        M.set(ARR);
        tailTerms.forEach((term, j) => scaleTail(M, m, restOffsets[j]!, term.nl, term.p, T[s + j]!, tmp));
        for (let r = 0; r < qRest; r++) M[r * m + r]! += 1;
      }
      // eliminate the nodes, then update and factor the tail
      if (blockedKernel) {
        T.forEach((Tj, j) => packedT.set(Tj, tOff[j]!));
        ldL2 = blockedKernel(blockedData!, packedT, M, true, S, options.crossChanges ?? false);
      } else ldL2 = eliminateNodes(cross, tixOf().firstTail, nodes);
    }
    const ok = !Number.isNaN(ldL2);
    // M as the kernel would have formed it, where it is not called
    if (!ok && tailInKernel && !viaSingle) scaleLowerInto(ARR, M, m, tailScale, qRest);
    let chol = false;
    if (ok) {
      if (viaSingle) chol = cholLowerInPlace(M, m);
      else if (wasmTail) chol = wasmTail(wasmIndex!, S ?? wsNodes, M, m, tailInKernel ? { A: ARR, d: tailScale, q: qRest, full: S !== null, changed: options.crossChanges ?? false } : undefined);
      else {
        if (!blockedKernel) tailRankUpdate(cross, tixOf(), S ?? wsNodes, M);
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
    return { ldL2, ldRX2, pwrss, objective, logDetW };
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
      const th = Float64Array.from(theta);
      const T = templates(layout, th);
      const parts = factorInto(th, Lnodes, LRR, REML, T);
      return { theta: th, T, Lnodes, LRR, cross, ...parts };
    },
    factorizeTransient(theta, REML = model.REML) {
      const th = Float64Array.from(theta);
      const T = templates(layout, th);
      const parts = factorInto(th, wsNodes, wsM, REML, T);
      return { theta: th, T, Lnodes: wsNodes, LRR: wsM, cross, ...parts };
    },
  };
}
