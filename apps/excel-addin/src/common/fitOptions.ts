/**
 * The `options` argument of the worksheet functions: one text of `key=value` pairs separated by
 * semicolons (or line breaks), for what a model has beyond its formula and method:
 *
 *     correlation=corAR1(form = ~ Time | Rat); variance=varIdent(form = ~ 1 | Diet); ddf=containment
 *
 * - `correlation`: a residual correlation structure in nlme's language (`corAR1()`, `corCAR1(form = ~ Time)`,
 *   `corCompSymm()`, `corSymm()`, `corExp(form = ~ x)`), read by the engine, never evaluated;
 * - `variance`: a variance function (`varIdent(form = ~ 1 | Sex)`, `varPower(form = ~ x)`, `varExp(form = ~ x)`),
 *   nlme's `weights =` argument;
 * - `ddf`: the t-tests' degrees of freedom, `satterthwaite` (lmerTest's, the default) or `containment` (nlme's);
 * - `factors`: numeric columns to treat as categorical, separated by commas (`factors=Rat, Diet`);
 * - `weights`: a column of prior weights (lme4's `weights`; a binomial proportion's trials);
 * - `family`: `binomial` or `poisson` fits a generalized linear mixed model (lme4's `glmer`);
 *   `gaussian` (or `normal`) is the linear mixed model, as without it;
 * - `link`: the family's link (`logit`, `probit`, `cloglog`; `log`), with `family`;
 * - `nagq`: points of adaptive Gauss-Hermite quadrature, 1 (Laplace, the default) to 100, with `family`;
 * - `columns`: with data that are a warehouse's sums (the result of `hlm sql` / `HLM.SQL`), the kinds
 *   of columns that are not the default (`columns=school:number`), as given to the query;
 * - `where`: with `HLM.SQL`, the row filter of the query, in the warehouse's SQL (`where=year >= 2020`).
 *
 * Keys in any case; a semicolon inside parentheses or backquotes belongs to the value. An unknown or
 * repeated key, a key without a value, a `ddf` other than the two, a link the family does not take,
 * or a residual structure or `ddf=containment` with a family is an HlmError("OPTIONS") in one
 * sentence (the worksheet function's `#VALUE!`). Plain TypeScript, without Office.
 */
import { closestName, glmFamily, HlmError } from "@hlm/core";

/** Denominator degrees of freedom of the t-tests: lmerTest's Satterthwaite (default) or nlme's containment. */
export type Ddf = "satterthwaite" | "containment";

/** The options of a worksheet function's model, as read from its `options` text. */
export interface FitOptionsArg {
  correlation?: string;
  variance?: string;
  ddf: Ddf;
  factors?: string[];
  weights?: string;
  /** A generalized linear mixed model's family (absent: a linear mixed model). */
  family?: "binomial" | "poisson";
  link?: "logit" | "probit" | "cloglog" | "log";
  /** Points of adaptive quadrature (with a family). */
  nAGQ?: number;
  /** The kinds of the columns of a warehouse's sums (`school:number, sex:text`). */
  columns?: string;
  /** HLM.SQL's row filter. */
  where?: string;
}

/** The keys the options text takes, in the order messages list them. */
export const OPTION_KEYS = ["correlation", "variance", "ddf", "factors", "weights", "family", "link", "nagq", "columns", "where"] as const;

type Key = (typeof OPTION_KEYS)[number];

/** The options text split into its `key=value` parts: at semicolons and line breaks outside parentheses and backquotes. */
export function splitOptions(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "`") quoted = !quoted;
    else if (quoted) continue;
    else if (c === "(") depth++;
    else if (c === ")") depth = Math.max(0, depth - 1);
    else if ((c === ";" || c === "\n" || c === "\r") && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p !== "");
}

/** "satterthwaite" (also the default for a blank) or "containment" (nlme's), any case. */
export function parseDdf(value: unknown): Ddf {
  if (value === null || value === undefined || (typeof value === "string" && value.trim() === "")) return "satterthwaite";
  if (typeof value === "string") {
    const v = value.trim().toLowerCase();
    if (v === "satterthwaite") return "satterthwaite";
    if (v === "containment" || v === "nlme") return "containment";
  }
  const shown = typeof value === "string" ? `"${value}"` : String(value);
  throw new HlmError("OPTIONS", `The option ddf must be "satterthwaite" (lmerTest's, the default) or "containment" (nlme's), not ${shown}.`);
}

const EMPTY: FitOptionsArg = { ddf: "satterthwaite" };

/**
 * Reads the options argument (text; blank or missing for none). Returns the model's options and
 * the ddf; see the file's comment for the keys. Throws HlmError("OPTIONS") with one sentence.
 */
