/** hlm predict with a spline basis: R's predictions from the training data's knots, and bs()'s warning beyond its boundary knots. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { run } from "../src/run.js";

const dir = fileURLToPath(new URL("../../core/test/conformance-formula/", import.meta.url));

async function capture(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await run(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

describe("hlm predict with bs() and ns()", () => {
  it("prints lme4's predictions (the training data's knots) and R's warning for new x beyond bs()'s boundary knots", async () => {
    const ref = JSON.parse(readFileSync(`${dir}bs_df5_reml.json`, "utf8")) as { formula: string; predictions: { newdata: string; conditional: number[] } };
    const { code, out, err } = await capture(["predict", `${dir}sleepstudy.csv`, "--formula", ref.formula, "--factors", "Subject", "--newdata", `${dir}${ref.predictions.newdata}`]);
    expect(code).toBe(0);
    const [header, ...rows] = out.trimEnd().split("\n");
    expect(header).toBe("Days,Subject,fit,population,se,new_levels");
    const fit = rows.map((r) => Number(r.split(",")[2]));
    expect(fit.length).toBe(ref.predictions.conditional.length);
    fit.forEach((v, i) => expect(Math.abs(v - ref.predictions.conditional[i]!) / ref.predictions.conditional[i]!).toBeLessThan(1e-6));
    // Days = -1 in the new data's first row (line 2 of the file) is below the boundary knot 0
    expect(err).toContain("hlm: warning: bs(Days, df = 5): 'Days' in row 2 of the new data is beyond the boundary knots 0 and 9");
    // ns() extrapolates linearly without a warning
    const ns = await capture(["predict", `${dir}sleepstudy.csv`, "--formula", "Reaction ~ ns(Days, 3) + (1 | Subject)", "--factors", "Subject", "--newdata", `${dir}${ref.predictions.newdata}`]);
    expect(ns.code).toBe(0);
    expect(ns.err).not.toContain("warning");
  });
});
