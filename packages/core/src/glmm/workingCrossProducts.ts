import type { BlockedLayout } from "../linalg/BlockedLayout.js";
import type { Model } from "../model/Model.js";
import { assembleCrossProducts } from "../objective/assembleCrossProducts.js";
import { lowerBound } from "../objective/blockedLayout.js";
import type { CrossProducts } from "../objective/crossProducts.js";
import { rowPatterns, type RowPatterns } from "./rowPatterns.js";

/** Above this many stored products the plan would cost more memory than it saves time: A is then re-formed by `assembleCrossProducts`. */
const MAX_PRODUCTS = 2e7;

/**
 * A = [Z X z]'W[Z X z] at PIRLS's working weights w and response z, re-formed at every iteration.
 * `cross` holds A in the model's blocked layout (its node values and dense tail are views of one
 * buffer, rewritten in place by `fill`).
 */
export interface WorkingCrossProducts {
  cross: CrossProducts;
  /** All of A's stored values, which `cross` views: the nodes' values, then the dense tail. */
  values: Float64Array;
  /** Re-forms A at the weights w and the response z (each of length n). */
  fill(w: Float64Array, z: Float64Array): void;
  /**
   * Re-forms only the response's products (z'WZ, z'WX, z'Wz) at the weights w, into a `cross`
   * whose other products are those of `fill(w, 0)` (restored from a copy): the same A as `fill(w, z)`.
   */
  fillResponse(w: Float64Array, z: Float64Array): void;
}

/**
 * The scatter plan of A, made once per model: for each row, where in the blocked layout each
 * product of two of its nonzero Z and X entries lands (both triangles where A's blocks keep both),
 * with the product itself (it does not change), and where its entries' products with z land. An
 * iteration is then one multiply-add per stored product: no lookups, no level-by-level passes.
 * `model` gives Z, X (p = 0 for the modes with β held) and n; its y, weights and offset are not read.
 */
