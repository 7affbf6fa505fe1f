import { HlmError } from "../HlmError.js";
import { deparse, parseFormula, type Expr, type Formula } from "./parseFormula.js";

/**
 * The terms of one linear predictor, as R's terms() gives them: variables in order of first
 * appearance, and terms (sets of variables) ordered by degree, main effects first.
 */
export interface LinearTerms {
  /** Variables by their R name (deparsed expression), in order of first appearance. */
  variables: { name: string; expr: Expr }[];
  /** Each term lists indices into `variables`, ascending. */
  terms: number[][];
  intercept: boolean;
}

/** One random-effects term `(lhs | group)`, with `||` already split into one term per column set. */
export interface RandomTerm {
  /** Terms of the left-hand side (its own model matrix, with intercept unless removed). */
  effects: LinearTerms;
  /** The grouping factor as a list of variable names (a column, or R's deparse of `factor(g)`, `interaction(a, b)`); more than one is an interaction (`a:b`). */
  groupVars: string[];
  /** The expression of each grouping variable (a column name, or a call such as `factor(g)`). */
  groupExprs: Expr[];
  /** Position in the formula text of each grouping variable (0-based). */
  groupPos: number[];
  /** lme4's name of the grouping factor: the variable names joined by `:`, e.g. `cask:batch`. */
  group: string;
  /** Position of the term in the formula text (0-based). */
  pos: number;
}

/** A parsed lme4 formula: response, fixed-effects terms, offsets and random-effects terms. */
export interface ModelTerms {
  formula: Formula;
  response: Expr;
  fixed: LinearTerms;
  offsets: Expr[];
  random: RandomTerm[];
}

function errorAt(f: Formula, pos: number, what: string): HlmError {
  return new HlmError("FORMULA", `Formula error at position ${pos + 1} of '${f.text}': ${what}.`, { position: pos + 1 });
}

const unparen = (e: Expr): Expr => (e.type === "paren" ? unparen(e.expr) : e);

/** Splits the right-hand side into fixed part (bars removed) and the bar expressions `(a | g)`. */
function splitBars(f: Formula, e: Expr, bars: Expr[]): Expr | null {
  const inner = unparen(e);
  if (inner.type === "binary" && (inner.op === "|" || inner.op === "||")) {
    bars.push(inner);
    return null;
  }
  if (e.type === "binary" && (e.op === "+" || e.op === "-")) {
    const left = splitBars(f, e.left, bars);
    const nBefore = bars.length;
    const right = splitBars(f, e.right, bars);
    if (e.op === "-" && bars.length > nBefore) throw errorAt(f, e.pos, "a random-effects term cannot be subtracted");
    if (left === null) return e.op === "+" ? right : right === null ? null : { type: "unary", op: "-", arg: right, pos: e.pos };
    if (right === null) return left;
    return { ...e, left, right };
  }
  return e;
}

class TermExpander {
  readonly variables: { name: string; expr: Expr }[] = [];
  readonly offsets: Expr[] = [];
  constructor(
    private readonly f: Formula,
    private readonly allowOffset: boolean,
  ) {}

  variableIndex(expr: Expr): number {
    const name = expr.type === "name" ? expr.name : deparse(expr);
    let k = this.variables.findIndex((v) => v.name === name);
    if (k < 0) {
      k = this.variables.length;
      this.variables.push({ name, expr });
    }
    return k;
  }

