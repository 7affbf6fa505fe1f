// The numbers and plots of the inference page (docs/guide/inference.md), computed by the engine at
// build time from the lecture's data: model comparison, type III tests, intervals, predictions,
// effect sizes, diagnostics and the influence of each school. `inferenceFiles()` is a pure function
// of the data table; generate() adds its files to the others.
import * as Plot from "@observablehq/plot";
import {
  anovaTypeIII,
  bootstrapIntervals,
  buildModel,
  columnLabel,
  compareFits,
  diagnostics,
  effectSizes,
  fitModel,
  formatAnova,
  formatComparison,
  formatInfluence,
  formatIntervals,
  groupInfluence,
  predict,
  profileIntervals,
  selectRows,
  tableFromRows,
  waldIntervals,
  type LmmFit,
  type Model,
  type Table,
} from "@hlm/core";
import { BLUE, ORANGE, svg } from "./plots.ts";

/** fit.1 without its random slope (the page's other models are the lecture's, fitted by generate()). */
export const FIT1_INTERCEPT_ONLY = "score ~ ses + (1 | school)";

/** A model and its ML fit. */
export interface Fitted {
  model: Model;
  fit: LmmFit;
}

/** The bootstrap of the page: refits and R's seed. */
export const BOOT = { nsim: 200, seed: 2024 } as const;

/** Schools in the influence example (one refit per school: a small data set's tool). */
export const INFLUENCE_SCHOOLS = 40;

const code = (text: string, lang = "text"): string => "```" + lang + "\n" + text.replace(/\s+$/, "") + "\n```\n";
const fixed = (x: number, d: number): string => x.toFixed(d);

/** The rows of `table` whose value in `column` is among the first `k` levels met. */
function firstLevels(table: Table, column: string, k: number): Table {
  const col = table.columns[table.names.indexOf(column)]!;
  const keep = new Set<string | null>();
  const rows: number[] = [];
  for (let i = 0; i < table.nrow; i++) {
    const l = columnLabel(col, i);
    if (!keep.has(l) && keep.size < k) keep.add(l);
    if (keep.has(l)) rows.push(i);
  }
  return selectRows(table, rows);
}

