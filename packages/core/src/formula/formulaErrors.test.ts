import { describe, expect, it } from "vitest";
import { fit } from "../fit/fit.js";
import { HlmError } from "../HlmError.js";
import { tableFromRows } from "../io/tableFromRows.js";
import { modelTerms } from "./modelTerms.js";

/** The error a call throws; fails the test when it throws none, or throws something else than an HlmError. */
function thrown(run: () => unknown): HlmError {
  try {
    run();
  } catch (e) {
    if (e instanceof HlmError) return e;
    throw new Error(`expected an HlmError, got ${String(e)}`);
  }
  throw new Error("expected an error, got none");
}

/**
 * Formula mistakes that the parser and R's terms() rules catch, before any data is read: the
 * formula, the 1-based position shown to the user (past the end: length + 1), and what is wrong.
 * The message is `Formula error at position P of '<formula>': <what>.`
 */
const formulaCases: [group: string, formula: string, position: number, what: string][] = [
  // unbalanced parentheses
  ["parentheses", "y ~ (x + (1 | g)", 5, "this '(' is not closed"],
  ["parentheses", "y ~ x + (1 | g", 9, "this '(' is not closed"],
  ["parentheses", "y ~ x + (1 | g) + log(", 22, "this '(' is not closed"],
  ["parentheses", "y ~ log(x + (1 | g)", 8, "this '(' of 'log(' is not closed"],
  ["parentheses", "y ~ x) + (1 | g)", 6, "this ')' has no matching '('"],
  ["parentheses", "y ~ x + (1 | g))", 16, "this ')' has no matching '('"],
  ["parentheses", "y) ~ x + (1 | g)", 2, "this ')' has no matching '('"],
  ["parentheses", "((y ~ x + (1 | g)", 5, "expected ')' to close the '(' at position 2, but found '~'"],
  ["parentheses", "y ~ x + ()", 10, "empty parentheses"],
  // dangling and doubled operators
  ["operators", "y ~ x +", 7, "'+' needs a term after it"],
  ["operators", "y ~ x + ", 7, "'+' needs a term after it"],
  ["operators", "y ~ x * / z + (1 | g)", 9, "'/' follows '*' without a term between them"],
  ["operators", "y ~ x +* z + (1 | g)", 8, "'*' follows '+' without a term between them"],
  ["operators", "y ~ * x + (1 | g)", 5, "a term is missing before '*'"],
  ["operators", "y ~ (x + ) + (1 | g)", 10, "a term is missing after '+'"],
  ["operators", "y ~ x z + (1 | g)", 7, "an operator such as '+' is missing before 'z'"],
  // empty parts of a random-effects term
  ["random term", "y ~ (x | )", 10, "the grouping factor after '|' is missing"],
  ["random term", "y ~ x + (x | )", 14, "the grouping factor after '|' is missing"],
  ["random term", "y ~ x + (x ||)", 14, "the grouping factor after '||' is missing"],
  ["random term", "y ~ x + (1 | g) + (x |", 22, "the grouping factor after '|' is missing"],
  ["random term", "y ~ ( | g)", 7, "the random effects before '|' are missing; write (1 | g) for a random intercept"],
  ["random term", "y ~ x + ( | g)", 11, "the random effects before '|' are missing; write (1 | g) for a random intercept"],
  ["random term", "y ~ x + (0 | g)", 10, "the random-effects term (0 | g) has no effects, as it removes the intercept and names no variable"],
  ["random term", "y ~ x + (1 | log(g))", 14, "the grouping factor after '|' must be a column name, a factor such as factor(g) or interaction(a, b), 'a:b' or 'a/b', not 'log(g)'"],
  ["random term", "y ~ x + (1 | Factor(g))", 14, "the grouping factor after '|' must be a column name, a factor such as factor(g) or interaction(a, b), 'a:b' or 'a/b', not 'Factor(g)' (did you mean 'factor(g)'?)"],
  ["random term", "y ~ x + (1 | g + h)", 16, "the grouping factor after '|' must be a column name, a factor such as factor(g) or interaction(a, b), 'a:b' or 'a/b', not 'g + h'"],
  ["random term", "y ~ x + (1 | g) - (1 | h)", 17, "a random-effects term cannot be subtracted"],
  ["random term", "y ~ x:(1 | g)", 10, "a random-effects term '(... | group)' must stand on its own, in parentheses, joined by '+'"],
  ["random term", "y ~ x + (offset(z) | g)", 10, "offset() belongs in the fixed-effects part"],
  // stray characters
  ["characters", "y ~ x $ z + (1 | g)", 7, "unexpected character '$'"],
  ["characters", "y ~ x + (1 | g); z", 16, "unexpected character ';'"],
  ["characters", "y ~ x + (1 | g) # note", 17, "unexpected character '#'"],
  ["characters", "y ~ x[1] + (1 | g)", 6, "unexpected character '['"],
  ["characters", "y ~ _x + (1 | g)", 5, "unexpected character '_'"],
  ["characters", "y ~ 'x' + (1 | g)", 5, "a formula has no quoted text outside a function's arguments; write a column name as it is, or in backquotes (`my column`) if it has spaces or symbols"],
  ["characters", "y ~ x + (1 | g) + = 2", 19, "'=' can only name a function's argument, as in poly(x, 2, raw = TRUE)"],
  ["characters", "y ~ x %o% z + (1 | g)", 7, "the operator '%o%' is not part of the formula language; %in% is (nesting)"],
  ["characters", "y ~ x, z + (1 | g)", 6, "',' can only separate the arguments of a function, as in log(x, 2)"],
  ["characters", "y ~ log(x,) + (1 | g)", 11, "a function argument is missing after ','"],
  ["characters", "y ~ `x + (1 | g)", 5, "a back-quoted name is not closed"],
  ["characters", "y ~ `` + (1 | g)", 5, "a back-quoted name is empty"],
  ["characters", "y ~ 1..2 + (1 | g)", 5, "'1..2' is not a number"],
  // empty, or no '~'
  ["no formula", "", 1, "the formula is empty"],
  ["no formula", "   ", 1, "the formula is empty"],
  ["no formula", "y", 2, "a formula needs '~' between the response and the predictors"],
  ["no formula", "y x + (1 | g)", 3, "expected '~' but found 'x'"],
  ["no formula", "y ~ ", 5, "there is nothing after '~'"],
  ["no formula", "~ x + (1 | g)", 1, "the formula needs a response before '~'"],
  ["no formula", "y ~ x ~ z", 7, "a formula has only one '~'"],
  // R's terms(): lme4 would drop `y` from the right-hand side with a warning (and keep it in y:x); here it is an error
  ["terms", "y ~ y + (1 | g)", 5, "the response 'y' cannot also be a predictor; remove it from the right-hand side"],
  ["terms", "y ~ x + x:y + (1 | g)", 11, "the response 'y' cannot also be a predictor; remove it from the right-hand side"],
  ["terms", "log(y) ~ x + log(y) + (1 | g)", 14, "the response 'log(y)' cannot also be a predictor; remove it from the right-hand side"],
  ["terms", "y ~ 2 + x + (1 | g)", 5, "the number 2 cannot be a term (only 0 or 1, for the intercept)"],
  ["terms", "y ~ -x + (1 | g)", 5, "a leading '-' may only remove the intercept ('-1')"],
  ["terms", "y ~ x^z + (1 | g)", 7, "the power of a term, as in (a + b)^2, must be a whole number"],
  ["terms", "y ~ . + (1 | g)", 5, "'.' (all other columns) is not supported; name the columns"],
  ["terms", "y ~ offset(a, b) + (1 | g)", 5, "offset() takes one argument"],
  ["terms", "y ~ a*b*c*d*e*f*g*h*i*j*k*l*m*n + (1 | g)", 30, "the formula expands into more than 10000 terms"],
  ["terms", `y ~ ${"(".repeat(120)}x${")".repeat(120)} + (1 | g)`, 105, "the formula nests more than 100 levels deep"],
];

