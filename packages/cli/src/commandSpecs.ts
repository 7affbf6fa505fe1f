/**
 * The commands of `hlm` as data: each command's usage line, what it does, and its options with
 * their help. The option parser (parseCommandLine.ts), `hlm --help` and `hlm COMMAND --help` all
 * read them from here, so the help cannot drift from what a command accepts.
 */

/** One option of a command: a flag (boolean) or an option with a value (string). */
export interface OptionSpec {
  type: "boolean" | "string";
  /** Given more than once (compare's --formula). */
  multiple?: boolean;
  /** The value's name in the help (`--formula F`). */
  value?: string;
  help: string;
}

export interface CommandSpec {
  name: CommandName;
  /** The synopsis, after `hlm `. */
  usage: string;
  /** One line for `hlm --help` (at most 63 characters). */
  summary: string;
  /** What the command does and prints: paragraphs apart by a blank line, reflowed to the help's width; a line starting with `--` starts an item of a list. */
  description: string;
  options: Record<string, OptionSpec>;
}

export type CommandName = "fit" | "compare" | "anova" | "confint" | "predict" | "icc" | "r2" | "influence" | "sql";

const formula: OptionSpec = { type: "string", value: "F", help: "the model, in lme4's formula language (required): \"y ~ x + (x | g)\"" };

const correlation: OptionSpec = {
  type: "string",
  value: "C",
  help: 'a residual correlation structure in nlme\'s language: corAR1, corCAR1, corExp, corCompSymm or corSymm, as "corAR1(form = ~ t | g)"',
};
const variance: OptionSpec = { type: "string", value: "V", help: 'a residual variance function in nlme\'s language: varIdent, varPower or varExp, as "varIdent(form = ~ 1 | s)"' };

/** The options every command takes: the model's, the data's, and --help. */
const COMMON: Record<string, OptionSpec> = {
  formula,
  ml: { type: "boolean", help: "fit by maximum likelihood (the default is REML)" },
  reml: { type: "boolean", help: "fit by REML (the default)" },
  factors: { type: "string", value: "a,b", help: "numeric columns to treat as categorical" },
  weights: { type: "string", value: "w", help: "the column of prior weights" },
  correlation,
  variance,
  sheet: { type: "string", value: "NAME", help: "the sheet of an .xlsx data file (default: the first)" },
  table: { type: "string", value: "T", help: "the table to fit, in a DuckDB database file (.duckdb) or a PostgreSQL database (DATA is postgresql://user@host/db)" },
  where: { type: "string", value: "COND", help: "fit the rows of the table where COND holds, a condition in the database's SQL: \"year >= 2020\"" },
  engine: { type: "string", value: "E", help: "duckdb: have DuckDB read a CSV file and compute the sums (for files larger than memory); memory: read it here (the default for CSV)" },
  family: { type: "string", value: "FAM", help: "fit a generalized linear mixed model (lme4's glmer) of the family binomial or poisson (hlm fit, compare, confint, predict, icc and r2)" },
  help: { type: "boolean", help: "this text" },
};

/** Where the rows of `hlm fit` are when a database computes the sums. */
const DATABASE: Record<string, OptionSpec> = {
  "cross-products": { type: "string", value: "FILE", help: "fit from the result of the query hlm sql prints, run elsewhere and saved as Parquet or CSV (no DATA then)" },
  "write-fitted": { type: "string", value: "TABLE", help: "also write every row with its fitted value and residual as a new table of the database (DuckDB or PostgreSQL)" },
  columns: { type: "string", value: "a:kind,...", help: "with --cross-products (and hlm sql): the kinds of columns, number, text or boolean, where they are not the default (grouping factors and --factors: text; others: number)" },
};

/** A warehouse's result as the data of the commands after the fit (hlm anova, confint, predict, icc, r2, influence). */
const SUMS_RESULT: Record<string, OptionSpec> = {
  "cross-products": { type: "string", value: "FILE", help: "the model's sums: the result of the query hlm sql prints, run elsewhere and saved as Parquet or CSV (no DATA then)" },
  columns: DATABASE.columns!,
};

const json = (what: string): OptionSpec => ({ type: "boolean", help: `print ${what} as JSON (warnings go to stderr, a line each)` });

