// Writes docs/reference/functions.md from the worksheet functions' own metadata:
// apps/excel-addin/dist/functions.json (custom-functions-metadata, from the JSDoc of
// apps/excel-addin/src/functions/functions.ts; the @returns lines are read from that source), and
// computes every example with the add-in's worksheet functions (apps/excel-addin/dist) on
// examples/nels_sim.csv (and a few other data sets of examples/), and the GLMM examples (family=binomial,
// lme4's glmer) on lme4's cbpp, examples/cbpp.csv (a copy of packages/core/test/conformance-glmm/cbpp.csv).
// Needs the add-in built: turbo run build --filter @hlm/excel-addin.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { cell, code, csvValues, isMain, referenceDir, repoRoot, table, writePage, general } from "./common.mjs";

export const functionsJsonPath = join(repoRoot, "apps/excel-addin/dist/functions.json");
const functionsSource = join(repoRoot, "apps/excel-addin/src/functions/functions.ts");
const worksheetFunctionsPath = join(repoRoot, "apps/excel-addin/dist/common/worksheetFunctions.js");
export const pagePath = join(referenceDir, "functions.md");

/** The data of the examples: examples/nels_sim.csv pasted at A1 (a header and 12,974 rows). */
const DATA = "A1:D12975";
/** The new rows of the HLM.PREDICT example, at F1:H4. */
export const NEW_ROWS = [
  ["school", "flp", "ses"],
  ["S001", 1, 0.5],
  ["S001", 3, -1],
  ["NEW", 2, 0],
];
const NEW_RANGE = "F1:H4";

/** lme4's sleepstudy (examples/sleepstudy.csv) at A1, for HLM.INFLUENCE. */
const SLEEP = { file: "examples/sleepstudy.csv", range: "A1:C181" };

/** nlme's Ovary (examples/Ovary.csv: Mare, Time, follicles, s1, c1) and Orthodont (distance, age, Subject, Sex) at A1, for the residual structures. */
const OVARY = { file: "examples/Ovary.csv", range: "A1:E309" };
const ORTHODONT = { file: "examples/Orthodont.csv", range: "A1:D109" };
const OVARY_F = "follicles ~ s1 + c1 + (1 | Mare)";

/** lme4's cbpp (examples/cbpp.csv: herd, incidence, size, period; 56 rows, 15 herds × 4 periods) at A1, for the GLMM examples. */
const CBPP = { file: "examples/cbpp.csv", range: "A1:D57" };
/** glmer's binomial model of cbpp: the cases of each herd and period out of its cattle, period a factor. */
export const GLMM_F = "cbind(incidence, size - incidence) ~ period + (1 | herd)";
const GLMM_OPTIONS = "family=binomial; factors=period";
/** The new rows of the GLMM HLM.PREDICT example, at F1:G4. */
export const GLMM_NEW_ROWS = [
  ["herd", "period"],
  [1, 1],
  [1, 4],
  ["NEW", 4],
];

const F = "score ~ flp * ses + (ses | school)";
const SLOPES = "score ~ ses + (ses | school)";

/**
 * One example per function: the arguments after the data range (`null` for an argument left
 * empty, as `=HLM.CONFINT(A1:D12975, F, , 0.9, "profile")`), and what the text around it says.
 */
