import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fit, type FitOptions } from "../src/fit/fit.js";
import { HlmError } from "../src/HlmError.js";
import { readCsv } from "../src/io/readCsv.js";
import { tableFromRows } from "../src/io/tableFromRows.js";
import { type Table } from "../src/io/Table.js";
import { satterthwaiteDf, satterthwaiteModel, satterthwaiteWarning } from "../src/fit/satterthwaite.js";
import { conformanceDir } from "./compareReference.js";
import { nanWithoutReason } from "./nanWithoutReason.js";

/**
 * Whatever the engine is fed, it gives a fit or one HlmError whose message says what is wrong and
 * where (column, row as a spreadsheet counts it, formula position). Each case asserts the exact
 * message, code and details of the error, or the exact warnings of the fit.
 *
 * Decisions, and why:
 * - `NA` and empty cells are missing, as in R: rows missing a variable of the formula are dropped
 *   (lme4's na.omit) and the fit's warning counts them, per variable.
 * - A cell that records a failed computation is an error naming the column and the row, not a
 *   missing value: Excel's error values (`#DIV/0!`, `#N/A`, `#VALUE!`, in any language, and
 *   LibreOffice's `Err:502`), `Inf` and `NaN`. A careful analyst wants to see them: `#N/A` is most
 *   often a lookup that found nothing and `#DIV/0!` a formula gone wrong, and dropping those rows
 *   quietly would fit a subset nobody chose (R's readxl would read them as NA, and read.csv would make
 *   the column text, so that lmer takes it for a factor). A value the user knows to be missing is an
 *   empty cell or NA, and the message says so. lme4 itself refuses Inf ("NA/NaN/Inf in foreign
 *   function call").
 * - NaN that the formula computes from values that are there (`log(x)` of a negative x) is dropped
 *   as lme4 drops it (R's NaN is NA), and the warning says that it was not a number; an infinite
 *   value (`log(0)`) is an error, as in lme4.
 * - A variable whose values are beyond 1e100, or all below 1e-100, in size is an error: its squares
 *   leave double precision (lme4 reports an SD of Inf or 0 for them). Within that range a response
 *   far from 1 in size, or with a mean far from 0, is fitted as exactly as one of size 1.
 * - A constant response, an exact fit and as many fixed effects as observations are errors: there
 *   is no variance to estimate (lme4 gives σ = 0 or "objective in x0 returns NA").
 * - Zero weights are refused (lme4 fits them with an infinite REML criterion).
 */

type Outcome =
  | { error: { code: string; message: string; details?: HlmError["details"] } }
  | { warnings: string[] };

function outcome(data: string | Table, formula: string, options: FitOptions = {}): Outcome {
  try {
    const f = fit(typeof data === "string" ? readCsv(data) : data, formula, options);
    expect(nanWithoutReason(f)).toEqual([]);
    return { warnings: f.warnings.map((w) => w.message) };
  } catch (e) {
    if (!(e instanceof HlmError)) throw e; // a crash: the test fails with its stack
    return { error: { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) } };
  }
}

/** y, x and g for seven rows, three groups: rows 2..8 of a spreadsheet with the header in row 1. */
const GOOD = ["y,x,g", "1.2,2,a", "2.1,3,a", "2.9,1,b", "4.4,5,b", "5.3,6,c", "6.1,7,c", "3.2,7,c"];
/** GOOD with cell (row, column) replaced: rows counted as a spreadsheet does (header row 1), columns from 0. */
function withCell(row: number, col: number, value: string, lines = GOOD): string {
  return lines.map((l, i) => (i === row - 1 ? l.split(",").map((c, j) => (j === col ? value : c)).join(",") : l)).join("\n") + "\n";
}
const FORMULA = "y ~ x + (1 | g)";
const refill = "correct it, or leave the cell empty (or NA) if the value is missing.";

