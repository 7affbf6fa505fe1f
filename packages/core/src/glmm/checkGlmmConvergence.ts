import { EigenvalueDecomposition, Matrix } from "ml-matrix";

/** lme4's convergence check of a GLMM at its optimum (θ̂, β̂), and its warnings. */
export interface GlmmConvergence {
  /** The central-difference gradient of the criterion in (θ, β) at the optimum (lme4's `optinfo$derivs$gradient`). */
  gradient: number[];
  /** max over components of min(|scaled gradient|, |gradient|), the scaled gradient solve(chol(H), g); null when H has no Cholesky factor or the fit is singular. */
  maxGradient: number | null;
  /** lme4's warnings, in its words and order (none at a singular fit: lme4 checks no further there). */
  warnings: string[];
}

/** C's %g, as R's gettextf prints a number: 6 significant digits, no trailing zeros. */
export function formatG(x: number): string {
  if (x === 0 || !Number.isFinite(x)) return String(x);
  const e = Math.floor(Math.log10(Math.abs(x)));
  const trim = (s: string): string => (s.includes(".") ? s.replace(/\.?0+$/, "") : s);
  if (e < -4 || e >= 6) {
    const [m, ex] = x.toExponential(5).split("e");
    const n = Number(ex);
    return `${trim(m!)}e${n < 0 ? "-" : "+"}${String(Math.abs(n)).padStart(2, "0")}`;
  }
  return trim(x.toFixed(Math.max(0, 5 - e)));
}

/**
 * lme4 1.1-31's `checkConv` for `glmer` at x̂ = (θ̂, β̂), with its default `glmerControl` (gradient tol
 * 0.002, Hessian tol 1e-6): nothing past a singular fit (a diagonal θ below 1e-4); then the scaled
 * gradient solve(chol(H), g) ("Model failed to converge with max|grad| = … (tol = 0.002, component
 * 1)", or "unable to evaluate scaled gradient" when H has no Cholesky factor); then the eigenvalues
 * of H (lme4's `checkHess`: negative ones, a numerically singular H, a very large eigenvalue, a large
 * eigenvalue ratio). For a GLMM lme4's bounds cover θ and β together, so only the whole Hessian is
 * checked (not its β block). lme4's texts with their spacing tidied: "degenerate Hessian",
 * "Hessian is numerically singular" (R has two spaces and a leading one, from an empty Hessian type).
 */
export function checkGlmmConvergence(gradient: readonly number[], hessian: readonly (readonly number[])[], theta: readonly number[], lower: ArrayLike<number>, tol = 0.002, hessTol = 1e-6): GlmmConvergence {
  const g = [...gradient];
  if (theta.some((t, i) => lower[i] === 0 && t < 1e-4)) return { gradient: g, maxGradient: null, warnings: [] };
  if (g.some((v) => !Number.isFinite(v))) return { gradient: g, maxGradient: null, warnings: ["Gradient contains NAs"] };
  const warnings: string[] = [];
  const k = g.length;
  // chol(H) = R (upper), R'R = H; the scaled gradient s solves R s = g
  const L = new Float64Array(k * k);
  let pd = hessian.every((row) => row.every(Number.isFinite));
  for (let i = 0; i < k && pd; i++) {
    for (let j = 0; j <= i; j++) {
      let s = hessian[i]![j]!;
      for (let m = 0; m < j; m++) s -= L[i * k + m]! * L[j * k + m]!;
      if (i === j) {
        if (!(s > 0)) pd = false;
        else L[i * k + i] = Math.sqrt(s);
      } else L[i * k + j] = s / L[j * k + j]!;
    }
  }
  let maxGradient: number | null = null;
  if (!pd) warnings.push("unable to evaluate scaled gradient");
  else {
    const s = Float64Array.from(g);
    for (let i = k - 1; i >= 0; i--) {
      let v = s[i]!;
      for (let j = i + 1; j < k; j++) v -= L[j * k + i]! * s[j]!;
      s[i] = v / L[i * k + i]!;
    }
    maxGradient = 0;
    for (let i = 0; i < k; i++) maxGradient = Math.max(maxGradient, Math.min(Math.abs(s[i]!), Math.abs(g[i]!)));
    // lme4 reports "component 1" whatever the component (which.max of a single number)
    if (maxGradient > tol) warnings.push(`Model failed to converge with max|grad| = ${formatG(maxGradient)} (tol = ${tol}, component 1)`);
  }

  if (!hessian.every((row) => row.every(Number.isFinite))) return { gradient: g, maxGradient, warnings: [...warnings, "Problem with Hessian check (infinite or missing values?)"] };
  const ev = new EigenvalueDecomposition(new Matrix(hessian.map((r) => [...r])), { assumeSymmetric: true }).realEigenvalues;
  const negative = ev.filter((v) => v < -hessTol).length;
  if (negative > 0) warnings.push(`Model failed to converge: degenerate Hessian with ${negative} negative eigenvalues`);
  else if (ev.some((v) => Math.abs(v) < hessTol) || !pd) warnings.push("Hessian is numerically singular: parameters are not uniquely determined");
  else {
    const max = Math.max(...ev);
    const min = Math.min(...ev);
    if (max * hessTol > 1) warnings.push("Model is nearly unidentifiable: very large eigenvalue\n - Rescale variables?");
    if (min / max < hessTol) warnings.push("Model is nearly unidentifiable: large eigenvalue ratio\n - Rescale variables?");
  }
  return { gradient: g, maxGradient, warnings };
}
