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
    expect(Object.keys(files)).toHaveLength(3);
  });
  it("shows the fit from the CSV file in memory, to every printed digit", () => {
    const cli = join(docsDir, "../packages/cli/dist/main.js");
    const memory = execFileSync(process.execPath, [cli, "fit", join(docsDir, "public/nels_sim.csv"), "--formula", "score ~ ses + (ses | school)", "--ml"], { encoding: "utf8" });
    const page = files["generated/db-parquet-summary.md"]!.replace(/^```text\n|\n```\n$/g, "");
    expect(page.replace("Data: nels\n", "Data: nels_sim\n")).toBe(memory.replace(/\s+$/, ""));
  });
  it("counts one cell per school and a query for BigQuery", () => {
    expect(files["generated/db-sizes.md"]).toMatch(/\| cells .* \| 684 \|/);
    expect(files["generated/db-bigquery-sql.md"]).toMatch(/FROM `analytics`\.`nels`/);
    expect(files["generated/db-bigquery-sql.md"]).toMatch(/FLOAT64/);
  });
});
