/**
 * The engine's folders follow its pipeline, and imports run one way, down it: a stage may use the
 * stages before it, never one after it, and no module imports itself back through others.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const src = fileURLToPath(new URL("../src/", import.meta.url));
/** The pipeline's order: HlmError.ts, then the folders, then index.ts. */
const ORDER = ["HlmError", "io", "formula", "kernels", "model", "linalg", "structure", "objective", "optim", "fit", "sql", "glmm", "inference", "results", "report", "index"];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return sources(p);
    return f.endsWith(".ts") && !f.endsWith(".test.ts") ? [p] : [];
  });
}

const files = sources(src);
const stage = (file: string): string => relative(src, file).split("/")[0]!.replace(/\.ts$/, "");
const imports = new Map(
  files.map((f) => [f, [...readFileSync(f, "utf8").matchAll(/from "(\.{1,2}\/[^"]+)\.js"/g)].map((m) => resolve(dirname(f), `${m[1]}.ts`))] as const),
);

describe("core's layout", () => {
  it("every source file is in a stage of the pipeline", () => {
    expect(files.map(stage).filter((s) => !ORDER.includes(s))).toEqual([]);
  });

  it("imports run down the pipeline, never up", () => {
    const up: string[] = [];
    for (const [f, deps] of imports) for (const d of deps) if (ORDER.indexOf(stage(d)) > ORDER.indexOf(stage(f))) up.push(`${relative(src, f)} → ${relative(src, d)}`);
    expect(up).toEqual([]);
  });

  it("each folder's README.md names every source file in it", () => {
    const unnamed: string[] = [];
    for (const folder of ORDER.filter((s) => statSync(join(src, s), { throwIfNoEntry: false })?.isDirectory())) {
      const readme = readFileSync(join(src, folder, "README.md"), "utf8");
      for (const f of files.filter((f) => stage(f) === folder)) {
        const rel = relative(join(src, folder), f);
        const named = readme.includes(`\`${rel}\``) || (rel.includes("/") && readme.includes(`\`${rel.split("/")[0]}/\``));
        if (!named) unnamed.push(`${folder}/${rel}`);
      }
    }
    expect(unnamed).toEqual([]);
  });

  it("no import cycles", () => {
    const cycles: string[] = [];
    const state = new Map<string, "open" | "done">();
    const visit = (f: string, path: string[]): void => {
      if (state.get(f) === "done") return;
      if (state.get(f) === "open") {
        cycles.push([...path.slice(path.indexOf(f)), f].map((p) => relative(src, p)).join(" → "));
        return;
      }
      state.set(f, "open");
      for (const d of imports.get(f) ?? []) visit(d, [...path, f]);
      state.set(f, "done");
    };
    for (const f of files) visit(f, []);
    expect(cycles).toEqual([]);
  });
});
