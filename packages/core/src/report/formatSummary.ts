import { formatPValues } from "./formatPValues.js";
import type { LmmFit } from "../fit/LmmFit.js";
import type { ShrinkageTable } from "../results/shrinkageTable.js";

/** Decimals needed to show x with `digits` significant digits, trailing zeros dropped (R's formatReal). */
function decimalsFor(x: number, digits: number): number {
  if (x === 0 || !Number.isFinite(x)) return 0;
  const v = Number(Math.abs(x).toPrecision(digits));
  for (let d = 0; d < 15; d++) if (Math.abs(Number(v.toFixed(d)) - v) <= v * 1e-12) return d;
  return 15;
}

/** Formats numbers with common decimals so that each shows `digits` significant digits (R's format()). */
export function formatCommon(xs: readonly number[], digits: number, maxDecimals = 15): string[] {
  const finite = xs.filter((x) => Number.isFinite(x));
  const dec = Math.min(maxDecimals, finite.reduce((d, x) => Math.max(d, decimalsFor(x, digits)), 0));
  const out = xs.map((x) => (Number.isNaN(x) ? "NaN" : Number.isFinite(x) ? x.toFixed(dec) : x > 0 ? "Inf" : "-Inf"));
  const width = Math.max(0, ...out.map((v) => v.length));
  return out.map((v) => v.padStart(width));
}

/** R's zapsmall(x, digits): round to digits − ceiling(log10(max |x|)) decimals. */
function zapsmall(xs: readonly number[], digits: number): number[] {
  const mx = Math.max(...xs.map(Math.abs).filter(Number.isFinite));
  const dec = mx > 0 ? Math.max(0, digits - Math.ceil(Math.log10(mx))) : digits;
  return xs.map((x) => Number(x.toFixed(dec)));
}

const padLeft = (s: string, w: number): string => s.padStart(w);
const padRight = (s: string, w: number): string => s.padEnd(w);

/** R's abbreviate(): drop lower-case vowels from the right, then lower-case letters, then truncate. */
export function abbreviate(name: string, minlength: number): string {
  if (name.length <= minlength) return name;
  const chars = [...name];
  const dropFromRight = (test: (c: string) => boolean): void => {
    for (let i = chars.length - 1; i > 0 && chars.length > minlength; i--) {
      if (test(chars[i]!)) chars.splice(i, 1);
    }
  };
  dropFromRight((c) => /[aeiou]/.test(c));
  dropFromRight((c) => /[a-z]/.test(c));
  return chars.slice(0, Math.max(minlength, 0)).join("");
}

/** R's significance stars of a p-value ("" when there is none). */
export function signifStars(p: number | null): string {
  return p === null || !Number.isFinite(p) ? "" : p < 0.001 ? "***" : p < 0.01 ? "**" : p < 0.05 ? "*" : p < 0.1 ? "." : " ";
}

/** Lays out rows of cells, right-aligned except the first column (left-aligned). */
export function table(rows: string[][], leftColumns = 1, leftLast = false): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, j) => (widths[j] = Math.max(widths[j] ?? 0, c.length)));
  const last = widths.length - 1;
  return rows.map((r) => r.map((c, j) => (j < leftColumns || (leftLast && j === last) ? padRight(c, widths[j]!) : padLeft(c, widths[j]!))).join(" ").trimEnd());
}

