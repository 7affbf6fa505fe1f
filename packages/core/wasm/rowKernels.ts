// AssemblyScript source of the WebAssembly row kernels of PIRLS (src/glmm/rowKernelsWasm.ts): μ and the
// deviance, the working weights and response, for the binomial logit and the Poisson log models, two
// rows at a time in f64x2 SIMD lanes, with exp and log computed in the lanes (Cody–Waite reduction
// and a degree-13 Taylor polynomial for exp; fdlibm's log), within 2 ulp of the platform's; and the
// scatter of the working weights and response into A (src/glmm/workingCrossProducts.ts's plan); η's
// gathers (scalar terms' effects, Xβ from the distinct rows of X).
// Built by scripts/build-wasm.mjs into src/glmm/rowKernelsWasm.ts (the module's bytes, base64); run
// that script after editing this file.
//
// The arrays live in the module's memory at byte addresses past base() that the caller chooses,
// each 16-byte aligned; the rows' arrays are padded to an even length n (a padding row has weight 0).

const LOG2E: f64 = 1.4426950408889634;
const LN2HI: f64 = 6.93147180369123816490e-1;
const LN2LO: f64 = 1.90821492927058770002e-10;
/** 1.5 · 2^52: adding it rounds to a whole number held in the low bits. */
const MAGIC: f64 = 6755399441055744.0;
const EPS: f64 = 2.220446049250313e-16;
/** log(1 / EPS): R's logit link replaces |η| > 30 by this. */
const LOG_INV_EPS: f64 = 36.04365338911715;

/** Address of the first byte of the module's free memory (16-byte aligned). */
export function base(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}

/** e^x in both lanes, for −708 ≤ x ≤ 709. */
// @ts-ignore: decorator
@inline function vexp(x: v128): v128 {
  const k = f64x2.nearest(f64x2.mul(x, f64x2.splat(LOG2E)));
  let r = f64x2.sub(x, f64x2.mul(k, f64x2.splat(LN2HI)));
  r = f64x2.sub(r, f64x2.mul(k, f64x2.splat(LN2LO)));
  let p = f64x2.splat(1.0 / 6227020800.0);
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 479001600.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 39916800.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 3628800.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 362880.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 40320.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 5040.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 720.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 120.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 24.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 6.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(0.5));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0));
  // 2^k from k's bits: k + MAGIC holds k in its low bits
  const ki = i64x2.sub(f64x2.add(k, f64x2.splat(MAGIC)), f64x2.splat(MAGIC));
  return f64x2.mul(p, i64x2.shl(i64x2.add(ki, i64x2.splat(1023)), 52));
}

/** log x in both lanes, for positive normal x (fdlibm's e_log: x = 2^k (1 + f), log(1 + f) by s = f / (2 + f)). */
// @ts-ignore: decorator
@inline function vlog(x: v128): v128 {
  let e = i64x2.sub(i64x2.shr_u(x, 52), i64x2.splat(1023));
  let m = v128.or(v128.and(x, i64x2.splat(0x000fffffffffffff)), i64x2.splat(0x3ff0000000000000));
  const big = f64x2.gt(m, f64x2.splat(1.4142135623730951));
  m = v128.bitselect(f64x2.mul(m, f64x2.splat(0.5)), m, big);
  e = i64x2.sub(e, big); // the lanes of `big` are −1 where true
  const k = f64x2.sub(i64x2.add(e, f64x2.splat(MAGIC)), f64x2.splat(MAGIC));
  const f = f64x2.sub(m, f64x2.splat(1.0));
  const s = f64x2.div(f, f64x2.add(f64x2.splat(2.0), f));
  const z = f64x2.mul(s, s);
  let R = f64x2.splat(1.479819860511658591e-1);
  R = f64x2.add(f64x2.mul(R, z), f64x2.splat(1.531383769920937332e-1));
  R = f64x2.add(f64x2.mul(R, z), f64x2.splat(1.818357216161805012e-1));
  R = f64x2.add(f64x2.mul(R, z), f64x2.splat(2.222219843214978396e-1));
  R = f64x2.add(f64x2.mul(R, z), f64x2.splat(2.857142874366239149e-1));
  R = f64x2.add(f64x2.mul(R, z), f64x2.splat(3.999999999940941908e-1));
  R = f64x2.add(f64x2.mul(R, z), f64x2.splat(6.666666666666735130e-1));
  R = f64x2.mul(R, z);
  const hfsq = f64x2.mul(f64x2.splat(0.5), f64x2.mul(f, f));
  const t = f64x2.add(f64x2.mul(s, f64x2.add(hfsq, R)), f64x2.mul(k, f64x2.splat(LN2LO)));
  return f64x2.sub(f64x2.mul(k, f64x2.splat(LN2HI)), f64x2.sub(f64x2.sub(hfsq, t), f));
}

