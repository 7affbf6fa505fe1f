/**
 * The commands that ask the next questions of a fit: `hlm anova`, `hlm confint`, `hlm predict`,
 * `hlm icc`, `hlm r2` and `hlm influence`. Each reads the data, builds and fits the model as `hlm fit`
 * does (same flags), then prints its table as R prints it, or JSON with --json.
 */
import { basename, extname } from "node:path";
import { parseArgs } from "node:util";
import {
  anovaTypeIII,
  bootstrapIntervals,
  buildModel,
  effectSizes,
  fitModel,
  formatAnova,
  formatInfluence,
  formatIntervals,
  groupInfluence,
  HlmError,
  predict,
  profileIntervals,
  waldIntervals,
  type LmmFit,
  type Model,
  type ParameterIntervals,
  type Table,
} from "@hlm/core";
import { MODEL_OPTIONS, modelOptions, parseCommand } from "./commandOptions.js";
import { readTable } from "./readTable.js";

/** Where a command writes. */
interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export const INFERENCE_USAGE = `  hlm anova DATA.csv --formula F [--ml] [--json]
  hlm confint DATA.csv --formula F [--method profile|wald|boot] [--level 0.95] [--nsim 500] [--seed N] [--json]
  hlm predict DATA.csv --formula F --newdata NEW.csv [--no-re]
  hlm icc DATA.csv --formula F [--json]
  hlm r2 DATA.csv --formula F [--json]
  hlm influence DATA.csv --formula F [--group G] [--json]`;

export const INFERENCE_HELP = `anova prints lmerTest's type III table: an F test per fixed-effects term with Satterthwaite's
denominator df. confint prints confidence intervals: profile likelihood (the default, as lme4's
confint; variance components and fixed effects), Wald (fixed effects only, instant), or a parametric
bootstrap (--nsim refits from --seed; the same seed gives the same intervals as lme4's). predict
prints the new rows with the prediction (with the BLUPs of their groups; a group the fit has not seen
gets the population prediction), the population prediction X b and its standard error, as CSV;
--no-re leaves the random effects out. icc and r2 print performance's ICC and Nakagawa's R².
influence refits the model without each level of --group (default: the first grouping factor) and
prints Cook's distance and the change in each fixed effect, as lme4's influence().`;

const COMMAND_OPTIONS = {
  anova: {},
  confint: { method: { type: "string" }, level: { type: "string" }, nsim: { type: "string" }, seed: { type: "string" } },
  predict: { newdata: { type: "string" }, "no-re": { type: "boolean" } },
  icc: {},
  r2: {},
  influence: { group: { type: "string" } },
} as const;

export type InferenceCommand = keyof typeof COMMAND_OPTIONS;
export const INFERENCE_COMMANDS = Object.keys(COMMAND_OPTIONS) as InferenceCommand[];

/** Runs one of the inference commands; resolves to the exit status. */
export async function runInference(command: InferenceCommand, args: string[], io: Io, usage: string): Promise<number> {
  const { values, positionals } = parseCommand(() =>
    parseArgs({ args, allowPositionals: true, options: { ...MODEL_OPTIONS, formula: { type: "string" }, ...COMMAND_OPTIONS[command] } }),
  );
  const v = values as Record<string, string | boolean | undefined>;
  if (v.help) {
    io.stdout(usage);
    return 0;
  }
  if (positionals.length !== 1) throw new HlmError("OPTIONS", positionals.length === 0 ? `Name the data file: hlm ${command} DATA.csv --formula "...".` : `Expected one data file, got ${positionals.length}: ${positionals.join(", ")}.`);
  if (typeof v.formula !== "string") throw new HlmError("OPTIONS", 'Give the model with --formula, e.g. --formula "y ~ x + (x | g)".');
  if (v.ml && v.reml) throw new HlmError("OPTIONS", "Choose one of --ml and --reml.");
  if (command === "predict" && typeof v.newdata !== "string") throw new HlmError("OPTIONS", "Give the rows to predict with --newdata NEW.csv (a header naming the formula's columns).");
  const path = positionals[0]!;
  const table = await readTable(path, typeof v.sheet === "string" ? v.sheet : undefined);
  const options = modelOptions(values as { ml?: boolean; factors?: string; weights?: string });
  const model = buildModel(table, v.formula, options);
  const fit = fitModel(model, { ...options, satterthwaite: command === "anova" });
  const json = v.json === true;
  const dataName = basename(path, extname(path));
  for (const w of fit.warnings) io.stderr(`hlm: warning: ${w.message}\n`);
  switch (command) {
    case "anova":
      io.stdout(json ? JSON.stringify(anovaTypeIII(model, fit), null, 2) + "\n" : formatAnova(anovaTypeIII(model, fit)));
      break;
    case "confint":
      io.stdout(confint(model, fit, v, json, io));
      break;
    case "predict":
      io.stdout(predictCsv(table, model, fit, await readTable(v.newdata as string), { ...options, randomEffects: v["no-re"] !== true }));
      break;
    case "icc":
    case "r2": {
      const e = effectSizes(model, fit);
      if (json) io.stdout(JSON.stringify(command === "icc" ? { iccAdjusted: e.iccAdjusted, iccUnadjusted: e.iccUnadjusted } : { r2Conditional: e.r2Conditional, r2Marginal: e.r2Marginal }, null, 2) + "\n");
      else if (command === "icc") io.stdout(`# Intraclass Correlation Coefficient (${dataName})\n\n    Adjusted ICC: ${e.iccAdjusted.toFixed(3)}\n  Unadjusted ICC: ${e.iccUnadjusted.toFixed(3)}\n`);
      else io.stdout(`# R2 for Mixed Models (${dataName})\n\n  Conditional R2: ${e.r2Conditional.toFixed(3)}\n     Marginal R2: ${e.r2Marginal.toFixed(3)}\n`);
      break;
    }
    case "influence": {
      const group = typeof v.group === "string" ? v.group : model.terms.random[0]!.groupVars[0]!;
      const inf = groupInfluence(table, model, fit, group, options);
      if (json) io.stdout(JSON.stringify(inf, null, 2) + "\n");
      else io.stdout(formatInfluence(inf));
      break;
    }
  }
  return 0;
}