/** The lme4 (with lmerTest) summary of a fit, as text. */
export function formatSummary(fit: LmmFit, options: { dataName?: string } = {}): string {
  const out: string[] = [];
  const satt = fit.satterthwaiteDf.length === fit.fixef.length && fit.fixef.length > 0;
  out.push(`Linear mixed model fit by ${fit.REML ? "REML" : "maximum likelihood"}${satt ? ". t-tests use Satterthwaite's method" : ""} ['lmerMod']`);
  out.push(`Formula: ${fit.formula}`);
  if (options.dataName) out.push(`   Data: ${options.dataName}`);
  out.push("");
  if (fit.REML) {
    out.push(`REML criterion at convergence: ${fit.objective.toFixed(1)}`);
  } else {
    const vals = [fit.AIC, fit.BIC, fit.logLik, fit.objective].map((v) => v.toFixed(1));
    out.push(...table([["", "AIC", "BIC", "logLik", "deviance", "df.resid"], ["", ...vals, String(fit.dfResid)]], 0).map((l) => l));
  }
  out.push("");
  out.push("Scaled residuals: ");
  out.push(...table([["Min", "1Q", "Median", "3Q", "Max"], formatCommon(zapsmall(fit.scaledResidQuantiles, 5), 4)], 0));
  out.push("");
  out.push("Random effects:");
  const sigma2 = fit.sigma * fit.sigma;
  const variances = fit.varcorr.flatMap((v) => v.covariance.map((r, i) => r[i]!));
  const varStr = formatCommon([...variances, sigma2], 4);
  const sdStr = formatCommon([...fit.varcorr.flatMap((v) => v.sd), fit.sigma], 4);
  const hasCorr = fit.varcorr.some((v) => v.names.length > 1);
  const reRows: string[][] = [["Groups", "Name", "Variance", "Std.Dev.", ...(hasCorr ? ["Corr"] : [])]];
  let k = 0;
  for (const v of fit.varcorr) {
    v.names.forEach((name, i) => {
      const corr = hasCorr ? [v.corr[i]!.slice(0, i).map((c) => c.toFixed(2)).join(" ")] : [];
      reRows.push([i === 0 ? v.group : "", name, varStr[k]!, sdStr[k]!, ...corr]);
      k++;
    });
  }
  reRows.push(["Residual", "", varStr[k]!, sdStr[k]!, ...(hasCorr ? [""] : [])]);
  const reWidths: number[] = [];
  for (const r of reRows) r.forEach((c, j) => (reWidths[j] = Math.max(reWidths[j] ?? 0, c.length)));
  for (const r of reRows) {
    out.push(
      " " +
        r
          .map((c, j) => padRight(c, reWidths[j]!))
          .join(" ")
          .trimEnd(),
    );
  }
  const groups = Object.entries(fit.ngrps).map(([g, nl]) => `${g}, ${nl}`);
  out.push(`Number of obs: ${fit.nobs}, groups:  ${groups.join("; ")}`);
  out.push("");
  out.push("Fixed effects:");
  if (fit.fixef.length === 0) {
    out.push("(none)");
  } else {
    const est = formatCommon([...fit.fixef, ...fit.se], 4, 10);
    const p = fit.fixef.length;
    const header = ["", "Estimate", "Std. Error", ...(satt ? ["df", "t value", "Pr(>|t|)", ""] : ["t value"])];
    const dfStr = satt ? fit.satterthwaiteDf.map((d) => (Number.isFinite(d) ? d.toFixed(2) : "NaN")) : [];
    const tStr = formatCommon(fit.tValues.map((t) => Number(t.toFixed(3))), 4, 3);
    const pStr = satt ? formatPValues(fit.pValues, 3) : [];
    const rows = fit.fixefNames.map((name, i) => [
      name,
      est[i]!,
      est[p + i]!,
      ...(satt ? [dfStr[i]!, tStr[i]!, pStr[i]!, signifStars(fit.pValues[i]!)] : [tStr[i]!]),
    ]);
    const lines = table([header, ...rows], 1, satt);
    out.push(...lines);
    if (satt) {
      out.push("---");
      out.push("Signif. codes:  0 '***' 0.001 '**' 0.01 '*' 0.05 '.' 0.1 ' ' 1");
    }
    if (p > 1) {
      out.push("");
      out.push("Correlation of Fixed Effects:");
      const colNames = fit.fixefNames.slice(0, p - 1).map((n) => abbreviate(n, 6));
      const rowNames = fit.fixefNames.map((n) => abbreviate(n, 11));
      const corrRows: string[][] = [["", ...colNames]];
      for (let i = 1; i < p; i++) {
        const cells = [];
        for (let j = 0; j < p - 1; j++) {
          const c = fit.vcov[i]![j]! / (fit.se[i]! * fit.se[j]!);
          cells.push(j < i ? c.toFixed(3) : "");
        }
        corrRows.push([rowNames[i]!, ...cells]);
      }
      out.push(...table(corrRows));
    }
  }
  if (fit.warnings.length > 0) {
    out.push("");
    for (const w of fit.warnings) out.push(w.code === "singular" || w.code === "missing-rows" ? w.message : `Warning: ${w.message}`);
  }
  return out.join("\n") + "\n";
}

/** The shrinkage table as text: per level, n, the group's OLS estimates and the BLUP coefficients. */
export function formatShrinkage(s: ShrinkageTable): string {
  const header = [s.group, "n", ...s.columns.map((c) => `OLS ${c}`), ...s.columns.map((c) => `BLUP ${c}`)];
  const olsCols = s.columns.map((_, k) => formatCommon(s.ols.map((r) => r[k] ?? NaN), 4, 6).map((v) => (v === "NaN" ? "" : v)));
  const blupCols = s.columns.map((_, k) => formatCommon(s.blup.map((r) => r[k]!), 4, 6));
  const rows = s.levels.map((lev, l) => [lev, String(s.n[l]), ...olsCols.map((c) => c[l]!), ...blupCols.map((c) => c[l]!)]);
  return table([header, ...rows]).join("\n") + "\n";
}