  /** Returns the terms of e and what it says about the intercept (undefined: nothing). */
  expand(e: Expr): { terms: number[][]; intercept?: boolean } {
    switch (e.type) {
      case "paren":
        return this.expand(e.expr);
      case "number":
        if (e.value === 1) return { terms: [], intercept: true };
        if (e.value === 0) return { terms: [], intercept: false };
        throw errorAt(this.f, e.pos, `the number ${e.text} cannot be a term (only 0 or 1, for the intercept)`);
      case "string":
        throw errorAt(this.f, e.pos, "a quoted text cannot be a term; write a column name as it is, or in backquotes (`my column`)");
      case "named":
        throw errorAt(this.f, e.pos, `'${e.name} = ...' can only be a function's argument`);
      case "name":
        if (e.name === ".") throw errorAt(this.f, e.pos, "'.' (all other columns) is not supported; name the columns");
        return { terms: [[this.variableIndex(e)]] };
      case "call":
        if (e.fn === "offset") {
          if (!this.allowOffset) throw errorAt(this.f, e.pos, "offset() belongs in the fixed-effects part");
          if (e.args.length !== 1) throw errorAt(this.f, e.pos, "offset() takes one argument");
          this.offsets.push(e.args[0]!);
          return { terms: [] };
        }
        return { terms: [[this.variableIndex(e)]] };
      case "unary": {
        const inner = unparen(e.arg);
        if (e.op === "+") return this.expand(e.arg);
        if (inner.type === "number" && (inner.value === 1 || inner.value === 0)) return { terms: [], intercept: inner.value === 0 };
        throw errorAt(this.f, e.pos, "a leading '-' may only remove the intercept ('-1')");
      }
      case "binary": {
        switch (e.op) {
          case "+": {
            const a = this.expand(e.left);
            const b = this.expand(e.right);
            return { terms: union(a.terms, b.terms), intercept: b.intercept ?? a.intercept };
          }
          case "-": {
            const a = this.expand(e.left);
            const b = this.expand(e.right);
            const drop = new Set(b.terms.map(key));
            const intercept = b.intercept === undefined ? a.intercept : !b.intercept;
            return { terms: a.terms.filter((t) => !drop.has(key(t))), intercept };
          }
          case ":":
          case "%in%": {
            // R: a %in% b nests a's terms in b (a + b %in% a is a + a:b)
            const a = this.expand(e.left);
            const b = this.expand(e.right);
            return { terms: product(this.f, e.pos, a.terms, b.terms) };
          }
          case "*": {
            const a = this.expand(e.left);
            const b = this.expand(e.right);
            return { terms: limit(this.f, e.pos, union(union(a.terms, b.terms), product(this.f, e.pos, a.terms, b.terms))) };
          }
          case "/": {
            const a = this.expand(e.left);
            const b = this.expand(e.right);
            const all = [...new Set(a.terms.flat())].sort((x, y) => x - y);
            return { terms: union(a.terms, product(this.f, e.pos, [all], b.terms)) };
          }
          case "^": {
            const power = unparen(e.right);
            if (power.type !== "number" || !Number.isInteger(power.value) || power.value < 1) {
              throw errorAt(this.f, e.right.pos, "the power of a term, as in (a + b)^2, must be a whole number");
            }
            const a = this.expand(e.left);
            // past the number of variables, a higher power adds no term: (a + b)^5 is (a + b)^2
            const times = Math.min(power.value, new Set(a.terms.flat()).size);
            let terms = a.terms;
            for (let i = 1; i < times; i++) terms = limit(this.f, e.pos, union(union(terms, a.terms), product(this.f, e.pos, terms, a.terms)));
            return { terms };
          }
          case "<":
          case ">":
          case "<=":
          case ">=":
          case "==":
          case "!=":
            // a comparison is a (logical) variable, as in R
            return { terms: [[this.variableIndex(e)]] };
          case "|":
          case "||":
            throw errorAt(this.f, e.pos, "a random-effects term '(... | group)' must stand on its own, in parentheses, joined by '+'");
        }
      }
    }
  }

  linearTerms(e: Expr | null, defaultIntercept: boolean): LinearTerms {
    const { terms, intercept } = e === null ? { terms: [] as number[][], intercept: undefined } : this.expand(e);
    const sorted = terms.map((t, i) => ({ t, i })).sort((a, b) => a.t.length - b.t.length || a.i - b.i).map((x) => x.t);
    return { variables: this.variables, terms: sorted, intercept: intercept ?? defaultIntercept };
  }
}

const key = (t: number[]): string => t.join(",");

function union(a: number[][], b: number[][]): number[][] {
  const seen = new Set(a.map(key));
  const out = [...a];
  for (const t of b) {
    if (!seen.has(key(t))) {
      seen.add(key(t));
      out.push(t);
    }
  }
  return out;
}

/** More terms than any model can use: a formula such as a*b*c*…*z (2^26 terms) stops here instead of running out of memory. */
const MAX_TERMS = 10_000;

/** The interactions of every term of a with every term of b (the operator at `pos` asks for them). */
function product(f: Formula, pos: number, a: number[][], b: number[][]): number[][] {
  if (a.length * b.length > MAX_TERMS * 10) throw errorAt(f, pos, `the formula expands into more than ${MAX_TERMS} terms`);
  const out: number[][] = [];
  for (const s of a) for (const t of b) out.push([...new Set([...s, ...t])].sort((x, y) => x - y));
  return limit(f, pos, union([], out));
}

function limit(f: Formula, pos: number, terms: number[][]): number[][] {
  if (terms.length > MAX_TERMS) throw errorAt(f, pos, `the formula expands into more than ${MAX_TERMS} terms`);
  return terms;
}

/** Calls that make a grouping factor: R's factor() and friends (lme4 turns the expression after '|' into a factor). */
const GROUPING_CALLS = new Set(["factor", "as.factor", "ordered", "as.ordered", "relevel", "interaction"]);

interface Grouping {
  names: string[];
  exprs: Expr[];
  pos: number[];
}

/**
 * Grouping factors of `(... | g)`: `g`, `factor(g)`, `interaction(a, b)`, `a:b`, or the nested
 * `a/b` (giving `a` and `b:a`, as lme4), with positions.
 */
