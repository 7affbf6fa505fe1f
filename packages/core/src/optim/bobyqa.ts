/**
 * BOBYQA: bound-constrained optimization by quadratic approximation, without derivatives.
 *
 * A TypeScript port of M. J. D. Powell's algorithm (Powell 2009, "The BOBYQA algorithm for bound
 * constrained optimization without derivatives", Cambridge report DAMTP 2009/NA06), following the
 * structure of his Fortran: PRELIM (initial interpolation set and model), TRSBOX (trust-region
 * subproblem with bounds), ALTMOV (geometry step), RESCUE (rebuild of the interpolation set after
 * rounding damage) and UPDATE (update of the inverse KKT matrix H = [ZMAT ZMAT^T, BMAT^T; BMAT, .]).
 *
 * Conventions: all arrays are 0-based and flat. With n variables and npt interpolation points,
 *   xpt[k*n + j]      coordinate j of interpolation point k, relative to xbase
 *   bmat[k*n + j]     row k (0 <= k < npt+n) of the last n columns of H
 *   zmat[k*nptm + j]  factor of the leading npt x npt block of H, nptm = npt-n-1
 *   hq[hqIndex(i,j)]  packed lower triangle of the explicit second-derivative matrix of the model
 * Powell's variable names are kept; the model Hessian is HQ + sum_k PQ(k) x_k x_k^T.
 *
 * Departures from Powell's code (none changes the iteration itself):
 * - n = 1 is accepted (npt = 3, the full quadratic interpolant); Powell's formulas hold for n = 1 and
 *   TRSBOX's boundary rotations, which need n >= 2, are skipped by its own test nact >= n-1.
 * - Variables with lower == upper are removed; rhobeg is reduced to half the smallest finite gap
 *   upper-lower instead of being an error; infinite bounds become +-1e100.
 * - NaN/Infinity values of f are replaced by a value above all finite values seen so far.
 * - The result is the best point actually evaluated (Powell returns XBASE+XOPT, the same point up to
 *   the rounding of the shifts of XBASE); maxfun, cancellation, ftolAbs and xtolAbs (as NLopt) stop it.
 * - Extra guards against non-finite model values (as NLopt's check of ZMAT) end with "roundoff".
 * - RESCUE's PTSID codes are stored decoded (ptsP, ptsQ, prov).
 *
 * The iteration (BOBYQB and the routines it calls) runs in WebAssembly where available
 * (wasm/bobyqa.ts, through wasmBobyqb.ts): the same operations in the same order, so the same points
 * are evaluated and the same result found, at compiled speed from a process's first fit, where this
 * TypeScript would still be interpreted. This TypeScript is the reference and the fallback.
 */

import { type BobyqbEnding, type BobyqbStart, typescriptBobyqbRan, wasmBobyqb, wasmBobyqbPays } from "./wasmBobyqb.js";

export interface BobyqaOptions {
  /** Lower bounds (default all -Infinity). */
  lower?: ArrayLike<number>;
  /** Upper bounds (default all +Infinity). */
  upper?: ArrayLike<number>;
  /** Initial trust region radius (default 0.2), reduced to half the smallest finite gap upper-lower. */
  rhobeg?: number;
  /** Final trust region radius (default 1e-7). */
  rhoend?: number;
  /** Maximum number of calls of f (default 10000). */
  maxfun?: number;
  /** Number of interpolation points, in [n+2, (n+1)(n+2)/2] (default 2n+1). */
  npt?: number;
  /** Stop when an accepted step improves f by less than this (absolute); default 0 (off). */
  ftolAbs?: number;
  /** Stop when the trust region radius rho falls below this; default 0 (off). */
  xtolAbs?: number;
  /** Called after each evaluation with the point, the value returned by f and the count; false cancels. */
  onEvaluation?: (x: Float64Array, f: number, evaluations: number) => void | boolean;
  /**
   * true runs the iteration in WebAssembly where available (the same operations in the same order as
   * the TypeScript, so the same points and result, compiled from its first call), false in
   * TypeScript; by default WebAssembly once it pays for compiling it (wasmBobyqbPays).
   */
  wasm?: boolean;
}

export interface BobyqaResult {
  /** Best point found (always within bounds; exactly the point at which fx was computed). */
  x: Float64Array;
  /** f(x). */
  fx: number;
  /** Number of calls of f. */
  evaluations: number;
  status: "converged" | "maxfun" | "cancelled" | "roundoff";
  message: string;
}

type Status = "ok" | BobyqaResult["status"];

interface Outcome {
  status: Status;
  message: string;
}

/** Counts calls of the objective and stops at maxfun; `cancelled` is set by onEvaluation. */
interface Evaluator {
  count: number;
  readonly maxfun: number;
  cancelled: boolean;
  /** Evaluates f at x (free variables, inside the bounds); never returns NaN or Infinity. */
  call(x: Float64Array): number;
}

/** Working data shared by the subroutines (Powell's arguments of BOBYQB): where it starts, and its arrays. */
interface Model extends BobyqbStart {
  xpt: Float64Array;
  fval: Float64Array;
  xopt: Float64Array;
  gopt: Float64Array;
  hq: Float64Array;
  pq: Float64Array;
  bmat: Float64Array;
  zmat: Float64Array;
}

/** Magnitude used in place of infinite bounds. */
const BIG_BOUND = 1e100;
/** Value used for a non-finite f when no finite value has been seen yet. */
const BAD_VALUE = 1e30;

/**
 * Minimizes f(x) subject to lower <= x <= upper with Powell's BOBYQA.
 * Variables with lower == upper are held fixed and removed from the problem; x0 is moved inside the
 * bounds as Powell does. f is only called at points within the bounds. Non-finite values of f are
 * replaced by a value above every finite value seen so far (an "extreme barrier" kept moderate so that
 * the quadratic models stay usable).
 */
export function bobyqa(
  f: (x: Float64Array) => number,
  x0: ArrayLike<number>,
  options: BobyqaOptions = {},
): BobyqaResult {
  const nAll = x0.length;
  const lowerIn = options.lower;
  const upperIn = options.upper;
  if (lowerIn !== undefined && lowerIn.length !== nAll) throw new RangeError("bobyqa: lower has the wrong length");
  if (upperIn !== undefined && upperIn.length !== nAll) throw new RangeError("bobyqa: upper has the wrong length");

  const lower = new Float64Array(nAll);
  const upper = new Float64Array(nAll);
  const xstart = new Float64Array(nAll);
  for (let i = 0; i < nAll; i++) {
    const lo = lowerIn === undefined ? -Infinity : Number(lowerIn[i]);
    const up = upperIn === undefined ? Infinity : Number(upperIn[i]);
    const xi = Number(x0[i]);
    if (Number.isNaN(lo) || Number.isNaN(up) || lo > up || lo === Infinity || up === -Infinity) {
      throw new RangeError(`bobyqa: invalid bounds [${lo}, ${up}] for variable ${i}`);
    }
    if (!Number.isFinite(xi)) throw new RangeError(`bobyqa: x0[${i}] is not finite`);
    lower[i] = lo;
    upper[i] = up;
    xstart[i] = Math.min(Math.max(xi, lo), up);
  }

  const maxfun = Math.floor(options.maxfun ?? 10000);
  if (!(maxfun >= 1)) throw new RangeError("bobyqa: maxfun must be at least 1");
  const ftolAbs = options.ftolAbs ?? 0;
  const xtolAbs = options.xtolAbs ?? 0;
  if (!(ftolAbs >= 0) || !(xtolAbs >= 0)) throw new RangeError("bobyqa: ftolAbs and xtolAbs must be >= 0");

  // Free variables (lower < upper); the others stay at their fixed value.
  const free: number[] = [];
  for (let i = 0; i < nAll; i++) if (upper[i]! > lower[i]!) free.push(i);
  const n = free.length;

  // rhobeg and rhoend: Powell requires upper - lower >= 2 rhobeg and rhoend <= rhobeg.
  let rhobeg = options.rhobeg ?? 0.2;
  if (!(rhobeg > 0) || !Number.isFinite(rhobeg)) throw new RangeError("bobyqa: rhobeg must be positive and finite");
  for (const i of free) {
    const gap = upper[i]! - lower[i]!;
    if (Number.isFinite(gap)) rhobeg = Math.min(rhobeg, 0.5 * gap);
  }
  let rhoend = options.rhoend ?? 1e-7;
  if (!(rhoend > 0)) throw new RangeError("bobyqa: rhoend must be positive");
  rhoend = Math.min(Math.max(rhoend, xtolAbs), rhobeg);

  let npt = options.npt ?? 2 * n + 1;
  if (options.npt !== undefined) {
    const nptMax = ((nAll + 1) * (nAll + 2)) / 2;
    if (!Number.isInteger(npt) || npt < nAll + 2 || npt > nptMax) {
      throw new RangeError(`bobyqa: npt must be an integer in [n+2, (n+1)(n+2)/2] = [${nAll + 2}, ${nptMax}]`);
    }
    npt = Math.min(Math.max(npt, n + 2), ((n + 1) * (n + 2)) / 2); // when fixed variables were removed
  }

  // Evaluation wrapper: full vector, sanitized value, best point, counting, cancellation.
  let best: Float64Array = xstart.slice();
  let bestValue = Infinity; // sanitized
  let bestRaw = NaN;
  let haveBest = false;
  let fminSeen = Infinity;
  let fmaxSeen = -Infinity;
  const onEvaluation = options.onEvaluation;
  const fullPoint = (xf: Float64Array): Float64Array => {
    const xfull = xstart.slice();
    for (let j = 0; j < n; j++) {
      const i = free[j]!;
      // Guard against any rounding outside the user's bounds (the internal bounds are exact copies).
      xfull[i] = Math.min(Math.max(xf[j]!, lower[i]!), upper[i]!);
    }
    return xfull;
  };
  const ev: Evaluator = {
    count: 0,
    maxfun,
    cancelled: false,
    call(xf: Float64Array): number {
      const xfull = fullPoint(xf);
      this.count++;
      const raw = f(xfull);
      const finite = Number.isFinite(raw);
      let value: number;
      if (finite) {
        value = raw;
        fminSeen = Math.min(fminSeen, raw);
        fmaxSeen = Math.max(fmaxSeen, raw);
      } else if (fmaxSeen > -Infinity) {
        value = fmaxSeen + Math.max(fmaxSeen - fminSeen, Math.abs(fmaxSeen), 1);
      } else {
        value = BAD_VALUE;
      }
      // A finite value always beats a non-finite one (whatever the replacement value was).
      const bestFinite = Number.isFinite(bestRaw);
      if (!haveBest || (finite && !bestFinite) || (finite === bestFinite && value < bestValue)) {
        haveBest = true;
        bestValue = value;
        bestRaw = raw;
        best = fullPoint(xf);
      }
      if (onEvaluation !== undefined && onEvaluation(xfull, raw, this.count) === false) this.cancelled = true;
      return value;
    },
  };

  const finish = (outcome: Outcome): BobyqaResult => ({
    x: best,
    fx: bestRaw,
    evaluations: ev.count,
    status: outcome.status === "ok" ? "converged" : outcome.status,
    message: Number.isFinite(bestRaw) ? outcome.message : `${outcome.message} (f never returned a finite value)`,
  });

  if (n === 0) {
    ev.call(new Float64Array(0));
    return finish({
      status: ev.cancelled ? "cancelled" : "converged",
      message: ev.cancelled ? CANCELLED.message : "all variables are fixed by their bounds",
    });
  }

  // Internal bounds (infinite ones replaced by +-BIG_BOUND) and Powell's adjustment of x0.
  const xl = new Float64Array(n);
  const xu = new Float64Array(n);
  const x = new Float64Array(n);
  const sl = new Float64Array(n);
  const su = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const i = free[j]!;
    xl[j] = Math.max(lower[i]!, -BIG_BOUND);
    xu[j] = Math.min(upper[i]!, BIG_BOUND);
    x[j] = xstart[i]!;
  }
  for (let j = 0; j < n; j++) {
    const temp = xu[j]! - xl[j]!;
    sl[j] = xl[j]! - x[j]!;
    su[j] = xu[j]! - x[j]!;
    if (sl[j]! >= -rhobeg) {
      if (sl[j]! >= 0) {
        x[j] = xl[j]!;
        sl[j] = 0;
        su[j] = temp;
      } else {
        x[j] = xl[j]! + rhobeg;
        sl[j] = -rhobeg;
        su[j] = Math.max(xu[j]! - x[j]!, rhobeg);
      }
    } else if (su[j]! <= rhobeg) {
      if (su[j]! <= 0) {
        x[j] = xu[j]!;
        sl[j] = -temp;
        su[j] = 0;
      } else {
        x[j] = xu[j]! - rhobeg;
        sl[j] = Math.min(xl[j]! - x[j]!, -rhobeg);
        su[j] = rhobeg;
      }
    }
  }

  if (options.wasm ?? wasmBobyqbPays(n)) {
    const ending = wasmBobyqb({ n, npt, xl, xu, sl, su, xbase: x, rhobeg, rhoend, ftolAbs, maxfun }, ev);
    if (ending !== null) return finish(wasmOutcome(ending, rhoend, maxfun, ftolAbs));
  }

  const ndim = npt + n;
  const m: Model = {
    n,
    npt,
    xl,
    xu,
    sl,
    su,
    xbase: x.slice(),
    xpt: new Float64Array(npt * n),
    fval: new Float64Array(npt),
    xopt: new Float64Array(n),
    gopt: new Float64Array(n),
    hq: new Float64Array((n * (n + 1)) / 2),
    pq: new Float64Array(npt),
    bmat: new Float64Array(ndim * n),
    zmat: new Float64Array(npt * (npt - n - 1)),
  };
  try {
    return finish(bobyqb(m, ev, rhobeg, rhoend, ftolAbs));
  } finally {
    typescriptBobyqbRan(ev.count);
  }
}

