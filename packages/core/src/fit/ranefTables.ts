import type { Model } from "../model/Model.js";
import type { CoefTable, RanefTable } from "./LmmFit.js";

/**
 * lme4's `ranef` (the BLUPs with their conditional SDs) and `coef` (fixed effects plus each level's
 * random effects), merged per grouping factor in term order: `b[i]` and `condVar[i]` hold term i's
 * values, ℓ_i × p_i.
 */
export function ranefTables(model: Model, beta: number[], b: Float64Array[], condVar: Float64Array[]): { ranef: RanefTable[]; coef: CoefTable[] } {
  const { reTerms } = model;
  const groups = [...new Set(reTerms.map((t) => t.group))];
  const ranef: RanefTable[] = groups.map((g) => {
    const idx = reTerms.map((t, i) => (t.group === g ? i : -1)).filter((i) => i >= 0);
    const levels = reTerms[idx[0]!]!.levels;
    const columns = idx.flatMap((i) => reTerms[i]!.columnNames);
    const values: number[][] = [];
    const condsd: number[][] = [];
    for (let l = 0; l < levels.length; l++) {
      const v: number[] = [];
      const sd: number[] = [];
      for (const i of idx) {
        const pi = reTerms[i]!.p;
        const bi = b[i]!;
        const ci = condVar[i]!;
        for (let k = 0; k < pi; k++) {
          v.push(bi[l * pi + k]!);
          sd.push(Math.sqrt(ci[l * pi + k]!));
        }
      }
      values.push(v);
      condsd.push(sd);
    }
    return { group: g, columns, levels, values, condsd };
  });
  const coef: CoefTable[] = ranef.map((r) => {
    const extra = r.columns.filter((c) => !model.xNames.includes(c));
    const columns = [...model.xNames, ...extra];
    // for each output column: its fixed effect (or 0) and the ranef columns that add to it
    const base = columns.map((c) => {
      const j = model.xNames.indexOf(c);
      return j >= 0 ? beta[j]! : 0;
    });
    const adds = columns.map((c) => r.columns.flatMap((rc, k) => (rc === c ? [k] : [])));
    const values = r.values.map((row) =>
      base.map((v, j) => {
        let s = v;
        for (const k of adds[j]!) s += row[k]!;
        return s;
      }),
    );
    return { group: r.group, columns, levels: r.levels, values };
  });
  return { ranef, coef };
}
