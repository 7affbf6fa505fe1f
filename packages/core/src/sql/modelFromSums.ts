import { HlmError } from "../HlmError.js";
import type { Bases } from "../model/Basis.js";
import { tooManyFixedEffects } from "../model/checkValues.js";
import { noRowsLeft, type DroppedBy } from "../model/droppedRows.js";
import { compareStrings, formatLabel } from "../model/levelLabels.js";
import { interactionOf } from "../model/makeFactor.js";
import { matrixSuffixes } from "../model/basisCalls.js";
import { deparse } from "../formula/parseFormula.js";
import type { GroupMoments, Model, ReTerm, SummedMoments } from "../model/Model.js";
import { modelMatrix } from "../model/modelMatrix.js";
import { lme4TermOrder } from "../model/randomEffectsTerms.js";
import { rankFromGram } from "../model/rankDeficiency.js";
import type { Factor, Variable } from "../model/Variable.js";
import { blockedLayout } from "../objective/blockedLayout.js";
import type { CrossProducts } from "../objective/crossProducts.js";
import { symbolicElimination } from "../objective/symbolicElimination.js";
import { FRAME_SUMS, sumsLayout } from "./crossProductsQuery.js";
import type { CrossProductPlan } from "./planCrossProducts.js";

/** One row of the sums query's result: its block, the categorical variables' values, the row count and the sums. */
export interface SumsRow {
  block: string;
  keys: (string | number | null)[];
  n: number;
  sums: (number | null)[];
}

/**
 * The model's columns over the cells, for the query of fitted values (`residualsQuery`): each cell's
 * categorical values as the sums query gave them, each kept column of X and each Z_i column as an
 * atom times its indicator in every cell, and each cell's level of every term.
 */
export interface CellDesign {
  keys: (string | number | null)[][];
  x: { atom: number; ind: Float64Array }[];
  z: { group: string; columnNames: string[]; atoms: number[]; refs: Int32Array; z: Float64Array; p: number }[];
}

/** A model given by its sums, ready for `makeObjective(model, cross)`, and the units its response was summed in. */
export interface SummedModel {
  model: Model;
  cross: CrossProducts;
  design: CellDesign;
  /** The response was summed as (y − offset − shift) / scale: the fit is given back in y's units by `restoreUnits`. */
  shift: number;
  scale: number;
}

/** Values beyond this size overflow when squared and summed; all below the small one underflow (as `checkMagnitude`). */
const TOO_LARGE = 1e100;
const TOO_SMALL = 1e-100;

/**
 * The model of a plan from its sums (lme4's `lFormula`, without the rows): the checks the model frame
 * makes (rows dropped, magnitudes, a response that varies, positive weights, rank deficiency, level
 * counts), the factors' levels in R's order, X's and each Z_i's columns over the cells, then A in the
 * blocked layout, summed cell by cell. The result's rows may come in any order.
 */