/** Index of element (i, j) of a symmetric n x n matrix stored as a packed lower triangle. */
function hqIndex(i: number, j: number): number {
  return i <= j ? (j * (j + 1)) / 2 + i : (i * (i + 1)) / 2 + j;
}

/** The point xbase + xrel clipped to [xl, xu], exactly on a bound where xrel equals sl or su. */
function pointFromBase(m: Model, xrel: Float64Array, xrelOffset: number, out: Float64Array): void {
  const { n, xl, xu, sl, su, xbase } = m;
  for (let j = 0; j < n; j++) {
    const r = xrel[xrelOffset + j]!;
    out[j] = Math.min(Math.max(xl[j]!, xbase[j]! + r), xu[j]!);
    if (r === sl[j]!) out[j] = xl[j]!;
    if (r === su[j]!) out[j] = xu[j]!;
  }
}

/** hs = (HQ + sum_k PQ(k) x_k x_k^T) s, the product of the model Hessian with s. */
function hessMul(m: Model, s: Float64Array, hs: Float64Array): void {
  const { n, npt, xpt, hq, pq } = m;
  hs.fill(0, 0, n);
  let ih = 0;
  for (let j = 0; j < n; j++) {
    for (let i = 0; i <= j; i++) {
      if (i < j) hs[j]! += hq[ih]! * s[i]!;
      hs[i]! += hq[ih]! * s[j]!;
      ih++;
    }
  }
  for (let k = 0; k < npt; k++) {
    if (pq[k] !== 0) {
      let temp = 0;
      for (let j = 0; j < n; j++) temp += xpt[k * n + j]! * s[j]!;
      temp *= pq[k]!;
      for (let i = 0; i < n; i++) hs[i]! += temp * xpt[k * n + i]!;
    }
  }
}

/**
 * BOBYQB: the main trust-region iteration. Powell's GOTO structure is kept as a small state machine
 * whose states carry his label numbers.
 */
