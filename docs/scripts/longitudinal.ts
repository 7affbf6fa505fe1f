// The numbers and plots of the longitudinal tutorial page (docs/tutorial/longitudinal.md): the
// follicle counts of 11 mares (public/Ovary.csv), with independent residuals and with AR(1) ones,
// the residuals' autocorrelation before and after, the likelihood-ratio test, the implied
// within-mare covariance, and the other residual structures on BodyWeight and Orthodont. Each model
// is fitted as scripts/nlme/models.tsv lists it; scripts/nlme/longitudinal.json holds nlme's fits of
// the same models (made by scripts/nlme/nlme-longitudinal.R), shown beside the engine's.
// `longitudinalFiles()` is a pure function of those files; generate() adds its files to the others.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as Plot from "@observablehq/plot";
import { buildModel, chisqUpperTail, columnLabel, compareModels, fitModel, formatCommon, formatComparison, formatSummary, readCsv, residualAcf, type LmmFit, type Model, type Table } from "@hlm/core";
import { BLUE, ORANGE, legend, svg } from "./plots.ts";

/** One model of scripts/nlme/models.tsv with nlme's fit of it (scripts/nlme/longitudinal.json). */
export interface NlmeFit {
  name: string;
  dataset: string;
  factors: string[];
  fixed: string;
  random: string;
  correlation: string;
  weights: string;
  logLik: number;
  df: number;
  AIC: number;
  BIC: number;
  sigma: number;
  re_sd: Record<string, number>;
  fixef: Record<string, number>;
  t_table: { names: string[]; se: number[]; df: number[]; t: number[]; p: number[] };
  cor_params?: Record<string, number>;
  var_params?: Record<string, number>;
  acf?: { type: string; lag: number[]; acf: number[]; pairs: number[] };
  marginal_first?: { group: string; matrix: number[][] };
}

export interface NlmeReferences {
  models: NlmeFit[];
  anova: { models: string[]; "L.Ratio": number; p: number };
  nlme_version: string;
  R_version: string;
}

export const readNlmeReferences = (docsDir: string): NlmeReferences => JSON.parse(readFileSync(join(docsDir, "scripts/nlme/longitudinal.json"), "utf8")) as NlmeReferences;

/** The reference's model as one formula: `fixed + (effects | group)`. */
export function hlmFormula(ref: Pick<NlmeFit, "fixed" | "random">): string {
  const [effects, group] = ref.random.replace("~", "").split("|").map((s) => s.trim());
  return `${ref.fixed} + (${effects} | ${group})`;
}

/** The engine's fit of a reference model (ML, the structure's text as nlme's argument). */
export function fitReference(table: Table, ref: NlmeFit): { model: Model; fit: LmmFit } {
  const options = { REML: false, factors: ref.factors, ...(ref.correlation ? { correlation: ref.correlation } : {}), ...(ref.weights ? { variance: ref.weights } : {}) };
  const model = buildModel(table, hlmFormula(ref), options);
  return { model, fit: fitModel(model, options) };
}

/** The structures table's rows: the structure each reference model shows. */
const STRUCTURES: Record<string, string> = {
  ovary_ar1: "AR(1) by position (this page)",
  bodyweight_ar1: "AR(1) at integer times",
  bodyweight_car1: "continuous-time AR(1)",
  bodyweight_exp: "exponential",
  orthodont_compsymm: "compound symmetry",
  orthodont_unstructured: "unstructured Σⱼ",
  orthodont_varident: "a variance per stratum",
  orthodont_varpower: "power of a covariate",
  orthodont_varexp: "exponential of a covariate",
};

const code = (text: string, lang = "text"): string => "```" + lang + "\n" + text.replace(/\s+$/, "") + "\n```\n";
const fixed = (x: number, d: number): string => (Object.is(Number(x.toFixed(d)), -0) ? (0).toFixed(d) : x.toFixed(d));
/** 5.5e-25 as 5.5 × 10⁻²⁵ (plain text: the pages interpolate numbers as text). */
export const scientific = (x: number, digits = 1): string => {
  const [m, e] = x.toExponential(digits).split("e") as [string, string];
  const sup = "⁰¹²³⁴⁵⁶⁷⁸⁹";
  return `${m} × 10${Number(e) < 0 ? "⁻" : ""}${[...String(Math.abs(Number(e)))].map((c) => sup[Number(c)]).join("")}`;
};
const sig = (x: number, d = 7): string => formatCommon([x], d)[0]!.trim();