export const EXAMPLES = {
  FIXEF: { args: [F, "ML"], note: "The fixed effects of the lecture's model, fitted by maximum likelihood." },
  RANEF: { args: [SLOPES, "school"], note: "The BLUPs of each school (REML, the default)." },
  COEF: { args: [SLOPES, "school"], note: "Each school's intercept and slope: the fixed effects plus its BLUPs." },
  VARCORR: { args: [F, "ML"], note: "The variance components as lme4's summary prints them." },
  SIGMA: { args: [F, "ML"] },
  LOGLIK: { args: [F, "ML"] },
  AIC: { args: [F, "ML"] },
  BIC: { args: [F, "ML"] },
  ICC: { args: ["score ~ 1 + (1 | school)"], note: "The share of the variance between schools in the empty model." },
  R2: { args: [F] },
  ANOVA: { args: [F, "ML"], note: "An F test per term; for these one-column terms F is t² of HLM.FIXEF." },
  INFLUENCE: {
    data: SLEEP,
    args: ["Reaction ~ Days + (Days | Subject)"],
    note: `It refits the model once per level, so it takes a while on many groups: this example uses lme4's \`sleepstudy\` (18 subjects; columns Reaction, Days, Subject) at ${SLEEP.range}.`,
  },
  CONFINT: { args: ["score ~ ses + (1 | school)", null, 0.9, "profile"], note: "90% profile-likelihood intervals of every parameter; the method is left empty (REML)." },
  PREDICT: {
    args: [F, { range: NEW_RANGE, values: NEW_ROWS }, "ML"],
    note: `With the new rows below in ${NEW_RANGE}; the school \`NEW\` is not in the data, so its prediction is the population one.`,
  },
  SHRINKAGE: { args: [SLOPES], note: "Each school's own OLS regression beside its BLUP coefficients." },
  SUMMARY: { args: [F, "ML"], note: "lme4's summary, a line per cell (use a fixed-width font such as Consolas for the column)." },
  CORSTRUCT: {
    data: OVARY,
    args: [OVARY_F, "ML", "correlation=corAR1()"],
    note: `nlme's \`Ovary\` (follicle counts of 11 mares over the estrus cycle) at ${OVARY.range}: AR(1) residuals within each mare, in the rows' order; Phi is nlme's.`,
  },
  VARFUNC: {
    data: ORTHODONT,
    args: ["distance ~ age * Sex + (1 | Subject)", null, "variance=varIdent(form = ~ 1 | Sex)"],
    note: `nlme's \`Orthodont\` at ${ORTHODONT.range}: a residual standard deviation per sex (REML); the reference stratum's ratio is 1.`,
  },
  VARCOV: {
    data: ORTHODONT,
    args: ["distance ~ age * Sex + (1 | Subject)", null, "variance=varIdent(form = ~ 1 | Sex)"],
    note: "The first subject's (F01, rows 66 to 69) within-group covariance τ² + σ² δ² I, as nlme's `getVarCov(m, type = \"marginal\")`; rows and columns labelled by sheet row.",
  },
  SQL: {
    noData: true,
    args: [SLOPES, "analytics.nels", "postgres", "columns=school:number"],
    note: "The query of the sums of the lecture's fit.1 for a warehouse's table `analytics.nels` (PostgreSQL); its result, opened in a sheet, is data for the other functions (see [Data in files and databases](../guide/databases)).",
  },
};

/**
 * The worked examples of a generalized linear mixed model (lme4's glmer), in the sections of the
 * functions they call, after the linear one: the options' `family=binomial` on cbpp at A1:D57. The
 * four share one fit (the same data, formula and options).
 */
export const GLMM_EXAMPLES = {
  FIXEF: {
    data: CBPP,
    args: [GLMM_F, null, GLMM_OPTIONS],
    note: `A generalized linear mixed model, lme4's \`glmer(${GLMM_F}, cbpp, binomial)\`: lme4's \`cbpp\` (\`examples/cbpp.csv\`; cases of contagious bovine pleuropneumonia, \`incidence\` of \`size\` cattle, in 15 herds over 4 periods) at ${CBPP.range}, \`period\` a factor. The method is left empty: a GLMM is fitted by maximum likelihood. Estimates are on the logit scale, with glmer's z tests.`,
  },
  RANEF: {
    data: CBPP,
    args: [GLMM_F, "herd", null, GLMM_OPTIONS],
    note: "The same binomial model: each herd's conditional mode, its shift of the log-odds from the typical herd's.",
  },
  ICC: {
    data: CBPP,
    args: [GLMM_F, null, null, null, GLMM_OPTIONS],
    note: "The same binomial model: performance's latent-scale ICC, the herds' variance over it plus π²/3 (the logistic distribution's).",
  },
  PREDICT: {
    data: CBPP,
    args: [GLMM_F, { range: "F1:G4", values: GLMM_NEW_ROWS }, null, GLMM_OPTIONS],
    note: "The same binomial model with the new rows below in F1:G4: lme4's `predict(m, newdata, type = \"response\")`, each row's probability with its herd's mode and without (the herd `NEW` gets the population one), then the logit and its standard error.",
  },
};

/** Data rows of a spilled table shown on the page (the rest is counted). */
const SHOWN_ROWS = 5;

/** The functions' metadata (functions.json). */
export function readFunctionsJson(path = functionsJsonPath) {
  if (!existsSync(path)) throw new Error(`${path} is missing: build the add-in first (npx --yes pnpm@10.34.9 -s turbo run build --filter @hlm/excel-addin)`);
  return JSON.parse(readFileSync(path, "utf8")).functions;
}

