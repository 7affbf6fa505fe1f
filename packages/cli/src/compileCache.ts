import { accessSync, constants, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { Script } from "node:vm";

/**
 * The command's code cache: V8's bytecode for the whole bundle, saved once per bundle, Node (V8)
 * version and set of V8 flags, so that a process does not compile the functions it runs.
 *
 * Without it every process parses and compiles lazily, function by function, as the fit first calls
 * them: some 8 ms of a small model's first fit, and a third of `hlm --help`. Node 22 has
 * `module.enableCompileCache` for this; the command runs on Node 20 too, and its bundle is one script,
 * so it does the same itself, with `vm.Script`'s `cachedData`:
 *
 * - the cache is read from `dist/compile-cache/` (written by the build, for the Node that built it)
 *   or from the user's cache folder (`$XDG_CACHE_HOME/hlm` or `~/.cache/hlm`; `~/Library/Caches/hlm`
 *   on macOS; `%LOCALAPPDATA%\hlm\cache` on Windows), never from a shared temporary folder, whose
 *   files another user could have put there;
 * - where the cache is missing or refused, the bundle is compiled with every function compiled at
 *   once (some 20 ms more, once), and the cache written after the command has finished: it serves
 *   every command, not only the one that wrote it;
 * - V8 refuses a cache of another V8 version or other flags (and the key holds both); the file name
 *   holds a hash of the bundle's text, which V8 itself checks only by length;
 * - a folder keeps the six caches written last (other versions of hlm or Node), about 1.4 MB each;
 * - every failure to read or write is ignored: the cache only ever saves time;
 * - `HLM_COMPILE_CACHE=off` turns it off; `HLM_COMPILE_CACHE=DIR` reads and writes DIR only.
 */

/** How the bundle was compiled: from the cache, or compiled (no cache, or one V8 refused). */
export type CacheStatus = "off" | "accepted" | "missing" | "rejected";

export interface LoadedBundle {
  /** The bundle's `module.exports`. */
  exports: Record<string, unknown>;
  status: CacheStatus;
  /** Where a missing or refused cache is to be written (null: nowhere, or nothing to write). */
  writeTo: string | null;
  /** Writes the cache (eagerly compiled) where it was missing or refused; ignores every failure. Returns whether it wrote. */
  save(): boolean;
}

export interface CacheOptions {
  /** The bundle's hash, written into the loader by the build. */
  bundleHash: string;
  /** `HLM_COMPILE_CACHE`: undefined (the default folders), "off", or a folder. */
  setting?: string | undefined;
  /** Folders to read from before the user's cache folder (the build's `dist/compile-cache/`). */
  builtIn?: string[];
}

/** FNV-1a, 32 bits, as 8 hex digits: a short name for a flag set (not a security hash). */
export function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, "0");
}

/** Node's own options, which do not change what V8 compiles (the others may be V8's flags, which V8's cache checks). */
const NODE_ONLY = /^--(input-type|eval|print|require|import|loader|experimental-|inspect|env-file|enable-source-maps|no-warnings|no-deprecation|trace-warnings|trace-deprecation|title|cpu-prof|heap-prof|conditions|disable-warning|unhandled-rejections|openssl|tls-|use-openssl-ca|use-bundled-ca|redirect-warnings|report-|diagnostic-dir|test)/;

/**
 * The options that may be V8's flags, from the command line and NODE_OPTIONS: every `--` option but
 * Node's own (a script given to `-e` is not one, nor are the options of `node --input-type=module`).
 */
export function v8Options(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ""): string {
  return [...execArgv, ...nodeOptions.split(/\s+/)].filter((a) => a.startsWith("--") && !NODE_ONLY.test(a)).join(" ");
}

/** The cache's file name: the bundle, V8's version, the platform and the V8 flags the process runs with. */
export function cacheFileName(bundleHash: string, v8Version = process.versions.v8, flags = v8Options()): string {
  return `hlm-${bundleHash}-v8-${v8Version.replace(/[^0-9A-Za-z.]/g, "_")}-${process.platform}-${process.arch}-${shortHash(flags)}.bin`;
}

