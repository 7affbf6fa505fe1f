// AssemblyScript source of BOBYQA's iteration in WebAssembly (src/optim/wasmBobyqb.ts runs it): BOBYQB,
// PRELIM, TRSBOX, ALTMOV, RESCUE and UPDATE of src/optim/bobyqa.ts, the same operations in the same
// order (scalar f64, no fused or reassociated arithmetic), so its iterates are those of the TypeScript
// to the bit. Built by scripts/build-wasm.mjs into src/optim/bobyqaWasm.ts (the module's bytes,
// base64); run that script after editing this file.
//
// Memory past base(): a 16-byte header (the i32 flag `cancelled`, set by the caller's evaluate), then
// the caller's inputs XL, XU, SL, SU, XBASE (n f64 each), the point to evaluate (n f64), then the
// working arrays, laid out by `layout` from n and npt. The objective is the import `env.evaluate`: it
// evaluates f at the point and returns the (finite) value. Arrays are flat and 0-based as in
// src/optim/bobyqa.ts; Powell's labels name the states of bobyqb. Its loops without a condition are
// `while (true)`: asc 0.28 misreads the flow of a `for (;;)` whose body has a `continue`, and drops the
// code after the loop.

/** evaluate(): f at the point (the n f64 at `point()`), never NaN or Infinity; sets the header's flag when cancelled. */
// @ts-ignore: decorator
@external("env", "evaluate") declare function evaluate(): f64;

/** Status codes returned by `run` (src/optim/wasmBobyqb.ts's `BobyqbStatus`). */
const CONVERGED: i32 = 0;
const MAXFUN: i32 = 1;
const CANCELLED: i32 = 2;
const FTOL: i32 = 3;
const ROUNDOFF_STEP: i32 = 4;
const ROUNDOFF_DENOMINATOR: i32 = 5;
const ROUNDOFF_VQUAD: i32 = 6;
const ROUNDOFF_NO_REDUCTION: i32 = 7;
const ROUNDOFF_H: i32 = 8;
/** Internal: a subroutine finished normally. */
const OK: i32 = -1;

/** Bits of `visited()`: the stages the last run went through. */
const V_SHIFT_BASE: i32 = 1;
const V_ALTMOV: i32 = 2;
const V_CAUCHY: i32 = 4;
const V_RESCUE: i32 = 8;
const V_ROTATIONS: i32 = 16;
const V_FROBENIUS: i32 = 32;
const V_RESCUE_EVALUATES: i32 = 64;
const V_RESCUE_POSTPONES: i32 = 128;

const HEADER: usize = 16;

let n: i32 = 0;
let npt: i32 = 0;
let nptm: i32 = 0;
let ndim: i32 = 0;
let nh: i32 = 0;
/** Calls of evaluate so far (the caller's count, kept in step). */
let count: i32 = 0;
let maxfun: f64 = 0;
let cancelled: bool = false;
let visits: i32 = 0;

// Array addresses (see `layout`).
let pXl: usize = 0;
let pXu: usize = 0;
let pSl: usize = 0;
let pSu: usize = 0;
let pXbase: usize = 0;
let pPoint: usize = 0;
let pXpt: usize = 0;
let pFval: usize = 0;
let pXopt: usize = 0;
let pGopt: usize = 0;
let pHq: usize = 0;
let pPq: usize = 0;
let pBmat: usize = 0;
let pZmat: usize = 0;
let pXnew: usize = 0;
let pXalt: usize = 0;
let pD: usize = 0;
let pVlag: usize = 0;
let pW: usize = 0;
let pGnew: usize = 0;
let pXbdi: usize = 0;
let pS: usize = 0;
let pHs: usize = 0;
let pHred: usize = 0;
let pGlag: usize = 0;
let pHcol: usize = 0;
let pWalt: usize = 0;
let pAux1: usize = 0;
let pAux2: usize = 0;
let pPtsP: usize = 0;
let pPtsQ: usize = 0;
let pProv: usize = 0;
let pRw: usize = 0;
let pWdist: usize = 0;

// Secondary results of the subroutines.
let gKopt: i32 = 0;
let gDsq: f64 = 0;
let gCrvmin: f64 = 0;
let gAlpha: f64 = 0;
let gCauchy: f64 = 0;

/** Address of the first byte of the module's free memory (16-byte aligned): the header goes there. */
export function base(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}

/** Address of the point to evaluate (n f64), after the header and the inputs XL, XU, SL, SU, XBASE. */
export function point(nIn: i32): usize {
  return base() + HEADER + ((<usize>nIn * 5) << 3);
}

/** The stages the last run went through (bits: shift of XBASE 1, ALTMOV 2, its Cauchy step taken 4, RESCUE 8, TRSBOX's rotations 16, the least Frobenius norm model 32, RESCUE evaluating 64, RESCUE postponing a point 128). */
export function visited(): i32 {
  return visits;
}

// @ts-ignore: decorator
@inline function ld(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}

// @ts-ignore: decorator
@inline function st(p: usize, i: i32, v: f64): void {
  store<f64>(p + (<usize>i << 3), v);
}

// @ts-ignore: decorator
@inline function ldi(p: usize, i: i32): i32 {
  return load<i32>(p + (<usize>i << 2));
}

// @ts-ignore: decorator
@inline function sti(p: usize, i: i32, v: i32): void {
  store<i32>(p + (<usize>i << 2), v);
}

/** Sets the array addresses for n variables and npt points; returns the end of the last array. */
export function layout(nIn: i32, nptIn: i32): usize {
  n = nIn;
  npt = nptIn;
  nptm = npt - n - 1;
  ndim = npt + n;
  nh = (n * (n + 1)) / 2;
  let p = base() + HEADER;
  pXl = p; p += <usize>n << 3;
  pXu = p; p += <usize>n << 3;
  pSl = p; p += <usize>n << 3;
  pSu = p; p += <usize>n << 3;
  pXbase = p; p += <usize>n << 3;
  pPoint = p; p += <usize>n << 3;
  pXpt = p; p += <usize>(npt * n) << 3;
  pFval = p; p += <usize>npt << 3;
  pXopt = p; p += <usize>n << 3;
  pGopt = p; p += <usize>n << 3;
  pHq = p; p += <usize>nh << 3;
  pPq = p; p += <usize>npt << 3;
  pBmat = p; p += <usize>(ndim * n) << 3;
  pZmat = p; p += <usize>(npt * nptm) << 3;
  pXnew = p; p += <usize>n << 3;
  pXalt = p; p += <usize>n << 3;
  pD = p; p += <usize>n << 3;
  pVlag = p; p += <usize>ndim << 3;
  pW = p; p += <usize>(2 * ndim) << 3;
  pGnew = p; p += <usize>n << 3;
  pXbdi = p; p += <usize>n << 3;
  pS = p; p += <usize>n << 3;
  pHs = p; p += <usize>n << 3;
  pHred = p; p += <usize>n << 3;
  pGlag = p; p += <usize>n << 3;
  pHcol = p; p += <usize>npt << 3;
  pWalt = p; p += <usize>(2 * n) << 3;
  pAux1 = p; p += <usize>n << 3;
  pAux2 = p; p += <usize>n << 3;
  pRw = p; p += <usize>ndim << 3;
  pWdist = p; p += <usize>npt << 3;
  pPtsP = p; p += <usize>npt << 2;
  pPtsQ = p; p += <usize>npt << 2;
  pProv = p; p += <usize>npt << 2;
  return p;
}

/**
 * Runs BOBYQB for n variables and npt points on the inputs in memory (XL, XU, SL, SU, XBASE; the
 * working arrays are cleared first); `count0` evaluations made before, at most `maxfunIn` in all.
 * Returns the status code.
 */
export function run(nIn: i32, nptIn: i32, rhobeg: f64, rhoend: f64, ftolAbs: f64, maxfunIn: f64, count0: i32): i32 {
  const end = layout(nIn, nptIn);
  memory.fill(pXpt, 0, end - pXpt);
  store<i32>(base(), 0);
  count = count0;
  maxfun = maxfunIn;
  cancelled = false;
  visits = 0;
  return bobyqb(rhobeg, rhoend, ftolAbs);
}

/** f at the point, counted; notes a cancellation. */
function call(): f64 {
  count++;
  const f = evaluate();
  cancelled = load<i32>(base()) != 0;
  return f;
}

/** Index of element (i, j) of a symmetric n x n matrix stored as a packed lower triangle. */
// @ts-ignore: decorator
@inline function hqIndex(i: i32, j: i32): i32 {
  return i <= j ? (j * (j + 1)) / 2 + i : (i * (i + 1)) / 2 + j;
}

