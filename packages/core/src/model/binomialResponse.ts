import { HlmError } from "../HlmError.js";
import type { Expr } from "../formula/parseFormula.js";
import type { ModelFrameSource } from "./ModelFrameSource.js";

/**
 * A binomial response as R's `glm` reads it, on every row of the table: the proportion y of
 * successes and, for `cbind(s, f)`, the number of trials s + f (a prior weight). A two-level
 * categorical column is 0 for its first level in C (byte) order and 1 for the other; a numeric
 * column (0/1, or a proportion with `weights` = trials) is taken as it is.
 */
export function binomialResponse(
  source: ModelFrameSource,
  response: Expr,
  formulaText: string,
): { y: Float64Array; trials: Float64Array | null; counts: { successes: Float64Array; failures: Float64Array } | null } {
  if (response.type === "call" && response.fn === "cbind") {
    if (response.args.length !== 2) {
      throw new HlmError("FORMULA", `cbind() in the response of '${formulaText}' needs two columns, successes and failures, as in cbind(s, n - s).`);
    }
    const s = source.evaluate(response.args[0]!);
    const f = source.evaluate(response.args[1]!);
    const n = s.length;
    const y = new Float64Array(n);
    const trials = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      trials[i] = s[i]! + f[i]!;
      // a negative count keeps its row (y = −1, refused by checkGlmmResponse, naming it), not dropped as missing
      y[i] = s[i]! < 0 || f[i]! < 0 ? -1 : trials[i]! > 0 ? s[i]! / trials[i]! : NaN;
    }
    return { y, trials, counts: { successes: s, failures: f } };
  }
  if (response.type === "name" && source.isCategorical(response.name)) {
    const c = source.column(response.name);
    const labels: (string | null)[] = c.kind === "string" ? c.values : Array.from(c.values, (v, i) => (c.missing[i] === 1 ? null : String(v)));
    const levels = [...new Set(labels.filter((v): v is string => v !== null))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (levels.length !== 2) {
      throw new HlmError("DATA", `A categorical binomial response needs exactly two levels, but '${response.name}' has ${levels.length}.`, { column: response.name });
    }
    return { y: Float64Array.from(labels, (v) => (v === null ? NaN : v === levels[0] ? 0 : 1)), trials: null, counts: null };
  }
  return { y: source.evaluate(response), trials: null, counts: null };
}
