/**
 * The commands after a generalized linear mixed model's fit (--family): `hlm compare` (lme4's
 * anova(glmer0, glmer1, ...)), `hlm confint` (profile or Wald), `hlm predict` on the link or response
 * scale, `hlm icc` and `hlm r2` (performance's, on the latent scale). Each reads the data, builds and
 * fits the model as `hlm fit --family` does (same flags), then prints its table as R prints it, or
 * JSON with --json; the fit's warnings go to stderr.
 */
import {
  compareGlmmModels,
  formatComparison,
  formatIntervals,
  glmmEffectSizes,
  glmmProfileIntervals,
  glmmWaldIntervals,
  glmmWarnings,
  HlmError,
  predictGlmm,
} from "@hlm/core";
import type { CommandName } from "./commandSpecs.js";
import { dataName, dataPath, fitGlmmWithProgress, glmmOptions, loadTable, modelOptions, oneFormula, type GlmmChoice } from "./commandInputs.js";
import type { CommandLine } from "./parseCommandLine.js";
import { PROGRESS_DELAY_MS, withProgress, type Io } from "./progress.js";
import { predictionCsv, predictionRows } from "./inferenceCommands.js";
import { readTable } from "./readTable.js";

/** `hlm compare --family`: lme4's anova(glmer0, glmer1, ...). */
export async function runCompareGlmm(cl: CommandLine, io: Io, glmm: GlmmChoice): Promise<number> {
  const { values } = cl;
  const path = dataPath("compare", cl);
  const formulas = Array.isArray(values.formula) ? values.formula : [];
  if (formulas.length < 2) throw new HlmError("OPTIONS", `Give at least two models to compare, each with --formula; got ${formulas.length}.`);
  const { factors, weights } = modelOptions(values);
  const c = await withProgress(io, PROGRESS_DELAY_MS, async (progress) => {
    const table = await loadTable(path, values.sheet, progress);
    progress.update(`fitting ${formulas.length} models`);
    return compareGlmmModels(table, formulas, { ...glmmOptions(glmm), factors, ...(weights !== undefined ? { weights } : {}) });
  });
  const dataset = dataName(path);
  if (values.json) {
    const json = { dataset, family: glmm.family, link: c.fits[0]!.link, nAGQ: glmm.nAGQ, nobs: c.nobs, models: c.rows.map(({ pValue, ...r }) => ({ ...r, "Pr(>Chisq)": pValue })) };
    io.stdout(JSON.stringify(json, null, 2) + "\n");
    for (const [i, f] of c.fits.entries()) for (const w of glmmWarnings(f)) io.stderr(`hlm: warning: ${c.rows[i]!.name}: ${w}\n`);
  } else {
    io.stdout(formatComparison(c, { dataName: dataset }));
    for (const [i, f] of c.fits.entries()) for (const w of glmmWarnings(f)) io.stdout(`${c.rows[i]!.name}: ${w}\n`);
  }
  return 0;
}

