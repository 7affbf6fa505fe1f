#!/usr/bin/env node
/**
 * `pnpm bench`: times the fits of the conformance models and, where Rscript with lme4 is
 * installed, lme4's lmer() on the same data in the same run, and prints the ratios.
 * A report, not a test: nothing here asserts anything.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { buildModel, fitModel, makeObjective, readCsv, type Table } from "@hlm/core";

interface Spec {
  name: string;
  dataset: string;
  formula: string;
  REML: boolean;
  factors: string[];
  weights?: string;
}

const { values } = parseArgs({
  options: {
    dir: { type: "string", default: fileURLToPath(new URL("../../../../shared/conformance/", import.meta.url)) },
    seconds: { type: "string", default: "1" },
    "no-r": { type: "boolean", default: false },
  },
});
const dir = values.dir.endsWith("/") ? values.dir : values.dir + "/";
const budget = Number(values.seconds);

const specs: Spec[] = readdirSync(dir)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => JSON.parse(readFileSync(dir + f, "utf8")) as Spec);

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const h = Math.floor(s.length / 2);
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
};

/** Median of repeated timings (seconds), at least 3 runs, until the time budget is spent. */
function timeIt(f: () => void, seconds: number): number {
  f(); // warm-up
  const times: number[] = [];
  const start = performance.now();
  while (times.length < 3 || (performance.now() - start < seconds * 1000 && times.length < 200)) {
    const t0 = performance.now();
    f();
    times.push((performance.now() - t0) / 1000);
  }
  return median(times);
}

/** lme4's in-process lmer() time per model (median), measured now on this machine. */
function lme4Times(): Map<string, number> | null {
  if (values["no-r"]) return null;
  try {
    execFileSync("Rscript", ["-e", "suppressPackageStartupMessages(library(lme4))"], { stdio: "ignore" });
  } catch {
    return null;
  }
  const work = mkdtempSync(join(tmpdir(), "hlm-bench-"));
  const lines = specs.map((s) => `${s.name}\t${s.dataset}\t${s.formula}\t${s.REML ? "TRUE" : "FALSE"}\t${s.factors.join(",")}\t${s.weights ?? ""}`);
  writeFileSync(join(work, "models.tsv"), lines.join("\n") + "\n");
  const script = `
suppressPackageStartupMessages(library(lme4))
invisible(Sys.setlocale("LC_COLLATE", "C"))
spec <- read.delim(file.path("${work}", "models.tsv"), header = FALSE, stringsAsFactors = FALSE, colClasses = "character")
budget <- ${budget}
for (i in seq_len(nrow(spec))) {
  d <- read.csv(file.path("${dir}", paste0(spec[i, 2], ".csv")), stringsAsFactors = FALSE)
  for (col in strsplit(spec[i, 5], ",")[[1]]) d[[col]] <- factor(as.character(d[[col]]))
  f <- as.formula(spec[i, 3]); reml <- as.logical(spec[i, 4])
  w <- spec[i, 6]
  run <- if (nzchar(w)) { d$hlm_w <- d[[w]]; function() lmer(f, data = d, REML = reml, weights = hlm_w) } else function() lmer(f, data = d, REML = reml)
  invisible(run())
  t <- c(); start <- proc.time()[["elapsed"]]
  while (length(t) < 3 || (proc.time()[["elapsed"]] - start < budget && length(t) < 50)) t <- c(t, system.time(run())[["elapsed"]])
  cat(spec[i, 1], median(t), "\\n")
}
`;
  writeFileSync(join(work, "bench.R"), script);
  const out = execFileSync("Rscript", [join(work, "bench.R")], { encoding: "utf8" });
  const times = new Map<string, number>();
  for (const line of out.trim().split("\n")) {
    const [name, secs] = line.trim().split(/\s+/);
    if (name && secs) times.set(name, Number(secs));
  }
  return times;
}

const tables = new Map<string, Table>();
const rows: string[][] = [];
const r = lme4Times();
for (const s of specs) {
  if (!tables.has(s.dataset)) tables.set(s.dataset, readCsv(readFileSync(`${dir}${s.dataset}.csv`, "utf8")));
  const table = tables.get(s.dataset)!;
  const options = { REML: s.REML, factors: s.factors, ...(s.weights ? { weights: s.weights } : {}) };
  let evaluations = 0;
  const fitSeconds = timeIt(() => {
    const fit = fitModel(buildModel(table, s.formula, options), options);
    evaluations = fit.optSummary.evaluations;
  }, budget);
  const model = buildModel(table, s.formula, options);
  const buildSeconds = timeIt(() => buildModel(table, s.formula, options), budget / 4);
  const objective = makeObjective(model);
  const theta = objective.layout.initial;
  const evalSeconds = timeIt(() => {
    for (let k = 0; k < 100; k++) objective.evaluate(theta);
  }, budget / 4) / 100;
  const lme4 = r?.get(s.name);
  rows.push([
    s.name,
    String(model.n),
    (fitSeconds * 1000).toFixed(2),
    (buildSeconds * 1000).toFixed(2),
    String(evaluations),
    (evalSeconds * 1e6).toFixed(1),
    lme4 === undefined ? "-" : (lme4 * 1000).toFixed(1),
    lme4 === undefined ? "-" : (lme4 / fitSeconds).toFixed(1) + "x",
  ]);
}
const header = ["model", "n", "fit ms", "model ms", "evals", "us/eval", "lme4 ms", "speed-up"];
const widths = header.map((h, j) => Math.max(h.length, ...rows.map((row) => row[j]!.length)));
const line = (cells: string[]): string => "| " + cells.map((c, j) => (j === 0 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!))).join(" | ") + " |";
console.log(line(header));
console.log("|" + widths.map((w, j) => (j === 0 ? "-".repeat(w + 2) : "-".repeat(w + 1) + ":")).join("|") + "|");
for (const row of rows) console.log(line(row));
console.log(`\nfit ms: median in-process fit (model frame, optimization, results, Satterthwaite df), data already parsed.`);
console.log(r ? "lme4 ms: median lme4::lmer() time, measured in this run on the same CSV." : "lme4: Rscript with lme4 not found; install r-base-core and r-cran-lme4 for the comparison.");