/** The options of a generalized linear mixed model besides --family (hlm fit, compare, confint, predict, icc, r2). */
const GLMM: Record<string, OptionSpec> = {
  link: { type: "string", value: "L", help: "the link of --family: logit (the default), probit or cloglog for binomial; log for poisson" },
  nagq: { type: "string", value: "N", help: "points of adaptive Gauss-Hermite quadrature with --family, 1 to 100 (default 1: the Laplace approximation; more needs one scalar random-effects term)" },
};

export const COMMANDS: Record<CommandName, CommandSpec> = {
  fit: {
    name: "fit",
    usage: 'fit DATA --formula "y ~ x + (x | g)" [--ml] [--factors a,b] [--weights w] [--correlation C] [--variance V] [--ddf D] [--family FAM] [--link L] [--nagq N] [--json] [--shrinkage] [--xlsx OUT.xlsx]',
    summary: "lme4's summary of the model (lmer's or glmer's), with p-values",
    description: `Fits the model and prints lme4's summary() with lmerTest's Satterthwaite degrees of freedom and
p-values: the criterion (REML by default, --ml for maximum likelihood), the scaled residuals, the
variance components, the fixed effects and their correlations, and the fit's warnings at the end
(rows dropped for missing values, columns dropped for rank deficiency, a singular fit, no
convergence). R: lmer(y ~ x + (x | g), data, REML = FALSE) for --ml.

With --correlation or --variance, the residuals get nlme's structure within groups: the model is
nlme's lme(y ~ x, random = ~ x | g, correlation = C, weights = V), and the summary adds nlme's
sections (Correlation Structure, Variance function, the first group's covariance). --ddf
containment gives the fixed effects nlme's t-table (its containment df; under ML its standard
errors); the default is Satterthwaite's.

With --family binomial or poisson, a generalized linear mixed model as lme4's glmer(formula, data,
family = binomial(link = L), weights = w, nAGQ = N): the Laplace approximation, or with --nagq N > 1
adaptive Gauss-Hermite quadrature (one scalar random-effects term only). A binomial response is a
0/1 column, a two-level column, cbind(successes, failures), or a proportion with --weights trials.
The summary is glmer's: z tests of the fixed effects, no residual variance; --xlsx writes it as
the sheets HLM Summary (with odds or rate ratios) and HLM Random Effects. The options --ddf
containment, --shrinkage, --correlation and --variance do not apply to it yet.

With --json, one JSON object instead: the fields of lme4's reference fits (fixef, se, vcov, theta,
sigma, varcorr, ranef with condsd, logLik, AIC, BIC, satterthwaite_df, t_values, t_df, p_values,
...) plus fit_seconds, with a structure nlme's fields (cor_params, var_params, marginal_cov, ...),
and with --shrinkage the shrinkage table under "shrinkage"; with --family, the fields of glmer's
references (z_values, vcov_source, se_rx, deviance, pearson_resid_quantiles, ...).`,
    options: {
      ...COMMON,
      ddf: { type: "string", value: "D", help: "the fixed effects' df: satterthwaite (the default, lmerTest's) or containment (nlme's t-table)" },
      ...GLMM,
      json: json("the fit"),
      shrinkage: { type: "boolean", help: "also the shrinkage table: per group, its size, its own OLS estimates and its BLUP coefficients" },
      xlsx: { type: "string", value: "OUT.xlsx", help: "also write a workbook with the sheets HLM Summary, HLM Random Effects and HLM Shrinkage (with --family the first two; an existing OUT.xlsx is replaced)" },
      repeat: { type: "string", value: "N", help: "fit N times and report the median fit time in fit_seconds (with --json)" },
      ...DATABASE,
    },
  },
  compare: {
    name: "compare",
    usage: 'compare DATA --formula "y ~ x + (1 | g)" --formula "y ~ x + (x | g)" [...] [--correlation C ...] [--variance V ...] [--family FAM] [--link L] [--nagq N] [--json]',
    summary: "nested models by likelihood-ratio tests: anova(m0, m1, ...)",
    description: `Compares nested models as lme4's anova(m0, m1, ...): give --formula once per model. REML fits are
refitted by ML first (as lme4 does, with its note), the models are sorted by their number of
parameters, and each is tested against the one above it by a likelihood-ratio chi-square test,
with AIC, BIC, logLik and deviance beside it.

Residual structures (nlme's anova(m0, m1)): give --correlation and --variance once per --formula,
in order, the word none for a model without one; or one --formula with a structure, to compare the
model without and with it. When a model has a structure and all are REML fits with the same fixed
effects, their REML likelihoods are compared as they are (as nlme does; a note says so); otherwise
they are refitted by ML. Each model's structure follows its formula in the table.

With --family binomial or poisson, the models are generalized linear mixed models fitted as
lme4's glmer (the same family, link, weights and --nagq for all), compared as anova(glmer0,
glmer1, ...) compares them.

DATA may also be a Parquet file, a DuckDB file with --table, a PostgreSQL database with --table or a
CSV file with --engine duckdb (as for hlm fit): each model is fitted by maximum likelihood from the
sums the database computes, and compared as from rows in memory.`,
    options: {
      ...COMMON,
      ...GLMM,
      formula: { ...formula, multiple: true, help: "a model; give one per model, at least two (or one with a structure) (required)" },
      correlation: { ...correlation, multiple: true, help: "a model's residual correlation structure, once per --formula (none: no structure), as \"corAR1()\"" },
      variance: { ...variance, multiple: true, help: "a model's residual variance function, once per --formula (none: no structure), as \"varIdent(form = ~ 1 | s)\"" },
      json: json("the table"),
    },
  },
  anova: {
    name: "anova",
    usage: "anova DATA --formula F [--json]",
    summary: "type III F tests with Satterthwaite's df: lmerTest's anova(m)",
    description: `Prints lmerTest's anova(m): a type III F test per fixed-effects term, with Satterthwaite's
denominator degrees of freedom. A factor with k levels is one term of k - 1 columns; terms
contained in others (a and b in a:b) are tested with lmerTest's orthogonalized contrasts.`,
    options: { ...COMMON, ...SUMS_RESULT, json: json("the table") },
  },
  confint: {
    name: "confint",
    usage: "confint DATA --formula F [--method profile|wald|boot] [--level 0.95] [--nsim 500] [--seed N] [--family FAM] [--json]",
    summary: "profile, Wald or bootstrap confidence intervals: confint(m)",
    description: `Confidence intervals, as lme4's confint(m):

--method profile (the default, as in lme4): profile-likelihood intervals of every parameter: the
  standard deviations and correlations of the random effects (sd_(Intercept)|g, cor_...), sigma,
  and the fixed effects.
--method wald: Wald intervals of the fixed effects, estimate +- z x SE (instant).
--method boot: a parametric bootstrap of --nsim refits (default 500) from --seed; with the same
  seed the simulated responses are R's after set.seed(seed), so the intervals are lme4's.

Profiles and bootstraps refit the model many times: progress is shown on stderr when it is a
terminal. A model with --correlation or --variance has Wald intervals only.

With --family binomial or poisson (a GLMM, as lme4's glmer): --method profile (the default)
profiles the fit's criterion (Laplace or quadrature) over the random effects' SDs and
correlations and the fixed effects, as lme4's confint(m); --method wald is lme4's confint(m,
method = "Wald"), NA for the SDs and correlations and estimate +- z x SE (lme4's Hessian-based SE)
for the fixed effects; bootstrap intervals of a GLMM are not available yet.`,
    options: {
      ...COMMON,
      ...GLMM,
      method: { type: "string", value: "M", help: "profile (the default), wald or boot" },
      level: { type: "string", value: "L", help: "the confidence level (default 0.95)" },
      nsim: { type: "string", value: "N", help: "bootstrap refits (default 500)" },
      seed: { type: "string", value: "S", help: "the bootstrap's random seed, as R's set.seed (default: one chosen and printed)" },
      ...SUMS_RESULT,
      json: json("the intervals"),
    },
  },
  predict: {
    name: "predict",
    usage: "predict DATA --formula F --newdata NEW.csv [--no-re] [--family FAM] [--type link|response] [--json]",
    summary: "predictions for new rows: predict(m, newdata)",
    description: `Predictions for the rows of --newdata (a CSV or .xlsx file with the columns the formula uses; the
response may be absent), as lme4's predict(m, newdata, allow.new.levels = TRUE). Prints the new
rows as CSV followed by fit (the prediction, with the BLUPs of each row's groups), population (the
fixed part X b), se (the standard error of X b) and new_levels (the grouping factors whose level
the fit has not seen: for those the prediction leaves that term's random effects out). With
--json, the same as an array of rows, each an object.

With --family binomial or poisson (a GLMM, as lme4's glmer), lme4's predict(m, newdata, type,
allow.new.levels = TRUE): fit and population on the scale of --type, link (the linear predictor,
lme4's default) or response (a probability, a mean count), and se_link, the standard error of X b on
the link scale.`,
    options: {
      ...COMMON,
      ...GLMM,
      type: { type: "string", value: "T", help: "with --family: the scale of the predictions, link (the default, as lme4's) or response" },
      newdata: { type: "string", value: "NEW.csv", help: "the rows to predict (required)" },
      "no-re": { type: "boolean", help: "predict from the fixed effects only (lme4's re.form = NA)" },
      ...SUMS_RESULT,
      json: json("the predictions"),
    },
  },
  icc: {
    name: "icc",
    usage: "icc DATA --formula F [--json]",
    summary: "the intraclass correlation: performance's icc(m)",
    description: `The intraclass correlation as performance::icc(m): the adjusted ICC (the random effects' share of
the variance not explained by the fixed effects) and the unadjusted one (their share of the total).

With --family binomial or poisson, on the latent scale as performance computes it for a glmer fit:
the residual variance is pi^2/3 (logit), 1 (probit), pi^2/6 (cloglog), or for poisson log(1 + 1/mu)
with mu from the intercept-only model; NA when a variance component is 0.`,
    options: { ...COMMON, ...GLMM, ...SUMS_RESULT, json: json("the ICCs") },
  },
  r2: {
    name: "r2",
    usage: "r2 DATA --formula F [--json]",
    summary: "Nakagawa's marginal and conditional R²: r2_nakagawa(m)",
    description: `Nakagawa's R² as performance::r2_nakagawa(m): the marginal R² (the variance explained by the fixed
effects) and the conditional R² (by the fixed and random effects together).

With --family binomial or poisson, on the latent scale as performance computes it for a glmer fit
(the residual variance as for hlm icc); the conditional R² is NA when a variance component is 0.`,
    options: { ...COMMON, ...GLMM, ...SUMS_RESULT, json: json("the R²s") },
  },
  influence: {
    name: "influence",
    usage: "influence DATA --formula F [--group G] [--json]",
    summary: "each group's Cook's distance (refits without it): influence(m)",
    description: `Refits the model without each level of a grouping factor and prints, per level, Cook's distance
and the change in each fixed effect, as lme4's influence(m, groups) with cooks.distance();
converged says whether the refit converged. It fits the model once per level, so it takes a
while on many groups: progress is shown on stderr when it is a terminal.`,
    options: { ...COMMON, ...SUMS_RESULT, group: { type: "string", value: "G", help: "the grouping factor (default: the model's first)" }, json: json("the table") },
  },
  sql: {
    name: "sql",
    usage: 'sql --dialect D --table T --formula "y ~ x + (x | g)" [--factors a,b] [--weights w] [--where COND] [--columns a:kind,...]',
    summary: "the SQL that computes a model's sums, for a warehouse",
    description: `Prints the one query that computes what a linear mixed model needs of its rows: per cell (the rows
that share every categorical variable's value) the sums of products of the model's columns, and a
few counts and extremes for the model frame's checks. Run it where the data are (Spark SQL,
BigQuery, PostgreSQL, DuckDB), save its result as Parquet or CSV, and fit from it with hlm fit
--cross-products RESULT --formula F (the same --formula, --factors, --weights and --columns). Only
O(cells) numbers come back, however many rows the table has.

The query knows the columns only from the formula: grouping factors and --factors are categorical
(their values cast to text, levels sorted as text), every other column numeric. --columns
School:number sorts a numeric grouping factor's levels by value, as R does.

Formulas may use arithmetic, log(), log10(), sqrt(), exp(), abs(), sin(), cos(), tan(), round(),
pmin(), pmax(), I(), scale() and poly() on numeric columns, comparisons (I(x > 2), I(sex == "F")),
factor(), ordered() and relevel() of a column, interactions, offsets and prior weights; ns(), bs()
and interaction() are not written in SQL (fit from a file). hlm fit on a Parquet, DuckDB or
PostgreSQL source runs the same query itself.`,
    options: {
      formula,
      dialect: { type: "string", value: "D", help: "the SQL dialect: duckdb, postgres, spark or bigquery (required)" },
      table: { type: "string", value: "T", help: "the table (or schema.table) the rows are in (required)" },
      factors: COMMON.factors!,
      weights: COMMON.weights!,
      where: COMMON.where!,
      columns: DATABASE.columns!,
      help: COMMON.help!,
    },
  },
};

