// The numbers and plots of the GLMM tutorial page (docs/tutorial/glmm.md): lme4's cbpp (binomial:
// the summary, odds ratios with Wald intervals, each herd's predicted probabilities, the herds'
// conditional modes, the probit link and adaptive quadrature), grouseticks (Poisson: rate ratios)
// and Contraception (logit, briefly). Each model is fitted by fitGlmm as scripts/lme4/models.tsv
// lists it; scripts/lme4/glmm.json holds lme4's glmer fits of the same models (made by
// scripts/lme4/glmm-tutorial.R), shown beside the engine's. `glmmFiles()` is a pure function of
// those files; generate() adds its files to the others.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as Plot from "@observablehq/plot";
import {
  LINKS,
  buildModel,
  chisqUpperTail,
  columnLabel,
  compareGlmmFits,
  fitGlmmModel,
  formatCommon,
  formatComparison,
  formatGlmmSummary,
  glmmEffectSizes,
  glmmWaldIntervals,
  predictGlmm,
  readCsv,
  tableFromRows,
  type GlmmFit,
  type GlmmOptions,
  type Model,
  type Table,
} from "@hlm/core";
import { BLUE, ORANGE, legend, svg } from "./plots.ts";

/** One model of scripts/lme4/models.tsv with lme4's fit of it (scripts/lme4/glmm.json). */
export interface GlmerFit {
  name: string;
  dataset: string;
  factors: string[];
  formula: string;
  family: "binomial" | "poisson";
  link: "logit" | "probit" | "cloglog" | "log";
  nAGQ: number;
  nobs: number;
  ngrps: Record<string, number>;
  logLik: number;
  df: number;
  AIC: number;
  BIC: number;
  objective: number;
  deviance: number;
  df_resid: number;
  theta: number[];
  re_sd: Record<string, Record<string, number>>;
  fixef: Record<string, number>;
  coef_table: { names: string[]; se: number[]; z: number[]; p: number[] };
  wald: { names: string[]; lower: number[]; upper: number[] };
  ranef: { group: string; columns: string[]; levels: string[]; values: number[][]; condsd: number[][] }[];
  optimizer: string;
  default_optimizer_trouble: string[];
  convergence_warnings: string[];
  performance?: { icc_adjusted: number; icc_unadjusted: number; r2_conditional: number; r2_marginal: number };
  predict?: { herd: string[]; period: string[]; conditional: number[]; population_period: string[]; population: number[] };
}

export interface GlmerReferences {
  models: GlmerFit[];
  anova: { models: string[]; Chisq: number; Df: number; p: number; AIC: number[]; BIC: number[]; logLik: number[]; deviance: number[] };
  lme4_version: string;
  performance_version: string;
  R_version: string;
}

export const readGlmerReferences = (docsDir: string): GlmerReferences => JSON.parse(readFileSync(join(docsDir, "scripts/lme4/glmm.json"), "utf8")) as GlmerReferences;

/** The engine's fit of a reference model: the model built with the reference's family, link and factors, fitted as fitGlmm fits it (with its nAGQ). */
export function fitReference(table: Table, ref: GlmerFit): { model: Model; fit: GlmmFit } {
  const options: GlmmOptions = { family: ref.family, link: ref.link, nAGQ: ref.nAGQ, factors: ref.factors };
  const model = buildModel(table, ref.formula, { ...options, REML: false });
  return { model, fit: fitGlmmModel(model, options) };
}

/** exp of β̂ and of its 95% Wald interval (glmmWaldIntervals, lme4's confint(m, method = "Wald")) for every fixed effect: odds ratios for a logit link, rate ratios for a log link. */
export function ratios(f: GlmmFit): { name: string; ratio: number; lower: number; upper: number }[] {
  return glmmWaldIntervals(f, 0.95)
    .rows.filter((r) => r.kind === "fixed")
    .map((r) => ({ name: r.parameter, ratio: Math.exp(r.estimate), lower: Math.exp(r.lower), upper: Math.exp(r.upper) }));
}

