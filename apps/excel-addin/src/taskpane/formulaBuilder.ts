/**
 * The formula and its pickers: the formula text built from the pickers (response, fixed effects,
 * grouping factor, random slopes), the pickers read back from a typed formula, and the check of
 * the text as the user types (parse errors and unknown columns, with their 1-based position).
 */
import { closestName, HlmError, isSumsHeader, modelTerms, nameUses, type Expr, type ModelTerms } from "@hlm/core";

/** What the pickers hold. */
export interface Pickers {
  response: string;
  fixed: string[];
  group: string;
  slopes: string[];
}

export const emptyPickers: Pickers = { response: "", fixed: [], group: "", slopes: [] };

/** A column name as the formula writes it: bare when R would, else in backticks. */
export function quoteName(name: string): string {
  return /^([A-Za-z]|\.(?![0-9]))[A-Za-z0-9._]*$/.test(name) ? name : `\`${name.replace(/`/g, "")}\``;
}

/**
 * The formula of the pickers: `y ~ a + b + (a | g)`; `1` stands for an empty side (`y ~ 1 + (1 | g)`),
 * and without a grouping factor there is no random term (`y ~ a + b`). Empty without a response.
 * `lhs`, when given, is the left-hand side written for the response (a binomial's `cbind(s, f)`).
 */
export function buildFormula(p: Pickers, lhs?: string): string {
  if (p.response === "") return "";
  const fixed = p.fixed.filter((f) => f !== p.response && f !== p.group);
  const terms = fixed.length > 0 ? fixed.map(quoteName) : ["1"];
  if (p.group !== "") {
    const slopes = p.slopes.filter((s) => s !== p.response && s !== p.group);
    terms.push(`(${slopes.length > 0 ? slopes.map(quoteName).join(" + ") : "1"} | ${quoteName(p.group)})`);
  }
  return `${lhs ?? quoteName(p.response)} ~ ${terms.join(" + ")}`;
}

const plainName = (e: Expr): string | null => (e.type === "name" ? e.name : e.type === "paren" ? plainName(e.expr) : null);
/** The response column of a formula's left-hand side: a column name, or the successes of `cbind(s, …)`. */
const responseName = (e: Expr): string | null => plainName(e) ?? (e.type === "call" && e.fn === "cbind" && e.args.length === 2 ? plainName(e.args[0]!) : null);

/**
 * The pickers that a typed formula corresponds to, as far as they can show it: the response when
 * it is a column name (or the successes of `cbind(s, f)`), the fixed effects that are plain columns, and the first random term's
 * grouping factor and slopes. `null` when the formula does not parse.
 */
export function pickersFromFormula(text: string): Pickers | null {
  let terms: ModelTerms;
  try {
    terms = modelTerms(text);
  } catch {
    return null;
  }
  const response = responseName(terms.response) ?? "";
  const mainEffects = (t: ModelTerms["fixed"]): string[] =>
    t.terms
      .filter((vs) => vs.length === 1)
      .flatMap((vs) => {
        const v = t.variables[vs[0]!];
        return v && v.expr.type === "name" ? [v.expr.name] : [];
      });
  const fixed = mainEffects(terms.fixed);
  const first = terms.random.find((r) => r.groupVars.length === 1);
  const group = first ? first.groupVars[0]! : "";
  const slopes = first ? terms.random.filter((r) => r.group === group).flatMap((r) => mainEffects(r.effects)) : [];
  return { response, fixed: [...new Set(fixed)], group, slopes: [...new Set(slopes)] };
}

/** The result of checking the formula text. */
export type FormulaCheck =
  | { kind: "empty" }
  | { kind: "ok"; terms: ModelTerms }
  /** `position` is 1-based, as HlmError's details. */
  | { kind: "error"; message: string; position?: number };

/** Every use of a name in an expression, with its position (the engine's `nameUses`). */
export const variableNames = nameUses;

/** The column closest to a mistyped name, if one is close (the engine's own "did you mean"). */
export const closestColumn = (name: string, columns: readonly string[]): string | undefined => closestName(name, columns);

/**
 * Checks the formula text: the core parser's errors (with their position), then, when the columns
 * of the data are known, names that are not columns (at the position of their first use).
 */
export function checkFormulaText(text: string, columns?: readonly string[]): FormulaCheck {
  if (text.trim() === "") return { kind: "empty" };
  let terms: ModelTerms;
  try {
    terms = modelTerms(text);
  } catch (e) {
    if (e instanceof HlmError) return { kind: "error", message: e.message, ...(e.details?.position !== undefined ? { position: e.details.position } : {}) };
    return { kind: "error", message: `The formula could not be read: ${e instanceof Error ? e.message : String(e)}.` };
  }
  // a warehouse's sums (the result of HLM.SQL's query): the formula names the warehouse table's columns, not these
  if (columns && columns.length > 0 && !isSumsHeader(columns)) {
    const known = new Set(columns);
    const f = terms.formula;
    const used = [...(f.lhs ? variableNames(f.lhs) : []), ...variableNames(f.rhs)];
    for (const { name, pos } of used) {
      if (known.has(name)) continue;
      const guess = closestColumn(name, columns);
      return {
        kind: "error",
        message: `Unknown column '${name}' at position ${pos + 1}${guess !== undefined ? `; did you mean '${guess}'?` : `; the columns are ${columns.join(", ")}.`}`,
        position: pos + 1,
      };
    }
  }
  return { kind: "ok", terms };
}

/** The formula split around the character at a 1-based position, for marking it (past the end: a marked space). */
export function splitAtPosition(text: string, position: number): { before: string; at: string; after: string } {
  const i = Math.max(0, Math.min(text.length, position - 1));
  return { before: text.slice(0, i), at: i < text.length ? text[i]! : " ", after: text.slice(i + 1) };
}
