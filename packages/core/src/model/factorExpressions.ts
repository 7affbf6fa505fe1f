import { HlmError } from "../HlmError.js";
import { COMPARISONS, deparse, type Expr } from "../formula/parseFormula.js";
import { compareStrings, formatLabel } from "./levelLabels.js";
import type { ModelFrameSource } from "./ModelFrameSource.js";
import { FACTOR_FUNCTIONS } from "./rFunctions.js";
import type { Factor } from "./Variable.js";

/**
 * A factor over every row of the table, before any row is dropped (R's model.frame evaluates
 * `factor(x)` on the whole data): each row's level index (−1 where missing), the levels in R's
 * order, and whether it is ordered (its contrasts are then R's contr.poly).
 */
export interface FactorValues {
  codes: Int32Array;
  levels: string[];
  ordered: boolean;
}

/** Is the expression categorical: a categorical column, or a call of factor(), ordered(), relevel(), interaction() and the like? */
export function isFactorExpression(source: ModelFrameSource, e: Expr): boolean {
  if (e.type === "name") return source.isCategorical(e.name);
  if (e.type === "paren") return isFactorExpression(source, e.expr);
  if (isLogical(e)) return true;
  return e.type === "call" && FACTOR_FUNCTIONS.has(e.fn);
}

/** A comparison, or I() of one: R's logical variable (`I(week > 2)`), categorical with levels FALSE and TRUE. */
export function isLogical(e: Expr): boolean {
  if (e.type === "paren") return isLogical(e.expr);
  if (e.type === "binary") return COMPARISONS.has(e.op);
  return e.type === "call" && e.fn === "I" && e.args.length === 1 && isLogical(e.args[0]!);
}

/** A logical expression on every row: FALSE and TRUE as the levels present (in that order), missing where a compared value is. */
function logicalFactor(source: ModelFrameSource, e: Expr): FactorValues {
  const v = source.evaluate(e);
  const codes = new Int32Array(v.length);
  const present = [false, false];
  v.forEach((x, i) => {
    if (Number.isNaN(x)) codes[i] = -1;
    else present[x === 1 ? 1 : 0] = true;
  });
  const levels = ["FALSE", "TRUE"].filter((_, k) => present[k]);
  v.forEach((x, i) => {
    if (!Number.isNaN(x)) codes[i] = levels.indexOf(x === 1 ? "TRUE" : "FALSE");
  });
  return { codes, levels, ordered: false };
}

/**
 * Evaluates a categorical expression on every row of the table with R's meaning:
 * - a categorical column: its levels (numbers by value, text in the C locale);
 * - `factor(x)`, `as.factor(x)`: x's levels if x is categorical (an ordered x stays ordered, as in
 *   R), else the distinct values of the numeric x sorted by value, labelled as R's as.character;
 * - `ordered(x)`, `as.ordered(x)`: the same levels, ordered;
 * - `relevel(f, ref = "b")` (or `relevel(f, "b")`): f's levels with b first; a number is a position,
 *   as in R; refused for an ordered f or a numeric column, as R refuses them;
 * - `interaction(a, b, …)`: the combinations present, labelled `a.b` (`sep = "…"` to change the
 *   dot), the first factor varying fastest (R's default `lex.order = FALSE`; `lex.order = TRUE` to
 *   vary the last fastest).
 */