/** The user's own cache folder for hlm (not a shared temporary folder). */
export function userCacheFolder(env: NodeJS.ProcessEnv = process.env, platform = process.platform, home = homedir()): string {
  if (platform === "win32") return join(env.LOCALAPPDATA ?? join(home, "AppData", "Local"), "hlm", "cache");
  if (platform === "darwin") return join(home, "Library", "Caches", "hlm");
  return join(env.XDG_CACHE_HOME || join(home, ".cache"), "hlm");
}

/** How many caches a folder keeps (other versions of hlm or of Node): the most recently written. */
export const KEEP_CACHES = 6;

/** Removes all but the `keep` most recently written caches of hlm in `folder` (each about 1.4 MB); ignores every failure. */
export function pruneCaches(folder: string, keep: number): void {
  try {
    const caches = readdirSync(folder)
      .filter((f) => f.startsWith("hlm-") && f.endsWith(".bin"))
      .map((f) => ({ f, t: statSync(join(folder, f)).mtimeMs }))
      .sort((a, b) => b.t - a.t);
    for (const { f } of caches.slice(keep)) rmSync(join(folder, f), { force: true });
  } catch {
    // a cache left behind only takes room
  }
}

/** Whether `folder` exists (made if need be, private to the user) and can be written. */
function writable(folder: string): boolean {
  try {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    accessSync(folder, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function readOrNull(path: string): Buffer | null {
  try {
    return readFileSync(path);
  } catch {
    return null;
  }
}

/**
 * Compiles the script with every function compiled at once (V8's --no-lazy), for a cache that serves
 * every command. A script compiled again needs another name: under the same one V8 returns the lazily
 * compiled script from its own in-process cache. (V8 does not check the name a cache was made under.)
 */
function compileEagerly(source: string, filename: string): Script {
  setFlagsFromString("--no-lazy");
  try {
    return new Script(source, { filename });
  } finally {
    setFlagsFromString("--lazy");
  }
}

/**
 * Compiles and runs the CommonJS bundle at `bundlePath` (from the code cache where there is one),
 * returning its exports; `save()` writes the cache when it was missing or refused.
 */
export function loadBundle(bundlePath: string, options: CacheOptions): LoadedBundle {
  // the bundle as Node wraps a CommonJS module
  const source = `(function (exports, require, module, __filename, __dirname) { ${readFileSync(bundlePath, "utf8")}\n});`;
  const setting = options.setting?.trim();
  const off = setting === "off" || setting === "0" || setting === "false";
  const name = cacheFileName(options.bundleHash);
  const folders = off ? [] : setting ? [setting] : [...(options.builtIn ?? []), userCacheFolder()];
  let cachedData: Buffer | undefined;
  for (const folder of folders) {
    const data = readOrNull(join(folder, name));
    if (data) {
      cachedData = data;
      break;
    }
  }
  let script = cachedData ? new Script(source, { filename: bundlePath, cachedData }) : null;
  const status: CacheStatus = off ? "off" : !script ? "missing" : script.cachedDataRejected ? "rejected" : "accepted";
  // where to write a missing or refused cache: the last folder, if it can be written (else every run
  // would compile the whole bundle for nothing)
  const last = folders[folders.length - 1];
  const writeTo = (status === "missing" || status === "rejected") && last !== undefined && writable(last) ? join(last, name) : null;
  // a cache to be written: compiled whole now (some 20 ms more, once), so the cache holds every function
  if (!script) script = writeTo ? compileEagerly(source, bundlePath) : new Script(source, { filename: bundlePath });
  const module = { exports: {} as Record<string, unknown> };
  const require = createRequire(bundlePath);
  (script.runInThisContext() as (...a: unknown[]) => void)(module.exports, require, module, bundlePath, dirname(bundlePath));
  const compiled = script;
  return {
    exports: module.exports,
    status,
    writeTo,
    save() {
      if (!writeTo) return false;
      try {
        // a refused cache: the script ran lazily compiled; compiled whole again for the cache
        const data = (status === "rejected" ? compileEagerly(source, `${bundlePath} (code cache)`) : compiled).createCachedData();
        // written whole under another name, then renamed: a process reading it never sees half a file
        const partial = `${writeTo}.${process.pid}.partial`;
        writeFileSync(partial, data, { mode: 0o600 });
        try {
          renameSync(partial, writeTo);
        } catch (e) {
          rmSync(partial, { force: true });
          throw e;
        }
        pruneCaches(dirname(writeTo), KEEP_CACHES);
        return true;
      } catch {
        return false;
      }
    },
  };
}
