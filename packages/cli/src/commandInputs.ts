/**
 * What every command reads from its command line before its own work: the data file, the model's
 * formula and options, the table, and the fitted model (with its progress on the progress line).
 */
import { basename, extname } from "node:path";
import { buildModel, fitModel, HlmError, type DdfMethod, type FitOptions, type LmmFit, type Model, type Table } from "@hlm/core";
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

/** The --formula of a command that fits one model. */
export function oneFormula(values: CommandLine["values"]): string {
  if (typeof values.formula !== "string") throw new HlmError("OPTIONS", 'Give the model with --formula, e.g. --formula "y ~ x + (x | g)".');
  return values.formula;
}

/** The data file read into a table, with the share read on the progress line. */
export async function loadTable(path: string, sheet: unknown, progress: Progress): Promise<Table> {
  const name = basename(path);
  return readTable(path, typeof sheet === "string" ? sheet : undefined, (f) => progress.update(`reading ${name}: ${Math.round(100 * f)}%`));
}

/** A data set's name in the output: the file name without its ending. */
export const dataName = (path: string): string => basename(path, extname(path));

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
