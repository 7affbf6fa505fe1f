import type { ReTerm } from "./Model.js";

/**
 * How θ maps onto Λθ: term i has a p_i × p_i lower-triangular template T_i whose lower triangle,
 * column by column, is θ[offset_i ...]. Diagonal entries have lower bound 0, the others none.
 */
export interface ThetaLayout {
  /** Per term: its size p_i and where its entries start in θ. */
  terms: { p: number; offset: number }[];
  /** length of θ */
  size: number;
  /** Lower bounds of θ (0 on diagonals, -Infinity elsewhere). */
  lower: Float64Array;
  /** lme4's names of the entries (`Subject.(Intercept)`, `Subject.Days.(Intercept)`, `Subject.Days`). */
  names: string[];
  /** lme4's starting value: identity templates. */
  initial: Float64Array;
}

export function thetaLayout(reTerms: readonly ReTerm[]): ThetaLayout {
  const terms: { p: number; offset: number }[] = [];
  const lower: number[] = [];
  const names: string[] = [];
  const initial: number[] = [];
  let size = 0;
  for (const t of reTerms) {
    terms.push({ p: t.p, offset: size });
    for (let c = 0; c < t.p; c++) {
      for (let r = c; r < t.p; r++) {
        const diag = r === c;
        lower.push(diag ? 0 : -Infinity);
        initial.push(diag ? 1 : 0);
        names.push(diag ? `${t.group}.${t.columnNames[r]}` : `${t.group}.${t.columnNames[r]}.${t.columnNames[c]}`);
        size++;
      }
    }
  }
  return { terms, size, lower: Float64Array.from(lower), names, initial: Float64Array.from(initial) };
}

/** The templates T_i (row-major p_i × p_i, lower triangular) for a value of θ. */
export function templates(layout: ThetaLayout, theta: ArrayLike<number>): Float64Array[] {
  return layout.terms.map(({ p, offset }) => {
    const T = new Float64Array(p * p);
    let k = offset;
    for (let c = 0; c < p; c++) for (let r = c; r < p; r++) T[r * p + c] = theta[k++]!;
    return T;
  });
}
