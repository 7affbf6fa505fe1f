import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fit, type FitOptions } from "../src/fit/fit.js";
import { HlmError } from "../src/HlmError.js";
import { readCsv } from "../src/io/readCsv.js";
import { nlmeDir } from "./compareNlmeReference.js";
import { nanWithoutReason } from "./nanWithoutReason.js";

/**
 * A residual structure given wrong, or data it cannot use: one HlmError whose one sentence names
 * what is wrong and where: the column, the row as a spreadsheet counts it (the CSV's header is
 * row 1, its first data row row 2), or the position in the structure's text (1-based). Each case
 * asserts the exact code, message and details.
 */

type Outcome = { error: { code: string; message: string; details?: HlmError["details"] } } | { fitted: true };

function outcome(data: string, formula: string, options: FitOptions): Outcome {
  try {
    const f = fit(readCsv(data), formula, options);
    expect(nanWithoutReason(f)).toEqual([]);
    return { fitted: true };
  } catch (e) {
    if (!(e instanceof HlmError)) throw e; // a crash: the test fails with its stack
    return { error: { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) } };
  }
}

/**
 * Nine rows (spreadsheet rows 2..10) in three groups g: a time t (1, 2, 3 in each group), h (a
 * grouping that crosses g: q is in groups a and b), strata s, a variance covariate v and x.
 */
const LINES = ["y,t,g,h,s,v,x", "1.2,1,a,p,M,1,0.3", "2.1,2,a,p,F,2,0.1", "2.9,3,a,q,M,3,0.5", "4.4,1,b,q,F,1,0.2", "5.3,2,b,r,M,2,0.9", "6.1,3,b,r,F,3,0.4", "3.2,1,c,s,M,1,0.7", "3.9,2,c,s,F,2,0.8", "4.8,3,c,s,M,3,0.2"];
/** The CSV with cells replaced: [row as a spreadsheet counts it, column name, value]. */
function csv(...cells: [number, string, string][]): string {
  const rows = LINES.map((l) => l.split(","));
  for (const [row, column, value] of cells) rows[row - 1]![rows[0]!.indexOf(column)] = value;
  return rows.map((r) => r.join(",")).join("\n") + "\n";
}
const F = "y ~ x + (1 | g)";
const corr = (correlation: string): FitOptions => ({ correlation });
const vari = (variance: string): FitOptions => ({ variance });
const opts = (code: string, message: string, details?: HlmError["details"]): Outcome => ({ error: { code, message, ...(details ? { details } : {}) } });
const parseError = (kind: "Correlation structure" | "Variance function", text: string, position: number, what: string): Outcome =>
  opts("OPTIONS", `${kind} error at position ${position} of '${text}': ${what}`, { position });

