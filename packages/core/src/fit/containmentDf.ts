import { wasmRowPasses } from "../kernels/wasmKernels.js";
import type { Model } from "../model/Model.js";

/**
 * nlme's denominator degrees of freedom of each fixed effect (`getFixDF`, the "containment" rule),
 * for nested groupings. With the groupings ordered from the outermost (fewest levels) in, each
 * column of X is estimated in the innermost stratum within whose groups it still varies (the
 * outermost grouping when it varies within none, the residual stratum when it varies within the
 * innermost groups); stratum s has ℓ_s − ℓ_{s−1} degrees of freedom (N − ℓ_Q for the residual),
 * less one per column estimated in it, less one in the outermost for the intercept. The intercept
 * (a constant column) gets the largest. Null when the groupings are not nested (crossed factors:
 * nlme has no such rule).
 */
export function containmentDf(model: Model): number[] | null {
  const { n, p, X } = model;
  // distinct grouping factors, outermost first
  const byGroup = new Map<string, { refs: Int32Array; nl: number }>();
  for (const t of model.reTerms) byGroup.set(t.group, { refs: t.refs, nl: t.nl });
  const levels = [...byGroup.values()].sort((a, b) => a.nl - b.nl);
  for (let i = 1; i < levels.length; i++) if (!nestedIn(levels[i]!, levels[i - 1]!)) return null;
  const Q = levels.length;
  const dfX = [...levels.map((l, i) => l.nl - (i > 0 ? levels[i - 1]!.nl : 0)), n - levels[Q - 1]!.nl];
  const column = (j: number): Float64Array => X.subarray(j * n, j * n + n);
  // the same tests in WebAssembly where it runs (fast from a session's first fit)
  const rows = wasmRowPasses(n);
  const tested = rows ? rows.constancy(X, n, p, levels) : null;
  const constant = tested ? tested.constant : Array.from({ length: p }, (_, j) => isConstant(column(j)));
  const stratum = Array.from({ length: p }, (_, j) => {
    let s = 0;
    if (constant[j]) return s; // a constant column varies within no group (its stratum is not used)
    levels.forEach((l, i) => {
      if (tested ? tested.varies[i]![j] : variesWithin(column(j), l.refs, l.nl)) s = i + 1;
    });
    return s;
  });
  const val = new Array<number>(p).fill(0);
  if (constant.some((c) => !c)) {
    for (let j = 0; j < p; j++) if (!constant[j]) dfX[stratum[j]!]!--;
    if (constant.some((c) => c)) dfX[0]!--;
    else for (let s = 1; s <= Q; s++) dfX[s]!++;
    for (let j = 0; j < p; j++) if (!constant[j]) val[j] = dfX[stratum[j]!]!;
  }
  const largest = Math.max(...dfX);
  for (let j = 0; j < p; j++) if (constant[j]) val[j] = largest;
  return val;
}

/** nlme's `const`: every value (nearly) the first (relative 1.5e-8), or all 0 when the first is. */
function isConstant(x: Float64Array): boolean {
  const x0 = x[0]!;
  const tol = Math.sqrt(2.220446049250313e-16);
  for (let i = 0; i < x.length; i++) if (!(Math.abs(x0 === 0 ? x[i]! : x[i]! / x0 - 1) < tol)) return false;
  return true;
}

/** Does x take more than one value within some group? */
function variesWithin(x: Float64Array, refs: Int32Array, nl: number): boolean {
  const first = new Float64Array(nl).fill(NaN);
  for (let t = 0; t < x.length; t++) {
    const g = refs[t]!;
    if (Number.isNaN(first[g]!)) first[g] = x[t]!;
    else if (first[g] !== x[t]) return true;
  }
  return false;
}

/** Is every group of `inner` within one group of `outer`? */
function nestedIn(inner: { refs: Int32Array; nl: number }, outer: { refs: Int32Array }): boolean {
  const of = new Int32Array(inner.nl).fill(-1);
  for (let t = 0; t < inner.refs.length; t++) {
    const g = inner.refs[t]!;
    if (of[g] === -1) of[g] = outer.refs[t]!;
    else if (of[g] !== outer.refs[t]) return false;
  }
  return true;
}
