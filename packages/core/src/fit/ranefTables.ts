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
    // plain loops into arrays made at their length: the tables are made once per fit, in a session's first fit before V8 compiles this
    const width = columns.length;
    const values: number[][] = new Array<number[]>(levels.length);
    const condsd: number[][] = new Array<number[]>(levels.length);
    for (let l = 0; l < levels.length; l++) {
      const v = new Array<number>(width);
      const sd = new Array<number>(width);
      let c = 0;
      for (const i of idx) {
        const pi = reTerms[i]!.p;
        const bi = b[i]!;
        const ci = condVar[i]!;
        for (let k = 0; k < pi; k++, c++) {
          v[c] = bi[l * pi + k]!;
          sd[c] = Math.sqrt(ci[l * pi + k]!);
        }
      }
      values[l] = v;
      condsd[l] = sd;
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
    const values: number[][] = new Array<number[]>(r.values.length);
    for (let l = 0; l < r.values.length; l++) {
      const row = r.values[l]!;
      const out = new Array<number>(columns.length);
      for (let j = 0; j < columns.length; j++) {
        let s = base[j]!;
        for (const k of adds[j]!) s += row[k]!;
        out[j] = s;
      }
      values[l] = out;
    }
    return { group: r.group, columns, levels: r.levels, values };
  });
  return { ranef, coef };
}
