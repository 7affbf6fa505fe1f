/**
 * What every command reads from its command line before its own work: the data file, the model's
 * formula and options, the table, and the fitted model (with its progress on the progress line).
 */
import { existsSync, statSync } from "node:fs";
import { basename, extname, join } from "node:path";
import { buildModel, fitGlmmModel, fitModel, glmFamily, HlmError, prepareKernels, type DdfMethod, type FitOptions, type GlmmFit, type LmmFit, type Model, type Table } from "@hlm/core";
import type { CommandName } from "./commandSpecs.js";
import type { CommandLine } from "./parseCommandLine.js";
import type { Progress } from "./progress.js";
import { readTable } from "./readTable.js";

/** The one data file of a command's positional arguments. */
export function dataPath(command: CommandName, cl: CommandLine): string {
  const p = cl.positionals;
  if (p.length === 1) return p[0]!;
  if (p.length === 0) throw new HlmError("OPTIONS", `Name the data file: hlm ${command} DATA.csv --formula "...".`);
  throw new HlmError("OPTIONS", `Expected one data file, got ${p.length}: ${p.join(", ")}.`);
}

/** The model options from the shared flags: REML unless --ml, --factors split on commas, --weights, and nlme's --correlation and --variance. */
export function modelOptions(values: CommandLine["values"]): { REML: boolean; factors: string[]; weights?: string; correlation?: string; variance?: string } {
  if (values.ml && values.reml) throw new HlmError("OPTIONS", "Choose one of --ml and --reml.");
  const factors = typeof values.factors === "string" ? values.factors.split(",").map((s) => s.trim()).filter((s) => s !== "") : [];
  return {
    REML: !values.ml,
    factors,
    ...(typeof values.weights === "string" ? { weights: values.weights } : {}),
    ...(typeof values.correlation === "string" ? { correlation: values.correlation } : {}),
    ...(typeof values.variance === "string" ? { variance: values.variance } : {}),
  };
}

/** The --ddf of `hlm fit`: satterthwaite (the default) or containment (nlme's t-table). */
export function ddfMethod(values: CommandLine["values"]): DdfMethod {
  const d = typeof values.ddf === "string" ? values.ddf.trim().toLowerCase() : "satterthwaite";
  if (d !== "satterthwaite" && d !== "containment") throw new HlmError("OPTIONS", `--ddf must be satterthwaite or containment, not '${values.ddf}'.`);
  return d;
}

/** The family, link and points of quadrature of a generalized linear mixed model. */
export interface GlmmChoice {
  family: "binomial" | "poisson";
  link?: "logit" | "probit" | "cloglog" | "log";
  nAGQ: number;
}

/** The commands that take --family (the others refuse it: `refuseFamily`). */
export const GLMM_COMMANDS: readonly CommandName[] = ["fit", "compare", "confint", "predict", "icc", "r2"];

/** A GLMM's options from --family, --link and --nagq (`hlm fit` and the commands of GLMM_COMMANDS); null without --family (a linear mixed model). */
export function glmmChoice(values: CommandLine["values"]): GlmmChoice | null {
  if (values.family === undefined) {
    for (const o of ["link", "nagq", "type"]) if (values[o] !== undefined) throw new HlmError("OPTIONS", `--${o} is an option of a generalized linear mixed model: give it with --family binomial or --family poisson.`);
    return null;
  }
  const family = String(values.family).trim().toLowerCase();
  if (family !== "binomial" && family !== "poisson") {
    throw new HlmError("OPTIONS", `--family must be binomial or poisson, not '${values.family}' (a linear mixed model is fitted without --family).`);
  }
  const link = typeof values.link === "string" ? (values.link.trim() as GlmmChoice["link"]) : undefined;
  glmFamily(family, link); // a link the family does not take: core's sentence
  const nAGQ = values.nagq === undefined ? 1 : Number(values.nagq);
  // core's bound: lme4's rules up to 100 points are reproduced there
  if (!Number.isInteger(nAGQ) || nAGQ < 1 || nAGQ > 100) throw new HlmError("OPTIONS", `--nagq must be a whole number from 1 to 100, not '${values.nagq}'.`);
  const notYet = [
    ["correlation", values.correlation !== undefined],
    ["variance", values.variance !== undefined],
    ["ddf containment", typeof values.ddf === "string" && values.ddf.trim().toLowerCase() === "containment"],
    ["shrinkage", values.shrinkage === true],
    ["reml", values.reml === true],
  ].filter(([, given]) => given).map(([o]) => `--${o}`);
  if (notYet.length > 0) throw new HlmError("OPTIONS", `${notYet.join(" and ")} ${notYet.length === 1 ? "does" : "do"} not apply to a generalized linear mixed model (--family) yet.`);
  return { family, ...(link !== undefined ? { link } : {}), nAGQ };
}

