// Writes docs/reference/cli.md: the `hlm` command's own usage text (`hlm --help`), a hand-written
// explanation per command, and one example each, run with the built CLI when the page is generated
// (its output pasted by this script, never by hand). Needs the CLI built:
// turbo run build --filter @hlm/cli. The influence example reads examples/sleepstudy.csv (lme4's
// sleepstudy); the others read examples/nels_sim.csv.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isMain, referenceDir, repoRoot, writePage } from "./common.mjs";

const mainJs = join(repoRoot, "packages/cli/dist/main.js");
export const pagePath = join(referenceDir, "cli.md");
/** The new rows of the predict example (in the repository, beside this page). */
export const NEWDATA = "docs/reference/data/nels_new.csv";

/** Runs `hlm ARGS` from the repository root: stdout, stderr and the exit status. */
export function hlm(args) {
  if (!existsSync(mainJs)) throw new Error(`${mainJs} is missing: build the CLI first (npx --yes pnpm@10.34.9 -s turbo run build --filter @hlm/cli)`);
  const r = spawnSync(process.execPath, [mainJs, ...args], { cwd: repoRoot, encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

/** An argument as a shell shows it: quoted when it has spaces or shell characters. */
const shellArg = (a) => (/^[\w./,:=@%+-]+$/.test(a) ? a : `"${a.replace(/(["\\$`])/g, "\\$1")}"`);
/** The command line of an example, as typed. */
export const commandLine = (args) => `hlm ${args.map(shellArg).join(" ")}`;

/**
 * One example per command: the arguments, how many lines of its output the page shows (the rest is
 * counted), and the exit status it must end with.
 */
export const CLI_EXAMPLES = [
  { command: "fit", args: ["fit", "examples/nels_sim.csv", "--formula", "score ~ flp * ses + (ses | school)", "--ml"] },
  { command: "compare", args: ["compare", "examples/nels_sim.csv", "--formula", "score ~ flp + ses + (1 | school)", "--formula", "score ~ flp + ses + (ses | school)"] },
  { command: "anova", args: ["anova", "examples/nels_sim.csv", "--formula", "score ~ flp * ses + (ses | school)", "--factors", "flp"] },
  { command: "confint", args: ["confint", "examples/nels_sim.csv", "--formula", "score ~ ses + (1 | school)", "--method", "profile"] },
  { command: "predict", args: ["predict", "examples/nels_sim.csv", "--formula", "score ~ flp * ses + (ses | school)", "--ml", "--newdata", NEWDATA] },
  { command: "icc", args: ["icc", "examples/nels_sim.csv", "--formula", "score ~ 1 + (1 | school)"] },
  { command: "r2", args: ["r2", "examples/nels_sim.csv", "--formula", "score ~ flp * ses + (ses | school)"] },
  { command: "influence", args: ["influence", "examples/sleepstudy.csv", "--formula", "Reaction ~ Days + (Days | Subject)"] },
  { command: "error", args: ["fit", "examples/nels_sim.csv", "--formula", "score ~ SES + (1 | school)"], status: 2 },
];

/** What each command is, hand-written; `{example}` is where its example goes. */
const COMMANDS = {
  fit: `## hlm fit

Fits the model and prints lme4's \`summary()\` with lmerTest's Satterthwaite degrees of freedom and
p-values: the criterion (REML by default, \`--ml\` for maximum likelihood), the scaled residuals, the
variance components, the fixed effects and their correlations, and the fit's warnings at the end
(rows dropped for missing values, columns dropped for rank deficiency, a singular fit, no
convergence). R's \`lmer(score ~ flp * ses + (ses | school), data, REML = FALSE)\`.

- \`--json\` prints one JSON object instead: the fields of lme4's reference fits (\`fixef\`, \`se\`,
  \`vcov\`, \`theta\`, \`sigma\`, \`varcorr\`, \`ranef\` with \`condsd\`, \`logLik\`, \`AIC\`, \`BIC\`,
  \`satterthwaite_df\`, \`p_values\`, …) plus \`fit_seconds\`; the warnings go to stderr, a line each.
  \`--repeat N\` fits N times and reports the median time.
- \`--shrinkage\` adds the shrinkage table: per level of the first grouping factor, its size, its own
  OLS estimates (blank where they cannot be estimated) and its BLUP coefficients.
- \`--xlsx OUT.xlsx\` also writes a workbook with the sheets \`HLM Summary\`, \`HLM Random Effects\` and
  \`HLM Shrinkage\`, the tables the Excel add-in writes.
- \`--factors a,b\` makes numeric columns categorical; \`--weights w\` takes prior weights from a column;
  \`--sheet NAME\` picks the sheet of an \`.xlsx\` file (default the first).

{example}`,
  compare: `## hlm compare

Compares nested models as lme4's \`anova(m0, m1, …)\`: give \`--formula\` once per model. REML fits
are refitted by ML first (lme4 says so, and so does \`hlm\`, on stderr), the models are sorted by their
number of parameters, and each is tested against the one above it by a likelihood-ratio χ² test.
\`--json\` prints the table as JSON.

{example}`,
  anova: `## hlm anova

lmerTest's \`anova(m)\`: a type III F test per fixed-effects term, with Satterthwaite's denominator
degrees of freedom. A factor with k levels is one term of k − 1 columns (here \`flp\`, made categorical
by \`--factors\`); terms contained in others (\`flp\` and \`ses\` in \`flp:ses\`) are tested with lmerTest's
orthogonalized contrasts.

{example}`,
  confint: `## hlm confint

Confidence intervals, as lme4's \`confint(m)\`:

- \`--method wald\` (the default here): Wald intervals of the fixed effects, estimate ± z × SE.
- \`--method profile\`: profile-likelihood intervals of every parameter, the standard deviations and
  correlations of the random effects (\`sd_(Intercept)|school\`, \`cor_…\`), \`sigma\`, and the fixed
  effects, lme4's default method. Progress goes to stderr.
- \`--method boot\`: a parametric bootstrap, \`--nsim\` refits (default 500) from \`--seed\`; with the same
  seed the simulated responses are R's after \`set.seed(seed)\`, so the intervals are lme4's.

\`--level\` sets the confidence level (default 0.95).

{example}`,
  predict: `## hlm predict

Predictions for the rows of \`--newdata\` (a CSV with the columns the formula uses; the response may be
absent), as lme4's \`predict(m, newdata, allow.new.levels = TRUE)\`. It prints the new rows as CSV with
\`fit\` (the prediction with the BLUPs of each row's groups), \`population\` (the fixed part X b), \`se\`
(the standard error of X b) and \`new_levels\` (the grouping factors whose level the fit has not seen:
for those the prediction leaves that term's random effects out). \`--no-re\` predicts from the fixed
effects only (\`re.form = NA\`).

The new rows of the example, \`${NEWDATA}\`:

{newdata}

{example}`,
  icc: `## hlm icc

The intraclass correlation as \`performance::icc(m)\`: the adjusted ICC (the random effects' share of
the variance not explained by the fixed effects) and the unadjusted one (their share of the total).
In the empty model below they agree: 20% of the variance in scores lies between schools.

{example}`,
  r2: `## hlm r2

Nakagawa's R² as \`performance::r2_nakagawa(m)\`: the marginal R² (the variance explained by the fixed
effects) and the conditional R² (by the fixed and random effects together).

{example}`,
  influence: `## hlm influence

Refits the model without each level of a grouping factor (\`--group G\`, default the first) and prints,
per level, Cook's distance and the change in each fixed effect, as lme4's \`influence(m, groups)\`
with \`cooks.distance()\`; \`converged\` says whether the refit converged. It fits the model once per level,
so it takes a while on many groups. The example uses lme4's \`sleepstudy\` (\`examples/sleepstudy.csv\`).

{example}`,
};