export function evaluateFactor(source: ModelFrameSource, e: Expr, formulaText: string): FactorValues {
  const at = (x: Expr): string => `('${formulaText}', position ${x.pos + 1})`;
  const fail = (x: Expr, what: string): HlmError => new HlmError("FORMULA", `${what} ${at(x)}.`, { position: x.pos + 1 });
  if (isLogical(e)) return logicalFactor(source, e);
  switch (e.type) {
    case "paren":
      return evaluateFactor(source, e.expr, formulaText);
    case "name":
      return columnFactor(source, e);
    case "call":
      break;
    default:
      throw fail(e, `'${deparse(e)}' is not categorical`);
  }
  const fn = e.fn;
  const positional = e.args.filter((a) => a.type !== "named");
  const named = new Map<string, Expr>();
  for (const a of e.args) {
    if (a.type !== "named") continue;
    if (named.has(a.name)) throw fail(a, `${fn}() is given '${a.name}' twice`);
    named.set(a.name, a.value);
  }
  const allowNamed = (allowed: string[]): void => {
    for (const a of e.args) {
      if (a.type === "named" && !allowed.includes(a.name)) {
        throw fail(a, `${fn}() has no argument '${a.name}' here${allowed.length > 0 ? ` (it takes ${allowed.map((n) => `${n} = …`).join(", ")})` : ""}`);
      }
    }
  };
  switch (fn) {
    case "factor":
    case "as.factor":
    case "ordered":
    case "as.ordered": {
      allowNamed([]);
      if (positional.length !== 1) throw fail(e, `${fn}() takes one argument, the column or expression to make categorical`);
      const inner = asFactor(source, positional[0]!, formulaText);
      const ordered = fn === "ordered" || fn === "as.ordered" ? true : inner.ordered;
      return dropUnused({ ...inner, ordered });
    }
    case "relevel": {
      allowNamed(["ref"]);
      const ref = named.get("ref") ?? positional[1];
      if (positional.length < 1 || positional.length > (named.has("ref") ? 1 : 2) || ref === undefined) {
        throw fail(e, `relevel() takes a factor and the reference level, as in relevel(g, ref = "b")`);
      }
      const f = positional[0]!;
      if (!isFactorExpression(source, f)) {
        throw fail(f, `relevel() needs a factor, as in R, and '${deparse(f)}' is numeric; write relevel(factor(${deparse(f)}), ref = …)`);
      }
      const inner = evaluateFactor(source, f, formulaText);
      if (inner.ordered) throw fail(e, `relevel() is only for unordered factors, as in R, and '${deparse(f)}' is ordered`);
      let k: number;
      if (ref.type === "string") {
        k = inner.levels.indexOf(ref.value);
        if (k < 0) throw fail(ref, `relevel(): '${ref.value}' is not a level of ${deparse(f)} (${listLevels(inner.levels)})`);
      } else if (ref.type === "number") {
        // R: a number is the position of the reference level
        if (!Number.isInteger(ref.value) || ref.value < 1 || ref.value > inner.levels.length) {
          throw fail(ref, `relevel(): ref = ${ref.text} is not a level's position 1 to ${inner.levels.length} of ${deparse(f)}; write the level in quotes, as in ref = "${inner.levels[0]}"`);
        }
        k = ref.value - 1;
      } else {
        throw fail(ref, `relevel(): the reference level must be a level in quotes, as in ref = "${inner.levels[0] ?? "b"}"`);
      }
      return moveFirst(inner, k);
    }
    case "interaction": {
      allowNamed(["sep", "lex.order", "drop"]);
      if (positional.length < 1) throw fail(e, "interaction() needs the factors to combine, as in interaction(a, b)");
      const sepArg = named.get("sep");
      if (sepArg !== undefined && sepArg.type !== "string") throw fail(sepArg, `interaction(): sep must be a text in quotes, as in sep = "_"`);
      const sep = sepArg?.type === "string" ? sepArg.value : ".";
      const lexOrder = logical(named.get("lex.order"), false, fail);
      logical(named.get("drop"), false, fail); // unused combinations are dropped with the model frame's unused levels either way
      return interaction(
        positional.map((a) => asFactor(source, a, formulaText)),
        sep,
        lexOrder,
        () => fail(e, "interaction() has more combinations of levels than can be counted"),
      );
    }
    default:
      throw fail(e, `'${deparse(e)}' is not categorical`);
  }
}

/** R's as.factor(x): a categorical expression as it is, a numeric one by its distinct values. */
function asFactor(source: ModelFrameSource, e: Expr, formulaText: string): FactorValues {
  if (isFactorExpression(source, e)) return evaluateFactor(source, e, formulaText);
  return numericFactor(source.evaluate(e));
}

/** TRUE / FALSE (or T / F) as a call's logical argument. */
function logical(e: Expr | undefined, fallback: boolean, fail: (x: Expr, what: string) => HlmError): boolean {
  if (e === undefined) return fallback;
  if (e.type === "name" && (e.name === "TRUE" || e.name === "T")) return true;
  if (e.type === "name" && (e.name === "FALSE" || e.name === "F")) return false;
  throw fail(e, `'${deparse(e)}' must be TRUE or FALSE`);
}

/** A categorical column as a factor over all rows: numbers by value, text in the C locale. */
function columnFactor(source: ModelFrameSource, e: Expr & { type: "name" }): FactorValues {
  const c = source.column(e.name, e.pos);
  if (c.kind === "number") {
    const values = new Float64Array(c.values.length);
    for (let i = 0; i < values.length; i++) values[i] = c.missing[i] === 1 ? NaN : c.values[i]!;
    return numericFactor(values);
  }
  const index = new Map<string, number>();
  const codes = new Int32Array(c.values.length);
  c.values.forEach((v, i) => {
    if (v === null || v === undefined) {
      codes[i] = -1;
      return;
    }
    let k = index.get(v);
    if (k === undefined) index.set(v, (k = index.size));
    codes[i] = k;
  });
  const labels = [...index.keys()];
  return sortLevels({ codes, levels: labels, ordered: false }, (a, b) => compareStrings(labels[a]!, labels[b]!));
}

