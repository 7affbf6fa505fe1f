import { formatPValues } from "./formatPValues.js";
import type { LmmFit, VarCorrTerm } from "../fit/LmmFit.js";
import { STRUCTURE_LABELS, structureFormula, varianceParameters } from "./describeStructure.js";
import type { DdfMethod } from "./fitToJson.js";
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

/** R's zapsmall(x, digits): round to digits − log10(max |x|) decimals, which round() takes to the nearest whole number (R 4.2). */
export function zapsmall(xs: readonly number[], digits: number): number[] {
  const mx = Math.max(...xs.map(Math.abs).filter(Number.isFinite));
  const dec = mx > 0 ? Math.max(0, Math.floor(digits - Math.log10(mx) + 0.5)) : digits;
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

/** lme4's AIC BIC logLik deviance df.resid lines: a named vector as R prints it, every column one width. */
export function formatAicTable(AIC: number, BIC: number, logLik: number, deviance: number, dfResid: number): string[] {
  const names = ["AIC", "BIC", "logLik", "deviance", "df.resid"];
  const vals = [...formatCommon([AIC, BIC, logLik, deviance].map((v) => Number(v.toFixed(1))), 7, 1).map((v) => v.trim()), String(dfResid)];
  const w = Math.max(...names.map((n) => n.length), ...vals.map((v) => v.length));
  return [names.map((n) => n.padStart(w)).join(" ") + " ", vals.map((v) => v.padStart(w)).join(" ") + " "];
}

/** Lays out rows of cells, right-aligned except the first column (left-aligned). */
export function table(rows: string[][], leftColumns = 1, leftLast = false): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, j) => (widths[j] = Math.max(widths[j] ?? 0, c.length)));
  const last = widths.length - 1;
  return rows.map((r) => r.map((c, j) => (j < leftColumns || (leftLast && j === last) ? padRight(c, widths[j]!) : padLeft(c, widths[j]!))).join(" ").trimEnd());
}

/**
 * The lme4 (with lmerTest) summary of a fit, as text. With a residual structure, nlme's sections on
 * it follow the random effects ("Correlation Structure: AR(1)", "Variance function: ..."), and the
 * first group's within-group covariance. With `ddf: "containment"`, the fixed effects are nlme's
 * t-table (its containment degrees of freedom and standard errors).
 */
