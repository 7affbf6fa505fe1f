import { mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { cacheFileName, loadBundle, pruneCaches, shortHash, userCacheFolder, v8Options } from "./compileCache.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function folder(): string {
  const d = mkdtempSync(join(tmpdir(), "hlm-cc-"));
  dirs.push(d);
  return d;
}
/** A bundle as the build writes one: a CommonJS script with exports, with functions run and not run. */
function bundle(dir: string, body = "exports.answer = function answer(x) { return 6 * x; };\nexports.unused = function unused() { return [1, 2, 3].map((v) => v * v); };\n"): string {
  const path = join(dir, "bundle.cjs");
  writeFileSync(path, body);
  return path;
}

describe("the command's code cache", () => {
  // Whether V8 takes or refuses a cache is seen only in a fresh process (in this one, V8 answers a
  // script it has compiled before from its own in-process cache): test/compileCache.test.ts runs the
  // built command for that. Here: the folders, the names and the writing.
  it("writes the whole bundle's bytecode where the cache is missing, and the bundle runs", () => {
    const d = folder();
    const path = bundle(d);
    const cache = join(d, "cache");
    const first = loadBundle(path, { bundleHash: "abc", setting: cache });
    expect(first.status).toBe("missing");
    expect(first.writeTo).toBe(join(cache, cacheFileName("abc")));
    expect((first.exports.answer as (x: number) => number)(7)).toBe(42);
    expect(first.save()).toBe(true);
    expect(readdirSync(cache)).toEqual([cacheFileName("abc")]);
    expect(statSync(join(cache, cacheFileName("abc"))).size).toBeGreaterThan(100);
  });

  it("reads the build's folder first and writes only the user's (the last) folder; off when asked", () => {
    const d = folder();
    const path = bundle(d, "exports.answer = function answer(x) { return 6 * x; }; // another bundle\n");
    const off = loadBundle(path, { bundleHash: "h", setting: "off" });
    expect(off.status).toBe("off");
    expect(off.writeTo).toBeNull();
    expect(off.save()).toBe(false);
    expect((off.exports.answer as (x: number) => number)(1)).toBe(6);
    const built = join(d, "built");
    const missing = loadBundle(path, { bundleHash: "h", builtIn: [built] });
    expect(missing.status).toBe("missing");
    expect(missing.writeTo).toBe(join(userCacheFolder(), cacheFileName("h")));
  });

  it("ignores a cache folder it cannot write", () => {
    const d = folder();
    const path = bundle(d);
    writeFileSync(join(d, "a-file"), "not a folder");
    const b = loadBundle(path, { bundleHash: "h", setting: join(d, "a-file", "cache") });
    expect(b.status).toBe("missing");
    // nothing to write to: compiled lazily, as without a cache
    expect(b.writeTo).toBeNull();
    expect(b.save()).toBe(false);
    expect((b.exports.answer as (x: number) => number)(3)).toBe(18);
  });

  it("keys the file by V8's version and the process's flags", () => {
    expect(cacheFileName("h", "11.3.244.8-node.38", "")).not.toBe(cacheFileName("h", "12.4.254.21-node.33", ""));
    expect(cacheFileName("h", "11.3", "")).not.toBe(cacheFileName("h", "11.3", "--max-old-space-size=100"));
    expect(cacheFileName("h", "11.3", "")).toMatch(/^hlm-h-v8-11\.3-[a-z0-9]+-[a-z0-9]+-[0-9a-f]{8}\.bin$/);
    expect(shortHash("")).toBe("811c9dc5");
    // Node's own options (a script given to -e, --input-type) name no other cache; V8's flags do
    expect(v8Options(["--input-type=module", "-e", "import('x')"], "")).toBe("");
    expect(v8Options(["--require", "./a.js", "--no-warnings"], "--enable-source-maps --max-old-space-size=4096")).toBe("--max-old-space-size=4096");
    expect(v8Options(["--stack-size=2000"], "")).toBe("--stack-size=2000");
  });

  it("keeps the cache in the user's own folder, not a shared temporary one", () => {
    expect(userCacheFolder({ XDG_CACHE_HOME: "/x/cache" }, "linux", "/home/u")).toBe("/x/cache/hlm");
    expect(userCacheFolder({}, "linux", "/home/u")).toBe("/home/u/.cache/hlm");
    expect(userCacheFolder({}, "darwin", "/Users/u")).toBe("/Users/u/Library/Caches/hlm");
    expect(userCacheFolder({ LOCALAPPDATA: "C:\\Users\\u\\AppData\\Local" }, "win32", "C:\\Users\\u")).toContain("hlm");
  });

  it("keeps the caches written last in a folder, and leaves other files alone", () => {
    const d = folder();
    for (let i = 0; i < 9; i++) {
      const f = join(d, `hlm-${i}-v8-x.bin`);
      writeFileSync(f, "x");
      utimesSync(f, 1_700_000_000 + i, 1_700_000_000 + i);
    }
    writeFileSync(join(d, "notes.txt"), "mine");
    pruneCaches(d, 6);
    expect(readdirSync(d).sort()).toEqual(["hlm-3-v8-x.bin", "hlm-4-v8-x.bin", "hlm-5-v8-x.bin", "hlm-6-v8-x.bin", "hlm-7-v8-x.bin", "hlm-8-v8-x.bin", "notes.txt"]);
    pruneCaches(join(d, "no-such-folder"), 6); // nothing to do, no error
  });
});