describe("bad data: one clear error naming the column and the row", () => {
  const cases: [string, string | Table, string, FitOptions, Outcome][] = [
    ["an empty file", "", FORMULA, {}, { error: { code: "DATA", message: "The CSV text is empty: it needs a header line naming the columns." } }],
    ["only empty lines", "\n  \n\r\n", FORMULA, {}, { error: { code: "DATA", message: "The CSV text is empty: it needs a header line naming the columns." } }],
    ["a header and no rows", "y,x,g\n", FORMULA, {}, { error: { code: "DATA", message: "The data have no rows: below the header there is nothing to fit." } }],
    ["an empty table from cells", tableFromRows(["y", "x", "g"], []), FORMULA, {}, { error: { code: "DATA", message: "The data have no rows: below the header there is nothing to fit." } }],
    [
      "a column name twice",
      "y,x,x,g\n1,2,3,a\n",
      FORMULA,
      {},
      { error: { code: "DATA", message: 'The column name "x" appears twice in the header (columns 2 and 3).', details: { column: "x", row: 1 } } },
    ],
    [
      "a column without a name that has values",
      "y,,g\n1,2,a\n",
      FORMULA,
      {},
      { error: { code: "DATA", message: "Column 2 has no name in the header (line 1), but it has values (the first in row 2); name the column or remove it.", details: { row: 2 } } },
    ],
    [
      "text in a numeric column: the row as a spreadsheet counts it (the header is row 1)",
      withCell(5, 1, "oops"),
      FORMULA,
      {},
      { error: { code: "DATA", message: "Column 'x' should be numeric but row 5 holds 'oops' (name it in --factors if it is categorical).", details: { column: "x", row: 5 } } },
    ],
    [
      "text in a numeric column below two empty lines (the header is on line 3)",
      "\n\n" + withCell(4, 1, "n/a"),
      FORMULA,
      {},
      { error: { code: "DATA", message: "Column 'x' should be numeric but row 6 holds 'n/a' (name it in --factors if it is categorical).", details: { column: "x", row: 6 } } },
    ],
    [
      "text in the response",
      withCell(3, 0, "high"),
      FORMULA,
      {},
      { error: { code: "DATA", message: "Column 'y' should be numeric but row 3 holds 'high'.", details: { column: "y", row: 3 } } },
    ],
    [
      "a response that is all text",
      "y,x,g\nlow,1,a\nhigh,2,a\nlow,3,b\nhigh,4,b\nlow,5,c\n",
      FORMULA,
      {},
      { error: { code: "DATA", message: "Column 'y' should be numeric but row 2 holds 'low'.", details: { column: "y", row: 2 } } },
    ],
    ["Inf", withCell(4, 1, "Inf"), FORMULA, {}, { error: { code: "DATA", message: `Column 'x' holds 'Inf' in row 4, an infinite value, which cannot be fitted; ${refill}`, details: { column: "x", row: 4 } } }],
    ["-Inf in the response", withCell(6, 0, "-Inf"), FORMULA, {}, { error: { code: "DATA", message: `Column 'y' holds '-Inf' in row 6, an infinite value, which cannot be fitted; ${refill}`, details: { column: "y", row: 6 } } }],
    ["NaN", withCell(2, 1, "NaN"), FORMULA, {}, { error: { code: "DATA", message: `Column 'x' holds 'NaN' (not a number) in row 2; ${refill}`, details: { column: "x", row: 2 } } }],
    ["#DIV/0!", withCell(7, 1, "#DIV/0!"), FORMULA, {}, { error: { code: "DATA", message: `Column 'x' holds the spreadsheet error '#DIV/0!' in row 7; ${refill}`, details: { column: "x", row: 7 } } }],
    ["#N/A in the response", withCell(3, 0, "#N/A"), FORMULA, {}, { error: { code: "DATA", message: `Column 'y' holds the spreadsheet error '#N/A' in row 3; ${refill}`, details: { column: "y", row: 3 } } }],
    ["#VALUE!", withCell(8, 1, "#VALUE!"), FORMULA, {}, { error: { code: "DATA", message: `Column 'x' holds the spreadsheet error '#VALUE!' in row 8; ${refill}`, details: { column: "x", row: 8 } } }],
    ["#N/A in a grouping column (a lookup that found nothing, not a group)", withCell(4, 2, "#N/A"), FORMULA, {}, { error: { code: "DATA", message: `Column 'g' holds the spreadsheet error '#N/A' in row 4; ${refill}`, details: { column: "g", row: 4 } } }],
    ["German Excel's #WERT!", withCell(5, 1, "#WERT!"), FORMULA, {}, { error: { code: "DATA", message: `Column 'x' holds the spreadsheet error '#WERT!' in row 5; ${refill}`, details: { column: "x", row: 5 } } }],
    ["LibreOffice's Err:502", withCell(5, 1, "Err:502"), FORMULA, {}, { error: { code: "DATA", message: `Column 'x' holds the spreadsheet error 'Err:502' in row 5; ${refill}`, details: { column: "x", row: 5 } } }],
    [
      "cells from a sheet: infinite numbers, rows numbered from the sheet's row of the first data row",
      tableFromRows(["y", "x", "g"], [[1, 2, "a"], [2, Infinity, "a"], [3, 4, "b"], [4, 5, "b"]], { firstRow: 11 }),
      FORMULA,
      {},
      { error: { code: "DATA", message: `Column 'x' holds 'Infinity' in row 12, an infinite value, which cannot be fitted; ${refill}`, details: { column: "x", row: 12 } } },
    ],
    [
      "every row missing the same variable",
      "y,x,g\n1,,a\n2,NA,a\n3,,b\n",
      FORMULA,
      {},
      { error: { code: "DATA", message: "'x' is missing (empty or NA) in all 3 rows of the data; no rows are left to fit.", details: { column: "x" } } },
    ],
    [
      "the only row missing a variable",
      "y,x,g\n1,NA,a\n",
      FORMULA,
      {},
      { error: { code: "DATA", message: "'x' is missing (empty or NA) in the only row of the data; no rows are left to fit.", details: { column: "x" } } },
    ],
    [
      "log() of negative values in every row",
      "y,x,g\n1,-1,a\n2,-2,a\n3,-3,b\n",
      "y ~ log(x) + (1 | g)",
      {},
      { error: { code: "DATA", message: "'log(x)' is not a number (NaN) in all 3 rows of the data; no rows are left to fit.", details: { column: "log(x)" } } },
    ],
    [
      "every row missing one variable or another",
      "y,x,g\n1,,a\nNA,3,a\n,,b\n4,5,\n",
      FORMULA,
      {},
      { error: { code: "DATA", message: "Every row has a missing value in a variable of the formula ('y' missing in 2, 'x' missing in 2, 'g' missing in 1); no rows are left to fit." } },
    ],
    [
      "a grouping factor with one level (lme4: grouping factors must have > 1 sampled level)",
      "y,x,g\n1,2,a\n2,3,a\n3,1,a\n4,5,a\n",
      FORMULA,
      {},
      { error: { code: "DATA", message: "The grouping factor 'g' has only 1 level in the rows used; a random effect needs at least 2 (lme4 refuses this too).", details: { column: "g" } } },
    ],
    [
      "a grouping factor with a level per observation (lme4: number of levels of each grouping factor must be < number of observations)",
      "y,x,g\n1,2,a\n2,3,b\n3,1,c\n4,5,d\n",
      FORMULA,
      {},
      { error: { code: "DATA", message: "The grouping factor 'g' has 4 levels for 4 observations; it must have fewer levels than observations (lme4 refuses this too).", details: { column: "g" } } },
    ],
    [
      "as many random effects as observations (lme4: number of observations (=6) <= number of random effects (=6))",
      "y,x,g\n1,2,a\n2,3,a\n3,1,b\n4,5,b\n5,6,c\n6,7,c\n",
      "y ~ x + (x | g)",
      {},
      { error: { code: "DATA", message: "The term for 'g' has 6 random effects for 6 observations; there must be more observations than random effects (lme4 refuses this too).", details: { column: "g" } } },
    ],
    [
      "a numeric column taken for text, so a factor with a coefficient per level",
      "y,x,g\n1,2,a\n2,foo,a\n3,bar,b\n4,5,b\n5,6,c\n6,7,c\n",
      FORMULA,
      {},
      {
        error: {
          code: "DATA",
          message: "The fixed effects have 6 coefficients for 6 observations, which leaves nothing to estimate the variances; 'x' is categorical (it holds text), with a coefficient for each of its 6 levels but the first.",
          details: { column: "x" },
        },
      },
    ],
    [
      "a constant response (lme4 reports a residual SD of 0)",
      "y,x,g\n5,2,a\n5,3,a\n5,1,b\n5,5,b\n5,6,c\n5,7,c\n",
      FORMULA,
      {},
      { error: { code: "DATA", message: "'y' has the same value (5) in all 6 rows used; there is no variation to model.", details: { column: "y", row: 2 } } },
    ],
    [
      "a response the fixed effects reproduce exactly",
      "y,x,g\n4,2,a\n6,3,a\n2,1,b\n10,5,b\n12,6,c\n14,7,c\n14,7,c\n",
      FORMULA,
      {},
      { error: { code: "FIT", message: "The model reproduces 'y' exactly (every residual is 0), so its variances cannot be estimated; lme4 would report a residual SD of 0." } },
    ],
    [
      "a response of size 1e300 (lme4 gives SDs of Inf)",
      GOOD.map((l, i) => (i === 0 ? l : l.replace(/^([\d.]+)/, "$1e300"))).join("\n"),
      FORMULA,
      {},
      { error: { code: "DATA", message: "'y' is too large to fit: it reaches 6.1e+300 in row 7, and values beyond 1e100 overflow the computations; rescale it, e.g. I(y / 1e301).", details: { column: "y", row: 7 } } },
    ],
    [
      "a response of size 1e-300 (lme4 gives SDs of 0)",
      GOOD.map((l, i) => (i === 0 ? l : l.replace(/^([\d.]+)/, "$1e-300"))).join("\n"),
      FORMULA,
      {},
      { error: { code: "DATA", message: "'y' is too small to fit: its largest value is 6.1e-300 (row 7), and values all below 1e-100 underflow the computations; rescale it, e.g. I(y * 1e299).", details: { column: "y", row: 7 } } },
    ],
    [
      "a predictor of size 1e300 (lme4: objective in x0 returns NA)",
      withCell(4, 1, "3e300"),
      FORMULA,
      {},
      { error: { code: "DATA", message: "'x' is too large to fit: it reaches 3e+300 in row 4, and values beyond 1e100 overflow the computations; rescale it, e.g. I(x / 1e300).", details: { column: "x", row: 4 } } },
    ],
    [
      "a product of predictors beyond 1e100",
      "y,x,z,g\n1,1e60,1e50,a\n2,2,3,a\n3,1,2,b\n4,5,1,b\n5,6,2,c\n6,7,1,c\n3,7,2,c\n",
      "y ~ x * z + (1 | g)",
      {},
      { error: { code: "DATA", message: "'x:z' is too large to fit: it reaches 1e+110 in row 2, and values beyond 1e100 overflow the computations; rescale it.", details: { column: "x:z", row: 2 } } },
    ],
    [
      "a predictor of size 1e-300 (lme4: Downdated VtV is not positive definite)",
      GOOD.map((l, i) => (i === 0 ? l : l.replace(/,(\d+),/, ",$1e-300,"))).join("\n"),
      FORMULA,
      {},
      { error: { code: "DATA", message: "'x' is too small to fit: its largest value is 7e-300 (row 7), and values all below 1e-100 underflow the computations; rescale it, e.g. I(x * 1e299).", details: { column: "x", row: 7 } } },
    ],
    [
      "log(0): an infinite value the formula computes",
      withCell(4, 1, "0"),
      "y ~ log(x) + (1 | g)",
      {},
      { error: { code: "DATA", message: "'log(x)' is infinite in row 4; remove the row or transform the variable.", details: { column: "log(x)", row: 4 } } },
    ],
    [
      "a weight of 0 (lme4: REML criterion Inf)",
      "y,w,g\n1,1,a\n2,1,a\n3,1,b\n4,0,b\n5,1,c\n6,1,c\n7,1,c\n",
      "y ~ 1 + (1 | g)",
      { weights: "w" },
      { error: { code: "DATA", message: "Weights must be positive: 'w' is 0 in row 5; leave out the rows of weight 0.", details: { column: "w", row: 5 } } },
    ],
    [
      "text in the weights",
      "y,w,g\n1,1,a\n2,1,a\n3,heavy,b\n4,1,b\n5,1,c\n6,1,c\n7,1,c\n",
      "y ~ 1 + (1 | g)",
      { weights: "w" },
      { error: { code: "DATA", message: "Column 'w' should be numeric but row 4 holds 'heavy'.", details: { column: "w", row: 4 } } },
    ],
    [
      "a negative weight",
      "y,w,g\n1,1,a\n2,1,a\n3,-2,b\n4,1,b\n5,1,c\n6,1,c\n7,1,c\n",
      "y ~ 1 + (1 | g)",
      { weights: "w" },
      { error: { code: "DATA", message: "Weights must not be negative: 'w' is -2 in row 4.", details: { column: "w", row: 4 } } },
    ],
  ];
  for (const [what, data, formula, options, expected] of cases) {
    it(what, () => expect(outcome(data, formula, options)).toEqual(expected));
  }
});

