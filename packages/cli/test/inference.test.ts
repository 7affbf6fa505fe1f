import { readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { conformanceDir } from "../../core/test/compareReference.js";
import { run } from "../src/run.js";

async function capture(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await run(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}
const fixture = <T>(path: string): T => JSON.parse(readFileSync(new URL(`../../core/test/fixtures/${path}`, import.meta.url), "utf8")) as T;
const sleep = [`${conformanceDir}sleepstudy.csv`, "--formula", "Reaction ~ Days + (Days | Subject)"];
const near = (a: number, b: number, rel: number): void => expect(Math.abs(a - b)).toBeLessThanOrEqual(rel * Math.abs(b));

describe("hlm anova, confint, icc, r2, predict, influence", () => {
  it("anova prints lmerTest's type III table (NELS fit.2, ML)", async () => {
    const ref = fixture<{ name: string; terms: string[]; F: number[]; denDf: number[]; p: number[] }[]>("anova/anova.json").find((r) => r.name === "nels_interaction_ml")!;
    const { code, out } = await capture(["anova", `${conformanceDir}nels_sim.csv`, "--formula", "score ~ flp * ses + (ses | school)", "--ml"]);
    expect(code).toBe(0);
    expect(out.split("\n")[0]).toBe("Type III Analysis of Variance Table with Satterthwaite's method");
    const json = JSON.parse((await capture(["anova", `${conformanceDir}nels_sim.csv`, "--formula", "score ~ flp * ses + (ses | school)", "--ml", "--json"])).out) as { term: string; F: number; denDf: number }[];
    expect(json.map((r) => r.term)).toEqual(ref.terms);
    json.forEach((r, i) => (near(r.F, ref.F[i]!, 1e-4), near(r.denDf, ref.denDf[i]!, 1e-3)));
    for (const t of ref.terms) expect(out).toMatch(new RegExp(`^${t}\\s`, "m"));
  });

  it("confint gives lme4's Wald intervals, at any level, and refuses a bad level or method", async () => {
    const ref = fixture<{ name: string; wald95: { lower: number[]; upper: number[] }; wald90: { lower: number[]; upper: number[] } }[]>("effectSizes/effectSizes.json").find((r) => r.name === "sleepstudy_slopes_reml")!;
    const j95 = JSON.parse((await capture(["confint", ...sleep, "--method", "wald", "--json"])).out) as { method: string; rows: { parameter: string; lower: number; upper: number }[] };
    expect(j95.method).toBe("Wald");
    expect(j95.rows.map((r) => r.parameter)).toEqual(["(Intercept)", "Days"]);
    j95.rows.forEach((r, i) => (near(r.lower, ref.wald95.lower[i]!, 1e-6), near(r.upper, ref.wald95.upper[i]!, 1e-6)));
    const j90 = JSON.parse((await capture(["confint", ...sleep, "--method", "Wald", "--level", "0.9", "--json"])).out) as { rows: { lower: number }[] };
    j90.rows.forEach((r, i) => near(r.lower, ref.wald90.lower[i]!, 1e-6));
    const text = (await capture(["confint", ...sleep, "--method", "wald"])).out;
    expect(text).toMatch(/^Wald confidence intervals \(95 %\)\n\s+Estimate\s+2\.5 %\s+97\.5 %\n\(Intercept\)\s+251\.40\d+\s+238\.02\d+\s+264\.78\d+\n/);
    expect(await capture(["confint", ...sleep, "--method", "wald", "--level", "95"])).toEqual({ code: 2, out: "", err: "hlm: --level must be a number strictly between 0 and 1, such as 0.95, not '95'.\n" });
    expect((await capture(["confint", ...sleep, "--method", "exact"])).err).toBe("hlm: --method must be profile, wald or boot, not 'exact'.\n");
  });

  it("confint --method profile gives lme4's profile-likelihood intervals", async () => {
    const ref = fixture<{ name: string; parameters: string[]; lower: number[]; upper: number[] }[]>("profile/profile.json").find((r) => r.name === "sleepstudy_reml")!;
    const { code, out, err } = await capture(["confint", ...sleep, "--json"]); // profile is the default, as in lme4
    expect(code).toBe(0);
    const json = JSON.parse(out) as { method: string; rows: { parameter: string; lower: number; upper: number }[] };
    expect(json.method).toBe("profile");
    expect(json.rows.map((r) => r.parameter)).toEqual(ref.parameters);
    json.rows.forEach((r, i) => {
      const width = ref.upper[i]! - ref.lower[i]!;
      expect(Math.abs(r.lower - ref.lower[i]!)).toBeLessThan(2e-3 * width);
      expect(Math.abs(r.upper - ref.upper[i]!)).toBeLessThan(2e-3 * width);
    });
    expect(err).toBe(""); // progress only where stderr is a terminal (manners.test.ts)
    const text = (await capture(["confint", ...sleep, "--method", "PROFILE", "--level", "0.9"])).out;
    expect(text.split("\n")[0]).toBe("Profile-likelihood confidence intervals (90 %)");
    expect(text).toMatch(/^sd_\(Intercept\)\|Subject\s+24\.74\d+\s+\S+\s+\S+$/m);
  });

  it("confint --method boot reproduces lme4's bootstrap (same seed, same draws)", async () => {
    const ref = fixture<{ name: string; seed: number; nsim: number; intervals: { type: string; lower: number[]; upper: number[] }[] }[]>("bootstrap/bootstrap.json").find((r) => r.name === "dyestuff_reml")!;
    const perc = ref.intervals.find((i) => i.type === "perc")!;
    const args = ["confint", `${conformanceDir}Dyestuff.csv`, "--formula", "Yield ~ 1 + (1 | Batch)", "--method", "boot", "--nsim", String(ref.nsim), "--seed", String(ref.seed)];
    const { code, out, err } = await capture([...args, "--json"]);
    expect(code).toBe(0);
    const json = JSON.parse(out) as { method: string; seed: number; nsim: number; rows: { parameter: string; lower: number; upper: number }[] };
    expect([json.method, json.seed, json.nsim]).toEqual(["boot", ref.seed, ref.nsim]);
    json.rows.forEach((r, i) => {
      const width = perc.upper[i]! - perc.lower[i]!;
      expect(Math.abs(r.lower - perc.lower[i]!)).toBeLessThan(1e-3 * width);
      expect(Math.abs(r.upper - perc.upper[i]!)).toBeLessThan(1e-3 * width);
    });
    expect(err).toBe(""); // a seed was given; progress only where stderr is a terminal
    const text = (await capture(args)).out;
    expect(text.split("\n")[0]).toBe(`Parametric bootstrap confidence intervals (95 %, ${ref.nsim} refits, seed ${ref.seed})`);
    expect((await capture([...args.slice(0, -4), "--nsim", "0"])).err).toBe("hlm: --nsim must be a whole number of at least 1, not '0'.\n");
    const unseeded = await capture(["confint", `${conformanceDir}Dyestuff.csv`, "--formula", "Yield ~ 1 + (1 | Batch)", "--method", "boot", "--nsim", "20"]);
    expect(unseeded.err).toMatch(/hlm: bootstrap seed (\d+) \(give --seed \1 to repeat these intervals\)/);
  });

  it("icc and r2 print performance's numbers", async () => {
    const ref = fixture<{ name: string; iccAdjusted: number; iccUnadjusted: number; r2Marginal: number; r2Conditional: number }[]>("effectSizes/effectSizes.json").find((r) => r.name === "sleepstudy_slopes_reml")!;
    const icc = JSON.parse((await capture(["icc", ...sleep, "--json"])).out) as { iccAdjusted: number; iccUnadjusted: number };
    near(icc.iccAdjusted, ref.iccAdjusted, 1e-6);
    near(icc.iccUnadjusted, ref.iccUnadjusted, 1e-6);
    const r2 = JSON.parse((await capture(["r2", ...sleep, "--json"])).out) as { r2Marginal: number; r2Conditional: number };
    near(r2.r2Marginal, ref.r2Marginal, 1e-6);
    near(r2.r2Conditional, ref.r2Conditional, 1e-6);
    expect((await capture(["icc", ...sleep])).out).toBe(`# Intraclass Correlation Coefficient (sleepstudy)\n\n    Adjusted ICC: ${ref.iccAdjusted.toFixed(3)}\n  Unadjusted ICC: ${ref.iccUnadjusted.toFixed(3)}\n`);
    expect((await capture(["r2", ...sleep])).out).toBe(`# R2 for Mixed Models (sleepstudy)\n\n  Conditional R2: ${ref.r2Conditional.toFixed(3)}\n     Marginal R2: ${ref.r2Marginal.toFixed(3)}\n`);
  });

  it("predict prints the new rows with lme4's predictions as CSV", async () => {
    const ref = fixture<{ name: string; newdata: { Days: number; Subject: string }[]; fit: number[]; population: number[]; se: number[] }[]>("predict/predict.json").find((r) => r.name === "sleepstudy_reml")!;
    const dir = mkdtempSync(join(tmpdir(), "hlm-predict-"));
    const file = join(dir, "new.csv");
    writeFileSync(file, "Subject,Days\n" + ref.newdata.map((r) => `${r.Subject},${r.Days}`).join("\n") + "\n");
    const { code, out } = await capture(["predict", ...sleep, "--newdata", file]);
    expect(code).toBe(0);
    const lines = out.trimEnd().split("\n");
    expect(lines[0]).toBe("Subject,Days,fit,population,se,new_levels");
    lines.slice(1).forEach((l, i) => {
      const [s, d, fit, pop, se, nl] = l.split(",");
      expect([s, Number(d)]).toEqual([ref.newdata[i]!.Subject, ref.newdata[i]!.Days]);
      near(Number(fit), ref.fit[i]!, 1e-6);
      near(Number(pop), ref.population[i]!, 1e-6);
      near(Number(se), ref.se[i]!, 1e-4);
      expect(nl).toBe(["999", "new"].includes(ref.newdata[i]!.Subject) ? "Subject" : "");
    });
    const noRe = (await capture(["predict", ...sleep, "--newdata", file, "--no-re"])).out.trimEnd().split("\n");
    noRe.slice(1).forEach((l, i) => near(Number(l.split(",")[2]), ref.population[i]!, 1e-6));
    expect((await capture(["predict", ...sleep])).err).toBe("hlm: Give the rows to predict with --newdata NEW.csv (a header naming the formula's columns).\n");
    writeFileSync(file, "Subject,Days\n308,\n");
    expect(await capture(["predict", ...sleep, "--newdata", file])).toEqual({
      code: 2,
      out: "",
      err: "hlm: Row 2 of the new data has no value for 'Days'; every variable of the fixed and random effects needs one for a prediction.\n",
    });
  });

  it("influence prints lme4's Cook's distances per level left out", async () => {
    const ref = fixture<{ name: string; levels: string[]; cooksDistance: number[] }[]>("influence/influence.json").find((r) => r.name === "dyestuff_ml")!;
    const args = ["influence", `${conformanceDir}Dyestuff.csv`, "--formula", "Yield ~ 1 + (1 | Batch)", "--ml"];
    const json = JSON.parse((await capture([...args, "--json"])).out) as { levels: string[]; cooksDistance: number[] };
    expect(json.levels).toEqual(ref.levels);
    json.cooksDistance.forEach((d, k) => near(d, ref.cooksDistance[k]!, 1e-3));
    const text = (await capture(args)).out.split("\n");
    expect(text[0]).toBe("Influence of each level of Batch: the model refitted without it (lme4's influence())");
    expect(text[1]).toMatch(/^Batch\s+Cook's D\s+Δ \(Intercept\)\s+converged$/);
    const [level, cook, , converged] = text[2]!.split(/\s+/);
    expect([level, converged]).toEqual(["A", "yes"]);
    near(Number(cook), ref.cooksDistance[0]!, 1e-3);
    expect((await capture([...args, "--group", "Plate"])).err).toBe("hlm: The column 'Plate' is not in the data; influence needs a column whose levels to leave out.\n");
  });
});
