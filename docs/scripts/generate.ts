// The numbers and plots of the documentation, computed by the engine at build time.
//
// `generate()` is a pure function of the data (docs/public/nels_sim.csv and the lme4 references in
// packages/core/test/conformance; for the longitudinal page docs/public/Ovary.csv, BodyWeight.csv,
// Orthodont.csv and nlme's fits in scripts/nlme/longitudinal.json; for the GLMM page cbpp.csv,
// grouseticks.csv, Contraception.csv and lme4's glmer fits in scripts/lme4/glmm.json): it fits the lecture's models and returns every generated file, by its path
// under docs/. Run as a script it writes them: markdown fragments under generated/ (the pages include
// them with <!--@include: @/generated/NAME.md-->), generated/numbers.json (numbers in the pages' prose,
// `{{ nums.NAME }}`) and the SVG plots under public/generated/ (Observable Plot, rendered with linkedom).
// The docs tests call generate() and compare with the files on disk and with the pages' examples.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as Plot from "@observablehq/plot";
import {
  buildModel,
  compareFits,
  effectSizes,
  fitModel,
  fitToJson,
  formatCommon,
  formatComparison,
  formatSummary,
  readCsv,
  shrinkageTable,
  type LmmFit,
  type Model,
  type Table,
} from "@hlm/core";
import { compareWithReference, conformanceDir, loadReferences } from "../../packages/core/test/compareReference.ts";
import { databaseFiles } from "./databases.ts";
import { glmmFiles } from "./glmm.ts";
import { inferenceFiles } from "./inference.ts";
import { longitudinalFiles } from "./longitudinal.ts";
import { BLUE, ORANGE, legend, svg } from "./plots.ts";

export const docsDir = fileURLToPath(new URL("../", import.meta.url));
export const defaultConformanceDir = conformanceDir;

/** The lecture's models (lme4's calls in the lecture: REML = FALSE throughout). */
export const MODELS = {
  fit0: "score ~ 1 + (1 | school)",
  fit1: "score ~ ses + (ses | school)",
  fit2: "score ~ flp * ses + (ses | school)",
} as const;

export interface GenerateOptions {
  /** The NELS-shaped data (default: docs/public/nels_sim.csv). */
  dataPath?: string;
  /** The lme4 reference fits (default: packages/core/test/conformance); missing: the table says so. */
  conformanceDir?: string;
}

// ---------------------------------------------------------------------------------------------
// R-style printing

/** A named vector as R prints it: names right-aligned above the values. */
export function rVector(names: readonly string[], xs: readonly number[], digits = 7): string {
  const vals = formatCommon(xs, digits).map((s) => s.trim());
  const w = names.map((n, i) => Math.max(n.length, vals[i]!.length));
  return [names.map((n, i) => n.padStart(w[i]!)).join(" "), vals.map((v, i) => v.padStart(w[i]!)).join(" ")].join("\n");
}

/** A numeric matrix as R prints it: each column formatted on its own, row names left-aligned. */
export function rMatrix(rowNames: readonly string[], colNames: readonly string[], m: readonly (readonly number[])[], digits = 7): string {
  const cols = colNames.map((_, j) => formatCommon(m.map((r) => r[j]!), digits).map((s) => s.trim()));
  const rw = Math.max(0, ...rowNames.map((s) => s.length));
  const cw = colNames.map((c, j) => Math.max(c.length, ...cols[j]!.map((s) => s.length)));
  const lines = [" ".repeat(rw) + colNames.map((c, j) => " " + c.padStart(cw[j]!)).join("")];
  rowNames.forEach((r, i) => lines.push(r.padEnd(rw) + cols.map((col, j) => " " + col[i]!.padStart(cw[j]!)).join("")));
  return lines.join("\n");
}

