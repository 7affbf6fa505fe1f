import { HlmError } from "../HlmError.js";
import type { LinearTerms } from "../formula/modelTerms.js";
import { contrPoly } from "./contrasts.js";
import type { Variable } from "./Variable.js";

/**
 * The model matrix of a set of terms (R's model.matrix with treatment contrasts, contr.poly for an
 * ordered factor): intercept, then each term's columns, the first variable of an interaction
 * varying fastest. A factor in a term is
 * coded by contrasts when the term without it is the intercept or is contained in an earlier term,
 * by indicators otherwise (R's TermCode); without an intercept the first factor gets indicators.
 * `numerics` names, per column, the numeric variables multiplied into it (none for the intercept; a
 * basis's column, `poly(x, 2)1`, counts as a variable of its own).
 */
export function modelMatrix(lt: LinearTerms, vars: Map<string, Variable>, n: number, isFixed: boolean): { columns: Float64Array[]; names: string[]; numerics: string[][] } {
  const columns: Float64Array[] = [];
  const names: string[] = [];
  const numerics: string[][] = [];
  if (lt.intercept) {
    columns.push(new Float64Array(n).fill(1));
    names.push("(Intercept)");
    numerics.push([]);
  }
  const skipResponse = isFixed ? 1 : 0;
  const terms = lt.terms;
  const varOf = (k: number): Variable => vars.get(lt.variables[k]!.name)!;
  let firstFactorFixed = lt.intercept;
  terms.forEach((term, ti) => {
    // per variable of the term: its columns and their names
    const parts = term.map((k) => {
      const v = varOf(k);
      if (k < skipResponse) throw new HlmError("INTERNAL", "response in a term");
      if (v.kind === "numeric") return { cols: [v.values], names: [v.name], nums: [[v.name]] };
      if (v.kind === "matrix") {
        // a basis: its columns, never contrasts; each column a numeric variable of its own (`poly(x, 2)1`)
        const names = v.suffixes.map((s) => `${v.name}${s}`);
        return { cols: v.columns, names, nums: names.map((nm) => [nm]) };
      }
      const rest = term.filter((x) => x !== k);
      let contrasts = rest.length === 0 || terms.slice(0, ti).some((prev) => rest.every((x) => prev.includes(x)));
      if (!firstFactorFixed) {
        // R: without an intercept, the first factor of the first term with a factor gets indicators
        firstFactorFixed = true;
        contrasts = false;
      }
      if (contrasts && v.ordered) {
        // R's contr.poly: column j holds the degree-j orthonormal polynomial at the row's level
        const poly = contrPoly(v.levels.length, v.name);
        return { cols: poly.columns.map((p) => Float64Array.from(v.codes, (c) => p[c]!)), names: poly.suffixes.map((s) => `${v.name}${s}`), nums: poly.columns.map((): string[] => []) };
      }
      const first = contrasts ? 1 : 0;
      const cols: Float64Array[] = [];
      const colNames: string[] = [];
      for (let l = first; l < v.levels.length; l++) {
        const col = new Float64Array(n);
        for (let t = 0; t < n; t++) if (v.codes[t] === l) col[t] = 1;
        cols.push(col);
        colNames.push(`${v.name}${v.levels[l]}`);
      }
      return { cols, names: colNames, nums: cols.map((): string[] => []) };
    });
    // product of the parts, the first varying fastest (the first part's columns are used as they are);
    // per column, the numeric variables multiplied into it (its factors give the indicators)
    let acc: { cols: Float64Array[]; names: string[]; nums: string[][] } = parts[0]!;
    for (const part of parts.slice(1)) {
      const next: { cols: Float64Array[]; names: string[]; nums: string[][] } = { cols: [], names: [], nums: [] };
      part.cols.forEach((pc, b) => {
        acc.cols.forEach((ac, a) => {
          const col = new Float64Array(n);
          for (let t = 0; t < n; t++) col[t] = ac[t]! * pc[t]!;
          next.cols.push(col);
          next.names.push(`${acc.names[a]}:${part.names[b]}`);
          next.nums.push([...acc.nums[a]!, ...part.nums[b]!]);
        });
      });
      acc = next;
    }
    columns.push(...acc.cols);
    names.push(...acc.names);
    numerics.push(...acc.nums);
  });
  return { columns, names, numerics };
}
