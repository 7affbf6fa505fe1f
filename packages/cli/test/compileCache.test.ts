import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

// The built command (dist/main.js) with its code cache in a folder of the test's own: whether V8
// takes or refuses a cache shows only in a fresh process.
const main = fileURLToPath(new URL("../dist/main.js", import.meta.url));
const dyestuff = fileURLToPath(new URL("../../core/test/conformance/Dyestuff.csv", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "hlm-compile-cache-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function hlm(cache: string, args: string[]) {
  const p = spawnSync(process.execPath, [main, ...args], { encoding: "utf8", env: { ...process.env, HLM_COMPILE_CACHE: cache } });
  return { code: p.status, out: p.stdout, err: p.stderr };
}
const fitArgs = ["fit", dyestuff, "--formula", "Yield ~ 1 + (1 | Batch)", "--json"];
/** The fit's JSON without its timing. */
const result = (out: string) => JSON.stringify({ ...JSON.parse(out), fit_seconds: 0 });

describe("hlm's code cache, in fresh processes", () => {
  const cache = join(work, "cache");
  let file = "";

  it("is written by the first process, for the whole bundle", () => {
    const r = hlm(cache, ["--help"]);
    expect(r.code).toBe(0);
    const files = readdirSync(cache);
    expect(files).toHaveLength(1);
    file = join(cache, files[0]!);
    expect(files[0]).toMatch(/^hlm-[0-9a-f]{16}-v8-.*\.bin$/);
    // every function's bytecode, not only --help's
    expect(statSync(file).size).toBeGreaterThan(500_000);
  });

  it("is taken by the next processes (and left as it is), which fit exactly as without it", () => {
    const before = statSync(file);
    const withCache = hlm(cache, fitArgs);
    const without = hlm("off", fitArgs);
    expect(withCache.code).toBe(0);
    expect(without.code).toBe(0);
    expect(result(withCache.out)).toBe(result(without.out));
    expect(JSON.parse(withCache.out).fixef).toEqual(JSON.parse(without.out).fixef);
    // a refused cache would have been written again (a new file, renamed into place)
    const after = statSync(file);
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
  });

  it("replaces a corrupt cache, and the command still runs", () => {
    const good = readFileSync(file);
    writeFileSync(file, Buffer.alloc(good.length, 7));
    const r = hlm(cache, fitArgs);
    expect(r.code).toBe(0);
    expect(r.err).toBe("");
    const rewritten = readFileSync(file);
    expect(rewritten.equals(Buffer.alloc(good.length, 7))).toBe(false);
    expect(rewritten.length).toBeGreaterThan(500_000);
    // and the new one is taken
    const written = statSync(file);
    hlm(cache, ["--help"]);
    expect([statSync(file).ino, statSync(file).mtimeMs]).toEqual([written.ino, written.mtimeMs]);
  });

  it("runs where the cache folder cannot be written", () => {
    writeFileSync(join(work, "a-file"), "");
    const r = hlm(join(work, "a-file", "cache"), fitArgs);
    expect(r.code).toBe(0);
    expect(r.err).toBe("");
    expect(JSON.parse(r.out).fixef).toEqual(JSON.parse(hlm("off", fitArgs).out).fixef);
  });
});