function bobyqb(m: Model, ev: Evaluator, rhobeg: number, rhoend: number, ftolAbs: number): Outcome {
  const { n, npt, xpt, fval, xopt, gopt, hq, pq, bmat, zmat, sl, su, xbase } = m;
  const np = n + 1;
  const nptm = npt - np;
  const nh = (n * np) / 2;
  const ndim = npt + n;

  const xnew = new Float64Array(n);
  const xalt = new Float64Array(n);
  const d = new Float64Array(n);
  const vlag = new Float64Array(ndim);
  const w = new Float64Array(2 * ndim);
  const x = new Float64Array(n);
  // TRSBOX work space
  const gnew = new Float64Array(n);
  const xbdi = new Float64Array(n);
  const s = new Float64Array(n);
  const hs = new Float64Array(n);
  const hred = new Float64Array(n);
  // ALTMOV work space
  const glag = new Float64Array(n);
  const hcol = new Float64Array(npt);
  const walt = new Float64Array(2 * n);
  // RESCUE work space
  const rw: RescueWork = {
    ptsaux1: new Float64Array(n),
    ptsaux2: new Float64Array(n),
    ptsP: new Int32Array(npt),
    ptsQ: new Int32Array(npt),
    prov: new Uint8Array(npt),
    w: new Float64Array(ndim),
    wdist: new Float64Array(npt),
  };

  // PRELIM sets XBASE, XPT, FVAL, GOPT, HQ, PQ, BMAT and ZMAT.
  const pre = prelim(m, ev, rhobeg);
  let kopt = pre.kopt;
  let xoptsq = 0;
  for (let i = 0; i < n; i++) {
    xopt[i] = xpt[kopt * n + i]!;
    xoptsq += xopt[i]! * xopt[i]!;
  }
  if (pre.status !== "ok") return pre;
  let kbase = 0;

  let rho = rhobeg;
  let delta = rho;
  let nresc = ev.count;
  let ntrits = 0;
  let diffa = 0;
  let diffb = 0;
  let diffc = 0;
  let itest = 0;
  let nfsav = ev.count;

  let knew = 0;
  let dsq = 0;
  let crvmin = 0;
  let dnorm = 0;
  let distsq = 0;
  let ratio = 0;
  let adelt = 0;
  let alpha = 0;
  let cauchy = 0;
  let beta = 0;
  let denom = 0;
  let vquad = 0;

  type Label =
    | "L20_updateGopt"
    | "L60_trustRegion"
    | "L90_shiftBase"
    | "L190_rescue"
    | "L210_altmov"
    | "L230_vlagBeta"
    | "L360_evaluate"
    | "L650_farPoints"
    | "L680_reduceRho";
  let next: Label = "L20_updateGopt";

  for (;;) {
    switch (next) {
      case "L20_updateGopt": {
        // Update GOPT to the gradient at XOPT if KOPT moved before the first iteration or in RESCUE.
        if (kopt !== kbase) {
          let ih = 0;
          for (let j = 0; j < n; j++) {
            for (let i = 0; i <= j; i++) {
              if (i < j) gopt[j]! += hq[ih]! * xopt[i]!;
              gopt[i]! += hq[ih]! * xopt[j]!;
              ih++;
            }
          }
          if (ev.count > npt) {
            for (let k = 0; k < npt; k++) {
              let temp = 0;
              for (let j = 0; j < n; j++) temp += xpt[k * n + j]! * xopt[j]!;
              temp *= pq[k]!;
              for (let i = 0; i < n; i++) gopt[i]! += temp * xpt[k * n + i]!;
            }
          }
        }
        next = "L60_trustRegion";
        continue;
      }

      case "L60_trustRegion": {
        // Trust-region step XNEW = XOPT + D from TRSBOX. A step shorter than rho/2 is not evaluated:
        // either the model is improved near XOPT (label 650) or rho is reduced (label 680).
        const tr = trsbox(m, delta, xnew, d, gnew, xbdi, s, hs, hred);
        dsq = tr.dsq;
        crvmin = tr.crvmin;
        if (!Number.isFinite(dsq)) return roundoff(ROUNDOFF.nonFiniteStep);
        dnorm = Math.min(delta, Math.sqrt(dsq));
        if (dnorm < 0.5 * rho) {
          ntrits = -1;
          distsq = 100 * rho * rho;
          if (ev.count <= nfsav + 2) {
            next = "L650_farPoints";
            continue;
          }
          // Reduce rho only if the recent model errors are small compared with the likely improvement
          // within distance rho/2 of XOPT, taking account of active bounds.
          const errbig = Math.max(diffa, diffb, diffc);
          const frhosq = 0.125 * rho * rho;
          if (crvmin > 0 && errbig > frhosq * crvmin) {
            next = "L650_farPoints";
            continue;
          }
          const bdtol = errbig / rho;
          let improveModel = false;
          for (let j = 0; j < n; j++) {
            let bdtest = bdtol;
            if (xnew[j] === sl[j]) bdtest = gnew[j]!;
            if (xnew[j] === su[j]) bdtest = -gnew[j]!;
            if (bdtest < bdtol) {
              let curv = hq[hqIndex(j, j)]!;
              for (let k = 0; k < npt; k++) curv += pq[k]! * xpt[k * n + j]! * xpt[k * n + j]!;
              bdtest += 0.5 * curv * rho;
              if (bdtest < bdtol) {
                improveModel = true;
                break;
              }
            }
          }
          next = improveModel ? "L650_farPoints" : "L680_reduceRho";
          continue;
        }
        ntrits++;
        next = "L90_shiftBase";
        continue;
      }

      case "L90_shiftBase": {
        // If XOPT is far from XBASE (relative to the step), shift XBASE to XOPT to limit cancellation,
        // updating BMAT and the second-derivative parameters of the model.
        if (dsq <= 1e-3 * xoptsq) {
          const fracsq = 0.25 * xoptsq;
          let sumpq = 0;
          for (let k = 0; k < npt; k++) {
            sumpq += pq[k]!;
            let sum = -0.5 * xoptsq;
            for (let i = 0; i < n; i++) sum += xpt[k * n + i]! * xopt[i]!;
            w[npt + k] = sum;
            const temp = fracsq - 0.5 * sum;
            for (let i = 0; i < n; i++) {
              w[i] = bmat[k * n + i]!;
              vlag[i] = sum * xpt[k * n + i]! + temp * xopt[i]!;
              const ip = npt + i;
              for (let j = 0; j <= i; j++) bmat[ip * n + j]! += w[i]! * vlag[j]! + vlag[i]! * w[j]!;
            }
          }
          // Revisions of BMAT that depend on ZMAT.
          for (let jj = 0; jj < nptm; jj++) {
            let sumz = 0;
            let sumw = 0;
            for (let k = 0; k < npt; k++) {
              sumz += zmat[k * nptm + jj]!;
              vlag[k] = w[npt + k]! * zmat[k * nptm + jj]!;
              sumw += vlag[k]!;
            }
            for (let j = 0; j < n; j++) {
              let sum = (fracsq * sumz - 0.5 * sumw) * xopt[j]!;
              for (let k = 0; k < npt; k++) sum += vlag[k]! * xpt[k * n + j]!;
              w[j] = sum;
              for (let k = 0; k < npt; k++) bmat[k * n + j]! += sum * zmat[k * nptm + jj]!;
            }
            for (let i = 0; i < n; i++) {
              const ip = i + npt;
              const temp = w[i]!;
              for (let j = 0; j <= i; j++) bmat[ip * n + j]! += temp * w[j]!;
            }
          }
          // Complete the shift, including the second-derivative parameters of the model.
          let ih = 0;
          for (let j = 0; j < n; j++) {
            w[j] = -0.5 * sumpq * xopt[j]!;
            for (let k = 0; k < npt; k++) {
              w[j]! += pq[k]! * xpt[k * n + j]!;
              xpt[k * n + j]! -= xopt[j]!;
            }
            for (let i = 0; i <= j; i++) {
              hq[ih]! += w[i]! * xopt[j]! + xopt[i]! * w[j]!;
              ih++;
              bmat[(npt + i) * n + j] = bmat[(npt + j) * n + i]!;
            }
          }
          for (let i = 0; i < n; i++) {
            xbase[i]! += xopt[i]!;
            xnew[i]! -= xopt[i]!;
            sl[i]! -= xopt[i]!;
            su[i]! -= xopt[i]!;
            xopt[i] = 0;
          }
          xoptsq = 0;
        }
        next = ntrits === 0 ? "L210_altmov" : "L230_vlagBeta";
        continue;
      }

      case "L190_rescue": {
        // RESCUE rebuilds BMAT and ZMAT (and possibly moves points) when rounding errors have
        // damaged the denominator of the updating formula.
        nfsav = ev.count;
        kbase = kopt;
        const res = rescue(m, ev, delta, kopt, vlag, rw);
        kopt = res.kopt;
        xoptsq = 0;
        if (kopt !== kbase) {
          for (let i = 0; i < n; i++) {
            xopt[i] = xpt[kopt * n + i]!;
            xoptsq += xopt[i]! * xopt[i]!;
          }
        }
        if (res.status !== "ok") return res;
        nresc = ev.count;
        if (nfsav < ev.count) {
          nfsav = ev.count;
          next = "L20_updateGopt";
          continue;
        }
        next = ntrits > 0 ? "L60_trustRegion" : "L210_altmov";
        continue;
      }

      case "L210_altmov": {
        // Geometry step: ALTMOV proposes XNEW (on a line through XOPT and another point) and XALT
        // (a constrained Cauchy step) as the new position of point KNEW.
        const am = altmov(m, kopt, knew, adelt, xnew, xalt, glag, hcol, walt);
        alpha = am.alpha;
        cauchy = am.cauchy;
        for (let i = 0; i < n; i++) d[i] = xnew[i]! - xopt[i]!;
        next = "L230_vlagBeta";
        continue;
      }

      case "L230_vlagBeta": {
        // VLAG (values of the Lagrange functions at XNEW) and BETA for the step D.
        for (let k = 0; k < npt; k++) {
          let suma = 0;
          let sumb = 0;
          let sum = 0;
          for (let j = 0; j < n; j++) {
            suma += xpt[k * n + j]! * d[j]!;
            sumb += xpt[k * n + j]! * xopt[j]!;
            sum += bmat[k * n + j]! * d[j]!;
          }
          w[k] = suma * (0.5 * suma + sumb);
          vlag[k] = sum;
          w[npt + k] = suma;
        }
        beta = 0;
        for (let jj = 0; jj < nptm; jj++) {
          let sum = 0;
          for (let k = 0; k < npt; k++) sum += zmat[k * nptm + jj]! * w[k]!;
          beta -= sum * sum;
          for (let k = 0; k < npt; k++) vlag[k]! += sum * zmat[k * nptm + jj]!;
        }
        dsq = 0;
        let bsum = 0;
        let dx = 0;
        for (let j = 0; j < n; j++) {
          dsq += d[j]! * d[j]!;
          let sum = 0;
          for (let k = 0; k < npt; k++) sum += w[k]! * bmat[k * n + j]!;
          bsum += sum * d[j]!;
          const jp = npt + j;
          for (let i = 0; i < n; i++) sum += bmat[jp * n + i]! * d[i]!;
          vlag[jp] = sum;
          bsum += sum * d[j]!;
          dx += d[j]! * xopt[j]!;
        }
        beta = dx * dx + dsq * (xoptsq + dx + dx + 0.5 * dsq) + beta - bsum;
        vlag[kopt]! += 1;

        if (ntrits === 0) {
          // Geometry step: maybe replace XNEW by the Cauchy step XALT if that gives a larger denominator.
          const vk = vlag[knew]!;
          denom = vk * vk + alpha * beta;
          if (denom < cauchy && cauchy > 0) {
            for (let i = 0; i < n; i++) {
              xnew[i] = xalt[i]!;
              d[i] = xnew[i]! - xopt[i]!;
            }
            cauchy = 0;
            next = "L230_vlagBeta";
            continue;
          }
          if (!(denom > 0.5 * vk * vk)) {
            if (ev.count > nresc) {
              next = "L190_rescue";
              continue;
            }
            return roundoff(ROUNDOFF.cancellation);
          }
        } else {
          // Trust-region step: choose KNEW, the point to be replaced, by the scaled denominator.
          const delsq = delta * delta;
          let scaden = 0;
          let biglsq = 0;
          knew = -1;
          for (let k = 0; k < npt; k++) {
            if (k === kopt) continue;
            let hdiag = 0;
            for (let jj = 0; jj < nptm; jj++) hdiag += zmat[k * nptm + jj]! * zmat[k * nptm + jj]!;
            const den = beta * hdiag + vlag[k]! * vlag[k]!;
            let dist2 = 0;
            for (let j = 0; j < n; j++) {
              const t = xpt[k * n + j]! - xopt[j]!;
              dist2 += t * t;
            }
            const temp = Math.max(1, (dist2 / delsq) ** 2);
            if (temp * den > scaden) {
              scaden = temp * den;
              knew = k;
              denom = den;
            }
            biglsq = Math.max(biglsq, temp * vlag[k]! * vlag[k]!);
          }
          if (!(scaden > 0.5 * biglsq) || knew < 0) {
            if (ev.count > nresc) {
              next = "L190_rescue";
              continue;
            }
            return roundoff(ROUNDOFF.cancellation);
          }
        }
        next = "L360_evaluate";
        continue;
      }

      case "L360_evaluate": {
        // Evaluate F at XBASE + XNEW, then update the model, the interpolation set and DELTA.
        if (ev.count >= ev.maxfun) return maxfunReached(ev.maxfun);
        pointFromBase(m, xnew, 0, x);
        const f = ev.call(x);
        if (ev.cancelled) return CANCELLED;
        if (ntrits === -1) {
          // The final short step at rho = rhoend has been tried.
          return converged(rhoend);
        }

        // Predicted change VQUAD of the model for the step D, and its error DIFF.
        const fopt = fval[kopt]!;
        vquad = 0;
        let ih = 0;
        for (let j = 0; j < n; j++) {
          vquad += d[j]! * gopt[j]!;
          for (let i = 0; i <= j; i++) {
            let temp = d[i]! * d[j]!;
            if (i === j) temp *= 0.5;
            vquad += hq[ih]! * temp;
            ih++;
          }
        }
        for (let k = 0; k < npt; k++) vquad += 0.5 * pq[k]! * w[npt + k]! * w[npt + k]!;
        if (!Number.isFinite(vquad)) return roundoff(ROUNDOFF.nonFiniteModel);
        const diff = f - fopt - vquad;
        diffc = diffb;
        diffb = diffa;
        diffa = Math.abs(diff);
        if (dnorm > rho) nfsav = ev.count;

        if (ntrits > 0) {
          if (vquad >= 0) return roundoff(ROUNDOFF.noReduction);
          ratio = (f - fopt) / vquad;
          if (ratio <= 0.1) delta = Math.min(0.5 * delta, dnorm);
          else if (ratio <= 0.7) delta = Math.max(0.5 * delta, dnorm);
          else delta = Math.max(0.5 * delta, dnorm + dnorm);
          if (delta <= 1.5 * rho) delta = rho;

          // Recalculate KNEW and DENOM if the new F is less than FOPT.
          if (f < fopt) {
            const ksav = knew;
            const densav = denom;
            const delsq = delta * delta;
            let scaden = 0;
            let biglsq = 0;
            knew = -1;
            for (let k = 0; k < npt; k++) {
              let hdiag = 0;
              for (let jj = 0; jj < nptm; jj++) hdiag += zmat[k * nptm + jj]! * zmat[k * nptm + jj]!;
              const den = beta * hdiag + vlag[k]! * vlag[k]!;
              let dist2 = 0;
              for (let j = 0; j < n; j++) {
                const t = xpt[k * n + j]! - xnew[j]!;
                dist2 += t * t;
              }
              const temp = Math.max(1, (dist2 / delsq) ** 2);
              if (temp * den > scaden) {
                scaden = temp * den;
                knew = k;
                denom = den;
              }
              biglsq = Math.max(biglsq, temp * vlag[k]! * vlag[k]!);
            }
            if (!(scaden > 0.5 * biglsq) || knew < 0) {
              knew = ksav;
              denom = densav;
            }
          }
        }

        // Update BMAT and ZMAT so that point KNEW can be moved; update the model's second derivatives.
        update(n, npt, bmat, zmat, vlag, beta, denom, knew, w);
        ih = 0;
        const pqold = pq[knew]!;
        pq[knew] = 0;
        for (let i = 0; i < n; i++) {
          const temp = pqold * xpt[knew * n + i]!;
          for (let j = 0; j <= i; j++) {
            hq[ih]! += temp * xpt[knew * n + j]!;
            ih++;
          }
        }
        for (let jj = 0; jj < nptm; jj++) {
          const temp = diff * zmat[knew * nptm + jj]!;
          for (let k = 0; k < npt; k++) pq[k]! += temp * zmat[k * nptm + jj]!;
        }

        // Include the new point, and change GOPT (at the old XOPT) for the updated model.
        fval[knew] = f;
        for (let i = 0; i < n; i++) {
          xpt[knew * n + i] = xnew[i]!;
          w[i] = bmat[knew * n + i]!;
        }
        for (let k = 0; k < npt; k++) {
          let suma = 0;
          for (let jj = 0; jj < nptm; jj++) suma += zmat[knew * nptm + jj]! * zmat[k * nptm + jj]!;
          if (!Number.isFinite(suma)) return roundoff(ROUNDOFF.nonFiniteH);
          let sumb = 0;
          for (let j = 0; j < n; j++) sumb += xpt[k * n + j]! * xopt[j]!;
          const temp = suma * sumb;
          for (let i = 0; i < n; i++) w[i]! += temp * xpt[k * n + i]!;
        }
        for (let i = 0; i < n; i++) gopt[i]! += diff * w[i]!;

        // Update XOPT, GOPT and KOPT if the new F is less than FOPT.
        if (f < fopt) {
          kopt = knew;
          xoptsq = 0;
          ih = 0;
          for (let j = 0; j < n; j++) {
            xopt[j] = xnew[j]!;
            xoptsq += xopt[j]! * xopt[j]!;
            for (let i = 0; i <= j; i++) {
              if (i < j) gopt[j]! += hq[ih]! * d[i]!;
              gopt[i]! += hq[ih]! * d[j]!;
              ih++;
            }
          }
          for (let k = 0; k < npt; k++) {
            let temp = 0;
            for (let j = 0; j < n; j++) temp += xpt[k * n + j]! * d[j]!;
            temp *= pq[k]!;
            for (let i = 0; i < n; i++) gopt[i]! += temp * xpt[k * n + i]!;
          }
          if (fopt - f < ftolAbs) {
            return ftolReached(ftolAbs);
          }
        }

        // After a trust-region step, replace the model by the least Frobenius norm interpolant if
        // that has had a much smaller (projected) gradient for three consecutive iterations.
        if (ntrits > 0) {
          for (let k = 0; k < npt; k++) {
            vlag[k] = fval[k]! - fval[kopt]!;
            w[k] = 0;
          }
          for (let j = 0; j < nptm; j++) {
            let sum = 0;
            for (let k = 0; k < npt; k++) sum += zmat[k * nptm + j]! * vlag[k]!;
            for (let k = 0; k < npt; k++) w[k]! += sum * zmat[k * nptm + j]!;
          }
          for (let k = 0; k < npt; k++) {
            let sum = 0;
            for (let j = 0; j < n; j++) sum += xpt[k * n + j]! * xopt[j]!;
            w[k + npt] = w[k]!;
            w[k] = sum * w[k]!;
          }
          let gqsq = 0;
          let gisq = 0;
          for (let i = 0; i < n; i++) {
            let sum = 0;
            for (let k = 0; k < npt; k++) sum += bmat[k * n + i]! * vlag[k]! + xpt[k * n + i]! * w[k]!;
            const g = gopt[i]!;
            if (xopt[i] === sl[i]) {
              gqsq += Math.min(0, g) ** 2;
              gisq += Math.min(0, sum) ** 2;
            } else if (xopt[i] === su[i]) {
              gqsq += Math.max(0, g) ** 2;
              gisq += Math.max(0, sum) ** 2;
            } else {
              gqsq += g * g;
              gisq += sum * sum;
            }
            vlag[npt + i] = sum;
          }
          itest++;
          if (gqsq < 10 * gisq) itest = 0;
          if (itest >= 3) {
            for (let i = 0; i < Math.max(npt, nh); i++) {
              if (i < n) gopt[i] = vlag[npt + i]!;
              if (i < npt) pq[i] = w[npt + i]!;
              if (i < nh) hq[i] = 0;
            }
            itest = 0;
          }
        }

        // A geometry step, or a trust-region step with sufficient decrease, leads to another
        // trust-region step; otherwise check whether some points are too far from XOPT.
        if (ntrits === 0 || f <= fopt + 0.1 * vquad) {
          next = "L60_trustRegion";
          continue;
        }
        distsq = Math.max(4 * delta * delta, 100 * rho * rho);
        next = "L650_farPoints";
        continue;
      }

      case "L650_farPoints": {
        // Find the interpolation point farthest from XOPT beyond distance sqrt(DISTSQ), if any.
        knew = -1;
        for (let k = 0; k < npt; k++) {
          let sum = 0;
          for (let j = 0; j < n; j++) {
            const t = xpt[k * n + j]! - xopt[j]!;
            sum += t * t;
          }
          if (sum > distsq) {
            knew = k;
            distsq = sum;
          }
        }
        if (knew >= 0) {
          // Move it by a geometry step within distance ADELT of XOPT (via label 90).
          const dist = Math.sqrt(distsq);
          if (ntrits === -1) {
            delta = Math.min(0.1 * delta, 0.5 * dist);
            if (delta <= 1.5 * rho) delta = rho;
          }
          ntrits = 0;
          adelt = Math.max(Math.min(0.1 * dist, delta), rho);
          dsq = adelt * adelt;
          next = "L90_shiftBase";
          continue;
        }
        if (ntrits === -1) {
          next = "L680_reduceRho";
          continue;
        }
        if (ratio > 0 || Math.max(delta, dnorm) > rho) {
          next = "L60_trustRegion";
          continue;
        }
        next = "L680_reduceRho";
        continue;
      }

      case "L680_reduceRho": {
        // The work with the current rho is complete: reduce rho, or finish at rhoend.
        if (rho > rhoend) {
          delta = 0.5 * rho;
          const r = rho / rhoend;
          if (r <= 16) rho = rhoend;
          else if (r <= 250) rho = Math.sqrt(r) * rhoend;
          else rho = 0.1 * rho;
          delta = Math.max(delta, rho);
          ntrits = 0;
          nfsav = ev.count;
          next = "L60_trustRegion";
          continue;
        }
        // Return, after trying the last short step (if any) from XOPT.
        if (ntrits === -1) {
          next = "L360_evaluate";
          continue;
        }
        return converged(rhoend);
      }
    }
  }
}