/**
 * Two rows of the binomial logit: μ (R's guard: |η| > 30 is taken as ±log(1/ε)) and the deviance
 * 2 w (c + log(1 + e^−|η|) + y max(−η, 0) + (1 − y) max(η, 0)), where c = y log y + (1 − y) log(1 − y)
 * (0 for y = 0 or 1): the same as −2 w (y log μ + (1 − y) log(1 − μ)) + 2 w c, without the
 * cancellation of log μ near μ = 1.
 */
// @ts-ignore: decorator
@inline function logitPair(eta: usize, y: usize, pw: usize, c: usize, mu: usize, o: usize): v128 {
  const e = v128.load(eta + o);
  const below = f64x2.lt(e, f64x2.splat(-30.0));
  const above = f64x2.gt(e, f64x2.splat(30.0));
  let g = v128.bitselect(f64x2.splat(-LOG_INV_EPS), e, below);
  g = v128.bitselect(f64x2.splat(LOG_INV_EPS), g, above);
  const a = v128.bitselect(f64x2.splat(EPS), vexp(f64x2.neg(f64x2.abs(g))), v128.or(below, above));
  const onePlus = f64x2.add(f64x2.splat(1.0), a);
  const positive = f64x2.ge(g, f64x2.splat(0.0));
  v128.store(mu + o, f64x2.div(v128.bitselect(f64x2.splat(1.0), a, positive), onePlus));
  const yt = v128.load(y + o);
  const zero = f64x2.splat(0.0);
  let d = f64x2.add(v128.load(c + o), vlog(onePlus));
  d = f64x2.add(d, f64x2.mul(yt, f64x2.max(f64x2.neg(g), zero)));
  d = f64x2.add(d, f64x2.mul(f64x2.sub(f64x2.splat(1.0), yt), f64x2.max(g, zero)));
  return f64x2.mul(f64x2.mul(f64x2.splat(2.0), v128.load(pw + o)), d);
}

/** d, also stored at each + o where each is not 0 (the rows' deviance residuals, squared). */
// @ts-ignore: decorator
@inline function kept(d: v128, each: usize, o: usize): v128 {
  if (each) v128.store(each + o, d);
  return d;
}

/** μ into mu and the deviance Σ d_i of the binomial logit over n rows (n even; see `logitPair`), each d_i into `each` unless it is 0. */
export function logitMuDeviance(eta: usize, y: usize, pw: usize, c: usize, mu: usize, each: usize, n: i32): f64 {
  let acc0 = f64x2.splat(0.0);
  let acc1 = f64x2.splat(0.0);
  let t: i32 = 0;
  // two pairs per pass, so that the two chains of arithmetic overlap
  for (; t + 3 < n; t += 4) {
    const o = <usize>t << 3;
    acc0 = f64x2.add(acc0, kept(logitPair(eta, y, pw, c, mu, o), each, o));
    acc1 = f64x2.add(acc1, kept(logitPair(eta, y, pw, c, mu, o + 16), each, o + 16));
  }
  if (t < n) acc0 = f64x2.add(acc0, kept(logitPair(eta, y, pw, c, mu, <usize>t << 3), each, <usize>t << 3));
  const acc = f64x2.add(acc0, acc1);
  return f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
}

