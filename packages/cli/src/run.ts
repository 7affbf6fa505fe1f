import { statSync } from "node:fs";
import { basename, extname } from "node:path";
import { parseArgs } from "node:util";
import {
  buildModel,
  compareModels,
  formatComparison,
  fitModel,
  fitToJson,
  formatShrinkage,
  formatSummary,
  HlmError,
  randomEffectsTable,
  shrinkageResultTable,
  shrinkageTable,
  summaryTable,
  type LmmFit,
  type Model,
} from "@hlm/core";
import { MODEL_OPTIONS, modelOptions, parseCommand } from "./commandOptions.js";
import { INFERENCE_COMMANDS, INFERENCE_HELP, INFERENCE_USAGE, runInference, type InferenceCommand } from "./inferenceCommands.js";
import { readTable } from "./readTable.js";
import { writeXlsx } from "./writeXlsx.js";

export { readTable };

/** Where the command writes: injectable for tests. */
export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const USAGE = `Usage:
  hlm fit DATA.csv --formula "y ~ x + (x | g)" [--ml] [--factors a,b] [--weights w] [--json] [--repeat N] [--shrinkage] [--xlsx OUT.xlsx]
  hlm fit DATA.xlsx [--sheet NAME] --formula "y ~ x + (x | g)" ...
  hlm compare DATA.csv --formula "y ~ x + (1 | g)" --formula "y ~ x + (x | g)" [...] [--factors a,b] [--json]
${INFERENCE_USAGE}

Fits a linear mixed model (lme4's formulation) and prints lme4's summary, or with --json the
fields of lme4's reference fits plus fit_seconds.

compare fits the models by maximum likelihood (REML fits are refitted by ML, as lme4 does) and prints
lme4's anova(m0, m1, ...) table: models sorted by their number of parameters, each tested against the
one above by a likelihood-ratio (chi-square) test.

${INFERENCE_HELP}

The data is a CSV file (or tab or semicolon separated text) with a header line, or an Excel
workbook (.xlsx): its first sheet, or the one given with --sheet, with the header in its first row.

Options:
  --formula F     lme4 model formula (required)
  --ml            maximum likelihood (default: REML)
  --reml          REML (the default)
  --factors a,b   numeric columns to treat as categorical
  --weights w     column of prior weights
  --json          print the fit as JSON (its warnings go to stderr, a line each)
  --repeat N      fit N times and report the median fit time (with --json)
  --shrinkage     also print the shrinkage table: per group, n, its own OLS estimates and the BLUP coefficients
  --xlsx OUT.xlsx also write the results as an Excel workbook with the sheets HLM Summary,
                  HLM Random Effects and HLM Shrinkage (an existing OUT.xlsx is replaced)
  --sheet NAME    the sheet of an .xlsx data file to read (default: the first)
  --help          this text
`;

/** Exit codes: 0 ok, 1 internal failure, 2 a problem with the input (formula, data, options, file, or data the model cannot be fitted to). */
export const EXIT = { OK: 0, INTERNAL: 1, USAGE: 2 } as const;

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

/** Runs the command line; resolves to the exit status (it never rejects). */
export async function run(argv: string[], io: Io): Promise<number> {
  try {
    return await runUnsafe(argv, io);
  } catch (e) {
    if (e instanceof HlmError) {
      io.stderr(`hlm: ${e.message}\n`);
      return e.code === "INTERNAL" ? EXIT.INTERNAL : EXIT.USAGE;
    }
    io.stderr(`hlm: internal error: ${(e instanceof Error ? e.message : String(e)).split("\n")[0]}\n`);
    return EXIT.INTERNAL;
  }
}

