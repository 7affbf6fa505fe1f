import { statSync } from "node:fs";
import { extname } from "node:path";
import {
  closestName,
  compareModels,
  fitGlmm,
  fitToJson,
  formatComparison,
  formatGlmmSummary,
  glmmToJson,
  glmmRandomEffectsTable,
  glmmSummaryTable,
  glmmWarnings,
  formatSummary,
  HlmError,
  randomEffectsTable,
  shrinkageResultTable,
  shrinkageTable,
  summaryTable,
  type GlmmFit,
  type LmmFit,
  type Model,
  type ModelComparison,
} from "@hlm/core";
import { COMMAND_NAMES, commandHelp, globalHelp, type CommandName } from "./commandSpecs.js";
import { dataName, dataPath, ddfMethod, fitWithProgress, glmmChoice, loadTable, modelOptions, oneFormula, refuseFamily, type GlmmChoice } from "./commandInputs.js";
import { runCompareGlmm, runInferenceGlmm } from "./glmmCommands.js";
import { runInference } from "./inferenceCommands.js";
import { parseCommandLine, type CommandLine } from "./parseCommandLine.js";
import { PROGRESS_DELAY_MS, withProgress, type Io } from "./progress.js";
import { readTable } from "./readTable.js";
import { compareInDatabase, fitsInDatabase, runFitSql, runSql } from "./sqlCommands.js";
import { writeXlsx } from "./writeXlsx.js";
import { shrinkageJson, shrinkageText } from "./shrinkageOutput.js";

export { readTable, type Io };

/** Exit codes: 0 ok, 1 internal failure, 2 a problem with the input (formula, data, options, file, or data the model cannot be fitted to). */
export const EXIT = { OK: 0, INTERNAL: 1, USAGE: 2 } as const;

/** Runs the command line; resolves to the exit status (it never rejects). */
export async function run(argv: string[], io: Io): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (e) {
    if (e instanceof HlmError) {
      io.stderr(`hlm: ${e.message}\n`);
      return e.code === "INTERNAL" ? EXIT.INTERNAL : EXIT.USAGE;
    }
    io.stderr(`hlm: internal error: ${(e instanceof Error ? e.message : String(e)).split("\n")[0]}\n`);
    return EXIT.INTERNAL;
  }
}

async function dispatch(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h") {
    io.stdout(globalHelp());
    return command === undefined ? EXIT.USAGE : EXIT.OK;
  }
  if (command === "help") {
    const topic = rest[0];
    if (topic === undefined) io.stdout(globalHelp());
    else io.stdout(commandHelp(knownCommand(topic)));
    return EXIT.OK;
  }
  const name = knownCommand(command);
  const cl = parseCommandLine(name, rest);
  if (cl.values.help) {
    io.stdout(commandHelp(name));
    return EXIT.OK;
  }
  if (name === "sql") return runSql(cl, io);
  if (name === "fit" && fitsInDatabase(cl)) return runFitSql(cl, io);
  if (name === "fit") return runFit(cl, io);
  refuseFamily(name, cl.values);
  const glmm = glmmChoice(cl.values);
  if (glmm && name === "compare") return runCompareGlmm(cl, io, glmm);
  if (glmm && (name === "confint" || name === "predict" || name === "icc" || name === "r2")) return runInferenceGlmm(name, cl, io, glmm);
  if (name === "compare" && fitsInDatabase(cl)) return printComparison(await compareInDatabase(cl, io), cl, io);
  if (name === "compare") return runCompare(cl, io);
  return runInference(name, cl, io);
}

/** The command named `word`, or the error naming the nearest command. */
function knownCommand(word: string): CommandName {
  if ((COMMAND_NAMES as string[]).includes(word)) return word as CommandName;
  if (word.startsWith("-")) throw new HlmError("OPTIONS", `Give the command first: hlm COMMAND DATA --formula F, where COMMAND is one of ${COMMAND_NAMES.join(", ")} (hlm --help).`);
  const near = closestName(word, COMMAND_NAMES);
  throw new HlmError("OPTIONS", `Unknown command '${word}'${near ? `; did you mean '${near}'? The` : "; the"} commands are ${COMMAND_NAMES.join(", ")} (hlm --help).`);
}

