import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { familyOf, glmmAfter, glmmAfterDir, glmmDataDir } from "../../core/test/glmmAfterFixture.js";
import { run } from "../src/run.js";

async function capture(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await run(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

const model = (name: string) => glmmAfter.models.find((m) => m.name === name)!;
/** The arguments that fit a fixture's model as `hlm fit --family` does. */
const modelArgs = (m: { data: string; formula: string; link: string; factors: string[]; weights?: string }): string[] => [
  `${glmmDataDir}${m.data}`,
  "--formula",
  m.formula,
  "--family",
  familyOf(m.link),
  "--link",
  m.link,
  "--factors",
  m.factors.join(","),
  ...(m.weights ? ["--weights", m.weights] : []),
];
/** stderr without the Contraception fits' (and glmer's) "nearly unidentifiable: very large eigenvalue" warning, which I(age^2)'s scale earns them. */
const withoutScaleWarning = (err: string): string => err.replace(/hlm: warning: (m\d: )?Model is nearly unidentifiable: very large eigenvalue\n - Rescale variables\?\n/g, "");
const maxDiff = (got: number[], want: number[]): number => Math.max(...want.map((w, i) => Math.abs(got[i]! - w) / Math.max(1, Math.abs(w))));

describe("hlm predict --family: lme4's predict(glmer, newdata, type, re.form, allow.new.levels = TRUE)", () => {
  for (const name of ["cbpp_logit", "cbpp_proportion", "grouseticks_poisson", "contra_slope"]) {
    it(name, async () => {
      const m = model(name);
      const base = ["predict", ...modelArgs(m), "--newdata", `${glmmAfterDir}${m.newdata}`, "--json"];
      const get = async (extra: string[]): Promise<{ fit: number[]; population: number[]; se_link: number[]; new_levels: string[][] }> => {
        const { code, out, err } = await capture([...base, ...extra]);
        expect(withoutScaleWarning(err)).toBe("");
        expect(code).toBe(0);
        const rows = JSON.parse(out) as { fit: number; population: number; se_link: number; new_levels: string[] }[];
        return { fit: rows.map((r) => r.fit), population: rows.map((r) => r.population), se_link: rows.map((r) => r.se_link), new_levels: rows.map((r) => r.new_levels) };
      };
      const link = await get([]); // lme4's default type is "link"
      expect(maxDiff(link.fit, m.predict.link)).toBeLessThan(1e-4);
      expect(maxDiff(link.population, m.predict.linkPopulation)).toBeLessThan(1e-4);
      const response = await get(["--type", "response"]);
      expect(maxDiff(response.fit, m.predict.response)).toBeLessThan(1e-4);
      expect(maxDiff(response.population, m.predict.responsePopulation)).toBeLessThan(1e-4);
      const noRe = await get(["--type", "response", "--no-re"]);
      expect(maxDiff(noRe.fit, m.predict.responsePopulation)).toBeLessThan(1e-4);
      expect(response.se_link).toEqual(link.se_link);
    }, 60_000);
  }

  it("prints CSV: the new rows, fit, population, se_link and new_levels", async () => {
    const m = model("cbpp_logit");
    const { code, out } = await capture(["predict", ...modelArgs(m), "--newdata", `${glmmAfterDir}${m.newdata}`, "--type", "response"]);
    expect(code).toBe(0);
    const lines = out.trimEnd().split("\n");
    expect(lines[0]).toBe("period,herd,incidence,size,fit,population,se_link,new_levels");
    expect(lines).toHaveLength(6);
    expect(lines[3]!.endsWith(",herd")).toBe(true);
    expect(Math.abs(Number(lines[1]!.split(",")[4]) - m.predict.response[0]!)).toBeLessThan(1e-5);
  }, 60_000);

  it("refuses a --type other than link or response, and --type without --family", async () => {
    const m = model("cbpp_logit");
    const bad = await capture(["predict", ...modelArgs(m), "--newdata", `${glmmAfterDir}${m.newdata}`, "--type", "probability"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toBe("hlm: --type must be link or response, not 'probability'.\n");
    const lmm = await capture(["predict", `${glmmDataDir}cbpp.csv`, "--formula", "incidence ~ period + (1 | herd)", "--newdata", `${glmmAfterDir}${m.newdata}`, "--type", "link"]);
    expect(lmm.err).toBe("hlm: --type is an option of a generalized linear mixed model: give it with --family binomial or --family poisson.\n");
  });
});

describe("hlm confint --family --method wald: lme4's confint(glmer, method = \"Wald\")", () => {
  for (const name of ["cbpp_logit", "verbagg_crossed"]) {
    it(name, async () => {
      const m = model(name);
      for (const [level, ref] of [["0.95", m.wald95], ["0.9", m.wald90]] as const) {
        const { code, out, err } = await capture(["confint", ...modelArgs(m), "--method", "wald", "--level", level, "--json"]);
        expect(err).toBe("");
        expect(code).toBe(0);
        const json = JSON.parse(out) as { method: string; rows: { oldName: string; lower: number | null; upper: number | null }[] };
        expect(json.method).toBe("Wald");
        expect(json.rows.map((r) => r.oldName)).toEqual(ref.names);
        json.rows.forEach((r, i) => {
          if (ref.lower[i] === null) return void expect([r.lower, r.upper]).toEqual([null, null]); // NaN in JSON: lme4's NA
          // within 2e-3 of the half-width (β̂ within 0.002 SE, SE within 5e-3: the conformance tolerances)
          const half = (ref.upper[i]! - ref.lower[i]!) / 2;
          expect(Math.abs(r.lower! - ref.lower[i]!)).toBeLessThan(2e-3 * half);
          expect(Math.abs(r.upper! - ref.upper[i]!)).toBeLessThan(2e-3 * half);
        });
      }
    }, 120_000);
  }

  it("refuses bootstrap intervals of a GLMM in one sentence", async () => {
    const m = model("cbpp_logit");
    const { code, out, err } = await capture(["confint", ...modelArgs(m), "--method", "boot"]);
    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err).toBe("hlm: A generalized linear mixed model (--family) has profile and Wald intervals, not yet bootstrap ones: give --method profile (the default) or --method wald.\n");
  });
});

describe("hlm confint --family: lme4's confint(glmer), profile intervals by default", () => {
  const profiles = JSON.parse(readFileSync(`${glmmAfterDir}glmmProfile.json`, "utf8")) as { name: string; data: string; factors: string[]; formula: string; link: string; nAGQ: number; parameters: string[]; lower: number[]; upper: number[] }[];
  for (const name of ["cbpp_logit", "cbpp_logit_agq5"]) {
    it(name, async () => {
      const ref = profiles.find((p) => p.name === name)!;
      const { code, out, err } = await capture(["confint", ...modelArgs(ref), ...(ref.nAGQ > 1 ? ["--nagq", String(ref.nAGQ)] : []), "--json"]);
      expect(err).toBe("");
      expect(code).toBe(0);
      const json = JSON.parse(out) as { method: string; rows: { parameter: string; lower: number; upper: number }[] };
      expect(json.method).toBe("profile");
      expect(json.rows.map((r) => r.parameter)).toEqual(ref.parameters);
      json.rows.forEach((r, i) => {
        expect(Math.abs(r.lower - ref.lower[i]!)).toBeLessThan(1e-4);
        expect(Math.abs(r.upper - ref.upper[i]!)).toBeLessThan(1e-4);
      });
    }, 120_000);
  }

  it("prints lme4's table", async () => {
    const { out } = await capture(["confint", ...modelArgs(model("cbpp_logit"))]);
    expect(out.split("\n").slice(0, 3)).toEqual(["Profile-likelihood confidence intervals (95 %)", "                      Estimate      2.5 %     97.5 %", "sd_(Intercept)|herd   0.642064   0.346073   1.099981"]);
  }, 60_000);
});

describe("hlm compare --family: lme4's anova(glmer0, glmer1, ...)", () => {
  for (const c of glmmAfter.comparisons.filter((x) => x.name !== "verbagg_item")) {
    it(c.name, async () => {
      const args = ["compare", `${glmmDataDir}${c.data}`, ...c.formulas.flatMap((f) => ["--formula", f]), "--family", familyOf(c.link), "--link", c.link, "--factors", c.factors.join(",")];
      const { code, out, err } = await capture([...args, "--json"]);
      expect(code).toBe(0);
      expect(withoutScaleWarning(err)).toBe("");
      const json = JSON.parse(out) as { nobs: number; models: { name: string; npar: number; AIC: number; BIC: number; logLik: number; deviance: number; Chisq: number | null; Df: number | null; "Pr(>Chisq)": number | null }[] };
      expect(json.models.map((r) => r.name)).toEqual(c.rows);
      expect(json.models.map((r) => r.npar)).toEqual(c.npar);
      json.models.forEach((r, i) => {
        for (const k of ["AIC", "BIC", "logLik", "deviance"] as const) expect(Math.abs(r[k] - c[k][i]!)).toBeLessThan(1e-4);
        if (c.Chisq[i] === null) expect(r.Chisq).toBeNull();
        else expect(Math.abs(r.Chisq! - c.Chisq[i]!)).toBeLessThan(1e-4);
        if (c.p[i] !== null) expect(Math.abs(r["Pr(>Chisq)"]! - c.p[i]!) / c.p[i]!).toBeLessThan(1e-4);
      });
      const text = await capture(args);
      // R's print but for the data's name (the script's d) and its curly quotes
      // the table, then the fits' warnings (R gives them as each model is fitted, not in the table)
      const mine = text.out.replace(/'/g, "‘").trimEnd().split("\n").map((l) => l.trimEnd()).slice(0, c.printed.length);
      const want = c.printed.map((l) => l.replace(/’/g, "‘").replace(/^Data: d$/, `Data: ${c.data.replace(/\.csv$/, "")}`).trimEnd());
      expect(mine.map((l) => l.replace(/-?\d+\.\d+(e-\d+)?/g, "#"))).toEqual(want.map((l) => l.replace(/-?\d+\.\d+(e-\d+)?/g, "#")));
    }, 120_000);
  }
});

describe("hlm icc and hlm r2 --family: performance's icc() and r2_nakagawa() of a glmer fit", () => {
  for (const name of ["cbpp_probit", "contraception_logit", "grouseticks_poisson", "sim_pois_singular"]) {
    it(name, async () => {
      const m = model(name);
      const icc = await capture(["icc", ...modelArgs(m), "--json"]);
      expect(icc.code).toBe(0);
      const singular = name === "sim_pois_singular" ? ["boundary (singular) fit: see help('isSingular')"] : []; // the fit's, then performance's
      expect(withoutScaleWarning(icc.err)).toBe([...singular, ...m.warnings.map((w) => w.replace(/\s+/g, " "))].map((w) => `hlm: warning: ${w}\n`).join(""));
      const i = JSON.parse(icc.out) as { iccAdjusted: number | null; iccUnadjusted: number | null };
      const r2 = await capture(["r2", ...modelArgs(m), "--json"]);
      expect(r2.code).toBe(0);
      const r = JSON.parse(r2.out) as { r2Conditional: number | null; r2Marginal: number };
      const check = (got: number | null, want: number | null | undefined): void => {
        if (want === null || want === undefined) expect(got).toBeNull();
        else expect(Math.abs(got! - want)).toBeLessThan(2e-5);
      };
      check(i.iccAdjusted, m.icc?.adjusted);
      check(i.iccUnadjusted, m.icc?.unadjusted);
      check(r.r2Conditional, m.r2!.conditional);
      check(r.r2Marginal, m.r2!.marginal);
    }, 60_000);
  }

  it("prints performance's layout, NA where it gives NA", async () => {
    const { out } = await capture(["r2", ...modelArgs(model("sim_pois_singular"))]);
    expect(out).toBe("# R2 for Mixed Models (sim)\n\n  Conditional R2: NA\n     Marginal R2: 0.107\n");
    const icc = await capture(["icc", ...modelArgs(model("cbpp_logit"))]);
    expect(icc.out).toBe("# Intraclass Correlation Coefficient (cbpp)\n\n    Adjusted ICC: 0.111\n  Unadjusted ICC: 0.102\n");
  }, 60_000);
});

describe("--family on the commands that do not take it", () => {
  for (const command of ["anova", "influence"]) {
    it(command, async () => {
      const { code, err } = await capture([command, `${glmmDataDir}cbpp.csv`, "--formula", "cbind(incidence, size - incidence) ~ period + (1 | herd)", "--family", "binomial"]);
      expect(code).toBe(2);
      expect(err).toBe(`hlm: --family: ${command} is not yet for a generalized linear mixed model; hlm fit, hlm compare, hlm confint, hlm predict, hlm icc, hlm r2 take --family.\n`);
    });
  }
});

describe("hlm fit --family on a bad response: one sentence naming the column and the row, or R's warning", () => {
  const csv = readFileSync(`${glmmAfterDir}badInput.csv`, "utf8").split("\n");
  const header = csv[0]!.split(",");
  /** badInput.csv with one cell changed, in a temporary file; `row` as a spreadsheet numbers it. */
  const withCell = (column: string, row: number, value: string): string => {
    const j = header.indexOf(`"${column}"`);
    const lines = csv.map((line, i) => (i === row - 1 ? line.split(",").map((c, k) => (k === j ? value : c)).join(",") : line));
    const path = join(mkdtempSync(join(tmpdir(), "hlm-bad-")), "bad.csv");
    writeFileSync(path, lines.join("\n"));
    return path;
  };
  it("a negative count: exit 2, the column and the row", async () => {
    const r = await capture(["fit", withCell("cnt", 7, "-2"), "--formula", "cnt ~ x + (1 | g)", "--family", "poisson", "--factors", "g"]);
    expect(r.code).toBe(2);
    expect(r.err).toBe("hlm: A Poisson response must be a count of 0 or more, but 'cnt' is -2 in row 7 (R: negative values not allowed for the 'Poisson' family).\n");
  });
  it("successes above the trials: exit 2", async () => {
    const r = await capture(["fit", withCell("s", 6, "7"), "--formula", "cbind(s, n - s) ~ x + (1 | g)", "--family", "binomial", "--factors", "g"]);
    expect(r.code).toBe(2);
    expect(r.err).toBe("hlm: The failures 'n - s' of cbind(s, n - s) must be counts of 0 or more, but they are -2 in row 6: more successes (7) than trials there?\n");
  });
  it("non-integer successes: R's warning, on stderr beside the JSON and at the end of the summary", async () => {
    const path = withCell("y", 4, "0.5");
    const args = ["fit", path, "--formula", "y ~ x + (1 | g)", "--family", "binomial", "--factors", "g"];
    const json = await capture([...args, "--json"]);
    expect(json.code).toBe(0);
    expect(json.err).toBe("hlm: warning: non-integer #successes in a binomial glm! ('y' is 0.5 in row 4)\n");
    const text = await capture(args);
    expect(text.out.trimEnd().split("\n").at(-1)).toBe("non-integer #successes in a binomial glm! ('y' is 0.5 in row 4)");
  }, 60_000);
});
