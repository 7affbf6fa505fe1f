// Reading the pages: their includes, `{{ nums.X }}` numbers, images, and the examples to run.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const docsDir = fileURLToPath(new URL("../", import.meta.url));

/** The site's pages (markdown under docs/, without README, generated fragments, tests and node_modules). */
export function pages(dir = docsDir): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      const rel = relative(docsDir, full);
      if (/^(node_modules|generated|test|scripts|public|\.vitepress)$/.test(rel) || name.startsWith(".")) continue;
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith(".md") && rel !== "README.md") out.push(rel);
    }
  };
  walk(dir);
  return out.sort();
}

export interface Block {
  lang: string;
  meta: string;
  code: string;
  /** The generated fragment included right after the block (the next non-blank line), if any. */
  output: string | null;
}

/** The fenced code blocks of a page, each with the fragment included right after it. */
export function blocks(text: string): Block[] {
  const lines = text.split("\n");
  const out: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w+)\s*(.*)$/.exec(lines[i]!);
    if (!open) continue;
    let j = i + 1;
    while (j < lines.length && !/^```\s*$/.test(lines[j]!)) j++;
    const code = lines.slice(i + 1, j).join("\n");
    let k = j + 1;
    while (k < lines.length && lines[k]!.trim() === "") k++;
    const inc = /^<!--@include: @\/(generated\/[\w.-]+)-->$/.exec(lines[k]?.trim() ?? "");
    out.push({ lang: open[1]!, meta: open[2]!.trim(), code, output: inc ? inc[1]! : null });
    i = j;
  }
  return out;
}

/** The text of the (single) code block of a generated fragment. */
export function fragmentCode(fragment: string): string {
  const m = /^```\w*\n([\s\S]*?)\n```\n?$/.exec(fragment);
  if (!m) throw new Error(`not a single code block: ${fragment.slice(0, 80)}`);
  return m[1]!;
}

export const includes = (text: string): string[] => [...text.matchAll(/<!--@include: @\/([^ ]+?)-->/g)].map((m) => m[1]!);
/** The `{{ nums.NAME }}` of a page, NAME a key of numbers.json or a path into it (`inference.chisq12`). */
export const numberKeys = (text: string): string[] => [...text.matchAll(/\{\{\s*nums\.([\w.]+)\s*\}\}/g)].map((m) => m[1]!);
/** The value of `{{ nums.NAME }}` (undefined when numbers.json has none). */
export const numberValue = (nums: Record<string, unknown>, key: string): unknown =>
  key.split(".").reduce<unknown>((o, k) => (o !== null && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined), nums);
export const images = (text: string): string[] => [...text.matchAll(/!\[[^\]]*\]\((\/[^)\s]+)\)/g)].map((m) => m[1]!);

export const readPage = (rel: string): string => readFileSync(join(docsDir, rel), "utf8");