/** `hlm fit`. */
async function runFit(cl: CommandLine, io: Io): Promise<number> {
  const { values } = cl;
  const path = dataPath("fit", cl);
  const formula = oneFormula(values);
  const repeat = values.repeat === undefined ? 1 : Number(values.repeat);
  if (!Number.isInteger(repeat) || repeat < 1) throw new HlmError("OPTIONS", `--repeat must be a whole number of at least 1, not '${values.repeat}'.`);
  const glmm = glmmChoice(values);
  if (glmm) return runFitGlmm(cl, io, path, formula, repeat, glmm);
  const xlsx = typeof values.xlsx === "string" ? values.xlsx : undefined;
  if (xlsx !== undefined) checkXlsxOutput(xlsx, path);
  const options = modelOptions(values);
  const ddf = ddfMethod(values);
  const times: number[] = [];
  const { model, fit } = await withProgress(io, PROGRESS_DELAY_MS, async (progress) => {
    const table = await loadTable(path, values.sheet, progress);
    let fitted: { model: Model; fit: LmmFit } | undefined;
    for (let r = 0; r < repeat; r++) {
      const t0 = performance.now();
      fitted = fitWithProgress(table, formula, options, progress);
      times.push((performance.now() - t0) / 1000);
    }
    return fitted!;
  });
  if (ddf === "containment" && fit.containment === null) {
    throw new HlmError("OPTIONS", "--ddf containment is nlme's rule for nested groupings, and this model's groupings are crossed; use --ddf satterthwaite (the default).");
  }
  const dataset = dataName(path);
  const shrinkage = values.shrinkage || xlsx !== undefined ? shrinkageTable(model, fit) : null;
  const sheets = xlsx === undefined ? [] : [summaryTable(fit, dataset, { ddf }), randomEffectsTable(fit), shrinkageResultTable(shrinkage!)];
  if (xlsx !== undefined) await writeXlsx(xlsx, sheets);
  if (values.json) {
    const json = {
      ...fitToJson(fit, { dataset, factors: options.factors, ddf, ...(options.weights !== undefined ? { weights: options.weights } : {}) }),
      fit_seconds: median(times),
      ...(values.shrinkage ? { shrinkage: shrinkageJson(shrinkage!) } : {}),
    };
    io.stdout(JSON.stringify(json, null, 2) + "\n");
    // the summary ends with the warnings; beside JSON they go to stderr, one line each
    for (const w of fit.warnings) io.stderr(`hlm: warning: ${w.message}\n`);
  } else {
    io.stdout(formatSummary(fit, { dataName: dataset, ddf }));
    if (values.shrinkage) io.stdout(shrinkageText(shrinkage!));
  }
  // what was written where, last: on stderr, so that stdout stays the summary or the JSON
  if (xlsx !== undefined) io.stderr(`hlm: wrote ${xlsx} (sheets ${sheets.map((t) => t.sheetName).join(", ")})\n`);
  return EXIT.OK;
}

/** `hlm fit --family`: a generalized linear mixed model (lme4's glmer), its summary or JSON. */
async function runFitGlmm(cl: CommandLine, io: Io, path: string, formula: string, repeat: number, glmm: GlmmChoice): Promise<number> {
  const { values } = cl;
  const xlsx = typeof values.xlsx === "string" ? values.xlsx : undefined;
  if (xlsx !== undefined) checkXlsxOutput(xlsx, path);
  const { factors, weights } = modelOptions(values);
  const times: number[] = [];
  const fit = await withProgress(io, PROGRESS_DELAY_MS, async (progress) => {
    const table = await loadTable(path, values.sheet, progress);
    let fitted: GlmmFit | undefined;
    for (let r = 0; r < repeat; r++) {
      progress.update("building the model");
      const t0 = performance.now();
      fitted = fitGlmm(table, formula, {
        family: glmm.family,
        ...(glmm.link !== undefined ? { link: glmm.link } : {}),
        nAGQ: glmm.nAGQ,
        factors,
        ...(weights !== undefined ? { weights } : {}),
        onProgress: (p) => void progress.update(`fitting: ${p.evaluations} evaluations, deviance ${p.bestObjective.toFixed(2)}`),
      });
      times.push((performance.now() - t0) / 1000);
    }
    return fitted!;
  });
  const dataset = dataName(path);
  const sheets = xlsx === undefined ? [] : [glmmSummaryTable(fit, dataset, weights !== undefined ? { weights } : {}), glmmRandomEffectsTable(fit)];
  if (xlsx !== undefined) await writeXlsx(xlsx, sheets);
  if (values.json) {
    const json = { ...glmmToJson(fit, { dataset, factors, ...(weights !== undefined ? { weights } : {}) }), fit_seconds: median(times) };
    io.stdout(JSON.stringify(json, null, 2) + "\n");
    for (const w of glmmWarnings(fit)) io.stderr(`hlm: warning: ${w}\n`);
  } else {
    io.stdout(formatGlmmSummary(fit, { dataName: dataset, ...(weights !== undefined ? { weights } : {}) }));
  }
  if (xlsx !== undefined) io.stderr(`hlm: wrote ${xlsx} (sheets ${sheets.map((t) => t.sheetName).join(", ")})\n`);
  return EXIT.OK;
}