/** The output of the page's `ts run` example: cbpp's odds ratios with 95% Wald intervals. */
export function oddsRatioExampleOutput(f: GlmmFit): string {
  const z = 1.959964; // as the page writes it
  return [
    `${"".padEnd(12)} ${["OR", "2.5 %", "97.5 %"].map((s) => s.padStart(7)).join(" ")}`, // console.log(a, b) joins with a space
    ...f.fixefNames.map((name, j) => {
      const [b, se] = [f.fixef[j]!, f.se[j]!];
      const or = [b, b - z * se, b + z * se].map(Math.exp);
      return `${name.padEnd(12)} ${or.map((x) => x.toFixed(3).padStart(7)).join(" ")}`;
    }),
  ].join("\n");
}

/**
 * cbpp's predicted probabilities: for each herd and period, g⁻¹(β̂₀ + β̂_period + b̂_herd) (lme4's
 * predict(m, newdata, type = "response")), and for each period the typical herd's, b = 0
 * (re.form = NA).
 */
export function herdProbabilities(data: Table, model: Model, f: GlmmFit, factors: readonly string[]): { periods: string[]; herds: { herd: string; mode: number; condsd: number; p: number[] }[]; population: number[] } {
  const periods = ["1", ...f.fixefNames.filter((n) => n.startsWith("period")).map((n) => n.slice("period".length))];
  const re = f.ranef[0]!;
  const levels = [...re.levels].sort((a, b) => Number(a) - Number(b));
  const newdata = tableFromRows(["herd", "period"], levels.flatMap((herd) => periods.map((period) => [herd, period])));
  const pred = predictGlmm(data, model, f, newdata, { factors, type: "response" });
  const herds = levels.map((herd, h) => {
    const j = re.levels.indexOf(herd);
    return { herd, mode: re.values[j]![0]!, condsd: re.condsd[j]![0]!, p: periods.map((_, k) => pred.fit[h * periods.length + k]!) };
  });
  return { periods, herds, population: periods.map((_, k) => pred.population[k]!) };
}

/** The output of the page's ICC and R² example (glmmEffectSizes of cbpp's fit). */
export function effectSizesExampleOutput(model: Model, f: GlmmFit): string {
  const es = glmmEffectSizes(model, f);
  const f3 = (x: number | null): string => x?.toFixed(3) ?? "NA";
  return [
    `fixed variance:    ${f3(es.varFixed)}`,
    `herd variance:     ${f3(es.varRandom)}`,
    `residual variance: ${f3(es.varResidual)}`,
    `ICC adjusted:      ${f3(es.iccAdjusted)}`,
    `ICC unadjusted:    ${f3(es.iccUnadjusted)}`,
    `R2 marginal:       ${f3(es.r2Marginal)}`,
    `R2 conditional:    ${f3(es.r2Conditional)}`,
  ].join("\n");
}

/** The output of the page's comparison example: compareGlmmFits of the model without and with period, as formatComparison prints it. */
export function comparisonOutput(m0: GlmmFit, m1: GlmmFit): string {
  return formatComparison(compareGlmmFits([m0, m1], ["m0", "m"]), { dataName: "cbpp" });
}

/** E[g⁻¹(η + b)] over b ~ N(0, σ²): the population-averaged probability (midpoint rule on ±8σ). */
function marginalMean(linkinv: (eta: number) => number, eta: number, sd: number): number {
  const n = 4000;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const z = -8 + (16 * (i + 0.5)) / n;
    s += linkinv(eta + sd * z) * Math.exp(-z * z / 2);
  }
  return (s * (16 / n)) / Math.sqrt(2 * Math.PI);
}

