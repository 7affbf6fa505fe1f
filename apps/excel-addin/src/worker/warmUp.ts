/**
 * The worker's warm-up: fits of a small made-up data set, run by `runFit` as a person's fits are
 * (model frame, fit, result tables), while the pane waits for the person to pick the data. The
 * JavaScript engine compiles code only after it has run for a while, so without them the session's
 * first fit of a 100,000-row range took a fifth longer in the worker than the same fit again; with
 * them it runs on code already compiled. Each step is one fit, so a real request waits for at most
 * one of them. The results are dropped.
 */
import { tableFromRows } from "@hlm/core";
import { packTable, type PackedTable } from "./packedTable.js";
import type { FitRequest } from "./protocol.js";

/** A fixed sequence in [0, 1): the fractional parts of a scaled sine, for data that only has to look irregular. */
function uniform(seed: number): () => number {
  let k = seed;
  return () => {
    const v = Math.sin(++k * 12.9898) * 43758.5453;
    return v - Math.floor(v);
  };
}

/** 3,000 rows in 150 groups: y with random intercepts and slopes of x, a 0/1 outcome yb, a covariate z. */
function madeUpTable(): PackedTable {
  const r = uniform(11);
  const rows: (string | number)[][] = [];
  const intercept = Array.from({ length: 150 }, () => r() - 0.5);
  const slope = Array.from({ length: 150 }, () => 0.5 * (r() - 0.5));
  for (let t = 0; t < 3000; t++) {
    const g = t % 150;
    const x = 4 * r();
    const z = r();
    const y = 1 + intercept[g]! + (0.8 + slope[g]!) * x + 0.3 * z + (r() - 0.5);
    rows.push([y, r() < 1 / (1 + Math.exp(-(y - 3))) ? 1 : 0, x, z, `G${g}`]);
  }
  return packTable(tableFromRows(["y", "yb", "x", "z", "g"], rows)).table;
}

/** The warm-up's requests, in order: the linear model by REML and by ML (twice each: compilation needs repeats), then a binomial GLMM. */
export function warmUpRequests(): FitRequest[] {
  const table = madeUpTable();
  const base = { type: "fit" as const, table, factors: [], dataName: "warm-up", progressIntervalMs: 1e9 };
  return [
    { ...base, id: -1, formula: "y ~ x + z + (x | g)", REML: true, diagnostics: true },
    { ...base, id: -2, formula: "y ~ x + z + (x | g)", REML: false },
    { ...base, id: -3, formula: "y ~ x + (1 | g)", REML: true },
    { ...base, id: -4, formula: "y ~ x + z + (x | g)", REML: true },
    { ...base, id: -5, formula: "yb ~ x + (1 | g)", REML: false, family: "binomial" },
  ];
}