describe("what lme4 fits is fitted, with warnings that say what was done", () => {
  it("drops rows with missing values and counts them per variable", () => {
    const csv = "y,x,g\n1.2,2,a\n,3,a\n2.9,NA,b\n4.4,5,b\n5.3,6,c\n6.1,NA,c\n3.2,7,c\n2.2,4,\n3.3,5,a\n";
    expect(outcome(csv, FORMULA)).toEqual({
      warnings: ["4 rows with missing values dropped ('y' missing in 1, 'x' missing in 2, 'g' missing in 1).", "boundary (singular) fit: see help('isSingular')"],
    });
    expect(fit(readCsv(csv), FORMULA).nobs).toBe(5);
  });
  it("drops the rows where the formula computes NaN, as lme4 (with R's 'NaNs produced')", () => {
    const f = fit(readCsv(GOOD.join("\n")), "y ~ log(x - 1.5) + (1 | g)");
    expect(f.nobs).toBe(6);
    expect(f.warnings.map((w) => w.message)).toContain("1 row with missing values dropped ('log(x - 1.5)' not a number in 1).");
  });
  it("leaves out an empty column without a name (a delimiter at the end of every line)", () => {
    expect(outcome(GOOD.map((l) => `${l},`).join("\n"), FORMULA)).toEqual({ warnings: [] });
  });
  it("drops collinear columns, as lme4's 'fixed-effect model matrix is rank deficient'", () => {
    const csv = "y,x,x2,z,g\n1.2,2,4,1,a\n2.1,3,6,0,a\n2.9,1,2,1,b\n4.4,5,10,0,b\n5.3,6,12,1,c\n6.1,7,14,0,c\n3.2,7,14,1,c\n";
    expect(outcome(csv, "y ~ x + x2 + z + (1 | g)")).toEqual({ warnings: ["fixed-effect model matrix is rank deficient so dropping 1 column / coefficient (x2)"] });
  });
  it("flags a singular fit and does not throw", () => {
    expect(outcome(readFileSync(`${conformanceDir}Dyestuff2.csv`, "utf8"), "Yield ~ 1 + (1 | Batch)")).toEqual({ warnings: ["boundary (singular) fit: see help('isSingular')"] });
  });
  it("flags a fit stopped by the evaluation limit and does not throw", () => {
    const got = outcome(readFileSync(`${conformanceDir}sleepstudy.csv`, "utf8"), "Reaction ~ Days + (Days | Subject)", { maxEvaluations: 10 });
    expect(got).toEqual({ warnings: ["The optimizer stopped after 10 evaluations without converging.", expect.stringMatching(/^Model failed to converge with max\|grad\| = [\d.]+ \(tol = 0\.002\)\.$/)] });
  });
  it("names the coefficients whose Satterthwaite df could not be computed (NaN or infinite)", () => {
    expect(satterthwaiteWarning(["(Intercept)", "x"], [12.5, 30])).toBeNull();
    expect(satterthwaiteWarning(["(Intercept)", "x", "z"], [NaN, 30, Infinity])).toBe("Satterthwaite degrees of freedom could not be computed for (Intercept), z; do not rely on their p-values.");
  });
  it("a random slope of a column with one wild value (1e6 among values of 1 to 4): lme4's optimum and warnings", () => {
    // lme4: REML criterion 69.02239 at θ = (1.2723, -0.4771, 0), singular, with the scale warning
    const csv = "y,x,g\n3.665,3.337,g1\n8.594,2.624,g0\n8.838,1.425,g1\n0.159,0.117,g0\n7.209,2.633,g0\n7.448,3.731,g0\n9.268,2.711,g1\n3.029,2.859,g1\n8.284,1e6,g1\n7.016,3.933,g0\n";
    expect(outcome(csv, "y ~ x + (x | g)")).toEqual({
      warnings: ["Some predictor variables are on very different scales: consider rescaling", "boundary (singular) fit: see help('isSingular')"],
    });
    const f = fit(readCsv(csv), "y ~ x + (x | g)");
    expect(f.objective).toBeLessThan(69.02239 + 1e-3);
    expect(f.fixef[1]).toBeCloseTo(0.7705, 2);
  });
  it("derivatives that cannot be evaluated give no Satterthwaite df, not an eigen-solver failure", () => {
    const d = { theta: [1], a: 0, aGrad: [NaN], aHess: [[NaN]], b: 1, bGrad: [0], bHess: [[0]], V: Float64Array.of(1), dV: [Float64Array.of(0)], evaluations: 0 };
    expect(satterthwaiteDf(satterthwaiteModel(d, 1, 10, 1), [1])).toBeNaN();
  });
  it("warns, as lme4, when predictors are on very different scales", () => {
    const csv = "y,big,small,g\n1.2,2e6,0.002,a\n2.1,3e6,0.001,a\n2.9,1e6,0.003,b\n4.4,5e6,0.002,b\n5.3,6e6,0.001,c\n6.1,7e6,0.002,c\n3.2,7e6,0.003,c\n";
    expect(outcome(csv, "y ~ big + small + (1 | g)")).toEqual({ warnings: ["Some predictor variables are on very different scales: consider rescaling"] });
  });
});