describe("formula errors: one sentence, with the 1-based position", () => {
  it.each(formulaCases)("%s: %s", (_, formula, position, what) => {
    const e = thrown(() => modelTerms(formula));
    expect(e.code).toBe("FORMULA");
    expect(e.message).toBe(`Formula error at position ${position} of '${formula}': ${what}.`);
    expect(e.details?.position).toBe(position);
  });

  it("accepts what lme4 accepts next to these", () => {
    expect(modelTerms("y ~ x + 1 | g").random.map((r) => r.group)).toEqual(["g"]); // lme4 reads it as (x + 1 | g)
    expect(modelTerms("y ~ x + (x + 0 | g)").random[0]!.effects.intercept).toBe(false);
    expect(modelTerms("y ~ (a + b)^99 + (1 | g)").fixed.terms).toEqual([[1], [2], [1, 2]]);
    expect(modelTerms("Größe ~ Alter + (1 | Schule)").fixed.variables.map((v) => v.name)).toEqual(["Größe", "Alter"]);
    expect(modelTerms("y ~ x +\u00a0(1 | g)").random.length).toBe(1); // a no-break space, as text copied from a spreadsheet may have
  });
});

describe("formula errors found with the data (through fit)", () => {
  const rows: unknown[][] = [];
  for (let i = 0; i < 40; i++) rows.push([Math.sin(i) + (i % 5), i / 10, `s${i % 5}`, i % 2 ? "a" : "b"]);
  const table = tableFromRows(["score", "hours", "school", "sex"], rows);

  const engineCases: [formula: string, message: string, position: number | undefined][] = [
    // lme4: "No random effects terms specified in formula"
    ["score ~ hours", "The formula 'score ~ hours' has no random-effects term such as (1 | group); a mixed model needs at least one.", undefined],
    // unknown columns, with the closest name
    ["score ~ hour + (1 | school)", "Unknown column 'hour' in formula 'score ~ hour + (1 | school)' (position 9); did you mean 'hours'?", 9],
    ["score ~ hours + (1 | schol)", "Unknown column 'schol' in formula 'score ~ hours + (1 | schol)' (position 22); did you mean 'school'?", 22],
    ["score ~ hours + (1 | xyzzy)", "Unknown column 'xyzzy' in formula 'score ~ hours + (1 | xyzzy)' (position 22).", 22],
    // functions: every supported one listed, and the closest when the name is one slip or a wrong case away
    [
      "score ~ foo(hours) + (1 | school)",
      "Unsupported function 'foo()' in formula 'score ~ foo(hours) + (1 | school)' (position 9); supported: log, log10, log2, log1p, exp, expm1, sqrt, abs, sin, cos, tan, round, pmin, pmax, as.numeric, I, offset; factor, as.factor, ordered, as.ordered, relevel, interaction; poly, ns, bs, scale.",
      9,
    ],
    [
      "score ~ hours + Factor(sex) + (1 | school)",
      "Unsupported function 'Factor()' in formula 'score ~ hours + Factor(sex) + (1 | school)' (position 17) (did you mean 'factor()'?); supported: log, log10, log2, log1p, exp, expm1, sqrt, abs, sin, cos, tan, round, pmin, pmax, as.numeric, I, offset; factor, as.factor, ordered, as.ordered, relevel, interaction; poly, ns, bs, scale.",
      17,
    ],
    [
      "score ~ as.Factor(sex) + (1 | school)",
      "Unsupported function 'as.Factor()' in formula 'score ~ as.Factor(sex) + (1 | school)' (position 9) (did you mean 'as.factor()'?); supported: log, log10, log2, log1p, exp, expm1, sqrt, abs, sin, cos, tan, round, pmin, pmax, as.numeric, I, offset; factor, as.factor, ordered, as.ordered, relevel, interaction; poly, ns, bs, scale.",
      9,
    ],
    [
      "score ~ lg(hours) + (1 | school)",
      "Unsupported function 'lg()' in formula 'score ~ lg(hours) + (1 | school)' (position 9) (did you mean 'log()'?); supported: log, log10, log2, log1p, exp, expm1, sqrt, abs, sin, cos, tan, round, pmin, pmax, as.numeric, I, offset; factor, as.factor, ordered, as.ordered, relevel, interaction; poly, ns, bs, scale.",
      9,
    ],
    ["score ~ exp(hours, 2) + (1 | school)", "exp() takes 1 argument (formula position 9).", 9],
  ];

  it.each(engineCases)("%s", (formula, message, position) => {
    const e = thrown(() => fit(table, formula));
    expect(e.code).toBe("FORMULA");
    expect(e.message).toBe(message);
    expect(e.details?.position).toBe(position);
  });

  it("fits the supported functions", () => {
    const m = fit(table, "score ~ exp(hours) + log(hours + 1, 2) + sqrt(hours) + I(hours^2) + (1 | school)");
    expect(m.fixefNames).toEqual(["(Intercept)", "exp(hours)", "log(hours + 1, 2)", "sqrt(hours)", "I(hours^2)"]);
  });
});
