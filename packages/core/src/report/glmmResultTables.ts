/**
 * The result sheets of a generalized linear mixed model (lme4's `glmer`) as plain data, in the shape
 * of `resultTables.ts`: the CLI's `--xlsx` and the Excel add-in write the same `HLM Summary` and
 * `HLM Random Effects` sheets for a GLMM as for a linear mixed model, with a GLMM's contents.
 */
import type { GlmmFit } from "../glmm/GlmmFit.js";
import { LINKS } from "../glmm/links.js";
import { qnorm } from "../inference/rRandom.js";
import { glmmWarnings } from "./formatGlmmSummary.js";
import { pValueNumberFormat } from "./formatPValues.js";
import { fitStatisticsSection, NUMBER_FORMATS as FMT, randomEffectsSection, residualQuantilesSection, type Cell, type ResultSection, type ResultTable } from "./resultTables.js";

/** A finite number, or null (a blank cell). */
const num = (v: number | null | undefined): number | null => (v === null || v === undefined || !Number.isFinite(v) ? null : v);

/** How the fit integrated over the random effects, in words (the summary's title as lme4 words it). */
export function glmmMethod(fit: Pick<GlmmFit, "nAGQ">): string {
  return fit.nAGQ === 1 ? "Laplace approximation" : `Adaptive Gauss-Hermite quadrature, ${fit.nAGQ} points (nAGQ = ${fit.nAGQ})`;
}

/**
 * What exp(β) of a fixed effect means for the link, or null where it means nothing simple (probit,
 * cloglog): odds ratios for the logit link, rate ratios for the log link.
 */
export function ratioName(fit: Pick<GlmmFit, "link">): { ratio: string; baseline: string } | null {
  if (fit.link === "logit") return { ratio: "Odds ratio", baseline: "the odds" };
  if (fit.link === "log") return { ratio: "Rate ratio", baseline: "the rate" };
  return null;
}

/**
 * The `HLM Summary` sheet of a GLMM: lme4's `summary()` of a `glmer` fit as tables. Sections, in order:
 * `Model` (model kind, formula, data, family, link, method: Laplace or adaptive quadrature with its
 * points, weights, observations, groups per grouping factor, rows dropped),
 * `Fit statistics` (AIC, BIC, logLik, deviance = −2 logLik as `summary()` prints it, df.resid),
 * `Scaled (Pearson) residuals` (Min, 1Q, Median, 3Q, Max),
 * `Random effects` (Groups, Name, Variance, Std.Dev., correlations; no residual row: a GLMM has no σ),
 * `Fixed effects` (Term, Estimate, Std. Error, z value, Pr(>|z|)),
 * for the logit and log links `Odds ratios` / `Rate ratios` (exp(Estimate) with its 95% Wald
 * interval exp(Estimate ± 1.96 SE); the intercept's is the odds or rate at the reference levels),
 * `Correlation of fixed effects` (lower triangle, with two or more fixed effects),
 * and `Warnings` (one row per warning; left out when there are none).
 */
export function glmmSummaryTable(fit: GlmmFit, dataName?: string, options: { weights?: string } = {}): ResultTable {
  const model: Cell[][] = [["Model", "Generalized linear mixed model (lme4's glmer)"], ["Formula", fit.formula]];
  if (dataName !== undefined && dataName !== "") model.push(["Data", dataName]);
  model.push(["Family", fit.family], ["Link", fit.link], ["Method", `Maximum likelihood (${glmmMethod(fit)})`]);
  if (options.weights !== undefined && options.weights !== "") model.push(["Weights", options.weights]);
  model.push(["Observations", fit.nobs]);
  for (const [group, n] of Object.entries(fit.ngrps)) model.push([`Groups: ${group}`, n]);
  if (fit.nDropped > 0) model.push(["Rows dropped (missing values)", fit.nDropped]);

  const stats = fitStatisticsSection(fit, "deviance", -2 * fit.logLik);
  const residuals = residualQuantilesSection("Scaled (Pearson) residuals", fit.pearsonResidQuantiles);
  const random = randomEffectsSection(fit.varcorr, null);

  const fixed: ResultSection = {
    title: "Fixed effects",
    header: ["Term", "Estimate", "Std. Error", "z value", "Pr(>|z|)"],
    rows: fit.fixefNames.map((name, i) => [name, num(fit.fixef[i]), num(fit.se[i]), num(fit.zValues[i]), num(fit.pValues[i])]),
    numberFormats: [null, FMT.estimate, FMT.estimate, FMT.t, pValueNumberFormat(fit.pValues, 3)],
  };

  const sections: ResultSection[] = [{ title: "Model", header: ["Item", "Value"], rows: model, numberFormats: [null, null] }, stats, residuals, random, fixed];
  const ratios = ratioSection(fit);
  if (ratios) sections.push(ratios);
  const p = fit.fixefNames.length;
  if (p > 1) {
    sections.push({
      title: "Correlation of fixed effects",
      header: ["Term", ...fit.fixefNames.slice(0, p - 1)],
      rows: fit.fixefNames.slice(1).map((name, k) => {
        const i = k + 1;
        return [name, ...fit.fixefNames.slice(0, p - 1).map((_, j) => (j < i ? num(fit.vcov[i]![j]! / Math.sqrt(fit.vcov[i]![i]! * fit.vcov[j]![j]!)) : null))];
      }),
      numberFormats: [null, ...Array<string>(p - 1).fill("0.000")],
    });
  }
  const warnings = glmmWarnings(fit);
  if (warnings.length > 0) sections.push({ title: "Warnings", header: ["Warning"], rows: warnings.map((w) => [w]), numberFormats: [null] });
  return { sheetName: "HLM Summary", sections };
}

