import { addTermEffects, sphericalSolution } from "../fit/solveEffects.js";
import type { BlockedLayout } from "../linalg/BlockedLayout.js";
import { multiplyLevels } from "../linalg/triangular.js";
import type { Model } from "../model/Model.js";
import { templates, thetaLayout } from "../model/thetaLayout.js";
import { blockedLayout } from "../objective/blockedLayout.js";
import { makeObjective } from "../objective/makeObjective.js";
import type { Factorization, ProfiledDeviance } from "../objective/ProfiledDeviance.js";
import { symbolicElimination } from "../objective/symbolicElimination.js";
import type { Family } from "./families.js";
import { rowKernel } from "./rowKernels.js";
import { rowSpace } from "./rowSpace.js";
import { rowPatterns } from "./rowPatterns.js";
import { planSize, scatterPlan, workingCrossProducts, type WorkingCrossProducts } from "./workingCrossProducts.js";

/** The state PIRLS converges to at one θ: the spherical modes u, β, η = offset + Xβ + ZΛu, μ and the Laplace criterion. */
export interface PirlsResult {
  u: Float64Array;
  beta: Float64Array;
  eta: Float64Array;
  mu: Float64Array;
  /** L of Λ'Z'WZΛ + I at the last iteration's working weights (with the X rows for the joint solve). */
  fac: Factorization;
  /** Σ d_i + ‖u‖²: the penalized deviance PIRLS minimizes. */
  pdev: number;
  /** −2 log-likelihood of y at μ (Σ d_i + the saturated model's −2 logLik). */
  minus2LogLik: number;
  /** lme4's Laplace criterion: −2 logLik(μ) + ‖u‖² + log |L|². */
  laplace: number;
  iterations: number;
}

/** lme4's `tolPwrss`: PIRLS stops when a full step changes the penalized deviance by less than this, relative. */
const TOL_PWRSS = 1e-7;

/** PIRLS factors two or more times per evaluation: from a tail of this many rows (crossed terms) its rank update and Cholesky run in WebAssembly, where the call's copying pays already. */
const WASM_TAIL_FROM = 16;

/**
 * Penalized iteratively reweighted least squares (lme4's `pwrssUpdate`) for a GLMM: at each
 * iteration the working weights w = w_prior μ'(η)²/V(μ) and working response z = η − o + (y − μ)/μ'(η)
 * re-form A = [Z X z]'W[Z X z] in the model's blocked layout (`workingCrossProducts`), L of Λ'AΛ + I
 * is factored as for a linear mixed model, and the solution is the Newton step for u (`modesFrom`: β held,
 * Xβ in the offset o) or for u and β together (`joint`: lme4's nAGQ = 0). A step that raises the
 * penalized deviance is halved (up to 10 times). Each call starts from the same point it is given,
 * so the criterion is a function of its arguments alone.
 */
