import { readFileSync } from "node:fs";
import { basename, extname } from "node:path";
import { parseArgs } from "node:util";
import { buildModel, fitModel, fitToJson, formatShrinkage, formatSummary, HlmError, readCsv, shrinkageTable, type LmmFit, type Model, type Table } from "@hlm/core";

/** Where the command writes: injectable for tests. */
export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const USAGE = `Usage:
  hlm fit DATA.csv --formula "y ~ x + (x | g)" [--ml] [--factors a,b] [--weights w] [--json] [--repeat N] [--shrinkage]

Fits a linear mixed model (lme4's formulation) and prints lme4's summary, or with --json the
fields of lme4's reference fits plus fit_seconds.

Options:
  --formula F     lme4 model formula (required)
  --ml            maximum likelihood (default: REML)
  --reml          REML (the default)
  --factors a,b   numeric columns to treat as categorical
  --weights w     column of prior weights
  --json          print the fit as JSON
  --repeat N      fit N times and report the median fit time (with --json)
  --shrinkage     also print the shrinkage table: per group, n, its own OLS estimates and the BLUP coefficients
  --help          this text
`;

/** Exit codes: 0 ok, 1 internal failure, 2 a user mistake (bad formula, data, options, file). */
export const EXIT = { OK: 0, INTERNAL: 1, USAGE: 2 } as const;

/** Reads a data file into a table (CSV, or tab/semicolon separated text). */
export function readTable(path: string): Table {
  const ext = extname(path).toLowerCase();
  if (ext === ".xlsx" || ext === ".xls") {
    throw new HlmError("DATA", `Cannot read '${path}': Excel files are not supported yet; save the sheet as CSV.`);
  }
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : code === "EACCES" ? "permission denied" : "it cannot be read";
    throw new HlmError("DATA", `Cannot read '${path}': ${why}.`);
  }
  if (text.includes("\u0000")) throw new HlmError("DATA", `Cannot read '${path}': it is not a text (CSV) file.`);
  return readCsv(text);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = Math.floor(s.length / 2);
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

/** Runs the command line; returns the exit status. */
export function run(argv: string[], io: Io): number {
  try {
    return runUnsafe(argv, io);
  } catch (e) {
    if (e instanceof HlmError) {
      io.stderr(`hlm: ${e.message}\n`);
      return e.code === "INTERNAL" || e.code === "FIT" ? EXIT.INTERNAL : EXIT.USAGE;
    }
    io.stderr(`hlm: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT.INTERNAL;
  }
}

function runUnsafe(argv: string[], io: Io): number {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    io.stdout(USAGE);
    return command === undefined ? EXIT.USAGE : EXIT.OK;
  }
  if (command !== "fit") throw new HlmError("OPTIONS", `Unknown command '${command}'; try 'hlm fit DATA.csv --formula "y ~ x + (1 | g)"'.`);
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        formula: { type: "string" },
        ml: { type: "boolean" },
        reml: { type: "boolean" },
        factors: { type: "string" },
        weights: { type: "string" },
        json: { type: "boolean" },
        repeat: { type: "string" },
        shrinkage: { type: "boolean" },
        help: { type: "boolean" },
      },
    });
  } catch (e) {
    throw new HlmError("OPTIONS", `${(e as Error).message.split("\n")[0]}`);
  }
  const { values, positionals } = parsed;
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
  const table = readTable(path);
  const factors = values.factors ? values.factors.split(",").map((s) => s.trim()).filter((s) => s !== "") : [];
  const options = { REML: !values.ml, factors, ...(values.weights !== undefined ? { weights: values.weights } : {}) };
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
  if (values.json) {
    const json = { ...fitToJson(result!, { dataset, factors, ...(values.weights !== undefined ? { weights: values.weights } : {}) }), fit_seconds: median(times) };
    io.stdout(JSON.stringify(json, null, 2) + "\n");
  } else {
    io.stdout(formatSummary(result!, { dataName: dataset }));
    if (values.shrinkage) {
      const s = shrinkageTable(model!, result!);
      io.stdout(`\nShrinkage by ${s.group}: each group's own OLS estimates beside its BLUP coefficients\n${formatShrinkage(s)}`);
    }
  }
  return EXIT.OK;
}