/** The reasons for stopping because of rounding errors. */
const ROUNDOFF = {
  nonFiniteStep: "non-finite trust-region step (the quadratic model broke down)",
  cancellation: "much cancellation in a denominator of the updating formula",
  nonFiniteModel: "non-finite model value (the quadratic model broke down)",
  noReduction: "a trust region step has failed to reduce the quadratic model",
  nonFiniteH: "non-finite values in the updated matrix H",
} as const;

function roundoff(message: string): Outcome {
  return { status: "roundoff", message: `stopped because of rounding errors: ${message}` };
}

function converged(rhoend: number): Outcome {
  return { status: "converged", message: `trust region radius reached rhoend (${rhoend})` };
}

function maxfunReached(maxfun: number): Outcome {
  return { status: "maxfun", message: `maxfun (${maxfun}) evaluations reached` };
}

function ftolReached(ftolAbs: number): Outcome {
  return { status: "converged", message: `f improved by less than ftolAbs (${ftolAbs})` };
}

const CANCELLED: Outcome = { status: "cancelled", message: "cancelled by onEvaluation" };

/** The outcome of a run of the iteration in WebAssembly, from how it ended (the TypeScript's messages). */
function wasmOutcome(ending: BobyqbEnding, rhoend: number, maxfun: number, ftolAbs: number): Outcome {
  switch (ending) {
    case "rhoend":
      return converged(rhoend);
    case "maxfun":
      return maxfunReached(maxfun);
    case "cancelled":
      return CANCELLED;
    case "ftolAbs":
      return ftolReached(ftolAbs);
    default:
      return roundoff(ROUNDOFF[ending]);
  }
}