export function makePirls(model: Model, family: Family) {
  const { n, p, reTerms } = model;
  const layoutOf = (pp: number): BlockedLayout => blockedLayout(reTerms, pp, symbolicElimination(reTerms, n));
  const layoutU = layoutOf(0);
  const layoutJ = layoutOf(p);
  const q = layoutJ.termRow[reTerms.length]!;
  const thetaL = thetaLayout(reTerms);
  const link = family.link;
  const X = model.X;
  const patterns = rowPatterns(X, n, p);
  // the models of the two working systems (with X for the joint solve, without when β is held:
  // their y and weights are the system's z and w) and their scatter plans
  const modelJ: Model = { ...model, offset: null, residual: null };
  const modelU: Model = { ...model, offset: null, residual: null, p: 0, X: new Float64Array(0), xNames: [] };
  const planJ = scatterPlan(modelJ, layoutJ);
  const planU = scatterPlan(modelU, layoutU);
  // the rows' arrays of the iteration (y, the prior weights, the offset; η and μ at the iteration's
  // and the trial point; Xβ held and at a trial; the weights and response of the two working
  // systems), the plans and A's values, in WebAssembly memory where it is available (`rowSpace`)
  // (and, for η's gathers, each scalar term's levels, effects and column where it is not all ones;
  // the rows' patterns of X and their values of Xβ)
  const sizeJ = planSize(planJ, layoutJ);
  const sizeU = planSize(planU, layoutU);
  const scalar = reTerms.map((term) => term.p === 1);
  const ones = reTerms.map((term) => term.p === 1 && term.z.every((v) => v === 1));
  const gatherInts = reTerms.reduce((acc, _, i) => acc + (scalar[i] ? n : 0), patterns ? n : 0);
  const gatherDoubles = reTerms.reduce((acc, term, i) => acc + (scalar[i] ? term.nl + (ones[i] ? 0 : n) : 0), patterns ? patterns.count : 0);
  const space = rowSpace(family, model.y, model.weights ?? new Float64Array(n).fill(1), 11, {
    doubles: sizeJ.doubles + sizeU.doubles + gatherDoubles,
    ints: sizeJ.ints + sizeU.ints + gatherInts,
  });
  const rowArray = (): Float64Array => (space ? space.array() : new Float64Array(n));
  const y = space ? space.y : model.y;
  const pw = space ? space.pw : (model.weights ?? new Float64Array(n).fill(1));
  const offset = rowArray();
  if (model.offset) offset.set(model.offset);
  const saturated = saturatedTerms(family, y, pw);

  const kernel = space ? space.kernel : rowKernel(family);

  /** η's gathers in the row space: per scalar term its levels, its effects λu and its column (null: all ones); X's patterns. */
  const gathers = space
    ? reTerms.map((term, i) => {
        if (!scalar[i]) return null;
        const b = space.doubles(term.nl);
        return { refs: space.copyOf(term.refs), b, z: ones[i] ? null : space.copyOf(term.z) };
      })
    : null;
  const patternRefs = space && patterns ? space.copyOf(patterns.pattern) : null;
  const patternValues = space && patterns ? space.doubles(patterns.count) : new Float64Array(patterns ? patterns.count : 0);
  /** Whether η's gathers run in WebAssembly for these arrays. */
  const gathered = (a: Float64Array, b: Float64Array): boolean => space !== null && space.scatter.owns(a) && space.scatter.owns(b);

  /** out = offset + Xβ: from the distinct rows of X where they are few, else by columns. */
  const fixedInto = (beta: ArrayLike<number>, out: Float64Array): Float64Array => {
    if (patterns) {
      const { pattern, rows, count } = patterns;
      for (let g = 0; g < count; g++) {
        let s = 0;
        for (let j = 0; j < p; j++) s += rows[g * p + j]! * beta[j]!;
        patternValues[g] = s;
      }
      if (patternRefs && gathered(out, offset)) space!.gather.add(out, offset, patternRefs, patternValues);
      else for (let t = 0; t < n; t++) out[t] = offset[t]! + patternValues[pattern[t]!]!;
      return out;
    }
    out.set(offset);
    for (let j = 0; j < p; j++) {
      const bj = beta[j]!;
      if (bj === 0) continue;
      const col = X.subarray(j * n, (j + 1) * n);
      for (let t = 0; t < n; t++) out[t]! += col[t]! * bj;
    }
    return out;
  };
  /** out = fixed + ZΛu (T: Λ's templates). */
  const etaInto = (T: Float64Array[], fixed: Float64Array, u: Float64Array, out: Float64Array): void => {
    if (gathers && gathered(out, fixed)) {
      // in WebAssembly: out = fixed + b[refs] for the first term, the others added in order (the same sums)
      let from = fixed;
      for (let i = 0; i < reTerms.length; i++) {
        const term = reTerms[i]!;
        const r0 = layoutJ.termRow[i]!;
        const g = gathers[i];
        if (!g) {
          if (from === fixed) out.set(fixed);
          from = out;
          addTermEffects(out, term.refs, term.z, term.p, multiplyLevels(T[i]!, term.p, term.nl, u.subarray(r0, r0 + term.nl * term.p)));
          continue;
        }
        const lambda = T[i]![0]!;
        for (let l = 0; l < term.nl; l++) g.b[l] = lambda * u[r0 + l]!;
        if (g.z) {
          if (from === fixed) out.set(fixed);
          space!.gather.addScaled(out, g.z, g.refs, g.b);
        } else space!.gather.add(out, from, g.refs, g.b);
        from = out;
      }
      if (from === fixed) out.set(fixed);
      return;
    }
    out.set(fixed);
    for (let i = 0; i < reTerms.length; i++) {
      const term = reTerms[i]!;
      const r0 = layoutJ.termRow[i]!;
      if (term.p === 1) {
        // a scalar term: z_t (λ u_level), as multiplyLevels and addTermEffects form it, without the b array
        const lambda = T[i]![0]!;
        const { refs, z } = term;
        for (let t = 0; t < n; t++) out[t]! += z[t]! * (lambda * u[r0 + refs[t]!]!);
        continue;
      }
      const b = multiplyLevels(T[i]!, term.p, term.nl, u.subarray(r0, r0 + term.nl * term.p));
      addTermEffects(out, term.refs, term.z, term.p, b);
    }
  };
  const muOf = (eta: Float64Array): Float64Array => {
    const mu = new Float64Array(n);
    kernel.muDeviance(eta, y, pw, mu);
    return mu;
  };
  // η and μ at the iteration's point and at a trial point (swapped when the trial is taken), and
  // Xβ at a trial β: made once, as L is (each system factors into its workspace; run is not re-entered)
  let cur = { eta: rowArray(), mu: rowArray() };
  let tri = { eta: rowArray(), mu: rowArray() };
  const fixedTrial = rowArray();
  const fixedHeld = rowArray();

  /**
   * The working system of the iteration (with X for the joint solve, without when β is held), made
   * once: the weights and response are rewritten in place at each iteration, A re-formed into the
   * same arrays, and L factored by the same objective into its workspace.
   */
  interface WorkingSystem {
    w: Float64Array;
    z: Float64Array;
    A: WorkingCrossProducts;
    objective: ProfiledDeviance;
  }
  const systems: { joint?: WorkingSystem; modes?: WorkingSystem } = {};
  const systemOf = (joint: boolean): WorkingSystem => {
    const known = joint ? systems.joint : systems.modes;
    if (known) return known;
    const w = rowArray().fill(1);
    const z = rowArray();
    const wm: Model = { ...(joint ? modelJ : modelU), y: z, weights: w };
    const A = workingCrossProducts(wm, joint ? layoutJ : layoutU, joint ? patterns : null, joint ? planJ : planU, space);
    const made = { w, z, A, objective: makeObjective(wm, A.cross, { wasmTailFrom: WASM_TAIL_FROM, crossChanges: true }) };
    if (joint) systems.joint = made;
    else systems.modes = made;
    return made;
  };

  /** One factorization at the working weights and response of η (joint: with X; else the fixed part in the offset). */
  const factorAt = (theta: ArrayLike<number>, eta: Float64Array, mu: Float64Array, fixedPart: Float64Array, joint: boolean): Factorization => {
    const sys = systemOf(joint);
    kernel.working(eta, mu, y, pw, fixedPart, sys.w, sys.z);
    sys.A.fill(sys.w, sys.z);
    return sys.objective.factorizeTransient(theta, false);
  };

  /**
   * Where an iteration starts, made once per starting η (every `joint` call starts from mustart's η,
   * every `modesFrom` call from the same lp0): μ, the working weights w, r = (y − μ)/μ'(η) (so that
   * z = (η − fixed) + r, as `working` forms it) and A's products at w with z = 0, restored into the
   * first iteration's A, which then re-forms only the response's products.
   */
  interface Start {
    eta: Float64Array;
    mu: Float64Array;
    w: Float64Array;
    r: Float64Array;
    products: Float64Array;
  }
  const starts: { joint: { key: Float64Array; start: Start } | null; modes: { key: Float64Array; start: Start } | null } = { joint: null, modes: null };
  const startFrom = (key: Float64Array, etaOf: () => Float64Array, joint: boolean): Start => {
    const known = joint ? starts.joint : starts.modes;
    if (known && known.key === key) return known.start;
    const eta = etaOf();
    const mu = muOf(eta);
    const w = new Float64Array(n);
    const r = new Float64Array(n);
    kernel.working(eta, mu, y, pw, eta, w, r);
    const sys = systemOf(joint);
    sys.A.fill(w, new Float64Array(n));
    const start = { eta, mu, w, r, products: sys.A.values.slice() };
    if (joint) starts.joint = { key, start };
    else starts.modes = { key, start };
    return start;
  };
  /** The first iteration's factorization, at the start's weights and the response of the fixed part. */
  const factorStart = (theta: ArrayLike<number>, start: Start, fixedPart: Float64Array, joint: boolean): Factorization => {
    const sys = systemOf(joint);
    sys.w.set(start.w);
    const { eta, r } = start;
    for (let t = 0; t < n; t++) sys.z[t] = eta[t]! - fixedPart[t]! + r[t]!;
    sys.A.values.set(start.products);
    sys.A.fillResponse(sys.w, sys.z);
    return sys.objective.factorizeTransient(theta, false);
  };

  /**
   * The iteration from η0 (with u0, β0 the point a halved step moves from), stopped by lme4's rule:
   * when a full step changes the penalized deviance by less than `tolPwrss` relative (L is then the
   * last iteration's, at the weights of the η it started from).
   */
  const run = (theta: ArrayLike<number>, beta0: Float64Array, u0: Float64Array | null, start: Start, joint: boolean, keep = true): PirlsResult => {
    let u = u0 ? Float64Array.from(u0) : new Float64Array(q);
    let beta = Float64Array.from(beta0);
    const T = templates(thetaL, theta);
    // the fixed part of η held during the iteration: the offset, and Xβ when β is held
    const fixedPart = joint ? offset : fixedInto(beta, fixedHeld);
    /** η, μ and the penalized deviance at (b, uu) into the trial buffers, μ and the deviance in one pass. */
    const trial = (b: Float64Array, uu: Float64Array): number => {
      etaInto(T, joint ? fixedInto(b, fixedTrial) : fixedPart, uu, tri.eta);
      let d = kernel.muDeviance(tri.eta, y, pw, tri.mu);
      for (let i = 0; i < uu.length; i++) d += uu[i]! * uu[i]!;
      return d;
    };
    const take = (): void => {
      const swap = cur;
      cur = tri;
      tri = swap;
    };
    cur.eta.set(start.eta);
    cur.mu.set(start.mu);
    let pdev = Infinity;
    let fac!: Factorization;
    let it = 0;
    for (; it < 100; it++) {
      fac = it === 0 ? factorStart(theta, start, fixedPart, joint) : factorAt(theta, cur.eta, cur.mu, fixedPart, joint);
      const x = sphericalSolution(joint ? layoutJ : layoutU, fac);
      const uNew = x.slice(0, q);
      const bNew = joint ? x.slice(q, q + p) : beta;
      let step = 1;
      let uT = uNew;
      let bT = bNew;
      let pT = trial(bT, uT);
      if (Math.abs((pdev - pT) / pT) < TOL_PWRSS) {
        u = uT;
        beta = bT;
        take();
        pdev = pT;
        it++;
        break;
      }
      for (let k = 0; k < 10 && !(pT <= pdev); k++) {
        step /= 2;
        uT = u.map((v, i) => v + step * (uNew[i]! - v));
        bT = joint ? beta.map((v, i) => v + step * (bNew[i]! - v)) : beta;
        pT = trial(bT, uT);
      }
      if (!(pT <= pdev)) break;
      u = uT;
      beta = bT;
      take();
      pdev = pT;
    }
    // η, μ and L live in buffers the next run rewrites: a result that is kept gets its own copies
    // (`keep` false: the caller reads the criterion and drops the rest)
    const eta = keep ? cur.eta.slice() : cur.eta;
    const mu = keep ? cur.mu.slice() : cur.mu;
    if (keep) fac = { ...fac, Lnodes: fac.Lnodes.slice(), LRR: fac.LRR.slice() };
    let uu = 0;
    for (let i = 0; i < q; i++) uu += u[i]! * u[i]!;
    let m2 = 0;
    if (saturated !== null && Number.isFinite(pdev)) m2 = pdev - uu + saturated;
    else for (let t = 0; t < n; t++) m2 += family.minus2LogLik(y[t]!, mu[t]!, pw[t]!);
    const laplace = Number.isFinite(fac.ldL2) ? m2 + uu + fac.ldL2 : Infinity;
    return { u, beta, eta, mu, fac, pdev, minus2LogLik: m2, laplace, iterations: it };
  };

  return {
    q,
    thetaSize: thetaL.size,
    layoutJ,
    /**
     * The modes u at (θ, β) as lme4's nAGQ = 1 deviance function finds them: from η = lp0 (the first
     * stage's linear predictor, without the offset) and u0 (its modes), with lme4's stopping rule
     * (`tolPwrss` = 1e-7): the criterion lme4 optimizes and differentiates.
     */
    modesFrom: (theta: ArrayLike<number>, beta: ArrayLike<number>, u0: Float64Array, lp0: Float64Array): PirlsResult => {
      const start = startFrom(lp0, () => (model.offset ? lp0.map((v, t) => v + model.offset![t]!) : lp0.slice()), false);
      return run(theta, Float64Array.from(beta), u0, start, false);
    },
    /** `modesFrom`'s Laplace criterion alone (nothing of the iteration is copied out). */
    criterionFrom: (theta: ArrayLike<number>, beta: ArrayLike<number>, u0: Float64Array, lp0: Float64Array): number => {
      const start = startFrom(lp0, () => (model.offset ? lp0.map((v, t) => v + model.offset![t]!) : lp0.slice()), false);
      return run(theta, Float64Array.from(beta), u0, start, false, false).laplace;
    },
    /** u and β together at θ (nAGQ = 0), from μ = `mustart` (u = 0, β = 0), stopped by lme4's rule (`tolPwrss` = 1e-7) as glmer's first stage is. */
    joint: (theta: ArrayLike<number>): PirlsResult => {
      const start = startFrom(y, () => y.map((v, t) => link.linkfun(family.start(v, pw[t]!))), true);
      return run(theta, new Float64Array(p), null, start, true);
    },
    /** `joint`'s criterion alone. */
    jointCriterion: (theta: ArrayLike<number>): number => {
      const start = startFrom(y, () => y.map((v, t) => link.linkfun(family.start(v, pw[t]!))), true);
      return run(theta, new Float64Array(p), null, start, true, false).laplace;
    },
    /** L with the X rows at the working weights of η (for R_X, the conditional variances): the first stage's system, re-formed there. */
    factorAt: (theta: ArrayLike<number>, eta: Float64Array): Factorization => {
      const sys = systemOf(true);
      kernel.working(eta, muOf(eta), y, pw, offset, sys.w, sys.z);
      sys.A.fill(sys.w, sys.z);
      return sys.objective.factorize(theta, false);
    },
    /** Σ_i of the saturated model's −2 log f(y_i | y_i), or null where R's rounding makes it differ from the deviance's (`saturatedTerms`). */
    saturated,
  };
}

export type Pirls = ReturnType<typeof makePirls>;

/**
 * Σ_i of the saturated model's −2 log f(y_i | y_i): then −2 log f(y | μ) = Σ d_i(μ) + this, so the
 * criterion needs no log-gamma per row and evaluation. Null where that identity fails: binomial
 * counts m·y or trials m that are not whole numbers (R rounds them in the likelihood, not in the
 * deviance residuals).
 */
function saturatedTerms(family: Family, y: Float64Array, pw: Float64Array): number | null {
  let sum = 0;
  for (let t = 0; t < y.length; t++) {
    const w = pw[t]!;
    if (family.name === "binomial" && (!Number.isInteger(w) || Math.abs(w * y[t]! - Math.round(w * y[t]!)) > 1e-9 * Math.max(1, w))) return null;
    sum += family.minus2LogLik(y[t]!, y[t]!, w);
  }
  return sum;
}