/** The point xbase + xrel clipped to [xl, xu], exactly on a bound where xrel equals sl or su. */
function pointFromBase(xrel: usize, off: i32, out: usize): void {
  for (let j = 0; j < n; j++) {
    const r = ld(xrel, off + j);
    st(out, j, Math.min(Math.max(ld(pXl, j), ld(pXbase, j) + r), ld(pXu, j)));
    if (r == ld(pSl, j)) st(out, j, ld(pXl, j));
    if (r == ld(pSu, j)) st(out, j, ld(pXu, j));
  }
}

/** hs = (HQ + sum_k PQ(k) x_k x_k^T) s, the product of the model Hessian with s. */
function hessMul(s: usize, hs: usize): void {
  for (let i = 0; i < n; i++) st(hs, i, 0);
  let ih = 0;
  for (let j = 0; j < n; j++) {
    for (let i = 0; i <= j; i++) {
      if (i < j) st(hs, j, ld(hs, j) + ld(pHq, ih) * ld(s, i));
      st(hs, i, ld(hs, i) + ld(pHq, ih) * ld(s, j));
      ih++;
    }
  }
  for (let k = 0; k < npt; k++) {
    if (ld(pPq, k) != 0) {
      let temp: f64 = 0;
      for (let j = 0; j < n; j++) temp += ld(pXpt, k * n + j) * ld(s, j);
      temp *= ld(pPq, k);
      for (let i = 0; i < n; i++) st(hs, i, ld(hs, i) + temp * ld(pXpt, k * n + i));
    }
  }
}