/** The output of the page's `ts run` example (the tests run it and compare). */
export function ar1ExampleOutput(independent: LmmFit, ar1: LmmFit): string {
  const lr = 2 * (ar1.logLik - independent.logLik);
  const df = ar1.df - independent.df;
  return [
    `Phi: ${ar1.residual!.correlation!.values[0]!.toFixed(4)}`,
    `logLik: ${independent.logLik.toFixed(2)} -> ${ar1.logLik.toFixed(2)}`,
    `LR: ${lr.toFixed(2)} on ${df} df, p = ${chisqUpperTail(lr, df).toExponential(2)}`,
  ].join("\n");
}

/** The pooled within-group autocorrelation of `r` at lags 0..maxLag (nlme's ACF estimator). */
function pooledAcf(groups: readonly number[][], r: ArrayLike<number>, maxLag: number): number[] {
  const s = new Array<number>(maxLag + 1).fill(0);
  const n = new Array<number>(maxLag + 1).fill(0);
  for (const g of groups)
    for (let lag = 0; lag <= Math.min(maxLag, g.length - 1); lag++)
      for (let i = 0; i + lag < g.length; i++) {
        s[lag]! += r[g[i]!]! * r[g[i + lag]!]!;
        n[lag]!++;
      }
  return s.map((v, lag) => v / n[lag]! / (s[0]! / n[0]!));
}

