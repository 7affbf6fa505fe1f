import { HlmError } from "../HlmError.js";

/** A node of a parsed model formula, with its 0-based character position in the formula text. */
export type Expr =
  | { type: "name"; name: string; pos: number }
  | { type: "number"; value: number; text: string; pos: number }
  /** A quoted text, as a function's argument only (`relevel(g, ref = "b")`). */
  | { type: "string"; value: string; pos: number }
  /** A named argument of a call (`raw = TRUE`, `df = 3`, `knots = c(3, 6)`). */
  | { type: "named"; name: string; value: Expr; pos: number }
  | { type: "call"; fn: string; args: Expr[]; pos: number }
  | { type: "binary"; op: BinaryOp; left: Expr; right: Expr; pos: number }
  | { type: "unary"; op: "-" | "+"; arg: Expr; pos: number }
  | { type: "paren"; expr: Expr; pos: number };

export type BinaryOp = "+" | "-" | "*" | "/" | ":" | "^" | "|" | "||" | "%in%" | ComparisonOp;
/** R's comparisons: inside I() (or as a term) a logical variable, categorical with levels FALSE and TRUE. */
export type ComparisonOp = "<" | ">" | "<=" | ">=" | "==" | "!=";
export const COMPARISONS: ReadonlySet<string> = new Set(["<", ">", "<=", ">=", "==", "!="]);

/** A formula as written: `lhs ~ rhs` (the response may be absent in a one-sided formula). */
export interface Formula {
  text: string;
  lhs: Expr | null;
  rhs: Expr;
}

type TokenKind = "name" | "number" | "string" | "op" | "(" | ")" | "," | "~" | "=" | "end";
interface Token {
  kind: TokenKind;
  text: string;
  pos: number;
}

const OPERATOR_CHARS = "+-*/:^|";
/** A name starts with a letter (of any alphabet, as R in a UTF-8 locale) or a dot, and goes on with letters, digits, '.' and '_'. */
const NAME_START = /[\p{L}.]/u;
const NAME_CHAR = /[\p{L}\p{M}\p{Nd}._]/u;
const SYNTACTIC_NAME = /^(?:[\p{L}]|\.(?![0-9]))[\p{L}\p{M}\p{Nd}._]*$/u;
/**
 * ASCII names are told by their character codes: the first test of a Unicode-property expression
 * builds its character classes, about 6 ms of a process's first fit; those expressions are for the
 * other alphabets only.
 */
