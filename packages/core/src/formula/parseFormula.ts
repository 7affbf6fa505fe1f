import { HlmError } from "../HlmError.js";

/** A node of a parsed model formula, with its 0-based character position in the formula text. */
export type Expr =
  | { type: "name"; name: string; pos: number }
  | { type: "number"; value: number; text: string; pos: number }
  | { type: "call"; fn: string; args: Expr[]; pos: number }
  | { type: "binary"; op: BinaryOp; left: Expr; right: Expr; pos: number }
  | { type: "unary"; op: "-" | "+"; arg: Expr; pos: number }
  | { type: "paren"; expr: Expr; pos: number };

export type BinaryOp = "+" | "-" | "*" | "/" | ":" | "^" | "|" | "||";

/** A formula as written: `lhs ~ rhs` (the response may be absent in a one-sided formula). */
export interface Formula {
  text: string;
  lhs: Expr | null;
  rhs: Expr;
}

type TokenKind = "name" | "number" | "op" | "(" | ")" | "," | "~" | "end";
interface Token {
  kind: TokenKind;
  text: string;
  pos: number;
}

const OPERATOR_CHARS = "+-*/:^|";

function formulaError(text: string, pos: number, what: string): HlmError {
  return new HlmError("FORMULA", `Formula error at position ${pos + 1} of '${text}': ${what}.`, { position: pos + 1 });
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      i++;
      continue;
    }
    const start = i;
    if (/[A-Za-z.]/.test(c) && !(c === "." && /[0-9]/.test(text[i + 1] ?? ""))) {
      while (i < text.length && /[A-Za-z0-9._]/.test(text[i]!)) i++;
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
    if (c === "(" || c === ")" || c === "," || c === "~") {
      tokens.push({ kind: c, text: c, pos: start });
      i++;
      continue;
    }
    throw formulaError(text, start, `unexpected character '${c}'`);
  }
  tokens.push({ kind: "end", text: "", pos: text.length });
  return tokens;
}

/**
 * Binding powers, as in R: `|` and `||` below binary `+ -`, below `* /`, below `:`, below unary
 * minus, below `^` (right-associative).
 */
const BINARY_POWER: Record<string, number> = { "|": 1, "||": 1, "+": 2, "-": 2, "*": 3, "/": 3, ":": 5, "^": 7 };
const UNARY_POWER = 6;

/** Parses an lme4 model formula such as `y ~ x + (x | g)` into its expression tree. */
export function parseFormula(text: string): Formula {
  const tokens = tokenize(text);
  let k = 0;
  const peek = (): Token => tokens[k]!;
  const next = (): Token => tokens[k++]!;

  const describe = (t: Token): string => (t.kind === "end" ? "the formula ends too early" : `unexpected '${t.text}'`);

  function parsePrimary(): Expr {
    const t = next();
    if (t.kind === "number") return { type: "number", value: Number(t.text), text: t.text, pos: t.pos };
    if (t.kind === "name") {
      if (peek().kind === "(") {
        next();
        const args: Expr[] = [];
        if (peek().kind !== ")") {
          for (;;) {
            args.push(parseExpr(0));
            if (peek().kind === ",") {
              next();
              continue;
            }
            break;
          }
        }
        const close = next();
        if (close.kind !== ")") throw formulaError(text, close.pos, `expected ')' to close '${t.text}('`);
        return { type: "call", fn: t.text, args, pos: t.pos };
      }
      return { type: "name", name: t.text, pos: t.pos };
    }
    if (t.kind === "(") {
      if (peek().kind === ")") throw formulaError(text, peek().pos, "empty parentheses");
      const inner = parseExpr(0);
      const close = next();
      if (close.kind === "end") throw formulaError(text, t.pos, "this '(' is not closed");
      if (close.kind !== ")") throw formulaError(text, close.pos, `expected ')' but found '${close.text}'`);
      return { type: "paren", expr: inner, pos: t.pos };
    }
    if (t.kind === "op" && (t.text === "-" || t.text === "+")) {
      const arg = parseExpr(UNARY_POWER);
      return { type: "unary", op: t.text, arg, pos: t.pos };
    }
    throw formulaError(text, t.pos, describe(t));
  }

  function parseExpr(minPower: number): Expr {
    let left = parsePrimary();
    for (;;) {
      const t = peek();
      if (t.kind !== "op") break;
      const power = BINARY_POWER[t.text];
      if (power === undefined || power < minPower) break;
      next();
      // `^` is right-associative; everything else left-associative
      const right = parseExpr(t.text === "^" ? power : power + 1);
      left = { type: "binary", op: t.text as BinaryOp, left, right, pos: t.pos };
    }
    return left;
  }

  let lhs: Expr | null = null;
  if (peek().kind !== "~") {
    if (peek().kind === "end") throw formulaError(text, 0, "the formula is empty");
    lhs = parseExpr(0);
  }
  const tilde = next();
  if (tilde.kind !== "~") {
    throw formulaError(text, tilde.pos, tilde.kind === "end" ? "a formula needs '~' between the response and the predictors" : `expected '~' but found '${tilde.text}'`);
  }
  if (peek().kind === "end") throw formulaError(text, peek().pos, "there is nothing after '~'");
  const rhs = parseExpr(0);
  const last = peek();
  if (last.kind !== "end") throw formulaError(text, last.pos, last.kind === "~" ? "a formula has only one '~'" : describe(last));
  return { text, lhs, rhs };
}

const DEPARSE_POWER: Record<string, number> = BINARY_POWER;

/** Prints an expression as R's deparse() does, which is how lme4 names coefficients (`I(x^2)`, `log(x + 1)`). */
export function deparse(e: Expr, parentPower = 0): string {
  switch (e.type) {
    case "name":
      return /^[A-Za-z.][A-Za-z0-9._]*$/.test(e.name) ? e.name : `\`${e.name}\``;
    case "number":
      return formatRNumber(e.value);
    case "call":
      return `${e.fn}(${e.args.map((a) => deparse(a)).join(", ")})`;
    case "paren":
      return `(${deparse(e.expr)})`;
    case "unary":
      return `${e.op}${deparse(e.arg, UNARY_POWER)}`;
    case "binary": {
      const power = DEPARSE_POWER[e.op]!;
      const tight = e.op === "^" || e.op === ":" || e.op === "/";
      const sep = tight ? e.op : ` ${e.op} `;
      const s = `${deparse(e.left, power)}${sep}${deparse(e.right, power + 1)}`;
      return power < parentPower ? `(${s})` : s;
    }
  }
}

function formatRNumber(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  return String(Number(v.toPrecision(15)));
}
