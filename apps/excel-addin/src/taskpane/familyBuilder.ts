/**
 * The model's family in the pane, plain TypeScript: Normal (a linear mixed model, lme4's lmer) or a
 * generalized linear mixed model (lme4's glmer) with a binomial or Poisson family, its link, the
 * points of adaptive quadrature, and how a binomial response is given. From the choices: the
 * formula's left-hand side (`cbind(s, f)`, `cbind(s, n - s)`), the prior weights (a proportion's
 * trials), why quadrature is not available for a formula, what is missing before a fit, and glmer's
 * arguments as R takes them.
 */
import type { Expr, ModelTerms } from "@hlm/core";
import { quoteName } from "./formulaBuilder.js";

export type FamilyChoice = "gaussian" | "binomial" | "poisson";
export type LinkChoice = "logit" | "probit" | "cloglog" | "log";
/**
 * How a binomial response is given: `binary` a 0/1 or two-level column; `proportion` a proportion
 * with a trials column as prior weights; `successesFailures` cbind(successes, failures);
 * `successesTrials` cbind(successes, trials − successes).
 */
export type BinomialResponse = "binary" | "proportion" | "successesFailures" | "successesTrials";

export interface FamilyChoices {
  family: FamilyChoice;
  link: LinkChoice;
  /** Points of adaptive Gauss–Hermite quadrature: 1 is the Laplace approximation. */
  nAGQ: number;
  binomialResponse: BinomialResponse;
  /** The response's second column: the failures or the trials (by `binomialResponse`). */
  second: string;
}

export const defaultFamily: FamilyChoices = { family: "gaussian", link: "logit", nAGQ: 1, binomialResponse: "binary", second: "" };

/** The family dropdown's choices. */
export const FAMILY_CHOICES: { value: FamilyChoice; label: string; short: string }[] = [
  { value: "gaussian", label: "Normal: linear mixed model", short: "Normal (linear mixed model)" },
  { value: "binomial", label: "Binomial: yes/no, successes of trials", short: "Binomial" },
  { value: "poisson", label: "Poisson: counts", short: "Poisson" },
];

/** The links of a family (R's `binomial()` and `poisson()` take these), the default first. */
export function linksOf(family: FamilyChoice): LinkChoice[] {
  return family === "binomial" ? ["logit", "probit", "cloglog"] : family === "poisson" ? ["log"] : [];
}

/** The binomial response forms, as the pane offers them. */
export const BINOMIAL_RESPONSES: { value: BinomialResponse; label: string }[] = [
  { value: "binary", label: "0/1 or a two-level column" },
  { value: "proportion", label: "Proportion, with a trials column" },
  { value: "successesFailures", label: "Successes and failures columns" },
  { value: "successesTrials", label: "Successes and trials columns" },
];

/** The most points of quadrature the engine takes (lme4's bound). */
export const MAX_NAGQ = 100;

/** Is the model a generalized linear mixed model (a family other than Normal)? */
export const isGlmm = (c: Pick<FamilyChoices, "family">): c is Pick<FamilyChoices, "family"> & { family: "binomial" | "poisson" } => c.family !== "gaussian";

/** The choices after a change: a new family takes its default link and Laplace's one point when it has none of its own. */
export function changeFamily(c: FamilyChoices, change: Partial<FamilyChoices>): FamilyChoices {
  const next = { ...c, ...change };
  // a failures column is no trials column: the second column is chosen again when its meaning changes
  if (change.second === undefined && secondColumn(next) !== secondColumn(c)) next.second = "";
  const links = linksOf(next.family);
  if (links.length > 0 && !links.includes(next.link)) next.link = links[0]!;
  if (!Number.isInteger(next.nAGQ) || next.nAGQ < 1) next.nAGQ = 1;
  if (next.nAGQ > MAX_NAGQ) next.nAGQ = MAX_NAGQ;
  return next;
}

/** Does the response take a second column, and what is it called in the pane? */
export function secondColumn(c: FamilyChoices): "Failures" | "Trials" | null {
  if (c.family !== "binomial") return null;
  if (c.binomialResponse === "successesFailures") return "Failures";
  if (c.binomialResponse === "successesTrials" || c.binomialResponse === "proportion") return "Trials";
  return null;
}

/** The response picker's label for the choices. */
export function responseLabel(c: FamilyChoices): string {
  if (c.family !== "binomial") return c.family === "poisson" ? "Response (counts)" : "Response";
  return c.binomialResponse === "binary" ? "Response (0/1 or two levels)" : c.binomialResponse === "proportion" ? "Proportion" : "Successes";
}

