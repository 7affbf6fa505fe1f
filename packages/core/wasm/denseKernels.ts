// AssemblyScript source of the WebAssembly kernels (src/kernels/wasmKernels.ts): the blocked
// left-looking Cholesky of src/linalg/denseCholesky.ts (row-major, lower triangle) with its dot
// products over k done two at a time in f64x2 SIMD lanes; the inverse of a lower-triangular factor;
// the nodes' rank update of the tail (src/linalg/tailRankUpdate.ts); one term's and several terms'
// evaluation (termUpdateFull, blockedFactor); and the passes over the rows of the model frame, the
// cross-products and the post-fit, each with the TypeScript's operations in its order. Built by
// scripts/build-wasm.mjs into src/kernels/denseKernelsWasm.ts (the
// module's bytes, base64); run that script after editing this file.
//
// Operands live in the module's own memory at byte addresses the caller chooses past base(); the
// caller copies them in and out. Matrices are n × n row-major f64.

const NB: i32 = 32; // rows / columns per block (multiple of 4)
const KC: i32 = 512; // length of the k-chunks of the block updates

/** Address of the first byte of the module's free memory (16-byte aligned): the caller's matrix goes there. */
export function base(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}

/** In-place lower Cholesky factor; 1 on success, 0 if the matrix is not positive definite. */
export function chol(a: usize, n: i32): i32 {
  for (let i0: i32 = 0; i0 < n; i0 += NB) {
    const i1 = min(i0 + NB, n);
    cholRows(a, n, i0, i0, i1);
    if (!cholDiag(a, n, i0, i1)) return 0;
  }
  cholClearUpper(a, n);
  return 1;
}

/**
 * M's lower triangle = A's scaled by d_i d_j, plus 1 on the first q diagonal entries (m × m,
 * row-major): src/linalg/scaleByLambda.ts's scaleLowerInto, its operations in its order, for a tail
 * whose terms have one column per level.
 */
export function scaleLowerInto(A: usize, M: usize, m: i32, d: usize, q: i32): void {
  for (let i: i32 = 0; i < m; i++) {
    const di = load<f64>(d + (<usize>i << 3));
    const r = <usize>i * <usize>m;
    for (let j: i32 = 0; j <= i; j++) {
      const o = (r + <usize>j) << 3;
      store<f64>(M + o, load<f64>(A + o) * di * load<f64>(d + (<usize>j << 3)));
    }
    if (i < q) {
      const o = (r + <usize>i) << 3;
      store<f64>(M + o, load<f64>(M + o) + 1);
    }
  }
}

/**
 * `chol`'s step for rows r0 … r1 − 1 of the block row that starts at i0 (i0 ≤ r0 < r1 ≤ i0 + NB,
 * r0 − i0 a multiple of 4): their entries left of the diagonal block, from the block rows above.
 * Each row's sums are its own, so rows shared between two threads give chol's bits.
 */
export function cholRows(a: usize, n: i32, i0: i32, r0: i32, r1: i32): void {
  for (let j0: i32 = 0; j0 < i0; j0 += NB) {
    const j1 = j0 + NB;
    for (let k0: i32 = 0; k0 < j0; k0 += KC) updRect(a, n, r0, r1, j0, j1, k0, min(k0 + KC, j0));
    for (let j = j0; j < j1; j++) solveColumn(a, n, r0, r1, j, j0, load<f64>(at(a, n, j, j)));
  }
}

/** The rest of `chol`'s step for block row i0 … i1 − 1 once `cholRows` has done all its rows: the diagonal block; 0 where it is not positive definite. */
export function cholDiag(a: usize, n: i32, i0: i32, i1: i32): i32 {
  for (let k0: i32 = 0; k0 < i0; k0 += KC) updDiag(a, n, i0, i1, k0, min(k0 + KC, i0));
  return factorDiag(a, n, i0, i1) ? 1 : 0;
}

/** Zeros above the diagonal, after `chol`'s last step. */
export function cholClearUpper(a: usize, n: i32): void {
  for (let i: i32 = 0; i < n; i++) for (let j = i + 1; j < n; j++) store<f64>(at(a, n, i, j), 0.0);
}

/**
 * The inverse of the lower-triangular n × n matrix at `l`, transposed: row j of the n × n matrix
 * written at `x` is column j of L⁻¹ (entries i ≥ j; zeros before), each entry a dot product over
 * contiguous row segments: x_j[i] = −(Σ_{j ≤ k < i} L[i][k] x_j[k]) / L[i][i], x_j[j] = 1 / L[j][j].
 */
export function invLowerT(l: usize, x: usize, n: i32): void {
  invLowerTColumns(l, x, n, 0, n);
}

/** `invLowerT`'s columns j0 … j1 − 1 (rows of x): each column is its own, so columns shared between two threads give invLowerT's bits. */
export function invLowerTColumns(l: usize, x: usize, n: i32, j0: i32, j1: i32): void {
  for (let j: i32 = j0; j < j1; j++) {
    const xj = at(x, n, j, 0);
    for (let i: i32 = 0; i < j; i++) store<f64>(xj + (<usize>i << 3), 0.0);
    store<f64>(xj + (<usize>j << 3), 1.0 / load<f64>(at(l, n, j, j)));
    for (let i = j + 1; i < n; i++) {
      const li = at(l, n, i, 0);
      store<f64>(xj + (<usize>i << 3), -dot(li, xj, j, i) / load<f64>(li + (<usize>i << 3)));
    }
  }
}

/**
 * The tail's rank update from one-column nodes, M −= Σ_u l_u l_u' (lower triangle), one row of M
 * at a time: for tail row i and each node entry t on it (tailPtr[i] .. tailPtr[i+1]), the node's
 * values S[tStart[t] .. tG[t]] (its tail entries up to row i, at tail columns tailCol[·]) times
 * S[tG[t]] are gathered into `row`, which is then subtracted from M's row i and cleared. With `runs`
 * (each node's tail entries fall in consecutive tail columns, as in a complete crossing) the gather
 * is an axpy over a run of `row`, two lanes at a time (a product, then a sum, as the scalar loop
 * rounds them). S, row, M: f64; tailCol, tStart, tG, tailPtr: i32.
 */
export function tailUpdate(S: usize, tailCol: usize, tStart: usize, tG: usize, tailPtr: usize, M: usize, row: usize, m: i32, runs: i32): void {
  tailUpdateRows(S, tailCol, tStart, tG, tailPtr, M, row, m, runs, 0, m);
}

/**
 * `tailUpdate` for rows i0 … i1 − 1 of M (`row`: a cleared scratch row of m, its own for each
 * thread): each row's sums are its own, so rows shared between two threads give tailUpdate's bits.
 */
export function tailUpdateRows(S: usize, tailCol: usize, tStart: usize, tG: usize, tailPtr: usize, M: usize, row: usize, m: i32, runs: i32, i0: i32, i1: i32): void {
  for (let i: i32 = i0; i < i1; i++) {
    const t0 = load<i32>(tailPtr + (<usize>i << 2));
    const t1 = load<i32>(tailPtr + (<usize>(i + 1) << 2));
    if (t0 === t1) continue;
    for (let t = t0; t < t1; t++) {
      const og = load<i32>(tG + (<usize>t << 2));
      const o0 = load<i32>(tStart + (<usize>t << 2));
      const lg = load<f64>(S + (<usize>og << 3));
      if (runs) {
        const col = load<i32>(tailCol + (<usize>o0 << 2));
        const len = og - o0 + 1;
        const dst = row + (<usize>col << 3);
        // the next nodes' runs over the same columns (a complete crossing): up to four in one pass
        // over `row`, each added in turn as the one-node passes would (the same sums)
        if (t + 3 < t1 && sameRun(tStart, tG, tailCol, t + 1, col, len) && sameRun(tStart, tG, tailCol, t + 2, col, len) && sameRun(tStart, tG, tailCol, t + 3, col, len)) {
          axpyRun4(dst, len, S, o0, lg, tStart, tG, t + 1);
          t += 3;
        } else axpyRun(dst, S + (<usize>o0 << 3), len, lg);
      } else {
        for (let o = o0; o <= og; o++) {
          const w = row + (<usize>load<i32>(tailCol + (<usize>o << 2)) << 3);
          store<f64>(w, load<f64>(w) + load<f64>(S + (<usize>o << 3)) * lg);
        }
      }
    }
    flushRow(M, m, i, row);
  }
}

/** Whether entry t's run starts at tail column `col` and has `len` values. */
@inline function sameRun(tStart: usize, tG: usize, tailCol: usize, t: i32, col: i32, len: i32): bool {
  const o0 = load<i32>(tStart + (<usize>t << 2));
  return load<i32>(tailCol + (<usize>o0 << 2)) === col && load<i32>(tG + (<usize>t << 2)) - o0 + 1 === len;
}