/** BOBYQB: the main trust-region iteration, a state machine whose states carry Powell's label numbers. */
function bobyqb(rhobeg: f64, rhoend: f64, ftolAbs: f64): i32 {
  const xpt = pXpt;
  const fval = pFval;
  const xopt = pXopt;
  const gopt = pGopt;
  const hq = pHq;
  const pq = pPq;
  const bmat = pBmat;
  const zmat = pZmat;
  const sl = pSl;
  const su = pSu;
  const xbase = pXbase;
  const xnew = pXnew;
  const xalt = pXalt;
  const d = pD;
  const vlag = pVlag;
  const w = pW;
  const gnew = pGnew;

  const pre = prelim(rhobeg);
  let kopt = gKopt;
  let xoptsq: f64 = 0;
  for (let i = 0; i < n; i++) {
    st(xopt, i, ld(xpt, kopt * n + i));
    xoptsq += ld(xopt, i) * ld(xopt, i);
  }
  if (pre != OK) return pre;
  let kbase = 0;

  let rho = rhobeg;
  let delta = rho;
  let nresc = count;
  let ntrits = 0;
  let diffa: f64 = 0;
  let diffb: f64 = 0;
  let diffc: f64 = 0;
  let itest = 0;
  let nfsav = count;

  let knew = 0;
  let dsq: f64 = 0;
  let crvmin: f64 = 0;
  let dnorm: f64 = 0;
  let distsq: f64 = 0;
  let ratio: f64 = 0;
  let adelt: f64 = 0;
  let alpha: f64 = 0;
  let cauchy: f64 = 0;
  let beta: f64 = 0;
  let denom: f64 = 0;
  let vquad: f64 = 0;

  let next = 20;
  while (true) {
    switch (next) {
      case 20: {
        // Update GOPT to the gradient at XOPT if KOPT moved before the first iteration or in RESCUE.
        if (kopt != kbase) {
          let ih = 0;
          for (let j = 0; j < n; j++) {
            for (let i = 0; i <= j; i++) {
              if (i < j) st(gopt, j, ld(gopt, j) + ld(hq, ih) * ld(xopt, i));
              st(gopt, i, ld(gopt, i) + ld(hq, ih) * ld(xopt, j));
              ih++;
            }
          }
          if (count > npt) {
            for (let k = 0; k < npt; k++) {
              let temp: f64 = 0;
              for (let j = 0; j < n; j++) temp += ld(xpt, k * n + j) * ld(xopt, j);
              temp *= ld(pq, k);
              for (let i = 0; i < n; i++) st(gopt, i, ld(gopt, i) + temp * ld(xpt, k * n + i));
            }
          }
        }
        next = 60;
        continue;
      }

      case 60: {
        // Trust-region step XNEW = XOPT + D from TRSBOX; a step shorter than rho/2 is not evaluated.
        trsbox(delta);
        dsq = gDsq;
        crvmin = gCrvmin;
        if (!isFinite(dsq)) return ROUNDOFF_STEP;
        dnorm = Math.min(delta, Math.sqrt(dsq));
        if (dnorm < 0.5 * rho) {
          ntrits = -1;
          distsq = 100 * rho * rho;
          if (count <= nfsav + 2) {
            next = 650;
            continue;
          }
          const errbig = Math.max(Math.max(diffa, diffb), diffc);
          const frhosq = 0.125 * rho * rho;
          if (crvmin > 0 && errbig > frhosq * crvmin) {
            next = 650;
            continue;
          }
          const bdtol = errbig / rho;
          let improveModel = false;
          for (let j = 0; j < n; j++) {
            let bdtest = bdtol;
            if (ld(xnew, j) == ld(sl, j)) bdtest = ld(gnew, j);
            if (ld(xnew, j) == ld(su, j)) bdtest = -ld(gnew, j);
            if (bdtest < bdtol) {
              let curv = ld(hq, hqIndex(j, j));
              for (let k = 0; k < npt; k++) curv += ld(pq, k) * ld(xpt, k * n + j) * ld(xpt, k * n + j);
              bdtest += 0.5 * curv * rho;
              if (bdtest < bdtol) {
                improveModel = true;
                break;
              }
            }
          }
          next = improveModel ? 650 : 680;
          continue;
        }
        ntrits++;
        next = 90;
        continue;
      }

      case 90: {
        // Shift XBASE to XOPT when XOPT is far from XBASE relative to the step.
        if (dsq <= 1e-3 * xoptsq) {
          visits |= V_SHIFT_BASE;
          const fracsq = 0.25 * xoptsq;
          let sumpq: f64 = 0;
          for (let k = 0; k < npt; k++) {
            sumpq += ld(pq, k);
            let sum = -0.5 * xoptsq;
            for (let i = 0; i < n; i++) sum += ld(xpt, k * n + i) * ld(xopt, i);
            st(w, npt + k, sum);
            const temp = fracsq - 0.5 * sum;
            for (let i = 0; i < n; i++) {
              st(w, i, ld(bmat, k * n + i));
              st(vlag, i, sum * ld(xpt, k * n + i) + temp * ld(xopt, i));
              const ip = npt + i;
              for (let j = 0; j <= i; j++) st(bmat, ip * n + j, ld(bmat, ip * n + j) + (ld(w, i) * ld(vlag, j) + ld(vlag, i) * ld(w, j)));
            }
          }
          for (let jj = 0; jj < nptm; jj++) {
            let sumz: f64 = 0;
            let sumw: f64 = 0;
            for (let k = 0; k < npt; k++) {
              sumz += ld(zmat, k * nptm + jj);
              st(vlag, k, ld(w, npt + k) * ld(zmat, k * nptm + jj));
              sumw += ld(vlag, k);
            }
            for (let j = 0; j < n; j++) {
              let sum = (fracsq * sumz - 0.5 * sumw) * ld(xopt, j);
              for (let k = 0; k < npt; k++) sum += ld(vlag, k) * ld(xpt, k * n + j);
              st(w, j, sum);
              for (let k = 0; k < npt; k++) st(bmat, k * n + j, ld(bmat, k * n + j) + sum * ld(zmat, k * nptm + jj));
            }
            for (let i = 0; i < n; i++) {
              const ip = i + npt;
              const temp = ld(w, i);
              for (let j = 0; j <= i; j++) st(bmat, ip * n + j, ld(bmat, ip * n + j) + temp * ld(w, j));
            }
          }
          let ih = 0;
          for (let j = 0; j < n; j++) {
            st(w, j, -0.5 * sumpq * ld(xopt, j));
            for (let k = 0; k < npt; k++) {
              st(w, j, ld(w, j) + ld(pq, k) * ld(xpt, k * n + j));
              st(xpt, k * n + j, ld(xpt, k * n + j) - ld(xopt, j));
            }
            for (let i = 0; i <= j; i++) {
              st(hq, ih, ld(hq, ih) + (ld(w, i) * ld(xopt, j) + ld(xopt, i) * ld(w, j)));
              ih++;
              st(bmat, (npt + i) * n + j, ld(bmat, (npt + j) * n + i));
            }
          }
          for (let i = 0; i < n; i++) {
            st(xbase, i, ld(xbase, i) + ld(xopt, i));
            st(xnew, i, ld(xnew, i) - ld(xopt, i));
            st(sl, i, ld(sl, i) - ld(xopt, i));
            st(su, i, ld(su, i) - ld(xopt, i));
            st(xopt, i, 0);
          }
          xoptsq = 0;
        }
        next = ntrits == 0 ? 210 : 230;
        continue;
      }

      case 190: {
        // RESCUE rebuilds BMAT and ZMAT when rounding errors have damaged the updating formula.
        visits |= V_RESCUE;
        nfsav = count;
        kbase = kopt;
        const res = rescue(delta, kopt);
        kopt = gKopt;
        xoptsq = 0;
        if (kopt != kbase) {
          for (let i = 0; i < n; i++) {
            st(xopt, i, ld(xpt, kopt * n + i));
            xoptsq += ld(xopt, i) * ld(xopt, i);
          }
        }
        if (res != OK) return res;
        nresc = count;
        if (nfsav < count) {
          nfsav = count;
          next = 20;
          continue;
        }
        next = ntrits > 0 ? 60 : 210;
        continue;
      }

      case 210: {
        // Geometry step: ALTMOV's XNEW and XALT for point KNEW.
        visits |= V_ALTMOV;
        altmov(kopt, knew, adelt);
        alpha = gAlpha;
        cauchy = gCauchy;
        for (let i = 0; i < n; i++) st(d, i, ld(xnew, i) - ld(xopt, i));
        next = 230;
        continue;
      }

      case 230: {
        // VLAG (values of the Lagrange functions at XNEW) and BETA for the step D.
        for (let k = 0; k < npt; k++) {
          let suma: f64 = 0;
          let sumb: f64 = 0;
          let sum: f64 = 0;
          for (let j = 0; j < n; j++) {
            suma += ld(xpt, k * n + j) * ld(d, j);
            sumb += ld(xpt, k * n + j) * ld(xopt, j);
            sum += ld(bmat, k * n + j) * ld(d, j);
          }
          st(w, k, suma * (0.5 * suma + sumb));
          st(vlag, k, sum);
          st(w, npt + k, suma);
        }
        beta = 0;
        for (let jj = 0; jj < nptm; jj++) {
          let sum: f64 = 0;
          for (let k = 0; k < npt; k++) sum += ld(zmat, k * nptm + jj) * ld(w, k);
          beta -= sum * sum;
          for (let k = 0; k < npt; k++) st(vlag, k, ld(vlag, k) + sum * ld(zmat, k * nptm + jj));
        }
        dsq = 0;
        let bsum: f64 = 0;
        let dx: f64 = 0;
        for (let j = 0; j < n; j++) {
          dsq += ld(d, j) * ld(d, j);
          let sum: f64 = 0;
          for (let k = 0; k < npt; k++) sum += ld(w, k) * ld(bmat, k * n + j);
          bsum += sum * ld(d, j);
          const jp = npt + j;
          for (let i = 0; i < n; i++) sum += ld(bmat, jp * n + i) * ld(d, i);
          st(vlag, jp, sum);
          bsum += sum * ld(d, j);
          dx += ld(d, j) * ld(xopt, j);
        }
        beta = dx * dx + dsq * (xoptsq + dx + dx + 0.5 * dsq) + beta - bsum;
        st(vlag, kopt, ld(vlag, kopt) + 1);

        if (ntrits == 0) {
          const vk = ld(vlag, knew);
          denom = vk * vk + alpha * beta;
          if (denom < cauchy && cauchy > 0) {
            visits |= V_CAUCHY;
            for (let i = 0; i < n; i++) {
              st(xnew, i, ld(xalt, i));
              st(d, i, ld(xnew, i) - ld(xopt, i));
            }
            cauchy = 0;
            next = 230;
            continue;
          }
          if (!(denom > 0.5 * vk * vk)) {
            if (count > nresc) {
              next = 190;
              continue;
            }
            return ROUNDOFF_DENOMINATOR;
          }
        } else {
          const delsq = delta * delta;
          let scaden: f64 = 0;
          let biglsq: f64 = 0;
          knew = -1;
          for (let k = 0; k < npt; k++) {
            if (k == kopt) continue;
            let hdiag: f64 = 0;
            for (let jj = 0; jj < nptm; jj++) hdiag += ld(zmat, k * nptm + jj) * ld(zmat, k * nptm + jj);
            const den = beta * hdiag + ld(vlag, k) * ld(vlag, k);
            let dist2: f64 = 0;
            for (let j = 0; j < n; j++) {
              const t = ld(xpt, k * n + j) - ld(xopt, j);
              dist2 += t * t;
            }
            const q = dist2 / delsq;
            const temp = Math.max(1, q * q);
            if (temp * den > scaden) {
              scaden = temp * den;
              knew = k;
              denom = den;
            }
            biglsq = Math.max(biglsq, temp * ld(vlag, k) * ld(vlag, k));
          }
          if (!(scaden > 0.5 * biglsq) || knew < 0) {
            if (count > nresc) {
              next = 190;
              continue;
            }
            return ROUNDOFF_DENOMINATOR;
          }
        }
        next = 360;
        continue;
      }

      case 360: {
        // Evaluate F at XBASE + XNEW, then update the model, the interpolation set and DELTA.
        if (<f64>count >= maxfun) return MAXFUN;
        pointFromBase(xnew, 0, pPoint);
        const f = call();
        if (cancelled) return CANCELLED;
        if (ntrits == -1) return CONVERGED;

        const fopt = ld(fval, kopt);
        vquad = 0;
        let ih = 0;
        for (let j = 0; j < n; j++) {
          vquad += ld(d, j) * ld(gopt, j);
          for (let i = 0; i <= j; i++) {
            let temp = ld(d, i) * ld(d, j);
            if (i == j) temp *= 0.5;
            vquad += ld(hq, ih) * temp;
            ih++;
          }
        }
        for (let k = 0; k < npt; k++) vquad += 0.5 * ld(pq, k) * ld(w, npt + k) * ld(w, npt + k);
        if (!isFinite(vquad)) return ROUNDOFF_VQUAD;
        const diff = f - fopt - vquad;
        diffc = diffb;
        diffb = diffa;
        diffa = Math.abs(diff);
        if (dnorm > rho) nfsav = count;

        if (ntrits > 0) {
          if (vquad >= 0) return ROUNDOFF_NO_REDUCTION;
          ratio = (f - fopt) / vquad;
          if (ratio <= 0.1) delta = Math.min(0.5 * delta, dnorm);
          else if (ratio <= 0.7) delta = Math.max(0.5 * delta, dnorm);
          else delta = Math.max(0.5 * delta, dnorm + dnorm);
          if (delta <= 1.5 * rho) delta = rho;

          if (f < fopt) {
            const ksav = knew;
            const densav = denom;
            const delsq = delta * delta;
            let scaden: f64 = 0;
            let biglsq: f64 = 0;
            knew = -1;
            for (let k = 0; k < npt; k++) {
              let hdiag: f64 = 0;
              for (let jj = 0; jj < nptm; jj++) hdiag += ld(zmat, k * nptm + jj) * ld(zmat, k * nptm + jj);
              const den = beta * hdiag + ld(vlag, k) * ld(vlag, k);
              let dist2: f64 = 0;
              for (let j = 0; j < n; j++) {
                const t = ld(xpt, k * n + j) - ld(xnew, j);
                dist2 += t * t;
              }
              const q = dist2 / delsq;
              const temp = Math.max(1, q * q);
              if (temp * den > scaden) {
                scaden = temp * den;
                knew = k;
                denom = den;
              }
              biglsq = Math.max(biglsq, temp * ld(vlag, k) * ld(vlag, k));
            }
            if (!(scaden > 0.5 * biglsq) || knew < 0) {
              knew = ksav;
              denom = densav;
            }
          }
        }

        update(beta, denom, knew, w);
        ih = 0;
        const pqold = ld(pq, knew);
        st(pq, knew, 0);
        for (let i = 0; i < n; i++) {
          const temp = pqold * ld(xpt, knew * n + i);
          for (let j = 0; j <= i; j++) {
            st(hq, ih, ld(hq, ih) + temp * ld(xpt, knew * n + j));
            ih++;
          }
        }
        for (let jj = 0; jj < nptm; jj++) {
          const temp = diff * ld(zmat, knew * nptm + jj);
          for (let k = 0; k < npt; k++) st(pq, k, ld(pq, k) + temp * ld(zmat, k * nptm + jj));
        }

        st(fval, knew, f);
        for (let i = 0; i < n; i++) {
          st(xpt, knew * n + i, ld(xnew, i));
          st(w, i, ld(bmat, knew * n + i));
        }
        for (let k = 0; k < npt; k++) {
          let suma: f64 = 0;
          for (let jj = 0; jj < nptm; jj++) suma += ld(zmat, knew * nptm + jj) * ld(zmat, k * nptm + jj);
          if (!isFinite(suma)) return ROUNDOFF_H;
          let sumb: f64 = 0;
          for (let j = 0; j < n; j++) sumb += ld(xpt, k * n + j) * ld(xopt, j);
          const temp = suma * sumb;
          for (let i = 0; i < n; i++) st(w, i, ld(w, i) + temp * ld(xpt, k * n + i));
        }
        for (let i = 0; i < n; i++) st(gopt, i, ld(gopt, i) + diff * ld(w, i));

        if (f < fopt) {
          kopt = knew;
          xoptsq = 0;
          ih = 0;
          for (let j = 0; j < n; j++) {
            st(xopt, j, ld(xnew, j));
            xoptsq += ld(xopt, j) * ld(xopt, j);
            for (let i = 0; i <= j; i++) {
              if (i < j) st(gopt, j, ld(gopt, j) + ld(hq, ih) * ld(d, i));
              st(gopt, i, ld(gopt, i) + ld(hq, ih) * ld(d, j));
              ih++;
            }
          }
          for (let k = 0; k < npt; k++) {
            let temp: f64 = 0;
            for (let j = 0; j < n; j++) temp += ld(xpt, k * n + j) * ld(d, j);
            temp *= ld(pq, k);
            for (let i = 0; i < n; i++) st(gopt, i, ld(gopt, i) + temp * ld(xpt, k * n + i));
          }
          if (fopt - f < ftolAbs) return FTOL;
        }

        if (ntrits > 0) {
          for (let k = 0; k < npt; k++) {
            st(vlag, k, ld(fval, k) - ld(fval, kopt));
            st(w, k, 0);
          }
          for (let j = 0; j < nptm; j++) {
            let sum: f64 = 0;
            for (let k = 0; k < npt; k++) sum += ld(zmat, k * nptm + j) * ld(vlag, k);
            for (let k = 0; k < npt; k++) st(w, k, ld(w, k) + sum * ld(zmat, k * nptm + j));
          }
          for (let k = 0; k < npt; k++) {
            let sum: f64 = 0;
            for (let j = 0; j < n; j++) sum += ld(xpt, k * n + j) * ld(xopt, j);
            st(w, k + npt, ld(w, k));
            st(w, k, sum * ld(w, k));
          }
          let gqsq: f64 = 0;
          let gisq: f64 = 0;
          for (let i = 0; i < n; i++) {
            let sum: f64 = 0;
            for (let k = 0; k < npt; k++) sum += ld(bmat, k * n + i) * ld(vlag, k) + ld(xpt, k * n + i) * ld(w, k);
            const g = ld(gopt, i);
            if (ld(xopt, i) == ld(sl, i)) {
              const a = Math.min(0, g);
              const b = Math.min(0, sum);
              gqsq += a * a;
              gisq += b * b;
            } else if (ld(xopt, i) == ld(su, i)) {
              const a = Math.max(0, g);
              const b = Math.max(0, sum);
              gqsq += a * a;
              gisq += b * b;
            } else {
              gqsq += g * g;
              gisq += sum * sum;
            }
            st(vlag, npt + i, sum);
          }
          itest++;
          if (gqsq < 10 * gisq) itest = 0;
          if (itest >= 3) {
            visits |= V_FROBENIUS;
            const top = npt > nh ? npt : nh;
            for (let i = 0; i < top; i++) {
              if (i < n) st(gopt, i, ld(vlag, npt + i));
              if (i < npt) st(pq, i, ld(w, npt + i));
              if (i < nh) st(hq, i, 0);
            }
            itest = 0;
          }
        }

        if (ntrits == 0 || f <= fopt + 0.1 * vquad) {
          next = 60;
          continue;
        }
        distsq = Math.max(4 * delta * delta, 100 * rho * rho);
        next = 650;
        continue;
      }

      case 650: {
        // The interpolation point farthest from XOPT beyond distance sqrt(DISTSQ), if any.
        knew = -1;
        for (let k = 0; k < npt; k++) {
          let sum: f64 = 0;
          for (let j = 0; j < n; j++) {
            const t = ld(xpt, k * n + j) - ld(xopt, j);
            sum += t * t;
          }
          if (sum > distsq) {
            knew = k;
            distsq = sum;
          }
        }
        if (knew >= 0) {
          const dist = Math.sqrt(distsq);
          if (ntrits == -1) {
            delta = Math.min(0.1 * delta, 0.5 * dist);
            if (delta <= 1.5 * rho) delta = rho;
          }
          ntrits = 0;
          adelt = Math.max(Math.min(0.1 * dist, delta), rho);
          dsq = adelt * adelt;
          next = 90;
          continue;
        }
        if (ntrits == -1) {
          next = 680;
          continue;
        }
        if (ratio > 0 || Math.max(delta, dnorm) > rho) {
          next = 60;
          continue;
        }
        next = 680;
        continue;
      }

      default: {
        // 680: reduce rho, or finish at rhoend.
        if (rho > rhoend) {
          delta = 0.5 * rho;
          const r = rho / rhoend;
          if (r <= 16) rho = rhoend;
          else if (r <= 250) rho = Math.sqrt(r) * rhoend;
          else rho = 0.1 * rho;
          delta = Math.max(delta, rho);
          ntrits = 0;
          nfsav = count;
          next = 60;
          continue;
        }
        if (ntrits == -1) {
          next = 360;
          continue;
        }
        return CONVERGED;
      }
    }
  }
}

