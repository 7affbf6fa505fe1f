// The documentation's examples and numbers (run after `pnpm build`, which builds the CLI and the site).
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { fit, formatSummary, readCsv } from "@hlm/core";
import { databaseFiles } from "../scripts/databases.js";
import { generate, MODELS } from "../scripts/generate.js";
import { blocks, docsDir, fragmentCode, images, includes, numberKeys, numberValue, pages, readPage } from "./pages.js";

const run = promisify(execFile);
const publicDir = join(docsDir, "public");
const cli = join(docsDir, "../packages/cli/dist/main.js");
const tsx = join(docsDir, "node_modules/.bin/tsx");
const generated = generate();
// with the databases page's fragments, which the built command makes through DuckDB
const files = { ...generated.files, ...(await databaseFiles(docsDir)) };
const nums = JSON.parse(files["generated/numbers.json"]!) as Record<string, string | number>;
const allPages = pages();

describe("the generated numbers", () => {
  it("are the ones on disk (the site was built from the engine as it is)", () => {
    for (const [path, text] of Object.entries(files)) {
      const full = join(docsDir, path);
      expect(existsSync(full), `${path} missing: run the docs build`).toBe(true);
      expect(readFileSync(full, "utf8"), path).toBe(text);
    }
  });

  it("are the engine's: the summaries and estimates of the lecture's fits", () => {
    const nels = readCsv(readFileSync(join(publicDir, "nels_sim.csv"), "utf8"));
    for (const name of ["fit0", "fit1", "fit2"] as const) {
      const m = fit(nels, MODELS[name], { REML: false });
      expect(files[`generated/${name}-summary.md`]).toBe("```text\n" + formatSummary(m, { dataName: "nels_sim" }).replace(/\s+$/, "") + "\n```\n");
      expect(generated.fits[name].fixef).toEqual(m.fixef);
    }
    const m1 = generated.fits.fit1;
    expect(nums.fit1B0).toBe(m1.fixef[0]!.toFixed(4));
    expect(nums.fit1B1).toBe(m1.fixef[1]!.toFixed(4));
    expect(nums.nschools).toBe(684);
    // the lecture's shrinkage formula reproduces the BLUP coefficients
    expect(Number(nums.shrinkMaxDiff)).toBeLessThan(1e-8);
  });

  it("agree with lme4 on every reference fit", () => {
    expect(nums.conformanceAgree).toBe(nums.conformanceTotal);
  });
});

describe.concurrent.each(allPages)("page %s", (page) => {
  const text = readPage(page);

  it("includes only generated fragments, shows only generated numbers and plots", () => {
    for (const inc of includes(text)) expect(files[inc], inc).toBeDefined();
    for (const key of numberKeys(text)) expect(["string", "number"], `nums.${key}`).toContain(typeof numberValue(nums, key));
    for (const img of images(text)) expect(files[`public${img}`] ?? (existsSync(join(publicDir, img)) ? "" : undefined), img).toBeDefined();
    if (numberKeys(text).length > 0) expect(text).toMatch(/import nums from "(\.\.\/|\.\/)generated\/numbers\.json"/);
  });

  const tsRuns = blocks(text).filter((b) => b.lang === "ts" && /\brun\b/.test(b.meta));
  it.each(tsRuns.map((b, i) => [i + 1, b] as const))("runs its TypeScript example %i and prints what the page shows", async (i, block) => {
    const dir = join(docsDir, "test/.tmp");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${page.replace(/[/.]/g, "_")}-${i}.ts`);
    writeFileSync(file, block.code);
    const { stdout } = await run(tsx, [file], { cwd: publicDir });
    expect(block.output, "a `ts run` block is followed by the include of its output").not.toBeNull();
    expect(stdout.replace(/\s+$/, "")).toBe(fragmentCode(files[block.output!]!));
  });

});

// The command lines shown on the pages, each run once against the built CLI (in docs/public, beside
// nels_sim.csv): they exit 0, and print the text the page shows after them, or the summary of the fit
// they name when it is one of the lecture's.
const summaryOf = new Map(
  (Object.keys(MODELS) as (keyof typeof MODELS)[]).map((k) => [`hlm fit nels_sim.csv --formula "${MODELS[k]}" --ml`, `generated/${k}-summary.md`]),
);
const commands = new Map<string, string | null>();
for (const page of allPages) {
  for (const b of blocks(readPage(page)).filter((b) => b.lang === "sh")) {
    const lines = b.code.split("\n").filter((l) => /^hlm\s/.test(l));
    for (const line of lines) commands.set(line, (lines.length === 1 ? b.output : null) ?? summaryOf.get(line) ?? commands.get(line) ?? null);
  }
}

describe.concurrent("the command lines on the pages", () => {
  it.each([...commands].map(([line, output]) => [line, output] as const))("`%s`", async (line, output) => {
    const { stdout } = await run("bash", ["-c", `hlm() { node "${cli}" "$@"; }; ${line}`], { cwd: publicDir });
    if (output) expect(stdout.replace(/\s+$/, "")).toBe(fragmentCode(files[output]!));
  });
});

describe("the built site", () => {
  const dist = join(docsDir, ".vitepress/dist");
  it.runIf(existsSync(dist))("has every page, with its numbers filled in", () => {
    // the pages with generated content (numbers or fragments)
    for (const page of allPages.filter((p) => numberKeys(readPage(p)).length + includes(readPage(p)).length > 0)) {
      const html = readFileSync(join(dist, page.replace(/(^|\/)index\.md$/, "$1index.html").replace(/\.md$/, ".html")), "utf8");
      expect(html, page).not.toMatch(/\{\{\s*nums\./);
      expect(html, page).not.toContain("@include");
      for (const key of numberKeys(readPage(page))) expect(html, `${page}: nums.${key}`).toContain(String(numberValue(nums, key)));
    }
  });
});