const isAsciiLetter = (code: number): boolean => (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
const isNameStart = (cp: string): boolean => {
  const code = cp.charCodeAt(0);
  return code < 128 ? isAsciiLetter(code) || code === 46 : NAME_START.test(cp);
};
const isNameChar = (cp: string): boolean => {
  const code = cp.charCodeAt(0);
  return code < 128 ? isAsciiLetter(code) || (code >= 48 && code <= 57) || code === 46 || code === 95 : NAME_CHAR.test(cp);
};
const isSyntacticName = (name: string): boolean => (/^[A-Za-z.][A-Za-z0-9._]*$/.test(name) ? !/^\.[0-9]/.test(name) : /[^\x00-\x7f]/.test(name) && SYNTACTIC_NAME.test(name));

function formulaError(text: string, pos: number, what: string): HlmError {
  return new HlmError("FORMULA", `Formula error at position ${pos + 1} of '${text}': ${what}.`, { position: pos + 1 });
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  // names go by code points: a letter outside the Basic Multilingual Plane is two UTF-16 units
  const codePoint = (at: number): string => String.fromCodePoint(text.codePointAt(at)!);
  while (i < text.length) {
    const c = text[i]!;
    // any white space, also the no-break space that text copied from a spreadsheet or a web page brings
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (isNameStart(codePoint(i)) && !(c === "." && /[0-9]/.test(text[i + 1] ?? ""))) {
      while (i < text.length && isNameChar(codePoint(i))) i += codePoint(i).length;
      tokens.push({ kind: "name", text: text.slice(start, i), pos: start });
      continue;
    }
    if (/[0-9.]/.test(c)) {
      while (i < text.length && /[0-9.]/.test(text[i]!)) i++;
      if ((text[i] === "e" || text[i] === "E") && /[-+0-9]/.test(text[i + 1] ?? "")) {
        i += 2;
        while (i < text.length && /[0-9]/.test(text[i]!)) i++;
      }
      const numText = text.slice(start, i);
      if (!Number.isFinite(Number(numText))) throw formulaError(text, start, `'${numText}' is not a number`);
      tokens.push({ kind: "number", text: numText, pos: start });
      continue;
    }
    if (c === "`") {
      const end = text.indexOf("`", i + 1);
      if (end < 0) throw formulaError(text, start, "a back-quoted name is not closed");
      if (end === i + 1) throw formulaError(text, start, "a back-quoted name is empty");
      tokens.push({ kind: "name", text: text.slice(i + 1, end), pos: start });
      i = end + 1;
      continue;
    }
    if (c === "|" && text[i + 1] === "|") {
      tokens.push({ kind: "op", text: "||", pos: start });
      i += 2;
      continue;
    }
    if (c === "*" && text[i + 1] === "*") {
      tokens.push({ kind: "op", text: "^", pos: start });
      i += 2;
      continue;
    }
    if (OPERATOR_CHARS.includes(c)) {
      tokens.push({ kind: "op", text: c, pos: start });
      i++;
      continue;
    }
    if (c === "%") {
      const end = text.indexOf("%", i + 1);
      const op = end < 0 ? "" : text.slice(i, end + 1);
      if (op !== "%in%") throw formulaError(text, start, op ? `the operator '${op}' is not part of the formula language; %in% is (nesting)` : "a '%' operator is not closed");
      tokens.push({ kind: "op", text: op, pos: start });
      i = end + 1;
      continue;
    }
    if (c === "<" || c === ">" || ((c === "=" || c === "!") && text[i + 1] === "=")) {
      const op = text[i + 1] === "=" ? `${c}=` : c;
      tokens.push({ kind: "op", text: op, pos: start });
      i += op.length;
      continue;
    }
    if (c === "=" && text[i + 1] !== "=") {
      tokens.push({ kind: "=", text: c, pos: start });
      i++;
      continue;
    }
    if (c === "(" || c === ")" || c === "," || c === "~") {
      tokens.push({ kind: c, text: c, pos: start });
      i++;
      continue;
    }
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) throw formulaError(text, start, "a quoted text is not closed");
      tokens.push({ kind: "string", text: text.slice(i + 1, end), pos: start });
      i = end + 1;
      continue;
    }
    throw formulaError(text, start, `unexpected character '${codePoint(i)}'`);
  }
  tokens.push({ kind: "end", text: "", pos: text.length });
  return tokens;
}

/**
 * Binding powers, as in R: `|` and `||` below binary `+ -`, below `* /`, below `:`, below unary
 * minus, below `^` (right-associative).
 */
// R's precedence, low to high: | ||, comparisons, + -, * /, %in%, :, unary minus, ^ (gaps of 2: the right operand binds at power + 1)
const BINARY_POWER: Record<string, number> = { "|": 2, "||": 2, "<": 3, ">": 3, "<=": 3, ">=": 3, "==": 3, "!=": 3, "+": 4, "-": 4, "*": 6, "/": 6, "%in%": 8, ":": 10, "^": 14 };
const UNARY_POWER = 12;
/** Deepest nesting of parentheses, calls, signs and powers the parser follows (no real formula comes near it). */
const MAX_DEPTH = 100;
/**
 * Most operators in a row (`a + b + c + …` is a tree as deep as it has terms): past this, the
 * recursive walks over the tree would run out of stack.
 */
const MAX_HEIGHT = 1000;