/**
 * `hlm compare DATA --formula F0 --formula F1 [...]`: lme4's anova(m0, m1, ...); with residual
 * structures (--correlation, --variance once per --formula, or one --formula and a structure: the
 * model without and with it), nlme's anova(m0, m1).
 */
async function runCompare(cl: CommandLine, io: Io): Promise<number> {
  const { values } = cl;
  const path = dataPath("compare", cl);
  const given = Array.isArray(values.formula) ? values.formula : [];
  const list = (name: "correlation" | "variance"): string[] => (Array.isArray(values[name]) ? (values[name] as string[]) : []);
  const [correlations, variances] = [list("correlation"), list("variance")];
  const single = given.length === 1 && correlations.length + variances.length > 0;
  if (given.length < 2 && !single) {
    throw new HlmError("OPTIONS", `Give at least two models to compare, each with --formula (or one --formula with --correlation or --variance, to compare it without and with the structure); got ${given.length}.`);
  }
  const formulas = single ? [given[0]!, given[0]!] : given;
  const perModel = (name: "correlation" | "variance", texts: string[]): (string | undefined)[] => {
    const none = (t: string): string | undefined => (t.trim().toLowerCase() === "none" ? undefined : t);
    if (texts.length === 0) return formulas.map(() => undefined);
    if (single) {
      if (texts.length > 1) throw new HlmError("OPTIONS", `With one --formula, give one --${name} (the model is compared without and with it); got ${texts.length}.`);
      return [undefined, none(texts[0]!)];
    }
    if (texts.length !== formulas.length) {
      throw new HlmError("OPTIONS", `Give --${name} once per --formula, in order (none for a model without one): ${formulas.length} models, ${texts.length} --${name}.`);
    }
    return texts.map(none);
  };
  const cor = perModel("correlation", correlations);
  const vf = perModel("variance", variances);
  if (single && cor[1] === undefined && vf[1] === undefined) throw new HlmError("OPTIONS", "With one --formula, give a structure to compare the model without and with (not none).");
  const structures = formulas.map((_, i) => ({ ...(cor[i] !== undefined ? { correlation: cor[i] } : {}), ...(vf[i] !== undefined ? { variance: vf[i] } : {}) }));
  const options = { ...modelOptions(values), satterthwaite: false, structures };
  const c = await withProgress(io, PROGRESS_DELAY_MS, async (progress) => {
    const table = await loadTable(path, values.sheet, progress);
    progress.update(`fitting ${formulas.length} models`);
    return compareModels(table, formulas, options);
  });
  return printComparison({ comparison: c, dataset: dataName(path) }, cl, io);
}

/** The comparison's table (lme4's anova) or its JSON, and each model's warnings. */
function printComparison({ comparison: c, dataset }: { comparison: ModelComparison; dataset: string }, cl: CommandLine, io: Io): number {
  const { values } = cl;
  if (values.json) {
    const json = {
      dataset,
      nobs: c.nobs,
      refitML: c.refitML,
      ...(c.note ? { note: c.note } : {}),
      models: c.rows.map(({ pValue, ...r }) => ({ ...r, "Pr(>Chisq)": pValue })),
    };
    io.stdout(JSON.stringify(json, null, 2) + "\n");
    for (const [i, f] of c.fits.entries()) for (const w of f.warnings) io.stderr(`hlm: warning: ${c.rows[i]!.name}: ${w.message}\n`);
  } else {
    io.stdout(formatComparison(c, { dataName: dataset }));
    for (const [i, f] of c.fits.entries()) for (const w of f.warnings) io.stdout(`${c.rows[i]!.name}: ${w.code === "singular" || w.code === "missing-rows" ? "" : "Warning: "}${w.message}\n`);
  }
  return EXIT.OK;
}

/** Whether two paths name the same existing file (through links, `..`, or another spelling). */
function sameFile(a: string, b: string): boolean {
  try {
    const sa = statSync(a);
    const sb = statSync(b);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false; // one of them does not exist (yet)
  }
}

/** Checks the --xlsx output path before any work: an .xlsx name that is not the data file itself. */
function checkXlsxOutput(out: string, input: string): void {
  if (extname(out).toLowerCase() !== ".xlsx") throw new HlmError("OPTIONS", `--xlsx writes an Excel workbook: give a file name ending in .xlsx, not '${out}'.`);
  if (sameFile(out, input)) throw new HlmError("OPTIONS", `--xlsx '${out}' is the data file itself; write the results to another file.`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = Math.floor(s.length / 2);
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}
