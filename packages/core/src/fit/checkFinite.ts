import { HlmError } from "../HlmError.js";
import type { Model } from "../model/Model.js";
import { responseMoments } from "../model/response.js";
import type { LmmFit } from "./LmmFit.js";

/**
 * A fit whose residual SD is 0 (the fixed effects reproduce the response exactly) or whose estimates
 * are not finite numbers is no fit: a clear error instead of NaN or Inf in the results.
 */
export function checkFinite(fit: LmmFit, model: Model): void {
  // σ² below 1e-14 of the response's variance is within the rounding of the sums of squares: an exact fit
  const { n } = model;
  const { ss } = responseMoments(model);
  if (fit.pwrss <= 0 || fit.sigma <= 1e-7 * Math.sqrt(ss / (n - 1))) {
    throw new HlmError("FIT", `The model reproduces '${fit.responseName}' exactly (every residual is 0), so its variances cannot be estimated; lme4 would report a residual SD of 0.`);
  }
  const bad: string[] = [];
  if (!Number.isFinite(fit.sigma)) bad.push("the residual SD");
  if (!Number.isFinite(fit.objective)) bad.push("the objective");
  fit.fixefNames.forEach((name, i) => {
    if (!Number.isFinite(fit.fixef[i]!) || !Number.isFinite(fit.se[i]!)) bad.push(`'${name}'`);
  });
  if (fit.varcorr.some((v) => v.sd.some((x) => !Number.isFinite(x)))) bad.push("the random-effect SDs");
  if (bad.length > 0) {
    throw new HlmError("FIT", `The fit broke down numerically: ${bad.slice(0, 3).join(", ")}${bad.length > 3 ? ", …" : ""} came out as NaN or infinite; look for extreme or nearly collinear values in the data.`);
  }
}
