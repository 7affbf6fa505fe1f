/**
 * The commands that ask the next questions of a fit: `hlm anova`, `hlm confint`, `hlm predict`,
 * `hlm icc`, `hlm r2` and `hlm influence`. Each reads the data, builds and fits the model as `hlm fit`
 * does (same flags), then prints its table as R prints it, or JSON with --json.
 */
import {
  anovaTypeIII,
  bootstrapIntervals,
  effectSizes,
  formatAnova,
  formatInfluence,
  formatIntervals,
  groupInfluence,
  HlmError,
  nameUses,
  predict,
  profileIntervals,
  waldIntervals,
  type LmmFit,
  type Model,
  type SummedModel,
  type ParameterIntervals,
  type Predictions,
  type Table,
} from "@hlm/core";
import type { CommandName } from "./commandSpecs.js";
import type { CommandLine } from "./parseCommandLine.js";
import { PROGRESS_DELAY_MS, withProgress, type Io, type Progress } from "./progress.js";
import { dataName, dataPath, fitWithProgress, loadTable, modelOptions, oneFormula } from "./commandInputs.js";
import { fitsInDatabase, inferenceInDatabase } from "./sqlCommands.js";
import { readTable } from "./readTable.js";

/** Runs one of the inference commands; resolves to the exit status. */
export async function runInference(command: Exclude<CommandName, "fit" | "compare">, cl: CommandLine, io: Io): Promise<number> {
  const v = cl.values;
  // with --cross-products the data are a warehouse's result, named by that option
  const path = cl.values["cross-products"] === undefined ? dataPath(command, cl) : "";
  const formula = oneFormula(v);
  if (command === "predict" && typeof v.newdata !== "string") throw new HlmError("OPTIONS", "Give the rows to predict with --newdata NEW.csv (a header naming the formula's columns).");
  const options = modelOptions(v);
  const json = v.json === true;
  // the data and the fit: progress after a second; the refits of profile, bootstrap and influence: at once
  // the rows in memory, or (a Parquet, DuckDB or PostgreSQL source) a database's sums: what needs the rows then says so
  // name: the data's, as the summaries print it (a file's base name, a database's table)
  const { table, model, fit, name, sums } = fitsInDatabase(cl)
    ? { table: null as unknown as Table, ...(await inferenceInDatabase(cl, io, formula, { ...options, satterthwaite: command === "anova" })) }
    : await withProgress(io, PROGRESS_DELAY_MS, async (progress) => {
        const table = await loadTable(path, v.sheet, progress);
        return { table, name: dataName(path), sums: undefined, ...fitWithProgress(table, formula, { ...options, satterthwaite: command === "anova" }, progress) };
      });
  for (const w of fit.warnings) io.stderr(`hlm: warning: ${w.message}\n`);
  const out = (x: unknown, text: () => string): void => io.stdout(json ? JSON.stringify(x, null, 2) + "\n" : text());
  switch (command) {
    case "anova": {
      const rows = anovaTypeIII(model, fit);
      out(rows, () => formatAnova(rows));
      break;
    }
    case "confint": {
      const result = await withProgress(io, 0, (p) => intervals(model, fit, v, io, p, sums));
      const { replicates: _, ...rest } = result as ParameterIntervals & { replicates?: unknown };
      out(rest, () => formatIntervals(result));
      break;
    }
    case "predict": {
      const newdata = await readTable(v.newdata as string);
      const p = predict(table, model, fit, newdata, { ...options, randomEffects: v["no-re"] !== true });
      for (const w of p.warnings) io.stderr(`hlm: warning: ${w}\n`);
      const rows = predictionRows(newdata, lmmColumns(p));
      out(rows, () => predictionCsv(rows));
      break;
    }
    case "icc":
    case "r2": {
      const e = effectSizes(model, fit);
      if (command === "icc") {
        out({ iccAdjusted: e.iccAdjusted, iccUnadjusted: e.iccUnadjusted }, () => `# Intraclass Correlation Coefficient (${name})\n\n    Adjusted ICC: ${e.iccAdjusted.toFixed(3)}\n  Unadjusted ICC: ${e.iccUnadjusted.toFixed(3)}\n`);
      } else {
        out({ r2Conditional: e.r2Conditional, r2Marginal: e.r2Marginal }, () => `# R2 for Mixed Models (${name})\n\n  Conditional R2: ${e.r2Conditional.toFixed(3)}\n     Marginal R2: ${e.r2Marginal.toFixed(3)}\n`);
      }
      break;
    }
    case "influence": {
      // by default the first grouping factor's column (Subject for (1 | factor(Subject)))
      const group = typeof v.group === "string" ? v.group : nameUses(model.terms.random[0]!.groupExprs[0]!)[0]!.name;
      const inf = await withProgress(io, 0, (p) => groupInfluence(table, model, fit, group, { ...options, onProgress: (done, total) => p.update(`influence: refit ${done} of ${total} (without each level of ${group})`) }));
      out(inf, () => formatInfluence(inf));
      break;
    }
  }
  return 0;
}