export function workingCrossProducts(model: Model, layout: BlockedLayout, patterns: RowPatterns | null = rowPatterns(model.X, model.n, model.p)): WorkingCrossProducts {
  const { n, p, X, reTerms } = model;
  const { nodeValues, m, tailStart: ts, rowNode, nodeRow, nodeP, diagOff, valOff, colPtr, rowIdx } = layout;
  const buf = new Float64Array(nodeValues + m * m);
  const cross: CrossProducts = { ...layout, Anodes: buf.subarray(0, nodeValues), ARR: buf.subarray(nodeValues), logDetW: 0 };
  const zRow = ts + m - 1;

  /** Index in buf of A's entry (r, c), r ≥ c. */
  const target = (r: number, c: number): number => {
    if (c >= ts) return nodeValues + (r - ts) * m + (c - ts);
    const u = rowNode[c]!;
    const pu = nodeP[u]!;
    const k = c - nodeRow[u]!;
    if (r < nodeRow[u]! + pu) return diagOff[u]! + (r - nodeRow[u]!) * pu + k;
    return valOff[u]! + (lowerBound(rowIdx, colPtr[u]!, colPtr[u + 1]!, r) - colPtr[u]!) * pu + k;
  };
  /** The mirror (c, r) of an entry in a node's diagonal block (kept in both triangles), else −1 (the tail's upper triangle is copied from its lower once per fill). */
  const mirror = (r: number, c: number): number => {
    if (r === c || c >= ts) return -1;
    const u = rowNode[c]!;
    const pu = nodeP[u]!;
    if (r < nodeRow[u]! + pu) return diagOff[u]! + (c - nodeRow[u]!) * pu + (r - nodeRow[u]!);
    return -1;
  };

  // one row's nonzero entries of [Z X]: global rows (ascending) and values
  const width = reTerms.reduce((acc, t) => acc + t.p, 0) + p;
  const idx = new Int32Array(width);
  const val = new Float64Array(width);
  const readRow = (t: number): number => {
    let nz = 0;
    let row0 = 0;
    for (const term of reTerms) {
      const r0 = row0 + term.refs[t]! * term.p;
      for (let a = 0; a < term.p; a++) {
        const v = term.z[t * term.p + a]!;
        if (v !== 0) {
          idx[nz] = r0 + a;
          val[nz++] = v;
        }
      }
      row0 += term.nl * term.p;
    }
    for (let j = 0; j < p; j++) {
      const v = X[j * n + t]!;
      if (v !== 0) {
        idx[nz] = row0 + j;
        val[nz++] = v;
      }
    }
    return nz;
  };

  let products = 0;
  for (let t = 0; t < n && products <= MAX_PRODUCTS; t++) {
    const nz = readRow(t);
    products += (nz * (nz + 1)) / 2 + nz;
  }
  if (products > MAX_PRODUCTS) {
    const wm: Model = { ...model, y: new Float64Array(n), weights: null, offset: null, residual: null };
    return {
      cross,
      values: buf,
      fill(w, z) {
        assembleCrossProducts({ ...wm, y: z, weights: w }, layout, cross);
      },
      fillResponse(w, z) {
        assembleCrossProducts({ ...wm, y: z, weights: w }, layout, cross);
      },
    };
  }

  // a row's products that are 1 (indicator columns: random intercepts, dummies) add the weight itself
  // (w·1 = w exactly), apart from the others, which add w times the product
  const onesPtr = new Int32Array(n + 1);
  const pairPtr = new Int32Array(n + 1);
  const zPtr = new Int32Array(n + 1);
  const onesAt: number[] = [];
  const pairAt: number[] = [];
  const pairValue: number[] = [];
  const zAt: number[] = [];
  const zValue: number[] = [];
  // rows of X (global rows q .. q + p): their products with each other and with z are formed by
  // columns in \`fill\` (weighted dot products), not scattered row by row
  const xRow0 = ts + m - 1 - p;
  for (let t = 0; t < n; t++) {
    const nz = readRow(t);
    for (let a = 0; a < nz; a++) {
      const r = idx[a]!;
      const rIsX = r >= xRow0;
      for (let b = 0; b <= a; b++) {
        const c = idx[b]!;
        if (rIsX && c >= xRow0) continue;
        const v = val[a]! * val[b]!;
        const mi = mirror(r, c);
        if (v === 1) {
          onesAt.push(target(r, c));
          if (mi >= 0) onesAt.push(mi);
        } else {
          pairAt.push(target(r, c));
          pairValue.push(v);
          if (mi >= 0) {
            pairAt.push(mi);
            pairValue.push(v);
          }
        }
      }
      if (rIsX) continue;
      zAt.push(target(zRow, r));
      zValue.push(val[a]!);
      const mi = mirror(zRow, r);
      if (mi >= 0) {
        zAt.push(mi);
        zValue.push(val[a]!);
      }
    }
    onesPtr[t + 1] = onesAt.length;
    pairPtr[t + 1] = pairAt.length;
    zPtr[t + 1] = zAt.length;
  }
  const ones = Int32Array.from(onesAt);
  const at = Int32Array.from(pairAt);
  const value = Float64Array.from(pairValue);
  const zat = Int32Array.from(zAt);
  const zvalue = Float64Array.from(zValue);
  const zOnes = zvalue.every((v) => v === 1);
  const zz = nodeValues + m * m - 1;
  const x0 = nodeValues + (m - 1 - p) * (m + 1);
  /** Writes s into the tail's entries (X or z row a, X column b), both triangles. */
  const put = (a: number, b: number, v: number): void => {
    buf[x0 + a * m + b] = v;
    buf[x0 + b * m + a] = v;
  };
  const fixed = fixedProducts(X, n, p, put, patterns);
  /** The tail's upper triangle from its lower. */
  const mirrorTail = (): void => {
    for (let a = 1; a < m; a++) for (let b = 0; b < a; b++) buf[nodeValues + b * m + a] = buf[nodeValues + a * m + b]!;
  };
  /** z's products with Z (scattered), with itself, and with X (WX formed at the same w). */
  const response = (w: Float64Array, z: Float64Array): void => {
    let zzSum = 0;
    for (let t = 0; t < n; t++) {
      const wz = w[t]! * z[t]!;
      if (zOnes) for (let k = zPtr[t]!, e = zPtr[t + 1]!; k < e; k++) buf[zat[k]!]! += wz;
      else for (let k = zPtr[t]!, e = zPtr[t + 1]!; k < e; k++) buf[zat[k]!]! += wz * zvalue[k]!;
      zzSum += wz * z[t]!;
    }
    buf[zz] = zzSum;
    fixed.response(w, z);
  };
  return {
    cross,
    values: buf,
    fill(w, z) {
      buf.fill(0);
      for (let t = 0; t < n; t++) {
        const wt = w[t]!;
        for (let k = onesPtr[t]!, e = onesPtr[t + 1]!; k < e; k++) buf[ones[k]!]! += wt;
        for (let k = pairPtr[t]!, e = pairPtr[t + 1]!; k < e; k++) buf[at[k]!]! += wt * value[k]!;
      }
      fixed.cross(w);
      response(w, z);
      mirrorTail();
    },
    fillResponse(w, z) {
      response(w, z);
      mirrorTail();
    },
  };
}