/** `hlm confint|predict|icc|r2 --family`. */
export async function runInferenceGlmm(command: Extract<CommandName, "confint" | "predict" | "icc" | "r2">, cl: CommandLine, io: Io, glmm: GlmmChoice): Promise<number> {
  const v = cl.values;
  const path = dataPath(command, cl);
  const formula = oneFormula(v);
  if (command === "predict" && typeof v.newdata !== "string") throw new HlmError("OPTIONS", "Give the rows to predict with --newdata NEW.csv (a header naming the formula's columns).");
  // checked before the fit: a mistake in the options costs no time
  const level = v.level === undefined ? 0.95 : Number(v.level);
  if (command === "confint") {
    if (!(level > 0 && level < 1)) throw new HlmError("OPTIONS", `--level must be a number strictly between 0 and 1, such as 0.95, not '${v.level}'.`);
    const method = typeof v.method === "string" ? v.method.trim().toLowerCase() : "profile"; // lme4's default
    if (method !== "profile" && method !== "wald" && method !== "boot") throw new HlmError("OPTIONS", `--method must be profile, wald or boot, not '${v.method}'.`);
    if (method === "boot") {
      throw new HlmError("OPTIONS", "A generalized linear mixed model (--family) has profile and Wald intervals, not yet bootstrap ones: give --method profile (the default) or --method wald.");
    }
    for (const o of ["nsim", "seed"]) if (v[o] !== undefined) throw new HlmError("OPTIONS", `--${o} is an option of --method boot, which a generalized linear mixed model does not have yet.`);
  }
  const type = typeof v.type === "string" ? v.type.trim().toLowerCase() : "link";
  if (type !== "link" && type !== "response") throw new HlmError("OPTIONS", `--type must be link or response, not '${v.type}'.`);
  const { factors, weights } = modelOptions(v);
  const json = v.json === true;
  const { table, model, fit } = await withProgress(io, PROGRESS_DELAY_MS, async (progress) => {
    const table = await loadTable(path, v.sheet, progress);
    return { table, ...fitGlmmWithProgress(table, formula, glmm, v, progress) };
  });
  for (const w of glmmWarnings(fit)) io.stderr(`hlm: warning: ${w}\n`);
  const out = (x: unknown, text: () => string): void => io.stdout(json ? JSON.stringify(x, null, 2) + "\n" : text());
  switch (command) {
    case "confint": {
      const method = typeof v.method === "string" ? v.method.trim().toLowerCase() : "profile";
      const result =
        method === "wald"
          ? glmmWaldIntervals(fit, level)
          : await withProgress(io, 0, async (p) => glmmProfileIntervals(model, fit, { level, onProgress: (done, total) => p.update(`profile: ${done} of ${total} limits found`) }));
      out(result, () => formatIntervals(result));
      break;
    }
    case "predict": {
      const newdata = await readTable(v.newdata as string);
      const p = predictGlmm(table, model, fit, newdata, { factors, ...(weights !== undefined ? { weights } : {}), type, randomEffects: v["no-re"] !== true });
      for (const w of p.warnings) io.stderr(`hlm: warning: ${w}\n`);
      // fit and population on --type's scale, se_link the SE of X b on the link scale
      const rows = predictionRows(newdata, (r) => ({ fit: p.fit[r]!, population: p.population[r]!, se_link: p.se[r]!, new_levels: p.newLevels[r]! }));
      out(rows, () => predictionCsv(rows));
      break;
    }
    case "icc":
    case "r2": {
      const e = await withProgress(io, PROGRESS_DELAY_MS, async (progress) => {
        if (fit.family === "poisson") progress.update("fitting the null model (intercept only) for the Poisson distribution's variance");
        return glmmEffectSizes(model, fit);
      });
      for (const w of e.warnings) io.stderr(`hlm: warning: ${w}\n`);
      const name = dataName(path);
      const f = (x: number | null): string => (x === null ? "NA" : x.toFixed(3));
      const variances = { varFixed: e.varFixed, varRandom: e.varRandom, varResidual: e.varResidual, varDistribution: e.varDistribution, varDispersion: e.varDispersion, nullIntercept: e.nullIntercept };
      if (command === "icc") {
        out({ iccAdjusted: e.iccAdjusted, iccUnadjusted: e.iccUnadjusted, ...variances }, () => `# Intraclass Correlation Coefficient (${name})\n\n    Adjusted ICC: ${f(e.iccAdjusted)}\n  Unadjusted ICC: ${f(e.iccUnadjusted)}\n`);
      } else {
        out({ r2Conditional: e.r2Conditional, r2Marginal: e.r2Marginal, ...variances }, () => `# R2 for Mixed Models (${name})\n\n  Conditional R2: ${f(e.r2Conditional)}\n     Marginal R2: ${f(e.r2Marginal)}\n`);
      }
      break;
    }
  }
  return 0;
}