describe("the structure's data: one error naming the column and the row", () => {
  const cases: [string, string, string, FitOptions, Outcome][] = [
    [
      "an unknown time column, with the closest name",
      csv(),
      F,
      corr("corAR1(form = ~ tt | g)"),
      opts("OPTIONS", "Unknown column 'tt' in the correlation structure 'corAR1(form = ~ tt | g)'; did you mean 't'?", { column: "tt" }),
    ],
    [
      "an unknown grouping column",
      csv(),
      F,
      corr("corCAR1(form = ~ t | gg)"),
      opts("OPTIONS", "Unknown column 'gg' in the correlation structure 'corCAR1(form = ~ t | gg)'; did you mean 'g'?", { column: "gg" }),
    ],
    [
      "an unknown stratum column",
      csv(),
      F,
      vari("varIdent(form = ~ 1 | ss)"),
      opts("OPTIONS", "Unknown column 'ss' in the variance function 'varIdent(form = ~ 1 | ss)'; did you mean 's'?", { column: "ss" }),
    ],
    [
      "NA in the time of a row the model uses",
      csv([4, "t", "NA"]),
      F,
      corr("corAR1(form = ~ t | g)"),
      opts("DATA", "Column 't', which the correlation structure 'corAR1(form = ~ t | g)' reads, is missing in row 4, a row the model uses; fill it in or leave that row out.", { column: "t", row: 4 }),
    ],
    [
      "an empty time cell",
      csv([10, "t", ""]),
      F,
      corr("corCAR1(form = ~ t | g)"),
      opts("DATA", "Column 't', which the correlation structure 'corCAR1(form = ~ t | g)' reads, is missing in row 10, a row the model uses; fill it in or leave that row out.", { column: "t", row: 10 }),
    ],
    [
      "an empty stratum",
      csv([6, "s", ""]),
      F,
      vari("varIdent(form = ~ 1 | s)"),
      opts("DATA", "Column 's', which the variance function 'varIdent(form = ~ 1 | s)' reads, is missing in row 6, a row the model uses; fill it in or leave that row out.", { column: "s", row: 6 }),
    ],
    [
      "a correlation grouping that is not nested in the random effects'",
      csv(),
      F,
      corr("corAR1(form = ~ t | h)"),
      opts(
        "OPTIONS",
        "The correlation structure 'corAR1(form = ~ t | h)' groups by 'h', which is not nested in the random effects' grouping 'g': h q has rows in g a and in g b (row 5); group the correlation by 'g' (form = ~ t | g) or by a grouping nested in it.",
        { column: "h", row: 5 },
      ),
    ],
    [
      "a correlation grouped by the outer of nested random effects (nlme would silently use the inner)",
      csv(),
      "y ~ x + (1 | g/h)",
      corr("corAR1(form = ~ t | g)"),
      opts(
        "OPTIONS",
        "The correlation structure 'corAR1(form = ~ t | g)' groups by 'g', which is not nested in the random effects' grouping 'h:g': g a has rows in h:g p:a and in h:g q:a (row 4); group the correlation by 'g/h' (form = ~ t | g/h) or by a grouping nested in it.",
        { column: "g", row: 4 },
      ),
    ],
    [
      "a time that is not a whole number under corAR1",
      csv([3, "t", "2.5"]),
      F,
      corr("corAR1(form = ~ t | g)"),
      opts("DATA", "corAR1's covariate 't' must hold whole numbers (positions in time), but row 3 holds 2.5; use corCAR1 for continuous times.", { column: "t", row: 3 }),
    ],
    [
      "a position that is not a whole number under corSymm",
      csv([3, "t", "2.5"]),
      F,
      corr("corSymm(form = ~ t | g)"),
      opts("DATA", "corSymm's covariate 't' must hold positions 1, 2, 3, … within a group, but row 3 holds 2.5.", { column: "t", row: 3 }),
    ],
    [
      "a position 0 under corSymm",
      csv([8, "t", "0"]),
      F,
      corr("corSymm(form = ~ t | g)"),
      opts("DATA", "corSymm's covariate 't' must hold positions 1, 2, 3, … within a group, but row 8 holds 0.", { column: "t", row: 8 }),
    ],
    [
      "a time twice within a group: both rows",
      csv([3, "t", "1"]),
      F,
      corr("corCAR1(form = ~ t | g)"),
      opts("DATA", "The correlation structure's time 't' has the value 1 twice within g a (rows 2 and 3); times must differ within a group.", { column: "t", row: 3 }),
    ],
    [
      "a tie found after sorting by time (rows not in time order)",
      csv([5, "t", "3"], [7, "t", "3"]),
      F,
      corr("corExp(form = ~ t | g)"),
      opts("DATA", "The correlation structure's time 't' has the value 3 twice within g b (rows 5 and 7); times must differ within a group.", { column: "t", row: 7 }),
    ],
    [
      "a time that is text",
      csv([5, "t", "two"]),
      F,
      corr("corCAR1(form = ~ t | g)"),
      opts("DATA", "The correlation structure's covariate 't' must be numeric, but row 5 holds 'two'.", { column: "t", row: 5 }),
    ],
    [
      "a varIdent stratum of one row",
      csv([2, "s", "Z"]),
      F,
      vari("varIdent(form = ~ 1 | s)"),
      opts(
        "DATA",
        "The variance function 'varIdent(form = ~ 1 | s)' has a stratum 'Z' of 's' with one row only (row 2); its variance cannot be estimated from one residual: merge it with another stratum or leave it out.",
        { column: "s", row: 2 },
      ),
    ],
    [
      "a varPower covariate 0",
      csv([5, "v", "0"]),
      F,
      vari("varPower(form = ~ v)"),
      opts("DATA", "The variance covariate 'v' is 0 in row 5; varPower's standard deviation |v|^power would be 0 there.", { column: "v", row: 5 }),
    ],
    [
      "a variance covariate that is text",
      csv([9, "v", "high"]),
      F,
      vari("varExp(form = ~ v)"),
      opts("DATA", "The variance covariate 'v' of 'varExp(form = ~ v)' must be numeric, but row 9 holds 'high'.", { column: "v", row: 9 }),
    ],
    [
      "crossed random effects",
      csv(),
      "y ~ x + (1 | g) + (1 | s)",
      corr("corAR1()"),
      opts("OPTIONS", "A residual structure needs nested random effects (as nlme's lme), but 'g' and 's' are crossed; fit the structure with nested groupings only, or the crossed model without it."),
    ],
    [
      "a corCompSymm start below -1/(P - 1)",
      csv(),
      F,
      corr("corCompSymm(-0.6, form = ~ 1 | g)"),
      opts("OPTIONS", "corCompSymm's starting value -0.6 in 'corCompSymm(-0.6, form = ~ 1 | g)' must be above -1/(P - 1) = -0.5, P = 3 the rows of the largest group (g a); give a larger one."),
    ],
    ["varIdent without strata", csv(), F, vari("varIdent()"), opts("OPTIONS", "The variance function 'varIdent()' needs strata: varIdent(form = ~ 1 | column).")],
    [
      "varPower without a covariate",
      csv(),
      F,
      vari("varPower()"),
      opts("OPTIONS", "The variance function 'varPower()' needs a covariate: varPower(form = ~ column) (nlme's default, the fitted values, is not supported)."),
    ],
    [
      "varIdent by two columns",
      csv(),
      F,
      vari("varIdent(form = ~ 1 | s/h)"),
      opts("OPTIONS", "The variance function 'varIdent(form = ~ 1 | s/h)' takes one stratum column after '|'; make a column that combines s and h first."),
    ],
    ["strata for varPower", csv(), F, vari("varPower(form = ~ v | s)"), opts("OPTIONS", "The variance function 'varPower(form = ~ v | s)': strata ('| s') are supported by varIdent only.")],
  ];
  for (const [what, data, formula, options, expected] of cases) {
    it(what, () => expect(outcome(data, formula, options)).toEqual(expected));
  }

  it("a missing time in a row the response drops anyway is no error: the row is left out", () => {
    const f = fit(readCsv(csv([4, "t", "NA"], [4, "y", "NA"])), F, corr("corAR1(form = ~ t | g)"));
    expect(f.nobs).toBe(8);
    expect(f.warnings.map((w) => w.code)).toContain("missing-rows");
  });
});