/**
 * dst[k] += S[o0 + k]·a, then the runs of entries t1, t1 + 1, t1 + 2 (their values times S at their
 * tG) added in turn, for k < len: four `axpyRun`s in one pass over dst, two lanes at a time.
 */
@inline function axpyRun4(dst: usize, len: i32, S: usize, o0: i32, a: f64, tStart: usize, tG: usize, t1: i32): void {
  const s0 = S + (<usize>o0 << 3);
  const ob = load<i32>(tStart + (<usize>t1 << 2));
  const oc = load<i32>(tStart + (<usize>(t1 + 1) << 2));
  const od = load<i32>(tStart + (<usize>(t1 + 2) << 2));
  const sb = S + (<usize>ob << 3);
  const sc = S + (<usize>oc << 3);
  const sd = S + (<usize>od << 3);
  const b = load<f64>(S + (<usize>load<i32>(tG + (<usize>t1 << 2)) << 3));
  const c = load<f64>(S + (<usize>load<i32>(tG + (<usize>(t1 + 1) << 2)) << 3));
  const d = load<f64>(S + (<usize>load<i32>(tG + (<usize>(t1 + 2) << 2)) << 3));
  const va = f64x2.splat(a);
  const vb = f64x2.splat(b);
  const vc = f64x2.splat(c);
  const vd = f64x2.splat(d);
  let k: i32 = 0;
  for (; k + 1 < len; k += 2) {
    const o = <usize>k << 3;
    let r = f64x2.add(v128.load(dst + o), f64x2.mul(v128.load(s0 + o), va));
    r = f64x2.add(r, f64x2.mul(v128.load(sb + o), vb));
    r = f64x2.add(r, f64x2.mul(v128.load(sc + o), vc));
    v128.store(dst + o, f64x2.add(r, f64x2.mul(v128.load(sd + o), vd)));
  }
  if (k < len) {
    const o = <usize>k << 3;
    let r = load<f64>(dst + o) + load<f64>(s0 + o) * a;
    r = r + load<f64>(sb + o) * b;
    r = r + load<f64>(sc + o) * c;
    store<f64>(dst + o, r + load<f64>(sd + o) * d);
  }
}

/** dst[k] += src[k]·a for k < len, two lanes at a time. */
@inline function axpyRun(dst: usize, src: usize, len: i32, a: f64): void {
  const va = f64x2.splat(a);
  let k: i32 = 0;
  for (; k + 1 < len; k += 2) {
    const d = dst + (<usize>k << 3);
    v128.store(d, f64x2.add(v128.load(d), f64x2.mul(v128.load(src + (<usize>k << 3)), va)));
  }
  if (k < len) {
    const d = dst + (<usize>k << 3);
    store<f64>(d, load<f64>(d) + load<f64>(src + (<usize>k << 3)) * a);
  }
}

/** M's row i (up to the diagonal) minus `row`, which is cleared. */
@inline function flushRow(M: usize, m: i32, i: i32, row: usize): void {
  const r = at(M, m, i, 0);
  for (let c: i32 = 0; c <= i; c++) {
    const q = r + (<usize>c << 3);
    const w = row + (<usize>c << 3);
    store<f64>(q, load<f64>(q) - load<f64>(w));
    store<f64>(w, 0.0);
  }
}

@inline function at(a: usize, n: i32, i: i32, k: i32): usize {
  return a + ((<usize>i * <usize>n + <usize>k) << 3);
}