function groupings(f: Formula, g: Expr): Grouping[] {
  const e = unparen(g);
  if (e.type === "name") return [{ names: [e.name], exprs: [e], pos: [e.pos] }];
  if (e.type === "call" && GROUPING_CALLS.has(e.fn)) return [{ names: [deparse(e)], exprs: [e], pos: [e.pos] }];
  if (e.type === "binary" && e.op === ":") {
    const l = groupings(f, e.left);
    const r = groupings(f, e.right);
    if (l.length !== 1 || r.length !== 1) throw errorAt(f, e.pos, "a nested grouping 'a/b' cannot be part of an interaction");
    return [{ names: [...l[0]!.names, ...r[0]!.names], exprs: [...l[0]!.exprs, ...r[0]!.exprs], pos: [...l[0]!.pos, ...r[0]!.pos] }];
  }
  if (e.type === "binary" && e.op === "/") {
    const outer = groupings(f, e.left);
    const inner = groupings(f, e.right);
    if (inner.length !== 1) throw errorAt(f, e.right.pos, "write a nested grouping as a/b/c");
    const last = outer[outer.length - 1]!;
    return [...outer, { names: [...inner[0]!.names, ...last.names], exprs: [...inner[0]!.exprs, ...last.exprs], pos: [...inner[0]!.pos, ...last.pos] }];
  }
  const meant = e.type === "call" ? [...GROUPING_CALLS].find((c) => c.toLowerCase() === e.fn.toLowerCase()) : undefined;
  const didYouMean = meant !== undefined && e.type === "call" ? ` (did you mean '${deparse({ ...e, fn: meant })}'?)` : "";
  throw errorAt(f, e.pos, `the grouping factor after '|' must be a column name, a factor such as factor(g) or interaction(a, b), 'a:b' or 'a/b', not '${deparse(e)}'${didYouMean}`);
}

/** Position of the first use of a variable (by its R name) in an expression. */
function findName(e: Expr, name: string): number | undefined {
  if ((e.type === "name" && e.name === name) || (e.type === "call" && deparse(e) === name)) return e.pos;
  const kids = e.type === "binary" ? [e.left, e.right] : e.type === "unary" ? [e.arg] : e.type === "paren" ? [e.expr] : e.type === "call" ? e.args : [];
  for (const k of kids) {
    const pos = findName(k, name);
    if (pos !== undefined) return pos;
  }
  return undefined;
}

/** Parses an lme4 formula and expands it into fixed and random terms (R's terms() rules). */
export function modelTerms(text: string): ModelTerms {
  const formula = parseFormula(text);
  if (formula.lhs === null) throw errorAt(formula, 0, "the formula needs a response before '~'");
  const bars: Expr[] = [];
  const fixedExpr = splitBars(formula, formula.rhs, bars);
  const fixedExpander = new TermExpander(formula, true);
  fixedExpander.variableIndex(formula.lhs);
  const fixedAll = fixedExpander.linearTerms(fixedExpr, true);
  // the response is variable 0 of R's terms; the fixed-effects terms do not use it
  const fixed: LinearTerms = {
    variables: fixedAll.variables,
    terms: fixedAll.terms,
    intercept: fixedAll.intercept,
  };
  for (const t of fixed.terms) {
    if (t.includes(0)) {
      const responseName = fixed.variables[0]!.name;
      // R's terms() drops a main effect equal to the response, with a warning, and keeps it in interactions: an error is clearer
      throw errorAt(formula, findName(formula.rhs, responseName) ?? formula.rhs.pos, `the response '${responseName}' cannot also be a predictor; remove it from the right-hand side`);
    }
  }
  const random: RandomTerm[] = [];
  for (const bar of bars) {
    if (bar.type !== "binary") continue;
    const groups = groupings(formula, bar.right);
    const effectsFor = (e: Expr | null, intercept: boolean): LinearTerms => new TermExpander(formula, false).linearTerms(e, intercept);
    const lhs = effectsFor(bar.left, true);
    if (lhs.terms.length === 0 && !lhs.intercept) {
      throw errorAt(formula, bar.left.pos, `the random-effects term (${deparse(bar)}) has no effects, as it removes the intercept and names no variable`);
    }
    for (const { names: groupVars, exprs: groupExprs, pos: groupPos } of groups) {
      const group = groupVars.join(":");
      if (bar.op === "|") {
        random.push({ effects: lhs, groupVars, groupExprs, groupPos, group, pos: bar.pos });
      } else {
        // (a + b || g) is (1 | g) + (0 + a | g) + (0 + b | g)
        if (lhs.intercept) random.push({ effects: { variables: lhs.variables, terms: [], intercept: true }, groupVars, groupExprs, groupPos, group, pos: bar.pos });
        for (const t of lhs.terms) random.push({ effects: { variables: lhs.variables, terms: [t], intercept: false }, groupVars, groupExprs, groupPos, group, pos: bar.pos });
      }
    }
  }
  return { formula, response: formula.lhs, fixed, offsets: fixedExpander.offsets, random };
}
