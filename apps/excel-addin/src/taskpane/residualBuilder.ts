/**
 * The Residuals card's logic, plain TypeScript: the choices (a correlation structure within groups,
 * the variances, the t-tests' df), nlme's texts built from them (`corAR1(form = ~ Time | Rat)`,
 * `varIdent(form = ~ 1 | Diet)`, what `nlme::lme` takes as `correlation =` and `weights =`), and the
 * check of the choices against the data's columns and the formula, with a sentence for what is missing.
 */
import type { ModelTerms } from "@hlm/core";
import type { Ddf } from "../common/fitOptions.js";
import { quoteName } from "./formulaBuilder.js";
import type { ColumnInfo } from "./state.js";

/** The correlation structures the card offers (nlme's corAR1, corCAR1, corCompSymm, corSymm), or none. */
export type CorrelationChoice = "independent" | "ar1" | "car1" | "compsymm" | "symm";
/** Equal variances, or nlme's varIdent (per stratum), varPower or varExp (of a covariate). */
export type VarianceChoice = "equal" | "ident" | "power" | "exp";

/** What the Residuals card holds. */
export interface ResidualChoices {
  correlation: CorrelationChoice;
  /** AR(1)'s whole-number time or the unstructured correlation's position column ("" for the rows' order within the group); the continuous-time AR(1)'s time (needed). */
  time: string;
  variance: VarianceChoice;
  /** varIdent's stratum column; varPower's and varExp's covariate. */
  varianceColumn: string;
  /** The t-tests' df: Satterthwaite's (lmerTest's) or nlme's containment. */
  ddf: Ddf;
}

export const defaultResiduals: ResidualChoices = { correlation: "independent", time: "", variance: "equal", varianceColumn: "", ddf: "satterthwaite" };

/** A choice of the card: its label in the list, its shorter label in the closed dropdown, and a sentence on what it means. */
export interface Choice<T extends string> {
  value: T;
  label: string;
  short: string;
  hint: string;
}

/** The correlation choices as the card lists them. */
export const CORRELATION_CHOICES: Choice<CorrelationChoice>[] = [
  { value: "independent", label: "Independent", short: "Independent", hint: "" },
  { value: "ar1", label: "AR(1)", short: "AR(1)", hint: "Residuals at times s and t correlate φ^|s − t|; times in whole numbers, or the rows' order." },
  { value: "car1", label: "Continuous-time AR(1)", short: "Continuous AR(1)", hint: "Residuals at times s and t correlate φ^|s − t|, for times at any spacing (days, hours)." },
  { value: "compsymm", label: "Compound symmetry", short: "Compound symmetry", hint: "One correlation ρ between any two residuals of a group." },
  { value: "symm", label: "Unstructured (general)", short: "Unstructured", hint: "A correlation of its own for each pair of positions (occasions 1, 2, …)." },
];

/** The variance choices as the card lists them. */
export const VARIANCE_CHOICES: Choice<VarianceChoice>[] = [
  { value: "equal", label: "Equal", short: "Equal", hint: "" },
  { value: "ident", label: "Per group of a column (varIdent)", short: "Per group", hint: "A standard deviation per group, relative to the first group's (varIdent)." },
  { value: "power", label: "Power of a column (varPower)", short: "Power", hint: "Standard deviation σ·|x|^power of a numeric column x (varPower)." },
  { value: "exp", label: "Exponential of a column (varExp)", short: "Exponential", hint: "Standard deviation σ·exp(expon·x) of a numeric column x (varExp)." },
];

/** Does the correlation choice take a time or position column ("time": needs one; "order": or the rows' order; "none")? */
export function timeKind(c: CorrelationChoice): "time" | "order" | "none" {
  return c === "car1" ? "time" : c === "ar1" || c === "symm" ? "order" : "none";
}

/** Does the variance choice take a column ("strata": any column; "covariate": a numeric one; "none")? */
export function varianceKind(v: VarianceChoice): "strata" | "covariate" | "none" {
  return v === "ident" ? "strata" : v === "power" || v === "exp" ? "covariate" : "none";
}

/**
 * The grouping the residuals correlate within, as the formula names it: its one grouping column
 * when every random term groups by the same plain column (`(1 | Mare)`, `(Time | Rat)`); otherwise
 * null, and nlme's default, the innermost grouping of the random effects, applies.
 */
export function residualGroup(terms: ModelTerms | null): string | null {
  if (!terms || terms.random.length === 0) return null;
  const groups = new Set(terms.random.map((r) => (r.groupVars.length === 1 ? r.groupVars[0]! : "\u0000")));
  const [only] = [...groups];
  return groups.size === 1 && only !== "\u0000" ? only! : null;
}

const CLASS: Record<Exclude<CorrelationChoice, "independent">, string> = { ar1: "corAR1", car1: "corCAR1", compsymm: "corCompSymm", symm: "corSymm" };

/**
 * nlme's correlation structure of the choices, or null for independent residuals (and while a
 * continuous-time AR(1) has no time): the covariate (time or position, `1` for the rows' order),
 * and the group when the formula names one (`corAR1(form = ~ 1 | Mare)`); without it nlme's default
 * grouping (`corAR1()`).
 */