const code = (text: string, lang = "text"): string => "```" + lang + "\n" + text.replace(/\s+$/, "") + "\n```\n";
const fixed = (x: number, d: number): string => (Object.is(Number(x.toFixed(d)), -0) ? (0).toFixed(d) : x.toFixed(d));
const sig = (x: number, d = 7): string => formatCommon([x], d)[0]!.trim();
/** 5.5e-25 as 5.5 × 10⁻²⁵ (plain text: the pages interpolate numbers as text). */
const scientific = (x: number, digits = 1): string => {
  const [m, e] = x.toExponential(digits).split("e") as [string, string];
  const sup = "⁰¹²³⁴⁵⁶⁷⁸⁹";
  return `${m} × 10${Number(e) < 0 ? "⁻" : ""}${[...String(Math.abs(Number(e)))].map((c) => sup[Number(c)]).join("")}`;
};
const mdTable = (header: string[], align: string[], rows: string[][]): string => [`| ${header.join(" | ")} |`, `|${align.join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n") + "\n";

/** A ratio table: term, exp(β̂), the interval (the intercept's row is the baseline odds or rate). */
function ratioTable(f: GlmmFit, label: string): string {
  return mdTable(
    ["term", "β̂", label, "2.5 %", "97.5 %"],
    [":---", "---:", "---:", "---:", "---:"],
    ratios(f).map((r, j) => [`\`${r.name}\``, fixed(f.fixef[j]!, 4), fixed(r.ratio, 3), fixed(r.lower, 3), fixed(r.upper, 3)]),
  );
}