/** Parses an lme4 model formula such as `y ~ x + (x | g)` into its expression tree. */
export function parseFormula(text: string): Formula {
  const tokens = tokenize(text);
  let k = 0;
  let depth = 0;
  const heights = new WeakMap<Expr, number>();
  const height = (e: Expr): number => heights.get(e) ?? 1;
  /** Notes the height of a node above its children; the walks over a tree are as deep as its height. */
  function node<E extends Expr>(e: E, ...children: Expr[]): E {
    const h = 1 + children.reduce((m, c) => Math.max(m, height(c)), 0);
    if (h > MAX_HEIGHT) throw formulaError(text, e.pos, `the formula is too long, with more than ${MAX_HEIGHT} operators in a row`);
    heights.set(e, h);
    return e;
  }
  const peek = (): Token => tokens[k]!;
  const next = (): Token => tokens[k++]!;
  const isBinaryOp = (t: Token | undefined): boolean => t !== undefined && t.kind === "op" && BINARY_POWER[t.text] !== undefined;

  /** A token that cannot follow a complete term (a name, number or closing parenthesis). */
  function afterTerm(t: Token): HlmError {
    if (t.kind === ")") return formulaError(text, t.pos, "this ')' has no matching '('");
    if (t.kind === ",") return formulaError(text, t.pos, "',' can only separate the arguments of a function, as in log(x, 2)");
    if (t.kind === "~") return formulaError(text, t.pos, "a formula has only one '~'");
    return formulaError(text, t.pos, `an operator such as '+' is missing before '${t.text}'`);
  }

  /** Where a term should start, `t` stands instead: say what is missing, next to what. */
  function missingTerm(t: Token): HlmError {
    const prev = tokens[k - 2];
    if (t.kind === "~") return formulaError(text, t.pos, "a formula has only one '~'");
    if (prev?.kind === "(" && t.kind === "end") return formulaError(text, prev.pos, "this '(' is not closed");
    if (prev !== undefined && isBinaryOp(prev)) {
      if (t.kind === "end") return formulaError(text, prev.pos, prev.text === "|" || prev.text === "||" ? `the grouping factor after '${prev.text}' is missing` : `'${prev.text}' needs a term after it`);
      if (isBinaryOp(t)) return formulaError(text, t.pos, `'${t.text}' follows '${prev.text}' without a term between them`);
      if (prev.text === "|" || prev.text === "||") return formulaError(text, t.pos, `the grouping factor after '${prev.text}' is missing`);
      return formulaError(text, t.pos, `a term is missing after '${prev.text}'`);
    }
    if (t.kind === "op" && (t.text === "|" || t.text === "||")) {
      const group = peek().kind === "name" ? peek().text : "group";
      return formulaError(text, t.pos, `the random effects before '${t.text}' are missing; write (1 | ${group}) for a random intercept`);
    }
    if (isBinaryOp(t)) return formulaError(text, t.pos, `a term is missing before '${t.text}'`);
    if (t.kind === ",") return formulaError(text, t.pos, prev?.kind === "(" || prev?.kind === "," ? "a function argument is missing" : "',' can only separate the arguments of a function");
    if (t.kind === ")") return formulaError(text, t.pos, prev?.kind === "," ? "a function argument is missing after ','" : "this ')' has no matching '('");
    if (prev?.kind === ",") return formulaError(text, t.pos, "a function argument is missing after ','");
    return formulaError(text, t.pos, "the formula ends too early");
  }

  /** Inside a call's arguments: quoted text and `name = value` are allowed there only. */
  let inCall = 0;

  /** One argument of a call: `name = value` or an expression. */
  function parseArgument(): Expr {
    const t = peek();
    if (t.kind === "name" && tokens[k + 1]?.kind === "=") {
      next();
      next();
      const value = parseExpr(0);
      return node({ type: "named", name: t.text, value, pos: t.pos }, value);
    }
    return parseExpr(0);
  }

  function parsePrimary(): Expr {
    const t = next();
    if (t.kind === "number") return { type: "number", value: Number(t.text), text: t.text, pos: t.pos };
    if (t.kind === "string") {
      if (inCall === 0) throw formulaError(text, t.pos, "a formula has no quoted text outside a function's arguments; write a column name as it is, or in backquotes (`my column`) if it has spaces or symbols");
      return { type: "string", value: t.text, pos: t.pos };
    }
    if (t.kind === "=") throw formulaError(text, t.pos, "'=' can only name a function's argument, as in poly(x, 2, raw = TRUE)");
    if (t.kind === "name") {
      if (peek().kind === "(") {
        const open = next();
        const args: Expr[] = [];
        inCall++;
        if (peek().kind !== ")") {
          for (;;) {
            args.push(parseArgument());
            if (peek().kind === ",") {
              next();
              continue;
            }
            break;
          }
        }
        inCall--;
        const close = next();
        if (close.kind === "end") throw formulaError(text, open.pos, `this '(' of '${t.text}(' is not closed`);
        if (close.kind !== ")") throw formulaError(text, close.pos, `expected ')' to close '${t.text}(' at position ${open.pos + 1}, but found '${close.text}'`);
        return node({ type: "call", fn: t.text, args, pos: t.pos }, ...args);
      }
      return { type: "name", name: t.text, pos: t.pos };
    }
    if (t.kind === "(") {
      if (peek().kind === ")") throw formulaError(text, peek().pos, "empty parentheses");
      const inner = parseExpr(0);
      const close = next();
      if (close.kind === "end") throw formulaError(text, t.pos, "this '(' is not closed");
      if (close.kind !== ")") throw formulaError(text, close.pos, `expected ')' to close the '(' at position ${t.pos + 1}, but found '${close.text}'`);
      return node({ type: "paren", expr: inner, pos: t.pos }, inner);
    }
    if (t.kind === "op" && (t.text === "-" || t.text === "+")) {
      const arg = parseExpr(UNARY_POWER);
      return node({ type: "unary", op: t.text, arg, pos: t.pos }, arg);
    }
    throw missingTerm(t);
  }

  function parseExpr(minPower: number): Expr {
    if (++depth > MAX_DEPTH) throw formulaError(text, peek().pos, `the formula nests more than ${MAX_DEPTH} levels deep`);
    let left = parsePrimary();
    for (;;) {
      const t = peek();
      if (t.kind !== "op") break;
      const power = BINARY_POWER[t.text];
      if (power === undefined || power < minPower) break;
      next();
      // `^` is right-associative; everything else left-associative
      const right = parseExpr(t.text === "^" ? power : power + 1);
      left = node({ type: "binary", op: t.text as BinaryOp, left, right, pos: t.pos }, left, right);
    }
    depth--;
    return left;
  }

  let lhs: Expr | null = null;
  if (peek().kind !== "~") {
    if (peek().kind === "end") throw formulaError(text, 0, "the formula is empty");
    lhs = parseExpr(0);
  }
  const tilde = next();
  if (tilde.kind !== "~") {
    if (tilde.kind === "end") throw formulaError(text, tilde.pos, "a formula needs '~' between the response and the predictors");
    throw tilde.kind === "name" || tilde.kind === "number" ? formulaError(text, tilde.pos, `expected '~' but found '${tilde.text}'`) : afterTerm(tilde);
  }
  if (peek().kind === "end") throw formulaError(text, peek().pos, "there is nothing after '~'");
  const rhs = parseExpr(0);
  const last = peek();
  if (last.kind !== "end") throw afterTerm(last);
  return { text, lhs, rhs };
}

