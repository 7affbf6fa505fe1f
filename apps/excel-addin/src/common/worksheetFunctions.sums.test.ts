/**
 * A warehouse's sums as the data of the worksheet functions: test/fixtures/hsb_sums.csv is the
 * result of the query `hlm sql --dialect duckdb --table hsb --formula "MathAch ~ SES * Sector + (SES | School)"
 * --factors Sector --columns School:number` prints, run by DuckDB on packages/core/test/conformance/hsb.csv.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { csvToRange, datasetRange } from "../../test/conformanceRange.js";
import { modelCache } from "./modelCache.js";
import { fixef, ranef, shrinkage, sigma, sql, summary, varcorr, logLik, icc, r2, predict, confint } from "./worksheetFunctions.js";

const sums = csvToRange(readFileSync(new URL("../../test/fixtures/hsb_sums.csv", import.meta.url), "utf8"));
const rows = datasetRange("hsb");
const formula = "MathAch ~ SES * Sector + (SES | School)";
const options = "factors=Sector; columns=School:number";

const numbers = (t: unknown[][]): number[] => t.flat().filter((v): v is number => typeof v === "number");

describe("the worksheet functions on a warehouse's sums", () => {
  it("give the fit from the rows: fixed effects, BLUPs, variance components, σ, log-likelihood", () => {
    modelCache.clear();
    const close = (a: unknown[][], b: unknown[][], tol: number): void => {
      const x = numbers(a);
      const y = numbers(b);
      expect(x).toHaveLength(y.length);
      x.forEach((v, i) => expect(Math.abs(v - y[i]!), `${i}: ${v} vs ${y[i]}`).toBeLessThan(tol * Math.max(1, Math.abs(y[i]!))));
    };
    // the labels and layout the same; the numbers to the optimizer's tolerance (each fit stops on its own)
    expect(fixef(sums, formula, "REML", options).map((r) => r[0])).toEqual(fixef(rows, formula, "REML", options).map((r) => r[0]));
    close(fixef(sums, formula, "REML", options).map((r) => r.slice(1, 3)), fixef(rows, formula, "REML", options).map((r) => r.slice(1, 3)), 1e-4);
    close(ranef(sums, formula, undefined, "REML", options), ranef(rows, formula, undefined, "REML", options), 1e-3);
    close(varcorr(sums, formula, "REML", options), varcorr(rows, formula, "REML", options), 1e-4);
    close(sigma(sums, formula, "REML", options), sigma(rows, formula, "REML", options), 1e-6);
    close(logLik(sums, formula, "REML", options), logLik(rows, formula, "REML", options), 1e-9);
    // the ICC and R² from the rows' moments the query summed (X'X, X's column sums, each term's Σ z z')
    for (const type of ["adjusted", "unadjusted"]) close(icc(sums, formula, undefined, "REML", type, options), icc(rows, formula, undefined, "REML", type, options), 1e-6);
    close(r2(sums, formula, "REML", options), r2(rows, formula, "REML", options), 1e-6);
    expect(r2(sums, formula, "REML", options).map((r) => r[0])).toEqual(["Marginal R2", "Conditional R2"]);
    // predictions for new rows, coded with the sums' levels (a new school: the population's line)
    const school = (rows[0] as unknown[]).indexOf("School");
    const fresh = [...rows.slice(0, 6), (rows[1] as unknown[]).map((v, i) => (i === school ? 99999 : v))];
    const fromSums = predict(sums, formula, fresh, "REML", options);
    expect(fromSums[0]).toEqual(["Prediction", "Population", "SE"]);
    expect(fromSums).toHaveLength(7);
    close(fromSums, predict(rows, formula, fresh, "REML", options), 1e-6);
    expect(fromSums[6]![0]).toBe(fromSums[6]![1]);
    expect(fromSums[1]![0]).not.toBe(fromSums[1]![1]);

    // the summary without the scaled residuals (no rows to compute them from)
    const s = summary(sums, formula, "REML", options).map((r) => String(r[0]));
    const fromRows = summary(rows, formula, "REML", options).map((r) => String(r[0]));
    const section = (lines: string[], from: string, to: string): string[] => lines.slice(lines.indexOf(from), lines.indexOf(to, lines.indexOf(from)));
    expect(fromRows).toContain("Scaled residuals: ");
    expect(s).not.toContain("Scaled residuals: ");
    expect(section(s, "Random effects:", "")).toEqual(section(fromRows, "Random effects:", ""));
    expect(section(s, "Fixed effects:", "---")).toEqual(section(fromRows, "Fixed effects:", "---"));
  });

  it("give the lecture's shrinkage table from each school's sums, as from the rows", () => {
    const fromSums = shrinkage(sums, formula, undefined, "REML", options);
    const fromRows = shrinkage(rows, formula, undefined, "REML", options);
    expect(fromSums[0]).toEqual(fromRows[0]);
    expect(fromSums.map((r) => r[0])).toEqual(fromRows.map((r) => r[0]));
    // the groups' own OLS (columns 2 and 3) to rounding; the BLUP coefficients to the two fits' agreement
    fromRows.slice(1).forEach((row, l) => {
      expect(fromSums[l + 1]![1]).toBe(row[1]);
      for (const j of [2, 3]) expect(Math.abs((fromSums[l + 1]![j] as number) - (row[j] as number))).toBeLessThan(1e-9 * Math.max(1, Math.abs(row[j] as number)));
      for (const j of [4, 5]) expect(Math.abs((fromSums[l + 1]![j] as number) - (row[j] as number))).toBeLessThan(1e-4);
    });
  });

  it("give lme4's profile intervals from the sums alone, as from the rows", async () => {
    const fromSums = await confint(sums, formula, "REML", 0.95, "profile", options);
    const fromRows = await confint(rows, formula, "REML", 0.95, "profile", options);
    expect(fromSums.map((r) => r[0])).toEqual(fromRows.map((r) => r[0]));
    expect(fromSums.map((r) => r[0])).toContain("sd_SES|School");
    // each fit stops on its own; the profiles refit by ML from there to a tight optimum
    const x = numbers(fromSums);
    numbers(fromRows).forEach((v, i) => expect(Math.abs(x[i]! - v), `${i}`).toBeLessThan(1e-5 * Math.max(1, Math.abs(v))));
  });

  it("need no options: the result names its categorical variables, and its key columns how their values are written", () => {
    const withOptions = fixef(sums, formula, "REML", options);
    expect(fixef(sums, formula, "REML")).toEqual(withOptions);
    expect(ranef(sums, formula)[1]![0]).toBe(ranef(rows, formula, undefined, "REML", options)[1]![0]);
  });

  it("refuse what needs the rows, in one sentence", () => {
    expect(() => fixef(sums, formula, "ML", `${options}; family=binomial`)).toThrow(/fitted by repeated passes over the rows \(PIRLS\)/);
    expect(() => fixef(sums, formula, "REML", `${options}; correlation=corAR1()`)).toThrow(/A residual structure needs the rows/);
    // sums made for another formula are refused, not misread
    expect(() => fixef(sums, "MathAch ~ SES + (SES | School)", "REML", options)).toThrow(/computed for another formula/);
  });
});

describe("HLM.SQL", () => {
  it("writes the query of the sums, a line per cell, in the warehouse's dialect", () => {
    const lines = sql(formula, "analytics.hsb", "bigquery", options).map((r) => r[0] as string);
    expect(lines[0]).toBe("WITH");
    expect(lines.join("\n")).toContain("FROM `analytics`.`hsb`");
    expect(lines.every((l) => l.length <= 8002)).toBe(true);
    // the same text hlm sql prints for DuckDB: the query the fixture came from
    const duck = sql(formula, "hsb", "duckdb", options).map((r) => r[0] as string).join("\n");
    expect(duck).toMatch(/GROUP BY hlm_c0, hlm_c1$/m);
  });

  it("says what it needs in one sentence", () => {
    expect(() => sql(formula, "", "bigquery")).toThrow(/Name the warehouse's table/);
    expect(() => sql(formula, "t", "oracle")).toThrow(/Unknown SQL dialect 'oracle'; the dialects are duckdb, postgres, spark, bigquery/);
    expect(() => sql(formula, "t", "spark", "family=poisson")).toThrow(/needs repeated passes over the rows/);
    expect(() => sql("y ~ ns(x, 2) + (1 | g)", "t", "spark")).toThrow(/ns\(\) \(position 5 .*cannot be computed in SQL/);
  });
});
