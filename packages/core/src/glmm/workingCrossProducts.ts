import type { BlockedLayout } from "../linalg/BlockedLayout.js";
import type { Model } from "../model/Model.js";
import { assembleCrossProducts } from "../objective/assembleCrossProducts.js";
import { lowerBound } from "../objective/blockedLayout.js";
import type { CrossProducts } from "../objective/crossProducts.js";
import { rowPatterns, type RowPatterns } from "./rowPatterns.js";
import type { RowSpace, ScatterKernels } from "./rowSpace.js";

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
 * A re-formed at each iteration from its scatter plan (`scatterPlan`), or, past the plan's size
 * limit, by `assembleCrossProducts`. `model` gives Z, X (p = 0 for the modes with β held) and n; its
 * y, weights and offset are not read. With a row space (`rowSpace`: w and z will be its arrays), the
 * plan and A's values are copied there and the scatter runs in WebAssembly, to the same sums.
 */
export function workingCrossProducts(
  model: Model,
  layout: BlockedLayout,
  patterns: RowPatterns | null = rowPatterns(model.X, model.n, model.p),
  plan: Plan | null = scatterPlan(model, layout),
  space: RowSpace | null = null,
): WorkingCrossProducts {
  const { n, p, X } = model;
  const { nodeValues, m } = layout;
  const buf = plan && space ? space.doubles(nodeValues + m * m) : new Float64Array(nodeValues + m * m);
  const cross: CrossProducts = { ...layout, Anodes: buf.subarray(0, nodeValues), ARR: buf.subarray(nodeValues), logDetW: 0 };
  if (!plan) {
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
  const fixed = new FixedProducts(X, n, p, buf, nodeValues + (m - 1 - p) * (m + 1), m, patterns);
  if (!space) return new ScatterPlan(cross, buf, plan, fixed, null);
  const { copyOf } = space;
  const placed: Plan = {
    ...plan,
    onesPtr: copyOf(plan.onesPtr),
    ones: copyOf(plan.ones),
    pairPtr: copyOf(plan.pairPtr),
    at: copyOf(plan.at),
    value: copyOf(plan.value),
    zPtr: copyOf(plan.zPtr),
    zat: copyOf(plan.zat),
    zvalue: copyOf(plan.zvalue),
  };
  return new ScatterPlan(cross, buf, placed, fixed, space.scatter);
}

/** The doubles and ints a plan takes in a row space with A's values (`workingCrossProducts`). */
export function planSize(plan: Plan | null, layout: BlockedLayout): { doubles: number; ints: number } {
  if (!plan) return { doubles: 0, ints: 0 };
  return {
    doubles: layout.nodeValues + layout.m * layout.m + plan.value.length + plan.zvalue.length,
    ints: plan.onesPtr.length + plan.ones.length + plan.pairPtr.length + plan.at.length + plan.zPtr.length + plan.zat.length,
  };
}

/**
 * The scatter plan of A, made once per model: for each row, where in the blocked layout each
 * product of two of its nonzero Z and X entries lands (both triangles where A's blocks keep both),
 * with the product itself (it does not change), and where its entries' products with z land. An
 * iteration is then one multiply-add per stored product: no lookups, no level-by-level passes.
 * Null past 2e7 stored products (the plan would cost more memory than it saves time).
 */
export function scatterPlan(model: Model, layout: BlockedLayout): Plan | null {
  const { n, p, X, reTerms } = model;
  const { nodeValues, m, tailStart: ts, rowNode, nodeRow, nodeP, diagOff, valOff, colPtr, rowIdx } = layout;
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
  if (products > MAX_PRODUCTS) return null;

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
  return { n, m, nodeValues, onesPtr, ones, pairPtr, at, value, zPtr, zat, zvalue, zOnes: zvalue.every((v) => v === 1) };
}

/** Where each row's products land in A's values (`scatterPlan`). */
export interface Plan {
  n: number;
  m: number;
  nodeValues: number;
  /** Per row, the entries whose product is 1 (onesPtr[t] .. onesPtr[t + 1]) and the others, with their products. */
  onesPtr: Int32Array;
  ones: Int32Array;
  pairPtr: Int32Array;
  at: Int32Array;
  value: Float64Array;
  /** Per row, the entries of z's products with Z, and those products (all 1: zOnes). */
  zPtr: Int32Array;
  zat: Int32Array;
  zvalue: Float64Array;
  zOnes: boolean;
}

/**
 * A re-formed from its scatter plan. A class with the plan in its own fields, so that the joint and
 * the modes systems' A are one shape with the same methods to the engine (closures made per system,
 * and a plan object read by destructuring, made the optimized code bail out at every call).
 */
class ScatterPlan implements WorkingCrossProducts {
  private readonly n: number;
  private readonly m: number;
  private readonly nodeValues: number;
  private readonly onesPtr: Int32Array;
  private readonly ones: Int32Array;
  private readonly pairPtr: Int32Array;
  private readonly at: Int32Array;
  private readonly value: Float64Array;
  private readonly zPtr: Int32Array;
  private readonly zat: Int32Array;
  private readonly zvalue: Float64Array;
  private readonly zOnes: boolean;
  constructor(
    readonly cross: CrossProducts,
    readonly values: Float64Array,
    plan: Plan,
    private readonly fixed: FixedProducts,
    /** The scatter in WebAssembly (the plan, A's values and the rows in a row space), or null. */
    private readonly kernels: ScatterKernels | null,
  ) {
    this.n = plan.n;
    this.m = plan.m;
    this.nodeValues = plan.nodeValues;
    this.onesPtr = plan.onesPtr;
    this.ones = plan.ones;
    this.pairPtr = plan.pairPtr;
    this.at = plan.at;
    this.value = plan.value;
    this.zPtr = plan.zPtr;
    this.zat = plan.zat;
    this.zvalue = plan.zvalue;
    this.zOnes = plan.zOnes;
  }

  fill(w: Float64Array, z: Float64Array): void {
    const buf = this.values;
    const n = this.n;
    const onesPtr = this.onesPtr;
    const ones = this.ones;
    const pairPtr = this.pairPtr;
    const at = this.at;
    const value = this.value;
    buf.fill(0);
    if (this.kernels && this.kernels.owns(w)) this.kernels.weights(buf, w, n, onesPtr, ones, pairPtr, at, value);
    else
      for (let t = 0; t < n; t++) {
        const wt = w[t]!;
        for (let k = onesPtr[t]!, e = onesPtr[t + 1]!; k < e; k++) buf[ones[k]!]! += wt;
        for (let k = pairPtr[t]!, e = pairPtr[t + 1]!; k < e; k++) buf[at[k]!]! += wt * value[k]!;
      }
    this.fixed.cross(w);
    this.response(w, z);
    this.mirrorTail();
  }

  fillResponse(w: Float64Array, z: Float64Array): void {
    this.response(w, z);
    this.mirrorTail();
  }

  /** z's products with Z (scattered), with itself, and with X. */
  private response(w: Float64Array, z: Float64Array): void {
    const buf = this.values;
    const n = this.n;
    const zPtr = this.zPtr;
    const zat = this.zat;
    const zvalue = this.zvalue;
    const zOnes = this.zOnes;
    let zzSum = 0;
    if (this.kernels && this.kernels.owns(w) && this.kernels.owns(z)) zzSum = this.kernels.response(buf, w, z, n, zPtr, zat, zvalue, zOnes);
    else
      for (let t = 0; t < n; t++) {
        const wz = w[t]! * z[t]!;
        if (zOnes) for (let k = zPtr[t]!, e = zPtr[t + 1]!; k < e; k++) buf[zat[k]!]! += wz;
        else for (let k = zPtr[t]!, e = zPtr[t + 1]!; k < e; k++) buf[zat[k]!]! += wz * zvalue[k]!;
        zzSum += wz * z[t]!;
      }
    buf[this.nodeValues + this.m * this.m - 1] = zzSum;
    this.fixed.response(w, z);
  }

  /** The tail's upper triangle from its lower. */
  private mirrorTail(): void {
    const buf = this.values;
    const m = this.m;
    const o = this.nodeValues;
    for (let a = 1; a < m; a++) for (let b = 0; b < a; b++) buf[o + b * m + a] = buf[o + a * m + b]!;
  }
}

/**
 * X'WX and z'WX at each iteration's weights, into the tail of A's values (the X rows start at entry
 * x0 of the m × m tail; both triangles written). Where the rows of X take few distinct values
 * (`rowPatterns`), from the weights summed per pattern, n additions and then P·p(p + 1)/2 products;
 * otherwise by columns, W X formed first (the same sums in another order, equal to rounding).
 * `response` re-forms z'WX only. A class, so that every system's products are one shape to the
 * engine (closures of differing shapes made the callers' optimized code bail out at each call).
 */
class FixedProducts {
  private readonly sums: Float64Array;
  private readonly WX: Float64Array;
  private readonly wz: Float64Array;
  constructor(
    private readonly X: Float64Array,
    private readonly n: number,
    private readonly p: number,
    private readonly buf: Float64Array,
    private readonly x0: number,
    private readonly m: number,
    private readonly groups: RowPatterns | null,
  ) {
    this.sums = new Float64Array(groups && p > 0 ? groups.count : 0);
    this.WX = new Float64Array(groups || p === 0 ? 0 : p * n);
    this.wz = new Float64Array(groups || p === 0 ? 0 : n);
  }

  /** X'WX at the weights w. */
  cross(w: Float64Array): void {
    const X = this.X;
    const n = this.n;
    const p = this.p;
    const groups = this.groups;
    const sums = this.sums;
    const WX = this.WX;
    if (p === 0) return;
    if (groups) {
      const rows = groups.rows;
      const count = groups.count;
      this.sumByPattern(groups.pattern, w, null);
      for (let a = 0; a < p; a++) {
        for (let b = 0; b <= a; b++) {
          let s = 0;
          for (let g = 0; g < count; g++) s += sums[g]! * rows[g * p + a]! * rows[g * p + b]!;
          this.put(a, b, s);
        }
      }
      return;
    }
    for (let b = 0; b < p; b++) {
      const o = b * n;
      for (let t = 0; t < n; t++) WX[o + t] = w[t]! * X[o + t]!;
    }
    for (let a = 0; a < p; a++) {
      const ca = X.subarray(a * n, (a + 1) * n);
      for (let b = 0; b <= a; b++) this.put(a, b, dot(ca, WX.subarray(b * n, (b + 1) * n), n));
    }
  }

  /** z'WX at the weights w and response z. */
  response(w: Float64Array, z: Float64Array): void {
    const X = this.X;
    const n = this.n;
    const p = this.p;
    const groups = this.groups;
    const sums = this.sums;
    const wz = this.wz;
    if (p === 0) return;
    if (groups) {
      const rows = groups.rows;
      const count = groups.count;
      this.sumByPattern(groups.pattern, w, z);
      for (let b = 0; b < p; b++) {
        let s = 0;
        for (let g = 0; g < count; g++) s += sums[g]! * rows[g * p + b]!;
        this.put(p, b, s);
      }
      return;
    }
    for (let t = 0; t < n; t++) wz[t] = w[t]! * z[t]!;
    for (let b = 0; b < p; b++) this.put(p, b, dot(wz, X.subarray(b * n, (b + 1) * n), n));
  }

  /** sums[g] = Σ w_t (or Σ w_t z_t) over the rows t of pattern g. */
  private sumByPattern(pattern: Int32Array, w: Float64Array, z: Float64Array | null): void {
    const sums = this.sums;
    sums.fill(0);
    if (z) for (let t = 0; t < this.n; t++) sums[pattern[t]!]! += w[t]! * z[t]!;
    else for (let t = 0; t < this.n; t++) sums[pattern[t]!]! += w[t]!;
  }

  /** The tail's entries (row a of [X z], column b of X) and (b, a). */
  private put(a: number, b: number, v: number): void {
    this.buf[this.x0 + a * this.m + b] = v;
    this.buf[this.x0 + b * this.m + a] = v;
  }
}

/** Σ_t ca_t cb_t over n entries, in two interleaved sums. */
function dot(ca: Float64Array, cb: Float64Array, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let t = 0;
  for (; t + 1 < n; t += 2) {
    s0 += ca[t]! * cb[t]!;
    s1 += ca[t + 1]! * cb[t + 1]!;
  }
  if (t < n) s0 += ca[t]! * cb[t]!;
  return s0 + s1;
}