/** R's factor() of numbers: the distinct values sorted, labelled as as.character prints them; NaN is missing. */
function numericFactor(values: Float64Array): FactorValues {
  const index = new Map<number, number>();
  const codes = new Int32Array(values.length);
  const keys: number[] = [];
  values.forEach((v, i) => {
    if (Number.isNaN(v)) {
      codes[i] = -1;
      return;
    }
    let k = index.get(v);
    if (k === undefined) {
      index.set(v, (k = keys.length));
      keys.push(v);
    }
    codes[i] = k;
  });
  return sortLevels({ codes, levels: keys.map(formatLabel), ordered: false }, (a, b) => keys[a]! - keys[b]!);
}

/** Reorders the levels by a comparison of their current indices, recoding the rows. */
function sortLevels(f: FactorValues, compare: (a: number, b: number) => number): FactorValues {
  const order = f.levels.map((_, i) => i).sort(compare);
  const rank = new Int32Array(order.length);
  order.forEach((i, r) => (rank[i] = r));
  const codes = f.codes.map((c) => (c < 0 ? -1 : rank[c]!));
  return { codes, levels: order.map((i) => f.levels[i]!), ordered: f.ordered };
}

/** The levels that some row has, in their order (R's factor() of a factor). */
function dropUnused(f: FactorValues): FactorValues {
  const used = new Uint8Array(f.levels.length);
  for (const c of f.codes) if (c >= 0) used[c] = 1;
  if (used.every((u) => u === 1)) return f;
  const newIndex = new Int32Array(f.levels.length).fill(-1);
  const levels: string[] = [];
  f.levels.forEach((l, i) => {
    if (used[i]) {
      newIndex[i] = levels.length;
      levels.push(l);
    }
  });
  return { codes: f.codes.map((c) => (c < 0 ? -1 : newIndex[c]!)), levels, ordered: f.ordered };
}

/** Level k moved to the front (R's relevel). */
function moveFirst(f: FactorValues, k: number): FactorValues {
  return sortLevels(f, (a, b) => (a === k ? -1 : b === k ? 1 : a - b));
}

/** R's interaction(): the combinations present, in R's order of the full set of combinations, labelled with `sep`. */
function interaction(parts: FactorValues[], sep: string, lexOrder: boolean, tooMany: () => HlmError): FactorValues {
  const n = parts[0]!.codes.length;
  // the most significant factor first in the mixed-radix key: the last one unless lex.order
  const bySignificance = lexOrder ? parts : [...parts].reverse();
  const count = bySignificance.reduce((p, f) => p * f.levels.length, 1);
  if (count > Number.MAX_SAFE_INTEGER) throw tooMany();
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let key = 0;
    for (const f of bySignificance) {
      const c = f.codes[i]!;
      if (c < 0) {
        key = NaN;
        break;
      }
      key = key * f.levels.length + c;
    }
    keys[i] = key;
  }
  const distinct = [...new Set(keys)].filter((k) => !Number.isNaN(k)).sort((a, b) => a - b);
  const index = new Map(distinct.map((key, i) => [key, i]));
  const codes = new Int32Array(n);
  for (let i = 0; i < n; i++) codes[i] = Number.isNaN(keys[i]!) ? -1 : index.get(keys[i]!)!;
  const levels = distinct.map((key) => {
    const labels: string[] = [];
    for (let j = bySignificance.length - 1; j >= 0; j--) {
      const f = bySignificance[j]!;
      labels.push(f.levels[key % f.levels.length]!);
      key = Math.floor(key / f.levels.length);
    }
    // labels are least significant first: the first factor's when not lex.order
    return (lexOrder ? labels.reverse() : labels).join(sep);
  });
  return { codes, levels, ordered: false };
}

/** The factor over the given rows of the table: the levels some of them have (lme4's drop.unused.levels), in order. */
export function factorOnRows(f: FactorValues, name: string, rows: Int32Array): Factor {
  const used = new Int32Array(f.levels.length).fill(-1);
  for (let k = 0; k < rows.length; k++) used[f.codes[rows[k]!]!] = 0;
  const levels: string[] = [];
  f.levels.forEach((l, i) => {
    if (used[i] === 0) {
      used[i] = levels.length;
      levels.push(l);
    }
  });
  const codes = new Int32Array(rows.length);
  for (let k = 0; k < rows.length; k++) codes[k] = used[f.codes[rows[k]!]!]!;
  return { kind: "factor", name, levels, codes, ...(f.ordered ? { ordered: true } : {}) };
}

const listLevels = (levels: readonly string[]): string => `its levels are ${levels.length <= 12 ? levels.join(", ") : `${levels.slice(0, 12).join(", ")}, … (${levels.length} in all)`}`;
