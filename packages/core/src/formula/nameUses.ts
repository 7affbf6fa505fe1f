import { deparse, type Expr } from "./parseFormula.js";

/** Every use of a name in an expression, in order, with its position in the formula text. */
export function nameUses(e: Expr, out: { name: string; pos: number }[] = []): { name: string; pos: number }[] {
  switch (e.type) {
    case "name":
      out.push({ name: e.name, pos: e.pos });
      break;
    case "call":
      for (const a of e.args) nameUses(a, out);
      break;
    case "binary":
      nameUses(e.left, out);
      nameUses(e.right, out);
      break;
    case "unary":
      nameUses(e.arg, out);
      break;
    case "paren":
      nameUses(e.expr, out);
      break;
    case "named":
      nameUses(e.value, out);
      break;
    case "number":
      break;
  }
  return out;
}

/** Names of the columns of the table that an expression refers to. */
export function columnsOf(e: Expr, out: Set<string> = new Set()): Set<string> {
  for (const u of nameUses(e)) out.add(u.name);
  return out;
}

/** The name R gives a variable (a column name or a deparsed expression). */
export const variableName = (e: Expr): string => (e.type === "name" ? e.name : deparse(e));
