import { deparse, type Expr } from "./parseFormula.js";

/** Every use of a name in an expression, in order, with its position in the formula text. */
export function nameUses(e: Expr, out: { name: string; pos: number }[] = []): { name: string; pos: number }[] {
  switch (e.type) {
    case "name":
      out.push({ name: e.name, pos: e.pos });
      break;
    case "call":
      for (const a of dataArguments(e)) nameUses(a, out);
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

/** R's functions whose arguments other than the data (`x`) are constants: poly(x, 2, raw = TRUE), ns(x, df = 3), scale(x, center = FALSE). */
const ONE_DATA_ARGUMENT = new Set(["poly", "ns", "bs", "scale"]);

/** R's functions that make a factor; their data are the unnamed arguments. */
const FACTOR_CALLS = new Set(["factor", "as.factor", "ordered", "as.ordered", "relevel", "interaction"]);

/** The arguments of a call that may name columns: of poly(), ns(), bs() and scale() only the data (`x = …` or the first unnamed one). */
function dataArguments(e: Expr & { type: "call" }): Expr[] {
  // factor(), relevel(f, ref = "b"), interaction(a, b, sep = "_", lex.order = TRUE): named arguments are constants
  if (FACTOR_CALLS.has(e.fn)) return e.args.filter((a) => a.type !== "named");
  if (!ONE_DATA_ARGUMENT.has(e.fn)) return e.args;
  const x = e.args.find((a) => a.type === "named" && a.name === "x") ?? e.args.find((a) => a.type !== "named");
  return x ? [x] : [];
}

/** Names of the columns of the table that an expression refers to. */
export function columnsOf(e: Expr, out: Set<string> = new Set()): Set<string> {
  for (const u of nameUses(e)) out.add(u.name);
  return out;
}

/** The name R gives a variable (a column name or a deparsed expression). */
export const variableName = (e: Expr): string => (e.type === "name" ? e.name : deparse(e));
