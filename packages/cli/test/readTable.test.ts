import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildModel, fitModel, fitToJson, readCsv } from "@hlm/core";
import { describe, expect, it } from "vitest";
import { conformanceDir } from "../../core/test/compareReference.js";
import { readTable, run } from "../src/run.js";

async function capture(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await run(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

const MIB = 1 << 20;

/**
 * A CSV of about 3.2 MB, so that the CLI reads it in four pieces: a BOM, CRLF line ends, group labels
 * with multi-byte characters (which the pieces may cut between bytes), quoted fields with commas,
 * quotes and line breaks; a quoted field with line breaks across the first 1 MiB boundary and a CRLF
 * split by the second.
 */
function bigCsv(): string {
  const labels = ["Zürich", "東京", "😀 team", '"a, ""b"""', "Oslo", "São Paulo", "Kraków", "x"];
  let seed = 42;
  const rnd = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const rows: string[] = ["\uFEFFy,x,g,note\r\n"];
  let bytes = Buffer.byteLength(rows[0]!);
  const add = (row: string): void => {
    rows.push(row);
    bytes += Buffer.byteLength(row);
  };
  const row = (note: string): string => {
    const g = Math.floor(rnd() * labels.length);
    const x = (rnd() * 10).toFixed(3);
    const y = (1 + 0.5 * Number(x) + g / 3 + rnd()).toFixed(4);
    return `${y},${x},${labels[g]},${note}\r\n`;
  };
  while (bytes < MIB - 500) add(row(rnd() < 0.1 ? "NA" : "plain"));
  add(row(`"${"line one, ü\r\n".repeat(80)}end"`)); // about 1,300 bytes: across byte 1 MiB
  while (bytes < 2 * MIB - 200) add(row("plain"));
  // Pad a row so that its CR is the last byte of the second MiB and its LF the first of the third.
  const last = row("");
  add(last.replace(",\r\n", `,${"p".repeat(2 * MIB - 1 - (bytes + Buffer.byteLength(last) - 2))}\r\n`));
  while (bytes < 3.2e6) add(row(rnd() < 0.01 ? '"multi\nline"' : "plain"));
  const text = rows.join("");
  if (Buffer.byteLength(text.slice(0, text.indexOf("end\""))) < MIB || Buffer.from(text).subarray(2 * MIB - 1, 2 * MIB + 1).toString() !== "\r\n") {
    throw new Error("the test file does not have the intended layout");
  }
  return text;
}

describe("readTable streams CSV files", () => {
  const dir = mkdtempSync(join(tmpdir(), "hlm-stream-"));

  it("to the same table as reading the whole file, for every conformance and fixture CSV", async () => {
    const fixtures = fileURLToPath(new URL("../../core/test/fixtures/", import.meta.url));
    const files = [
      ...readdirSync(conformanceDir).filter((f) => f.endsWith(".csv")).map((f) => join(conformanceDir, f)),
      ...readdirSync(join(fixtures, "lme4")).filter((f) => f.endsWith(".csv")).map((f) => join(fixtures, "lme4", f)),
      ...readdirSync(join(fixtures, "random")).filter((f) => f.endsWith(".csv")).map((f) => join(fixtures, "random", f)),
    ];
    expect(files.length).toBeGreaterThan(10);
    for (const path of files) expect(await readTable(path), path).toEqual(readCsv(readFileSync(path, "utf8")));
  });

  it("to the same table and fit for a file of several pieces", async () => {
    const path = join(dir, "big.csv");
    writeFileSync(path, bigCsv());
    const whole = readCsv(readFileSync(path, "utf8"));
    const streamed = await readTable(path);
    expect(streamed).toEqual(whole);
    expect(streamed.nrow).toBeGreaterThan(50_000);
    const g = streamed.columns[2]!;
    expect(g.kind === "string" && new Set(g.values)).toEqual(new Set(["Zürich", "東京", "😀 team", 'a, "b"', "Oslo", "São Paulo", "Kraków", "x"]));

    const formula = "y ~ x + (1 | g)";
    const r = await capture(["fit", path, "--formula", formula, "--json"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    delete json.fit_seconds;
    const before = fitToJson(fitModel(buildModel(whole, formula, { REML: true, factors: [] }), { REML: true, factors: [] }), { dataset: "big", factors: [] });
    expect(json).toEqual(JSON.parse(JSON.stringify(before)));
  });

  it("with the same messages for malformed files, a file that is not text, and a folder", async () => {
    const bad = join(dir, "bad.csv");
    writeFileSync(bad, `y,x,g\n${"1,2,a\n".repeat(300_000)}1,2\n`);
    const rows = await capture(["fit", bad, "--formula", "y ~ x + (1 | g)"]);
    expect(rows.err).toBe("hlm: Line 300002 has 2 fields, but the header has 3 columns.\n");
    expect(rows.code).toBe(2);
    // A NUL anywhere makes it "not a text file", even after a malformed line in an earlier piece.
    const binary = join(dir, "binary.csv");
    writeFileSync(binary, `y,x,g\n1,2\n${"1,2,a\n".repeat(300_000)}\u0000`);
    expect((await capture(["fit", binary, "--formula", "y ~ x + (1 | g)"])).err).toBe(`hlm: Cannot read '${binary}': it is not a text (CSV) file.\n`);
    const folder = join(dir, "folder.csv");
    mkdirSync(folder);
    expect((await capture(["fit", folder, "--formula", "y ~ x + (1 | g)"])).err).toBe(`hlm: Cannot read '${folder}': it is a directory.\n`);
    const empty = join(dir, "empty.csv");
    writeFileSync(empty, "");
    expect((await capture(["fit", empty, "--formula", "y ~ x + (1 | g)"])).err).toBe("hlm: The CSV text is empty: it needs a header line naming the columns.\n");
  });
});