/** The intervals of `hlm confint`. */
function intervals(model: Model, fit: LmmFit, v: CommandLine["values"], io: Io, progress: Progress, sums?: SummedModel): ParameterIntervals {
  const level = v.level === undefined ? 0.95 : Number(v.level);
  if (!(level > 0 && level < 1)) throw new HlmError("OPTIONS", `--level must be a number strictly between 0 and 1, such as 0.95, not '${v.level}'.`);
  const method = typeof v.method === "string" ? v.method.toLowerCase() : "profile"; // lme4's default
  if (method === "wald") return waldIntervals(fit, level);
  if (method === "profile") {
    return profileIntervals(model, fit, { level, onProgress: (done, total) => progress.update(`profile: ${done} of ${total} limits found`), ...(sums ? { sums } : {}) });
  }
  if (method === "boot") {
    const nsim = v.nsim === undefined ? 500 : Number(v.nsim);
    if (!Number.isInteger(nsim) || nsim < 1) throw new HlmError("OPTIONS", `--nsim must be a whole number of at least 1, not '${v.nsim}'.`);
    const seed = v.seed === undefined ? undefined : Number(v.seed);
    if (seed !== undefined && !Number.isInteger(seed)) throw new HlmError("OPTIONS", `--seed must be a whole number, not '${v.seed}'.`);
    const boot = bootstrapIntervals(model, fit, {
      nsim,
      level,
      ...(seed !== undefined ? { seed } : {}),
      onProgress: (done, total) => progress.update(`bootstrap: refit ${done} of ${total}`),
    });
    progress.clear();
    if (seed === undefined) io.stderr(`hlm: bootstrap seed ${boot.seed} (give --seed ${boot.seed} to repeat these intervals)\n`);
    return boot;
  }
  throw new HlmError("OPTIONS", `--method must be profile, wald or boot, not '${v.method}'.`);
}

/** A cell of the new data as the output shows it: its number or text, or null where it is missing. */
function cellValue(t: Table, j: number, r: number): number | string | null {
  const c = t.columns[j]!;
  if (c.kind === "number") return c.missing[r] ? null : c.values[r]!;
  return c.values[r] ?? null;
}

type PredictionCell = number | string | string[] | null;

/** The predictions as rows: the new data's columns, then the prediction's (`columns(r)`: fit, population, se, new_levels). */
export function predictionRows(newdata: Table, columns: (r: number) => Record<string, PredictionCell>): Record<string, PredictionCell>[] {
  return Array.from({ length: newdata.nrow }, (_, r) => ({
    ...Object.fromEntries(newdata.names.map((name, j) => [name, cellValue(newdata, j, r)])),
    ...columns(r),
  }));
}

/** An LMM's prediction columns: fit, population, se and new_levels. */
const lmmColumns = (p: Predictions) => (r: number): Record<string, PredictionCell> => ({ fit: p.fit[r]!, population: p.population[r]!, se: p.se[r]!, new_levels: p.newLevels[r]! });

/** A CSV field: quoted when it holds a separator, a quote or a line break. */
function csvField(x: string): string {
  return /[",\n\r]/.test(x) ? `"${x.replace(/"/g, '""')}"` : x;
}

/** The prediction rows as CSV: a header of their keys (the new data's columns, then the prediction's), a line per row. */
export function predictionCsv(rows: Record<string, PredictionCell>[]): string {
  const text = (x: PredictionCell): string => (x === null ? "NA" : Array.isArray(x) ? x.join(" ") : String(x));
  const header = Object.keys(rows[0] ?? {});
  return [header, ...rows.map((row) => Object.values(row).map(text))].map((cells) => cells.map(csvField).join(",")).join("\n") + "\n";
}