/** Every file of the GLMM page, by its path under docs/, and the numbers its prose uses. */
export function glmmFiles(docsDir: string): { files: Record<string, string>; nums: Record<string, string | number> } {
  const files: Record<string, string> = {};
  const nums: Record<string, string | number> = {};
  const md = (name: string, text: string): void => void (files[`generated/glmm-${name}.md`] = text);
  const plot = (name: string, options: Plot.PlotOptions): void => void (files[`public/generated/glmm-${name}.svg`] = svg(options));
  const refs = readGlmerReferences(docsDir);
  const tables = new Map<string, Table>();
  const table = (name: string): Table => {
    if (!tables.has(name)) tables.set(name, readCsv(readFileSync(join(docsDir, "public", `${name}.csv`), "utf8")));
    return tables.get(name)!;
  };
  const ref = (name: string): GlmerFit => refs.models.find((m) => m.name === name)!;
  const fits = new Map(refs.models.map((r) => [r.name, fitReference(table(r.dataset), r)]));
  const fit = (name: string): GlmmFit => fits.get(name)!.fit;
  const m1 = fit("cbpp_logit");
  const r1 = ref("cbpp_logit");

  // ---- the data
  const cbpp = table("cbpp");
  const col = (name: string) => cbpp.columns[cbpp.names.indexOf(name)]!;
  const rows = Array.from({ length: cbpp.nrow }, (_, i) => ({
    herd: columnLabel(col("herd"), i)!,
    incidence: (col("incidence") as { values: Float64Array }).values[i]!,
    size: (col("size") as { values: Float64Array }).values[i]!,
    period: columnLabel(col("period"), i)!,
  }));
  md("data-head", code(["herd incidence size period", ...rows.slice(0, 6).map((r) => `${r.herd.padStart(4)} ${String(r.incidence).padStart(9)} ${String(r.size).padStart(4)} ${r.period.padStart(6)}`), "..."].join("\n")));
  nums.cbppRows = cbpp.nrow;
  nums.cbppHerds = m1.ngrps.herd!;
  nums.cbppCattle = rows.reduce((s, r) => s + r.size, 0);
  nums.cbppCases = rows.reduce((s, r) => s + r.incidence, 0);
  const herdSizes = new Map<string, number>();
  for (const r of rows) herdSizes.set(r.herd, (herdSizes.get(r.herd) ?? 0) + 1);
  nums.cbppShortHerds = [...herdSizes.values()].filter((n) => n < 4).length;

  // ---- 1. the binomial model
  md("cbpp-summary", code(formatGlmmSummary(m1, { dataName: "cbpp" })));
  const j4 = m1.fixefNames.indexOf("period4");
  nums.b0 = fixed(m1.fixef[0]!, 3);
  nums.b4 = fixed(m1.fixef[j4]!, 3);
  nums.z4 = fixed(m1.zValues[j4]!, 2);
  nums.sdHerd = fixed(m1.varcorr[0]!.sd[0]!, 3);
  nums.varHerd = fixed(m1.varcorr[0]!.covariance[0]![0]!, 3);
  nums.logLik = fixed(m1.logLik, 2);
  nums.minus2LogLik = fixed(-2 * m1.logLik, 2);
  nums.deviance = fixed(m1.deviance, 2);
  nums.saturated = fixed(m1.saturatedMinus2LogLik, 2);

  // ---- 2. odds ratios
  md("odds-ratio-example", code(oddsRatioExampleOutput(m1)));
  md("odds-ratios", ratioTable(m1, "odds ratio"));
  const or = ratios(m1);
  nums.or4 = fixed(or[j4]!.ratio, 3);
  nums.or4Lower = fixed(or[j4]!.lower, 3);
  nums.or4Upper = fixed(or[j4]!.upper, 3);
  nums.or4Percent = String(Math.round(100 * (1 - or[j4]!.ratio)));
  nums.odds0 = fixed(or[0]!.ratio, 3);

  // ---- 3. predicted probabilities per herd
  const hp = herdProbabilities(cbpp, fits.get("cbpp_logit")!.model, m1, r1.factors);
  md(
    "herd-probabilities",
    mdTable(
      ["herd", "mode b̂ⱼ", ...hp.periods.map((p) => `period ${p}`)],
      [":---", "---:", ...hp.periods.map(() => "---:")],
      [
        ...hp.herds.map((h) => [h.herd, fixed(h.mode, 3), ...h.p.map((p) => fixed(p, 3))]),
        ["**typical herd** (b = 0)", "0", ...hp.population.map((p) => `**${fixed(p, 3)}**`)],
      ],
    ),
  );
  // `hlm predict cbpp.csv … --type response --newdata cbpp-new.csv`: herds 14 and 13, and herd 16, which the fit has not seen
  const newdata = table("cbpp-new");
  const pn = predictGlmm(cbpp, fits.get("cbpp_logit")!.model, m1, newdata, { factors: r1.factors, type: "response" });
  md(
    "predict-new",
    code(
      [
        "herd,period,fit,population,se_link,new_levels",
        ...Array.from({ length: newdata.nrow }, (_, i) => [columnLabel(newdata.columns[0]!, i), columnLabel(newdata.columns[1]!, i), pn.fit[i], pn.population[i], pn.se[i], pn.newLevels[i]!.join(";")].join(",")),
      ].join("\n"),
    ),
  );
  nums.newHerdP = fixed(pn.fit[3]!, 3);
  const riskiest = hp.herds.reduce((a, b) => (b.mode > a.mode ? b : a));
  const safest = hp.herds.reduce((a, b) => (b.mode < a.mode ? b : a));
  nums.pPop1 = fixed(hp.population[0]!, 3);
  nums.pPop4 = fixed(hp.population[3]!, 3);
  nums.riskiestHerd = riskiest.herd;
  nums.riskiestP1 = fixed(riskiest.p[0]!, 3);
  nums.safestHerd = safest.herd;
  nums.safestP1 = fixed(safest.p[0]!, 3);
  nums.pMarginal1 = fixed(marginalMean(LINKS.logit.linkinv, m1.fixef[0]!, m1.varcorr[0]!.sd[0]!), 3);
  // the plot: each herd's probabilities by period (conditional on its mode), the typical herd's, the observed proportions
  const herdLines = hp.herds.flatMap((h) => h.p.map((p, k) => ({ herd: h.herd, period: Number(hp.periods[k]), p })));
  const observed = rows.map((r) => ({ period: Number(r.period), p: r.incidence / r.size }));
  plot("herd-probabilities", {
    width: 688,
    height: 340,
    marginLeft: 52,
    x: { label: "period", ticks: hp.periods.map(Number), tickFormat: "d", domain: [0.85, 4.15] },
    y: { label: "probability of a new case", grid: true, domain: [0, Math.max(0.62, ...observed.map((o) => o.p)) + 0.02] },
    marks: [
      Plot.dot(observed, { x: (d: { period: number }) => d.period - 0.06, y: "p", r: 2.5, stroke: "#888", strokeOpacity: 0.7 }),
      Plot.line(herdLines, { x: "period", y: "p", z: "herd", stroke: BLUE, strokeOpacity: 0.45, strokeWidth: 1.2 }),
      Plot.line(hp.population.map((p, k) => ({ period: Number(hp.periods[k]), p })), { x: "period", y: "p", stroke: ORANGE, strokeWidth: 3 }),
      ...legend([
        ["each herd, at its mode b̂ⱼ", BLUE],
        ["typical herd, b = 0", ORANGE],
        ["observed incidence / size", "#888"],
      ]),
    ],
  });

  // ---- 4. the caterpillar plot: modes ± 1.96 condsd, herds sorted by their mode
  const cat = [...hp.herds].sort((a, b) => a.mode - b.mode).map((h) => ({ ...h, lo: h.mode - 1.96 * h.condsd, hi: h.mode + 1.96 * h.condsd }));
  nums.caterpillarExcludingZero = cat.filter((d) => d.lo > 0 || d.hi < 0).length;
  nums.caterpillarExcluding = cat.filter((d) => d.lo > 0 || d.hi < 0).map((d) => d.herd).join(" and ") || "none";
  nums.condsdMin = fixed(Math.min(...cat.map((d) => d.condsd)), 2);
  nums.condsdMax = fixed(Math.max(...cat.map((d) => d.condsd)), 2);
  const smallest = hp.herds.reduce((a, b) => (b.condsd > a.condsd ? b : a));
  nums.condsdMaxHerd = smallest.herd;
  nums.condsdMaxHerdRows = herdSizes.get(smallest.herd)!;
  nums.condsdMaxHerdCattle = rows.filter((r) => r.herd === smallest.herd).reduce((s, r) => s + r.size, 0);
  plot("caterpillar", {
    width: 688,
    height: 380,
    marginLeft: 60,
    y: { label: "herd", domain: cat.map((d) => d.herd), labelAnchor: "top" },
    x: { label: "conditional mode b̂ⱼ ± 1.96 conditional SD (log odds)", grid: true },
    marks: [
      Plot.ruleX([0], { stroke: "#888" }),
      Plot.ruleY(cat, { y: "herd", x1: "lo", x2: "hi", stroke: BLUE, strokeWidth: 2, strokeOpacity: 0.6 }),
      Plot.dot(cat, { y: "herd", x: "mode", r: 4, fill: "black" }),
    ],
  });

  // ---- 5. probit link and adaptive quadrature
  const variants: [string, string, string][] = [
    ["cbpp_logit", "logit", "Laplace (nAGQ = 1)"],
    ["cbpp_probit", "probit", "Laplace (nAGQ = 1)"],
    ["cbpp_agq9", "logit", "adaptive Gauss–Hermite, nAGQ = 9"],
  ];
  md(
    "variants",
    mdTable(
      ["link", "approximation", "σ herd", "β̂ `period4`", "log L: HLM", "log L: lme4"],
      [":---", ":---", "---:", "---:", "---:", "---:"],
      variants.map(([name, link, method]) => {
        const f = fit(name);
        return [link, method, fixed(f.varcorr[0]!.sd[0]!, 4), fixed(f.fixef[f.fixefNames.indexOf("period4")]!, 4), fixed(f.logLik, 4), fixed(ref(name).logLik, 4)];
      }),
    ),
  );
  const probit = fit("cbpp_probit");
  const agq = fit("cbpp_agq9");
  nums.probitLogLik = fixed(probit.logLik, 2);
  nums.probitB4 = fixed(probit.fixef[probit.fixefNames.indexOf("period4")]!, 3);
  nums.probitRatio = fixed(m1.fixef[j4]! / probit.fixef[probit.fixefNames.indexOf("period4")]!, 2);
  nums.probitSdHerd = fixed(probit.varcorr[0]!.sd[0]!, 3);
  nums.agqLogLik = fixed(agq.logLik, 2);
  nums.agqFullLogLik = fixed(agq.logLik - agq.saturatedMinus2LogLik / 2, 2);
  nums.agqSaturatedHalf = fixed(agq.saturatedMinus2LogLik / 2, 2);
  nums.agqLaplaceDiff = fixed(agq.logLik - agq.saturatedMinus2LogLik / 2 - m1.logLik, 3);
  nums.agqSdHerd = fixed(agq.varcorr[0]!.sd[0]!, 3);
  md("agq-summary-head", code(formatGlmmSummary(agq, { dataName: "cbpp" }).split("\n").slice(0, 9).join("\n")));

  // ---- 6. Poisson: grouseticks
  const g = fit("grouseticks");
  md("grouse-summary", code(formatGlmmSummary(g, { dataName: "grouseticks" })));
  md("rate-ratios", ratioTable(g, "rate ratio"));
  const rr = ratios(g);
  const jH = g.fixefNames.indexOf("scale(HEIGHT)");
  nums.grouseRows = table("grouseticks").nrow;
  nums.grouseBroods = g.ngrps.BROOD!;
  nums.grouseLocations = g.ngrps.LOCATION!;
  nums.grouseRate0 = fixed(rr[0]!.ratio, 2);
  nums.grouseRr96 = fixed(rr[g.fixefNames.indexOf("YEAR96")]!.ratio, 2);
  nums.grouseRr97 = fixed(rr[g.fixefNames.indexOf("YEAR97")]!.ratio, 2);
  nums.grouseRrHeight = fixed(rr[jH]!.ratio, 3);
  nums.grouseRrHeightLower = fixed(rr[jH]!.lower, 3);
  nums.grouseRrHeightUpper = fixed(rr[jH]!.upper, 3);
  nums.grouseHeightPercent = String(Math.round(100 * (1 - rr[jH]!.ratio)));
  const heights = (table("grouseticks").columns[table("grouseticks").names.indexOf("HEIGHT")] as { values: Float64Array }).values;
  const hMean = heights.reduce((a, b) => a + b, 0) / heights.length;
  nums.grouseHeightSd = fixed(Math.sqrt(heights.reduce((a, b) => a + (b - hMean) ** 2, 0) / (heights.length - 1)), 1);
  nums.grouseSdBrood = fixed(g.varcorr.find((v) => v.group === "BROOD")!.sd[0]!, 3);
  nums.grouseSdLocation = fixed(g.varcorr.find((v) => v.group === "LOCATION")!.sd[0]!, 3);

  // ---- 7. Contraception, briefly
  const c = fit("contraception");
  md("contraception-odds-ratios", ratioTable(c, "odds ratio"));
  nums.contraRows = table("Contraception").nrow;
  nums.contraDistricts = c.ngrps.district!;
  nums.contraOrUrban = fixed(ratios(c)[c.fixefNames.indexOf("urbanY")]!.ratio, 2);
  const livch = ratios(c).filter((r) => r.name.startsWith("livch")).map((r) => r.ratio);
  nums.contraLivchMin = fixed(Math.min(...livch), 2);
  nums.contraLivchMax = fixed(Math.max(...livch), 2);
  nums.contraSdDistrict = fixed(c.varcorr[0]!.sd[0]!, 3);

  // ---- 8. comparing models: the likelihood-ratio test of period
  md("compare", code(comparisonOutput(fit("cbpp_null"), m1)));
  const lrt = 2 * (m1.logLik - fit("cbpp_null").logLik);

  // ---- 9. ICC and R² on the latent scale (performance's icc() and r2_nakagawa())
  md("effect-sizes-example", code(effectSizesExampleOutput(fits.get("cbpp_logit")!.model, m1)));
  const esRows: [string, string][] = [
    ["cbpp_logit", "cbpp (logit)"],
    ["cbpp_probit", "cbpp (probit)"],
    ["grouseticks", "grouseticks"],
    ["contraception", "Contraception"],
  ];
  const effectSizes = new Map(esRows.map(([name]) => [name, glmmEffectSizes(fits.get(name)!.model, fit(name))]));
  const f3 = (x: number | null): string => (x === null ? "NA" : fixed(x, 3));
  md(
    "effect-sizes",
    mdTable(
      ["model", "fixed", "random", "residual", "ICC", "R² marg.", "R² cond."],
      [":---", "---:", "---:", "---:", "---:", "---:", "---:"],
      esRows.map(([name, label]) => {
        const e = effectSizes.get(name)!;
        return [label, f3(e.varFixed), f3(e.varRandom), f3(e.varResidual), f3(e.iccAdjusted), f3(e.r2Marginal), f3(e.r2Conditional)];
      }),
    ),
  );
  const esC = effectSizes.get("cbpp_logit")!;
  const esG = effectSizes.get("grouseticks")!;
  nums.iccCbpp = f3(esC.iccAdjusted);
  nums.r2mCbpp = f3(esC.r2Marginal);
  nums.r2cCbpp = f3(esC.r2Conditional);
  nums.pi2over3 = fixed(Math.PI ** 2 / 3, 3);
  nums.iccProbit = f3(effectSizes.get("cbpp_probit")!.iccAdjusted);
  nums.iccGrouse = f3(esG.iccAdjusted);
  nums.grouseNullIntercept = fixed(esG.nullIntercept!, 3);
  nums.grouseNullMu = fixed(Math.exp(esG.nullIntercept!), 2);
  nums.grouseVarDistribution = fixed(esG.varDistribution, 3);
  nums.grouseWarning = esG.warnings[0] ?? "(none)";
  nums.lrt = fixed(lrt, 2);
  nums.lrtDf = m1.df - fit("cbpp_null").df;
  nums.lrtP = scientific(chisqUpperTail(lrt, m1.df - fit("cbpp_null").df));

  // ---- 9. the engine against lme4
  type Row = [string, number, number];
  const byLevel = (f: GlmmFit, r: GlmerFit, level: string): [number, number, number, number] => {
    const a = f.ranef[0]!.levels.indexOf(level);
    const b = r.ranef[0]!.levels.indexOf(level);
    return [f.ranef[0]!.values[a]![0]!, r.ranef[0]!.values[b]![0]!, f.ranef[0]!.condsd[a]![0]!, r.ranef[0]!.condsd[b]![0]!];
  };
  const [m14, r14, s14, rs14] = byLevel(m1, r1, "14");
  const predIndex = r1.predict!.herd.findIndex((h, i) => h === "14" && r1.predict!.period[i] === "1");
  const or4ref = [Math.exp(r1.wald.lower[j4]!), Math.exp(r1.wald.upper[j4]!)];
  const gr = ref("grouseticks");
  const rowsCheck: Row[] = [
    ["cbpp: log-likelihood", m1.logLik, r1.logLik],
    ["cbpp: deviance() (conditional)", m1.deviance, r1.deviance],
    ["cbpp: σ herd", m1.varcorr[0]!.sd[0]!, r1.re_sd.herd!["(Intercept)"]!],
    ...m1.fixefNames.map((n, j): Row => [`cbpp: β̂ \`${n}\``, m1.fixef[j]!, r1.fixef[n]!]),
    ...m1.fixefNames.map((n, j): Row => [`cbpp: SE \`${n}\``, m1.se[j]!, r1.coef_table.se[j]!]),
    ["cbpp: odds ratio `period4`, 2.5 %", or[j4]!.lower, or4ref[0]!],
    ["cbpp: odds ratio `period4`, 97.5 %", or[j4]!.upper, or4ref[1]!],
    ["cbpp: mode of herd 14", m14, r14],
    ["cbpp: conditional SD of herd 14", s14, rs14],
    ["cbpp: P(case), herd 14, period 1", hp.herds.find((h) => h.herd === "14")!.p[0]!, r1.predict!.conditional[predIndex]!],
    ["cbpp: P(case), typical herd, period 1", hp.population[0]!, r1.predict!.population[0]!],
    ["cbpp: likelihood-ratio χ² of `period`", lrt, refs.anova.Chisq],
    ["cbpp probit: log-likelihood", probit.logLik, ref("cbpp_probit").logLik],
    ["cbpp nAGQ = 9: log-likelihood (lme4's)", agq.logLik, ref("cbpp_agq9").logLik],
    ["cbpp: ICC (adjusted), performance's icc()", esC.iccAdjusted!, r1.performance!.icc_adjusted],
    ["cbpp: R² marginal, r2_nakagawa()", esC.r2Marginal, r1.performance!.r2_marginal],
    ["cbpp: R² conditional, r2_nakagawa()", esC.r2Conditional!, r1.performance!.r2_conditional],
    ["grouseticks: log-likelihood", g.logLik, gr.logLik],
    ["grouseticks: ICC (adjusted)", esG.iccAdjusted!, gr.performance!.icc_adjusted],
    ["grouseticks: R² conditional", esG.r2Conditional!, gr.performance!.r2_conditional],
    ["grouseticks: σ BROOD", g.varcorr.find((v) => v.group === "BROOD")!.sd[0]!, gr.re_sd.BROOD!["(Intercept)"]!],
    ["grouseticks: σ LOCATION", g.varcorr.find((v) => v.group === "LOCATION")!.sd[0]!, gr.re_sd.LOCATION!["(Intercept)"]!],
    ...g.fixefNames.map((n, j): Row => [`grouseticks: β̂ \`${n}\``, g.fixef[j]!, gr.fixef[n]!]),
    ["grouseticks: SE `scale(HEIGHT)`", g.se[jH]!, gr.coef_table.se[jH]!],
    ["Contraception: log-likelihood", c.logLik, ref("contraception").logLik],
  ];
  const relDiff = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
  md("lme4-check", mdTable(["quantity", "HLM", "lme4", "relative difference"], [":---", "---:", "---:", "---:"], rowsCheck.map(([q, a, b]) => [q, sig(a), sig(b), relDiff(a, b) === 0 ? "0" : relDiff(a, b).toExponential(1)])));
  const worstLl = Math.max(...refs.models.map((r) => Math.abs(fit(r.name).logLik - r.logLik)));
  nums.worstLogLikDiff = worstLl.toExponential(0);
  const worstFixefSe = Math.max(...refs.models.flatMap((r) => fit(r.name).fixefNames.map((n, j) => Math.abs(fit(r.name).fixef[j]! - r.fixef[n]!) / r.coef_table.se[j]!)));
  nums.worstFixefSe = worstFixefSe.toExponential(0);
  const worstSe = Math.max(...refs.models.flatMap((r) => fit(r.name).se.map((s, j) => relDiff(s, r.coef_table.se[j]!))));
  nums.worstSe = worstSe.toExponential(0);
  nums.nModels = refs.models.length;
  nums.lme4Version = refs.lme4_version.replace(/\.(\d+)$/, "-$1");
  nums.rVersion = refs.R_version;
  return { files, nums };
}