export function parseFitOptions(options: unknown): FitOptionsArg {
  if (options === null || options === undefined) return EMPTY;
  if (typeof options !== "string") {
    throw new HlmError("OPTIONS", `The options must be text such as "correlation=corAR1(); ddf=containment", not ${String(options)}.`);
  }
  const out: FitOptionsArg = { ddf: "satterthwaite" };
  const seen = new Set<Key>();
  for (const part of splitOptions(options)) {
    const eq = part.indexOf("=");
    const rawKey = (eq < 0 ? part : part.slice(0, eq)).trim();
    const key = rawKey.toLowerCase();
    const value = eq < 0 ? "" : part.slice(eq + 1).trim();
    if (!(OPTION_KEYS as readonly string[]).includes(key)) {
      if (key === "method" || key === "reml") {
        throw new HlmError("OPTIONS", `The method is an argument of its own ("REML" or "ML"), not an option; leave '${part}' out of the options.`);
      }
      const near = closestName(key, OPTION_KEYS) ?? OPTION_KEYS.find((o) => key.length >= 3 && o.startsWith(key));
      const hint = near !== undefined ? ` (did you mean '${near}'?)` : "";
      if (eq < 0) throw new HlmError("OPTIONS", `'${part}' in the options '${options.trim()}' is not of the form key=value (such as correlation=corAR1()); the options are ${OPTION_KEYS.join(", ")}.`);
      throw new HlmError("OPTIONS", `Unknown option '${rawKey}' in the options '${options.trim()}'${hint}; the options are ${OPTION_KEYS.join(", ")}.`);
    }
    const k = key as Key;
    if (seen.has(k)) throw new HlmError("OPTIONS", `The option ${k} is given twice in the options '${options.trim()}'; give it once.`);
    seen.add(k);
    if (value === "") throw new HlmError("OPTIONS", `The option ${k} has no value in the options '${options.trim()}'; write it as ${k}=${EXAMPLES[k]}.`);
    switch (k) {
      case "correlation":
        out.correlation = value;
        break;
      case "variance":
        out.variance = value;
        break;
      case "ddf":
        out.ddf = parseDdf(value);
        break;
      case "factors":
        out.factors = value
          .split(",")
          .map((f) => f.trim().replace(/^`(.*)`$/, "$1"))
          .filter((f) => f !== "");
        break;
      case "weights":
        if (/^var[A-Za-z]*\s*\(/.test(value)) {
          throw new HlmError("OPTIONS", `The option weights names a column of prior weights; give nlme's variance function '${value}' as variance=${value}.`);
        }
        out.weights = value.replace(/^`(.*)`$/, "$1");
        break;
      case "family": {
        const f = value.toLowerCase();
        if (f === "binomial" || f === "poisson") out.family = f;
        else if (f !== "gaussian" && f !== "normal") {
          throw new HlmError("OPTIONS", `The option family must be binomial or poisson (a generalized linear mixed model) or gaussian (the linear mixed model, as without it), not '${value}'.`);
        }
        break;
      }
      case "link":
        out.link = value.toLowerCase() as NonNullable<FitOptionsArg["link"]>;
        break;
      case "columns":
        out.columns = value;
        break;
      case "where":
        out.where = value;
        break;
      case "nagq": {
        const n = Number(value);
        if (!Number.isInteger(n) || n < 1 || n > 100) throw new HlmError("OPTIONS", `The option nagq must be a whole number from 1 to 100 (1 is the Laplace approximation), not '${value}'.`);
        out.nAGQ = n;
        break;
      }
    }
  }
  return checkFamily(out, options.trim());
}

/** The family's options checked together: a link the family takes, and nothing of a linear mixed model's with a family. */
function checkFamily(o: FitOptionsArg, text: string): FitOptionsArg {
  if (o.family === undefined) {
    const glmOnly = [o.link !== undefined ? "link" : null, o.nAGQ !== undefined ? "nagq" : null].filter((k) => k !== null);
    if (glmOnly.length > 0) throw new HlmError("OPTIONS", `The option ${glmOnly.join(" and ")} in '${text}' is for a generalized linear mixed model; give family=binomial or family=poisson with it.`);
    return o;
  }
  if (o.link !== undefined) glmFamily(o.family, o.link); // core's sentence for a link the family does not take
  const lmmOnly = [o.correlation !== undefined ? "correlation" : null, o.variance !== undefined ? "variance" : null, o.ddf === "containment" ? "ddf=containment" : null].filter((k) => k !== null);
  if (lmmOnly.length > 0) {
    throw new HlmError("OPTIONS", `The option ${lmmOnly.join(" and ")} in '${text}' is for a linear mixed model; a ${o.family} model (family=${o.family}) takes no residual structure and has z tests, so leave it out.`);
  }
  return o;
}

/** An example value of each key, for the message about a key without one. */
const EXAMPLES: Record<Key, string> = {
  columns: "school:number",
  where: "year >= 2020",
  correlation: "corAR1()",
  variance: "varIdent(form = ~ 1 | Sex)",
  ddf: "containment",
  factors: "Rat, Diet",
  weights: "w",
  family: "binomial",
  link: "probit",
  nagq: "9",
};