/** PRELIM: the initial interpolation set, its function values and the initial model; sets gKopt. */
function prelim(rhobeg: f64): i32 {
  const xpt = pXpt;
  const fval = pFval;
  const gopt = pGopt;
  const hq = pHq;
  const bmat = pBmat;
  const zmat = pZmat;
  const np = n + 1;
  const rhosq = rhobeg * rhobeg;
  const recip = 1 / rhosq;
  // XPT, BMAT, HQ, PQ and ZMAT are zero (cleared by run)

  let fbeg: f64 = 0;
  let kopt = 0;
  let stepa: f64 = 0;
  let stepb: f64 = 0;
  for (let nf = 1; nf <= npt; nf++) {
    if (<f64>count >= maxfun) {
      gKopt = kopt;
      return MAXFUN;
    }
    const nfm = nf - 1;
    const nfx = nf - 1 - n;
    const row = nf - 1;
    let ipt = 0;
    let jpt = 0;
    if (nfm <= 2 * n) {
      if (nfm >= 1 && nfm <= n) {
        stepa = rhobeg;
        if (ld(pSu, nfm - 1) == 0) stepa = -stepa;
        st(xpt, row * n + nfm - 1, stepa);
      } else if (nfm > n) {
        stepa = ld(xpt, (nf - n - 1) * n + nfx - 1);
        stepb = -rhobeg;
        if (ld(pSl, nfx - 1) == 0) stepb = Math.min(2 * rhobeg, ld(pSu, nfx - 1));
        if (ld(pSu, nfx - 1) == 0) stepb = Math.max(-2 * rhobeg, ld(pSl, nfx - 1));
        st(xpt, row * n + nfx - 1, stepb);
      }
    } else {
      let itemp = (nfm - np) / n;
      jpt = nfm - itemp * n - n;
      ipt = jpt + itemp;
      if (ipt > n) {
        itemp = jpt;
        jpt = ipt - n;
        ipt = itemp;
      }
      st(xpt, row * n + ipt - 1, ld(xpt, ipt * n + ipt - 1));
      st(xpt, row * n + jpt - 1, ld(xpt, jpt * n + jpt - 1));
    }

    pointFromBase(xpt, row * n, pPoint);
    const f = call();
    st(fval, row, f);
    if (nf == 1) {
      fbeg = f;
      kopt = 0;
    } else if (f < ld(fval, kopt)) {
      kopt = row;
    }

    if (nf <= 2 * n + 1) {
      if (nf >= 2 && nf <= n + 1) {
        st(gopt, nfm - 1, (f - fbeg) / stepa);
        if (npt < nf + n) {
          st(bmat, nfm - 1, -1 / stepa);
          st(bmat, row * n + nfm - 1, 1 / stepa);
          st(bmat, (npt + nfm - 1) * n + nfm - 1, -0.5 * rhosq);
        }
      } else if (nf >= n + 2) {
        const c = nfx - 1;
        const prev = nf - n - 1;
        const temp = (f - fbeg) / stepb;
        const diff = stepb - stepa;
        st(hq, hqIndex(c, c), (2 * (temp - ld(gopt, c))) / diff);
        st(gopt, c, (ld(gopt, c) * stepb - temp * stepa) / diff);
        if (stepa * stepb < 0 && f < ld(fval, prev)) {
          st(fval, row, ld(fval, prev));
          st(fval, prev, f);
          if (kopt == row) kopt = prev;
          st(xpt, prev * n + c, stepb);
          st(xpt, row * n + c, stepa);
        }
        st(bmat, c, -(stepa + stepb) / (stepa * stepb));
        st(bmat, row * n + c, -0.5 / ld(xpt, prev * n + c));
        st(bmat, prev * n + c, -ld(bmat, c) - ld(bmat, row * n + c));
        st(zmat, c, Math.SQRT2 / (stepa * stepb));
        st(zmat, row * nptm + c, Math.SQRT1_2 / rhosq);
        st(zmat, prev * nptm + c, -ld(zmat, c) - ld(zmat, row * nptm + c));
      }
    } else {
      const c = nfx - 1;
      st(zmat, c, recip);
      st(zmat, row * nptm + c, recip);
      st(zmat, ipt * nptm + c, -recip);
      st(zmat, jpt * nptm + c, -recip);
      const temp = ld(xpt, row * n + ipt - 1) * ld(xpt, row * n + jpt - 1);
      st(hq, hqIndex(ipt - 1, jpt - 1), (fbeg - ld(fval, ipt) - ld(fval, jpt) + f) / temp);
    }
    if (cancelled) {
      gKopt = kopt;
      return CANCELLED;
    }
  }
  gKopt = kopt;
  return OK;
}

