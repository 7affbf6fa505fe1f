import { wasmRowPasses } from "../kernels/wasmKernels.js";
import { describeDropped } from "../model/droppedRows.js";
import type { Model } from "../model/Model.js";
import type { OptSummary } from "../optim/OptSummary.js";
import type { ConvergenceCheck } from "./checkConvergence.js";
import type { FitWarning } from "./LmmFit.js";

/**
 * What lme4 says about a fit that does not stop it, in its words: rows dropped for missing values,
 * rank-deficient columns dropped, predictors on very different scales, a singular fit, and the
 * optimizer's and the convergence check's warnings.
 */
export function fitWarnings(model: Model, singular: boolean, opt: OptSummary, convergence: ConvergenceCheck): FitWarning[] {
  const warnings: FitWarning[] = [];
  if (model.nDropped > 0) {
    const why = model.droppedBy && model.droppedBy.length > 0 ? ` (${describeDropped(model.droppedBy)})` : "";
    warnings.push({ code: "missing-rows", message: `${model.nDropped} row${model.nDropped === 1 ? "" : "s"} with missing values dropped${why}.` });
  }
  if (model.droppedColumns.length > 0) {
    const k = model.droppedColumns.length;
    warnings.push({ code: "rank-deficient", message: `fixed-effect model matrix is rank deficient so dropping ${k} column${k === 1 ? "" : "s"} / coefficient${k === 1 ? "" : "s"} (${model.droppedColumns.join(", ")})` });
  }
  if (model.summed ? model.summed.scalesDiffer : predictorScalesDiffer(model.X, model.n, model.p)) warnings.push({ code: "scale", message: "Some predictor variables are on very different scales: consider rescaling" });
  if (singular) warnings.push({ code: "singular", message: "boundary (singular) fit: see help('isSingular')" });
  const unidentified = notIdentified(model);
  if (unidentified) warnings.push({ code: "not-identified", message: unidentified });
  for (const msg of opt.warnings) warnings.push({ code: "convergence", message: msg });
  if (convergence.warning) warnings.push({ code: "convergence", message: convergence.warning });
  return warnings;
}

/**
 * lme4's checkScaleX: the fixed-effects columns that are not all 0 or 1 have standard deviations
 * more than a factor 1000 apart, or one of them is above 1000 or below 1/1000.
 */
export function predictorScalesDiffer(X: Float64Array, n: number, p: number): boolean {
  const logSd: number[] = [];
  const rows = wasmRowPasses(n);
  for (let j = 0; j < p; j++) {
    const o = j * n;
    if (rows) {
      // the same sums in WebAssembly (fast from a session's first fit)
      const { binary, ss } = rows.stats(X, o, n);
      if (!binary) logSd.push(0.5 * Math.log(ss / (n - 1)));
      continue;
    }
    let indicator = true;
    let sum = 0;
    for (let t = 0; t < n; t++) {
      const v = X[o + t]!;
      if (v !== 0 && v !== 1) indicator = false;
      sum += v;
    }
    if (indicator) continue;
    const mean = sum / n;
    let ss = 0;
    for (let t = 0; t < n; t++) {
      const d = X[o + t]! - mean;
      ss += d * d;
    }
    logSd.push(0.5 * Math.log(ss / (n - 1)));
  }
  const limit = Math.log(1000);
  if (logSd.some((l) => !(Math.abs(l) <= limit))) return true;
  return logSd.length > 0 && Math.max(...logSd) - Math.min(...logSd) > limit;
}

/**
 * A random intercept of the grouping the residuals correlate within, beside compound symmetry or a
 * general correlation in it: the intercept's variance and the correlations trade off along a ridge of
 * equal likelihood, so only the marginal covariance Z G Z' + σ² C is identified (nlme fits it without
 * a word).
 */
function notIdentified(model: Model): string | null {
  const rs = model.residual;
  const cls = rs?.correlation?.class;
  if (!rs || (cls !== "corCompSymm" && cls !== "corSymm")) return null;
  const term = model.reTerms.find((t) => t.group === rs.group.replace("/", ":") && t.columnNames.includes("(Intercept)"));
  if (!term) return null;
  return `The random intercept of '${term.group}' and ${cls === "corCompSymm" ? "compound symmetry" : "a general correlation (corSymm)"} within '${rs.group}' are not both identified: only their sum, the marginal within-group covariance, is; read the fixed effects, their standard errors and the likelihood, not the variance components or ${cls === "corCompSymm" ? "Rho" : "the correlations"} alone.`;
}
