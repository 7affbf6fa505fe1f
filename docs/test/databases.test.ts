// The databases page (guide/databases.md): its fragments are what the built command prints now,
// and the fit through DuckDB is the fit from the CSV file in memory.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { databaseFiles } from "../scripts/databases.js";
import { docsDir } from "./pages.js";

describe("the databases page", async () => {
  const files = await databaseFiles(docsDir);
  it("shows what the built command prints now (the files on disk)", () => {
    for (const [path, text] of Object.entries(files)) expect(readFileSync(join(docsDir, path), "utf8"), path).toBe(text);
    expect(Object.keys(files)).toHaveLength(4);
  });
  it("shows the fit from the CSV file in memory, to every printed digit", () => {
    const cli = join(docsDir, "../packages/cli/dist/main.js");
    const memory = execFileSync(process.execPath, [cli, "fit", join(docsDir, "public/nels_sim.csv"), "--formula", "score ~ ses + (ses | school)", "--ml"], { encoding: "utf8" });
    const page = files["generated/db-parquet-summary.md"]!.replace(/^```text\n|\n```\n$/g, "");
    expect(page.replace("Data: nels\n", "Data: nels_sim\n")).toBe(memory.replace(/\s+$/, ""));
  });
  it("shows profile intervals and the ICC from the sums as from the CSV file in memory, to every printed digit", () => {
    const cli = join(docsDir, "../packages/cli/dist/main.js");
    const page = files["generated/db-after-fit.md"]!;
    const memory = (command: string): string => execFileSync(process.execPath, [cli, command, join(docsDir, "public/nels_sim.csv"), "--formula", "score ~ ses + (ses | school)", "--ml"], { encoding: "utf8" });
    expect(page).toContain(memory("icc").replace("(nels_sim)", "(nels)"));
    // the limits to every printed digit; the estimates are each fit's own optimum (they agree to 1e-6)
    const rows = (text: string): string[][] => [...text.matchAll(/^((?:sd|cor)_\S+|sigma|\(Intercept\)|ses) +(-?[\d.]+) +(-?[\d.]+) +(-?[\d.]+)$/gm)].map((m) => m.slice(1));
    const [shown, fromRows] = [rows(page), rows(memory("confint"))];
    expect(shown.map((r) => r[0])).toEqual(["sd_(Intercept)|school", "cor_ses.(Intercept)|school", "sd_ses|school", "sigma", "(Intercept)", "ses"]);
    shown.forEach((r, i) => {
      expect(r.slice(2)).toEqual(fromRows[i]!.slice(2));
      expect(Math.abs(Number(r[1]) - Number(fromRows[i]![1]))).toBeLessThanOrEqual(1e-6 * Math.abs(Number(r[1])));
    });
  });
  it("counts one cell per school and a query for BigQuery", () => {
    expect(files["generated/db-sizes.md"]).toMatch(/\| cells .* \| 684 \|/);
    expect(files["generated/db-bigquery-sql.md"]).toMatch(/FROM `analytics`\.`nels`/);
    expect(files["generated/db-bigquery-sql.md"]).toMatch(/FLOAT64/);
  });
});