export function modelFromSums(plan: CrossProductPlan, rows: readonly SumsRow[]): SummedModel {
  const layout = sumsLayout(plan);
  const at = (r: SumsRow, i: number): number => r.sums[i] ?? NaN;
  const statsRow = rows.find((r) => r.block.startsWith("rows:"));
  const frame = rows.find((r) => r.block === "frame");
  if (!statsRow || !frame) throw new HlmError("DATA", "The cross-products have no 'rows' or 'frame' block; compute them with the query hlm sql prints for this formula.");
  const signature = statsRow.block.slice(5, 13);
  if (signature !== layout.signature) {
    throw new HlmError("DATA", `The cross-products were computed for another formula, factors or weights (signature ${signature}, this formula's is ${layout.signature}); compute them with the query hlm sql prints for this formula.`);
  }
  const nAll = statsRow.n;
  const droppedBy: DroppedBy[] = layout.checked.flatMap((v, i) => {
    const missing = at(statsRow, 2 * i);
    const notANumber = at(statsRow, 2 * i + 1);
    return missing + notANumber > 0 ? [{ variable: v.name, missing, notANumber }] : [];
  });
  const n = frame.n;
  if (!(n > 0)) throw noRowsLeft(nAll, droppedBy);
  const fs = (name: (typeof FRAME_SUMS)[number]): number => at(frame, FRAME_SUMS.indexOf(name));

  // the model frame's checks
  if (plan.weights && !(fs("minW") > 0)) {
    throw new HlmError("DATA", `Weights must be positive: '${plan.weights}' is ${fs("minW")} in a row used; leave out the rows whose weight is not positive.`, { column: plan.weights });
  }
  const magnitude = (name: string, max: number): void => {
    if (max <= TOO_LARGE && (max === 0 || max >= TOO_SMALL)) return;
    const what = max > TOO_LARGE ? `too large to fit: it reaches ${Number(max.toPrecision(3))}, and values beyond 1e100 overflow the computations` : `too small to fit: its largest value is ${Number(max.toPrecision(3))}, and values all below 1e-100 underflow the computations`;
    throw new HlmError("DATA", `'${name}' is ${what}; rescale it.`, { column: name });
  };
  magnitude(plan.response.name, fs("maxAbsY"));
  if (plan.weights) magnitude(plan.weights, fs("maxAbsW"));
  plan.offsets.forEach((o, k) => magnitude(o.name, at(frame, FRAME_SUMS.length + k)));
  const atomMaxAt = FRAME_SUMS.length + plan.offsets.length;
  plan.atoms.forEach((a, i) => {
    if (i > 0) magnitude(a.map((k) => plan.numeric[k]!.name).join(":"), at(frame, atomMaxAt + i - 1));
  });
  if (fs("minY") === fs("maxY")) {
    throw new HlmError("DATA", `'${plan.response.name}' has the same value in all ${n} rows used${plan.offsets.length > 0 ? ", after the offset" : ""}; there is no variation to model.`, { column: plan.response.name });
  }
  const bases: Bases = {};
  const scaleAt = atomMaxAt + plan.atoms.length - 1;
  plan.scales.forEach((s, i) => {
    const scale = at(frame, scaleAt + 2 * i + 1);
    if (!(scale > 0)) throw new HlmError("DATA", `'${s.key}' divides by 0: its variable is the same in every row or has no value.`);
    bases[s.key] = { fn: "scale", center: at(frame, scaleAt + 2 * i), scale };
  });
  // poly(): the recurrence's coefficients (R's attr(, "coefs")) from its passes over every row
  let polyAt = scaleAt + 2 * plan.scales.length;
  plan.polys.forEach((q) => {
    if (q.raw) {
      bases[q.key] = { fn: "poly", degree: q.degree, raw: true };
      return;
    }
    const [miss, count, distinct, mean] = [0, 1, 2, 3].map((j) => at(frame, polyAt + j)) as [number, number, number, number];
    const st = Array.from({ length: q.degree }, (_, j) => [at(frame, polyAt + 4 + 2 * j), at(frame, polyAt + 5 + 2 * j)] as [number, number]);
    polyAt += 4 + 2 * q.degree;
    const where = `'${q.key}' (formula position ${q.x.pos + 1})`;
    if (miss > 0) throw new HlmError("DATA", `${where} cannot be computed because '${deparse(q.x)}' has no value in ${miss} row${miss === 1 ? "" : "s"} and R's poly() takes no missing values: leave out the rows without it (--where), or use poly(…, raw = TRUE).`, { position: q.x.pos + 1 });
    if (!(distinct > q.degree)) throw new HlmError("DATA", `${where} needs more distinct values of '${deparse(q.x)}' than its degree ${q.degree}, but there are ${distinct}.`, { position: q.x.pos + 1 });
    // α_1 = x̄, α_{k+1} = x̄ + Σ (x − x̄) p_k² / Σ p_k²; norm2 = 1, n, Σ p_1², …, Σ p_d²
    const alpha = [mean, ...st.slice(0, q.degree - 1).map(([s, t]) => mean + t / s)];
    bases[q.key] = { fn: "poly", degree: q.degree, raw: false, alpha, norm2: [1, count, ...st.map(([s]) => s)] };
  });

  // the response's units: centred in the query (with an intercept), divided by a power of 2 here when beyond 2^±64
  const shift = fs("shift");
  const maxScaled = Math.max(fs("maxScaledY"), fs("maxScaledOffset"));
  const e = maxScaled > 0 && Number.isFinite(maxScaled) ? Math.round(Math.log2(maxScaled)) : 0;
  const scale = Math.abs(e) > 64 ? 2 ** e : 1;
  const ss = fs("sumY2") - (fs("sumY") * fs("sumY")) / n;

  // the factors' levels (those present in the rows used), in R's order, and each cell's codes
  const cells = rows.filter((r) => r.block === "cells");
  const fixedRows = rows.filter((r) => r.block === "fixed");
  // a variable whose values came back as numbers is a numeric column made a factor (levels in numeric
  // order, labelled as R prints numbers), else its values are text, sorted as R sorts them
  const numericKeys = plan.categorical.map((_, k) => cells.every((r) => r.keys[k] === null || typeof r.keys[k] === "number"));
  const levels = plan.categorical.map((_, k) => {
    const values = [...new Set(cells.map((r) => r.keys[k]!))];
    if (numericKeys[k]) return (values as number[]).sort((a, b) => a - b);
    return [...new Set(values.map(String))].sort(compareStrings);
  });
  const labels = levels.map((ls, k) => (numericKeys[k] ? (ls as number[]).map(formatLabel) : (ls as string[])));
  const varsOver = (part: readonly SumsRow[], keys: readonly number[]): Map<string, Variable> => {
    const vars = new Map<string, Variable>();
    for (const v of plan.numeric) vars.set(v.name, { kind: "numeric", name: v.name, values: new Float64Array(part.length).fill(1) });
    // a poly() basis: its columns are atoms of their own (`poly(x, 2)1`), so each is 1 here too
    for (const q of plan.polys) vars.set(q.key, { kind: "matrix", name: q.key, columns: Array.from({ length: q.degree }, () => new Float64Array(part.length).fill(1)), suffixes: matrixSuffixes(q.degree) });
    for (const k of keys) {
      const c = plan.categorical[k]!;
      const index = new Map<string | number, number>((levels[k] as (string | number)[]).map((l, i) => [l, i]));
      let codes = Int32Array.from(part, (r) => index.get(numericKeys[k] ? (r.keys[k] as number) : String(r.keys[k])) ?? -1);
      let levelLabels = labels[k]!;
      if (c.ref !== undefined) {
        // relevel(): the reference level first, the others in their order (R's relevel)
        const at = levelLabels.indexOf(c.ref);
        if (at < 0) throw new HlmError("FORMULA", `relevel(): '${c.ref}' is not a level of ${c.column} (${levelLabels.slice(0, 6).join(", ")}${levelLabels.length > 6 ? ", …" : ""}).`);
        levelLabels = [levelLabels[at]!, ...levelLabels.filter((_, i) => i !== at)];
        codes = codes.map((v) => (v === at ? 0 : v < at ? v + 1 : v));
      }
      vars.set(c.name, { kind: "factor", name: c.name, levels: levelLabels, codes, ...(c.ordered ? { ordered: true } : {}) } satisfies Factor);
    }
    return vars;
  };
  const all = plan.categorical.map((_, k) => k);
  const cellVars = varsOver(cells, all);
  const fixedVars = varsOver(fixedRows, plan.fixedKeys);
  const atomIndex = (numerics: readonly string[]): number => {
    const key = numerics.map((name) => plan.numeric.findIndex((v) => v.name === name)).sort((a, b) => a - b).join(",");
    return plan.atoms.findIndex((a) => a.join(",") === key);
  };
  const Y = plan.atoms.length;
  const pairIndex = (pairs: readonly [number, number][]): ((a: number, b: number) => number) => {
    const index = new Map(pairs.map(([a, b], i) => [`${a},${b}`, i]));
    return (a, b) => index.get(a <= b ? `${a},${b}` : `${b},${a}`)!;
  };
  const yUnit = (a: number, b: number): number => (a === Y ? 1 / scale : 1) * (b === Y ? 1 / scale : 1);

  // X over the fixed cells: X'X for the rank test, lme4's scale check, and the dense tail
  const fullX = modelMatrix(plan.terms.fixed, fixedVars, fixedRows.length, true);
  const pFull = fullX.columns.length;
  const xAtom = fullX.numerics.map(atomIndex);
  const dense = pairIndex(plan.denseSums);
  const G = new Float64Array((pFull + 1) * (pFull + 1));
  const m1 = pFull + 1;
  const colAtom = (j: number): number => (j < pFull ? xAtom[j]! : Y);
  const indicator = (j: number, d: number): number => (j < pFull ? fullX.columns[j]![d]! : 1);
  fixedRows.forEach((r, d) => {
    for (let a = 0; a < m1; a++) {
      const ia = indicator(a, d);
      if (ia === 0) continue;
      for (let b = 0; b <= a; b++) {
        const ib = indicator(b, d);
        if (ib !== 0) G[a * m1 + b]! += ia * ib * at(r, dense(colAtom(a), colAtom(b))) * yUnit(colAtom(a), colAtom(b));
      }
    }
  });
  const XtX = new Float64Array(pFull * pFull);
  for (let a = 0; a < pFull; a++) for (let b = 0; b <= a; b++) XtX[a * pFull + b] = XtX[b * pFull + a] = G[a * m1 + b]!;
  const { keep, dropped } = rankFromGram(XtX, pFull, n, 1e-7, "decide")!;
  const p = keep.length;
  if (p >= n) {
    const predictors = plan.terms.fixed.variables.slice(1).map((v) => fixedVars.get(v.name)!);
    throw tooManyFixedEffects(p, n, predictors, (name) => plan.categorical.some((c) => c.name === name && c.kind === "text"));
  }
  const xColumns = xColumnSums(plan, fixedRows, keep.map((j) => fullX.columns[j]!), keep.map((j) => xAtom[j]!));
  const scalesDiffer = scaleCheck(xColumns, n);

  // the random-effects terms over the cells: indicators, atoms, levels
  const Z = plan.terms.random.map((r) => {
    const zm = modelMatrix(r.effects, cellVars, cells.length, false);
    const f = interactionOf(r.group, r.groupVars.map((g) => cellVars.get(g) as Factor), cells.length);
    const pz = zm.columns.length;
    if (f.levels.length < 2) throw new HlmError("DATA", `The grouping factor '${r.group}' has only ${f.levels.length} level in the rows used; a random effect needs at least 2 (lme4 refuses this too).`, { column: r.group });
    if (f.levels.length >= n) throw new HlmError("DATA", `The grouping factor '${r.group}' has ${f.levels.length} levels for ${n} observations; it must have fewer levels than observations (lme4 refuses this too).`, { column: r.group });
    if (f.levels.length * pz >= n) throw new HlmError("DATA", `The term for '${r.group}' has ${f.levels.length * pz} random effects for ${n} observations; there must be more observations than random effects (lme4 refuses this too).`, { column: r.group });
    const z = new Float64Array(cells.length * pz);
    zm.columns.forEach((col, a) => col.forEach((v, c) => (z[c * pz + a] = v)));
    const term: ReTerm = { group: r.group, columnNames: zm.names, levels: f.levels, refs: f.codes, z, p: pz, nl: f.levels.length };
    return { term, atoms: zm.numerics.map(atomIndex) };
  });
  const ordered = lme4TermOrder(Z.map((t) => ({ ...t, nl: t.term.nl })));
  const cellTerms = ordered.map((t) => t.term);
  const elimination = symbolicElimination(cellTerms, cells.length);
  const bl = blockedLayout(cellTerms, p, elimination);

  // A: the cells' sums placed by level, then X'X, X'y and y'y from the fixed cells
  const Anodes = new Float64Array(bl.nodeValues);
  const m = bl.m;
  const ARR = new Float64Array(m * m);
  const place = (row: number, col: number, v: number): void => {
    // entry (R, C) of A in L's layout, R ≥ C (A is symmetric: the lower triangle is what is stored)
    const R = Math.max(row, col);
    const C = Math.min(row, col);
    if (C >= bl.tailStart) {
      ARR[(R - bl.tailStart) * m + (C - bl.tailStart)]! += v;
      return;
    }
    const u = bl.rowNode[C]!;
    const r0 = bl.nodeRow[u]!;
    const pu = bl.nodeP[u]!;
    if (R < r0 + pu) {
      Anodes[bl.diagOff[u]! + (R - r0) * pu + (C - r0)]! += v;
      if (R !== C) Anodes[bl.diagOff[u]! + (C - r0) * pu + (R - r0)]! += v;
      return;
    }
    let lo = bl.colPtr[u]!;
    let hi = bl.colPtr[u + 1]! - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (bl.rowIdx[mid]! < R) lo = mid + 1;
      else hi = mid;
    }
    if (bl.rowIdx[lo] !== R) throw new HlmError("INTERNAL", `A's entry (${R}, ${C}) is outside L's pattern.`);
    Anodes[bl.valOff[u]! + (lo - bl.colPtr[u]!) * pu + (C - r0)]! += v;
  };
  const cell = pairIndex(plan.cellSums);
  const q = bl.termRow[cellTerms.length]!;
  // X's indicators over the cells (the fixed factors' codes in each cell)
  const cellX = modelMatrix(plan.terms.fixed, cellVars, cells.length, true);
  const xRow = new Int32Array(pFull).fill(-1);
  keep.forEach((j, k) => (xRow[j] = q + k));
  cells.forEach((r, c) => {
    ordered.forEach((ti, i) => {
      const t = ti.term;
      const base = bl.termRow[i]! + t.refs[c]! * t.p;
      for (let a = 0; a < t.p; a++) {
        const za = t.z[c * t.p + a]!;
        if (za === 0) continue;
        const ra = ti.atoms[a]!;
        // Z_i with itself (its level's block) and with the later terms
        for (let j = i; j < ordered.length; j++) {
          const tj = ordered[j]!;
          const baseJ = bl.termRow[j]! + tj.term.refs[c]! * tj.term.p;
          for (let b = 0; b < tj.term.p; b++) {
            if (j === i && b > a) break;
            const zb = tj.term.z[c * tj.term.p + b]!;
            if (zb !== 0) place(baseJ + b, base + a, za * zb * at(r, cell(ra, tj.atoms[b]!)));
          }
        }
        // Z_i with X and y
        for (let x = 0; x < pFull; x++) {
          if (xRow[x]! < 0) continue;
          const ind = cellX.columns[x]![c]!;
          if (ind !== 0) place(xRow[x]!, base + a, za * ind * at(r, cell(ra, xAtom[x]!)));
        }
        place(q + p, base + a, (za * at(r, cell(ra, Y))) / scale);
      }
    });
  });
  const moments = plan.weights ? null : unweightedMoments(plan, cells, Float64Array.from(xColumns, (c) => c.sum), G, keep, m1, ordered, cell, shift);
  const tail = (R: number): number => R - bl.tailStart;
  for (let a = 0; a <= p; a++) {
    for (let b = 0; b <= a; b++) {
      const ja = a < p ? keep[a]! : pFull;
      const jb = b < p ? keep[b]! : pFull;
      ARR[tail(q + a) * m + tail(q + b)]! += G[ja * m1 + jb]!;
    }
  }
  for (let a = 0; a < m; a++) for (let b = 0; b < a; b++) ARR[b * m + a] = ARR[a * m + b]!;

  const reTerms: ReTerm[] = cellTerms.map((t) => ({ ...t, refs: new Int32Array(0), z: new Float64Array(0) }));
  const factorLevels: Record<string, string[]> = {};
  for (const c of plan.categorical) factorLevels[c.name] = (cellVars.get(c.name) as Factor).levels;
  const model: Model = {
    formula: plan.formula,
    terms: plan.terms,
    REML: plan.REML,
    n,
    p,
    responseName: plan.response.name,
    y: new Float64Array(0),
    X: new Float64Array(0),
    xNames: keep.map((j) => fullX.names[j]!),
    droppedColumns: dropped.map((j) => fullX.names[j]!),
    offset: null,
    weights: null,
    reTerms,
    rows: new Int32Array(0),
    nDropped: nAll - n,
    droppedBy,
    factorLevels,
    orderedFactors: plan.categorical.flatMap((c) => (c.ordered ? [c.name] : [])),
    bases,
    basisWarnings: [],
    // in the units the response is fitted in (less its shift, over its scale), as the rows' model's moments are
    summed: { mean: fs("sumY") / n / scale, ss: ss / (scale * scale), scalesDiffer, moments },
  };
  const design: CellDesign = {
    keys: cells.map((r) => r.keys),
    x: keep.map((j) => ({ atom: xAtom[j]!, ind: cellX.columns[j]! })),
    z: ordered.map(({ term, atoms }) => ({ group: term.group, columnNames: term.columnNames, atoms, refs: term.refs, z: term.z, p: term.p })),
  };
  return { model, cross: { ...bl, Anodes, ARR, logDetW: fs("sumLogW") }, design, shift, scale };
}