export function correlationText(c: Pick<ResidualChoices, "correlation" | "time">, group: string | null): string | null {
  if (c.correlation === "independent" || (timeKind(c.correlation) === "time" && c.time === "")) return null;
  const covariate = timeKind(c.correlation) !== "none" && c.time !== "" ? quoteName(c.time) : "1";
  if (group === null && covariate === "1") return `${CLASS[c.correlation]}()`;
  return `${CLASS[c.correlation]}(form = ~ ${covariate}${group !== null ? ` | ${quoteName(group)}` : ""})`;
}

/** nlme's variance function of the choices, or null for equal variances (and while its column is not chosen). */
export function varianceText(c: Pick<ResidualChoices, "variance" | "varianceColumn">): string | null {
  if (c.variance === "equal" || c.varianceColumn === "") return null;
  const col = quoteName(c.varianceColumn);
  return c.variance === "ident" ? `varIdent(form = ~ 1 | ${col})` : c.variance === "power" ? `varPower(form = ~ ${col})` : `varExp(form = ~ ${col})`;
}

/** What is wrong with the choices, by where the card shows it; empty when they can be fitted. */
export interface ResidualProblems {
  correlation?: string;
  time?: string;
  varianceColumn?: string;
}

/**
 * Checks the choices against the data's columns and the formula (its terms when it reads well):
 * a structure needs the formula's random effects (the groups), a continuous-time AR(1) a time
 * column, a variance function its column; time, position and covariate columns must be numeric,
 * and a column the formula uses as the group cannot also be the time. Chosen columns that are not
 * in the data are named.
 */
export function checkResiduals(c: ResidualChoices, columns: readonly ColumnInfo[], terms: ModelTerms | null): ResidualProblems {
  const out: ResidualProblems = {};
  const kindOf = (name: string): ColumnInfo["kind"] | undefined => columns.find((x) => x.name === name)?.kind;
  const structured = c.correlation !== "independent" || c.variance !== "equal";
  if (structured && terms !== null && terms.random.length === 0) {
    out.correlation = "A residual structure works within the groups of the random effects: add a grouping factor to the formula, such as (1 | Subject).";
  }
  const tk = timeKind(c.correlation);
  if (tk !== "none") {
    if (c.time === "") {
      if (tk === "time") out.time = "Choose the time column.";
    } else if (kindOf(c.time) === undefined) {
      out.time = `The data has no column '${c.time}'; choose the time column again.`;
    } else if (kindOf(c.time) !== "number") {
      out.time = `The ${tk === "time" || c.correlation === "ar1" ? "time" : "position"} column '${c.time}' holds text; choose a numeric column.`;
    }
  }
  const vk = varianceKind(c.variance);
  if (vk !== "none") {
    if (c.varianceColumn === "") {
      out.varianceColumn = vk === "strata" ? "Choose the column whose groups get their own variance." : "Choose the numeric column the variance follows.";
    } else if (kindOf(c.varianceColumn) === undefined) {
      out.varianceColumn = `The data has no column '${c.varianceColumn}'; choose the column again.`;
    } else if (vk === "covariate" && kindOf(c.varianceColumn) !== "number") {
      out.varianceColumn = `The variance covariate '${c.varianceColumn}' holds text; choose a numeric column.`;
    }
  }
  return out;
}

/** Are there problems? */
export const hasProblems = (p: ResidualProblems): boolean => p.correlation !== undefined || p.time !== undefined || p.varianceColumn !== undefined;

/** The choices kept when the data's columns change: columns that are gone are cleared. */
export function keepResiduals(c: ResidualChoices, names: ReadonlySet<string>): ResidualChoices {
  return { ...c, time: names.has(c.time) ? c.time : "", varianceColumn: names.has(c.varianceColumn) ? c.varianceColumn : "" };
}

/** The widest line of nlme's arguments that the pane shows on one line (monospace characters at the pane's default width). */
export const ARGUMENT_LINE = 39;

/**
 * nlme's arguments as the card shows them, a line each: `correlation = corAR1(form = ~ 1 | Mare)`,
 * or, when that is wider than `width` characters, the argument on its line and the text indented
 * on the next, so that it does not break inside.
 */
export function argumentLines(args: readonly { name: string; text: string }[], width = ARGUMENT_LINE): { name: string; text: string; wrap: boolean }[] {
  return args.map((a) => ({ ...a, wrap: `${a.name} = ${a.text}`.length > width }));
}

/** A structure's estimates as the pane's result shows them: `AR(1): Phi = 0.5975`; varIdent's strata `Female = 1, Male = 2.137`. */
export function formatStructure(s: { label: string; names: string[]; values: number[] }): string {
  const fmt = (v: number): string => (Number.isFinite(v) ? Number(v.toPrecision(4)).toString() : "NA");
  return `${s.label}: ${s.names.map((n, i) => `${n} = ${fmt(s.values[i]!)}`).join(", ")}`;
}