/**
 * TRSBOX: the truncated conjugate gradient step within the trust region and the bounds, then
 * rotations on the trust-region boundary. Sets XNEW, D and GNEW; gDsq = |D|^2 and gCrvmin.
 */
function trsbox(delta: f64): void {
  const xopt = pXopt;
  const gopt = pGopt;
  const sl = pSl;
  const su = pSu;
  const xnew = pXnew;
  const d = pD;
  const gnew = pGnew;
  const xbdi = pXbdi;
  const s = pS;
  const hs = pHs;
  const hred = pHred;
  let iterc = 0;
  let nact = 0;
  for (let i = 0; i < n; i++) {
    st(xbdi, i, 0);
    if (ld(xopt, i) <= ld(sl, i)) {
      if (ld(gopt, i) >= 0) st(xbdi, i, -1);
    } else if (ld(xopt, i) >= ld(su, i)) {
      if (ld(gopt, i) <= 0) st(xbdi, i, 1);
    }
    if (ld(xbdi, i) != 0) nact++;
    st(d, i, 0);
    st(gnew, i, ld(gopt, i));
  }
  let delsq = delta * delta;
  let qred: f64 = 0;
  let crvmin: f64 = -1;

  let beta: f64 = 0;
  let gredsq: f64 = 0;
  let ggsav: f64 = 0;
  let itermax = 0;
  let onBoundary = false;
  while (true) {
    let stepsq: f64 = 0;
    for (let i = 0; i < n; i++) {
      if (ld(xbdi, i) != 0) st(s, i, 0);
      else if (beta == 0) st(s, i, -ld(gnew, i));
      else st(s, i, beta * ld(s, i) - ld(gnew, i));
      stepsq += ld(s, i) * ld(s, i);
    }
    if (stepsq == 0) break;
    if (beta == 0) {
      gredsq = stepsq;
      itermax = iterc + n - nact;
    }
    if (gredsq * delsq <= 1e-4 * qred * qred) break;

    hessMul(s, hs);
    let resid = delsq;
    let ds: f64 = 0;
    let shs: f64 = 0;
    for (let i = 0; i < n; i++) {
      if (ld(xbdi, i) == 0) {
        resid -= ld(d, i) * ld(d, i);
        ds += ld(s, i) * ld(d, i);
        shs += ld(s, i) * ld(hs, i);
      }
    }
    if (resid <= 0) {
      onBoundary = true;
      break;
    }
    let temp = Math.sqrt(stepsq * resid + ds * ds);
    const blen = ds < 0 ? (temp - ds) / stepsq : resid / (temp + ds);
    let stplen = blen;
    if (shs > 0) stplen = Math.min(blen, gredsq / shs);

    let iact = -1;
    for (let i = 0; i < n; i++) {
      if (ld(s, i) != 0) {
        const xsum = ld(xopt, i) + ld(d, i);
        temp = ld(s, i) > 0 ? (ld(su, i) - xsum) / ld(s, i) : (ld(sl, i) - xsum) / ld(s, i);
        if (temp < stplen) {
          stplen = temp;
          iact = i;
        }
      }
    }

    let sdec: f64 = 0;
    if (stplen > 0) {
      iterc++;
      temp = shs / stepsq;
      if (iact < 0 && temp > 0) {
        crvmin = Math.min(crvmin, temp);
        if (crvmin == -1) crvmin = temp;
      }
      ggsav = gredsq;
      gredsq = 0;
      for (let i = 0; i < n; i++) {
        st(gnew, i, ld(gnew, i) + stplen * ld(hs, i));
        if (ld(xbdi, i) == 0) gredsq += ld(gnew, i) * ld(gnew, i);
        st(d, i, ld(d, i) + stplen * ld(s, i));
      }
      sdec = Math.max(stplen * (ggsav - 0.5 * stplen * shs), 0);
      qred += sdec;
    }

    if (iact >= 0) {
      nact++;
      st(xbdi, iact, ld(s, iact) < 0 ? -1 : 1);
      delsq -= ld(d, iact) * ld(d, iact);
      if (delsq <= 0) {
        onBoundary = true;
        break;
      }
      beta = 0;
      continue;
    }
    if (stplen < blen) {
      if (iterc == itermax) break;
      if (sdec <= 0.01 * qred) break;
      beta = gredsq / ggsav;
      continue;
    }
    onBoundary = true;
    break;
  }

  if (onBoundary) {
    crvmin = 0;
    // Alternative iterations (an outer loop restarted when a variable is fixed at a bound).
    while (true) {
      if (nact >= n - 1) break;
      visits |= V_ROTATIONS;
      let dredsq: f64 = 0;
      let dredg: f64 = 0;
      gredsq = 0;
      for (let i = 0; i < n; i++) {
        if (ld(xbdi, i) == 0) {
          dredsq += ld(d, i) * ld(d, i);
          dredg += ld(d, i) * ld(gnew, i);
          gredsq += ld(gnew, i) * ld(gnew, i);
          st(s, i, ld(d, i));
        } else {
          st(s, i, 0);
        }
      }
      hessMul(s, hs);
      for (let i = 0; i < n; i++) st(hred, i, ld(hs, i));

      let restart = false;
      while (true) {
        iterc++;
        let temp = gredsq * dredsq - dredg * dredg;
        if (temp <= 1e-4 * qred * qred) break;
        temp = Math.sqrt(temp);
        for (let i = 0; i < n; i++) st(s, i, ld(xbdi, i) == 0 ? (dredg * ld(d, i) - dredsq * ld(gnew, i)) / temp : 0);
        const sredg = -temp;

        let angbd: f64 = 1;
        let iact = -1;
        let xsav: f64 = 0;
        for (let i = 0; i < n; i++) {
          if (ld(xbdi, i) != 0) continue;
          const tempa = ld(xopt, i) + ld(d, i) - ld(sl, i);
          const tempb = ld(su, i) - ld(xopt, i) - ld(d, i);
          if (tempa <= 0) {
            nact++;
            st(xbdi, i, -1);
            restart = true;
            break;
          } else if (tempb <= 0) {
            nact++;
            st(xbdi, i, 1);
            restart = true;
            break;
          }
          const ssq = ld(d, i) * ld(d, i) + ld(s, i) * ld(s, i);
          const lo = ld(xopt, i) - ld(sl, i);
          temp = ssq - lo * lo;
          if (temp > 0) {
            temp = Math.sqrt(temp) - ld(s, i);
            if (angbd * temp > tempa) {
              angbd = tempa / temp;
              iact = i;
              xsav = -1;
            }
          }
          const up = ld(su, i) - ld(xopt, i);
          temp = ssq - up * up;
          if (temp > 0) {
            temp = Math.sqrt(temp) + ld(s, i);
            if (angbd * temp > tempb) {
              angbd = tempb / temp;
              iact = i;
              xsav = 1;
            }
          }
        }
        if (restart) break;

        hessMul(s, hs);
        let shs: f64 = 0;
        let dhs: f64 = 0;
        let dhd: f64 = 0;
        for (let i = 0; i < n; i++) {
          if (ld(xbdi, i) == 0) {
            shs += ld(s, i) * ld(hs, i);
            dhs += ld(d, i) * ld(hs, i);
            dhd += ld(d, i) * ld(hred, i);
          }
        }

        let redmax: f64 = 0;
        let isav = 0;
        let redsav: f64 = 0;
        let rdprev: f64 = 0;
        let rdnext: f64 = 0;
        let angt: f64 = 0;
        const iuf = Math.trunc(angbd * 17 + 3.1);
        if (!(iuf >= 1)) break; // (no samples: as isav == 0 below)
        const iu = <i32>iuf;
        for (let i = 1; i <= iu; i++) {
          angt = (angbd * <f64>i) / <f64>iu;
          const sth = (angt + angt) / (1 + angt * angt);
          temp = shs + angt * (angt * dhd - dhs - dhs);
          const rednew = sth * (angt * dredg - sredg - 0.5 * sth * temp);
          if (rednew > redmax) {
            redmax = rednew;
            isav = i;
            rdprev = redsav;
          } else if (i == isav + 1) {
            rdnext = rednew;
          }
          redsav = rednew;
        }
        if (isav == 0) break;
        if (isav < iu) {
          temp = (rdnext - rdprev) / (redmax + redmax - rdprev - rdnext);
          angt = (angbd * (<f64>isav + 0.5 * temp)) / <f64>iu;
        }
        const cth = (1 - angt * angt) / (1 + angt * angt);
        const sth = (angt + angt) / (1 + angt * angt);
        temp = shs + angt * (angt * dhd - dhs - dhs);
        const sdec = sth * (angt * dredg - sredg - 0.5 * sth * temp);
        if (sdec <= 0) break;

        dredg = 0;
        gredsq = 0;
        for (let i = 0; i < n; i++) {
          st(gnew, i, ld(gnew, i) + (cth - 1) * ld(hred, i) + sth * ld(hs, i));
          if (ld(xbdi, i) == 0) {
            st(d, i, cth * ld(d, i) + sth * ld(s, i));
            dredg += ld(d, i) * ld(gnew, i);
            gredsq += ld(gnew, i) * ld(gnew, i);
          }
          st(hred, i, cth * ld(hred, i) + sth * ld(hs, i));
        }
        qred += sdec;
        if (iact >= 0 && isav == iu) {
          nact++;
          st(xbdi, iact, xsav);
          restart = true;
          break;
        }
        if (sdec > 0.01 * qred) continue;
        break;
      }
      if (!restart) break;
    }
  }

  let dsq: f64 = 0;
  for (let i = 0; i < n; i++) {
    st(xnew, i, Math.max(Math.min(ld(xopt, i) + ld(d, i), ld(su, i)), ld(sl, i)));
    if (ld(xbdi, i) == -1) st(xnew, i, ld(sl, i));
    if (ld(xbdi, i) == 1) st(xnew, i, ld(su, i));
    st(d, i, ld(xnew, i) - ld(xopt, i));
    dsq += ld(d, i) * ld(d, i);
  }
  gDsq = dsq;
  gCrvmin = crvmin;
}