export function formatSummary(fit: LmmFit, options: { dataName?: string; ddf?: DdfMethod } = {}): string {
  const out: string[] = [];
  const nlme = options.ddf === "containment" ? fit.containment : null;
  const satt = nlme !== null || (fit.satterthwaiteDf.length === fit.fixef.length && fit.fixef.length > 0);
  const method = nlme ? "nlme's containment degrees of freedom" : "Satterthwaite's method";
  const kind = fit.residual ? "Linear mixed model with a residual structure" : "Linear mixed model";
  out.push(`${kind} fit by ${fit.REML ? "REML" : "maximum likelihood"}${satt ? `. t-tests use ${method}` : ""} ['${fit.residual ? "lme" : "lmerMod"}']`);
  out.push(`Formula: ${fit.formula}`);
  if (options.dataName) out.push(`   Data: ${options.dataName}`);
  out.push("");
  if (fit.REML) {
    out.push(`REML criterion at convergence: ${fit.objective.toFixed(1)}`);
  } else {
    out.push(...formatAicTable(fit.AIC, fit.BIC, fit.logLik, fit.objective, fit.dfResid));
  }
  out.push("");
  // a fit from sums has no residuals here unless the database computed their quantiles
  if (fit.scaledResidQuantiles.length > 0) {
    out.push("Scaled residuals: ");
    out.push(...table([["Min", "1Q", "Median", "3Q", "Max"], formatCommon(zapsmall(fit.scaledResidQuantiles, 5), 4)], 0));
    out.push("");
  }
  out.push("Random effects:");
  out.push(...formatRandomEffects(fit.varcorr, { variance: fit.sigma * fit.sigma, sd: fit.sigma }));
  const groups = Object.entries(fit.ngrps).map(([g, nl]) => `${g}, ${nl}`);
  out.push(`Number of obs: ${fit.nobs}, groups:  ${groups.join("; ")}`);
  if (fit.residual) out.push(...structureSection(fit));
  out.push("");
  out.push("Fixed effects:");
  if (fit.fixef.length === 0) {
    out.push("(none)");
  } else {
    const se = nlme ? nlme.se : fit.se;
    const tValues = nlme ? nlme.tValues : fit.tValues;
    const pValues = nlme ? nlme.pValues : fit.pValues;
    const est = formatCommon([...fit.fixef, ...se], 4, 10);
    const p = fit.fixef.length;
    const header = ["", "Estimate", "Std. Error", ...(satt ? ["df", "t value", "Pr(>|t|)", ""] : ["t value"])];
    const dfStr = nlme ? nlme.df.map(String) : satt ? fit.satterthwaiteDf.map((d) => (Number.isFinite(d) ? d.toFixed(2) : "NaN")) : [];
    const tStr = formatCommon(tValues.map((t) => Number(t.toFixed(3))), 4, 3);
    const pStr = satt ? formatPValues(pValues, 3) : [];
    const rows = fit.fixefNames.map((name, i) => [
      name,
      est[i]!,
      est[p + i]!,
      ...(satt ? [dfStr[i]!, tStr[i]!, pStr[i]!, signifStars(pValues[i]!)] : [tStr[i]!]),
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
      out.push(...formatFixefCorrelation(fit.fixefNames, fit.vcov, fit.se));
    }
  }
  if (fit.warnings.length > 0) {
    out.push("");
    for (const w of fit.warnings) out.push(w.code === "singular" || w.code === "missing-rows" ? w.message : `Warning: ${w.message}`);
  }
  return out.join("\n") + "\n";
}

/** The "Random effects:" table's rows (Groups Name Variance Std.Dev. [Corr]), with a Residual row when `residual` is given (not for a GLMM). */
export function formatRandomEffects(varcorr: readonly VarCorrTerm[], residual: { variance: number; sd: number } | null): string[] {
  const out: string[] = [];
  const variances = varcorr.flatMap((v) => v.covariance.map((r, i) => r[i]!));
  const varStr = formatCommon(residual ? [...variances, residual.variance] : variances, 4);
  const sdStr = formatCommon(residual ? [...varcorr.flatMap((v) => v.sd), residual.sd] : varcorr.flatMap((v) => v.sd), 4);
  const hasCorr = varcorr.some((v) => v.names.length > 1);
  const reRows: string[][] = [["Groups", "Name", "Variance", "Std.Dev.", ...(hasCorr ? ["Corr"] : [])]];
  let k = 0;
  for (const v of varcorr) {
    v.names.forEach((name, i) => {
      const corr = hasCorr ? [v.corr[i]!.slice(0, i).map((c) => c.toFixed(2)).join(" ")] : [];
      reRows.push([i === 0 ? v.group : "", name, varStr[k]!, sdStr[k]!, ...corr]);
      k++;
    });
  }
  if (residual) reRows.push(["Residual", "", varStr[k]!, sdStr[k]!, ...(hasCorr ? [""] : [])]);
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
  return out;
}

/** The rows of "Correlation of Fixed Effects:" (lower triangle, names abbreviated as R's print does). */
export function formatFixefCorrelation(names: readonly string[], vcov: readonly (readonly number[])[], se: readonly number[]): string[] {
  const p = names.length;
  const colNames = names.slice(0, p - 1).map((n) => abbreviate(n, 6));
  const rowNames = names.map((n) => abbreviate(n, 11));
  const corrRows: string[][] = [["", ...colNames]];
  for (let i = 1; i < p; i++) {
    const cells = [];
    for (let j = 0; j < p - 1; j++) {
      const c = vcov[i]![j]! / (se[i]! * se[j]!);
      cells.push(j < i ? c.toFixed(3) : "");
    }
    corrRows.push([rowNames[i]!, ...cells]);
  }
  return table(corrRows);
}

/** The most rows of the first group's within-group covariance the summary prints. */
const MAX_COVARIANCE_ROWS = 12;

/** nlme's sections on a residual structure (as summary.lme prints them), then the first group's V_i. */
function structureSection(fit: LmmFit): string[] {
  const r = fit.residual!;
  const out: string[] = [];
  const named = (names: string[], values: number[]): string[] => {
    const v = formatCommon(values, 7);
    const w = names.map((n, i) => Math.max(n.length, v[i]!.trim().length));
    return [names.map((n, i) => n.padStart(w[i]!)).join(" "), v.map((x, i) => x.trim().padStart(w[i]!)).join(" ")];
  };
  if (r.correlation) {
    const c = r.correlation;
    out.push("", `Correlation Structure: ${STRUCTURE_LABELS[c.class]}`, ` Formula: ${structureFormula(r, "correlation")} `);
    if (c.class === "corSymm") {
      const P = Math.round((1 + Math.sqrt(1 + 8 * c.values.length)) / 2);
      out.push(" Correlation: ");
      const rows: string[][] = [["", ...Array.from({ length: P - 1 }, (_, j) => String(j + 1))]];
      let k = 0;
      const cells: string[][] = Array.from({ length: P }, () => new Array<string>(P - 1).fill(""));
      for (let a = 0; a < P; a++) for (let b = a + 1; b < P; b++) cells[b]![a] = c.values[k++]!.toFixed(3);
      for (let i = 1; i < P; i++) rows.push([String(i + 1), ...cells[i]!]);
      out.push(...table(rows));
    } else {
      out.push(" Parameter estimate(s):", ...named(c.names, c.values));
    }
  }
  if (r.variance) {
    const v = r.variance;
    const pv = varianceParameters(r);
    out.push("", "Variance function:", ` Structure: ${STRUCTURE_LABELS[v.class]}`, ` Formula: ${structureFormula(r, "variance")} `, " Parameter estimates:", ...named(pv.names, pv.values));
  }
  const V = r.marginalCovariance;
  out.push("", `Within-group covariance (marginal), ${r.group} ${V.group}:`);
  if (V.rows.length > MAX_COVARIANCE_ROWS) {
    out.push(` ${V.rows.length} rows: see --json (marginal_cov) or the HLM Summary sheet.`);
  } else {
    const all = formatCommon(V.matrix.flat(), 4, 4);
    const rows: string[][] = [["row", ...V.rows.map(String)], ...V.rows.map((row, i) => [String(row), ...all.slice(i * V.rows.length, (i + 1) * V.rows.length).map((x) => x.trim())])];
    out.push(...table(rows));
  }
  return out;
}

/** The shrinkage table as text: per level, n, the group's OLS estimates and the BLUP coefficients. */
export function formatShrinkage(s: ShrinkageTable): string {
  const header = [s.group, "n", ...s.columns.map((c) => `OLS ${c}`), ...s.columns.map((c) => `BLUP ${c}`)];
  const olsCols = s.columns.map((_, k) => formatCommon(s.ols.map((r) => r[k] ?? NaN), 4, 6).map((v) => (v === "NaN" ? "" : v)));
  const blupCols = s.columns.map((_, k) => formatCommon(s.blup.map((r) => r[k]!), 4, 6));
  const rows = s.levels.map((lev, l) => [lev, String(s.n[l]), ...olsCols.map((c) => c[l]!), ...blupCols.map((c) => c[l]!)]);
  return table([header, ...rows]).join("\n") + "\n";
}
