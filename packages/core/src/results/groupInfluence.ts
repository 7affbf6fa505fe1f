/**
 * Influence of each group: the model refitted without the rows of one level at a time (lme4's
 * `influence(m, groups = "g")`), with the fixed effects and variance components of each refit and
 * lme4's Cook's distance. It costs one fit per level: meant for data of modest size.
 */
import { requireRows } from "../model/requireRows.js";
import { buildModel } from "../model/buildModel.js";
import { type Model } from "../model/Model.js";
import { fitModel } from "../fit/fit.js";
import { HlmError } from "../HlmError.js";
import type { LmmFit } from "../fit/LmmFit.js";
import { columnLabel } from "../model/levelLabels.js";
import { selectRows } from "../io/selectRows.js";
import { type Table } from "../io/Table.js";

/** Options: the model options the fit was made with, progress and cancelling. */
export interface GroupInfluenceOptions {
  factors?: readonly string[];
  weights?: string;
  /** Called after each refit; false cancels (HlmError "CANCELLED"). */
  onProgress?: (done: number, total: number) => void | boolean;
}

/** The refits without each level of a column (lme4's `influence.merMod`). */
export interface GroupInfluence {
  /** The column whose levels were left out, one at a time. */
  group: string;
  /** Its levels among the fitted rows, in order of first appearance (lme4's `unique()`). */
  levels: string[];
  fixefNames: string[];
  /** β̂ of the full fit, and per level β̂ without that level's rows. */
  fixef: number[];
  /** null where the refit has no such coefficient (a column dropped as collinear without the level). */
  fixefWithout: (number | null)[][];
  /** lme4's names of the variance components: `sigma^2`, then per term `v[col]` and `C[row,col]` (prefixed `group:` when there are several terms). */
  varCompNames: string[];
  /** σ̂² and the lower triangles (by columns) of each term's covariance; per level, the same without that level. */
  varComps: number[];
  varCompsWithout: number[][];
  /**
   * Cook's distance of each level, lme4's `cooks.distance(influence(...))`: Δβ' V⁻¹ Δβ · (g − p)/(g p),
   * Δβ = β̂₍₋ᵢ₎ − β̂, V = vcov(β̂) of the full fit, g levels, p fixed effects; null where a coefficient is missing.
   */
  cooksDistance: (number | null)[];
  /** Per level: did the refit converge without lme4's convergence warning, and its number of evaluations. */
  converged: boolean[];
  evaluations: number[];
}

/** σ̂² and each term's covariance, lower triangle by columns. */
function varianceComponents(fit: LmmFit): number[] {
  const out = [fit.sigma * fit.sigma];
  for (const v of fit.varcorr) for (let c = 0; c < v.names.length; c++) for (let r = c; r < v.names.length; r++) out.push(v.covariance[r]![c]!);
  return out;
}

function varianceComponentNames(fit: LmmFit): string[] {
  const several = fit.varcorr.length > 1;
  const out = ["sigma^2"];
  for (const v of fit.varcorr) {
    const prefix = several ? `${v.group}:` : "";
    for (let c = 0; c < v.names.length; c++) for (let r = c; r < v.names.length; r++) out.push(prefix + (r === c ? `v[${v.names[r]}]` : `C[${v.names[r]},${v.names[c]}]`));
  }
  return out;
}

/** Solves S x = b for symmetric positive definite S (Cholesky). */
function solveSpd(S: readonly (readonly number[])[], b: readonly number[]): number[] {
  const p = b.length;
  const L = S.map((row) => row.slice());
  for (let j = 0; j < p; j++) {
    let d = L[j]![j]!;
    for (let k = 0; k < j; k++) d -= L[j]![k]! ** 2;
    L[j]![j] = Math.sqrt(d);
    for (let i = j + 1; i < p; i++) {
      let s = L[i]![j]!;
      for (let k = 0; k < j; k++) s -= L[i]![k]! * L[j]![k]!;
      L[i]![j] = s / L[j]![j]!;
    }
  }
  const y = b.slice();
  for (let i = 0; i < p; i++) {
    for (let k = 0; k < i; k++) y[i]! -= L[i]![k]! * y[k]!;
    y[i] = y[i]! / L[i]![i]!;
  }
  for (let i = p - 1; i >= 0; i--) {
    for (let k = i + 1; k < p; k++) y[i]! -= L[k]![i]! * y[k]!;
    y[i] = y[i]! / L[i]![i]!;
  }
  return y;
}