export const COMMAND_NAMES = Object.keys(COMMANDS) as CommandName[];

/** The width of the help texts, as a terminal's. */
const WIDTH = 80;

/** The options of a command laid out as help: `  --name VALUE   help`, help wrapped under itself. */
function optionLines(options: Record<string, OptionSpec>): string[] {
  const entries = Object.entries(options).sort(([a], [b]) => (a === "help" ? 1 : b === "help" ? -1 : 0));
  const heads = entries.map(([name, o]) => `  --${name}${o.value ? ` ${o.value}` : ""}`);
  const width = Math.max(...heads.map((h) => h.length)) + 2;
  return entries.flatMap(([, o], i) => wrap(o.help, WIDTH - width).map((line, j) => (j === 0 ? heads[i]!.padEnd(width) : " ".repeat(width)) + line));
}

/** Words of `text` in lines of at most `width` characters (a quoted text, with the punctuation after it, is one word; a longer word stands alone). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.match(/"[^"]*"[^\s"]*|\S+/g) ?? []) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  return [...lines, line];
}

/** Paragraphs reflowed to WIDTH; list items (`--method wald: …`) with their later lines indented by two. */
function reflow(text: string, indent = ""): string {
  return text
    .split(/\n\s*\n/)
    .map((paragraph) => {
      const items: string[] = [];
      for (const line of paragraph.split("\n")) {
        if (line.startsWith("--") || items.length === 0) items.push(line);
        else items[items.length - 1] += ` ${line.trim()}`;
      }
      return items
        .flatMap((item) => {
          const hanging = item.startsWith("--") ? "  " : "";
          return wrap(item, WIDTH - indent.length - hanging.length).map((l, j) => indent + (j === 0 ? l : hanging + l));
        })
        .join("\n");
    })
    .join("\n\n");
}

