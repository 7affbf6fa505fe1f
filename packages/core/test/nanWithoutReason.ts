import type { LmmFit } from "../src/fit/LmmFit.js";

/**
 * The numbers of a fit that are NaN or infinite without a warning that explains them: a singular fit
 * may have NaN correlations (an SD of 0), and p-values may be NaN where the fit says Satterthwaite df
 * could not be computed.
 */
export function nanWithoutReason(f: LmmFit): string[] {
  const codes = new Set(f.warnings.map((w) => w.code));
  const bad: string[] = [];
  const scan = (what: string, values: ArrayLike<number>, excused = false): void => {
    for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!) && !excused) bad.push(`${what}[${i}]`);
  };
  scan("theta", f.theta);
  scan("fixef", f.fixef);
  scan("se", f.se);
  scan("tValues", f.tValues);
  scan("satterthwaiteDf", f.satterthwaiteDf, codes.has("satterthwaite"));
  scan("pValues", f.pValues, codes.has("satterthwaite"));
  f.vcov.forEach((r, i) => scan(`vcov[${i}]`, r));
  scan("sigma, objective, logLik, AIC, BIC, pwrss", [f.sigma, f.objective, f.logLik, f.AIC, f.BIC, f.pwrss]);
  f.varcorr.forEach((v) => {
    v.covariance.forEach((r, i) => scan(`varcorr ${v.group} covariance[${i}]`, r));
    scan(`varcorr ${v.group} sd`, v.sd);
    v.corr.forEach((r, i) => scan(`varcorr ${v.group} corr[${i}]`, r, f.singular && v.sd.some((s) => s === 0)));
  });
  scan("fitted", f.fitted);
  scan("residuals", f.residuals);
  scan("scaledResiduals", f.scaledResiduals);
  f.ranef.forEach((r) => r.values.forEach((row, l) => (scan(`ranef ${r.group}[${l}]`, row), scan(`condsd ${r.group}[${l}]`, r.condsd[l]!))));
  return bad;
}