describe("a response far from 1 in size, or far from 0 beside its spread, fits as well as one near 1", () => {
  const sleep = readCsv(readFileSync(`${conformanceDir}sleepstudy.csv`, "utf8"));
  const formula = "Reaction ~ Days + (Days | Subject)";
  const base = fit(sleep, formula);
  const transformed = (f: (v: number) => number): Table => ({
    ...sleep,
    columns: sleep.columns.map((c) => (c.name === "Reaction" && c.kind === "number" ? { ...c, values: c.values.map(f) } : c)),
  });
  for (const k of [1e-90, 1e-40, 1e40, 1e90]) {
    it(`Reaction × ${k}`, () => {
      const f = fit(transformed((v) => v * k), formula);
      expect(nanWithoutReason(f)).toEqual([]);
      expect(f.warnings).toEqual([]);
      f.theta.forEach((t, i) => expect(t).toBeCloseTo(base.theta[i]!, 6));
      f.fixef.forEach((b, i) => expect(b / k).toBeCloseTo(base.fixef[i]!, 6));
      expect(f.sigma / k / base.sigma).toBeCloseTo(1, 8);
      expect(f.varcorr[0]!.covariance[1]![1]! / (k * k) / base.varcorr[0]!.covariance[1]![1]!).toBeCloseTo(1, 6);
      // the criterion moves by ν log k², the Satterthwaite df do not move
      expect(f.objective - base.objective).toBeCloseTo((sleep.nrow - 2) * Math.log(k * k), 6);
      f.satterthwaiteDf.forEach((d, i) => expect(d).toBeCloseTo(base.satterthwaiteDf[i]!, 3));
      expect(f.pValues[1]! / base.pValues[1]!).toBeCloseTo(1, 4);
    });
  }
  it("Reaction + 1e7 (a mean 1e5 SDs from 0): only the intercept moves", () => {
    const f = fit(transformed((v) => v + 1e7), formula);
    expect(f.warnings).toEqual([]);
    f.theta.forEach((t, i) => expect(t).toBeCloseTo(base.theta[i]!, 5));
    expect(f.fixef[0]! - 1e7).toBeCloseTo(base.fixef[0]!, 4);
    expect(f.fixef[1]!).toBeCloseTo(base.fixef[1]!, 5);
    expect(f.sigma).toBeCloseTo(base.sigma, 5);
    expect(f.objective).toBeCloseTo(base.objective, 5);
    expect(f.fitted[0]! - 1e7).toBeCloseTo(base.fitted[0]!, 4);
    expect(f.coef[0]!.values[0]![0]! - 1e7).toBeCloseTo(base.coef[0]!.values[0]![0]!, 4);
    expect(f.tValues[0]).toBeCloseTo((base.fixef[0]! + 1e7) / base.se[0]!, 0);
  });
});