describe("the structure's text: one error naming the position", () => {
  const C = "Correlation structure";
  const V = "Variance function";
  const cases: [string, FitOptions, Outcome][] = [
    ["a form without '~'", corr("corAR1(form = Time)"), parseError(C, "corAR1(form = Time)", 15, "form takes a one-sided formula, starting with '~' (form = ~ Time | Subject), not 'Time'.")],
    ["'form' without '='", corr("corAR1(form ~ t)"), parseError(C, "corAR1(form ~ t)", 8, "'form' needs '=' before its formula: form = ~ Time | Subject.")],
    ["an unknown class", corr("corFoo()"), parseError(C, "corFoo()", 1, "'corFoo' is not one of corAR1, corCAR1, corExp, corCompSymm, corSymm.")],
    ["a class in the wrong case", corr("corar1()"), parseError(C, "corar1()", 1, "'corar1' is not one of corAR1, corCAR1, corExp, corCompSymm, corSymm; did you mean corAR1?")],
    ["a variance function as the correlation", vari("corAR1()"), parseError(V, "corAR1()", 1, "corAR1 is a correlation structure; give it as the correlation option.")],
    [
      // nlme's first argument is the starting value: nlme's varIdent(~ 1 | Sex) fits no strata at all
      "an unnamed formula (nlme's starting value)",
      vari("varIdent(~1|s)"),
      parseError(V, "varIdent(~1|s)", 10, "write varIdent(form = ~1|s): nlme reads an unnamed first argument as the starting value, not as the form."),
    ],
    ["corARMA, with what to use", corr("corARMA(p=1)"), parseError(C, "corARMA(p=1)", 1, "corARMA is not fitted by HLM (corAR1 is the ARMA(1, 0) case).")],
    ["varFixed, with what to use", vari("varFixed(~ v)"), parseError(V, "varFixed(~ v)", 1, "varFixed is not fitted by HLM (use the weights option for fixed variance weights).")],
    ["no closing parenthesis", corr("corAR1(form = ~ t | g"), parseError(C, "corAR1(form = ~ t | g", 22, "the closing ')' is missing.")],
    ["an empty argument list left open", corr("corAR1("), parseError(C, "corAR1(", 8, "the text ends before ')'.")],
    ["one closing parenthesis too many", corr("corAR1(form = ~ t | g))"), parseError(C, "corAR1(form = ~ t | g))", 23, "unexpected ')' after the closing ')'.")],
    ["no parentheses", corr("corAR1"), parseError(C, "corAR1", 7, "the text ends where '(' after corAR1 was expected.")],
    ["a trailing comma", corr("corAR1(form = ~ t | g,)"), parseError(C, "corAR1(form = ~ t | g,)", 23, "expected an argument after ','.")],
    [
      "lme4's ':' for a nested grouping",
      corr("corAR1(form = ~ t | g:h)"),
      parseError(C, "corAR1(form = ~ t | g:h)", 22, "write a grouping nested in another as a/b (nlme's form: the groups of b within a), not with ':'."),
    ],
    [
      "two covariates",
      corr("corCAR1(form = ~ t + x | g)"),
      parseError(C, "corCAR1(form = ~ t + x | g)", 20, "the form takes one covariate and one grouping (form = ~ Time | Subject), not a sum or product of columns."),
    ],
    ["nothing after '|'", corr("corAR1(form = ~ t |)"), parseError(C, "corAR1(form = ~ t |)", 20, "expected a grouping column after '|'.")],
    ["a column in double quotes", corr('corAR1(form = ~ "t" | g)'), parseError(C, 'corAR1(form = ~ "t" | g)', 17, "write a column name as it is, or in backquotes (`my column`), not in quotes.")],
    ["a column in single quotes", vari("varIdent(form = ~ 1 | 's')"), parseError(V, "varIdent(form = ~ 1 | 's')", 23, "write a column name as it is, or in backquotes (`my column`), not in quotes.")],
    ["an expression for the time", corr("corCAR1(form = ~ log(t) | g)"), parseError(C, "corCAR1(form = ~ log(t) | g)", 21, "write a column name, not an expression: compute the column in the data first.")],
    ["an argument nlme has but HLM does not read", corr("corAR1(phi = 0.3)"), parseError(C, "corAR1(phi = 0.3)", 8, "corAR1 has no argument 'phi' that HLM reads (it reads 'value' and 'form').")],
    ["fixed = TRUE", corr("corAR1(0.3, fixed = TRUE)"), parseError(C, "corAR1(0.3, fixed = TRUE)", 13, "fixed parameters are not supported; leave 'fixed' out.")],
    ["form twice", corr("corAR1(form = ~ t | g, form = ~ t)"), parseError(C, "corAR1(form = ~ t | g, form = ~ t)", 24, "'form' is given twice.")],
    ["the starting value twice", corr("corAR1(0.2, value = 0.3)"), parseError(C, "corAR1(0.2, value = 0.3)", 13, "the starting value is given twice.")],
    ["two unnamed values", corr("corAR1(0.2, 0.3)"), parseError(C, "corAR1(0.2, 0.3)", 13, "unexpected '0.3': corAR1 takes a starting value and a form (form = ~ Time | Subject).")],
    ["a number that is not one", corr("corAR1(0.3.4)"), parseError(C, "corAR1(0.3.4)", 8, "'0.3.4' is not a number.")],
    ["corAR1's start outside (-1, 1)", corr("corAR1(1.5, form = ~ t | g)"), parseError(C, "corAR1(1.5, form = ~ t | g)", 8, "corAR1's starting value must be between -1 and 1, and 1.5 is not.")],
    ["corCAR1's start outside (0, 1)", corr("corCAR1(-0.2, form = ~ t | g)"), parseError(C, "corCAR1(-0.2, form = ~ t | g)", 9, "corCAR1's starting value must be between 0 and 1, and -0.2 is not.")],
    ["corExp's start not positive", corr("corExp(value = 0, form = ~ t | g)"), parseError(C, "corExp(value = 0, form = ~ t | g)", 16, "corExp's starting value must be positive (a range), and 0 is not.")],
    ["varIdent's start not positive", vari("varIdent(-1, form = ~ 1 | s)"), parseError(V, "varIdent(-1, form = ~ 1 | s)", 10, "varIdent's starting value must be positive (a ratio of standard deviations), and -1 is not.")],
    [
      "a start for corSymm",
      corr("corSymm(0.2, form = ~ t | g)"),
      parseError(C, "corSymm(0.2, form = ~ t | g)", 9, "corSymm takes no starting value in HLM (nlme's is a vector of all the correlations); leave it out to start from no correlation."),
    ],
  ];
  for (const [what, options, expected] of cases) {
    it(what, () => expect(outcome(csv(), F, options)).toEqual(expected));
  }
});

