// Writes docs/reference/api/: the library API of @hlm/core, generated from its TSDoc by TypeDoc with
// typedoc-plugin-markdown (entry packages/core/src/index.ts, tsconfig packages/core/tsconfig.json),
// as markdown pages that VitePress builds (relative `.md` links, an index.md per folder).
// TypeDoc and the plugin are devDependencies of @hlm/docs; TYPEDOC_MODULES may name another
// node_modules folder that holds both (e.g. a scratch install).
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { isMain, referenceDir, repoRoot } from "./common.mjs";

export const apiDir = join(referenceDir, "api");

/** The heading and introduction of api/index.md, above TypeDoc's list of exports. */
const API_INTRO = `# Library API: \`@hlm/core\`

The engine as a TypeScript library, for Node, the browser and Web Workers. This reference is generated
from the TSDoc comments of \`packages/core/src\` by TypeDoc when the site is built, so it lists exactly
what \`packages/core/src/index.ts\` exports.

\`\`\`ts
import { readCsv, fit, formatSummary } from "@hlm/core";
const table = readCsv(csvText);
const m = fit(table, "score ~ ses + (ses | school)", { REML: false });
console.log(formatSummary(m));
\`\`\`

- Reading data: [\`readCsv\`](functions/readCsv.md), [\`createCsvReader\`](functions/createCsvReader.md) (a text that comes in pieces), [\`tableFromRows\`](functions/tableFromRows.md) (rows of values, as a spreadsheet range).
- Fitting: [\`fit\`](functions/fit.md) is [\`buildModel\`](functions/buildModel.md) → [\`makeObjective\`](functions/makeObjective.md) → [\`optimize\`](functions/optimize.md) → [\`makeFit\`](functions/makeFit.md); [\`fitModel\`](functions/fitModel.md) fits a built model. The result is an [\`LmmFit\`](interfaces/LmmFit.md). [\`prepareKernels\`](functions/prepareKernels.md) compiles the engine's WebAssembly ahead of a first fit (and, in Node, starts the dense Cholesky's second thread for large crossed designs).
- After the fit: [\`formatSummary\`](functions/formatSummary.md), [\`compareModels\`](functions/compareModels.md), [\`anovaTypeIII\`](functions/anovaTypeIII.md), [\`waldIntervals\`](functions/waldIntervals.md), [\`profileIntervals\`](functions/profileIntervals.md), [\`bootstrapIntervals\`](functions/bootstrapIntervals.md), [\`predict\`](functions/predict.md), [\`effectSizes\`](functions/effectSizes.md), [\`groupInfluence\`](functions/groupInfluence.md), [\`diagnostics\`](functions/diagnostics.md).
- Formulas: [\`parseFormula\`](functions/parseFormula.md) and [\`modelTerms\`](functions/modelTerms.md) (see [the formula language](../formula.md)).
- Errors: every problem with the input is an [\`HlmError\`](classes/HlmError.md) with a \`code\` and a message a person can act on.

`;

/** Where typedoc and typedoc-plugin-markdown are: TYPEDOC_MODULES, or the docs package's own. */
function resolveModules() {
  const from = process.env.TYPEDOC_MODULES ? join(process.env.TYPEDOC_MODULES, "noop.js") : join(repoRoot, "docs/package.json");
  const require = createRequire(from);
  return { typedoc: require.resolve("typedoc"), plugin: require.resolve("typedoc-plugin-markdown") };
}

/** The markdown files under a folder, relative paths. */
export function markdownFiles(dir = apiDir, base = dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...markdownFiles(full, base));
    else if (name.endsWith(".md")) out.push(full.slice(base.length + 1));
  }
  return out.sort();
}

/** Runs TypeDoc into docs/reference/api. */
export async function generateApi() {
  const mods = resolveModules();
  const td = await import(pathToFileURL(mods.typedoc).href);
  const app = await td.Application.bootstrapWithPlugins({
    entryPoints: [join(repoRoot, "packages/core/src/index.ts")],
    tsconfig: join(repoRoot, "packages/core/tsconfig.json"),
    plugin: [mods.plugin],
    out: apiDir,
    cleanOutputDir: true,
    readme: "none",
    name: "@hlm/core",
    // markdown for VitePress: index.md per folder (no README.md), links relative with .md
    entryFileName: "index.md",
    hidePageHeader: true,
    hideBreadcrumbs: true,
    useCodeBlocks: true,
    parametersFormat: "table",
    interfacePropertiesFormat: "table",
    classPropertiesFormat: "table",
    typeDeclarationFormat: "table",
    enumMembersFormat: "table",
    sanitizeComments: true,
    excludePrivate: true,
    excludeInternal: true,
    disableSources: true,
    gitRevision: "main",
    logLevel: "Warn",
    validation: { notExported: false, invalidLink: true, notDocumented: false },
  });
  const project = await app.convert();
  if (!project) throw new Error("TypeDoc could not convert packages/core/src/index.ts (see the errors above)");
  await app.generateOutputs(project);
  // a page heading of our own, and Vue's mustaches kept literal in the text VitePress compiles
  for (const rel of markdownFiles()) {
    const path = join(apiDir, rel);
    let text = readFileSync(path, "utf8");
    if (rel === "index.md") text = text.replace(/^# .*\n/, () => API_INTRO);
    writeFileSync(path, text);
  }
  return markdownFiles();
}

if (isMain(import.meta.url)) {
  if (existsSync(apiDir)) rmSync(apiDir, { recursive: true });
  const files = await generateApi();
  console.log(`wrote ${files.length} pages under ${apiDir}`);
}