/**
 * The moments of X and the Z_i over the rows used (the sums are unweighted: no prior weights): X's
 * column sums, X'X from G, and each grouping factor's per-level Z_l'Z_l and Z_l'(y − offset).
 */
function unweightedMoments(
  plan: CrossProductPlan,
  cells: readonly SumsRow[],
  xSums: Float64Array,
  G: Float64Array,
  keep: number[],
  m1: number,
  ordered: readonly { term: ReTerm; atoms: number[] }[],
  cell: (a: number, b: number) => number,
  shift: number,
): SummedMoments {
  const p = keep.length;
  const xtx = new Float64Array(p * p);
  for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) xtx[a * p + b] = G[Math.max(keep[a]!, keep[b]!) * m1 + Math.min(keep[a]!, keep[b]!)]!;
  // per grouping factor, per level: Z_l'Z_l and Z_l'(y − offset) over the union of its terms' columns
  // (the query summed y − offset − shift: the shift comes back through Σ z, atom 0 with an intercept in X)
  const Y = plan.atoms.length;
  const groups: GroupMoments[] = [];
  for (const { term } of ordered) {
    if (groups.some((g) => g.group === term.group)) continue;
    const terms = ordered.filter((t) => t.term.group === term.group);
    const columns = [...new Set(terms.flatMap((t) => t.term.columnNames))];
    const source = columns.map((name) => {
      const t = terms.find((x) => x.term.columnNames.includes(name))!;
      const k = t.term.columnNames.indexOf(name);
      return { z: t.term.z, p: t.term.p, k, atom: t.atoms[k]! };
    });
    const q = columns.length;
    const nl = term.nl;
    const n = new Float64Array(nl);
    const zz = new Float64Array(nl * q * q);
    const zy = new Float64Array(nl * q);
    cells.forEach((r, c) => {
      const l = term.refs[c]!;
      n[l]! += r.n;
      for (let a = 0; a < q; a++) {
        const sa = source[a]!;
        const va = sa.z[c * sa.p + sa.k]!;
        if (va === 0) continue;
        zy[l * q + a]! += va * ((r.sums[cell(sa.atom, Y)] ?? 0) + (shift !== 0 ? shift * (r.sums[cell(sa.atom, 0)] ?? 0) : 0));
        for (let b = 0; b <= a; b++) {
          const sb = source[b]!;
          const vb = sb.z[c * sb.p + sb.k]!;
          if (vb !== 0) zz[l * q * q + a * q + b]! += va * vb * (r.sums[cell(sa.atom, sb.atom)] ?? 0);
        }
      }
    });
    for (let l = 0; l < nl; l++) for (let a = 0; a < q; a++) for (let b = 0; b < a; b++) zz[l * q * q + b * q + a] = zz[l * q * q + a * q + b]!;
    groups.push({ group: term.group, levels: term.levels, columns, n, zz, zy });
  }
  return { xSums, xtx, groups };
}

