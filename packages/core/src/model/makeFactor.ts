import type { ModelFrameSource } from "./ModelFrameSource.js";
import type { Factor } from "./Variable.js";

/**
 * A factor over the rows used; several label sources make an interaction (`a:b`), whose levels are
 * ordered by the first factor's level, then the second's, labelled `la:lb`, as R's `:` on factors.
 */
export function makeFactor(source: ModelFrameSource, name: string, columns: string[], rows: Int32Array): Factor {
  return interactionOf(
    name,
    columns.map((col) => source.factor(col, rows)),
    rows.length,
  );
}

/**
 * The interaction of factors over the same rows (R's `a:b` on factors, lme4's grouping `a:b`): the
 * combinations present, ordered by the first factor's level, then the second's, labelled `la:lb`.
 * One factor is itself.
 */
export function interactionOf(name: string, perVar: { levels: string[]; codes: Int32Array }[], n: number): Factor {
  if (perVar.length === 1) return { kind: "factor", name, levels: perVar[0]!.levels, codes: perVar[0]!.codes };
  // interaction: a mixed-radix number of the component codes orders the levels lexically; unused ones drop
  const radix = perVar.map((v) => v.levels.length);
  const keys = new Float64Array(n);
  for (let j = 0; j < perVar.length; j++) {
    const c = perVar[j]!.codes;
    const r = radix[j]!;
    for (let k = 0; k < n; k++) keys[k] = keys[k]! * r + c[k]!;
  }
  const size = radix.reduce((a, r) => a * r, 1);
  const codes = new Int32Array(n);
  let distinct: number[];
  if (size <= Math.max(4 * n + 1024, 1 << 22)) {
    // few enough combinations for an array indexed by key: present ones numbered in key order
    const slot = new Int32Array(size);
    for (let k = 0; k < n; k++) slot[keys[k]!] = 1;
    distinct = [];
    for (let v = 0; v < size; v++) if (slot[v] === 1) slot[v] = distinct.push(v);
    for (let k = 0; k < n; k++) codes[k] = slot[keys[k]!]! - 1;
  } else {
    distinct = [...new Set(keys)].sort((a, b) => a - b);
    const index = new Map(distinct.map((key, i) => [key, i]));
    for (let k = 0; k < n; k++) codes[k] = index.get(keys[k]!)!;
  }
  const levels = distinct.map((key) => {
    const parts: string[] = [];
    for (let j = perVar.length - 1; j >= 0; j--) {
      parts.unshift(perVar[j]!.levels[key % radix[j]!]!);
      key = Math.floor(key / radix[j]!);
    }
    return parts.join(":");
  });
  return { kind: "factor", name, levels, codes };
}
