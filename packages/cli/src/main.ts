#!/usr/bin/env node
import { fileURLToPath } from "node:url";
import { loadBundle } from "./compileCache.js";

/** The bundle's hash, put here by scripts/build.mjs (names the code cache). */
declare const HLM_BUNDLE_HASH: string;

// The command is the bundle beside this file, compiled from V8's code cache (compileCache.ts).
const bundle = loadBundle(fileURLToPath(new URL("./hlm.cjs", import.meta.url)), {
  bundleHash: HLM_BUNDLE_HASH,
  setting: process.env.HLM_COMPILE_CACHE,
  builtIn: [fileURLToPath(new URL("./compile-cache/", import.meta.url))],
});
const code = await (bundle.exports.runCommand as (argv: string[]) => Promise<number>)(process.argv.slice(2));
bundle.save();
process.exitCode = code;