/**
 * PRELIM: the initial interpolation set (XBASE, XBASE +- rhobeg e_i, then pairs e_i + e_j),
 * its function values, and the initial model GOPT (at XBASE), HQ, PQ = 0, BMAT and ZMAT.
 * Returns KOPT, the index of the least function value.
 */
function prelim(m: Model, ev: Evaluator, rhobeg: number): Outcome & { kopt: number } {
  const { n, npt, xpt, fval, gopt, hq, pq, bmat, zmat, sl, su } = m;
  const np = n + 1;
  const nptm = npt - np;
  const rhosq = rhobeg * rhobeg;
  const recip = 1 / rhosq;
  xpt.fill(0);
  bmat.fill(0);
  hq.fill(0);
  pq.fill(0);
  zmat.fill(0);

  const x = new Float64Array(n);
  let fbeg = 0;
  let kopt = 0;
  let stepa = 0;
  let stepb = 0;
  // nf is Powell's 1-based index of the new point; row = nf - 1 is its 0-based index.
  for (let nf = 1; nf <= npt; nf++) {
    if (ev.count >= ev.maxfun) return { ...maxfunReached(ev.maxfun), kopt };
    const nfm = nf - 1;
    const nfx = nf - 1 - n;
    const row = nf - 1;
    let ipt = 0;
    let jpt = 0;
    if (nfm <= 2 * n) {
      if (nfm >= 1 && nfm <= n) {
        // Step +rhobeg along coordinate nfm (or -rhobeg at an upper bound).
        stepa = rhobeg;
        if (su[nfm - 1] === 0) stepa = -stepa;
        xpt[row * n + nfm - 1] = stepa;
      } else if (nfm > n) {
        // Second step along coordinate nfx, on the other side (or further in, at a bound).
        stepa = xpt[(nf - n - 1) * n + nfx - 1]!;
        stepb = -rhobeg;
        if (sl[nfx - 1] === 0) stepb = Math.min(2 * rhobeg, su[nfx - 1]!);
        if (su[nfx - 1] === 0) stepb = Math.max(-2 * rhobeg, sl[nfx - 1]!);
        xpt[row * n + nfx - 1] = stepb;
      }
    } else {
      // A point with two nonzero coordinates ipt > jpt (1-based), for an off-diagonal of HQ.
      let itemp = Math.floor((nfm - np) / n);
      jpt = nfm - itemp * n - n;
      ipt = jpt + itemp;
      if (ipt > n) {
        itemp = jpt;
        jpt = ipt - n;
        ipt = itemp;
      }
      xpt[row * n + ipt - 1] = xpt[ipt * n + ipt - 1]!;
      xpt[row * n + jpt - 1] = xpt[jpt * n + jpt - 1]!;
    }

    pointFromBase(m, xpt, row * n, x);
    const f = ev.call(x);
    fval[row] = f;
    if (nf === 1) {
      fbeg = f;
      kopt = 0;
    } else if (f < fval[kopt]!) {
      kopt = row;
    }

    // Nonzero elements of BMAT, ZMAT and the initial model.
    if (nf <= 2 * n + 1) {
      if (nf >= 2 && nf <= n + 1) {
        gopt[nfm - 1] = (f - fbeg) / stepa;
        if (npt < nf + n) {
          bmat[nfm - 1] = -1 / stepa;
          bmat[row * n + nfm - 1] = 1 / stepa;
          bmat[(npt + nfm - 1) * n + nfm - 1] = -0.5 * rhosq;
        }
      } else if (nf >= n + 2) {
        const c = nfx - 1; // 0-based coordinate
        const prev = nf - n - 1; // 0-based index of the first point along coordinate c
        const temp = (f - fbeg) / stepb;
        const diff = stepb - stepa;
        hq[hqIndex(c, c)] = (2 * (temp - gopt[c]!)) / diff;
        gopt[c] = (gopt[c]! * stepb - temp * stepa) / diff;
        if (stepa * stepb < 0 && f < fval[prev]!) {
          // Switch the two points so that the lower value is used in the off-diagonal terms.
          fval[row] = fval[prev]!;
          fval[prev] = f;
          if (kopt === row) kopt = prev;
          xpt[prev * n + c] = stepb;
          xpt[row * n + c] = stepa;
        }
        bmat[c] = -(stepa + stepb) / (stepa * stepb);
        bmat[row * n + c] = -0.5 / xpt[prev * n + c]!;
        bmat[prev * n + c] = -bmat[c]! - bmat[row * n + c]!;
        zmat[c] = Math.SQRT2 / (stepa * stepb);
        zmat[row * nptm + c] = Math.SQRT1_2 / rhosq;
        zmat[prev * nptm + c] = -zmat[c]! - zmat[row * nptm + c]!;
      }
    } else {
      const c = nfx - 1; // zmat column
      zmat[c] = recip;
      zmat[row * nptm + c] = recip;
      zmat[ipt * nptm + c] = -recip;
      zmat[jpt * nptm + c] = -recip;
      const temp = xpt[row * n + ipt - 1]! * xpt[row * n + jpt - 1]!;
      hq[hqIndex(ipt - 1, jpt - 1)] = (fbeg - fval[ipt]! - fval[jpt]! + f) / temp;
    }
    if (ev.cancelled) return { ...CANCELLED, kopt };
  }
  return { status: "ok", message: "", kopt };
}

/**
 * TRSBOX: approximately minimizes the quadratic model within the trust region ||d|| <= delta and the
 * bounds sl <= xopt + d <= su, by truncated conjugate gradients (restarted when a bound becomes
 * active) followed by rotations of d on the trust-region boundary. Sets XNEW = XOPT + D and GNEW,
 * the model gradient at XNEW. Returns DSQ = |D|^2 and CRVMIN (0 if the boundary was reached, else the
 * least curvature seen in unconstrained CG searches, or -1 if there were none).
 */