/** Every file of the inference page, by its path under docs/, and the numbers its prose uses. */
export function inferenceFiles(table: Table, lecture: { fit0: Fitted; fit1: Fitted; fit2: Fitted }): { files: Record<string, string>; nums: Record<string, string | number> } {
  const files: Record<string, string> = {};
  const nums: Record<string, string | number> = {};
  const md = (name: string, text: string): void => void (files[`generated/inference-${name}.md`] = text);
  const plot = (name: string, options: Plot.PlotOptions): void => void (files[`public/generated/inference-${name}.svg`] = svg(options));
  const { fit0: m0, fit1: m1, fit2: m2 } = lecture;
  const m1iModel = buildModel(table, FIT1_INTERCEPT_ONLY, { REML: false });
  const m1i: Fitted = { model: m1iModel, fit: fitModel(m1iModel) };

  // 1. Is the cross-level effect real? Is the random slope needed?
  const c12 = compareFits([m1.fit, m2.fit]); // named m0, m1 as `hlm compare` names them
  md("compare-12", code(formatComparison(c12, { dataName: "nels_sim" })));
  nums.chisq12 = fixed(c12.rows[1]!.Chisq!, 1);
  nums.df12 = c12.rows[1]!.Df!;
  md("anova-2", code(formatAnova(anovaTypeIII(m2.model, m2.fit))));
  const cSlope = compareFits([m1i.fit, m1.fit], ["fit.1i", "fit.1"]);
  md("compare-slope", code(formatComparison(cSlope, { dataName: "nels_sim" })));
  nums.chisqSlope = fixed(cSlope.rows[1]!.Chisq!, 1);

  // 2. How large is the school effect?
  const e0 = effectSizes(m0.model, m0.fit);
  const e1 = effectSizes(m1.model, m1.fit);
  const e2 = effectSizes(m2.model, m2.fit);
  nums.icc0 = fixed(e0.iccAdjusted, 3);
  nums.icc0pct = fixed(100 * e0.iccAdjusted, 1);
  md(
    "effect-sizes",
    [
      "| model | adjusted ICC | unadjusted ICC | marginal R² | conditional R² |",
      "|:---|---:|---:|---:|---:|",
      ...([["fit.0", e0], ["fit.1", e1], ["fit.2", e2]] as const).map(([n, e]) => `| ${n} | ${fixed(e.iccAdjusted, 3)} | ${fixed(e.iccUnadjusted, 3)} | ${fixed(e.r2Marginal, 3)} | ${fixed(e.r2Conditional, 3)} |`),
    ].join("\n") + "\n",
  );

  // 3. Intervals
  md("confint-profile", code(formatIntervals(profileIntervals(m1.model, m1.fit))));
  md("confint-wald", code(formatIntervals(waldIntervals(m1.fit))));
  const boot = bootstrapIntervals(m1.model, m1.fit, BOOT);
  md("confint-boot", code(formatIntervals(boot)));

  // 4. Predictions: a school of the data and a new one, at three values of ses
  const schools = table.columns[table.names.indexOf("school")]!;
  const known = schools.kind === "string" ? schools.values[0]! : String(schools.values[0]);
  nums.knownSchool = known;
  const newdata = tableFromRows(["school", "ses"], [known, "new school"].flatMap((s) => [-1, 0, 1].map((x) => [s, x])));
  const p = predict(table, m1.model, m1.fit, newdata);
  md(
    "predict",
    ["| school | ses | prediction | population X β̂ | SE of X β̂ |", "|:---|---:|---:|---:|---:|"]
      .concat(Array.from(p.fit, (v, r) => `| ${r < 3 ? known : "new school"} | ${[-1, 0, 1][r % 3]} | ${fixed(v, 2)} | ${fixed(p.population[r]!, 2)} | ${fixed(p.se[r]!, 3)} |`))
      .join("\n") + "\n",
  );

  // 5. Diagnostics
  const d = diagnostics(m1.fit);
  const points = Array.from(d.fitted, (f, i) => ({ fitted: f, resid: d.scaledResiduals[i]!, q: d.residualTheoretical[i]! }));
  plot("resid-fitted", {
    width: 640,
    height: 360,
    x: { label: "fitted value" },
    y: { label: "scaled residual", grid: true },
    marks: [Plot.dot(points, { x: "fitted", y: "resid", r: 1.2, fill: BLUE, fillOpacity: 0.35 }), Plot.ruleY([0], { stroke: ORANGE })],
  });
  plot("qq-resid", {
    width: 360,
    height: 340,
    x: { label: "normal quantile" },
    y: { label: "scaled residual", grid: true },
    marks: [Plot.line([-4, 4].map((x) => ({ x, y: x })), { x: "x", y: "y", stroke: ORANGE }), Plot.dot(points, { x: "q", y: "resid", r: 1.2, fill: BLUE, fillOpacity: 0.35 })],
  });
  for (const r of d.ranef) {
    const name = r.column === "(Intercept)" ? "intercept" : r.column;
    const pts = Array.from(r.values, (v, i) => ({ q: r.theoretical[i]!, v }));
    plot(`qq-ranef-${name}`, {
      width: 360,
      height: 340,
      x: { label: "normal quantile" },
      y: { label: `BLUP of the ${name}`, grid: true },
      marks: [Plot.dot(pts, { x: "q", y: "v", r: 2, fill: BLUE, fillOpacity: 0.6 })],
    });
  }
  nums.nSchools = m1.fit.ngrps.school!;

  // 6. Influence: the first schools, refitted without each
  const small = firstLevels(table, "school", INFLUENCE_SCHOOLS);
  const ms = buildModel(small, m1.model.formula, { REML: false });
  const fs = fitModel(ms);
  const inf = groupInfluence(small, ms, fs, "school");
  const top = inf.levels.map((l, k) => ({ l, k, d: inf.cooksDistance[k] ?? 0 })).sort((a, b) => b.d - a.d);
  const first = { ...inf, levels: top.slice(0, 5).map((t) => t.l), cooksDistance: top.slice(0, 5).map((t) => inf.cooksDistance[t.k]!), fixefWithout: top.slice(0, 5).map((t) => inf.fixefWithout[t.k]!), converged: top.slice(0, 5).map((t) => inf.converged[t.k]!) };
  md("influence", code(formatInfluence(first)));
  nums.influenceRows = small.nrow;
  nums.influenceTop = top[0]!.l;
  plot("cooks", {
    width: 640,
    height: 260,
    marginLeft: 50,
    x: { label: null, tickRotate: -60, tickSize: 0 },
    y: { label: "Cook's distance", grid: true },
    marginBottom: 70,
    marks: [Plot.barY(inf.levels.map((l, k) => ({ l, d: inf.cooksDistance[k] ?? 0 })), { x: "l", y: "d", fill: BLUE }), Plot.ruleY([0])],
  });
  return { files, nums };
}
