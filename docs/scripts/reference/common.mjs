// Helpers shared by the reference-page generators (functions.mjs, cli.mjs, api.mjs).
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** The repository root (docs/scripts/reference/../../..). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
/** docs/reference, where the pages go. */
export const referenceDir = join(repoRoot, "docs/reference");

/** Whether the module at `url` is the script node was started with. */
export const isMain = (url) => process.argv[1] !== undefined && url === pathToFileURL(resolve(process.argv[1])).href;

/** Writes a file, creating its directory. */
export function writePage(path, text) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/** Text for a markdown table cell: `|` escaped, line breaks as spaces. */
export const cell = (s) => String(s).replace(/\|/g, "\\|").replace(/\r?\n/g, " ");

/** Inline code in a table cell (the pipe still escaped: GFM splits cells before code spans). */
export const code = (s) => `\`${cell(s)}\``;

/** A markdown table from a header and rows of already formatted cells. */
export function table(header, rows, align) {
  const line = (cells) => `| ${cells.join(" | ")} |`;
  const sep = header.map((_, i) => (align?.[i] === "right" ? "---:" : "---"));
  return [line(header), line(sep), ...rows.map(line)].join("\n");
}

/**
 * The values of a CSV file as Excel's Range.values gives them: a header row of text, then numbers
 * as numbers and text as text (the simple CSVs of the repository: no commas inside quotes).
 */
export function csvValues(path) {
  const lines = readFileSync(path, "utf8").replace(/\r/g, "").split("\n").filter((l) => l !== "");
  return lines.map((line, r) =>
    line.split(",").map((f) => {
      const quoted = f.startsWith('"') && f.endsWith('"');
      const t = quoted ? f.slice(1, -1) : f;
      if (r === 0 || quoted || t.trim() === "") return t === "" ? null : t;
      const x = Number(t);
      return Number.isFinite(x) ? x : t;
    }),
  );
}

/** Excel's column letters of a 0-based column index. */
export function columnLetter(i) {
  let s = "";
  for (let k = i + 1; k > 0; k = Math.floor((k - 1) / 26)) s = String.fromCharCode(65 + ((k - 1) % 26)) + s;
  return s;
}

/** A number as Excel's General format shows it in a default-width cell (here 8 significant digits). */
export function general(v) {
  if (typeof v === "boolean") return v ? "TRUE" : "FALSE";
  if (typeof v !== "number") return v === null || v === undefined ? "" : String(v);
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e11) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-4 || a >= 1e11)) {
    const [m, e] = v.toExponential(4).split("e");
    return `${String(Number(m))}E${e.startsWith("-") ? "-" : "+"}${e.replace(/^[-+]/, "").padStart(2, "0")}`;
  }
  return String(Number(v.toPrecision(8)));
}