/**
 * Refits `model` (fitted as `fit` on `data`) once without each level of the column `group`, starting
 * from θ̂ as lme4 does (with a residual structure, the refits have it too and start from its
 * parameters as well). A refit that fails (a level whose removal leaves a term with one level, say)
 * is an HlmError naming the level.
 */
export function groupInfluence(data: Table, model: Model, fit: LmmFit, group: string, options: GroupInfluenceOptions = {}): GroupInfluence {
  requireRows(model, "Influence", "refits the model without each group's rows");
  const col = data.columns.find((c) => c.name === group);
  if (!col) throw new HlmError("OPTIONS", `The column '${group}' is not in the data; influence needs a column whose levels to leave out.`, { column: group });
  const levels: string[] = [];
  const seen = new Set<string>();
  for (const i of model.rows) {
    const l = columnLabel(col, i);
    if (l !== null && !seen.has(l)) seen.add(l), levels.push(l);
  }
  if (levels.length < 2) throw new HlmError("OPTIONS", `The column '${group}' has ${levels.length} level${levels.length === 1 ? "" : "s"} among the fitted rows; leaving groups out needs at least 2.`, { column: group });

  // the refits keep the residual structure (nlme's texts, as the model read them), and start from the
  // fit's optimum: θ̂, then the structure's parameters
  const rs = model.residual;
  const structure = rs ? { ...(rs.correlation ? { correlation: rs.correlation.text } : {}), ...(rs.variance ? { variance: rs.variance.text } : {}) } : {};
  const thetaStart = fit.residual ? [...fit.theta, ...fit.residual.unconstrained] : fit.theta;
  const fixefWithout: (number | null)[][] = [];
  const varCompsWithout: number[][] = [];
  const converged: boolean[] = [];
  const evaluations: number[] = [];
  const labels = Array.from({ length: data.nrow }, (_, i) => columnLabel(col, i));
  levels.forEach((level, k) => {
    const without: number[] = [];
    for (let i = 0; i < data.nrow; i++) if (labels[i] !== level) without.push(i);
    let refit: LmmFit;
    try {
      const m = buildModel(selectRows(data, without), model.formula, {
        REML: model.REML,
        ...(options.factors ? { factors: options.factors } : {}),
        ...(options.weights !== undefined ? { weights: options.weights } : {}),
        ...structure,
      });
      refit = fitModel(m, { satterthwaite: false, thetaStart });
    } catch (e) {
      const why = e instanceof HlmError ? e.message : String(e);
      throw new HlmError("FIT", `Without level '${level}' of '${group}' the model cannot be refitted: ${why}`, { column: group });
    }
    fixefWithout.push(fit.fixefNames.map((name) => refit.fixef[refit.fixefNames.indexOf(name)] ?? null));
    varCompsWithout.push(varianceComponents(refit));
    converged.push(!refit.warnings.some((w) => w.code === "convergence"));
    evaluations.push(refit.optSummary.evaluations);
    if (options.onProgress?.(k + 1, levels.length) === false) throw new HlmError("CANCELLED", "The influence refits were cancelled.");
  });

  const g = levels.length;
  const p = fit.fixef.length;
  const cooksDistance = fixefWithout.map((b) => {
    if (b.some((v) => v === null)) return null;
    const db = b.map((v, j) => v! - fit.fixef[j]!);
    const x = solveSpd(fit.vcov, db);
    return (db.reduce((s, v, j) => s + v * x[j]!, 0) * (g - p)) / (g * p);
  });
  return {
    group,
    levels,
    fixefNames: [...fit.fixefNames],
    fixef: [...fit.fixef],
    fixefWithout,
    varCompNames: varianceComponentNames(fit),
    varComps: varianceComponents(fit),
    varCompsWithout,
    cooksDistance,
    converged,
    evaluations,
  };
}