describe("what the structure's text accepts", () => {
  const orthodont = readCsv(readFileSync(`${nlmeDir}Orthodont.csv`, "utf8"));
  const formula = "distance ~ age * Sex + (1 | Subject)";
  const logLik = (options: FitOptions): number => fit(orthodont, formula, options).logLik;

  it("a starting value, first or named, changes where the optimizer starts, not where it ends", () => {
    const plain = logLik({ correlation: "corAR1(form = ~ age | Subject)" });
    expect(logLik({ correlation: "corAR1(0.3, form = ~ age | Subject)" })).toBeCloseTo(plain, 6);
    expect(logLik({ correlation: "corAR1(form = ~ age | Subject, value = -0.3)" })).toBeCloseTo(plain, 6);
    expect(logLik({ variance: "varIdent(2, form = ~ 1 | Sex)" })).toBeCloseTo(logLik({ variance: "varIdent(form = ~ 1 | Sex)" }), 6);
  });

  it("spaces, backquotes, fixed = FALSE and an empty text (no structure)", () => {
    const plain = logLik({ correlation: "corCAR1(form = ~ age | Subject)" });
    expect(logLik({ correlation: "  corCAR1( form=~age|`Subject` , fixed = FALSE )  " })).toBeCloseTo(plain, 8);
    expect(logLik({ correlation: "   " })).toBeCloseTo(fit(orthodont, formula).logLik, 10);
  });
});