const code = (text: string, lang = "text"): string => "```" + lang + "\n" + text.replace(/\s+$/, "") + "\n```\n";
const fixed = (x: number, d: number): string => (Object.is(Number(x.toFixed(d)), -0) ? (0).toFixed(d) : x.toFixed(d));
const mdTable = (header: string[], rows: string[][], align?: string[]): string =>
  [
    `| ${header.join(" | ")} |`,
    `|${header.map((_, j) => (align?.[j] ?? "---:")).join("|")}|`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n") + "\n";

// ---------------------------------------------------------------------------------------------
// Plots

// ---------------------------------------------------------------------------------------------
// Helpers on the data

function column(table: Table, name: string): { num?: Float64Array; str?: (string | null)[] } {
  const c = table.columns[table.names.indexOf(name)];
  if (!c) throw new Error(`no column ${name}`);
  return c.kind === "number" ? { num: c.values } : { str: c.values.map((v) => v) };
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}
function cov(rows: readonly (readonly number[])[]): number[][] {
  const k = rows[0]!.length;
  const m = Array.from({ length: k }, (_, j) => mean(rows.map((r) => r[j]!)));
  return Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => rows.reduce((s, r) => s + (r[i]! - m[i]!) * (r[j]! - m[j]!), 0) / (rows.length - 1)));
}
const inv2 = (a: readonly (readonly number[])[]): number[][] => {
  const d = a[0]![0]! * a[1]![1]! - a[0]![1]! * a[1]![0]!;
  return [
    [a[1]![1]! / d, -a[0]![1]! / d],
    [-a[1]![0]! / d, a[0]![0]! / d],
  ];
};
const mv2 = (a: readonly (readonly number[])[], v: readonly number[]): number[] => [a[0]![0]! * v[0]! + a[0]![1]! * v[1]!, a[1]![0]! * v[0]! + a[1]![1]! * v[1]!];

/** The output of the pages' `ts run` examples, as console.log prints it (the tests run them). */
export function pipelineOutput(f: LmmFit, evaluations: number): string {
  return [`theta: ${f.theta.map((t) => t.toFixed(5)).join(", ")}`, `fixef: ${f.fixef.map((b) => b.toFixed(4)).join(", ")}`, `sigma: ${f.sigma.toFixed(4)}`, `deviance: ${f.objective.toFixed(2)}`, `evaluations: ${evaluations}`].join("\n");
}

// ---------------------------------------------------------------------------------------------

export interface ConformanceRow {
  name: string;
  formula: string;
  REML: boolean;
  nobs: number;
  objectiveLme4: number;
  objectiveHlm: number;
  maxFixefDiffSe: number;
  disagreements: string[];
}

export function conformance(dir: string): ConformanceRow[] | null {
  if (!existsSync(dir)) return null;
  const refs = loadReferences(dir.endsWith("/") ? dir : dir + "/");
  const tables = new Map<string, Table>();
  return refs.map((ref) => {
    if (!tables.has(ref.dataset)) tables.set(ref.dataset, readCsv(readFileSync(join(dir, `${ref.dataset}.csv`), "utf8")));
    const opts = { REML: ref.REML, factors: ref.factors, ...(typeof ref.weights === "string" ? { weights: ref.weights } : {}) };
    const f = fitModel(buildModel(tables.get(ref.dataset)!, ref.formula, opts), opts);
    const got = fitToJson(f, { dataset: ref.dataset, factors: ref.factors });
    const bad = compareWithReference(got, ref);
    const maxFixefDiffSe = Math.max(...Object.keys(ref.fixef).map((k) => Math.abs((got.fixef[k] ?? NaN) - ref.fixef[k]!) / ref.se[k]!));
    return { name: ref.name, formula: ref.formula, REML: ref.REML, nobs: ref.nobs, objectiveLme4: ref.objective, objectiveHlm: got.objective, maxFixefDiffSe, disagreements: bad };
  });
}

export interface Generated {
  /** Path under docs/ → content. */
  files: Record<string, string>;
  /** The fits, for the tests. */
  fits: { fit0: LmmFit; fit1: LmmFit; fit2: LmmFit };
}