/**
 * ALTMOV: XNEW on a line through XOPT and another point, and XALT along a constrained Cauchy step,
 * for interpolation point KNEW within distance ADELT of XOPT. Sets gAlpha and gCauchy.
 */
function altmov(kopt: i32, knew: i32, adelt: f64): void {
  const xpt = pXpt;
  const xopt = pXopt;
  const bmat = pBmat;
  const zmat = pZmat;
  const sl = pSl;
  const su = pSu;
  const xnew = pXnew;
  const xalt = pXalt;
  const glag = pGlag;
  const hcol = pHcol;
  const w = pWalt;
  const CONST: f64 = 1 + Math.SQRT2;

  for (let k = 0; k < npt; k++) st(hcol, k, 0);
  for (let j = 0; j < nptm; j++) {
    const temp = ld(zmat, knew * nptm + j);
    for (let k = 0; k < npt; k++) st(hcol, k, ld(hcol, k) + temp * ld(zmat, k * nptm + j));
  }
  const alpha = ld(hcol, knew);
  const ha = 0.5 * alpha;
  for (let i = 0; i < n; i++) st(glag, i, ld(bmat, knew * n + i));
  for (let k = 0; k < npt; k++) {
    let temp: f64 = 0;
    for (let j = 0; j < n; j++) temp += ld(xpt, k * n + j) * ld(xopt, j);
    temp *= ld(hcol, k);
    for (let i = 0; i < n; i++) st(glag, i, ld(glag, i) + temp * ld(xpt, k * n + i));
  }

  let presav: f64 = 0;
  let ksav = knew;
  let stpsav: f64 = 0;
  let ibdsav = 0;
  for (let k = 0; k < npt; k++) {
    if (k == kopt) continue;
    let dderiv: f64 = 0;
    let distsq: f64 = 0;
    for (let i = 0; i < n; i++) {
      const temp = ld(xpt, k * n + i) - ld(xopt, i);
      dderiv += ld(glag, i) * temp;
      distsq += temp * temp;
    }
    let subd = adelt / Math.sqrt(distsq);
    let slbd = -subd;
    let ilbd = 0;
    let iubd = 0;
    const sumin = Math.min(1, subd);

    for (let i = 0; i < n; i++) {
      const temp = ld(xpt, k * n + i) - ld(xopt, i);
      if (temp > 0) {
        if (slbd * temp < ld(sl, i) - ld(xopt, i)) {
          slbd = (ld(sl, i) - ld(xopt, i)) / temp;
          ilbd = -(i + 1);
        }
        if (subd * temp > ld(su, i) - ld(xopt, i)) {
          subd = Math.max(sumin, (ld(su, i) - ld(xopt, i)) / temp);
          iubd = i + 1;
        }
      } else if (temp < 0) {
        if (slbd * temp > ld(su, i) - ld(xopt, i)) {
          slbd = (ld(su, i) - ld(xopt, i)) / temp;
          ilbd = i + 1;
        }
        if (subd * temp < ld(sl, i) - ld(xopt, i)) {
          subd = Math.max(sumin, (ld(sl, i) - ld(xopt, i)) / temp);
          iubd = -(i + 1);
        }
      }
    }

    let step: f64;
    let vlag: f64;
    let isbd: i32;
    if (k == knew) {
      const diff = dderiv - 1;
      step = slbd;
      vlag = slbd * (dderiv - slbd * diff);
      isbd = ilbd;
      let temp = subd * (dderiv - subd * diff);
      if (Math.abs(temp) > Math.abs(vlag)) {
        step = subd;
        vlag = temp;
        isbd = iubd;
      }
      const tempd = 0.5 * dderiv;
      const tempa = tempd - diff * slbd;
      const tempb = tempd - diff * subd;
      if (tempa * tempb < 0) {
        temp = (tempd * tempd) / diff;
        if (Math.abs(temp) > Math.abs(vlag)) {
          step = tempd / diff;
          vlag = temp;
          isbd = 0;
        }
      }
    } else {
      step = slbd;
      vlag = slbd * (1 - slbd);
      isbd = ilbd;
      const temp = subd * (1 - subd);
      if (Math.abs(temp) > Math.abs(vlag)) {
        step = subd;
        vlag = temp;
        isbd = iubd;
      }
      if (subd > 0.5 && Math.abs(vlag) < 0.25) {
        step = 0.5;
        vlag = 0.25;
        isbd = 0;
      }
      vlag *= dderiv;
    }

    const temp = step * (1 - step) * distsq;
    const predsq = vlag * vlag * (vlag * vlag + ha * temp * temp);
    if (predsq > presav) {
      presav = predsq;
      ksav = k;
      stpsav = step;
      ibdsav = isbd;
    }
  }

  for (let i = 0; i < n; i++) {
    const temp = ld(xopt, i) + stpsav * (ld(xpt, ksav * n + i) - ld(xopt, i));
    st(xnew, i, Math.max(ld(sl, i), Math.min(ld(su, i), temp)));
  }
  if (ibdsav < 0) st(xnew, -ibdsav - 1, ld(sl, -ibdsav - 1));
  if (ibdsav > 0) st(xnew, ibdsav - 1, ld(su, ibdsav - 1));

  const bigstp = adelt + adelt;
  let cauchy: f64 = 0;
  let csave: f64 = 0;
  for (let iflag = 0; iflag < 2; iflag++) {
    let wfixsq: f64 = 0;
    let ggfree: f64 = 0;
    for (let i = 0; i < n; i++) {
      st(w, i, 0);
      const tempa = Math.min(ld(xopt, i) - ld(sl, i), ld(glag, i));
      const tempb = Math.max(ld(xopt, i) - ld(su, i), ld(glag, i));
      if (tempa > 0 || tempb < 0) {
        st(w, i, bigstp);
        ggfree += ld(glag, i) * ld(glag, i);
      }
    }
    if (ggfree == 0) {
      gAlpha = alpha;
      gCauchy = 0;
      return;
    }

    let step: f64 = 0;
    while (true) {
      const temp = adelt * adelt - wfixsq;
      if (!(temp > 0)) break;
      const wsqsav = wfixsq;
      step = Math.sqrt(temp / ggfree);
      ggfree = 0;
      for (let i = 0; i < n; i++) {
        if (ld(w, i) == bigstp) {
          const t = ld(xopt, i) - step * ld(glag, i);
          if (t <= ld(sl, i)) {
            st(w, i, ld(sl, i) - ld(xopt, i));
            wfixsq += ld(w, i) * ld(w, i);
          } else if (t >= ld(su, i)) {
            st(w, i, ld(su, i) - ld(xopt, i));
            wfixsq += ld(w, i) * ld(w, i);
          } else {
            ggfree += ld(glag, i) * ld(glag, i);
          }
        }
      }
      if (!(wfixsq > wsqsav && ggfree > 0)) break;
    }

    let gw: f64 = 0;
    for (let i = 0; i < n; i++) {
      if (ld(w, i) == bigstp) {
        st(w, i, -step * ld(glag, i));
        st(xalt, i, Math.max(ld(sl, i), Math.min(ld(su, i), ld(xopt, i) + ld(w, i))));
      } else if (ld(w, i) == 0) {
        st(xalt, i, ld(xopt, i));
      } else if (ld(glag, i) > 0) {
        st(xalt, i, ld(sl, i));
      } else {
        st(xalt, i, ld(su, i));
      }
      gw += ld(glag, i) * ld(w, i);
    }

    let curv: f64 = 0;
    for (let k = 0; k < npt; k++) {
      let temp: f64 = 0;
      for (let j = 0; j < n; j++) temp += ld(xpt, k * n + j) * ld(w, j);
      curv += ld(hcol, k) * temp * temp;
    }
    if (iflag == 1) curv = -curv;
    if (curv > -gw && curv < -CONST * gw) {
      const scale = -gw / curv;
      for (let i = 0; i < n; i++) {
        const temp = ld(xopt, i) + scale * ld(w, i);
        st(xalt, i, Math.max(ld(sl, i), Math.min(ld(su, i), temp)));
      }
      const c = 0.5 * gw * scale;
      cauchy = c * c;
    } else {
      const c = gw + 0.5 * curv;
      cauchy = c * c;
    }

    if (iflag == 0) {
      for (let i = 0; i < n; i++) {
        st(glag, i, -ld(glag, i));
        st(w, n + i, ld(xalt, i));
      }
      csave = cauchy;
    }
  }
  if (csave > cauchy) {
    for (let i = 0; i < n; i++) st(xalt, i, ld(w, n + i));
    cauchy = csave;
  }
  gAlpha = alpha;
  gCauchy = cauchy;
}