/** Refuses --family for the commands that do not take a generalized linear mixed model yet. */
export function refuseFamily(command: CommandName, values: CommandLine["values"]): void {
  if (values.family !== undefined && !GLMM_COMMANDS.includes(command)) {
    throw new HlmError("OPTIONS", `--family: ${command} is not yet for a generalized linear mixed model; ${GLMM_COMMANDS.map((c) => `hlm ${c}`).join(", ")} take --family.`);
  }
}

/** The --formula of a command that fits one model. */
export function oneFormula(values: CommandLine["values"]): string {
  if (typeof values.formula !== "string") throw new HlmError("OPTIONS", 'Give the model with --formula, e.g. --formula "y ~ x + (x | g)".');
  return values.formula;
}

/**
 * The data file read into a table, with the share read on the progress line; meanwhile the fit's
 * WebAssembly modules compile off the main thread, so that the first fit finds them compiled, and
 * for a large file the dense Cholesky's second thread starts.
 */
export async function loadTable(path: string, sheet: unknown, progress: Progress): Promise<Table> {
  const name = basename(path);
  // the dense Cholesky's second thread for files of a megabyte or more (where large crossed designs
  // come from): it starts in tens of milliseconds, more than a small file's whole fit
  const threads = fileSize(path) >= 1_000_000;
  const [table] = await Promise.all([
    readTable(path, typeof sheet === "string" ? sheet : undefined, (f) => progress.update(`reading ${name}: ${Math.round(100 * f)}%`)),
    prepareKernels({ threads, worker: choleskyWorker() }),
  ]);
  return table;
}

/** A file's size in bytes (0 where it cannot be read: the reader then says why). */
function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** The dense Cholesky's second thread's script beside the command's bundle (dist/chunks/), where there is one; else the engine's own. */
export function choleskyWorker(): string | undefined {
  // the bundle's folder: dist/hlm.cjs is CommonJS (the sources run as ES modules, without it)
  const dir = typeof __dirname === "string" ? __dirname : undefined;
  const path = dir === undefined ? undefined : join(dir, "chunks", "choleskyWorker.mjs");
  return path !== undefined && existsSync(path) ? path : undefined;
}

/** A data set's name in the output: the file name without its ending. */
export const dataName = (path: string): string => basename(path, extname(path));

/** Builds and fits a generalized linear mixed model (lme4's glmer), the optimizer's progress on the progress line. */
export function fitGlmmWithProgress(table: Table, formula: string, glmm: GlmmChoice, values: CommandLine["values"], progress: Progress): { model: Model; fit: GlmmFit } {
  const { factors, weights } = modelOptions(values);
  const options = { ...glmmOptions(glmm), factors, ...(weights !== undefined ? { weights } : {}) };
  progress.update("building the model");
  const model = buildModel(table, formula, { ...options, REML: false });
  const fit = fitGlmmModel(model, { ...options, onProgress: (p) => void progress.update(`fitting: ${p.evaluations} evaluations, deviance ${p.bestObjective.toFixed(2)}`) });
  return { model, fit };
}

/** The family, link and nAGQ as core's options. */
export function glmmOptions(glmm: GlmmChoice): { family: GlmmChoice["family"]; link?: NonNullable<GlmmChoice["link"]>; nAGQ: number } {
  return { family: glmm.family, ...(glmm.link !== undefined ? { link: glmm.link } : {}), nAGQ: glmm.nAGQ };
}

/** Builds and fits the model, the optimizer's progress on the progress line. */
export function fitWithProgress(table: Table, formula: string, options: FitOptions, progress: Progress): { model: Model; fit: LmmFit } {
  progress.update("building the model");
  const model = buildModel(table, formula, options);
  const criterion = options.REML === false ? "deviance" : "REML criterion";
  const fit = fitModel(model, {
    ...options,
    onProgress: (p) => void progress.update(`fitting: ${p.evaluations} evaluations, ${criterion} ${p.bestObjective.toFixed(2)}`),
  });
  return { model, fit };
}