/** The binomial logit's working weights and response (`RowKernel.working`), n even. */
export function logitWorking(eta: usize, mu: usize, y: usize, pw: usize, fixed: usize, w: usize, z: usize, n: i32): void {
  for (let t: i32 = 0; t < n; t += 2) {
    const o = <usize>t << 3;
    const e = v128.load(eta + o);
    const m = v128.load(mu + o);
    const v = f64x2.mul(m, f64x2.sub(f64x2.splat(1.0), m));
    const guard = v128.or(f64x2.gt(e, f64x2.splat(30.0)), f64x2.lt(e, f64x2.splat(-30.0)));
    const d = v128.bitselect(f64x2.splat(EPS), v, guard);
    v128.store(w + o, f64x2.div(f64x2.mul(f64x2.mul(v128.load(pw + o), d), d), v));
    const r = f64x2.div(f64x2.sub(v128.load(y + o), m), d);
    v128.store(z + o, f64x2.add(f64x2.sub(e, v128.load(fixed + o)), r));
  }
}

/** Two rows of the Poisson log model: μ = max(e^η, ε) and the deviance 2 w (y log(y/μ) − (y − μ)), or 2 μ w for y = 0. */
// @ts-ignore: decorator
@inline function poissonPair(eta: usize, y: usize, pw: usize, mu: usize, o: usize): v128 {
  const e = v128.load(eta + o);
  const x = vexp(f64x2.min(f64x2.max(e, f64x2.splat(-708.0)), f64x2.splat(709.0)));
  // beyond 709, e^η overflows, as Math.exp does
  const m = f64x2.max(v128.bitselect(f64x2.splat(Infinity), x, f64x2.gt(e, f64x2.splat(709.0))), f64x2.splat(EPS));
  v128.store(mu + o, m);
  const yt = v128.load(y + o);
  const wt = v128.load(pw + o);
  const counted = f64x2.gt(yt, f64x2.splat(0.0));
  const ratio = v128.bitselect(f64x2.div(yt, m), f64x2.splat(1.0), counted);
  const pos = f64x2.mul(f64x2.mul(f64x2.splat(2.0), wt), f64x2.sub(f64x2.mul(yt, vlog(ratio)), f64x2.sub(yt, m)));
  return v128.bitselect(pos, f64x2.mul(f64x2.splat(2.0), f64x2.mul(m, wt)), counted);
}

/** μ into mu and the deviance Σ d_i of the Poisson log model over n rows (n even), each d_i into `each` unless it is 0. */
export function poissonMuDeviance(eta: usize, y: usize, pw: usize, mu: usize, each: usize, n: i32): f64 {
  let acc0 = f64x2.splat(0.0);
  let acc1 = f64x2.splat(0.0);
  let t: i32 = 0;
  for (; t + 3 < n; t += 4) {
    const o = <usize>t << 3;
    acc0 = f64x2.add(acc0, kept(poissonPair(eta, y, pw, mu, o), each, o));
    acc1 = f64x2.add(acc1, kept(poissonPair(eta, y, pw, mu, o + 16), each, o + 16));
  }
  if (t < n) acc0 = f64x2.add(acc0, kept(poissonPair(eta, y, pw, mu, <usize>t << 3), each, <usize>t << 3));
  const acc = f64x2.add(acc0, acc1);
  return f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
}

/** The Poisson log model's working weights and response (`RowKernel.working`), n even. */
export function poissonWorking(eta: usize, mu: usize, y: usize, pw: usize, fixed: usize, w: usize, z: usize, n: i32): void {
  for (let t: i32 = 0; t < n; t += 2) {
    const o = <usize>t << 3;
    const m = v128.load(mu + o);
    v128.store(w + o, f64x2.div(f64x2.mul(f64x2.mul(v128.load(pw + o), m), m), m));
    const r = f64x2.div(f64x2.sub(v128.load(y + o), m), m);
    v128.store(z + o, f64x2.add(f64x2.sub(v128.load(eta + o), v128.load(fixed + o)), r));
  }
}

