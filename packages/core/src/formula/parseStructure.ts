import { HlmError } from "../HlmError.js";

/** nlme's correlation structures that HLM fits. */
export type CorrelationClass = "corAR1" | "corCAR1" | "corExp" | "corCompSymm" | "corSymm";
/** nlme's variance functions that HLM fits. */
export type VarianceClass = "varIdent" | "varPower" | "varExp";

/**
 * A structure's `form = ~ covariate | group`: the covariate (a column, or null for `1` or none) and
 * the grouping columns (`g`, or `a/b` for nested groups; empty when not given).
 */
export interface StructureForm {
  covariate: string | null;
  group: string[];
}

/** A residual correlation structure or variance function as written in nlme's language, parsed. */
export interface StructureSpec<C extends string = CorrelationClass | VarianceClass> {
  /** The text as given (trimmed). */
  text: string;
  class: C;
  form: StructureForm;
  /** A starting value (nlme's `value`), when given. */
  value: number | null;
}

const CORRELATIONS: readonly CorrelationClass[] = ["corAR1", "corCAR1", "corExp", "corCompSymm", "corSymm"];
const VARIANCES: readonly VarianceClass[] = ["varIdent", "varPower", "varExp"];
/** nlme classes HLM knows of but does not fit, with what to use instead. */
const NOT_FITTED: Record<string, string> = {
  corARMA: "corAR1 is the ARMA(1, 0) case",
  corGaus: "corExp is the spatial structure fitted",
  corLin: "corExp is the spatial structure fitted",
  corRatio: "corExp is the spatial structure fitted",
  corSpher: "corExp is the spatial structure fitted",
  varFixed: "use the weights option for fixed variance weights",
  varConstPower: "varPower is fitted",
  varConstProp: "varPower is fitted",
  varComb: "give one variance function",
};

type Kind = "correlation" | "variance";

interface Token {
  kind: "name" | "number" | "op" | "end";
  text: string;
  pos: number;
}

function structureError(kind: Kind, text: string, pos: number, what: string): HlmError {
  const label = kind === "correlation" ? "Correlation structure" : "Variance function";
  return new HlmError("OPTIONS", `${label} error at position ${pos + 1} of '${text}': ${what}${what.endsWith("?") ? "" : "."}`, { position: pos + 1 });
}

function tokenize(kind: Kind, text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (/[\p{L}.]/u.test(c) && !(c === "." && /[0-9]/.test(text[i + 1] ?? ""))) {
      while (i < text.length && /[\p{L}\p{M}\p{Nd}._]/u.test(text[i]!)) i++;
      tokens.push({ kind: "name", text: text.slice(start, i), pos: start });
    } else if (/[-0-9.]/.test(c)) {
      i++;
      while (i < text.length && /[0-9.eE]/.test(text[i]!)) i++;
      const t = text.slice(start, i);
      if (!Number.isFinite(Number(t))) throw structureError(kind, text, start, `'${t}' is not a number`);
      tokens.push({ kind: "number", text: t, pos: start });
    } else if (c === "`") {
      const end = text.indexOf("`", i + 1);
      if (end <= i + 1) throw structureError(kind, text, start, "a back-quoted name is not closed or is empty");
      tokens.push({ kind: "name", text: text.slice(i + 1, end), pos: start });
      i = end + 1;
    } else if ("()~|/,=".includes(c)) {
      tokens.push({ kind: "op", text: c, pos: start });
      i++;
    } else if (c === '"' || c === "'") {
      throw structureError(kind, text, start, "write a column name as it is, or in backquotes (`my column`), not in quotes");
    } else if (c === ":") {
      throw structureError(kind, text, start, "write a grouping nested in another as a/b (nlme's form: the groups of b within a), not with ':'");
    } else if (c === "*" || (c === "+" && !/[0-9.]/.test(text[i + 1] ?? ""))) {
      throw structureError(kind, text, start, `the form takes one covariate and one grouping (form = ~ Time | Subject), not a sum or product of columns`);
    } else throw structureError(kind, text, start, `unexpected character '${c}'`);
  }
  tokens.push({ kind: "end", text: "", pos: text.length });
  return tokens;
}

/**
 * Parses an nlme correlation structure (`corAR1()`, `corCAR1(form = ~ Time | Rat)`,
 * `corSymm(form = ~ 1 | Subject)`) or variance function (`varIdent(form = ~ 1 | Sex)`,
 * `varPower(form = ~ v)`) as text: read, never evaluated. Arguments are nlme's: an optional
 * starting `value` (first or named, in nlme's range for the class) and `form`, named (an unnamed
 * formula is nlme's `value`, which nlme ignores or refuses); anything else, or an argument given
 * twice, is refused with its position.
 */
