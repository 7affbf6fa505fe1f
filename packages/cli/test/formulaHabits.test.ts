import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { run } from "../src/run.js";

/** hlm predict and hlm influence on R's formula habits: factor(Days), (1 | factor(Subject)). */
async function capture(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await run(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}
const data = fileURLToPath(new URL("../../core/test/conformance-formula/sleepstudy.csv", import.meta.url));
interface Habit {
  name: string;
  newdata: { Days: number; Subject: string }[];
  conditional: number[];
  population: number[];
}
// lme4's predict(m, newdata, allow.new.levels = TRUE) and re.form = NA, from core's fixtures/formulaHabits/formulaHabits.R
const habits = (JSON.parse(readFileSync(new URL("../../core/test/fixtures/formulaHabits/formulaHabits.json", import.meta.url), "utf8")) as { models: Habit[] }).models;
const newdataFile = (rows: { Days: number; Subject: string }[]): string => {
  const file = join(mkdtempSync(join(tmpdir(), "hlm-habits-")), "new.csv");
  writeFileSync(file, ["Days,Subject", ...rows.map((r) => `${r.Days},${r.Subject}`)].join("\n") + "\n");
  return file;
};

describe("hlm predict and influence with factor() and grouping expressions", () => {
  it("predicts factor(Days) as lme4 does, and refuses a Days the fit has not seen, naming the row", async () => {
    const ref = habits.find((h) => h.name === "factor_days")!;
    const args = ["predict", data, "--formula", "Reaction ~ factor(Days) + (1 | Subject)", "--factors", "Subject"];
    const { code, out } = await capture([...args, "--newdata", newdataFile(ref.newdata), "--json"]);
    expect(code).toBe(0);
    const rows = JSON.parse(out) as { fit: number; population: number; new_levels: string[] }[];
    rows.forEach((r, i) => {
      expect(Math.abs(r.fit - ref.conditional[i]!)).toBeLessThan(1e-4);
      expect(Math.abs(r.population - ref.population[i]!)).toBeLessThan(1e-6);
    });
    expect(rows.map((r) => r.new_levels)).toEqual([[], [], [], ["Subject"], ["Subject"], ["Subject"]]);
    const bad = await capture([...args, "--newdata", newdataFile([{ Days: 2, Subject: "308" }, { Days: 12, Subject: "308" }])]);
    expect(bad).toEqual({
      code: bad.code,
      out: "",
      err: "hlm: Row 3 of the new data gives 'factor(Days)' the level '12', which it does not have in the fitted data (0, 1, 2, 3, 4, 5, 6, 7, 8, 9).\n",
    });
    expect(bad.code).not.toBe(0);
  });

  it("leaves out the levels of the grouping expression's column by default: (1 | factor(Subject)) → Subject", async () => {
    const { code, out } = await capture(["influence", data, "--formula", "Reaction ~ Days + (1 | factor(Subject))", "--factors", "Subject", "--json"]);
    expect(code).toBe(0);
    const inf = JSON.parse(out) as { group: string; levels: string[] };
    expect(inf.group).toBe("Subject");
    expect(inf.levels).toHaveLength(18);
  });
});