/** Per kept column of X, from the fixed cells' unweighted sums: Σx, Σx² and whether it holds only 0 and 1. */
function xColumnSums(plan: CrossProductPlan, fixedRows: readonly SumsRow[], indicators: Float64Array[], atoms: number[]): { sum: number; sum2: number; binary: boolean }[] {
  const base = plan.denseSums.length;
  return indicators.map((ind, j) => {
    const a = plan.xAtoms.indexOf(atoms[j]!);
    let sum = 0;
    let sum2 = 0;
    let binary = true;
    fixedRows.forEach((r, d) => {
      const v = ind[d]!;
      if (v === 0) return;
      sum += v * (r.sums[base + 3 * a] ?? 0);
      sum2 += v * v * (r.sums[base + 3 * a + 1] ?? 0);
      if (v !== 1 || (r.sums[base + 3 * a + 2] ?? 0) > 0) binary = false;
    });
    return { sum, sum2, binary };
  });
}

/** lme4's checkScaleX from the kept columns' unweighted Σx and Σx² (`xColumnSums`). */
function scaleCheck(columns: readonly { sum: number; sum2: number; binary: boolean }[], n: number): boolean {
  const logSd = columns.flatMap(({ sum, sum2, binary }) => (binary ? [] : [0.5 * Math.log(Math.max(0, sum2 - (sum * sum) / n) / (n - 1))]));
  const limit = Math.log(1000);
  if (logSd.some((l) => !(Math.abs(l) <= limit))) return true;
  return logSd.length > 0 && Math.max(...logSd) - Math.min(...logSd) > limit;
}