/**
 * The formula's left-hand side for a response column and the choices: the column itself, or for a
 * binomial response given as counts `cbind(successes, failures)` or `cbind(successes, trials - successes)`
 * (the response alone until the second column is chosen).
 */
export function responseText(response: string, c: FamilyChoices): string {
  const y = quoteName(response);
  if (c.family !== "binomial" || c.second === "" || response === "") return y;
  if (c.binomialResponse === "successesFailures") return `cbind(${y}, ${quoteName(c.second)})`;
  if (c.binomialResponse === "successesTrials") return `cbind(${y}, ${quoteName(c.second)} - ${y})`;
  return y;
}

/** The prior weights column of the choices: a proportion's trials (none otherwise). */
export function weightsOf(c: FamilyChoices): string | undefined {
  return c.family === "binomial" && c.binomialResponse === "proportion" && c.second !== "" ? c.second : undefined;
}

const plain = (e: Expr): string | null => (e.type === "name" ? e.name : e.type === "paren" ? plain(e.expr) : null);

/**
 * A `cbind(…)` response read back from a typed formula: the successes column and the form with its
 * second column (`cbind(s, f)` or `cbind(s, n - s)`); null for any other response.
 */
export function readCbind(response: Expr): { successes: string; binomialResponse: "successesFailures" | "successesTrials"; second: string } | null {
  if (response.type !== "call" || response.fn !== "cbind" || response.args.length !== 2) return null;
  const s = plain(response.args[0]!);
  if (s === null) return null;
  const b = response.args[1]!;
  const f = plain(b);
  if (f !== null) return { successes: s, binomialResponse: "successesFailures", second: f };
  const inner = b.type === "paren" ? b.expr : b;
  if (inner.type === "binary" && inner.op === "-" && plain(inner.right) === s) {
    const n = plain(inner.left);
    if (n !== null) return { successes: s, binomialResponse: "successesTrials", second: n };
  }
  return null;
}

/**
 * Why more than one point of quadrature is not available for the formula (lme4's rule: a single
 * scalar random-effects term), or null when it is. `terms` null: the formula does not parse yet.
 */
export function quadratureBlocked(terms: ModelTerms | null): string | null {
  if (terms === null) return "More points need a formula with one random intercept such as (1 | group).";
  const r = terms.random;
  if (r.length === 0) return "More points need a random intercept such as (1 | group); the formula has no random term.";
  if (r.length > 1) return `More points need a single random-effects term, such as (1 | group); the formula has ${r.length}.`;
  const t = r[0]!;
  if (!(t.effects.intercept && t.effects.terms.length === 0)) return `More points need the random term to be an intercept only, (1 | ${t.group}); lme4 allows no slopes with them.`;
  return null;
}

/** The points of quadrature a fit uses: the chosen ones where the formula allows them, else 1 (Laplace). */
export function effectiveNagq(c: FamilyChoices, terms: ModelTerms | null): number {
  return c.family !== "gaussian" && quadratureBlocked(terms) === null ? c.nAGQ : 1;
}

/** What is missing before a GLMM can be fitted (the second column of the response), or null. */
export function familyProblem(c: FamilyChoices, terms: ModelTerms | null): string | null {
  if (c.family !== "binomial") return null;
  if (c.binomialResponse === "proportion" && c.second === "") return "Choose the Trials column: the number of trials behind each proportion (its prior weights).";
  const counts = c.binomialResponse === "successesFailures" || c.binomialResponse === "successesTrials";
  if (counts && c.second === "" && !(terms && readCbind(terms.response))) {
    return `Choose the ${c.binomialResponse === "successesFailures" ? "Failures" : "Trials"} column beside the successes.`;
  }
  return null;
}

/** glmer's arguments beside the formula, as R takes them: `family = binomial(link = "logit")`, `weights = n`, `nAGQ = 9`. */
export function glmerArguments(c: FamilyChoices, nAGQ: number): { name: string; text: string }[] {
  if (c.family === "gaussian") return [];
  const out = [{ name: "family", text: `${c.family}(link = "${c.link}")` }];
  const w = weightsOf(c);
  if (w !== undefined) out.push({ name: "weights", text: quoteName(w) });
  if (nAGQ > 1) out.push({ name: "nAGQ", text: String(nAGQ) });
  return out;
}

/** The family as the result shows it: `Binomial (logit), Laplace approximation`. */
export function describeFamily(f: { family: string; link: string; nAGQ: number }): string {
  const name = f.family.charAt(0).toUpperCase() + f.family.slice(1);
  return `${name} (${f.link}), ${f.nAGQ === 1 ? "Laplace approximation" : `adaptive quadrature with ${f.nAGQ} points`}`;
}