/** A usage line wrapped at WIDTH, later lines under the first argument. */
function usageLines(head: string, usage: string): string {
  const [command, ...args] = usage.split(" ");
  const prefix = `${head}hlm ${command} `;
  const words = args.join(" ").match(/"[^"]*"|\[[^\]]*\]|\S+/g) ?? [];
  const lines: string[] = [];
  let line = "";
  for (const w of words) {
    if (line !== "" && prefix.length + line.length + 1 + w.length > WIDTH) {
      lines.push(line);
      line = w;
    } else line = line === "" ? w : `${line} ${w}`;
  }
  lines.push(line);
  return lines.map((l, i) => (i === 0 ? prefix : " ".repeat(prefix.length)) + l).join("\n");
}

const DATA_NOTE = `DATA is a CSV file (comma, tab or semicolon separated) with a header line, or an
Excel workbook (.xlsx): its first sheet, or the one given with --sheet, with the
header in its first row. hlm fit (and compare, anova, confint by profile or
Wald, icc, r2, predict) also fit a linear mixed model where a database computes
its sums: a Parquet file, a DuckDB file with --table, a PostgreSQL database
(postgresql://user@host/db --table T), or a CSV file with --engine duckdb.`;

const EXIT_NOTE = `Exit status: 0 done; 2 a problem with the input (the formula, the data, the
options or the file, or data the model cannot be fitted to), said in one line on
stderr; 1 an internal error.`;

