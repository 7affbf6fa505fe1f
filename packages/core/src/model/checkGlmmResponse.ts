import { HlmError } from "../HlmError.js";
import { deparse } from "../formula/parseFormula.js";
import type { EvaluatedVariables } from "./evaluateVariables.js";
import type { ModelOptions } from "./Model.js";
import type { ModelFrameSource } from "./ModelFrameSource.js";

/**
 * A generalized linear mixed model's response on the rows used, as R's `binomial()` and `poisson()`
 * `initialize` and `aic` judge it, each refusal one sentence naming the column and the row (as a
 * spreadsheet numbers it), each of R's warnings a sentence for the fit's warnings:
 *
 * - binomial `cbind(s, f)`: a negative count is refused (R fails on it with "Value … out of range
 *   (0, 1)"); a negative failure count is successes above the trials, said so. Non-whole counts: R's
 *   warning "non-integer counts in a binomial glm!".
 * - binomial 0/1 or proportion: a value outside [0, 1] is refused (R: "y values must be 0 <= y <= 1");
 *   successes y·w that are not whole numbers: R's warning "non-integer #successes in a binomial glm!".
 * - Poisson: a negative count is refused (R: "negative values not allowed for the 'Poisson' family");
 *   a count that is not a whole number is R's warning (its dpois gives −Inf there, and glmer a
 *   log-likelihood of −Inf; here log Γ(y + 1) continues the log-likelihood, and the warning says so).
 *
 * Returns the warnings.
 */
export function checkGlmmResponse(source: ModelFrameSource, ev: EvaluatedVariables, rows: Int32Array, options: ModelOptions): string[] {
  const family = options.family;
  if (family === undefined) return [];
  const warnings: string[] = [];
  const name = ev.responseName;
  const whole = (v: number): boolean => Math.abs(v - Math.round(v)) <= 1e-3; // R's tolerance in binomial()$initialize
  const show = (v: number): string => String(Number(v.toPrecision(10)));
  const firstWhere = (test: (i: number) => boolean): number => {
    for (const i of rows) if (test(i)) return i;
    return -1;
  };
  const countWhere = (test: (i: number) => boolean): number => rows.reduce((c, i) => c + (test(i) ? 1 : 0), 0);

  if (family === "binomial" && ev.binomialCounts) {
    const { successes: s, failures: f } = ev.binomialCounts;
    const [sName, fName] = ev.response.type === "call" ? ev.response.args.map((a) => deparse(a)) : ["successes", "failures"];
    const negS = firstWhere((i) => s[i]! < 0);
    if (negS >= 0) {
      throw new HlmError("DATA", `The successes '${sName}' of ${name} must be counts of 0 or more, but they are ${show(s[negS]!)} in row ${source.row(negS)}.`, { row: source.row(negS), column: sName! });
    }
    const negF = firstWhere((i) => f[i]! < 0);
    if (negF >= 0) {
      throw new HlmError(
        "DATA",
        `The failures '${fName}' of ${name} must be counts of 0 or more, but they are ${show(f[negF]!)} in row ${source.row(negF)}: more successes (${show(s[negF]!)}) than trials there?`,
        { row: source.row(negF), column: fName! },
      );
    }
    const frac = (i: number): boolean => !whole(s[i]!) || !whole(f[i]!);
    const k = countWhere(frac);
    if (k > 0) {
      const i = firstWhere(frac);
      warnings.push(`non-integer counts in a binomial glm! (${name}: ${show(s[i]!)} successes and ${show(f[i]!)} failures in row ${source.row(i)}${k > 1 ? ` and ${k - 1} more row${k > 2 ? "s" : ""}` : ""})`);
    }
    return warnings;
  }

  const y = ev.yAll;
  if (family === "binomial") {
    const out = firstWhere((i) => !(y[i]! >= 0 && y[i]! <= 1));
    if (out >= 0) {
      const what = options.weights !== undefined ? `a proportion of successes (with the trials in '${options.weights}')` : "0 or 1 (or a proportion, with --weights trials)";
      throw new HlmError("DATA", `A binomial response must be between 0 and 1 (${what}), but '${name}' is ${show(y[out]!)} in row ${source.row(out)}.`, { row: source.row(out), column: name });
    }
    // successes = y · w (R rounds them in its log-likelihood and warns)
    const w = ev.weightsColumn;
    const frac = (i: number): boolean => !whole(y[i]! * (w ? w[i]! : 1));
    const k = countWhere(frac);
    if (k > 0) {
      const i = firstWhere(frac);
      const successes = w ? `${show(y[i]! * w[i]!)} successes (${show(y[i]!)} × ${show(w[i]!)} trials)` : `'${name}' is ${show(y[i]!)}`;
      warnings.push(`non-integer #successes in a binomial glm! (${successes} in row ${source.row(i)}${k > 1 ? ` and ${k - 1} more row${k > 2 ? "s" : ""}` : ""})`);
    }
    return warnings;
  }

  const neg = firstWhere((i) => y[i]! < 0);
  if (neg >= 0) {
    throw new HlmError("DATA", `A Poisson response must be a count of 0 or more, but '${name}' is ${show(y[neg]!)} in row ${source.row(neg)} (R: negative values not allowed for the 'Poisson' family).`, {
      row: source.row(neg),
      column: name,
    });
  }
  const frac = (i: number): boolean => y[i]! !== Math.round(y[i]!);
  const k = countWhere(frac);
  if (k > 0) {
    const i = firstWhere(frac);
    warnings.push(
      `non-integer x = ${y[i]!.toFixed(6)}: the Poisson response '${name}' is not a whole number in row ${source.row(i)}${k > 1 ? ` and ${k - 1} more row${k > 2 ? "s" : ""}` : ""}; the log-likelihood uses log Γ(y + 1) there, where glmer's is −Inf.`,
    );
  }
  return warnings;
}
