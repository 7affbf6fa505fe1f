#!/usr/bin/env node
/**
 * Builds the Office side of the add-in into dist/ (beside the task pane that vite builds there):
 *
 * - dist/functions.js: src/functions/functions.ts with @hlm/core bundled by esbuild into one classic
 *   script (an IIFE, no modules) for the shared runtime; taskpane.html loads it after office.js;
 * - dist/functions.json: the custom functions' metadata, from the JSDoc of functions.ts by
 *   custom-functions-metadata;
 * - dist/manifest.xml: manifest.xml, its https://localhost:3000/ URLs replaced by HLM_ADDIN_URL
 *   when that is set (e.g. HLM_ADDIN_URL=https://example.org/hlm/);
 * - dist/assets/: the icons (drawn by make-icons.mjs when assets/ has none).
 *
 *   node apps/excel-addin/scripts/build-office.mjs [--outdir DIR] [--no-minify]
 *
 * Fails when the metadata has errors or the bundle contains eval, new Function or the Function
 * constructor taken as a value (test/security.test.ts checks every bundle of the page the same way).
 */
import { build } from "esbuild";
import { generateCustomFunctionsMetadata } from "custom-functions-metadata";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { drawIcon, SIZES } from "./make-icons.mjs";

const app = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const outIndex = args.indexOf("--outdir");
const outDir = outIndex >= 0 ? resolve(args[outIndex + 1]) : join(app, "dist");
const minify = !args.includes("--no-minify");
const DEV_URL = "https://localhost:3000/";

function fail(message) {
  console.error(`build-office: ${message}`);
  process.exit(1);
}

mkdirSync(outDir, { recursive: true });

// 1. functions.js: a classic script with the engine inside. @hlm/core comes from its TypeScript
// sources, so this build does not depend on core's dist being up to date.
const coreSource = resolve(app, "../../packages/core/src/index.ts");
const entry = join(app, "src/functions/functions.ts");
const result = await build({
  entryPoints: [entry],
  outfile: join(outDir, "functions.js"),
  bundle: true,
  format: "iife",
  platform: "browser",
  target: ["es2020", "chrome100", "edge100", "safari15"],
  minify,
  sourcemap: true,
  legalComments: "none",
  // @stdlib/function-ctor is the global Function, used only by a code-generating factory the engine never calls: a stub (scripts/shims/function-ctor.cjs)
  alias: { ...(existsSync(coreSource) ? { "@hlm/core": coreSource } : {}), "@stdlib/function-ctor": join(app, "scripts/shims/function-ctor.cjs") },
  logLevel: "warning",
  metafile: true,
});
if (result.errors.length > 0) fail("esbuild failed");
const bundle = readFileSync(join(outDir, "functions.js"), "utf8");
if (/\beval\s*\(|new\s+Function\b|(?<![\w$.])Function\s*\(|(?:[=(,]|\breturn)\s*Function\s*[;,)}\]]/.test(bundle)) {
  fail("dist/functions.js contains eval, new Function or a use of the Function constructor");
}
if (/^\s*(import|export)\s/m.test(bundle)) fail("dist/functions.js is not a classic script");

// 2. functions.json from the JSDoc of functions.ts.
const meta = await generateCustomFunctionsMetadata(entry);
if (meta.errors.length > 0) fail(`functions.json:\n  ${meta.errors.join("\n  ")}`);
const functions = JSON.parse(meta.metadataJson).functions;
writeFileSync(join(outDir, "functions.json"), meta.metadataJson);

// 3. manifest.xml, for another host when HLM_ADDIN_URL is set.
let manifest = readFileSync(join(app, "manifest.xml"), "utf8");
const base = process.env.HLM_ADDIN_URL;
if (base) {
  if (!/^https:\/\//.test(base)) fail(`HLM_ADDIN_URL must be an https URL, not ${base}`);
  manifest = manifest.split(DEV_URL).join(base.endsWith("/") ? base : `${base}/`);
}
writeFileSync(join(outDir, "manifest.xml"), manifest);

// 4. assets/ (icons).
const assets = join(app, "assets");
mkdirSync(assets, { recursive: true });
for (const size of SIZES) {
  const file = join(assets, `icon-${size}.png`);
  if (!existsSync(file)) writeFileSync(file, drawIcon(size));
}
mkdirSync(join(outDir, "assets"), { recursive: true });
for (const f of readdirSync(assets)) copyFileSync(join(assets, f), join(outDir, "assets", f));

const kb = (Buffer.byteLength(bundle) / 1024).toFixed(0);
console.log(`build-office: ${outDir}: functions.js (${kb} kB), functions.json (${functions.length} functions: ${functions.map((f) => f.id).join(", ")}), manifest.xml${base ? ` for ${base}` : ""}, assets/`);
