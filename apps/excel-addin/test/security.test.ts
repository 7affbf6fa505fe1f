/**
 * Nothing let in: the add-in asks for no more than it needs, and runs no code but its own.
 *
 * - manifest.xml (and the built dist/manifest.xml): ReadWriteDocument, the one level of Office's
 *   five (Restricted < ReadDocument < ReadAllDocument < WriteDocument < ReadWriteDocument) that can
 *   both read the user's range and add the result sheets; no other domains, no sign-in scopes;
 *   every URL https, on the add-in's own host.
 * - taskpane.html and the built dist/taskpane.html: the Content-Security-Policy allows scripts from
 *   the pane's own site and Office.js's CDN only, with 'wasm-unsafe-eval' (the engine compiles the
 *   WebAssembly kernels bundled in its code: no string becomes code) and never 'unsafe-eval' or
 *   'unsafe-inline' for scripts; the built page loads no script but its bundle, functions.js and
 *   Office.js, and has no inline script.
 * - no string evaluation anywhere: `eval(`, `new Function`, `Function(`, the Function constructor
 *   taken as a value, a string given to setTimeout/setInterval, `.constructor("…")`, importScripts:
 *   in the sources (apps/excel-addin/src, packages/star/src) and in every bundle the page loads
 *   (dist/functions.js, the pane's bundle and the worker it starts), followed from dist/taskpane.html.
 *   Third-party code is held to the same rule: the one use there was, `@stdlib/math-base-tools-evalpoly`'s
 *   `factory` (`new Function`, never called by the engine), is stubbed out at build time
 *   (scripts/shims/function-ctor.cjs), so the list of allowed exceptions is empty.
 *
 * The dist/ checks need the build (`pnpm build`, which `pnpm test` runs first).
 */
import { XMLParser } from "fast-xml-parser";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const app = fileURLToPath(new URL("../", import.meta.url));
const repo = resolve(app, "../..");
const dist = join(app, "dist");
const OFFICE_JS = "https://appsforoffice.microsoft.com/lib/1/hosted/office.js";
const OFFICE_CDN = "https://appsforoffice.microsoft.com";

/** dist/ must be built; the message says how. */
function built(file: string): string {
  const path = join(dist, file);
  if (!existsSync(path)) throw new Error(`${path} is missing: build the add-in first (npx --yes pnpm@10.34.9 build, or pnpm test, which builds).`);
  return path;
}

describe("manifest: the least permission that does the job", () => {
  for (const file of ["manifest.xml", "dist/manifest.xml"]) {
    it(`${file}: ReadWriteDocument, no other domains, no sign-in scopes, every URL on the add-in's host`, () => {
      const xml = readFileSync(file.startsWith("dist/") ? built("manifest.xml") : join(app, file), "utf8");
      const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@", isArray: (n) => n === "Permissions" }).parse(xml) as {
        OfficeApp: Record<string, unknown>;
      };
      const office = doc.OfficeApp;
      expect(office["Permissions"]).toEqual(["ReadWriteDocument"]);
      // the pane reads the user's range and adds sheets: it needs to read and to write, and only
      // ReadWriteDocument grants both (WriteDocument cannot read, ReadAllDocument cannot write)
      for (const element of ["AppDomains", "WebApplicationInfo", "ExtendedPermissions", "ExtendedOverrides"]) {
        expect(office[element], element).toBeUndefined();
        expect(xml).not.toContain(`<${element}`);
      }
      const source = String((office["DefaultSettings"] as { SourceLocation: { "@DefaultValue": string } }).SourceLocation["@DefaultValue"]);
      const origin = new URL(source).origin;
      const urls = [...xml.matchAll(/DefaultValue="(https?:[^"]+)"/g)].map((m) => m[1]!);
      expect(urls.length).toBeGreaterThanOrEqual(8);
      for (const u of urls) {
        expect(u, u).toMatch(/^https:\/\//);
        expect(new URL(u).origin, u).toBe(origin);
      }
    });
  }
});

/** The attributes of a start tag. */
function attributes(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([\w:-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g)) {
    if (m.index === 0) continue; // the tag's name
    out[m[1]!.toLowerCase()] = m[2] ?? m[3] ?? m[4] ?? "";
  }
  return out;
}

/** The Content-Security-Policy of a page's meta element, as directive → sources; and where it stands. */
function csp(html: string): { policy: Map<string, string[]>; index: number } {
  const metas = [...html.matchAll(/<meta\b[^>]*>/gis)].filter((m) => /http-equiv\s*=\s*"Content-Security-Policy"/i.test(m[0]));
  expect(metas).toHaveLength(1);
  const content = attributes(metas[0]![0])["content"]!;
  const policy = new Map<string, string[]>();
  for (const part of content.split(";")) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) {
      expect(policy.has(name), `directive ${name} twice`).toBe(false);
      policy.set(name, sources);
    }
  }
  return { policy, index: metas[0]!.index! };
}