@inline function hsum(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

/** Σ_{k0 ≤ k < k1} x[k] y[k] for two rows at byte addresses x and y. */
@inline function dot(x: usize, y: usize, k0: i32, k1: i32): f64 {
  let s = f64x2.splat(0.0);
  let k = k0;
  for (; k + 1 < k1; k += 2) {
    const o = <usize>k << 3;
    s = f64x2.add(s, f64x2.mul(v128.load(x + o), v128.load(y + o)));
  }
  let t = hsum(s);
  if (k < k1) {
    const o = <usize>k << 3;
    t += load<f64>(x + o) * load<f64>(y + o);
  }
  return t;
}

/** a[i][j] -= Σ_{k0 ≤ k < k1} a[i][k] a[j][k] for i in [i0, i1), j in [j0, j1); 4 × 2 register tiles. */
function updRect(a: usize, n: i32, i0: i32, i1: i32, j0: i32, j1: i32, k0: i32, k1: i32): void {
  const stride = <usize>n << 3;
  let i = i0;
  for (; i + 3 < i1; i += 4) {
    const r0 = at(a, n, i, 0);
    const r1 = r0 + stride;
    const r2 = r1 + stride;
    const r3 = r2 + stride;
    let j = j0;
    for (; j + 1 < j1; j += 2) {
      const q0 = at(a, n, j, 0);
      const q1 = q0 + stride;
      let s00 = f64x2.splat(0.0), s01 = f64x2.splat(0.0), s10 = f64x2.splat(0.0), s11 = f64x2.splat(0.0);
      let s20 = f64x2.splat(0.0), s21 = f64x2.splat(0.0), s30 = f64x2.splat(0.0), s31 = f64x2.splat(0.0);
      let k = k0;
      for (; k + 1 < k1; k += 2) {
        const o = <usize>k << 3;
        const y0 = v128.load(q0 + o);
        const y1 = v128.load(q1 + o);
        const x0 = v128.load(r0 + o);
        const x1 = v128.load(r1 + o);
        const x2 = v128.load(r2 + o);
        const x3 = v128.load(r3 + o);
        s00 = f64x2.add(s00, f64x2.mul(x0, y0));
        s01 = f64x2.add(s01, f64x2.mul(x0, y1));
        s10 = f64x2.add(s10, f64x2.mul(x1, y0));
        s11 = f64x2.add(s11, f64x2.mul(x1, y1));
        s20 = f64x2.add(s20, f64x2.mul(x2, y0));
        s21 = f64x2.add(s21, f64x2.mul(x2, y1));
        s30 = f64x2.add(s30, f64x2.mul(x3, y0));
        s31 = f64x2.add(s31, f64x2.mul(x3, y1));
      }
      let t00 = hsum(s00), t01 = hsum(s01), t10 = hsum(s10), t11 = hsum(s11);
      let t20 = hsum(s20), t21 = hsum(s21), t30 = hsum(s30), t31 = hsum(s31);
      if (k < k1) {
        const o = <usize>k << 3;
        const y0 = load<f64>(q0 + o);
        const y1 = load<f64>(q1 + o);
        const x0 = load<f64>(r0 + o);
        const x1 = load<f64>(r1 + o);
        const x2 = load<f64>(r2 + o);
        const x3 = load<f64>(r3 + o);
        t00 += x0 * y0;
        t01 += x0 * y1;
        t10 += x1 * y0;
        t11 += x1 * y1;
        t20 += x2 * y0;
        t21 += x2 * y1;
        t30 += x3 * y0;
        t31 += x3 * y1;
      }
      const oj = <usize>j << 3;
      store<f64>(r0 + oj, load<f64>(r0 + oj) - t00);
      store<f64>(r0 + oj + 8, load<f64>(r0 + oj + 8) - t01);
      store<f64>(r1 + oj, load<f64>(r1 + oj) - t10);
      store<f64>(r1 + oj + 8, load<f64>(r1 + oj + 8) - t11);
      store<f64>(r2 + oj, load<f64>(r2 + oj) - t20);
      store<f64>(r2 + oj + 8, load<f64>(r2 + oj + 8) - t21);
      store<f64>(r3 + oj, load<f64>(r3 + oj) - t30);
      store<f64>(r3 + oj + 8, load<f64>(r3 + oj + 8) - t31);
    }
    if (j < j1) {
      const q0 = at(a, n, j, 0);
      const oj = <usize>j << 3;
      store<f64>(r0 + oj, load<f64>(r0 + oj) - dot(r0, q0, k0, k1));
      store<f64>(r1 + oj, load<f64>(r1 + oj) - dot(r1, q0, k0, k1));
      store<f64>(r2 + oj, load<f64>(r2 + oj) - dot(r2, q0, k0, k1));
      store<f64>(r3 + oj, load<f64>(r3 + oj) - dot(r3, q0, k0, k1));
    }
  }
  for (; i < i1; i++) {
    const r0 = at(a, n, i, 0);
    for (let j = j0; j < j1; j++) {
      const oj = <usize>j << 3;
      store<f64>(r0 + oj, load<f64>(r0 + oj) - dot(r0, at(a, n, j, 0), k0, k1));
    }
  }
}

/** The lower triangle (j ≤ i) of the diagonal block [i0, i1)² of the update in `updRect`. */
function updDiag(a: usize, n: i32, i0: i32, i1: i32, k0: i32, k1: i32): void {
  const stride = <usize>n << 3;
  let i = i0;
  for (; i + 3 < i1; i += 4) {
    if (i > i0) updRect(a, n, i, i + 4, i0, i, k0, k1);
    const r0 = at(a, n, i, 0);
    const r1 = r0 + stride;
    const r2 = r1 + stride;
    const r3 = r2 + stride;
    let s00 = f64x2.splat(0.0), s10 = f64x2.splat(0.0), s11 = f64x2.splat(0.0), s20 = f64x2.splat(0.0), s21 = f64x2.splat(0.0);
    let s22 = f64x2.splat(0.0), s30 = f64x2.splat(0.0), s31 = f64x2.splat(0.0), s32 = f64x2.splat(0.0), s33 = f64x2.splat(0.0);
    let k = k0;
    for (; k + 1 < k1; k += 2) {
      const o = <usize>k << 3;
      const x0 = v128.load(r0 + o);
      const x1 = v128.load(r1 + o);
      const x2 = v128.load(r2 + o);
      const x3 = v128.load(r3 + o);
      s00 = f64x2.add(s00, f64x2.mul(x0, x0));
      s10 = f64x2.add(s10, f64x2.mul(x1, x0));
      s11 = f64x2.add(s11, f64x2.mul(x1, x1));
      s20 = f64x2.add(s20, f64x2.mul(x2, x0));
      s21 = f64x2.add(s21, f64x2.mul(x2, x1));
      s22 = f64x2.add(s22, f64x2.mul(x2, x2));
      s30 = f64x2.add(s30, f64x2.mul(x3, x0));
      s31 = f64x2.add(s31, f64x2.mul(x3, x1));
      s32 = f64x2.add(s32, f64x2.mul(x3, x2));
      s33 = f64x2.add(s33, f64x2.mul(x3, x3));
    }
    let t00 = hsum(s00), t10 = hsum(s10), t11 = hsum(s11), t20 = hsum(s20), t21 = hsum(s21);
    let t22 = hsum(s22), t30 = hsum(s30), t31 = hsum(s31), t32 = hsum(s32), t33 = hsum(s33);
    if (k < k1) {
      const o = <usize>k << 3;
      const x0 = load<f64>(r0 + o);
      const x1 = load<f64>(r1 + o);
      const x2 = load<f64>(r2 + o);
      const x3 = load<f64>(r3 + o);
      t00 += x0 * x0;
      t10 += x1 * x0;
      t11 += x1 * x1;
      t20 += x2 * x0;
      t21 += x2 * x1;
      t22 += x2 * x2;
      t30 += x3 * x0;
      t31 += x3 * x1;
      t32 += x3 * x2;
      t33 += x3 * x3;
    }
    const oi = <usize>i << 3;
    store<f64>(r0 + oi, load<f64>(r0 + oi) - t00);
    store<f64>(r1 + oi, load<f64>(r1 + oi) - t10);
    store<f64>(r1 + oi + 8, load<f64>(r1 + oi + 8) - t11);
    store<f64>(r2 + oi, load<f64>(r2 + oi) - t20);
    store<f64>(r2 + oi + 8, load<f64>(r2 + oi + 8) - t21);
    store<f64>(r2 + oi + 16, load<f64>(r2 + oi + 16) - t22);
    store<f64>(r3 + oi, load<f64>(r3 + oi) - t30);
    store<f64>(r3 + oi + 8, load<f64>(r3 + oi + 8) - t31);
    store<f64>(r3 + oi + 16, load<f64>(r3 + oi + 16) - t32);
    store<f64>(r3 + oi + 24, load<f64>(r3 + oi + 24) - t33);
  }
  for (; i < i1; i++) updRect(a, n, i, i + 1, i0, i + 1, k0, k1);
}

/** a[i][j] = (a[i][j] − Σ_{k0 ≤ k < j} a[i][k] a[j][k]) / d for i in [i0, i1). */
function solveColumn(a: usize, n: i32, i0: i32, i1: i32, j: i32, k0: i32, d: f64): void {
  const q = at(a, n, j, 0);
  const oj = <usize>j << 3;
  for (let i = i0; i < i1; i++) {
    const r = at(a, n, i, 0);
    store<f64>(r + oj, (load<f64>(r + oj) - dot(r, q, k0, j)) / d);
  }
}

/** Cholesky of the (already updated) diagonal block [i0, i1)², column by column. */
function factorDiag(a: usize, n: i32, i0: i32, i1: i32): bool {
  for (let j = i0; j < i1; j++) {
    const q = at(a, n, j, 0);
    const s = load<f64>(q + (<usize>j << 3)) - dot(q, q, i0, j);
    if (!(s > 0)) return false;
    const d = Math.sqrt(s);
    store<f64>(q + (<usize>j << 3), d);
    solveColumn(a, n, j + 1, i1, j, i0, d);
  }
  return true;
}

/**
 * The levels' coefficients of W (src/linalg/singleTermUpdate.ts's batchedUpdate, its operations in
 * its order), then `termUpdate`: from the gathered columns at a (m·p1 arrays of nl) and D's entries
 * after them (d00, d01, d11, nl each) and T's entries t00, t10, t11. The log-determinant's products
 * are written at logs as LogProduct keeps them (each flushed product, then the last); returns their
 * count, or −1 where a level's block is not positive definite.
 */
export function termUpdateFull(a: usize, coef: usize, w: usize, out: usize, logs: usize, m: i32, nl: i32, p1: i32, t00: f64, t10: f64, t11: f64): i32 {
  const rowBytes = <usize>nl << 3;
  const d00 = a + <usize>(m * p1) * rowBytes;
  const d01 = d00 + rowBytes;
  const d11 = d01 + rowBytes;
  let prod: f64 = 1;
  let nLogs: i32 = 0;
  if (p1 === 1) {
    const t2 = t00 * t00;
    for (let c: i32 = 0; c < nl; c++) {
      const cc = t2 * load<f64>(d00 + (<usize>c << 3)) + 1;
      prod *= cc;
      if (prod > 1e150) {
        store<f64>(logs + (<usize>(nLogs++) << 3), prod);
        prod = 1;
      }
      store<f64>(coef + (<usize>c << 3), t2 / cc);
    }
  } else {
    for (let c: i32 = 0; c < nl; c++) {
      const o = <usize>c << 3;
      const a00 = load<f64>(d00 + o);
      const a01 = load<f64>(d01 + o);
      const a11 = load<f64>(d11 + o);
      const b00 = a00 * t00 + a01 * t10;
      const b10 = a01 * t00 + a11 * t10;
      const c00 = t00 * b00 + t10 * b10 + 1;
      const c10 = t11 * b10;
      const c11 = t11 * a11 * t11 + 1;
      const l00 = Math.sqrt(c00);
      const l10 = c10 / l00;
      const l11sq = c11 - l10 * l10;
      if (!(l11sq > 0)) return -1;
      const i00 = 1 / l00;
      const i11 = 1 / Math.sqrt(l11sq);
      prod *= c00 * l11sq;
      if (prod > 1e150) {
        store<f64>(logs + (<usize>(nLogs++) << 3), prod);
        prod = 1;
      }
      const al = t00 * i00;
      const be = t10 * i00;
      store<f64>(coef + o, al);
      store<f64>(coef + rowBytes + o, be);
      store<f64>(coef + 2 * rowBytes + o, -l10 * i11 * al);
      store<f64>(coef + 3 * rowBytes + o, (t11 - l10 * be) * i11);
    }
  }
  store<f64>(logs + (<usize>(nLogs++) << 3), prod);
  termUpdate(a, coef, w, out, m, nl, p1);
  return nLogs;
}

/**
 * One random-effects term's rank update of the tail (src/linalg/singleTermUpdate.ts), over all its
 * nl levels at once: W's columns from the gathered columns `a` of R'WZ (m·p1 arrays of nl values,
 * row j = r·p1 + k) and the per-level coefficients `coef` (p1 = 1: α; p1 = 2: α, β, γ, δ, nl each):
 * p1 = 1: w_r = α ∘ a_r; p1 = 2: w_r0 = α ∘ a_r0 + β ∘ a_r1, w_r1 = γ ∘ a_r0 + δ ∘ a_r1. Then
 * out[r(r+1)/2 + s] (s ≤ r) = Σ_k w_rk · (p1 = 1 ? a_s : w_sk), each dot product in four running sums
 * as model/dotProduct.ts adds them (lanes c mod 4), so the sums are the TypeScript ones.
 */
function termUpdate(a: usize, coef: usize, w: usize, out: usize, m: i32, nl: i32, p1: i32): void {
  const rowBytes = <usize>nl << 3;
  if (p1 === 1) {
    for (let r: i32 = 0; r < m; r++) scaleRun(w + <usize>r * rowBytes, a + <usize>r * rowBytes, coef, nl);
  } else {
    const al = coef;
    const be = coef + rowBytes;
    const ga = coef + 2 * rowBytes;
    const de = coef + 3 * rowBytes;
    for (let r: i32 = 0; r < m; r++) {
      const x0 = a + <usize>(2 * r) * rowBytes;
      const x1 = x0 + rowBytes;
      const w0 = w + <usize>(2 * r) * rowBytes;
      const w1 = w0 + rowBytes;
      let c: i32 = 0;
      for (; c + 1 < nl; c += 2) {
        const o = <usize>c << 3;
        const u = v128.load(x0 + o);
        const v = v128.load(x1 + o);
        v128.store(w0 + o, f64x2.add(f64x2.mul(v128.load(al + o), u), f64x2.mul(v128.load(be + o), v)));
        v128.store(w1 + o, f64x2.add(f64x2.mul(v128.load(ga + o), u), f64x2.mul(v128.load(de + o), v)));
      }
      for (; c < nl; c++) {
        const o = <usize>c << 3;
        const u = load<f64>(x0 + o);
        const v = load<f64>(x1 + o);
        store<f64>(w0 + o, load<f64>(al + o) * u + load<f64>(be + o) * v);
        store<f64>(w1 + o, load<f64>(ga + o) * u + load<f64>(de + o) * v);
      }
    }
  }
  let k: i32 = 0;
  for (let r: i32 = 0; r < m; r++) {
    for (let s: i32 = 0; s <= r; s++) {
      let sum: f64;
      if (p1 === 1) sum = dot4(w + <usize>r * rowBytes, a + <usize>s * rowBytes, nl);
      else sum = dot4(w + <usize>(2 * r) * rowBytes, w + <usize>(2 * s) * rowBytes, nl) + dot4(w + <usize>(2 * r + 1) * rowBytes, w + <usize>(2 * s + 1) * rowBytes, nl);
      store<f64>(out + (<usize>k << 3), sum);
      k++;
    }
  }
}

/** dst[c] = s[c]·x[c] for c < n, two lanes at a time. */
@inline function scaleRun(dst: usize, x: usize, s: usize, n: i32): void {
  let c: i32 = 0;
  for (; c + 1 < n; c += 2) {
    const o = <usize>c << 3;
    v128.store(dst + o, f64x2.mul(v128.load(s + o), v128.load(x + o)));
  }
  for (; c < n; c++) {
    const o = <usize>c << 3;
    store<f64>(dst + o, load<f64>(s + o) * load<f64>(x + o));
  }
}

/**
 * Σ_c x[c]·y[c] as model/dotProduct.ts sums it: running sums s0..s3 over c mod 4 (two f64x2
 * accumulators), the leftover entries added to s0, then s0 + s1 + (s2 + s3).
 */
@inline function dot4(x: usize, y: usize, n: i32): f64 {
  let acc01 = f64x2.splat(0.0);
  let acc23 = f64x2.splat(0.0);
  let c: i32 = 0;
  for (; c + 3 < n; c += 4) {
    const o = <usize>c << 3;
    acc01 = f64x2.add(acc01, f64x2.mul(v128.load(x + o), v128.load(y + o)));
    acc23 = f64x2.add(acc23, f64x2.mul(v128.load(x + o + 16), v128.load(y + o + 16)));
  }
  let s0 = f64x2.extract_lane(acc01, 0);
  for (; c < n; c++) s0 += load<f64>(x + (<usize>c << 3)) * load<f64>(y + (<usize>c << 3));
  return s0 + f64x2.extract_lane(acc01, 1) + (f64x2.extract_lane(acc23, 0) + f64x2.extract_lane(acc23, 1));
}

// ---------------------------------------------------------------------------------------------
// The blocked evaluation over the nodes (src/linalg/scaleByLambda.ts's scaleNodes, eliminateNodes.ts,
// tailRankUpdate.ts), for nodes of one or two columns, with the same operations in the same order
// as the TypeScript (the same bits). The layout's constant arrays and A's node values stay in the
// memory between calls; `desc` is an i32 array of counts and byte addresses (see BLK_* below).

const BLK_NNODES = 0;
const BLK_Q = 1;
const BLK_TAILSTART = 2;
const BLK_M = 3;
const BLK_NVALUES = 4;
const BLK_S = 5;
const BLK_A = 6;
const BLK_NODEP = 7;
const BLK_NODETERM = 8;
const BLK_DIAGOFF = 9;
const BLK_VALOFF = 10;
const BLK_COLPTR = 11;
const BLK_ROWIDX = 12;
const BLK_ROWNODE = 13;
const BLK_PAIRPTR = 14;
const BLK_PAIRTARGET = 15;
const BLK_FIRSTTAIL = 16;
const BLK_TERMROW = 17;
const BLK_TERMP = 18;
const BLK_T = 19;
const BLK_TOFF = 20;
const BLK_MAT = 21;
const BLK_ROW = 22;
const BLK_SPTR = 23;
const BLK_SNODE = 24;
const BLK_SENTRY = 25;
const BLK_NDENSE = 26;
const BLK_DNODES = 27;
const BLK_DSTART = 28;
const BLK_DLEN = 29;
const BLK_D = 30;
const BLK_TAIL = 31;
const BLK_LOGS = 32;

@inline function gi(desc: usize, f: i32): i32 {
  return load<i32>(desc + (<usize>f << 2));
}
@inline function ai(base: usize, i: i32): i32 {
  return load<i32>(base + (<usize>i << 2));
}
@inline function af(base: usize, i: i32): f64 {
  return load<f64>(base + (<usize>i << 3));
}
@inline function sf(base: usize, i: i32, v: f64): void {
  store<f64>(base + (<usize>i << 3), v);
}

/**
 * S = A's node values, scaled and inflated (Λ'AΛ + I), eliminated node by node, and (if desc's
 * BLK_TAIL is 1) the tail's rank update subtracted from M (m × m at BLK_MAT). The log-determinant's
 * products are written at BLK_LOGS as LogProduct keeps them: each flushed product, then the last;
 * returns their count, or −1 where a diagonal block is not positive definite.
 */
export function blockedFactor(desc: usize): i32 {
  const nNodes = gi(desc, BLK_NNODES);
  const q = gi(desc, BLK_Q);
  const tailStart = gi(desc, BLK_TAILSTART);
  const S = <usize>gi(desc, BLK_S);
  const nodeP = <usize>gi(desc, BLK_NODEP);
  const nodeTerm = <usize>gi(desc, BLK_NODETERM);
  const diagOff = <usize>gi(desc, BLK_DIAGOFF);
  const valOff = <usize>gi(desc, BLK_VALOFF);
  const colPtr = <usize>gi(desc, BLK_COLPTR);
  const rowIdx = <usize>gi(desc, BLK_ROWIDX);
  const rowNode = <usize>gi(desc, BLK_ROWNODE);
  const termRow = <usize>gi(desc, BLK_TERMROW);
  const termP = <usize>gi(desc, BLK_TERMP);
  const T = <usize>gi(desc, BLK_T);
  const tOff = <usize>gi(desc, BLK_TOFF);
  memory.copy(S, <usize>gi(desc, BLK_A), <usize>gi(desc, BLK_NVALUES) << 3);

  // scaleNodes
  for (let u: i32 = 0; u < nNodes; u++) {
    const pu = ai(nodeP, u);
    const Tu = T + (<usize>ai(tOff, ai(nodeTerm, u)) << 3);
    const d = ai(diagOff, u);
    const v0 = ai(valOff, u);
    const e0 = ai(colPtr, u);
    const e1 = ai(colPtr, u + 1);
    if (pu === 1) {
      const t = af(Tu, 0);
      sf(S, d, af(S, d) * t * t + 1);
      for (let o = v0; o < v0 + (e1 - e0); o++) sf(S, o, af(S, o) * t);
    } else {
      const t00 = af(Tu, 0);
      const t10 = af(Tu, 2);
      const t11 = af(Tu, 3);
      // inflate2
      const a00 = af(S, d);
      const a01 = af(S, d + 1);
      const a11 = af(S, d + 3);
      const b00 = a00 * t00 + a01 * t10;
      const b10 = a01 * t00 + a11 * t10;
      const c10 = t11 * b10;
      sf(S, d, t00 * b00 + t10 * b10 + 1);
      sf(S, d + 1, c10);
      sf(S, d + 2, c10);
      sf(S, d + 3, t11 * a11 * t11 + 1);
      for (let o = v0; o < v0 + 2 * (e1 - e0); o += 2) {
        const a1 = af(S, o + 1);
        sf(S, o, af(S, o) * t00 + a1 * t10);
        sf(S, o + 1, a1 * t11);
      }
    }
    let tailTerm: i32 = 0;
    for (let e = e0; e < e1; ) {
      const r = ai(rowIdx, e);
      if (r >= q) break;
      if (r >= tailStart) while (ai(termRow, tailTerm + 1) <= r) tailTerm++;
      const j = r < tailStart ? ai(nodeTerm, ai(rowNode, r)) : tailTerm;
      const pj = ai(termP, j);
      const Tj = T + (<usize>ai(tOff, j) << 3);
      const o = v0 + (e - e0) * pu;
      if (pj === 1) {
        const t = af(Tj, 0);
        for (let kk: i32 = 0; kk < pu; kk++) sf(S, o + kk, af(S, o + kk) * t);
      } else {
        // pj = 2: tmp[a] = Σ_{b ≥ a} T_ba S[o + b·pu + kk]
        const t00 = af(Tj, 0);
        const t10 = af(Tj, 2);
        const t11 = af(Tj, 3);
        for (let kk: i32 = 0; kk < pu; kk++) {
          const s0 = af(S, o + kk);
          const s1 = af(S, o + pu + kk);
          const n0 = 0 + t00 * s0 + t10 * s1;
          const n1 = 0 + t11 * s1;
          sf(S, o + kk, n0);
          sf(S, o + pu + kk, n1);
        }
      }
      e += pj;
    }
  }

  // eliminateNodes
  const pairPtr = <usize>gi(desc, BLK_PAIRPTR);
  const pairTarget = <usize>gi(desc, BLK_PAIRTARGET);
  const firstTail = <usize>gi(desc, BLK_FIRSTTAIL);
  const logs = <usize>gi(desc, BLK_LOGS);
  let nLogs: i32 = 0;
  let prod: f64 = 1;
  for (let u: i32 = 0; u < nNodes; u++) {
    const pu = ai(nodeP, u);
    const d = ai(diagOff, u);
    const v0 = ai(valOff, u);
    const e0 = ai(colPtr, u);
    const e1 = ai(colPtr, u + 1);
    const ft = ai(firstTail, u);
    let k = ai(pairPtr, u);
    if (pu === 1) {
      const l = Math.sqrt(af(S, d));
      if (!(l > 0)) return -1;
      sf(S, d, l);
      prod *= l;
      const inv = 1 / l;
      for (let o = v0; o < v0 + (e1 - e0); o++) sf(S, o, af(S, o) * inv);
      for (let g = e0; g < ft; g++) {
        const lg = af(S, v0 + g - e0);
        for (let e = g; e < e1; e++) {
          const t = ai(pairTarget, k++);
          sf(S, t, af(S, t) - af(S, v0 + e - e0) * lg);
        }
      }
    } else {
      const l00 = Math.sqrt(af(S, d));
      const l10 = af(S, d + 2) / l00;
      const dd = af(S, d + 3) - l10 * l10;
      if (!(l00 > 0) || !(dd > 0)) return -1;
      const l11 = Math.sqrt(dd);
      sf(S, d, l00);
      sf(S, d + 1, 0);
      sf(S, d + 2, l10);
      sf(S, d + 3, l11);
      prod *= l00 * l11;
      for (let o = v0; o < v0 + 2 * (e1 - e0); o += 2) {
        const w0 = af(S, o) / l00;
        sf(S, o, w0);
        sf(S, o + 1, (af(S, o + 1) - l10 * w0) / l11);
      }
      for (let g = e0; g < ft; g++) {
        const og = v0 + 2 * (g - e0);
        const g0 = af(S, og);
        const g1 = af(S, og + 1);
        for (let e = g, oe = og; e < e1; e++, oe += 2) {
          const t = ai(pairTarget, k++);
          sf(S, t, af(S, t) - (af(S, oe) * g0 + af(S, oe + 1) * g1));
        }
      }
    }
    if (prod > 1e150) {
      sf(logs, nLogs++, prod);
      prod = 1;
    }
  }
  sf(logs, nLogs++, prod);
  if (gi(desc, BLK_TAIL) === 0) return nLogs;

  // tailRankUpdate: the dense one-column nodes, then the others row by row
  const m = gi(desc, BLK_M);
  const M = <usize>gi(desc, BLK_MAT);
  const nDense = gi(desc, BLK_NDENSE);
  if (nDense > 0) {
    const D = <usize>gi(desc, BLK_D);
    const dNodes = <usize>gi(desc, BLK_DNODES);
    const dStart = <usize>gi(desc, BLK_DSTART);
    const dLen = <usize>gi(desc, BLK_DLEN);
    memory.fill(D, 0, (<usize>m * <usize>m) << 3);
    for (let kd: i32 = 0; kd < nDense; kd++) {
      const u = ai(dNodes, kd);
      const v0 = ai(valOff, u) + ai(firstTail, u) - ai(colPtr, u);
      const r0 = ai(dStart, kd);
      const len = ai(dLen, kd);
      for (let a: i32 = 0; a < len; a++) {
        const va = af(S, v0 + a);
        const o = (r0 + a) * m + r0;
        for (let b: i32 = 0; b <= a; b++) sf(D, o + b, af(D, o + b) + af(S, v0 + b) * va);
      }
    }
    for (let i: i32 = 0; i < m; i++) for (let c: i32 = 0, o = i * m; c <= i; c++) sf(M, o + c, af(M, o + c) - af(D, o + c));
  }
  const sPtr = <usize>gi(desc, BLK_SPTR);
  const sNode = <usize>gi(desc, BLK_SNODE);
  const sEntry = <usize>gi(desc, BLK_SENTRY);
  const row = <usize>gi(desc, BLK_ROW);
  for (let i: i32 = 0; i < m; i++) {
    const t1 = ai(sPtr, i + 1);
    if (ai(sPtr, i) === t1) continue;
    for (let t = ai(sPtr, i); t < t1; t++) {
      const u = ai(sNode, t);
      const g = ai(sEntry, t);
      const pu = ai(nodeP, u);
      const e0 = ai(colPtr, u);
      const v0 = ai(valOff, u);
      if (pu === 1) {
        const lg = af(S, v0 + g - e0);
        for (let e = ai(firstTail, u); e <= g; e++) {
          const c = ai(rowIdx, e) - tailStart;
          sf(row, c, af(row, c) + af(S, v0 + e - e0) * lg);
        }
      } else {
        const og = v0 + (g - e0) * 2;
        const g0 = af(S, og);
        const g1 = af(S, og + 1);
        for (let e = ai(firstTail, u); e <= g; e++) {
          const oe = v0 + (e - e0) * 2;
          const acc = 0 + af(S, oe) * g0 + af(S, oe + 1) * g1;
          const c = ai(rowIdx, e) - tailStart;
          sf(row, c, af(row, c) + acc);
        }
      }
    }
    const r = i * m;
    for (let c: i32 = 0; c <= i; c++) {
      sf(M, r + c, af(M, r + c) - af(row, c));
      sf(row, c, 0);
    }
  }
  return nLogs;
}

// ---------------------------------------------------------------------------------------------
// Passes over the rows after the fit (src/fit/quantiles.ts, fitWarnings.ts, model/response.ts),
// here so that a session's first fit does not run them in JavaScript that the engine has not
// compiled yet. The same sums in the same order as the TypeScript.

/**
 * Σ x over x[0 .. n), whether every value is 0 or 1, and Σ (x − mean)² with mean = Σ x / n, each
 * in row order: written at out (sum), out + 8 (1 or 0) and out + 16 (ss).
 */
export function columnStats(x: usize, n: i32, out: usize): void {
  let sum: f64 = 0;
  let binary: i32 = 1;
  for (let t: i32 = 0; t < n; t++) {
    const v = load<f64>(x + (<usize>t << 3));
    if (v !== 0 && v !== 1) binary = 0;
    sum += v;
  }
  const mean = sum / <f64>n;
  let ss: f64 = 0;
  for (let t: i32 = 0; t < n; t++) {
    const d = load<f64>(x + (<usize>t << 3)) - mean;
    ss += d * d;
  }
  store<f64>(out, sum);
  store<f64>(out + 8, <f64>binary);
  store<f64>(out + 16, ss);
}

/**
 * The order statistics of the n values at x at the nk ascending ranks at ks (i32), written at out,
 * by src/fit/quantiles.ts's bucket selection: B buckets of equal width between the minimum and the
 * maximum, counted (counts: B + 1 i32), then the values of the buckets the ranks fall in placed at
 * their ranks in pick (n f64; mark: B i32) and those buckets sorted. Returns 0 where a value is not
 * finite or all are equal (the caller's own path).
 */
export function orderStats(x: usize, n: i32, ks: usize, nk: i32, out: usize, counts: usize, mark: usize, pick: usize): i32 {
  let lo: f64 = Infinity;
  let hi: f64 = -Infinity;
  for (let t: i32 = 0; t < n; t++) {
    const v = load<f64>(x + (<usize>t << 3));
    if (!(v > -Infinity && v < Infinity)) return 0;
    lo = v < lo ? v : lo;
    hi = v > hi ? v : hi;
  }
  if (lo === hi) return 0;
  const B: i32 = max<i32>(16, min<i32>(1 << 16, n >> 2));
  const scale = <f64>B / (hi - lo);
  memory.fill(counts, 0, <usize>(B + 1) << 2);
  memory.fill(mark, 0, <usize>B << 2);
  for (let t: i32 = 0; t < n; t++) {
    let b = <i32>Math.floor((load<f64>(x + (<usize>t << 3)) - lo) * scale);
    b = b < B ? b : B - 1;
    const c = counts + (<usize>(b + 1) << 2);
    store<i32>(c, load<i32>(c) + 1);
  }
  for (let b: i32 = 0; b < B; b++) {
    const c = counts + (<usize>(b + 1) << 2);
    store<i32>(c, load<i32>(c) + load<i32>(c - 4)); // counts[b]: values in buckets below b
  }
  // the buckets the ranks fall in (bisection on the counts), marked
  for (let i: i32 = 0; i < nk; i++) {
    const k = load<i32>(ks + (<usize>i << 2));
    let b0: i32 = 0;
    let b1: i32 = B - 1;
    while (b0 < b1) {
      const mid = (b0 + b1 + 1) >> 1;
      if (load<i32>(counts + (<usize>mid << 2)) <= k) b0 = mid;
      else b1 = mid - 1;
    }
    store<i32>(mark + (<usize>b0 << 2), load<i32>(counts + (<usize>b0 << 2)) + 1); // where the bucket starts, + 1
  }
  // the marked buckets' values at their ranks (counts[b] on, advanced as they are placed)
  for (let t: i32 = 0; t < n; t++) {
    const v = load<f64>(x + (<usize>t << 3));
    let b = <i32>Math.floor((v - lo) * scale);
    b = b < B ? b : B - 1;
    if (load<i32>(mark + (<usize>b << 2)) === 0) continue;
    const c = counts + (<usize>b << 2);
    const at = load<i32>(c);
    store<f64>(pick + (<usize>at << 3), v);
    store<i32>(c, at + 1);
  }
  // a marked bucket's values are now at mark[b] − 1 .. counts[b]: sorted (insertion, a few values each)
  for (let b: i32 = 0; b < B; b++) {
    const m1 = load<i32>(mark + (<usize>b << 2));
    if (m1 === 0) continue;
    const start = m1 - 1;
    const end = load<i32>(counts + (<usize>b << 2));
    for (let i = start + 1; i < end; i++) {
      const v = load<f64>(pick + (<usize>i << 3));
      let j = i - 1;
      while (j >= start && load<f64>(pick + (<usize>j << 3)) > v) {
        store<f64>(pick + (<usize>(j + 1) << 3), load<f64>(pick + (<usize>j << 3)));
        j--;
      }
      store<f64>(pick + (<usize>(j + 1) << 3), v);
    }
  }
  for (let i: i32 = 0; i < nk; i++) store<f64>(out + (<usize>i << 3), load<f64>(pick + (<usize>load<i32>(ks + (<usize>i << 2)) << 3)));
  return 1;
}

/**
 * Fitted values, residuals and scaled residuals (src/fit/fittedAndResiduals.ts, with fittedValues'
 * sums): fitted = offset (or 0) + Σ_j X_j β_j, then each term's Z_i b_i (one column: z·b; more:
 * the row's sum from 0, added), r = y − fitted, scaled = (w ? r·√w : r) / σ. X is n × p column-major;
 * offset and w are 0 where absent; `terms` is nTerms × 4 i32 (refs, z, b, columns), out 3 × n f64.
 */
export function fittedRows(X: usize, beta: usize, p: i32, y: usize, offset: usize, w: usize, terms: usize, nTerms: i32, sigma: f64, n: i32, out: usize): void {
  const fitted = out;
  const residuals = out + (<usize>n << 3);
  const scaled = residuals + (<usize>n << 3);
  if (offset) memory.copy(fitted, offset, <usize>n << 3);
  else memory.fill(fitted, 0, <usize>n << 3);
  for (let j: i32 = 0; j < p; j++) {
    const bj = load<f64>(beta + (<usize>j << 3));
    const col = X + ((<usize>j * <usize>n) << 3);
    for (let t: i32 = 0; t < n; t++) {
      const o = <usize>t << 3;
      store<f64>(fitted + o, load<f64>(fitted + o) + load<f64>(col + o) * bj);
    }
  }
  for (let i: i32 = 0; i < nTerms; i++) {
    const d = terms + (<usize>(4 * i) << 2);
    const refs = <usize>load<i32>(d);
    const z = <usize>load<i32>(d + 4);
    const b = <usize>load<i32>(d + 8);
    const pz = load<i32>(d + 12);
    for (let t: i32 = 0; t < n; t++) {
      const o = <usize>t << 3;
      const r = load<i32>(refs + (<usize>t << 2)) * pz;
      if (pz === 1) {
        store<f64>(fitted + o, load<f64>(fitted + o) + load<f64>(z + o) * load<f64>(b + (<usize>r << 3)));
      } else {
        let s: f64 = 0;
        for (let k: i32 = 0; k < pz; k++) s += load<f64>(z + (<usize>(t * pz + k) << 3)) * load<f64>(b + (<usize>(r + k) << 3));
        store<f64>(fitted + o, load<f64>(fitted + o) + s);
      }
    }
  }
  for (let t: i32 = 0; t < n; t++) {
    const o = <usize>t << 3;
    const r = load<f64>(y + o) - load<f64>(fitted + o);
    store<f64>(residuals + o, r);
    store<f64>(scaled + o, (w ? r * Math.sqrt(load<f64>(w + o)) : r) / sigma);
  }
}

/**
 * One term's blocks of A (src/objective/assembleCrossProducts.ts's singleTermColumns, one or two
 * columns per level), in one pass over the rows in their order: each level's Z'WZ at diagOff and
 * its Z'W[X y] at valOff (i32 arrays), into A (nValues f64, cleared first). w is 0 where absent.
 */
export function termColumns(refs: usize, z: usize, X: usize, y: usize, w: usize, diagOff: usize, valOff: usize, n: i32, p: i32, pi: i32, A: usize, nValues: i32): void {
  memory.fill(A, 0, <usize>nValues << 3);
  for (let t: i32 = 0; t < n; t++) {
    const u = load<i32>(refs + (<usize>t << 2));
    const wt: f64 = w ? load<f64>(w + (<usize>t << 3)) : 1;
    const d0 = A + (<usize>load<i32>(diagOff + (<usize>u << 2)) << 3);
    let o = A + (<usize>load<i32>(valOff + (<usize>u << 2)) << 3);
    const yt = load<f64>(y + (<usize>t << 3));
    if (pi === 1) {
      const zt = load<f64>(z + (<usize>t << 3));
      store<f64>(d0, load<f64>(d0) + zt * wt * zt);
      for (let j: i32 = 0; j < p; j++, o += 8) store<f64>(o, load<f64>(o) + load<f64>(X + ((<usize>j * <usize>n + <usize>t) << 3)) * wt * zt);
      store<f64>(o, load<f64>(o) + yt * wt * zt);
    } else {
      const zz0 = load<f64>(z + (<usize>(2 * t) << 3));
      const zz1 = load<f64>(z + (<usize>(2 * t + 1) << 3));
      const z0 = zz0 * wt;
      const z1 = zz1 * wt;
      store<f64>(d0, load<f64>(d0) + z0 * zz0);
      store<f64>(d0 + 8, load<f64>(d0 + 8) + z0 * zz1);
      store<f64>(d0 + 16, load<f64>(d0 + 16) + z1 * zz0);
      store<f64>(d0 + 24, load<f64>(d0 + 24) + z1 * zz1);
      for (let j: i32 = 0; j < p; j++, o += 16) {
        const v = load<f64>(X + ((<usize>j * <usize>n + <usize>t) << 3));
        store<f64>(o, load<f64>(o) + v * z0);
        store<f64>(o + 8, load<f64>(o + 8) + v * z1);
      }
      store<f64>(o, load<f64>(o) + yt * z0);
      store<f64>(o + 8, load<f64>(o + 8) + yt * z1);
    }
  }
}

/**
 * The eliminated terms' node values of A (src/objective/assembleCrossProducts.ts's
 * eliminatedTermColumns, the same sums in its order) into A (nValues, cleared first): terms 0 … s−1
 * of the k at `terms` (four i32 each: refs, z, p, levels), level by level, each level's rows in
 * turn; a row's nonzeros after its term are the later terms' columns, X's (n × p, column-major) and
 * y. termRow (k + 1): each term's first row of A; colPtr, rowIdx, diagOff, valOff: the layout's.
 * Scratch: pos (termRow[k] + p + 1 i32), start (most levels + 1 i32), order (n i32).
 */
export function eliminatedColumns(terms: usize, k: i32, s: i32, termRow: usize, X: usize, y: usize, w: usize, n: i32, p: i32, colPtr: usize, rowIdx: usize, diagOff: usize, valOff: usize, A: usize, nValues: i32, pos: usize, start: usize, order: usize): void {
  memory.fill(A, 0, <usize>nValues << 3);
  const q = ai(termRow, k);
  for (let r: i32 = 0; r < q + p + 1; r++) store<i32>(pos + (<usize>r << 2), -1);
  let first: i32 = 0;
  for (let i: i32 = 0; i < s; i++) {
    const refs = <usize>gi(terms, 4 * i);
    const z = <usize>gi(terms, 4 * i + 1);
    const pi = gi(terms, 4 * i + 2);
    const nl = gi(terms, 4 * i + 3);
    // the rows grouped by level (a counting sort, as groupByLevel)
    for (let l: i32 = 0; l <= nl; l++) store<i32>(start + (<usize>l << 2), 0);
    for (let t: i32 = 0; t < n; t++) {
      const a = start + (<usize>(ai(refs, t) + 1) << 2);
      store<i32>(a, load<i32>(a) + 1);
    }
    for (let l: i32 = 0; l < nl; l++) store<i32>(start + (<usize>(l + 1) << 2), ai(start, l + 1) + ai(start, l));
    for (let t: i32 = 0; t < n; t++) {
      const l = ai(refs, t);
      const a = start + (<usize>l << 2);
      const at = load<i32>(a);
      store<i32>(order + (<usize>at << 2), t);
      store<i32>(a, at + 1);
    }
    // start[l] now holds level l's end: level l's rows are order[(l > 0 ? start[l − 1] : 0) .. start[l])
    let from: i32 = 0;
    for (let l: i32 = 0; l < nl; l++) {
      const to = ai(start, l);
      const u = first + l;
      const e0 = ai(colPtr, u);
      const e1 = ai(colPtr, u + 1);
      for (let e = e0; e < e1; e++) store<i32>(pos + (<usize>ai(rowIdx, e) << 2), e - e0);
      const d0 = A + (<usize>ai(diagOff, u) << 3);
      const v0 = ai(valOff, u);
      for (let si = from; si < to; si++) {
        const t = ai(order, si);
        const wt: f64 = w ? af(w, t) : 1;
        const zo = t * pi;
        for (let a: i32 = 0; a < pi; a++) {
          const za = af(z, zo + a) * wt;
          for (let b: i32 = 0; b < pi; b++) {
            const d = d0 + (<usize>(a * pi + b) << 3);
            store<f64>(d, load<f64>(d) + za * af(z, zo + b));
          }
        }
        if (i === k - 1) {
          // the last term's column is exactly [X y]
          for (let j: i32 = 0; j <= p; j++) {
            const v = (j < p ? af(X, j * n + t) : af(y, t)) * wt;
            const o = A + (<usize>(v0 + (e1 - e0 - p - 1 + j) * pi) << 3);
            for (let a: i32 = 0; a < pi; a++) store<f64>(o + (<usize>a << 3), load<f64>(o + (<usize>a << 3)) + v * af(z, zo + a));
          }
          continue;
        }
        // the row's later terms, then X and y
        for (let j = i + 1; j < k; j++) {
          const pj = gi(terms, 4 * j + 2);
          const zj = <usize>gi(terms, 4 * j + 1);
          const r0 = ai(termRow, j) + ai(<usize>gi(terms, 4 * j), t) * pj;
          for (let c: i32 = 0; c < pj; c++) {
            const rv = af(zj, t * pj + c) * wt;
            const o = A + (<usize>(v0 + ai(pos, r0 + c) * pi) << 3);
            for (let a: i32 = 0; a < pi; a++) store<f64>(o + (<usize>a << 3), load<f64>(o + (<usize>a << 3)) + rv * af(z, zo + a));
          }
        }
        for (let j: i32 = 0; j <= p; j++) {
          const rv = (j < p ? af(X, j * n + t) : af(y, t)) * wt;
          const o = A + (<usize>(v0 + ai(pos, q + j) * pi) << 3);
          for (let a: i32 = 0; a < pi; a++) store<f64>(o + (<usize>a << 3), load<f64>(o + (<usize>a << 3)) + rv * af(z, zo + a));
        }
      }
      for (let e = e0; e < e1; e++) store<i32>(pos + (<usize>ai(rowIdx, e) << 2), -1);
      from = to;
    }
    first += nl;
  }
}

/**
 * Var(b | y)'s diagonal for the nodes' levels (src/fit/conditionalVariances.ts's nodeVariances, its
 * operations in its order): for node u, X = L_Z⁻¹ E_u through u's ancestors (the smallest touched
 * node next), D = X'X (and the tail's random-effects rows through Xt, qRest × qRest), then
 * σ² T D T' per column into its term's output. desc holds the i32 fields NV_*; scratch as listed there.
 */
const NV_NNODES = 0;
const NV_TAILSTART = 1;
const NV_QREST = 2;
const NV_MAXP = 3;
const NV_NODEP = 4;
const NV_NODEROW = 5;
const NV_ROWNODE = 6;
const NV_NODETERM = 7;
const NV_TERMROW = 8;
const NV_DIAGOFF = 9;
const NV_VALOFF = 10;
const NV_COLPTR = 11;
const NV_ROWIDX = 12;
const NV_L = 13;
const NV_XT = 14;
/** Per term: its T (p × p) and its output (ℓ × p), two pointers each. */
const NV_TERMS = 15;
/** Scratch: acc ((tailStart + qRest) · maxP f64, zero), G (qRest · maxP f64), D (maxP² f64), touched (nNodes i32, zero), queue (nNodes i32), tailMark (qRest i32, zero), tailRows (qRest i32). */
const NV_ACC = 16;
const NV_G = 17;
const NV_D = 18;
const NV_TOUCHED = 19;
const NV_QUEUE = 20;
const NV_TAILMARK = 21;
const NV_TAILROWS = 22;

export function nodeVariances(desc: usize, sigma2: f64): void {
  const nNodes = gi(desc, NV_NNODES);
  const tailStart = gi(desc, NV_TAILSTART);
  const qRest = gi(desc, NV_QREST);
  const maxP = gi(desc, NV_MAXP);
  const nodeP = <usize>gi(desc, NV_NODEP);
  const nodeRow = <usize>gi(desc, NV_NODEROW);
  const rowNode = <usize>gi(desc, NV_ROWNODE);
  const nodeTerm = <usize>gi(desc, NV_NODETERM);
  const termRow = <usize>gi(desc, NV_TERMROW);
  const diagOff = <usize>gi(desc, NV_DIAGOFF);
  const valOff = <usize>gi(desc, NV_VALOFF);
  const colPtr = <usize>gi(desc, NV_COLPTR);
  const rowIdx = <usize>gi(desc, NV_ROWIDX);
  const L = <usize>gi(desc, NV_L);
  const Xt = <usize>gi(desc, NV_XT);
  const terms = <usize>gi(desc, NV_TERMS);
  const acc = <usize>gi(desc, NV_ACC);
  const G = <usize>gi(desc, NV_G);
  const D = <usize>gi(desc, NV_D);
  const touched = <usize>gi(desc, NV_TOUCHED);
  const queue = <usize>gi(desc, NV_QUEUE);
  const tailMark = <usize>gi(desc, NV_TAILMARK);
  const tailRows = <usize>gi(desc, NV_TAILROWS);
  const end = tailStart + qRest;
  for (let u: i32 = 0; u < nNodes; u++) {
    const pu = ai(nodeP, u);
    for (let a: i32 = 0; a < pu * pu; a++) sf(D, a, 0);
    for (let a: i32 = 0; a < pu; a++) sf(acc, (ai(nodeRow, u) + a) * maxP + a, 1);
    let nq: i32 = 1;
    store<i32>(queue, u);
    store<i32>(touched + (<usize>u << 2), 1);
    let nTail: i32 = 0;
    while (nq > 0) {
      // the smallest touched node next: the updates only go forward
      let qi: i32 = 0;
      for (let i: i32 = 1; i < nq; i++) if (ai(queue, i) < ai(queue, qi)) qi = i;
      const v = ai(queue, qi);
      store<i32>(queue + (<usize>qi << 2), ai(queue, nq - 1));
      nq--;
      store<i32>(touched + (<usize>v << 2), 0);
      const pv = ai(nodeP, v);
      const rv = ai(nodeRow, v);
      const dv = ai(diagOff, v);
      // X_v = L_vv⁻¹ acc_v, column by column
      for (let c: i32 = 0; c < pu; c++) {
        for (let a: i32 = 0; a < pv; a++) {
          let sum = af(acc, (rv + a) * maxP + c);
          for (let b: i32 = 0; b < a; b++) sum -= af(L, dv + a * pv + b) * af(acc, (rv + b) * maxP + c);
          sf(acc, (rv + a) * maxP + c, sum / af(L, dv + a * pv + a));
        }
      }
      for (let a: i32 = 0; a < pu; a++)
        for (let c: i32 = 0; c < pu; c++) {
          for (let r: i32 = 0; r < pv; r++) sf(D, a * pu + c, af(D, a * pu + c) + af(acc, (rv + r) * maxP + a) * af(acc, (rv + r) * maxP + c));
        }
      // push −L_ev X_v to the rows below (random-effects rows only)
      const e0 = ai(colPtr, v);
      const e1 = ai(colPtr, v + 1);
      for (let e = e0; e < e1; e++) {
        const re = ai(rowIdx, e);
        if (re >= end) break;
        const o = ai(valOff, v) + (e - e0) * pv;
        for (let c: i32 = 0; c < pu; c++) {
          let sum: f64 = 0;
          for (let r: i32 = 0; r < pv; r++) sum += af(L, o + r) * af(acc, (rv + r) * maxP + c);
          sf(acc, re * maxP + c, af(acc, re * maxP + c) - sum);
        }
        if (re < tailStart) {
          const w = ai(rowNode, re);
          if (!ai(touched, w)) {
            store<i32>(touched + (<usize>w << 2), 1);
            store<i32>(queue + (<usize>nq << 2), w);
            nq++;
          }
        } else if (!ai(tailMark, re - tailStart)) {
          store<i32>(tailMark + (<usize>(re - tailStart) << 2), 1);
          store<i32>(tailRows + (<usize>nTail << 2), re - tailStart);
          nTail++;
        }
      }
      for (let r: i32 = 0; r < pv; r++) for (let c: i32 = 0; c < pu; c++) sf(acc, (rv + r) * maxP + c, 0);
    }
    if (nTail > 0) {
      // the rows ascending (an insertion sort: few rows)
      for (let i: i32 = 1; i < nTail; i++) {
        const x = ai(tailRows, i);
        let j = i - 1;
        while (j >= 0 && ai(tailRows, j) > x) {
          store<i32>(tailRows + (<usize>(j + 1) << 2), ai(tailRows, j));
          j--;
        }
        store<i32>(tailRows + (<usize>(j + 1) << 2), x);
      }
      // G = LZinv[:, rows] · rhs (columns of the inverse, contiguous in Xt); D += G'G
      for (let i: i32 = 0; i < qRest * pu; i++) sf(G, i, 0);
      for (let k: i32 = 0; k < nTail; k++) {
        const r = ai(tailRows, k);
        const xr = r * qRest;
        for (let c: i32 = 0; c < pu; c++) {
          const v = af(acc, (tailStart + r) * maxP + c);
          if (v === 0) continue;
          for (let i = r; i < qRest; i++) sf(G, i * pu + c, af(G, i * pu + c) + af(Xt, xr + i) * v);
        }
      }
      const r0 = ai(tailRows, 0);
      for (let a: i32 = 0; a < pu; a++)
        for (let c: i32 = 0; c < pu; c++) {
          let sum: f64 = 0;
          for (let i = r0; i < qRest; i++) sum += af(G, i * pu + a) * af(G, i * pu + c);
          sf(D, a * pu + c, af(D, a * pu + c) + sum);
        }
      for (let k: i32 = 0; k < nTail; k++) {
        const r = ai(tailRows, k);
        store<i32>(tailMark + (<usize>r << 2), 0);
        for (let c: i32 = 0; c < pu; c++) sf(acc, (tailStart + r) * maxP + c, 0);
      }
    }
    // σ² T D T' on the diagonal, into the term's output at the level's row
    const i = ai(nodeTerm, u);
    const T = <usize>gi(terms, 2 * i);
    const out = <usize>gi(terms, 2 * i + 1);
    const l = (ai(nodeRow, u) - ai(termRow, i)) / pu;
    for (let r: i32 = 0; r < pu; r++) {
      let sum: f64 = 0;
      for (let a: i32 = 0; a <= r; a++) for (let b: i32 = 0; b <= r; b++) sum += af(T, r * pu + a) * af(D, a * pu + b) * af(T, r * pu + b);
      sf(out, l * pu + r, sigma2 * sum);
    }
  }
}

/**
 * The model frame's magnitude check (src/model/checkValues.ts's checkMagnitude): the first index
 * of the largest |x_t| over n entries (NaN never largest), or −1 where every entry is 0 or NaN.
 */
export function maxAbsAt(x: usize, n: i32): i32 {
  let max: f64 = 0;
  let at: i32 = -1;
  for (let t: i32 = 0; t < n; t++) {
    const a = Math.abs(load<f64>(x + (<usize>t << 3)));
    if (a > max) {
      max = a;
      at = t;
    }
  }
  return at;
}

/**
 * X'X's lower triangle for the rank test (src/model/rankDeficiency.ts): G[i·p + j] (j ≤ i) is the
 * dot product of columns i and j of X (n × p, column-major), in src/model/dotProduct.ts's order.
 */
export function gram(X: usize, n: i32, p: i32, G: usize): void {
  for (let i: i32 = 0; i < p; i++)
    for (let j: i32 = 0; j <= i; j++) sf(G, i * p + j, dot4(X + ((<usize>i * <usize>n) << 3), X + ((<usize>j * <usize>n) << 3), n));
}

/**
 * The model frame's index of a column of whole numbers in a narrow range (src/model/
 * ModelFrameSource.ts's smallIntegerIndex): over the rows at `rows` (n i32) of the column x, the
 * distinct values in order of first appearance into keys (f64) and each row's index among them
 * into firstSeen (i32); slot: scratch of 4n + 1024 i32. Returns the number of distinct values, or
 * −1 where a value is not a whole number or the range is too wide (the caller then uses a Map).
 */
export function smallIntegers(x: usize, rows: usize, n: i32, slot: usize, keys: usize, firstSeen: usize): i32 {
  let min: f64 = Infinity;
  let max: f64 = -Infinity;
  for (let k: i32 = 0; k < n; k++) {
    const v = af(x, ai(rows, k));
    if (!(v - v === 0) || Math.floor(v) !== v) return -1;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!(max - min < <f64>(4 * n + 1024))) return -1;
  const size = <i32>(max - min) + 1;
  for (let i: i32 = 0; i < size; i++) store<i32>(slot + (<usize>i << 2), -1);
  let count: i32 = 0;
  for (let k: i32 = 0; k < n; k++) {
    const v = af(x, ai(rows, k));
    const at = slot + (<usize>(<i32>(v - min)) << 2);
    let i = load<i32>(at);
    if (i < 0) {
      i = count++;
      store<i32>(at, i);
      sf(keys, i, v);
    }
    store<i32>(firstSeen + (<usize>k << 2), i);
  }
  return count;
}

/**
 * nlme's containment tests of src/fit/containmentDf.ts for the columns of X (n × p, column-major):
 * at flags + j, 1 where column j is constant (every value within 1.5e-8 of the first, relative,
 * or 0 where that is), for the nGroups groupings (refs: i32 pointers at groups, levels at nls),
 * at flags + p + g·p + j, 1 where column j takes more than one value within a group of g (first:
 * scratch of the most levels, f64). Constant columns are not tested within groups (0).
 */
export function constancy(X: usize, n: i32, p: i32, groups: usize, nls: usize, nGroups: i32, flags: usize, first: usize): void {
  const tol = Math.sqrt(2.220446049250313e-16);
  for (let j: i32 = 0; j < p; j++) {
    const x = X + ((<usize>j * <usize>n) << 3);
    const x0 = load<f64>(x);
    let constant: i32 = 1;
    for (let i: i32 = 0; i < n; i++) {
      const v = load<f64>(x + (<usize>i << 3));
      if (!(Math.abs(x0 === 0 ? v : v / x0 - 1) < tol)) {
        constant = 0;
        break;
      }
    }
    store<i32>(flags + (<usize>j << 2), constant);
    for (let g: i32 = 0; g < nGroups; g++) {
      let varies: i32 = 0;
      if (!constant) {
        const refs = <usize>load<i32>(groups + (<usize>g << 2));
        const nl = load<i32>(nls + (<usize>g << 2));
        for (let l: i32 = 0; l < nl; l++) store<f64>(first + (<usize>l << 3), NaN);
        for (let t: i32 = 0; t < n; t++) {
          const gl = first + (<usize>load<i32>(refs + (<usize>t << 2)) << 3);
          const v = load<f64>(x + (<usize>t << 3));
          const f = load<f64>(gl);
          if (isNaN(f)) store<f64>(gl, v);
          else if (f !== v) {
            varies = 1;
            break;
          }
        }
      }
      store<i32>(flags + (<usize>(p + g * p + j) << 2), varies);
    }
  }
}
