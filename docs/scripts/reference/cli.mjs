// Writes docs/reference/cli.md: the `hlm` command's own usage text (`hlm --help`), each command's own
// help (`hlm COMMAND --help`) and one example each, run with the built CLI when the page is generated
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
  { command: "sql", args: ["sql", "--dialect", "postgres", "--table", "nels", "--formula", "score ~ ses + (ses | school)", "--columns", "school:number"] },
  { command: "error", args: ["fit", "examples/nels_sim.csv", "--formula", "score ~ SES + (1 | school)"], status: 2 },
];

/**
 * What the page adds to a command's own help (`hlm COMMAND --help`, printed on the page as it is):
 * a note before its example; `{newdata}` is the predict example's new rows.
 */
const NOTES = {
  fit: "The lecture's model by maximum likelihood, R's `lmer(score ~ flp * ses + (ses | school), nels, REML = FALSE)`:",
  compare: "The random slope of `ses` tested against a random intercept only (REML fits, refitted by ML):",
  anova: "`flp` made categorical by `--factors`: a term of two columns, and `flp:ses` of two:",
  confint: "Profile-likelihood intervals, lme4's default, of every parameter of a random-intercept model:",
  predict: `The new rows of the example, \`${NEWDATA}\`:\n\n{newdata}\n\nThe school \`NEW\` is not in the data, so its prediction is the population one:`,
  icc: "In the empty model the adjusted and unadjusted ICC agree: the share of the variance in scores that lies between schools.",
  r2: "",
  influence: "On lme4's `sleepstudy` (`examples/sleepstudy.csv`), 18 subjects:",
  sql: "The query of fit.1's sums for PostgreSQL (see [Data in files and databases](../guide/databases)):",
};

const INTRO = `# The \`hlm\` command

\`hlm\` fits linear mixed models from the command line, on a CSV file (comma, tab or semicolon
separated, with a header line) or an Excel workbook (\`.xlsx\`). Models are written in
[lme4's formula language](./formula).

## Installing

From a checkout, with Node 20 or later and npm:

\`\`\`sh
npx --yes pnpm@10.34.9 install && npx --yes pnpm@10.34.9 example
npm install -g ./packages/cli
\`\`\`

The first line installs and builds the engine and the command (and prints the lecture's model); the
second puts \`hlm\` on your PATH. The command is one self-contained program with the engine inside:
for another machine, \`npx --yes pnpm@10.34.9 --filter @hlm/cli pack\` makes
\`packages/cli/hlm-cli-0.1.0.tgz\`, and \`npm install -g hlm-cli-0.1.0.tgz\` installs it there with
nothing else. Inside the checkout, \`pnpm -s hlm …\` runs it too, building it first when its sources
have changed; relative paths mean the folder you typed the command in.

The command starts compiled: it keeps V8's bytecode for all of its code (about 1.4 MB) in your cache
folder (\`~/.cache/hlm\`, or \`$XDG_CACHE_HOME/hlm\`; \`~/Library/Caches/hlm\` on macOS,
\`%LOCALAPPDATA%\\hlm\\cache\` on Windows), written by its first run under each Node version, so that
later processes do not compile what they run: a small model's first fit takes 3 ms instead of 11. A
cache that V8 refuses (another Node, a damaged file) is written again; nothing fails for want of one.
\`HLM_COMPILE_CACHE=off\` turns it off, \`HLM_COMPILE_CACHE=DIR\` keeps it in DIR.

Every command and output on this page is run with the built command when the site is generated.

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
  for (const [command, note] of Object.entries(NOTES)) {
    const ex = byCommand.get(command);
    if (!ex) throw new Error(`no example for hlm ${command}`);
    const help = hlm([command, "--help"]);
    if (help.status !== 0) throw new Error(`hlm ${command} --help exited with ${help.status}`);
    const lead = note.replace("{newdata}", () => fileBlock(NEWDATA));
    parts.push(`## hlm ${command}\n\n\`\`\`text\n$ hlm ${command} --help\n${help.stdout.trimEnd()}\n\`\`\`\n\n${lead ? `${lead}\n\n` : ""}${renderExample(ex)}\n`);
  }
  parts.push(EXIT_CODES.replace("{example}", () => renderExample(byCommand.get("error"))));
  return parts.join("\n");
}

if (isMain(import.meta.url)) {
  writePage(pagePath, await renderCliPage());
  console.log(`wrote ${pagePath}`);
}