describe("the task pane's Content-Security-Policy", () => {
  for (const file of ["taskpane.html", "dist/taskpane.html"]) {
    it(`${file}: scripts from the pane's site and Office.js's CDN only (+ 'wasm-unsafe-eval'), never 'unsafe-eval'`, () => {
      const html = readFileSync(file.startsWith("dist/") ? built("taskpane.html") : join(app, file), "utf8");
      const { policy, index } = csp(html);
      const all = [...policy.values()].flat();
      expect(all).not.toContain("'unsafe-eval'");
      expect([...(policy.get("script-src") ?? [])].sort()).toEqual(["'self'", "'wasm-unsafe-eval'", OFFICE_CDN].sort());
      expect(policy.get("default-src")).toEqual(["'self'"]);
      expect(policy.get("worker-src")).toEqual(["'self'"]);
      expect(policy.get("object-src")).toEqual(["'none'"]);
      expect(policy.get("base-uri")).toEqual(["'self'"]);
      expect(policy.get("form-action")).toEqual(["'none'"]);
      // no directive lets a script in by a side door
      for (const [name, sources] of policy) {
        if (name === "style-src") continue; // Fluent UI (Griffel) inserts its style elements at run time: 'unsafe-inline' styles, no scripts
        expect(sources, name).not.toContain("'unsafe-inline'");
        expect(sources, name).not.toContain("*");
      }
      // the policy comes before any script, so that it covers them all
      const firstScript = html.search(/<script\b/i);
      expect(firstScript).toBeGreaterThan(index);
    });
  }
});

/** The scripts of a page: src (or null for an inline one) and the text inside. */
function scripts(html: string): { src: string | null; type: string | null; body: string }[] {
  return [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi)].map((m) => {
    const a = attributes(`<script ${m[1]!}>`);
    return { src: a["src"] ?? null, type: a["type"] ?? null, body: m[2]! };
  });
}

/** The page's own JavaScript: its scripts and module preloads, and every .js file they name (the worker), inside dist/. */
function pageBundles(): string[] {
  const html = readFileSync(built("taskpane.html"), "utf8");
  const start = scripts(html)
    .map((s) => s.src)
    .filter((src): src is string => src !== null && src !== OFFICE_JS);
  for (const m of html.matchAll(/<link\b[^>]*>/gi)) {
    const a = attributes(m[0]);
    if (a["href"] && /\.m?js$/.test(a["href"])) start.push(a["href"]);
  }
  const seen = new Set<string>();
  const queue = start.map((src) => resolve(dist, src));
  while (queue.length > 0) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    expect(existsSync(file), relative(dist, file)).toBe(true);
    seen.add(file);
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/["'`]((?:\.{0,2}\/)?[\w./-]+\.m?js)["'`]/g)) {
      const next = resolve(dirname(file), m[1]!);
      const inAssets = resolve(dist, "assets", m[1]!);
      for (const f of [next, inAssets]) if (f.startsWith(dist) && existsSync(f) && statSync(f).isFile()) queue.push(f);
    }
  }
  return [...seen];
}