/** Every file of the longitudinal page, by its path under docs/, and the numbers its prose uses. */
export function longitudinalFiles(docsDir: string): { files: Record<string, string>; nums: Record<string, string | number> } {
  const files: Record<string, string> = {};
  const nums: Record<string, string | number> = {};
  const md = (name: string, text: string): void => void (files[`generated/longitudinal-${name}.md`] = text);
  const plot = (name: string, options: Plot.PlotOptions): void => void (files[`public/generated/longitudinal-${name}.svg`] = svg(options));
  const refs = readNlmeReferences(docsDir);
  const tables = new Map<string, Table>();
  const table = (name: string): Table => {
    if (!tables.has(name)) tables.set(name, readCsv(readFileSync(join(docsDir, "public", `${name}.csv`), "utf8")));
    return tables.get(name)!;
  };
  const ref = (name: string): NlmeFit => refs.models.find((m) => m.name === name)!;
  const fits = new Map(refs.models.map((r) => [r.name, fitReference(table(r.dataset), r)]));
  const { model: m0, fit: f0 } = fits.get("ovary_independent")!;
  const { model: m1, fit: f1 } = fits.get("ovary_ar1")!;
  const r0 = ref("ovary_independent");
  const r1 = ref("ovary_ar1");

  // ---- the data
  const ovary = table("Ovary");
  const col = (name: string) => ovary.columns[ovary.names.indexOf(name)]!;
  const mare = col("Mare");
  const rowsOf = new Map<string, number[]>();
  for (let i = 0; i < ovary.nrow; i++) {
    const l = columnLabel(mare, i)!;
    if (!rowsOf.has(l)) rowsOf.set(l, []);
    rowsOf.get(l)!.push(i);
  }
  const sizes = [...rowsOf.values()].map((r) => r.length);
  nums.nobs = ovary.nrow;
  nums.nMares = rowsOf.size;
  nums.nMin = Math.min(...sizes);
  nums.nMax = Math.max(...sizes);
  const num = (name: string) => (col(name) as { values: Float64Array }).values;
  const [time, foll, s1, c1] = ["Time", "follicles", "s1", "c1"].map(num) as [Float64Array, Float64Array, Float64Array, Float64Array];
  md(
    "data-head",
    code(
      [
        "Mare     Time  follicles      s1      c1",
        ...[0, 1, 2, 3, 4, 5].map((i) => `${columnLabel(mare, i)!.padEnd(4)} ${fixed(time[i]!, 4).padStart(8)} ${String(foll[i]).padStart(10)} ${fixed(s1[i]!, 4).padStart(7)} ${fixed(c1[i]!, 4).padStart(7)}`),
        "...",
      ].join("\n"),
    ),
  );
  nums.timeStep = fixed(time[1]! - time[0]!, 4);

  // ---- 1. independent residuals
  md("independent-summary", code(formatSummary(f0, { dataName: "Ovary" })));
  const acf0 = residualAcf(m0, f0);
  const acf1 = residualAcf(m1, f1);
  const acf1Pearson = residualAcf(m1, f1, { type: "pearson" });
  md("acf-example", code(acf0.slice(0, 5).map(({ lag, acf, pairs }) => `lag ${lag}: ${acf.toFixed(3)} (${pairs} pairs)`).join("\n")));
  nums.maxLag = acf0.length - 1;
  nums.acf1Before = fixed(acf0[1]!.acf, 2);
  nums.acf2Before = fixed(acf0[2]!.acf, 2);
  nums.acf3Before = fixed(acf0[3]!.acf, 2);
  nums.band1 = fixed(1.96 / Math.sqrt(acf0[1]!.pairs), 2);
  nums.pairs1 = acf0[1]!.pairs;
  nums.acfOutside = acf0.slice(1).filter((a) => Math.abs(a.acf) > 1.96 / Math.sqrt(a.pairs)).length;

  // the ACF plot as nlme's plot(ACF(m), alpha = 0.05): bars by lag, the band ±1.96/√pairs
  const band = acf0.slice(1).flatMap((a) => [
    { lag: a.lag - 0.5, b: 1.96 / Math.sqrt(a.pairs) },
    { lag: a.lag + 0.5, b: 1.96 / Math.sqrt(a.pairs) },
  ]);
  const acfDomain = [Math.min(-0.45, ...acf0.map((a) => a.acf)) - 0.02, Math.max(0.6, ...acf0.slice(1).map((a) => a.acf)) + 0.02];
  const bandMarks = [
    Plot.areaY(band, { x: "lag", y1: (d: { b: number }) => -d.b, y2: "b", fill: "#e4e7ec" }),
    Plot.ruleY([0], { stroke: "#444" }),
  ];
  const lagAxis = { label: "lag (observations apart within a mare)", ticks: acf0.slice(1).map((a) => a.lag), tickFormat: "d", domain: [0.4, acf0.length - 0.4] };
  plot("acf-independent", {
    width: 688,
    height: 300,
    x: lagAxis,
    y: { label: "autocorrelation", grid: true, domain: acfDomain },
    marks: [...bandMarks, Plot.rectY(acf0.slice(1), { x1: (d: { lag: number }) => d.lag - 0.3, x2: (d: { lag: number }) => d.lag + 0.3, y: "acf", fill: ORANGE })],
  });

  // ---- 2. AR(1)
  md("ar1-summary", code(formatSummary(f1, { dataName: "Ovary" })));
  const phi = f1.residual!.correlation!.values[0]!;
  nums.phi = fixed(phi, 4);
  nums.phi2 = fixed(phi ** 2, 3);
  const tau = (f: LmmFit): number => f.varcorr[0]!.sd[0]!;
  nums.sigma0 = fixed(f0.sigma, 3);
  nums.tau0 = fixed(tau(f0), 3);
  nums.sigma1 = fixed(f1.sigma, 3);
  nums.tau1 = fixed(tau(f1), 3);
  const seOf = (f: LmmFit, name: string): number => f.se[f.fixefNames.indexOf(name)]!;
  nums.seS1Before = fixed(seOf(f0, "s1"), 3);
  nums.seS1After = fixed(seOf(f1, "s1"), 3);
  nums.seC1Before = fixed(seOf(f0, "c1"), 3);
  nums.seC1After = fixed(seOf(f1, "c1"), 3);
  const dfOf = (f: LmmFit, name: string): string => fixed(f.satterthwaiteDf[f.fixefNames.indexOf(name)]!, 1);
  nums.dfS1Before = dfOf(f0, "s1");
  nums.dfS1After = dfOf(f1, "s1");
  const pC1 = (f: LmmFit): string => String(Number(f.pValues[f.fixefNames.indexOf("c1")]!.toPrecision(2)));
  nums.pC1Before = pC1(f0);
  nums.pC1After = pC1(f1);
  md("ar1-example", code(ar1ExampleOutput(f0, f1)));

  // ---- 3. the comparison: likelihood-ratio test (both ML fits: no refit), AIC, BIC
  const lr = 2 * (f1.logLik - f0.logLik);
  const dfDiff = f1.df - f0.df;
  const p = chisqUpperTail(lr, dfDiff);
  nums.lr = fixed(lr, 2);
  nums.dfDiff = dfDiff;
  nums.lrP = scientific(p);
  nums.ll0 = fixed(f0.logLik, 2);
  nums.ll1 = fixed(f1.logLik, 2);
  nums.aicDrop = fixed(f0.AIC - f1.AIC, 1);
  nums.bicDrop = fixed(f0.BIC - f1.BIC, 1);
  // `hlm compare Ovary.csv --formula F --ml --correlation "corAR1()"`: the model without and with the structure
  const comparison = compareModels(ovary, [f0.formula, f1.formula], { REML: false, factors: r1.factors, structures: [{}, { correlation: r1.correlation }] });
  md("compare", code(formatComparison(comparison, { dataName: "Ovary" })));

  // ---- 4. the ACF after: normalized residuals
  nums.acf1After = fixed(acf1[1]!.acf, 2);
  nums.acf1PearsonAr1 = fixed(acf1Pearson[1]!.acf, 2);
  nums.acfOutsideAfter = acf1.slice(1).filter((a) => Math.abs(a.acf) > 1.96 / Math.sqrt(a.pairs)).length;
  const outsideAfter = acf1.slice(1).filter((a) => Math.abs(a.acf) > 1.96 / Math.sqrt(a.pairs));
  nums.acfOutsideAfterLags = outsideAfter.map((a) => a.lag).join(" and ") || "none";
  const both = [
    ...acf0.slice(1).map((a) => ({ lag: a.lag - 0.19, acf: a.acf, kind: "independent: Pearson residuals" })),
    ...acf1.slice(1).map((a) => ({ lag: a.lag + 0.19, acf: a.acf, kind: "AR(1): normalized residuals" })),
  ];
  plot("acf-before-after", {
    width: 688,
    height: 320,
    x: lagAxis,
    y: { label: "autocorrelation", grid: true, domain: acfDomain },
    color: { domain: ["independent: Pearson residuals", "AR(1): normalized residuals"], range: [ORANGE, BLUE] },
    marks: [
      ...bandMarks,
      Plot.rectY(both, { x1: (d: { lag: number }) => d.lag - 0.17, x2: (d: { lag: number }) => d.lag + 0.17, y: "acf", fill: "kind" }),
      ...legend([
        ["independent residuals (Pearson)", ORANGE],
        ["AR(1) (normalized residuals)", BLUE],
      ]),
    ],
  });

  // ---- 5. the implied within-mare covariance V_1 = τ² 11' + σ² C_1, and the correlation by lag
  const v = f1.residual!.marginalCovariance;
  const k = 6;
  const names = Array.from({ length: k }, (_, i) => String(i + 1));
  const corner = v.matrix.slice(0, k).map((r) => r.slice(0, k));
  const colsFmt = corner[0]!.map((_, j) => formatCommon(corner.map((r) => r[j]!), 5).map((s) => s.trim()));
  const w = Math.max(...colsFmt.flat().map((s) => s.length));
  md("v1-corner", code([" ".repeat(2) + names.map((n) => " " + n.padStart(w)).join(""), ...names.map((n, i) => n.padEnd(2) + colsFmt.map((c) => " " + c[i]!.padStart(w)).join(""))].join("\n")));
  nums.v1Group = v.group;
  nums.v1Rows = v.rows.length;
  const t2 = tau(f1) ** 2;
  const s2 = f1.sigma ** 2;
  nums.v1Diag = fixed(v.matrix[0]![0]!, 2);
  nums.tau2 = fixed(t2, 2);
  nums.sigma2 = fixed(s2, 2);
  nums.v1Lag1 = fixed(v.matrix[0]![1]!, 2);
  const t20 = tau(f0) ** 2;
  const s20 = f0.sigma ** 2;
  nums.icc0 = fixed(t20 / (t20 + s20), 2);
  const corrAr1 = (lag: number): number => (t2 + s2 * phi ** lag) / (t2 + s2);
  nums.corrLag1 = fixed(corrAr1(1), 2);
  nums.corrLimit = fixed(t2 / (t2 + s2), 2);
  // the observed: the pooled autocorrelation of the marginal residuals y − Xβ̂ (each model's β̂ barely differ)
  const marginal = Array.from({ length: ovary.nrow }, (_, i) => foll[i]! - f1.residual!.fittedFixed[i]!);
  const observed = pooledAcf([...rowsOf.values()], marginal, acf0.length - 1);
  const lags = observed.map((_, lag) => lag);
  plot("correlation-by-lag", {
    width: 688,
    height: 320,
    x: { label: "lag (observations apart within a mare)", ticks: lags, tickFormat: "d" },
    y: { label: "correlation of two counts of a mare", grid: true, domain: [0, 1] },
    marks: [
      Plot.ruleY([0], { stroke: "#444" }),
      Plot.line(lags, { x: (l: number) => l, y: (l: number) => (l === 0 ? 1 : t20 / (t20 + s20)), stroke: ORANGE, strokeWidth: 2, curve: "step-after" }),
      Plot.line(lags, { x: (l: number) => l, y: corrAr1, stroke: BLUE, strokeWidth: 2 }),
      Plot.dot(lags, { x: (l: number) => l, y: (l: number) => observed[l]!, r: 3.5, fill: "#1f2328" }),
      ...legend([
        ["implied: independent residuals", ORANGE],
        ["implied: AR(1) residuals", BLUE],
        ["observed: y − Xβ̂, pooled over mares", "#1f2328"],
      ]),
    ],
  });

  // ---- 6. the engine against nlme
  type Row = [string, number, number];
  const rows: Row[] = [
    ["log-likelihood, independent", f0.logLik, r0.logLik],
    ["log-likelihood, AR(1)", f1.logLik, r1.logLik],
    ["Phi", phi, r1.cor_params!.Phi!],
    ["σ (residual SD)", f1.sigma, r1.sigma],
    ["τ (SD of the mare intercepts)", tau(f1), r1.re_sd["(Intercept)"]!],
    ...f1.fixefNames.map((n, j): Row => [`β̂ ${n}`, f1.fixef[j]!, r1.fixef[n]!]),
    ...f1.fixefNames.map((n, j): Row => [`SE ${n} (nlme's t-table)`, f1.containment!.se[j]!, r1.t_table.se[r1.t_table.names.indexOf(n)]!]),
    ["likelihood-ratio statistic", lr, refs.anova["L.Ratio"]],
    ["ACF lag 1, independent (Pearson)", acf0[1]!.acf, r0.acf!.acf[1]!],
    ["ACF lag 1, AR(1) (normalized)", acf1[1]!.acf, r1.acf!.acf[1]!],
    [`V₁[1,1] (mare ${v.group})`, v.matrix[0]![0]!, r1.marginal_first!.matrix[0]![0]!],
    [`V₁[1,2] (mare ${v.group})`, v.matrix[0]![1]!, r1.marginal_first!.matrix[0]![1]!],
  ];
  const relDiff = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
  md(
    "nlme-check",
    ["| quantity | HLM | nlme | relative difference |", "|:---|---:|---:|---:|", ...rows.map(([q, a, b]) => `| ${q} | ${sig(a)} | ${sig(b)} | ${relDiff(a, b) === 0 ? "0" : relDiff(a, b).toExponential(1)} |`)].join("\n") + "\n",
  );
  const worst = Math.max(...rows.map(([, a, b]) => relDiff(a, b)));
  nums.nlmeWorst = worst.toExponential(0);
  nums.nlmeDigits = Math.floor(-Math.log10(worst));
  const worstLl1 = Math.max(...rows.filter(([q]) => q.startsWith("log-likelihood")).map(([, a, b]) => relDiff(a, b)));
  nums.logLikDigits = Math.floor(-Math.log10(Math.max(worstLl1, 1e-16)));
  nums.nlmeVersion = refs.nlme_version.replace(/\.(\d+)$/, "-$1");
  nums.rVersion = refs.R_version;
  const tt = f1.containment!;
  nums.containmentDf = tt.df[0]!;

  // ---- 7. the other structures: what to write, and the log-likelihoods against nlme's
  const structureRows = refs.models.filter((r) => STRUCTURES[r.name]);
  let worstLl = 0;
  md(
    "structures",
    [
      "| structure | write (`correlation`, `variance`) | data | log L: HLM | log L: nlme |",
      "|:---|:---|:---|---:|---:|",
      ...structureRows.map((r) => {
        const f = fits.get(r.name)!.fit;
        worstLl = Math.max(worstLl, Math.abs(f.logLik - r.logLik));
        const text = [r.correlation, r.weights].filter(Boolean).map((s) => `\`${s.replace(/\|/g, "\\|")}\``).join(" + ");
        return `| ${STRUCTURES[r.name]!} | ${text} | ${r.dataset} | ${fixed(f.logLik, 4)} | ${fixed(r.logLik, 4)} |`;
      }),
    ].join("\n") + "\n",
  );
  const formulas = new Map(structureRows.map((r) => [r.dataset, hlmFormula(r)]));
  md("structure-models", [...formulas].map(([d, f]) => `- [\`${d}.csv\`](/${d}.csv): \`${f}\``).join("\n") + "\n");
  nums.structuresWorstLl = worstLl.toExponential(0);
  nums.nStructures = structureRows.length;
  nums.unstructuredParams = fits.get("orthodont_unstructured")!.fit.df - 4;
  return { files, nums };
}
