import { HlmError } from "../HlmError.js";
import type { ModelTerms } from "../formula/modelTerms.js";
import { checkMagnitude } from "./checkValues.js";
import { interactionOf } from "./makeFactor.js";
import type { ReTerm } from "./Model.js";
import { modelMatrix } from "./modelMatrix.js";
import type { Factor, Variable } from "./Variable.js";

/**
 * The random-effects terms over the rows used (lme4's `mkReTrms`): per term its model matrix Z_i
 * (row-major, n × p_i), its grouping factor's levels (the interaction of its variables' factors) and each row's level; refused when a grouping
 * factor has fewer than 2 levels, or as many levels or random effects as observations. In lme4's
 * order: decreasing number of levels.
 */
export function randomEffectsTerms(groupFactors: Map<string, Factor>, terms: ModelTerms, vars: Map<string, Variable>, rows: Int32Array, rowOf: (k: number) => number): ReTerm[] {
  const n = rows.length;
  const inFormulaOrder = terms.random.map((r): ReTerm => {
    const zm = modelMatrix(r.effects, vars, n, false);
    zm.columns.forEach((c, j) => checkMagnitude(zm.names[j]!, c, rowOf));
    const f = interactionOf(r.group, r.groupVars.map((g) => groupFactors.get(g)!), n);
    const pz = zm.columns.length;
    const z = new Float64Array(n * pz);
    if (pz === 1) z.set(zm.columns[0]!.subarray(0, n));
    else
      zm.columns.forEach((col, j) => {
        for (let t = 0; t < n; t++) z[t * pz + j] = col[t]!;
      });
    if (f.levels.length < 2) {
      throw new HlmError("DATA", `The grouping factor '${r.group}' has only ${f.levels.length} level in the rows used; a random effect needs at least 2 (lme4 refuses this too).`, { column: r.group });
    }
    if (f.levels.length >= n) {
      throw new HlmError("DATA", `The grouping factor '${r.group}' has ${f.levels.length} levels for ${n} observations; it must have fewer levels than observations (lme4 refuses this too).`, { column: r.group });
    }
    if (f.levels.length * pz >= n) {
      throw new HlmError("DATA", `The term for '${r.group}' has ${f.levels.length * pz} random effects for ${n} observations; there must be more observations than random effects (lme4 refuses this too).`, { column: r.group });
    }
    return { group: r.group, columnNames: zm.names, levels: f.levels, refs: f.codes, z, p: pz, nl: f.levels.length };
  });
  return lme4TermOrder(inFormulaOrder);
}

/** lme4's mkReTrms order: by decreasing number of levels, if not already so (ties reversed, as rev(order())). */
export function lme4TermOrder<T extends { nl: number }>(terms: T[]): T[] {
  const nl = terms.map((t) => t.nl);
  const increasing = nl.some((v, i) => i > 0 && v > nl[i - 1]!);
  if (!increasing) return terms;
  const order = terms.map((_, i) => i).sort((a, b) => nl[a]! - nl[b]! || a - b);
  return order.reverse().map((i) => terms[i]!);
}
