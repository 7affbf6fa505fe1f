#!/usr/bin/env node
/**
 * `pnpm bench`: the engine's benchmark (packages/cli/dist/bench.js: conformance models, 1M rows,
 * the crossed design, lme4 side by side), then the Excel add-in's 100,000-row pane benchmark in
 * headless Chromium (apps/excel-addin/scripts/bench.mjs). Arguments go to the engine's benchmark;
 * `--no-addin` leaves the add-in's out. Reports only: nothing here passes or fails on a time.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const args = process.argv.slice(2).filter((a) => a !== "--");
const run = (script, scriptArgs) => {
  const r = spawnSync(process.execPath, [root + script, ...scriptArgs], { stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
run("packages/cli/dist/bench.js", args.filter((a) => a !== "--no-addin"));
if (!args.includes("--no-addin") && !args.includes("--help") && !args.includes("-h")) {
  console.log("\nExcel add-in, 100,000-row range (headless Chromium):\n");
  run("apps/excel-addin/scripts/bench.mjs", []);
}