/**
 * RESCUE: shifts XBASE to XOPT, rebuilds BMAT and ZMAT for provisional points along the coordinate
 * directions, reinstates as many original points as keep the system well conditioned, evaluates the
 * provisional points that remain and revises the model. Sets gKopt.
 */
function rescue(delta: f64, koptIn: i32): i32 {
  const xbase = pXbase;
  const xpt = pXpt;
  const fval = pFval;
  const xopt = pXopt;
  const gopt = pGopt;
  const hq = pHq;
  const pq = pPq;
  const bmat = pBmat;
  const zmat = pZmat;
  const sl = pSl;
  const su = pSu;
  const vlag = pVlag;
  const ptsaux1 = pAux1;
  const ptsaux2 = pAux2;
  const ptsP = pPtsP;
  const ptsQ = pPtsQ;
  const prov = pProv;
  const w = pRw;
  const wdist = pWdist;
  const np = n + 1;
  const xeval = pPoint;
  let kopt = koptIn;

  let sumpq: f64 = 0;
  let winc: f64 = 0;
  for (let k = 0; k < npt; k++) {
    let distsq: f64 = 0;
    for (let j = 0; j < n; j++) {
      st(xpt, k * n + j, ld(xpt, k * n + j) - ld(xopt, j));
      distsq += ld(xpt, k * n + j) * ld(xpt, k * n + j);
    }
    sumpq += ld(pq, k);
    st(wdist, k, distsq);
    winc = Math.max(winc, distsq);
    for (let j = 0; j < nptm; j++) st(zmat, k * nptm + j, 0);
  }

  let ih = 0;
  for (let j = 0; j < n; j++) {
    st(w, j, 0.5 * sumpq * ld(xopt, j));
    for (let k = 0; k < npt; k++) st(w, j, ld(w, j) + ld(pq, k) * ld(xpt, k * n + j));
    for (let i = 0; i <= j; i++) {
      st(hq, ih, ld(hq, ih) + (ld(w, i) * ld(xopt, j) + ld(w, j) * ld(xopt, i)));
      ih++;
    }
  }

  for (let j = 0; j < n; j++) {
    st(xbase, j, ld(xbase, j) + ld(xopt, j));
    st(sl, j, ld(sl, j) - ld(xopt, j));
    st(su, j, ld(su, j) - ld(xopt, j));
    st(xopt, j, 0);
    st(ptsaux1, j, Math.min(delta, ld(su, j)));
    st(ptsaux2, j, Math.max(-delta, ld(sl, j)));
    if (ld(ptsaux1, j) + ld(ptsaux2, j) < 0) {
      const temp = ld(ptsaux1, j);
      st(ptsaux1, j, ld(ptsaux2, j));
      st(ptsaux2, j, temp);
    }
    if (Math.abs(ld(ptsaux2, j)) < 0.5 * Math.abs(ld(ptsaux1, j))) st(ptsaux2, j, 0.5 * ld(ptsaux1, j));
    for (let i = 0; i < ndim; i++) st(bmat, i * n + j, 0);
  }
  const fbase = ld(fval, kopt);

  sti(prov, 0, 1);
  sti(ptsP, 0, -1);
  sti(ptsQ, 0, -1);
  for (let j = 0; j < n; j++) {
    const jp = j + 1;
    const jpn = jp + n;
    sti(prov, jp, 1);
    sti(ptsP, jp, j);
    sti(ptsQ, jp, -1);
    if (jpn < npt) {
      sti(prov, jpn, 1);
      sti(ptsP, jpn, -1);
      sti(ptsQ, jpn, j);
      const temp = 1 / (ld(ptsaux1, j) - ld(ptsaux2, j));
      st(bmat, jp * n + j, -temp + 1 / ld(ptsaux1, j));
      st(bmat, jpn * n + j, temp + 1 / ld(ptsaux2, j));
      st(bmat, j, -ld(bmat, jp * n + j) - ld(bmat, jpn * n + j));
      st(zmat, j, Math.SQRT2 / Math.abs(ld(ptsaux1, j) * ld(ptsaux2, j)));
      st(zmat, jp * nptm + j, ld(zmat, j) * ld(ptsaux2, j) * temp);
      st(zmat, jpn * nptm + j, -ld(zmat, j) * ld(ptsaux1, j) * temp);
    } else {
      st(bmat, j, -1 / ld(ptsaux1, j));
      st(bmat, jp * n + j, 1 / ld(ptsaux1, j));
      st(bmat, (j + npt) * n + j, -0.5 * ld(ptsaux1, j) * ld(ptsaux1, j));
    }
  }
  if (npt >= n + np) {
    for (let k = 2 * np; k <= npt; k++) {
      const iw = <i32>Math.trunc((<f64>(k - np) - 0.5) / <f64>n);
      const ip = k - np - iw * n;
      let iq = ip + iw;
      if (iq > n) iq -= n;
      const k0 = k - 1;
      const col = k - np - 1;
      sti(prov, k0, 1);
      sti(ptsP, k0, ip - 1);
      sti(ptsQ, k0, iq - 1);
      const temp = 1 / (ld(ptsaux1, ip - 1) * ld(ptsaux1, iq - 1));
      st(zmat, col, temp);
      st(zmat, ip * nptm + col, -temp);
      st(zmat, iq * nptm + col, -temp);
      st(zmat, k0 * nptm + col, temp);
    }
  }

  let nrem = npt;
  let kold = 0;
  let knew = kopt;
  let beta: f64 = 0;
  let denom: f64 = 0;
  // Reinstate original points one at a time (the outer loop), each chosen by the inner loop.
  while (true) {
    for (let j = 0; j < n; j++) {
      const temp = ld(bmat, kold * n + j);
      st(bmat, kold * n + j, ld(bmat, knew * n + j));
      st(bmat, knew * n + j, temp);
    }
    for (let j = 0; j < nptm; j++) {
      const temp = ld(zmat, kold * nptm + j);
      st(zmat, kold * nptm + j, ld(zmat, knew * nptm + j));
      st(zmat, knew * nptm + j, temp);
    }
    sti(prov, kold, ldi(prov, knew));
    sti(ptsP, kold, ldi(ptsP, knew));
    sti(ptsQ, kold, ldi(ptsQ, knew));
    sti(prov, knew, 0);
    st(wdist, knew, 0);
    nrem--;
    if (knew != kopt) {
      const temp = ld(vlag, kold);
      st(vlag, kold, ld(vlag, knew));
      st(vlag, knew, temp);
      update(beta, denom, knew, w);
      if (nrem == 0) {
        gKopt = kopt;
        return OK;
      }
      for (let k = 0; k < npt; k++) st(wdist, k, Math.abs(ld(wdist, k)));
    }

    let done = false;
    while (true) {
      let dsqmin: f64 = 0;
      for (let k = 0; k < npt; k++) {
        if (ld(wdist, k) > 0 && (dsqmin == 0 || ld(wdist, k) < dsqmin)) {
          knew = k;
          dsqmin = ld(wdist, k);
        }
      }
      if (dsqmin == 0) {
        done = true;
        break;
      }

      for (let j = 0; j < n; j++) st(w, npt + j, ld(xpt, knew * n + j));
      for (let k = 0; k < npt; k++) {
        let sum: f64 = 0;
        if (k == kopt) {
          // origin
        } else if (ldi(prov, k) == 0) {
          for (let j = 0; j < n; j++) sum += ld(w, npt + j) * ld(xpt, k * n + j);
        } else {
          const ip = ldi(ptsP, k);
          const iq = ldi(ptsQ, k);
          if (ip >= 0) sum = ld(w, npt + ip) * ld(ptsaux1, ip);
          if (iq >= 0) sum += ld(w, npt + iq) * (ip < 0 ? ld(ptsaux2, iq) : ld(ptsaux1, iq));
        }
        st(w, k, 0.5 * sum * sum);
      }

      for (let k = 0; k < npt; k++) {
        let sum: f64 = 0;
        for (let j = 0; j < n; j++) sum += ld(bmat, k * n + j) * ld(w, npt + j);
        st(vlag, k, sum);
      }
      beta = 0;
      for (let j = 0; j < nptm; j++) {
        let sum: f64 = 0;
        for (let k = 0; k < npt; k++) sum += ld(zmat, k * nptm + j) * ld(w, k);
        beta -= sum * sum;
        for (let k = 0; k < npt; k++) st(vlag, k, ld(vlag, k) + sum * ld(zmat, k * nptm + j));
      }
      let bsum: f64 = 0;
      let distsq: f64 = 0;
      for (let j = 0; j < n; j++) {
        let sum: f64 = 0;
        for (let k = 0; k < npt; k++) sum += ld(bmat, k * n + j) * ld(w, k);
        const jp = j + npt;
        bsum += sum * ld(w, jp);
        for (let ip = npt; ip < ndim; ip++) sum += ld(bmat, ip * n + j) * ld(w, ip);
        bsum += sum * ld(w, jp);
        st(vlag, jp, sum);
        distsq += ld(xpt, knew * n + j) * ld(xpt, knew * n + j);
      }
      beta = 0.5 * distsq * distsq + beta - bsum;
      st(vlag, kopt, ld(vlag, kopt) + 1);

      denom = 0;
      let vlmxsq: f64 = 0;
      for (let k = 0; k < npt; k++) {
        if (ldi(prov, k) != 0) {
          let hdiag: f64 = 0;
          for (let j = 0; j < nptm; j++) hdiag += ld(zmat, k * nptm + j) * ld(zmat, k * nptm + j);
          const den = beta * hdiag + ld(vlag, k) * ld(vlag, k);
          if (den > denom) {
            kold = k;
            denom = den;
          }
        }
        vlmxsq = Math.max(vlmxsq, ld(vlag, k) * ld(vlag, k));
      }
      if (denom <= 0.01 * vlmxsq) {
        visits |= V_RESCUE_POSTPONES;
        st(wdist, knew, -ld(wdist, knew) - winc);
        continue;
      }
      break;
    }
    if (done) break;
  }

  for (let kpt = 0; kpt < npt; kpt++) {
    if (ldi(prov, kpt) == 0) continue;
    if (<f64>count >= maxfun) {
      gKopt = kopt;
      return MAXFUN;
    }
    visits |= V_RESCUE_EVALUATES;
    ih = 0;
    for (let j = 0; j < n; j++) {
      st(w, j, ld(xpt, kpt * n + j));
      st(xpt, kpt * n + j, 0);
      const temp = ld(pq, kpt) * ld(w, j);
      for (let i = 0; i <= j; i++) {
        st(hq, ih, ld(hq, ih) + temp * ld(w, i));
        ih++;
      }
    }
    st(pq, kpt, 0);
    const ip = ldi(ptsP, kpt);
    const iq = ldi(ptsQ, kpt);
    let xp: f64 = 0;
    let xq: f64 = 0;
    if (ip >= 0) {
      xp = ld(ptsaux1, ip);
      st(xpt, kpt * n + ip, xp);
    }
    if (iq >= 0) {
      xq = ip < 0 ? ld(ptsaux2, iq) : ld(ptsaux1, iq);
      st(xpt, kpt * n + iq, xq);
    }

    let vquad = fbase;
    if (ip >= 0) vquad += xp * (ld(gopt, ip) + 0.5 * xp * ld(hq, hqIndex(ip, ip)));
    if (iq >= 0) {
      vquad += xq * (ld(gopt, iq) + 0.5 * xq * ld(hq, hqIndex(iq, iq)));
      if (ip >= 0) vquad += xp * xq * ld(hq, hqIndex(ip, iq));
    }
    for (let k = 0; k < npt; k++) {
      let temp: f64 = 0;
      if (ip >= 0) temp += xp * ld(xpt, k * n + ip);
      if (iq >= 0) temp += xq * ld(xpt, k * n + iq);
      vquad += 0.5 * ld(pq, k) * temp * temp;
    }

    pointFromBase(xpt, kpt * n, xeval);
    const f = call();
    st(fval, kpt, f);
    if (f < ld(fval, kopt)) kopt = kpt;
    if (cancelled) {
      gKopt = kopt;
      return CANCELLED;
    }
    const diff = f - vquad;

    for (let i = 0; i < n; i++) st(gopt, i, ld(gopt, i) + diff * ld(bmat, kpt * n + i));
    for (let k = 0; k < npt; k++) {
      let sum: f64 = 0;
      for (let j = 0; j < nptm; j++) sum += ld(zmat, k * nptm + j) * ld(zmat, kpt * nptm + j);
      const temp = diff * sum;
      if (ldi(prov, k) == 0) {
        st(pq, k, ld(pq, k) + temp);
      } else {
        const kp = ldi(ptsP, k);
        const kq = ldi(ptsQ, k);
        if (kp < 0) {
          if (kq >= 0) st(hq, hqIndex(kq, kq), ld(hq, hqIndex(kq, kq)) + temp * ld(ptsaux2, kq) * ld(ptsaux2, kq));
        } else {
          st(hq, hqIndex(kp, kp), ld(hq, hqIndex(kp, kp)) + temp * ld(ptsaux1, kp) * ld(ptsaux1, kp));
          if (kq >= 0) {
            st(hq, hqIndex(kq, kq), ld(hq, hqIndex(kq, kq)) + temp * ld(ptsaux1, kq) * ld(ptsaux1, kq));
            st(hq, hqIndex(kp, kq), ld(hq, hqIndex(kp, kq)) + temp * ld(ptsaux1, kp) * ld(ptsaux1, kq));
          }
        }
      }
    }
    sti(prov, kpt, 0);
  }
  gKopt = kopt;
  return OK;
}

