#!/usr/bin/env node
/**
 * `pnpm -s hlm …` inside the repository: runs the hlm command as an installed `hlm` would run.
 *
 * - Builds the command first when it is missing or older than its sources (the engine's and the
 *   CLI's, bundled into one file by esbuild in a second or two; no other package), quietly: one line
 *   on stderr while it builds, the build's output only if it fails.
 * - Runs it in the folder the user typed the command in (pnpm runs scripts from the repository root
 *   and says where the user was in INIT_CWD), so relative paths mean what they mean to the user;
 *   `--from-root` first (the example's script) keeps the repository root instead.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const main = join(root, "packages/cli/dist/main.js");

/** The newest modification time of the files under `path` (0 when there are none). */
function newest(path) {
  let s;
  try {
    s = statSync(path);
  } catch {
    return 0;
  }
  if (!s.isDirectory()) return s.mtimeMs;
  let t = 0;
  for (const name of readdirSync(path)) if (name !== "node_modules" && name !== "dist" && !name.endsWith(".test.ts")) t = Math.max(t, newest(join(path, name)));
  return t;
}

// the command is one bundle of the CLI's and the engine's sources (packages/cli/scripts/build.mjs)
const sources = ["packages/core/src", "packages/core/package.json", "packages/cli/src", "packages/cli/scripts", "packages/cli/package.json", "pnpm-lock.yaml"];
const built = newest(main);
if (built === 0 || sources.some((p) => newest(join(root, p)) > built)) {
  process.stderr.write(`hlm: building the command (${built === 0 ? "first run" : "its sources changed"})…\n`);
  const r = spawnSync(process.execPath, [join(root, "packages/cli/scripts/build.mjs")], { cwd: root, encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) {
    process.stderr.write(`${r.stdout ?? ""}${r.stderr ?? ""}hlm: the build failed (above)${r.error ? `: ${r.error.message}` : ""}.\n`);
    process.exit(1);
  }
}

const fromRoot = process.argv[2] === "--from-root";
if (fromRoot) process.argv.splice(2, 1);
else if (process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);
await import(pathToFileURL(main).href);