function trsbox(
  m: Model,
  delta: number,
  xnew: Float64Array,
  d: Float64Array,
  gnew: Float64Array,
  xbdi: Float64Array,
  s: Float64Array,
  hs: Float64Array,
  hred: Float64Array,
): { dsq: number; crvmin: number } {
  const { n, xopt, gopt, sl, su } = m;
  // XBDI(i) = -1 or +1 when variable i is fixed at its lower or upper bound, 0 when free.
  let iterc = 0;
  let nact = 0;
  for (let i = 0; i < n; i++) {
    xbdi[i] = 0;
    if (xopt[i]! <= sl[i]!) {
      if (gopt[i]! >= 0) xbdi[i] = -1;
    } else if (xopt[i]! >= su[i]!) {
      if (gopt[i]! <= 0) xbdi[i] = 1;
    }
    if (xbdi[i] !== 0) nact++;
    d[i] = 0;
    gnew[i] = gopt[i]!;
  }
  let delsq = delta * delta;
  let qred = 0;
  let crvmin = -1;

  // Truncated conjugate gradient iterations.
  let beta = 0;
  let gredsq = 0;
  let ggsav = 0;
  let itermax = 0;
  let onBoundary = false;
  for (;;) {
    let stepsq = 0;
    for (let i = 0; i < n; i++) {
      if (xbdi[i] !== 0) s[i] = 0;
      else if (beta === 0) s[i] = -gnew[i]!;
      else s[i] = beta * s[i]! - gnew[i]!;
      stepsq += s[i]! * s[i]!;
    }
    if (stepsq === 0) break;
    if (beta === 0) {
      gredsq = stepsq;
      itermax = iterc + n - nact;
    }
    if (gredsq * delsq <= 1e-4 * qred * qred) break;

    hessMul(m, s, hs);
    // BLEN: step to the trust-region boundary; STPLEN: the step length, then limited by the bounds.
    let resid = delsq;
    let ds = 0;
    let shs = 0;
    for (let i = 0; i < n; i++) {
      if (xbdi[i] === 0) {
        resid -= d[i]! * d[i]!;
        ds += s[i]! * d[i]!;
        shs += s[i]! * hs[i]!;
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
      if (s[i] !== 0) {
        const xsum = xopt[i]! + d[i]!;
        temp = s[i]! > 0 ? (su[i]! - xsum) / s[i]! : (sl[i]! - xsum) / s[i]!;
        if (temp < stplen) {
          stplen = temp;
          iact = i;
        }
      }
    }

    // Update CRVMIN, GNEW and D; SDEC is the decrease in the model.
    let sdec = 0;
    if (stplen > 0) {
      iterc++;
      temp = shs / stepsq;
      if (iact < 0 && temp > 0) {
        crvmin = Math.min(crvmin, temp);
        if (crvmin === -1) crvmin = temp;
      }
      ggsav = gredsq;
      gredsq = 0;
      for (let i = 0; i < n; i++) {
        gnew[i]! += stplen * hs[i]!;
        if (xbdi[i] === 0) gredsq += gnew[i]! * gnew[i]!;
        d[i]! += stplen * s[i]!;
      }
      sdec = Math.max(stplen * (ggsav - 0.5 * stplen * shs), 0);
      qred += sdec;
    }

    // Restart the CG method if a new bound has become active.
    if (iact >= 0) {
      nact++;
      xbdi[iact] = s[iact]! < 0 ? -1 : 1;
      delsq -= d[iact]! * d[iact]!;
      if (delsq <= 0) {
        onBoundary = true;
        break;
      }
      beta = 0;
      continue;
    }
    if (stplen < blen) {
      if (iterc === itermax) break;
      if (sdec <= 0.01 * qred) break;
      beta = gredsq / ggsav;
      continue;
    }
    onBoundary = true;
    break;
  }

  if (onBoundary) {
    crvmin = 0;
    // Alternative iterations: rotate the reduced D in the plane of D and the reduced gradient,
    // staying on the trust-region boundary.
    outer: for (;;) {
      if (nact >= n - 1) break;
      let dredsq = 0;
      let dredg = 0;
      gredsq = 0;
      for (let i = 0; i < n; i++) {
        if (xbdi[i] === 0) {
          dredsq += d[i]! * d[i]!;
          dredg += d[i]! * gnew[i]!;
          gredsq += gnew[i]! * gnew[i]!;
          s[i] = d[i]!;
        } else {
          s[i] = 0;
        }
      }
      hessMul(m, s, hs);
      for (let i = 0; i < n; i++) hred[i] = hs[i]!;

      for (;;) {
        iterc++;
        let temp = gredsq * dredsq - dredg * dredg;
        if (temp <= 1e-4 * qred * qred) break outer;
        temp = Math.sqrt(temp);
        for (let i = 0; i < n; i++) s[i] = xbdi[i] === 0 ? (dredg * d[i]! - dredsq * gnew[i]!) / temp : 0;
        const sredg = -temp;

        // ANGBD: upper bound on tan(half the rotation angle) from the simple bounds. A free variable
        // already at a bound is fixed and the iteration restarted.
        let angbd = 1;
        let iact = -1;
        let xsav = 0;
        for (let i = 0; i < n; i++) {
          if (xbdi[i] !== 0) continue;
          const tempa = xopt[i]! + d[i]! - sl[i]!;
          const tempb = su[i]! - xopt[i]! - d[i]!;
          if (tempa <= 0) {
            nact++;
            xbdi[i] = -1;
            continue outer;
          } else if (tempb <= 0) {
            nact++;
            xbdi[i] = 1;
            continue outer;
          }
          const ssq = d[i]! * d[i]! + s[i]! * s[i]!;
          temp = ssq - (xopt[i]! - sl[i]!) ** 2;
          if (temp > 0) {
            temp = Math.sqrt(temp) - s[i]!;
            if (angbd * temp > tempa) {
              angbd = tempa / temp;
              iact = i;
              xsav = -1;
            }
          }
          temp = ssq - (su[i]! - xopt[i]!) ** 2;
          if (temp > 0) {
            temp = Math.sqrt(temp) + s[i]!;
            if (angbd * temp > tempb) {
              angbd = tempb / temp;
              iact = i;
              xsav = 1;
            }
          }
        }

        hessMul(m, s, hs);
        let shs = 0;
        let dhs = 0;
        let dhd = 0;
        for (let i = 0; i < n; i++) {
          if (xbdi[i] === 0) {
            shs += s[i]! * hs[i]!;
            dhs += d[i]! * hs[i]!;
            dhd += d[i]! * hred[i]!;
          }
        }

        // Greatest model reduction over equally spaced ANGT = tan(angle/2) in [0, ANGBD], refined by
        // a quadratic fit through the best sample and its neighbours.
        let redmax = 0;
        let isav = 0;
        let redsav = 0;
        let rdprev = 0;
        let rdnext = 0;
        let angt = 0;
        const iu = Math.trunc(angbd * 17 + 3.1);
        for (let i = 1; i <= iu; i++) {
          angt = (angbd * i) / iu;
          const sth = (angt + angt) / (1 + angt * angt);
          temp = shs + angt * (angt * dhd - dhs - dhs);
          const rednew = sth * (angt * dredg - sredg - 0.5 * sth * temp);
          if (rednew > redmax) {
            redmax = rednew;
            isav = i;
            rdprev = redsav;
          } else if (i === isav + 1) {
            rdnext = rednew;
          }
          redsav = rednew;
        }
        if (isav === 0) break outer;
        if (isav < iu) {
          temp = (rdnext - rdprev) / (redmax + redmax - rdprev - rdnext);
          angt = (angbd * (isav + 0.5 * temp)) / iu;
        }
        const cth = (1 - angt * angt) / (1 + angt * angt);
        const sth = (angt + angt) / (1 + angt * angt);
        temp = shs + angt * (angt * dhd - dhs - dhs);
        const sdec = sth * (angt * dredg - sredg - 0.5 * sth * temp);
        if (sdec <= 0) break outer;

        // Update GNEW, D and HRED; fix a variable whose bound restricted the angle.
        dredg = 0;
        gredsq = 0;
        for (let i = 0; i < n; i++) {
          gnew[i] = gnew[i]! + (cth - 1) * hred[i]! + sth * hs[i]!;
          if (xbdi[i] === 0) {
            d[i] = cth * d[i]! + sth * s[i]!;
            dredg += d[i]! * gnew[i]!;
            gredsq += gnew[i]! * gnew[i]!;
          }
          hred[i] = cth * hred[i]! + sth * hs[i]!;
        }
        qred += sdec;
        if (iact >= 0 && isav === iu) {
          nact++;
          xbdi[iact] = xsav;
          continue outer;
        }
        if (sdec > 0.01 * qred) continue;
        break outer;
      }
    }
  }

  // XNEW = XOPT + D, with the fixed variables exactly on their bounds.
  let dsq = 0;
  for (let i = 0; i < n; i++) {
    xnew[i] = Math.max(Math.min(xopt[i]! + d[i]!, su[i]!), sl[i]!);
    if (xbdi[i] === -1) xnew[i] = sl[i]!;
    if (xbdi[i] === 1) xnew[i] = su[i]!;
    d[i] = xnew[i]! - xopt[i]!;
    dsq += d[i]! * d[i]!;
  }
  return { dsq, crvmin };
}

/**
 * ALTMOV: two candidate positions for interpolation point KNEW that make the KNEW-th Lagrange
 * function large in modulus within distance ADELT of XOPT and the bounds: XNEW on a line through
 * XOPT and another interpolation point, and XALT along a constrained Cauchy step of the Lagrange
 * function. Returns ALPHA = H(KNEW,KNEW) and CAUCHY, the square of the Lagrange function at XALT
 * (0 when XALT is not computed). glag, hcol and w (length 2n) are work space.
 */
function altmov(
  m: Model,
  kopt: number,
  knew: number,
  adelt: number,
  xnew: Float64Array,
  xalt: Float64Array,
  glag: Float64Array,
  hcol: Float64Array,
  w: Float64Array,
): { alpha: number; cauchy: number } {
  const { n, npt, xpt, xopt, bmat, zmat, sl, su } = m;
  const nptm = npt - n - 1;
  const CONST = 1 + Math.SQRT2;

  // HCOL: the KNEW-th column of ZMAT ZMAT^T; GLAG: gradient of the KNEW-th Lagrange function at XOPT.
  hcol.fill(0, 0, npt);
  for (let j = 0; j < nptm; j++) {
    const temp = zmat[knew * nptm + j]!;
    for (let k = 0; k < npt; k++) hcol[k]! += temp * zmat[k * nptm + j]!;
  }
  const alpha = hcol[knew]!;
  const ha = 0.5 * alpha;
  for (let i = 0; i < n; i++) glag[i] = bmat[knew * n + i]!;
  for (let k = 0; k < npt; k++) {
    let temp = 0;
    for (let j = 0; j < n; j++) temp += xpt[k * n + j]! * xopt[j]!;
    temp *= hcol[k]!;
    for (let i = 0; i < n; i++) glag[i]! += temp * xpt[k * n + i]!;
  }

  // Search the lines through XOPT and each other point for a large predicted denominator PREDSQ.
  // Bound indices are encoded as -(i+1) (lower bound of i) or +(i+1) (upper bound of i), 0 for none.
  let presav = 0;
  let ksav = knew;
  let stpsav = 0;
  let ibdsav = 0;
  for (let k = 0; k < npt; k++) {
    if (k === kopt) continue;
    let dderiv = 0;
    let distsq = 0;
    for (let i = 0; i < n; i++) {
      const temp = xpt[k * n + i]! - xopt[i]!;
      dderiv += glag[i]! * temp;
      distsq += temp * temp;
    }
    let subd = adelt / Math.sqrt(distsq);
    let slbd = -subd;
    let ilbd = 0;
    let iubd = 0;
    const sumin = Math.min(1, subd);

    // Revise SLBD and SUBD for the bounds SL and SU.
    for (let i = 0; i < n; i++) {
      const temp = xpt[k * n + i]! - xopt[i]!;
      if (temp > 0) {
        if (slbd * temp < sl[i]! - xopt[i]!) {
          slbd = (sl[i]! - xopt[i]!) / temp;
          ilbd = -(i + 1);
        }
        if (subd * temp > su[i]! - xopt[i]!) {
          subd = Math.max(sumin, (su[i]! - xopt[i]!) / temp);
          iubd = i + 1;
        }
      } else if (temp < 0) {
        if (slbd * temp > su[i]! - xopt[i]!) {
          slbd = (su[i]! - xopt[i]!) / temp;
          ilbd = i + 1;
        }
        if (subd * temp < sl[i]! - xopt[i]!) {
          subd = Math.max(sumin, (sl[i]! - xopt[i]!) / temp);
          iubd = -(i + 1);
        }
      }
    }

    let step: number;
    let vlag: number;
    let isbd: number;
    if (k === knew) {
      // The line through XOPT and point KNEW itself.
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

  // XNEW, satisfying the bounds exactly where the step was limited by one.
  for (let i = 0; i < n; i++) {
    const temp = xopt[i]! + stpsav * (xpt[ksav * n + i]! - xopt[i]!);
    xnew[i] = Math.max(sl[i]!, Math.min(su[i]!, temp));
  }
  if (ibdsav < 0) xnew[-ibdsav - 1] = sl[-ibdsav - 1]!;
  if (ibdsav > 0) xnew[ibdsav - 1] = su[ibdsav - 1]!;

  // Constrained Cauchy step in W, for GLAG and then for -GLAG; the better one gives XALT.
  const bigstp = adelt + adelt;
  let cauchy = 0;
  let csave = 0;
  for (let iflag = 0; iflag < 2; iflag++) {
    let wfixsq = 0;
    let ggfree = 0;
    for (let i = 0; i < n; i++) {
      w[i] = 0;
      const tempa = Math.min(xopt[i]! - sl[i]!, glag[i]!);
      const tempb = Math.max(xopt[i]! - su[i]!, glag[i]!);
      if (tempa > 0 || tempb < 0) {
        w[i] = bigstp;
        ggfree += glag[i]! * glag[i]!;
      }
    }
    if (ggfree === 0) return { alpha, cauchy: 0 };

    // Fix more components of W at bounds while the step along -GLAG would cross them.
    let step = 0;
    for (;;) {
      const temp = adelt * adelt - wfixsq;
      if (!(temp > 0)) break;
      const wsqsav = wfixsq;
      step = Math.sqrt(temp / ggfree);
      ggfree = 0;
      for (let i = 0; i < n; i++) {
        if (w[i] === bigstp) {
          const t = xopt[i]! - step * glag[i]!;
          if (t <= sl[i]!) {
            w[i] = sl[i]! - xopt[i]!;
            wfixsq += w[i]! * w[i]!;
          } else if (t >= su[i]!) {
            w[i] = su[i]! - xopt[i]!;
            wfixsq += w[i]! * w[i]!;
          } else {
            ggfree += glag[i]! * glag[i]!;
          }
        }
      }
      if (!(wfixsq > wsqsav && ggfree > 0)) break;
    }

    // The remaining free components of W, and XALT (W may be scaled below).
    let gw = 0;
    for (let i = 0; i < n; i++) {
      if (w[i] === bigstp) {
        w[i] = -step * glag[i]!;
        xalt[i] = Math.max(sl[i]!, Math.min(su[i]!, xopt[i]! + w[i]!));
      } else if (w[i] === 0) {
        xalt[i] = xopt[i]!;
      } else if (glag[i]! > 0) {
        xalt[i] = sl[i]!;
      } else {
        xalt[i] = su[i]!;
      }
      gw += glag[i]! * w[i]!;
    }

    // CURV: curvature of the KNEW-th Lagrange function along W; scale W if that increases |l(XOPT+W)|.
    let curv = 0;
    for (let k = 0; k < npt; k++) {
      let temp = 0;
      for (let j = 0; j < n; j++) temp += xpt[k * n + j]! * w[j]!;
      curv += hcol[k]! * temp * temp;
    }
    if (iflag === 1) curv = -curv;
    if (curv > -gw && curv < -CONST * gw) {
      const scale = -gw / curv;
      for (let i = 0; i < n; i++) {
        const temp = xopt[i]! + scale * w[i]!;
        xalt[i] = Math.max(sl[i]!, Math.min(su[i]!, temp));
      }
      cauchy = (0.5 * gw * scale) ** 2;
    } else {
      cauchy = (gw + 0.5 * curv) ** 2;
    }

    if (iflag === 0) {
      for (let i = 0; i < n; i++) {
        glag[i] = -glag[i]!;
        w[n + i] = xalt[i]!;
      }
      csave = cauchy;
    }
  }
  if (csave > cauchy) {
    for (let i = 0; i < n; i++) xalt[i] = w[n + i]!;
    cauchy = csave;
  }
  return { alpha, cauchy };
}

/** Work space of RESCUE. */
interface RescueWork {
  /** Steps along e_j of the provisional points: PTSAUX(1,j) and PTSAUX(2,j). */
  ptsaux1: Float64Array;
  ptsaux2: Float64Array;
  /**
   * Powell's PTSID, decoded: prov[k] = 1 if point k is provisional, with step
   * ptsaux1[P] e_P + ptsaux1[Q] e_Q when P, Q >= 0, ptsaux1[P] e_P when only P >= 0, and
   * ptsaux2[Q] e_Q when only Q >= 0 (-1 = none).
   */
  ptsP: Int32Array;
  ptsQ: Int32Array;
  prov: Uint8Array;
  w: Float64Array;
  /** Squared distances from XOPT of the original points still to be reinstated (W(NDIM+K)). */
  wdist: Float64Array;
}

/**
 * RESCUE: shifts XBASE to XOPT and rebuilds BMAT and ZMAT from scratch for a set of provisional
 * points along the coordinate directions from XOPT, then reinstates as many of the original points
 * as keep the interpolation conditions well conditioned. The provisional points that remain are
 * evaluated, and GOPT, HQ, PQ revised for the final model. Returns the (possibly new) KOPT.
 */
function rescue(
  m: Model,
  ev: Evaluator,
  delta: number,
  koptIn: number,
  vlag: Float64Array,
  rw: RescueWork,
): Outcome & { kopt: number } {
  const { n, npt, xbase, xpt, fval, xopt, gopt, hq, pq, bmat, zmat, sl, su } = m;
  const { ptsaux1, ptsaux2, ptsP, ptsQ, prov, w, wdist } = rw;
  const np = n + 1;
  const nptm = npt - np;
  const ndim = npt + n;
  const xeval = new Float64Array(n);
  let kopt = koptIn;

  // Shift the points so that XOPT is the origin; zero ZMAT; squared distances from XOPT in WDIST.
  let sumpq = 0;
  let winc = 0;
  for (let k = 0; k < npt; k++) {
    let distsq = 0;
    for (let j = 0; j < n; j++) {
      xpt[k * n + j]! -= xopt[j]!;
      distsq += xpt[k * n + j]! * xpt[k * n + j]!;
    }
    sumpq += pq[k]!;
    wdist[k] = distsq;
    winc = Math.max(winc, distsq);
    for (let j = 0; j < nptm; j++) zmat[k * nptm + j] = 0;
  }

  // HQ for the model's second derivatives after the shift of XBASE to the trust-region centre.
  let ih = 0;
  for (let j = 0; j < n; j++) {
    w[j] = 0.5 * sumpq * xopt[j]!;
    for (let k = 0; k < npt; k++) w[j]! += pq[k]! * xpt[k * n + j]!;
    for (let i = 0; i <= j; i++) {
      hq[ih]! += w[i]! * xopt[j]! + w[j]! * xopt[i]!;
      ih++;
    }
  }

  // Shift XBASE, SL, SU and XOPT; zero BMAT; set PTSAUX.
  for (let j = 0; j < n; j++) {
    xbase[j]! += xopt[j]!;
    sl[j]! -= xopt[j]!;
    su[j]! -= xopt[j]!;
    xopt[j] = 0;
    ptsaux1[j] = Math.min(delta, su[j]!);
    ptsaux2[j] = Math.max(-delta, sl[j]!);
    if (ptsaux1[j]! + ptsaux2[j]! < 0) {
      const temp = ptsaux1[j]!;
      ptsaux1[j] = ptsaux2[j]!;
      ptsaux2[j] = temp;
    }
    if (Math.abs(ptsaux2[j]!) < 0.5 * Math.abs(ptsaux1[j]!)) ptsaux2[j] = 0.5 * ptsaux1[j]!;
    for (let i = 0; i < ndim; i++) bmat[i * n + j] = 0;
  }
  const fbase = fval[kopt]!;

  // Provisional points along the coordinate directions and their nonzero BMAT and ZMAT elements.
  prov[0] = 1;
  ptsP[0] = -1;
  ptsQ[0] = -1;
  for (let j = 0; j < n; j++) {
    const jp = j + 1;
    const jpn = jp + n;
    prov[jp] = 1;
    ptsP[jp] = j;
    ptsQ[jp] = -1;
    if (jpn < npt) {
      prov[jpn] = 1;
      ptsP[jpn] = -1;
      ptsQ[jpn] = j;
      const temp = 1 / (ptsaux1[j]! - ptsaux2[j]!);
      bmat[jp * n + j] = -temp + 1 / ptsaux1[j]!;
      bmat[jpn * n + j] = temp + 1 / ptsaux2[j]!;
      bmat[j] = -bmat[jp * n + j]! - bmat[jpn * n + j]!;
      zmat[j] = Math.SQRT2 / Math.abs(ptsaux1[j]! * ptsaux2[j]!);
      zmat[jp * nptm + j] = zmat[j]! * ptsaux2[j]! * temp;
      zmat[jpn * nptm + j] = -zmat[j]! * ptsaux1[j]! * temp;
    } else {
      bmat[j] = -1 / ptsaux1[j]!;
      bmat[jp * n + j] = 1 / ptsaux1[j]!;
      bmat[(j + npt) * n + j] = -0.5 * ptsaux1[j]! * ptsaux1[j]!;
    }
  }
  // Remaining provisional points, with two nonzero coordinates.
  if (npt >= n + np) {
    for (let k = 2 * np; k <= npt; k++) {
      // k is Powell's 1-based index; ip, iq are 1-based coordinates.
      const iw = Math.trunc((k - np - 0.5) / n);
      const ip = k - np - iw * n;
      let iq = ip + iw;
      if (iq > n) iq -= n;
      const k0 = k - 1;
      const col = k - np - 1;
      prov[k0] = 1;
      ptsP[k0] = ip - 1;
      ptsQ[k0] = iq - 1;
      const temp = 1 / (ptsaux1[ip - 1]! * ptsaux1[iq - 1]!);
      zmat[col] = temp;
      zmat[ip * nptm + col] = -temp;
      zmat[iq * nptm + col] = -temp;
      zmat[k0 * nptm + col] = temp;
    }
  }

  // Reinstate original points one at a time, each replacing the provisional point KOLD that gives
  // the largest denominator, provided that denominator is not too small.
  let nrem = npt;
  let kold = 0;
  let knew = kopt;
  let beta = 0;
  let denom = 0;
  reinstate: for (;;) {
    for (let j = 0; j < n; j++) {
      const temp = bmat[kold * n + j]!;
      bmat[kold * n + j] = bmat[knew * n + j]!;
      bmat[knew * n + j] = temp;
    }
    for (let j = 0; j < nptm; j++) {
      const temp = zmat[kold * nptm + j]!;
      zmat[kold * nptm + j] = zmat[knew * nptm + j]!;
      zmat[knew * nptm + j] = temp;
    }
    prov[kold] = prov[knew]!;
    ptsP[kold] = ptsP[knew]!;
    ptsQ[kold] = ptsQ[knew]!;
    prov[knew] = 0;
    wdist[knew] = 0;
    nrem--;
    if (knew !== kopt) {
      const temp = vlag[kold]!;
      vlag[kold] = vlag[knew]!;
      vlag[knew] = temp;
      update(n, npt, bmat, zmat, vlag, beta, denom, knew, w);
      if (nrem === 0) return { status: "ok", message: "", kopt };
      for (let k = 0; k < npt; k++) wdist[k] = Math.abs(wdist[k]!);
    }

    // Pick the original point KNEW closest to XOPT that has not been tried (or retried) yet.
    for (;;) {
      let dsqmin = 0;
      for (let k = 0; k < npt; k++) {
        if (wdist[k]! > 0 && (dsqmin === 0 || wdist[k]! < dsqmin)) {
          knew = k;
          dsqmin = wdist[k]!;
        }
      }
      if (dsqmin === 0) break reinstate;

      // The W-vector of the chosen original point, with respect to the current (mixed) point set.
      for (let j = 0; j < n; j++) w[npt + j] = xpt[knew * n + j]!;
      for (let k = 0; k < npt; k++) {
        let sum = 0;
        if (k === kopt) {
          // origin
        } else if (prov[k] === 0) {
          for (let j = 0; j < n; j++) sum += w[npt + j]! * xpt[k * n + j]!;
        } else {
          const ip = ptsP[k]!;
          const iq = ptsQ[k]!;
          if (ip >= 0) sum = w[npt + ip]! * ptsaux1[ip]!;
          if (iq >= 0) sum += w[npt + iq]! * (ip < 0 ? ptsaux2[iq]! : ptsaux1[iq]!);
        }
        w[k] = 0.5 * sum * sum;
      }

      // VLAG and BETA for the updating of H if XPT(KNEW,.) is reinstated.
      for (let k = 0; k < npt; k++) {
        let sum = 0;
        for (let j = 0; j < n; j++) sum += bmat[k * n + j]! * w[npt + j]!;
        vlag[k] = sum;
      }
      beta = 0;
      for (let j = 0; j < nptm; j++) {
        let sum = 0;
        for (let k = 0; k < npt; k++) sum += zmat[k * nptm + j]! * w[k]!;
        beta -= sum * sum;
        for (let k = 0; k < npt; k++) vlag[k]! += sum * zmat[k * nptm + j]!;
      }
      let bsum = 0;
      let distsq = 0;
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let k = 0; k < npt; k++) sum += bmat[k * n + j]! * w[k]!;
        const jp = j + npt;
        bsum += sum * w[jp]!;
        for (let ip = npt; ip < ndim; ip++) sum += bmat[ip * n + j]! * w[ip]!;
        bsum += sum * w[jp]!;
        vlag[jp] = sum;
        distsq += xpt[knew * n + j]! * xpt[knew * n + j]!;
      }
      beta = 0.5 * distsq * distsq + beta - bsum;
      vlag[kopt]! += 1;

      // KOLD: the provisional point whose deletion gives the largest denominator.
      denom = 0;
      let vlmxsq = 0;
      for (let k = 0; k < npt; k++) {
        if (prov[k] !== 0) {
          let hdiag = 0;
          for (let j = 0; j < nptm; j++) hdiag += zmat[k * nptm + j]! * zmat[k * nptm + j]!;
          const den = beta * hdiag + vlag[k]! * vlag[k]!;
          if (den > denom) {
            kold = k;
            denom = den;
          }
        }
        vlmxsq = Math.max(vlmxsq, vlag[k]! * vlag[k]!);
      }
      if (denom <= 0.01 * vlmxsq) {
        // Too small: postpone this point (it is retried after the next successful reinstatement).
        wdist[knew] = -wdist[knew]! - winc;
        continue;
      }
      continue reinstate;
    }
  }

  // Put the remaining provisional points into XPT, evaluate F there and update the model.
  for (let kpt = 0; kpt < npt; kpt++) {
    if (prov[kpt] === 0) continue;
    if (ev.count >= ev.maxfun) return { ...maxfunReached(ev.maxfun), kopt };
    ih = 0;
    for (let j = 0; j < n; j++) {
      w[j] = xpt[kpt * n + j]!;
      xpt[kpt * n + j] = 0;
      const temp = pq[kpt]! * w[j]!;
      for (let i = 0; i <= j; i++) {
        hq[ih]! += temp * w[i]!;
        ih++;
      }
    }
    pq[kpt] = 0;
    const ip = ptsP[kpt]!;
    const iq = ptsQ[kpt]!;
    let xp = 0;
    let xq = 0;
    if (ip >= 0) {
      xp = ptsaux1[ip]!;
      xpt[kpt * n + ip] = xp;
    }
    if (iq >= 0) {
      xq = ip < 0 ? ptsaux2[iq]! : ptsaux1[iq]!;
      xpt[kpt * n + iq] = xq;
    }

    // VQUAD: the value of the current model at the new point.
    let vquad = fbase;
    if (ip >= 0) vquad += xp * (gopt[ip]! + 0.5 * xp * hq[hqIndex(ip, ip)]!);
    if (iq >= 0) {
      vquad += xq * (gopt[iq]! + 0.5 * xq * hq[hqIndex(iq, iq)]!);
      if (ip >= 0) vquad += xp * xq * hq[hqIndex(ip, iq)]!;
    }
    for (let k = 0; k < npt; k++) {
      let temp = 0;
      if (ip >= 0) temp += xp * xpt[k * n + ip]!;
      if (iq >= 0) temp += xq * xpt[k * n + iq]!;
      vquad += 0.5 * pq[k]! * temp * temp;
    }

    pointFromBase(m, xpt, kpt * n, xeval);
    const f = ev.call(xeval);
    fval[kpt] = f;
    if (f < fval[kopt]!) kopt = kpt;
    if (ev.cancelled) return { ...CANCELLED, kopt };
    const diff = f - vquad;

    // Add DIFF times the KPT-th Lagrange function to the model.
    for (let i = 0; i < n; i++) gopt[i]! += diff * bmat[kpt * n + i]!;
    for (let k = 0; k < npt; k++) {
      let sum = 0;
      for (let j = 0; j < nptm; j++) sum += zmat[k * nptm + j]! * zmat[kpt * nptm + j]!;
      const temp = diff * sum;
      if (prov[k] === 0) {
        pq[k]! += temp;
      } else {
        const kp = ptsP[k]!;
        const kq = ptsQ[k]!;
        if (kp < 0) {
          if (kq >= 0) hq[hqIndex(kq, kq)]! += temp * ptsaux2[kq]! * ptsaux2[kq]!;
        } else {
          hq[hqIndex(kp, kp)]! += temp * ptsaux1[kp]! * ptsaux1[kp]!;
          if (kq >= 0) {
            hq[hqIndex(kq, kq)]! += temp * ptsaux1[kq]! * ptsaux1[kq]!;
            hq[hqIndex(kp, kq)]! += temp * ptsaux1[kp]! * ptsaux1[kq]!;
          }
        }
      }
    }
    prov[kpt] = 0;
  }
  return { status: "ok", message: "", kopt };
}

/**
 * UPDATE: revises BMAT and ZMAT (the matrix H) when interpolation point KNEW is replaced. VLAG holds
 * the first NPT and last N components of H w on entry; BETA and DENOM are the parameters of the
 * updating formula (Powell 2006, NEWUOA, eq. 4.11). w (length npt+n) is work space.
 */
function update(
  n: number,
  npt: number,
  bmat: Float64Array,
  zmat: Float64Array,
  vlag: Float64Array,
  beta: number,
  denom: number,
  knew: number,
  w: Float64Array,
): void {
  const nptm = npt - n - 1;
  let ztest = 0;
  for (let k = 0; k < npt * nptm; k++) ztest = Math.max(ztest, Math.abs(zmat[k]!));
  ztest *= 1e-20;

  // Givens rotations that put zeros in the KNEW-th row of ZMAT (except its first column).
  for (let j = 1; j < nptm; j++) {
    const zkj = zmat[knew * nptm + j]!;
    if (Math.abs(zkj) > ztest) {
      const zk1 = zmat[knew * nptm]!;
      const temp = Math.sqrt(zk1 * zk1 + zkj * zkj);
      const tempa = zk1 / temp;
      const tempb = zkj / temp;
      for (let i = 0; i < npt; i++) {
        const t = tempa * zmat[i * nptm]! + tempb * zmat[i * nptm + j]!;
        zmat[i * nptm + j] = tempa * zmat[i * nptm + j]! - tempb * zmat[i * nptm]!;
        zmat[i * nptm] = t;
      }
    }
    zmat[knew * nptm + j] = 0;
  }

  // First NPT components of the KNEW-th column of H, and the parameters of the update.
  for (let i = 0; i < npt; i++) w[i] = zmat[knew * nptm]! * zmat[i * nptm]!;
  const alpha = w[knew]!;
  const tau = vlag[knew]!;
  vlag[knew]! -= 1;

  // Complete the update of ZMAT.
  const sq = Math.sqrt(denom);
  const tempb = zmat[knew * nptm]! / sq;
  const tempa = tau / sq;
  for (let i = 0; i < npt; i++) zmat[i * nptm] = tempa * zmat[i * nptm]! - tempb * vlag[i]!;

  // Update BMAT (its last n rows are kept symmetric).
  for (let j = 0; j < n; j++) {
    const jp = npt + j;
    w[jp] = bmat[knew * n + j]!;
    const ta = (alpha * vlag[jp]! - tau * w[jp]!) / denom;
    const tb = (-beta * w[jp]! - tau * vlag[jp]!) / denom;
    for (let i = 0; i <= jp; i++) {
      bmat[i * n + j] = bmat[i * n + j]! + ta * vlag[i]! + tb * w[i]!;
      if (i >= npt) bmat[jp * n + (i - npt)] = bmat[i * n + j]!;
    }
  }
}