export function parseStructure(kind: "correlation", text: string): StructureSpec<CorrelationClass>;
export function parseStructure(kind: "variance", text: string): StructureSpec<VarianceClass>;
export function parseStructure(kind: Kind, input: string): StructureSpec {
  const text = input.trim();
  const tokens = tokenize(kind, text);
  let k = 0;
  const peek = (): Token => tokens[k]!;
  const fail = (t: Token, what: string): HlmError => structureError(kind, text, t.pos, what);
  const expect = (op: string, what: string): Token => {
    const t = tokens[k]!;
    if (t.kind !== "op" || t.text !== op) throw fail(t, t.kind === "end" ? `the text ends where ${what} was expected` : `expected ${what}, found '${t.text}'`);
    k++;
    return t;
  };
  const known: readonly string[] = kind === "correlation" ? CORRELATIONS : VARIANCES;
  const head = tokens[k++]!;
  if (head.kind !== "name") throw fail(head, `expected one of ${known.join(", ")}`);
  if (!known.includes(head.text)) {
    const other: readonly string[] = kind === "correlation" ? VARIANCES : CORRELATIONS;
    if (other.includes(head.text)) throw fail(head, `${head.text} is a ${kind === "correlation" ? "variance function" : "correlation structure"}; give it as the ${kind === "correlation" ? "variance" : "correlation"} option`);
    const instead = NOT_FITTED[head.text];
    const spelled = [...known, ...other].find((c) => c.toLowerCase() === head.text.toLowerCase());
    throw fail(head, instead ? `${head.text} is not fitted by HLM (${instead})` : `'${head.text}' is not one of ${known.join(", ")}${spelled ? `; did you mean ${spelled}?` : ""}`);
  }
  expect("(", "'(' after " + head.text);
  let value: number | null = null;
  let form: StructureForm | null = null;
  let valueAt: Token | null = null;
  let positional = 0;
  const closing = (): boolean => peek().kind === "op" && peek().text === ")";
  while (!closing()) {
    if (positional > 0) {
      if (peek().kind === "end") throw fail(peek(), "the closing ')' is missing");
      expect(",", "',' or ')'");
      if (closing() || peek().kind === "end") throw fail(peek(), "expected an argument after ','");
    }
    const t = peek();
    const twice = (what: string): HlmError => fail(t, `${what} is given twice`);
    if (t.kind === "name" && tokens[k + 1]!.kind === "op" && tokens[k + 1]!.text === "=") {
      k += 2;
      if (t.text === "form") {
        if (form) throw twice("'form'");
        form = parseForm();
      } else if (t.text === "value") {
        if (valueAt) throw twice("the starting value");
        valueAt = peek();
        value = parseNumber();
      } else if (t.text === "fixed") {
        const v = tokens[k++]!;
        if (v.text !== "FALSE" && v.text !== "F") throw fail(t, "fixed parameters are not supported; leave 'fixed' out");
      } else throw fail(t, `${head.text} has no argument '${t.text}' that HLM reads (it reads 'value' and 'form')`);
    } else if (t.kind === "op" && t.text === "~") {
      // nlme's first argument is the starting value: nlme's varIdent(~ 1 | Sex) fits no strata, corAR1(~ t) fails
      parseForm();
      throw fail(t, `write ${head.text}(form = ${text.slice(t.pos, peek().pos).trim()}): nlme reads an unnamed first argument as the starting value, not as the form`);
    } else if (t.kind === "number" && positional === 0) {
      valueAt = t;
      value = parseNumber();
    } else if (t.kind === "name" && t.text === "form") throw fail(t, "'form' needs '=' before its formula: form = ~ Time | Subject");
    else throw fail(t, t.kind === "end" ? "the text ends before ')'" : `unexpected '${t.text}': ${head.text} takes a starting value and a form (form = ~ Time | Subject)`);
    positional++;
  }
  k++;
  if (valueAt && value !== null) checkValue(head.text as CorrelationClass | VarianceClass, value, valueAt);
  if (peek().kind !== "end") throw fail(peek(), `unexpected '${peek().text}' after the closing ')'`);
  return { text, class: head.text as CorrelationClass | VarianceClass, form: form ?? { covariate: null, group: [] }, value };

  /** nlme's ranges of the starting values (corCompSymm's lower bound, which depends on the groups' sizes, is checked with the data). */
  function checkValue(c: CorrelationClass | VarianceClass, v: number, at: Token): void {
    const range: Partial<Record<CorrelationClass | VarianceClass, [boolean, string]>> = {
      corAR1: [v > -1 && v < 1, "between -1 and 1"],
      corCAR1: [v > 0 && v < 1, "between 0 and 1"],
      corExp: [v > 0, "positive (a range)"],
      corCompSymm: [v > -1 && v < 1, "between -1 and 1"],
      varIdent: [v > 0, "positive (a ratio of standard deviations)"],
    };
    if (c === "corSymm") throw fail(at, "corSymm takes no starting value in HLM (nlme's is a vector of all the correlations); leave it out to start from no correlation");
    const r = range[c];
    if (r && !r[0]) throw fail(at, `${c}'s starting value must be ${r[1]}, and ${v} is not`);
  }

  function parseNumber(): number {
    const t = tokens[k++]!;
    if (t.kind !== "number") throw fail(t, "expected a number");
    return Number(t.text);
  }

  function parseForm(): StructureForm {
    const t = peek();
    if (t.kind !== "op" || t.text !== "~") throw fail(t, t.kind === "end" ? "the text ends where the form's formula was expected, such as form = ~ Time | Subject" : `form takes a one-sided formula, starting with '~' (form = ~ Time | Subject), not '${t.text}'`);
    k++;
    const c = tokens[k++]!;
    let covariate: string | null;
    if (c.kind === "number" && c.text === "1") covariate = null;
    else if (c.kind === "name") covariate = c.text;
    else throw fail(c, "expected a column name or 1 after '~'");
    if (peek().kind === "op" && peek().text === "(") throw fail(peek(), "write a column name, not an expression: compute the column in the data first");
    const group: string[] = [];
    if (peek().kind === "op" && peek().text === "|") {
      k++;
      for (;;) {
        const g = tokens[k++]!;
        if (g.kind !== "name") throw fail(g, "expected a grouping column after '|'");
        group.push(g.text);
        if (peek().kind === "op" && peek().text === "/") k++;
        else break;
      }
    }
    return { covariate, group };
  }
}