/**
 * X'WX and z'WX at each iteration's weights, written by `put(a, b, value)` (row a of [X z], column b
 * of X). Where the rows of X take few distinct values (`rowPatterns`), from the weights summed per
 * pattern, n additions and then P·p(p + 1)/2 products; otherwise by columns, W X formed first (the
 * same sums in another order, equal to rounding). `response` re-forms z'WX only.
 */
function fixedProducts(
  X: Float64Array,
  n: number,
  p: number,
  put: (a: number, b: number, v: number) => void,
  groups: RowPatterns | null,
): { cross(w: Float64Array): void; response(w: Float64Array, z: Float64Array): void } {
  if (p === 0) return { cross: () => {}, response: () => {} };
  if (groups) {
    const { pattern, rows, count } = groups;
    const sums = new Float64Array(count);
    return {
      cross(w) {
        sums.fill(0);
        for (let t = 0; t < n; t++) sums[pattern[t]!]! += w[t]!;
        for (let a = 0; a < p; a++) {
          for (let b = 0; b <= a; b++) {
            let s = 0;
            for (let g = 0; g < count; g++) s += sums[g]! * rows[g * p + a]! * rows[g * p + b]!;
            put(a, b, s);
          }
        }
      },
      response(w, z) {
        sums.fill(0);
        for (let t = 0; t < n; t++) sums[pattern[t]!]! += w[t]! * z[t]!;
        for (let b = 0; b < p; b++) {
          let s = 0;
          for (let g = 0; g < count; g++) s += sums[g]! * rows[g * p + b]!;
          put(p, b, s);
        }
      },
    };
  }
  const WX = new Float64Array(p * n);
  const wz = new Float64Array(n);
  /** Σ_t ca_t cb_t. */
  const dot = (ca: Float64Array, cb: Float64Array): number => {
    let s0 = 0;
    let s1 = 0;
    let t = 0;
    for (; t + 1 < n; t += 2) {
      s0 += ca[t]! * cb[t]!;
      s1 += ca[t + 1]! * cb[t + 1]!;
    }
    if (t < n) s0 += ca[t]! * cb[t]!;
    return s0 + s1;
  };
  return {
    cross(w) {
      for (let b = 0; b < p; b++) {
        const o = b * n;
        for (let t = 0; t < n; t++) WX[o + t] = w[t]! * X[o + t]!;
      }
      for (let a = 0; a < p; a++) {
        const ca = X.subarray(a * n, (a + 1) * n);
        for (let b = 0; b <= a; b++) put(a, b, dot(ca, WX.subarray(b * n, (b + 1) * n)));
      }
    },
    response(w, z) {
      for (let t = 0; t < n; t++) wz[t] = w[t]! * z[t]!;
      for (let b = 0; b < p; b++) put(p, b, dot(wz, X.subarray(b * n, (b + 1) * n)));
    },
  };
}