/** exp(β) with 95% Wald intervals, for the logit (odds ratios) and log (rate ratios) links; null for the others. */
function ratioSection(fit: GlmmFit): ResultSection | null {
  const names = ratioName(fit);
  if (!names) return null;
  const z = qnorm(0.975);
  const intercept = fit.fixefNames.includes("(Intercept)") ? ` (the intercept's: ${names.baseline} at the reference levels)` : "";
  return {
    title: `${names.ratio}s exp(Estimate) with 95% Wald intervals${intercept}`,
    header: ["Term", names.ratio, "2.5 %", "97.5 %"],
    rows: fit.fixefNames.map((name, i) => {
      const b = fit.fixef[i]!;
      const se = fit.se[i]!;
      return [name, num(Math.exp(b)), num(Math.exp(b - z * se)), num(Math.exp(b + z * se))];
    }),
    numberFormats: [null, FMT.estimate, FMT.estimate, FMT.estimate],
  };
}

/**
 * The `HLM Random Effects` sheet of a GLMM: one section per grouping factor, one row per level: the
 * level label, the conditional modes on the link scale (`mode <column>`, lme4's `ranef()`), their
 * conditional SDs (`condSD <column>`), the level's coefficients (`coef <column>`: the fixed effect
 * of the same name plus the mode, lme4's `coef()`), and, when the factor has a random intercept and
 * the model a fixed one, the level's prediction at the reference levels of every other term on the
 * response scale: `Probability at reference levels` (binomial), or for a Poisson model `Mean count
 * at reference levels` (`Rate at reference levels (per unit of exp(offset))` with an offset): g⁻¹(β₀ + b₀).
 */
export function glmmRandomEffectsTable(fit: GlmmFit): ResultTable {
  const b0 = fit.fixefNames.indexOf("(Intercept)");
  const linkinv = LINKS[fit.link].linkinv;
  const sections: ResultSection[] = fit.ranef.map((r) => {
    const fixedOf = r.columns.map((c) => fit.fixefNames.indexOf(c));
    const k0 = r.columns.indexOf("(Intercept)");
    const predicted = k0 >= 0 && b0 >= 0;
    const response = fit.family === "binomial" ? "Probability at reference levels" : /\boffset\(/.test(fit.formula) ? "Rate at reference levels (per unit of exp(offset))" : "Mean count at reference levels";
    const rows: Cell[][] = r.levels.map((lev, l) => {
      const values = r.values[l]!;
      return [
        lev,
        ...r.columns.map((_, k) => num(values[k])),
        ...r.columns.map((_, k) => num(r.condsd[l]![k])),
        ...r.columns.map((_, k) => num((fixedOf[k]! >= 0 ? fit.fixef[fixedOf[k]!]! : 0) + values[k]!)),
        ...(predicted ? [num(linkinv(fit.fixef[b0]! + values[k0]!))] : []),
      ];
    });
    const nr = r.columns.length;
    return {
      title: `${r.group}: conditional modes (link scale, ${fit.link})`,
      header: [r.group, ...r.columns.map((c) => `mode ${c}`), ...r.columns.map((c) => `condSD ${c}`), ...r.columns.map((c) => `coef ${c}`), ...(predicted ? [response] : [])],
      rows,
      numberFormats: [null, ...Array<string>(3 * nr).fill(FMT.estimate), ...(predicted ? [FMT.estimate] : [])],
    };
  });
  return { sheetName: "HLM Random Effects", sections };
}
