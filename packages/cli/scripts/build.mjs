#!/usr/bin/env node
/**
 * Builds the `hlm` command into dist/ as a self-contained program: src/main.ts with the engine
 * (@hlm/core, from its TypeScript sources) and every library bundled by esbuild, so that the packed
 * package installs with nothing but Node and npm (`npm install -g ./packages/cli`, or the tarball of
 * `pnpm --filter @hlm/cli pack`): no dependencies, no `workspace:` links.
 *
 * - dist/hlm.cjs: the command, one CommonJS script; the workbook library (exceljs) is a script of its
 *   own, dist/chunks/exceljs.cjs, loaded only by the commands that read or write .xlsx files; the
 *   dense Cholesky's second thread is dist/chunks/choleskyWorker.mjs (the engine's worker/ script);
 * - dist/main.js: the `hlm` program, a loader that compiles dist/hlm.cjs from V8's code cache
 *   (src/compileCache.ts) and runs it; dist/compile-cache/: that cache for the Node that built it;
 * - dist/THIRD-PARTY-NOTICES.txt: the license of every package bundled in;
 * - dist/bench.js: `pnpm bench`'s driver (src/bench.ts), for the repository only (not packed).
 *
 *   node packages/cli/scripts/build.mjs
 */
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const cli = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(cli, "dist");
const coreSource = resolve(cli, "../core/src/index.ts");

rmSync(dist, { recursive: true, force: true });

const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  legalComments: "none",
  logLevel: "warning",
  metafile: true,
  absWorkingDir: cli, // the metafile's input paths are relative to it
  alias: { "@hlm/core": coreSource },
  // the database drivers are native or optional: installed beside hlm (optionalDependencies), loaded only when a command reads a database
  external: ["@duckdb/node-api", "pg"],
};

// the command: one CommonJS script, which the loader compiles from V8's code cache (src/compileCache.ts);
// the workbook library is a script of its own, required only by the commands that read or write .xlsx
const workbookChunk = "./chunks/exceljs.cjs";
const command = await build({
  ...common,
  format: "cjs",
  entryPoints: { hlm: join(cli, "src/command.ts") },
  outExtension: { ".js": ".cjs" },
  outdir: dist,
  supported: { "dynamic-import": false }, // import("exceljs") becomes a require of the chunk
  plugins: [{ name: "workbook-chunk", setup: (b) => b.onResolve({ filter: /^exceljs$/ }, () => ({ path: workbookChunk, external: true })) }],
});
const workbook = await build({ ...common, format: "cjs", entryPoints: ["exceljs"], outfile: join(dist, workbookChunk) });
// the dense Cholesky's second thread (a Node worker, plain JavaScript of the engine's), beside the workbook chunk
copyFileSync(resolve(cli, "../core/worker/choleskyWorker.mjs"), join(dist, "chunks", "choleskyWorker.mjs"));

// the loader, with the bundle's hash (the code cache's name: V8 itself checks only the source's length)
const bundleHash = createHash("sha256").update(readFileSync(join(dist, "hlm.cjs"))).digest("hex").slice(0, 16);
await build({
  ...common,
  format: "esm",
  entryPoints: { main: join(cli, "src/main.ts") },
  outdir: dist,
  define: { HLM_BUNDLE_HASH: JSON.stringify(bundleHash) },
});

// bench.js: one ES module; bundled CommonJS libraries call require() for Node's modules: give it one
await build({
  ...common,
  format: "esm",
  entryPoints: { bench: join(cli, "src/bench.ts") },
  outdir: dist,
  banner: { js: 'import { createRequire as __hlmCreateRequire } from "node:module";\nconst require = __hlmCreateRequire(import.meta.url);' },
});

// the code cache for the Node that builds (dist/compile-cache/, not packed: another Node writes its own on first use)
const cacheRun = spawnSync(process.execPath, [join(dist, "main.js"), "--help"], {
  env: { ...process.env, HLM_COMPILE_CACHE: join(dist, "compile-cache") },
  encoding: "utf8",
});
if (cacheRun.status !== 0) throw new Error(`dist/main.js --help failed after the build:\n${cacheRun.stderr}`);

writeFileSync(join(dist, "THIRD-PARTY-NOTICES.txt"), notices({ inputs: { ...command.metafile.inputs, ...workbook.metafile.inputs } }));

/**
 * The licenses of the packages whose files are in the bundle, found from esbuild's list of inputs:
 * each package's name, version and license field, then its LICENSE file as it ships it (packages
 * that ship the same text share one copy).
 */
function notices(metafile) {
  const dirs = new Map();
  for (const input of Object.keys(metafile.inputs)) {
    const at = input.replaceAll("\\", "/").lastIndexOf("node_modules/");
    if (at < 0) continue;
    const rest = input.slice(at + "node_modules/".length).split(/[\\/]/);
    const name = rest[0].startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0];
    if (!dirs.has(name)) dirs.set(name, resolve(cli, input.slice(0, at), "node_modules", name));
  }
  const byText = new Map(); // license text -> the packages that ship it
  for (const [name, dir] of [...dirs].sort(([a], [b]) => a.localeCompare(b))) {
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    const license = typeof pkg.license === "string" ? pkg.license : JSON.stringify(pkg.license ?? "not stated");
    const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
    const text = file ? readFileSync(join(dir, file), "utf8").trim() : `License: ${license} (the package ships no license file)`;
    byText.set(text, [...(byText.get(text) ?? []), `${name}@${pkg.version} (${license})`]);
  }
  const rule = "=".repeat(78);
  const parts = ["The hlm command bundles the packages below; their licenses follow.\n"];
  for (const [text, names] of byText) parts.push(`${rule}\n${names.join("\n")}\n${rule}\n${text}\n`);
  return parts.join("\n");
}