/**
 * UPDATE: revises BMAT and ZMAT when interpolation point KNEW is replaced; VLAG holds the first NPT
 * and last N components of H w; w (npt + n f64) is work space.
 */
function update(beta: f64, denom: f64, knew: i32, w: usize): void {
  const bmat = pBmat;
  const zmat = pZmat;
  const vlag = pVlag;
  let ztest: f64 = 0;
  for (let k = 0; k < npt * nptm; k++) ztest = Math.max(ztest, Math.abs(ld(zmat, k)));
  ztest *= 1e-20;

  for (let j = 1; j < nptm; j++) {
    const zkj = ld(zmat, knew * nptm + j);
    if (Math.abs(zkj) > ztest) {
      const zk1 = ld(zmat, knew * nptm);
      const temp = Math.sqrt(zk1 * zk1 + zkj * zkj);
      const tempa = zk1 / temp;
      const tempb = zkj / temp;
      for (let i = 0; i < npt; i++) {
        const t = tempa * ld(zmat, i * nptm) + tempb * ld(zmat, i * nptm + j);
        st(zmat, i * nptm + j, tempa * ld(zmat, i * nptm + j) - tempb * ld(zmat, i * nptm));
        st(zmat, i * nptm, t);
      }
    }
    st(zmat, knew * nptm + j, 0);
  }

  for (let i = 0; i < npt; i++) st(w, i, ld(zmat, knew * nptm) * ld(zmat, i * nptm));
  const alpha = ld(w, knew);
  const tau = ld(vlag, knew);
  st(vlag, knew, ld(vlag, knew) - 1);

  const sq = Math.sqrt(denom);
  const tempb = ld(zmat, knew * nptm) / sq;
  const tempa = tau / sq;
  for (let i = 0; i < npt; i++) st(zmat, i * nptm, tempa * ld(zmat, i * nptm) - tempb * ld(vlag, i));

  for (let j = 0; j < n; j++) {
    const jp = npt + j;
    st(w, jp, ld(bmat, knew * n + j));
    const ta = (alpha * ld(vlag, jp) - tau * ld(w, jp)) / denom;
    const tb = (-beta * ld(w, jp) - tau * ld(vlag, jp)) / denom;
    for (let i = 0; i <= jp; i++) {
      st(bmat, i * n + j, ld(bmat, i * n + j) + ta * ld(vlag, i) + tb * ld(w, i));
      if (i >= npt) st(bmat, jp * n + (i - npt), ld(bmat, i * n + j));
    }
  }
}