/** The intervals of `hlm confint`, as a table or JSON. */
function confint(model: Model, fit: LmmFit, v: Record<string, string | boolean | undefined>, json: boolean, io: Io): string {
  const level = v.level === undefined ? 0.95 : Number(v.level);
  if (!(level > 0 && level < 1)) throw new HlmError("OPTIONS", `--level must be a number strictly between 0 and 1, such as 0.95, not '${v.level}'.`);
  const method = typeof v.method === "string" ? v.method.toLowerCase() : "profile"; // lme4's default
  let result: ParameterIntervals;
  if (method === "wald") {
    result = waldIntervals(fit, level);
  } else if (method === "profile") {
    let shown = 0; // onProgress comes after every point of a profile; a line each time a limit is found
    result = profileIntervals(model, fit, {
      level,
      onProgress: (done, total) => {
        if (done > shown) io.stderr(`hlm: profile ${(shown = done)}/${total} limits\n`);
      },
    });
  } else if (method === "boot") {
    const nsim = v.nsim === undefined ? 500 : Number(v.nsim);
    if (!Number.isInteger(nsim) || nsim < 1) throw new HlmError("OPTIONS", `--nsim must be a whole number of at least 1, not '${v.nsim}'.`);
    const seed = v.seed === undefined ? undefined : Number(v.seed);
    if (seed !== undefined && !Number.isInteger(seed)) throw new HlmError("OPTIONS", `--seed must be a whole number, not '${v.seed}'.`);
    const step = Math.max(1, Math.round(nsim / 10));
    const boot = bootstrapIntervals(model, fit, {
      nsim,
      level,
      ...(seed !== undefined ? { seed } : {}),
      onProgress: (done, total) => void (done % step === 0 || done === total ? io.stderr(`hlm: bootstrap ${done}/${total} refits\n`) : undefined),
    });
    result = boot;
    if (seed === undefined) io.stderr(`hlm: bootstrap seed ${boot.seed} (give --seed ${boot.seed} to repeat these intervals)\n`);
  } else {
    throw new HlmError("OPTIONS", `--method must be profile, wald or boot, not '${v.method}'.`);
  }
  if (json) {
    const { replicates: _, ...rest } = result as ParameterIntervals & { replicates?: unknown };
    return JSON.stringify(rest, null, 2) + "\n";
  }
  return formatIntervals(result);
}

/** A CSV field: quoted when it holds a separator, a quote or a line break. */
function csvField(x: string): string {
  return /[",\n\r]/.test(x) ? `"${x.replace(/"/g, '""')}"` : x;
}

/** The new data's columns followed by fit, population, se and new_levels, as CSV. */
function predictCsv(table: Table, model: Model, fit: LmmFit, newdata: Table, options: Parameters<typeof predict>[4]): string {
  const p = predict(table, model, fit, newdata, options);
  const cell = (j: number, r: number): string => {
    const c = newdata.columns[j]!;
    if (c.kind === "number") return c.missing[r] ? "NA" : String(c.values[r]);
    return c.values[r] ?? "NA";
  };
  const lines = [[...newdata.names, "fit", "population", "se", "new_levels"].map(csvField).join(",")];
  for (let r = 0; r < newdata.nrow; r++) {
    lines.push([...newdata.names.map((_, j) => cell(j, r)), String(p.fit[r]), String(p.population[r]), String(p.se[r]), p.newLevels[r]!.join(" ")].map(csvField).join(","));
  }
  return lines.join("\n") + "\n";
}
