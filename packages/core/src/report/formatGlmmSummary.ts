import type { GlmmFit } from "../glmm/GlmmFit.js";
import { formatPValues } from "./formatPValues.js";
import { formatAicTable, formatCommon, formatFixefCorrelation, formatRandomEffects, signifStars, table, zapsmall } from "./formatSummary.js";

/** The width R prints at (options("width")), for the title's wrapping. */
const WIDTH = 80;

/** R's strwrap(text, width, exdent): words in lines shorter than `width`, later lines indented by `exdent`. */
function strwrap(text: string, width: number, exdent: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    const indent = lines.length === 0 ? 0 : exdent;
    if (line !== "" && indent + line.length + 1 + word.length >= width) {
      lines.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines.map((l, i) => (i === 0 ? l : " ".repeat(exdent) + l));
}

/** What lme4 says about a GLMM fit that does not stop it (rows dropped, columns dropped, a singular fit, the optimizer's warnings), in its words. */
export function glmmWarnings(fit: GlmmFit): string[] {
  const out: string[] = [];
  if (fit.nDropped > 0) out.push(`${fit.nDropped} row${fit.nDropped === 1 ? "" : "s"} with missing values dropped.`);
  const k = fit.droppedColumns.length;
  if (k > 0) out.push(`fixed-effect model matrix is rank deficient so dropping ${k} column${k === 1 ? "" : "s"} / coefficient${k === 1 ? "" : "s"} (${fit.droppedColumns.join(", ")})`);
  if (fit.singular) out.push("boundary (singular) fit: see help('isSingular')");
  for (const w of fit.optSummary.warnings) out.push(w);
  out.push(...fit.convergence.warnings, ...fit.responseWarnings);
  return out;
}

/**
 * lme4's `summary()` of a `glmer` fit as R prints it (at width 80, trailing blanks trimmed): the
 * title (Laplace or adaptive quadrature), family and link, formula, data and weights, AIC BIC
 * logLik deviance df.resid (deviance is −2 logLik here), the Pearson residuals' quantiles, the
 * variance components (no residual row), the z tests with stars, the fixed effects' correlations
 * (up to 12 fixed effects, as lme4's default `lme4.summary.cor.max`),
 * and the fit's warnings.
 */
export function formatGlmmSummary(fit: GlmmFit, options: { dataName?: string; weights?: string } = {}): string {
  const out: string[] = [];
  const method = fit.nAGQ === 1 ? "(Laplace Approximation)" : `(Adaptive Gauss-Hermite Quadrature, nAGQ = ${fit.nAGQ})`;
  const title = `Generalized linear mixed model fit by maximum likelihood ${method}`;
  const cls = "glmerMod";
  if (title.length + 5 + cls.length > WIDTH) {
    const lines = strwrap(title, WIDTH - 2, 2);
    lines[lines.length - 1] += ` [${cls}]`;
    out.push(...lines);
  } else out.push(`${title} ['${cls}']`);
  out.push(` Family: ${fit.family}  ( ${fit.link} )`);
  out.push(`Formula: ${fit.formula}`);
  if (options.dataName) out.push(`   Data: ${options.dataName}`);
  if (options.weights) out.push(`Weights: ${options.weights}`);
  out.push("");
  out.push(...formatAicTable(fit.AIC, fit.BIC, fit.logLik, -2 * fit.logLik, fit.dfResid));
  out.push("");
  out.push("Scaled residuals: ");
  out.push(...table([["Min", "1Q", "Median", "3Q", "Max"], formatCommon(zapsmall(fit.pearsonResidQuantiles, 5), 4)], 0));
  out.push("");
  out.push("Random effects:");
  out.push(...formatRandomEffects(fit.varcorr, null));
  const groups = Object.entries(fit.ngrps).map(([g, nl]) => `${g}, ${nl}`);
  out.push(`Number of obs: ${fit.nobs}, groups:  ${groups.join("; ")}`);
  const p = fit.fixef.length;
  if (p > 0) {
    out.push("");
    out.push("Fixed effects:");
    const est = formatCommon([...fit.fixef, ...fit.se], 4, 10);
    const zStr = formatCommon(fit.zValues.map((z) => Number(z.toFixed(3))), 4, 3);
    const pStr = formatPValues(fit.pValues, 3);
    const rows = fit.fixefNames.map((name, i) => [name, est[i]!, est[p + i]!, zStr[i]!, pStr[i]!, signifStars(fit.pValues[i]!)]);
    out.push(...table([["", "Estimate", "Std. Error", "z value", "Pr(>|z|)", ""], ...rows], 1, true));
    out.push("---");
    out.push("Signif. codes:  0 '***' 0.001 '**' 0.01 '*' 0.05 '.' 0.1 ' ' 1");
    // lme4.summary.cor.max: more than 12 fixed effects, R leaves the correlations out (and says so in a message)
    if (p > 1 && p <= 12) {
      out.push("");
      out.push("Correlation of Fixed Effects:");
      out.push(...formatFixefCorrelation(fit.fixefNames, fit.vcov, fit.se));
    }
  }
  const warnings = glmmWarnings(fit);
  if (warnings.length > 0) out.push("", ...warnings);
  return out.join("\n") + "\n";
}