const DEPARSE_POWER: Record<string, number> = BINARY_POWER;

/** Prints an expression as R's deparse() does, which is how lme4 names coefficients (`I(x^2)`, `log(x + 1)`). */
export function deparse(e: Expr, parentPower = 0): string {
  switch (e.type) {
    case "name":
      return quoteName(e.name);
    case "number":
      return formatRNumber(e.value);
    case "string":
      return JSON.stringify(e.value);
    case "named":
      return `${quoteName(e.name)} = ${deparse(e.value)}`;
    case "call":
      return `${quoteName(e.fn)}(${e.args.map((a) => deparse(a)).join(", ")})`;
    case "paren":
      return `(${deparse(e.expr)})`;
    case "unary":
      return `${e.op}${deparse(e.arg, UNARY_POWER)}`;
    case "binary": {
      const power = DEPARSE_POWER[e.op]!;
      const tight = e.op === "^" || e.op === ":" || e.op === "/";
      const sep = tight ? e.op : ` ${e.op} `;
      // `^` is right-associative (a^b^c is a^(b^c)), the others left-associative
      const s = e.op === "^" ? `${deparse(e.left, power + 1)}${sep}${deparse(e.right, power)}` : `${deparse(e.left, power)}${sep}${deparse(e.right, power + 1)}`;
      return power < parentPower ? `(${s})` : s;
    }
  }
}

/** A name as R prints it: bare when it is syntactic, else in backquotes. */
const quoteName = (name: string): string => (isSyntacticName(name) ? name : `\`${name}\``);

function formatRNumber(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  return String(Number(v.toPrecision(15)));
}