async function runUnsafe(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    io.stdout(USAGE);
    return command === undefined ? EXIT.USAGE : EXIT.OK;
  }
  if (command === "compare") return runCompare(rest, io);
  if ((INFERENCE_COMMANDS as string[]).includes(command)) return runInference(command as InferenceCommand, rest, io, USAGE);
  if (command !== "fit") throw new HlmError("OPTIONS", `Unknown command '${command}'; the commands are fit, compare, ${INFERENCE_COMMANDS.join(", ")} (hlm --help).`);
  const { values, positionals } = parseCommand(() =>
    parseArgs({
      args: rest,
      allowPositionals: true,
      options: { ...MODEL_OPTIONS, formula: { type: "string" }, repeat: { type: "string" }, shrinkage: { type: "boolean" }, xlsx: { type: "string" } },
    }),
  );
  if (values.help) {
    io.stdout(USAGE);
    return EXIT.OK;
  }
  if (positionals.length !== 1) throw new HlmError("OPTIONS", positionals.length === 0 ? "Name the data file: hlm fit DATA.csv --formula \"...\"." : `Expected one data file, got ${positionals.length}: ${positionals.join(", ")}.`);
  if (values.formula === undefined) throw new HlmError("OPTIONS", "Give the model with --formula, e.g. --formula \"y ~ x + (x | g)\".");
  if (values.ml && values.reml) throw new HlmError("OPTIONS", "Choose one of --ml and --reml.");
  const repeat = values.repeat === undefined ? 1 : Number(values.repeat);
  if (!Number.isInteger(repeat) || repeat < 1) throw new HlmError("OPTIONS", `--repeat must be a whole number of at least 1, not '${values.repeat}'.`);
  const path = positionals[0]!;
  if (values.xlsx !== undefined) checkXlsxOutput(values.xlsx, path);
  const table = await readTable(path, values.sheet);
  const options = modelOptions(values);
  const times: number[] = [];
  let result: LmmFit | undefined;
  let model: Model | undefined;
  for (let r = 0; r < repeat; r++) {
    const t0 = performance.now();
    model = buildModel(table, values.formula, options);
    result = fitModel(model, options);
    times.push((performance.now() - t0) / 1000);
  }
  const dataset = basename(path, extname(path));
  if (values.xlsx !== undefined) {
    const tables = [summaryTable(result!, dataset), randomEffectsTable(result!), shrinkageResultTable(shrinkageTable(model!, result!))];
    await writeXlsx(values.xlsx, tables);
  }
  if (values.json) {
    const json = { ...fitToJson(result!, { dataset, factors: options.factors, ...(options.weights !== undefined ? { weights: options.weights } : {}) }), fit_seconds: median(times) };
    io.stdout(JSON.stringify(json, null, 2) + "\n");
    // the summary ends with the warnings; beside JSON they go to stderr, one line each
    for (const w of result!.warnings) io.stderr(`hlm: warning: ${w.message}\n`);
  } else {
    io.stdout(formatSummary(result!, { dataName: dataset }));
    if (values.shrinkage) {
      const s = shrinkageTable(model!, result!);
      io.stdout(`\nShrinkage by ${s.group}: each group's own OLS estimates beside its BLUP coefficients\n${formatShrinkage(s)}`);
    }
  }
  return EXIT.OK;
}

/** `hlm compare DATA --formula F0 --formula F1 [...]`: lme4's anova(m0, m1, ...). */
async function runCompare(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommand(() =>
    parseArgs({ args, allowPositionals: true, options: { ...MODEL_OPTIONS, formula: { type: "string", multiple: true } } }),
  );
  if (values.help) {
    io.stdout(USAGE);
    return EXIT.OK;
  }
  if (positionals.length !== 1) throw new HlmError("OPTIONS", positionals.length === 0 ? 'Name the data file: hlm compare DATA.csv --formula "..." --formula "...".' : `Expected one data file, got ${positionals.length}: ${positionals.join(", ")}.`);
  const formulas = values.formula ?? [];
  if (formulas.length < 2) throw new HlmError("OPTIONS", `Give at least two models to compare, each with --formula; got ${formulas.length}.`);
  if (values.ml && values.reml) throw new HlmError("OPTIONS", "Choose one of --ml and --reml.");
  const path = positionals[0]!;
  const table = await readTable(path, values.sheet);
  const options = { ...modelOptions(values), satterthwaite: false };
  const c = compareModels(table, formulas, options);
  const dataset = basename(path, extname(path));
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