const INTRO = `# The \`hlm\` command

\`hlm\` fits linear mixed models from the command line, on a CSV file (comma, tab or semicolon
separated, with a header line) or an Excel workbook (\`.xlsx\`). From a checkout:

\`\`\`sh
npx --yes pnpm@10.34.9 install
npx --yes pnpm@10.34.9 -s hlm fit examples/nels_sim.csv --formula "score ~ ses + (ses | school)"
\`\`\`

(\`pnpm -s hlm …\` builds first if needed and keeps pnpm's banner out of the output; the command itself is
\`node packages/cli/dist/main.js\`.) Models are written in [lme4's formula language](./formula). Every
command and output on this page is run with the built CLI when the site is generated.

## Usage

\`hlm --help\` prints:

`;

const EXIT_CODES = `## Exit codes and errors

| status | when |
| --- | --- |
| \`0\` | success (\`hlm --help\` too) |
| \`2\` | a mistake in the input: the formula, the data, the options or the file, or data the model cannot be fitted to; \`hlm\` without a command |
| \`1\` | an internal error (a bug: please report it with the command line) |

A mistake is one line on stderr, \`hlm: \` and a sentence naming the formula position, the column or the
row (rows as a spreadsheet numbers them: the header is row 1), and nothing on stdout:

{example}
`;

/** The captured output of an example as the page shows it. */
export function renderExample(ex) {
  const r = hlm(ex.args);
  const want = ex.status ?? 0;
  if (r.status !== want) throw new Error(`${commandLine(ex.args)} exited with ${r.status}, not ${want}:\n${r.stderr}`);
  const shown = want === 0 ? r.stdout.replace(/\n+$/, "") : r.stderr.replace(/\n+$/, "");
  const stderrNote = want === 0 && r.stderr.trim() !== "" ? stderrSummary(r.stderr) : "";
  return `\`\`\`sh\n$ ${commandLine(ex.args)}${want === 0 ? "" : `\n$ echo $?`}\n\`\`\`\n\n\`\`\`text\n${shown}${want === 0 ? "" : `\n${r.status}`}\n\`\`\`${stderrNote}`;
}

/** A note on what went to stderr (progress and notes), so that the shown stdout is understood. */
function stderrSummary(stderr) {
  const lines = stderr.trim().split("\n");
  const shown = lines.length > 2 ? [lines[0], "…", lines[lines.length - 1]] : lines;
  return `\n\nOn stderr:\n\n\`\`\`text\n${shown.join("\n")}\n\`\`\``;
}

/** A small CSV as a markdown code block. */
function fileBlock(rel) {
  return `\`\`\`text\n${readFileSync(join(repoRoot, rel), "utf8").trimEnd()}\n\`\`\``;
}

/** The whole page. */
export async function renderCliPage() {
  const help = hlm(["--help"]);
  if (help.status !== 0) throw new Error(`hlm --help exited with ${help.status}`);
  const parts = [INTRO, `\`\`\`text\n${help.stdout.trimEnd()}\n\`\`\`\n`];
  const byCommand = new Map(CLI_EXAMPLES.map((e) => [e.command, e]));
  for (const [command, text] of Object.entries(COMMANDS)) {
    const ex = byCommand.get(command);
    if (!ex) throw new Error(`no example for hlm ${command}`);
    parts.push(text.replace("{newdata}", () => fileBlock(NEWDATA)).replace("{example}", () => renderExample(ex)) + "\n");
  }
  parts.push(EXIT_CODES.replace("{example}", () => renderExample(byCommand.get("error"))));
  return parts.join("\n");
}

if (isMain(import.meta.url)) {
  writePage(pagePath, await renderCliPage());
  console.log(`wrote ${pagePath}`);
}