/** The `@returns` text of each `@customfunction ID` in the JSDoc of functions.ts (functions.json keeps only the type). */
export function returnsById(source = readFileSync(functionsSource, "utf8")) {
  const out = {};
  for (const m of source.matchAll(/\/\*\*([\s\S]*?)\*\//g)) {
    const id = /@customfunction\s+(\w+)/.exec(m[1])?.[1];
    const ret = /@returns\s+([^\n]*)/.exec(m[1])?.[1];
    if (id && ret) out[id] = ret.replace(/\s*\*?\s*$/, "").trim();
  }
  return out;
}

/** The call as typed in a cell: optional parameters in brackets. */
export const signature = (fn) => `=HLM.${fn.name}(${fn.parameters.map((p) => (p.optional ? `[${p.name}]` : p.name)).join(", ")})`;

/** A parameter's type as the page shows it. */
const paramType = (p) => (p.dimensionality === "matrix" ? "range" : p.type === "any" ? "any" : p.type);

/** An argument as typed in a formula bar. */
function argText(a) {
  if (a === null) return "";
  if (typeof a === "string") return `"${a}"`;
  if (typeof a === "object") return a.range;
  return String(a);
}

/** The example's formula, as typed in a cell. */
export const exampleCall = (name, ex) => `=HLM.${name}(${[...(ex.noData ? [] : [ex.data?.range ?? DATA]), ...ex.args.map(argText)].join(", ")})`;

/** The new rows an example reads, as a table of the page: F1:H4 or F1:G4. */
function newRowsTable(arg) {
  const cols = arg.values[0].map((_, j) => String.fromCharCode(70 + j));
  return table(["", ...cols], arg.values.map((r, i) => [`**${i + 1}**`, ...r.map(String)]));
}

/** An example as the page shows it: its note, the new rows it reads, the call, and the cells it spills. */
async function renderExample(heading, id, ex, data) {
  const cells = await evaluateExample(id, ex, ex.data ? csvValues(join(repoRoot, ex.data.file)) : data);
  const out = [heading + (ex.note ? ` ${ex.note}` : ""), ""];
  const rows = ex.args.find((a) => a !== null && typeof a === "object");
  if (rows) out.push(newRowsTable(rows), "");
  out.push("```text", exampleCall(id, ex), "```", "", renderResult(id, cells), "");
  return out;
}

/** Runs an example with the add-in's worksheet functions: the spilled cells. */
export async function evaluateExample(name, ex, data) {
  const wf = await import(pathToFileURL(worksheetFunctionsPath).href);
  const fn = {
    FIXEF: wf.fixef, RANEF: wf.ranef, COEF: wf.coef, VARCORR: wf.varcorr, SIGMA: wf.sigma, LOGLIK: wf.logLik, AIC: wf.aic, BIC: wf.bic,
    ICC: wf.icc, R2: wf.r2, ANOVA: wf.anova, INFLUENCE: wf.influence, CONFINT: wf.confint, PREDICT: wf.predict, SHRINKAGE: wf.shrinkage, SUMMARY: wf.summary,
    CORSTRUCT: wf.corstruct, VARFUNC: wf.varfunc, VARCOV: wf.varcov, SQL: wf.sql,
  }[name];
  if (!fn) throw new Error(`no worksheet function for ${name}`);
  if (ex.noData) return fn(...ex.args);
  return fn(data, ...ex.args.map((a) => (a !== null && typeof a === "object" ? a.values : a ?? undefined)));
}

/** The spilled result as the page shows it. */
function renderResult(name, cells) {
  if (cells.length === 1 && cells[0].length === 1) return `It returns \`${general(cells[0][0])}\`.`;
  if (name === "SUMMARY" || name === "SQL") return `It spills ${cells.length} rows into one column:\n\n\`\`\`text\n${cells.map((r) => r[0] ?? "").join("\n")}\n\`\`\``;
  // a header row is a row of text (HLM.R2's two labelled rows have none)
  const hasHeader = cells[0].every((c) => typeof c === "string");
  const header = hasHeader ? cells[0] : cells[0].map(() => " ");
  const rows = hasHeader ? cells.slice(1) : cells;
  const shown = rows.slice(0, SHOWN_ROWS).map((r) => r.map((c) => cell(general(c))));
  const more = rows.length - shown.length;
  if (more > 0) shown.push(header.map((_, i) => (i === 0 ? `… ${more} more rows` : "")));
  const numeric = header.map((_, i) => rows.every((r) => typeof r[i] === "number" || r[i] === null));
  return `It spills ${cells.length} rows × ${header.length} columns${hasHeader ? ", a header row first" : ""}:\n\n${table(header.map((h) => cell(general(h))), shown, numeric.map((n) => (n ? "right" : "left")))}`;
}

const INTRO = `# Worksheet functions

The Excel add-in adds the functions below to every workbook, in the namespace \`HLM\`: type
\`=HLM.\` in a cell and Excel lists them. Each takes the data range (its first row the header naming
the columns) and an lme4 [model formula](./formula) as text, fits the linear mixed model (or, with
a family in its options, the generalized one), and returns one part of the result. This page is
generated from the functions' own metadata (\`functions.json\`, built from their JSDoc), and every
example below is computed by the add-in's code on \`examples/nels_sim.csv\` (and \`examples/cbpp.csv\`
for the GLMM examples) when the site is built.

- **Spilled arrays.** Functions that return a table (\`HLM.FIXEF\`, \`HLM.RANEF\`, …) spill it
  into the cells below and to the right, a header row first; blank cells of the result stay empty.
  Leave room for them, or Excel shows \`#SPILL!\`. Functions of one number (\`HLM.SIGMA\`,
  \`HLM.AIC\`, \`HLM.ICC\`, …) return that number.
- **Estimation.** \`method\` is \`"REML"\` (the default) or \`"ML"\`, in any case; an empty argument
  takes the default, so \`=HLM.CONFINT(A1:D100, F, , 0.9)\` skips \`method\`. Text columns and
  grouping variables are categorical, with treatment contrasts (see [the formula language](./formula)).
- **Errors.** A problem with the data, the formula or an argument gives \`#VALUE!\`; asking for
  something the model does not have (a grouping factor that is not in the formula) gives \`#N/A\`.
  Either way the cell carries a message (hover over the error, or select the cell), which names the
  formula position, the column, or the cell and row as the sheet counts them, e.g.
  *Unknown column 'SES' in formula 'score ~ SES + (1 | school)' (position 9); did you mean 'ses'?*
  A number that cannot be computed is \`#NUM!\`.
- **One fit, shared.** Functions on the same data, formula and method share one fit: a workbook with
  \`HLM.FIXEF\`, \`HLM.VARCORR\` and \`HLM.SIGMA\` on the same model fits it once. The add-in keeps the
  last 20 fits (keyed by the range's values, the formula and the method; an error is remembered too),
  and a change in the data or the formula fits again.

The examples assume the data of \`examples/nels_sim.csv\` pasted at \`A1\` (columns \`school\`,
\`flp\`, \`ses\`, \`score\`; 12,974 students in 684 schools), so the data range is \`${DATA}\`.

**Generalized linear mixed models.** With \`family=binomial\` or \`family=poisson\` in the options (and
\`link=\`, \`nagq=\`), the functions fit lme4's \`glmer\` instead: a binary, successes-of-trials or count
response. \`HLM.FIXEF\`, \`HLM.RANEF\`, \`HLM.ICC\` and \`HLM.PREDICT\` below each have a second, GLMM
example, on lme4's \`cbpp\` (\`examples/cbpp.csv\`: \`herd\`, \`incidence\`, \`size\`, \`period\`; 56 rows)
pasted at \`A1\`, so the data range is \`${CBPP.range}\`.
`;

/** The whole page: intro, an index, and a section per function in functions.json order. */
export async function renderFunctionsPage({ functions = readFunctionsJson(), returns = returnsById() } = {}) {
  const data = csvValues(join(repoRoot, "examples/nels_sim.csv"));
  const parts = [INTRO];
  parts.push(`| function | what |\n| --- | --- |\n${functions.map((f) => `| [\`HLM.${f.name}\`](#hlm-${f.name.toLowerCase()}) | ${cell(f.description.split(/(?<=[.:;])\s/)[0].replace(/[:;]$/, ""))} |`).join("\n")}\n`);
  for (const f of functions) {
    const ex = EXAMPLES[f.id];
    if (!ex) throw new Error(`functions.json has ${f.id}, which has no example in docs/scripts/reference/functions.mjs: add one`);
    const out = [`## HLM.${f.name}`, "", "```text", signature(f), "```", "", cell(f.description), ""];
    out.push(table(["parameter", "type", "optional", "description"], f.parameters.map((p) => [code(p.name), paramType(p), p.optional ? "yes" : "no", cell(p.description ?? "")])));
    const kind = f.result?.dimensionality === "matrix" ? "a spilled array" : `a ${f.result?.type ?? "value"}`;
    out.push("", `**Result:** ${kind}. ${cell(returns[f.id] ?? "")}`.trimEnd(), "");
    out.push(...(await renderExample("**Example.**", f.id, ex, data)));
    const glmm = GLMM_EXAMPLES[f.id];
    if (glmm) out.push(...(await renderExample("**GLMM example.**", f.id, glmm, data)));
    parts.push(out.join("\n"));
  }
  const extra = [...Object.keys(EXAMPLES), ...Object.keys(GLMM_EXAMPLES)].filter((id) => !functions.some((f) => f.id === id));
  if (extra.length) throw new Error(`examples for functions that functions.json does not have: ${extra.join(", ")}`);
  return parts.join("\n");
}

if (isMain(import.meta.url)) {
  writePage(pagePath, await renderFunctionsPage());
  console.log(`wrote ${pagePath}`);
}