/** `hlm --help`. */
export function globalHelp(): string {
  const width = Math.max(...COMMAND_NAMES.map((n) => n.length)) + 2;
  return `Usage: hlm COMMAND DATA --formula "y ~ x + (x | g)" [options]

Linear mixed models (lme4's lmer), and generalized ones (glmer: binomial,
Poisson), fitted to a CSV file or an Excel workbook, printed as R prints them.

Commands:
${COMMAND_NAMES.map((n) => `  hlm ${n.padEnd(width)}${COMMANDS[n].summary}`).join("\n")}

Every command takes --formula F, --ml (the default is REML), --factors a,b,
--weights w, --correlation C and --variance V (nlme's residual structures, as
"corAR1(form = ~ t | g)", "varIdent(form = ~ 1 | s)"), --sheet NAME, --json and
--help (hlm sql has its own). --family binomial|poisson makes the model a
generalized linear mixed model (lme4's glmer) in hlm fit, compare, confint,
predict, icc and r2.
'hlm COMMAND --help' describes a command and all its options.

${DATA_NOTE}

${EXIT_NOTE}
`;
}

/** `hlm COMMAND --help`. */
export function commandHelp(name: CommandName): string {
  const c = COMMANDS[name];
  return `${usageLines("Usage: ", c.usage)}

${reflow(c.description)}

${DATA_NOTE}

Options:
${optionLines(c.options).join("\n")}
`;
}