/**
 * A's products with the working weights (src/glmm/workingCrossProducts.ts's scatter plan): for each
 * row t, buf[ones[k]] += w_t over onesPtr[t] .. onesPtr[t + 1], then buf[at[k]] += w_t value[k] over
 * pairPtr[t] .. pairPtr[t + 1]; the same sums in the same order as the TypeScript loop. buf, w,
 * value: f64; onesPtr, ones, pairPtr, at: i32.
 */
export function scatterWeights(buf: usize, w: usize, n: i32, onesPtr: usize, ones: usize, pairPtr: usize, at: usize, value: usize): void {
  let o0 = load<i32>(onesPtr);
  let p0 = load<i32>(pairPtr);
  for (let t: i32 = 0; t < n; t++) {
    const wt = load<f64>(w + (<usize>t << 3));
    const o1 = load<i32>(onesPtr + (<usize>(t + 1) << 2));
    for (let k = o0; k < o1; k++) {
      const a = buf + (<usize>load<i32>(ones + (<usize>k << 2)) << 3);
      store<f64>(a, load<f64>(a) + wt);
    }
    o0 = o1;
    const p1 = load<i32>(pairPtr + (<usize>(t + 1) << 2));
    for (let k = p0; k < p1; k++) {
      const a = buf + (<usize>load<i32>(at + (<usize>k << 2)) << 3);
      store<f64>(a, load<f64>(a) + wt * load<f64>(value + (<usize>k << 3)));
    }
    p0 = p1;
  }
}

/**
 * The response's products with Z (the plan's zPtr, zat, zvalue; zvalue ignored where `ones`): for
 * each row t, buf[zat[k]] += w_t z_t (times zvalue[k]); returns Σ_t (w_t z_t) z_t. The same sums in
 * the same order as the TypeScript loop.
 */
export function scatterResponse(buf: usize, w: usize, z: usize, n: i32, zPtr: usize, zat: usize, zvalue: usize, ones: i32): f64 {
  let zz: f64 = 0.0;
  let k0 = load<i32>(zPtr);
  for (let t: i32 = 0; t < n; t++) {
    const zt = load<f64>(z + (<usize>t << 3));
    const wz = load<f64>(w + (<usize>t << 3)) * zt;
    const k1 = load<i32>(zPtr + (<usize>(t + 1) << 2));
    if (ones) {
      for (let k = k0; k < k1; k++) {
        const a = buf + (<usize>load<i32>(zat + (<usize>k << 2)) << 3);
        store<f64>(a, load<f64>(a) + wz);
      }
    } else {
      for (let k = k0; k < k1; k++) {
        const a = buf + (<usize>load<i32>(zat + (<usize>k << 2)) << 3);
        store<f64>(a, load<f64>(a) + wz * load<f64>(zvalue + (<usize>k << 3)));
      }
    }
    k0 = k1;
    zz += wz * zt;
  }
  return zz;
}

/** out[t] = src[t] + b[refs[t]] over n rows (out may be src): a scalar term's effects, or Xβ from the distinct rows of X. out, src, b: f64; refs: i32. */
export function gatherAdd(out: usize, src: usize, refs: usize, b: usize, n: i32): void {
  for (let t: i32 = 0; t < n; t++) {
    const o = <usize>t << 3;
    store<f64>(out + o, load<f64>(src + o) + load<f64>(b + (<usize>load<i32>(refs + (<usize>t << 2)) << 3)));
  }
}

/** out[t] += z[t] b[refs[t]] over n rows: a scalar term's effects where its column z is not all ones. */
export function gatherAddScaled(out: usize, z: usize, refs: usize, b: usize, n: i32): void {
  for (let t: i32 = 0; t < n; t++) {
    const o = <usize>t << 3;
    store<f64>(out + o, load<f64>(out + o) + load<f64>(z + o) * load<f64>(b + (<usize>load<i32>(refs + (<usize>t << 2)) << 3)));
  }
}