describe("what the built task pane loads", () => {
  it("dist/taskpane.html: its own bundle, functions.js and Office.js; no inline script, no other site", () => {
    const html = readFileSync(built("taskpane.html"), "utf8");
    const list = scripts(html);
    expect(list.map((s) => s.src)).toEqual([OFFICE_JS, "functions.js", expect.stringMatching(/^\.\/assets\/taskpane-[\w-]+\.js$/)]);
    for (const s of list) {
      expect(s.body.trim(), `inline code in <script src="${s.src}">`).toBe("");
      if (s.src === OFFICE_JS) continue;
      expect(s.src, "a script of the pane's own site").not.toMatch(/^[a-z][a-z0-9+.-]*:|^\/\//i);
      expect(existsSync(resolve(dist, s.src!)), s.src!).toBe(true);
    }
    // nothing else from another site either: links, images, frames
    for (const m of html.matchAll(/\b(?:href|src)\s*=\s*"([^"]+)"/gi)) {
      const url = m[1]!;
      if (url === OFFICE_JS) continue;
      expect(url, url).not.toMatch(/^[a-z][a-z0-9+.-]*:|^\/\//i);
    }
  });

  it("the bundles the page loads: the pane's, its worker's and functions.js, all in dist/; none imports from another site", () => {
    const files = pageBundles().map((f) => relative(dist, f));
    expect(files).toEqual(expect.arrayContaining(["functions.js", expect.stringMatching(/^assets\/taskpane-/), expect.stringMatching(/^assets\/fitWorker-/)]));
    for (const f of pageBundles()) {
      const text = readFileSync(f, "utf8");
      expect(text, f).not.toMatch(/\bimport\s*\(\s*["'`](?:https?:)?\/\//);
      expect(text, f).not.toMatch(/\bfrom\s*["'`](?:https?:)?\/\//);
      expect(text, f).not.toMatch(/new\s+(?:Shared)?Worker\s*\(\s*["'`](?:https?:)?\/\//);
    }
  });
});

/**
 * Ways to turn a string into code. Written as pieces so that this file does not match itself.
 * (The Function constructor "taken as a value" is `= Function;` and the like: how a bundler aliases it.)
 */
const STRING_EVAL: { what: string; re: RegExp }[] = [
  { what: "ev" + "al(", re: new RegExp("\\bev" + "al\\s*\\(") },
  { what: "new Func" + "tion", re: new RegExp("\\bnew\\s+Func" + "tion\\b") },
  { what: "Func" + "tion(", re: new RegExp("(?<![\\w$.])(?<!\\bnew\\s+)Func" + "tion\\s*\\(") },
  { what: "the Func" + "tion constructor as a value", re: new RegExp("(?:[=(,]|\\breturn)\\s*Func" + "tion\\s*[;,)}\\]]") },
  { what: "a string to setTime" + "out/setInter" + "val", re: new RegExp("\\bset(?:Time" + "out|Inter" + "val|Immediate)\\s*\\(\\s*[\"'`]") },
  { what: ".constructor(string)", re: new RegExp("\\.construc" + "tor\\s*\\(\\s*[\"'`]") },
  { what: "importScr" + "ipts", re: new RegExp("\\bimportScr" + "ipts\\s*\\(") },
];

/**
 * Uses allowed as unavoidable, by file (relative to the repository) and what: none. (The engine's one
 * third-party use, @stdlib/math-base-tools-evalpoly's factory, is stubbed out at build time.)
 */
const ALLOWED: { file: RegExp; what: string; why: string }[] = [];

/** A source text without its comments (a bundle keeps them: it may be one long line with "//" in strings). */
const withoutComments = (text: string): string => text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, " ")).replace(/(^|[^:"'`\\])\/\/.*$/gm, "$1");

/** Every match of the patterns in a text, with a little context. */
function findEval(file: string, text: string): string[] {
  const out: string[] = [];
  for (const { what, re } of STRING_EVAL) {
    const g = new RegExp(re.source, "g");
    for (const m of text.matchAll(g)) {
      const rel = relative(repo, file);
      if (ALLOWED.some((a) => a.file.test(rel) && a.what === what)) continue;
      const line = text.slice(0, m.index).split("\n").length;
      out.push(`${rel}:${line}: ${what}: …${text.slice(Math.max(0, m.index! - 50), m.index! + 40).replace(/\s+/g, " ")}…`);
    }
  }
  return out;
}

/** The files under a folder with one of the extensions (node_modules and dist left out). */
function filesUnder(dir: string, ext: RegExp): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === "node_modules" || e.name === "dist") continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p, ext));
    else if (ext.test(e.name)) out.push(p);
  }
  return out;
}

describe("no string becomes code", () => {
  it("the patterns find what they are meant to find", () => {
    const samples = [
      "x = ev" + "al('1+1')",
      "const f = new Func" + "tion('a', 'return a')",
      "Func" + "tion('return this')()",
      "var q=Func" + "tion;module.exports=q",
      "setTime" + "out('alert(1)', 10)",
      "(function(){}).construc" + "tor('return 1')",
      "importScr" + "ipts('x.js')",
    ];
    for (const s of samples) expect(findEval("sample.js", s), s).toHaveLength(1);
    for (const s of ["x.evaluate(e)", "isFunction(f)", "typeof f === 'function'", "f instanceof Func" + "tion)", "setTimeout(() => 1, 0)", "'Function' + 1", "g?: Func" + "tion)", "Map<string, Func" + "tion>"]) {
      expect(findEval("sample.js", s), s).toEqual([]);
    }
  });

  it("in the sources: apps/excel-addin/src and packages/*/src", () => {
    const dirs = [join(app, "src"), ...readdirSync(join(repo, "packages")).map((p) => join(repo, "packages", p, "src"))];
    const files = dirs.flatMap((d) => filesUnder(d, /\.(ts|tsx|js|mjs|cjs)$/));
    expect(files.length).toBeGreaterThan(50);
    expect(files.flatMap((f) => findEval(f, withoutComments(readFileSync(f, "utf8"))))).toEqual([]);
  });

  it("in the built bundles the task pane loads (functions.js, the pane's bundle, the fitting worker) and the rest of dist/", () => {
    const bundles = pageBundles();
    expect(bundles.length).toBeGreaterThanOrEqual(3);
    const all = (function walk(dir: string): string[] {
      return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : /\.m?js$/.test(e.name) ? [join(dir, e.name)] : []));
    })(dist);
    for (const b of bundles) expect(all).toContain(b);
    expect(all.flatMap((f) => findEval(f, readFileSync(f, "utf8")))).toEqual([]);
  });
});