export function generate(options: GenerateOptions = {}): Generated {
  const dataPath = options.dataPath ?? join(docsDir, "public/nels_sim.csv");
  const table = readCsv(readFileSync(dataPath, "utf8"));
  const files: Record<string, string> = {};
  const nums: Record<string, string | number> = {};
  const frag = (name: string, text: string): void => {
    files[`generated/${name}.md`] = text;
  };
  const plot = (name: string, options: Plot.PlotOptions): void => {
    files[`public/generated/${name}.svg`] = svg(options);
  };

  const opts = { REML: false };
  const build = (f: string): { model: Model; fit: LmmFit } => {
    const model = buildModel(table, f, opts);
    return { model, fit: fitModel(model, opts) };
  };
  const m0 = build(MODELS.fit0);
  const m1 = build(MODELS.fit1);
  const m2 = build(MODELS.fit2);
  const fit0 = m0.fit;
  const fit1 = m1.fit;
  const fit2 = m2.fit;

  // ---- the data
  const school = column(table, "school").str!;
  const flp = column(table, "flp").num!;
  const ses = column(table, "ses").num!;
  const score = column(table, "score").num!;
  const rowsOf = new Map<string, number[]>();
  for (let i = 0; i < table.nrow; i++) {
    const s = school[i]!;
    if (!rowsOf.has(s)) rowsOf.set(s, []);
    rowsOf.get(s)!.push(i);
  }
  const sizes = [...rowsOf.values()].map((r) => r.length);
  nums.nobs = table.nrow.toLocaleString("en-US");
  nums.nschools = rowsOf.size;
  nums.nMin = Math.min(...sizes);
  nums.nMedian = median(sizes);
  nums.nMax = Math.max(...sizes);
  frag("data-head", code(["school  flp    ses  score", ...[0, 1, 2, 3, 4].map((i) => `${school[i]!.padEnd(6)} ${String(flp[i]).padStart(4)} ${fixed(ses[i]!, 3).padStart(6)} ${fixed(score[i]!, 2).padStart(6)}`)].join("\n")));

  // ---- per-school OLS (the shrinkage table of fit.1 has them beside the BLUPs)
  const sh = shrinkageTable(m1.model, fit1);
  const schools = sh.levels.map((level, j) => ({
    school: level,
    n: sh.n[j]!,
    ols0: sh.ols[j]![0],
    ols1: sh.ols[j]![1],
    blup0: sh.blup[j]![0]!,
    blup1: sh.blup[j]![1]!,
    flp: mean(rowsOf.get(level)!.map((i) => flp[i]!)),
  }));
  const withOls = schools.filter((s) => s.ols0 != null && s.ols1 != null) as (typeof schools[number] & { ols0: number; ols1: number })[];
  nums.nOls = withOls.length;
  nums.nNoSlope = schools.length - withOls.length;
  const olsRows = withOls.map((s) => [s.ols0, s.ols1]);
  const olsMean = [mean(olsRows.map((r) => r[0]!)), mean(olsRows.map((r) => r[1]!))];
  const olsCov = cov(olsRows);
  frag("ols-mean", code(rVector(["(Intercept)", "ses"], olsMean)));
  nums.olsVar1 = fixed(olsCov[1]![1]!, 2);
  frag("ols-cov", code(rMatrix(["(Intercept)", "ses"], ["(Intercept)", "ses"], olsCov)));
  const q = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.floor(p * (xs.length - 1))]!;
  const slopeLo = q(withOls.map((s) => s.ols1), 0.005);
  const slopeHi = q(withOls.map((s) => s.ols1), 0.995);
  nums.slopeClipped = withOls.filter((s) => s.ols1 < slopeLo || s.ols1 > slopeHi).length;
  plot("ols-hist-intercept", {
    width: 296,
    height: 240,
    marginLeft: 44,
    x: { label: "OLS intercept β̂₀ⱼ" },
    y: { label: "schools", grid: true },
    marks: [Plot.rectY(withOls, { ...Plot.binX({ y: "count" }, { x: "ols0", thresholds: 30 }), fill: BLUE }), Plot.ruleY([0])],
  });
  plot("ols-hist-slope", {
    width: 296,
    height: 240,
    marginLeft: 44,
    x: { label: "OLS slope β̂₁ⱼ (ses)", domain: [slopeLo, slopeHi] },
    y: { label: "schools", grid: true },
    marks: [Plot.rectY(withOls.filter((s) => s.ols1 >= slopeLo && s.ols1 <= slopeHi), { ...Plot.binX({ y: "count" }, { x: "ols1", thresholds: 30 }), fill: BLUE }), Plot.ruleY([0])],
  });
  plot("ols-scatter", {
    width: 640,
    height: 380,
    grid: true,
    x: { label: "OLS intercept β̂₀ⱼ" },
    y: { label: "OLS slope β̂₁ⱼ", domain: [slopeLo, slopeHi] },
    marks: [Plot.dot(withOls.filter((s) => s.ols1 >= slopeLo && s.ols1 <= slopeHi), { x: "ols0", y: "ols1", r: 2.5, fill: BLUE, fillOpacity: 0.5 })],
  });
  plot("ols-vs-n", {
    width: 640,
    height: 300,
    grid: true,
    x: { label: "school sample size nⱼ" },
    y: { label: "OLS slope β̂₁ⱼ", domain: [slopeLo, slopeHi] },
    marks: [Plot.dot(withOls.filter((s) => s.ols1 >= slopeLo && s.ols1 <= slopeHi), { x: "n", y: "ols1", r: 2.5, fill: BLUE, fillOpacity: 0.5 }), Plot.ruleY([olsMean[1]!], { stroke: "#888", strokeDasharray: "4,3" })],
  });

  // ---- fit.0
  const dataName = "nels_sim";
  frag("fit0-summary", code(formatSummary(fit0, { dataName })));
  const v0 = fit0.varcorr[0]!.covariance[0]![0]!;
  const s2 = fit0.sigma ** 2;
  nums.fit0Tau2 = fixed(v0, 2);
  nums.fit0Sigma2 = fixed(s2, 2);
  nums.fit0Icc = fixed(v0 / (v0 + s2), 3);
  nums.fit0Icc_perf = fixed(effectSizes(m0.model, fit0).iccAdjusted, 3);
  nums.fit0Mu = fixed(fit0.fixef[0]!, 2);

  // ---- fit.1
  frag("fit1-summary", code(formatSummary(fit1, { dataName })));
  const names1 = fit1.fixefNames;
  frag("fit1-fixef", code(rVector(names1, fit1.fixef)));
  frag("fit1-vcov", code(rMatrix(names1, names1, fit1.vcov, 7)));
  frag("fit1-se", code(rVector(names1, fit1.se)));
  frag("fit1-t", code(rVector(names1, fit1.tValues)));
  frag("fit1-sigma2", code(formatCommon([fit1.sigma ** 2], 7)[0]!.trim()));
  const vc1 = fit1.varcorr[0]!;
  frag("fit1-varcorr", code([rMatrix(vc1.names, vc1.names, vc1.covariance), 'attr(,"stddev")', rVector(vc1.names, vc1.sd), 'attr(,"correlation")', rMatrix(vc1.names, vc1.names, vc1.corr)].join("\n")));
  const re1 = fit1.ranef[0]!;
  const co1 = fit1.coef[0]!;
  const head = 6;
  frag("fit1-ranef-head", code(rMatrix(re1.levels.slice(0, head), re1.columns, re1.values.slice(0, head))));
  frag("fit1-coef-head", code(rMatrix(co1.levels.slice(0, head), co1.columns, co1.values.slice(0, head))));
  nums.fit1B0 = fixed(fit1.fixef[0]!, 4);
  nums.fit1B1 = fixed(fit1.fixef[1]!, 4);
  nums.fit1Evaluations = fit1.optSummary.evaluations;
  nums.fit1Theta = fit1.theta.length;
  nums.fit1Sd0 = fixed(vc1.sd[0]!, 3);
  nums.fit1Sd1 = fixed(vc1.sd[1]!, 3);
  nums.fit1Var1 = fixed(vc1.covariance[1]![1]!, 2);
  nums.fit1Corr = fixed(vc1.corr[0]![1]!, 2);
  nums.fit1Sigma = fixed(fit1.sigma, 3);
  frag("pipeline-output", code(pipelineOutput(fit0, fit0.optSummary.evaluations)));

  // within-school covariance implied by fit.1: Cov[y1, y2] = z1' Ψ z2 (+ σ² on the diagonal), z = (1, ses)
  const psi = vc1.covariance;
  const s2fit1 = fit1.sigma ** 2;
  const zPz = (a: number, b: number): number => psi[0]![0]! + psi[0]![1]! * (a + b) + psi[1]![1]! * a * b;
  const sesValues = [-2, -1, 0, 1, 2];
  frag(
    "fit1-within-cor",
    mdTable(
      ["ses of one student → <br> ses of the other ↓", ...sesValues.map(String)],
      sesValues.map((b) => [String(b), ...sesValues.map((a) => fixed(zPz(a, b) / Math.sqrt((zPz(a, a) + s2fit1) * (zPz(b, b) + s2fit1)), 3))]),
      [":---", ...sesValues.map(() => "---:")],
    ),
  );
  const sesAll = Array.from(ses.subarray(0, table.nrow));
  nums.sesMean = fixed(mean(sesAll), 2);
  nums.sesSd = fixed(Math.sqrt(cov(sesAll.map((x) => [x]))[0]![0]!), 2);

  // ---- shrinkage: the lecture's formula, school by school, against the engine's BLUP coefficients
  const Sigma = vc1.covariance;
  const SigmaInv = inv2(Sigma);
  const sig2 = fit1.sigma ** 2;
  let maxDiff = 0;
  const formula = schools.map((s) => {
    const rows = rowsOf.get(s.school)!;
    const xtx = [
      [rows.length, 0],
      [0, 0],
    ];
    const xty = [0, 0];
    for (const i of rows) {
      xtx[0]![1]! += ses[i]!;
      xtx[1]![1]! += ses[i]! ** 2;
      xty[0]! += score[i]!;
      xty[1]! += ses[i]! * score[i]!;
    }
    xtx[1]![0] = xtx[0]![1]!;
    const a = [0, 1].map((i) => [0, 1].map((j) => xtx[i]![j]! / sig2 + SigmaInv[i]![j]!));
    const rhs = mv2(SigmaInv, fit1.fixef);
    const b = mv2(inv2(a), [xty[0]! / sig2 + rhs[0]!, xty[1]! / sig2 + rhs[1]!]);
    maxDiff = Math.max(maxDiff, Math.abs(b[0]! - s.blup0), Math.abs(b[1]! - s.blup1));
    return b;
  });
  nums.shrinkMaxDiff = maxDiff.toExponential(1);
  const order = schools.map((_, j) => j).filter((j) => schools[j]!.ols1 != null);
  order.sort((i, j) => schools[i]!.n - schools[j]!.n || schools[i]!.school.localeCompare(schools[j]!.school));
  const picks = [order[0]!, order[1]!, order[Math.floor(order.length / 2)]!, order[order.length - 2]!, order[order.length - 1]!];
  frag(
    "shrinkage-examples",
    mdTable(
      ["school", "nⱼ", "OLS β̂₀ⱼ", "OLS β̂₁ⱼ", "formula β̃₀ⱼ", "formula β̃₁ⱼ", "coef() β̃₀ⱼ", "coef() β̃₁ⱼ"],
      picks.map((j) => {
        const s = schools[j]!;
        return [s.school, String(s.n), fixed(s.ols0!, 2), fixed(s.ols1!, 2), fixed(formula[j]![0]!, 4), fixed(formula[j]![1]!, 4), fixed(s.blup0, 4), fixed(s.blup1, 4)];
      }),
      [":---", "---:", "---:", "---:", "---:", "---:", "---:", "---:"],
    ),
  );
  const small = withOls.filter((s) => s.n <= 10);
  const large = withOls.filter((s) => s.n >= 30);
  const spread = (xs: number[]): number => Math.sqrt(cov(xs.map((x) => [x]))[0]![0]!);
  nums.sdOls0 = fixed(spread(withOls.map((s) => s.ols0)), 2);
  nums.sdBlup0 = fixed(spread(withOls.map((s) => s.blup0)), 2);
  nums.sdOls1 = fixed(spread(withOls.map((s) => s.ols1)), 2);
  nums.sdBlup1 = fixed(spread(withOls.map((s) => s.blup1)), 2);
  nums.nSmall = small.length;
  nums.nLarge = large.length;
  const inView = withOls.filter((s) => s.ols1 >= slopeLo && s.ols1 <= slopeHi);
  plot("shrinkage-arrows", {
    width: 688,
    height: 440,
    grid: true,
    x: { label: "intercept" },
    y: { label: "slope (ses)", domain: [slopeLo, slopeHi] },
    marks: [
      Plot.arrow(inView, { x1: "ols0", y1: "ols1", x2: "blup0", y2: "blup1", stroke: "#999", strokeOpacity: 0.45, strokeWidth: 0.8, headLength: 5 }),
      Plot.dot(inView, { x: "ols0", y: "ols1", r: 2, fill: ORANGE, fillOpacity: 0.7 }),
      Plot.dot(inView, { x: "blup0", y: "blup1", r: 2, fill: BLUE }),
      Plot.dot([fit1.fixef], { x: (d: number[]) => d[0], y: (d: number[]) => d[1], r: 6, stroke: "black", strokeWidth: 2, symbol: "plus" }),
      ...legend([
        ["OLS estimate β̂ⱼ", ORANGE],
        ["BLUP β̃ⱼ", BLUE],
      ]),
    ],
  });
  const long = withOls.flatMap((s) => [
    { n: s.n - 0.2, value: s.ols0, kind: "OLS β̂₀ⱼ" },
    { n: s.n + 0.2, value: s.blup0, kind: "BLUP β̃₀ⱼ" },
  ]);
  plot("shrinkage-vs-n", {
    width: 688,
    height: 300,
    grid: true,
    x: { label: "school sample size nⱼ" },
    y: { label: "intercept" },
    color: { domain: ["OLS β̂₀ⱼ", "BLUP β̃₀ⱼ"], range: [ORANGE, BLUE] },
    marks: [
      Plot.dot(long, { x: "n", y: "value", fill: "kind", r: 2, fillOpacity: 0.6 }),
      Plot.ruleY([fit1.fixef[0]!], { stroke: "black", strokeDasharray: "4,3" }),
      ...legend([
        ["OLS intercept β̂₀ⱼ", ORANGE],
        ["BLUP intercept β̃₀ⱼ", BLUE],
      ]),
    ],
  });

  // caterpillar: the BLUPs of the intercept with ±1.96 conditional SDs, sorted
  const cat = re1.levels
    .map((level, j) => ({ level, b: re1.values[j]![0]!, sd: re1.condsd[j]![0]! }))
    .sort((a, b) => a.b - b.b)
    .map((d, rank) => ({ ...d, rank: rank + 1, lo: d.b - 1.96 * d.sd, hi: d.b + 1.96 * d.sd }));
  nums.caterpillarExcludingZero = cat.filter((d) => d.lo > 0 || d.hi < 0).length;
  nums.condsdMin = fixed(Math.min(...cat.map((d) => d.sd)), 2);
  nums.condsdMax = fixed(Math.max(...cat.map((d) => d.sd)), 2);
  plot("caterpillar", {
    width: 688,
    height: 340,
    marginTop: 26,
    marginBottom: 28,
    x: { label: "schools, sorted by their BLUP", ticks: [], labelOffset: 20 },
    y: { label: "BLUP b̂₀ⱼ ± 1.96 condsd", grid: true },
    marks: [Plot.ruleY([0], { stroke: "#888" }), Plot.ruleX(cat, { x: "rank", y1: "lo", y2: "hi", stroke: BLUE, strokeOpacity: 0.35 }), Plot.dot(cat, { x: "rank", y: "b", r: 1.2, fill: "black" })],
  });
  frag("caterpillar-condsd-head", code(rMatrix(re1.levels.slice(0, head), re1.columns, re1.condsd.slice(0, head))));

  // ---- macro-level effects
  const flpCounts = new Map<number, number>();
  for (const s of schools) flpCounts.set(s.flp, (flpCounts.get(s.flp) ?? 0) + 1);
  const flpLevels = [...flpCounts.keys()].sort((a, b) => a - b);
  frag("flp-table", code(["flp.school", rVector(flpLevels.map(String), flpLevels.map((l) => flpCounts.get(l)!))].join("\n")));
  const byFlp = schools.map((s) => ({ flp: String(s.flp), intercept: s.blup0, slope: s.blup1 }));
  for (const [key, label, name] of [
    ["intercept", "BLUP intercept β̃₀ⱼ", "box-intercept"],
    ["slope", "BLUP slope β̃₁ⱼ (ses)", "box-slope"],
  ] as const) {
    plot(name, {
      width: 296,
      height: 280,
      marginLeft: 48,
      x: { label: "flp (school)", domain: flpLevels.map(String) },
      y: { label, grid: true },
      marks: [Plot.boxY(byFlp, { x: "flp", y: key, fill: "#add8e6", stroke: "#333" })],
    });
  }
  const medians = flpLevels.map((l) => median(schools.filter((s) => s.flp === l).map((s) => s.blup0)));
  nums.flpMedianIntercepts = medians.map((m) => fixed(m, 1)).join(", ");
  frag("fit2-summary", code(formatSummary(fit2, { dataName })));
  frag("fit12-anova", code(formatComparison(compareFits([fit1, fit2], ["fit.1", "fit.2"]), { dataName })));
  nums.fit2Flp = fixed(fit2.fixef[fit2.fixefNames.indexOf("flp")]!, 3);
  nums.fit2FlpSes = fixed(fit2.fixef[fit2.fixefNames.indexOf("flp:ses")]!, 3);
  nums.fit2FlpSesP = String(Number(fit2.pValues[fit2.fixefNames.indexOf("flp:ses")]!.toPrecision(2)));
  nums.fit2Tau2 = fixed(fit2.varcorr[0]!.covariance[0]![0]!, 2);
  nums.fit1Tau2 = fixed(vc1.covariance[0]![0]!, 2);
  nums.fit2ExplainedIntercept = String(Math.round(100 * (1 - fit2.varcorr[0]!.covariance[0]![0]! / vc1.covariance[0]![0]!)));

  // ---- conformance with lme4
  const conf = conformance(options.conformanceDir ?? defaultConformanceDir);
  if (conf === null) {
    frag("conformance", "*The lme4 reference fits (`packages/core/test/conformance`) were not found when these pages were built.*\n");
    nums.conformanceAgree = "–";
    nums.conformanceTotal = "–";
  } else {
    const ok = conf.filter((r) => r.disagreements.length === 0).length;
    nums.conformanceAgree = ok;
    nums.conformanceTotal = conf.length;
    frag(
      "conformance",
      mdTable(
        ["reference", "formula", "fit", "n", "lme4 −2 log L", "HLM −2 log L", "max \\|Δβ̂\\| / SE", "agrees"],
        conf.map((r) => [
          `\`${r.name}\``,
          `\`${r.formula.replace(/\|/g, "\\|")}\``,
          r.REML ? "REML" : "ML",
          String(r.nobs),
          fixed(r.objectiveLme4, 4),
          fixed(r.objectiveHlm, 4),
          r.maxFixefDiffSe.toExponential(1),
          r.disagreements.length === 0 ? "yes" : `**no**: ${r.disagreements.slice(0, 2).join("; ").replace(/\|/g, "\\|")}`,
        ]),
        [":---", ":---", ":---", "---:", "---:", "---:", "---:", ":---"],
      ),
    );
  }

  // the inference page (guide/inference.md): its fragments, plots and numbers (nums.inference.*)
  const inference = inferenceFiles(table, { fit0: m0, fit1: m1, fit2: m2 });
  Object.assign(files, inference.files);
  // the longitudinal page (tutorial/longitudinal.md): Ovary, BodyWeight, Orthodont beside nlme's fits (nums.longitudinal.*)
  const longitudinal = longitudinalFiles(docsDir);
  Object.assign(files, longitudinal.files);
  // the GLMM page (tutorial/glmm.md): cbpp, grouseticks, Contraception beside lme4's glmer fits (nums.glmm.*)
  const glmm = glmmFiles(docsDir);
  Object.assign(files, glmm.files);
  files["generated/numbers.json"] = JSON.stringify({ ...nums, inference: inference.nums, longitudinal: longitudinal.nums, glmm: glmm.nums }, null, 2) + "\n";
  return { files, fits: { fit0, fit1, fit2 } };
}

/** Writes the generated files under `dir` (default docs/). */
export function writeGenerated(files: Record<string, string>, dir = docsDir): void {
  for (const [path, text] of Object.entries(files)) {
    const full = join(dir, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const t0 = performance.now();
  const { files } = generate();
  // the databases page: the hlm command through DuckDB (asynchronous, after the command is built)
  Object.assign(files, await databaseFiles(docsDir));
  writeGenerated(files);
  console.log(`generated ${Object.keys(files).length} files in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
