import { HlmError } from "../HlmError.js";
import { parseStructure, type StructureSpec } from "../formula/parseStructure.js";
import { closestName } from "./closestName.js";
import { makeFactor } from "./makeFactor.js";
import type { ResidualStructure, ReTerm, StructureOptions } from "./Model.js";
import type { ModelFrameSource } from "./ModelFrameSource.js";

/**
 * Reads `correlation` and `variance` (nlme's `corAR1(form = ~ Time | Rat)`, `varIdent(form = ~ 1 | Sex)`)
 * and resolves them on the model's rows: the groups, each group's rows in order, the times or
 * positions, the strata. Refuses, in one sentence each, an unknown column, a missing value in a
 * column the structure reads, a grouping the random effects are not constant within, ties in a
 * time covariate within a group, a non-integer position, a stratum of one row, a corCompSymm
 * starting value below nlme's bound -1/(P − 1).
 */
export function residualStructure(source: ModelFrameSource, options: StructureOptions, reTerms: readonly ReTerm[], rows: Int32Array): ResidualStructure | null {
  if (!options.correlation?.trim() && !options.variance?.trim()) return null;
  const correlation = options.correlation?.trim() ? parseStructure("correlation", options.correlation) : null;
  const variance = options.variance?.trim() ? parseStructure("variance", options.variance) : null;
  const n = rows.length;
  const columns: string[] = [];
  const use = (spec: StructureSpec, name: string, what: string): void => {
    if (!source.table.names.includes(name)) {
      const near = closestName(name, source.table.names);
      throw new HlmError("OPTIONS", `Unknown column '${name}' in ${what} '${spec.text}'${near ? `; did you mean '${near}'?` : "."}`, { column: name });
    }
    source.checkFailedCells(name);
    const missing = source.missing(name);
    for (let k = 0; k < n; k++) {
      if (missing(rows[k]!)) {
        const row = source.row(rows[k]!);
        throw new HlmError("DATA", `Column '${name}', which ${what} '${spec.text}' reads, is missing in row ${row}, a row the model uses; fill it in or leave that row out.`, { column: name, row });
      }
    }
    if (!columns.includes(name)) columns.push(name);
  };

  // the grouping: the correlation's, else the innermost random-effects grouping
  const innermost = innermostTerm(reTerms);
  let group = innermost.group;
  let codes = innermost.refs;
  let levels = innermost.levels;
  if (correlation && correlation.form.group.length > 0) {
    for (const g of correlation.form.group) use(correlation, g, "the correlation structure");
    const f = makeFactor(source, correlation.form.group.join(":"), correlation.form.group, rows);
    group = correlation.form.group.join("/");
    codes = f.codes;
    levels = f.levels;
    for (const t of reTerms) {
      const level = new Int32Array(levels.length).fill(-1);
      for (let k = 0; k < n; k++) {
        const c = codes[k]!;
        if (level[c] === -1) level[c] = t.refs[k]!;
        else if (level[c] !== t.refs[k]) {
          // the innermost grouping as a form writes it: lme4's b:a (of a/b) is a/b
          const inner = innermost.group.split(":").reverse().join("/");
          const row = source.row(rows[k]!);
          throw new HlmError(
            "OPTIONS",
            `The correlation structure '${correlation.text}' groups by '${group}', which is not nested in the random effects' grouping '${t.group}': ${group} ${levels[c]} has rows in ${t.group} ${t.levels[level[c]!]} and in ${t.group} ${t.levels[t.refs[k]!]} (row ${row}); group the correlation by '${inner}' (form = ~ ${correlation.form.covariate ?? "1"} | ${inner}) or by a grouping nested in it.`,
            { column: correlation.form.group[0]!, row },
          );
        }
      }
    }
  }
  if (variance && variance.form.group.length > 1) throw new HlmError("OPTIONS", `The variance function '${variance.text}' takes one stratum column after '|'; make a column that combines ${variance.form.group.join(" and ")} first.`);

  // the groups' rows, in the data's order, groups in their factor order
  const G = levels.length;
  const start = new Int32Array(G + 1);
  for (let k = 0; k < n; k++) start[codes[k]! + 1]!++;
  for (let g = 0; g < G; g++) start[g + 1]! += start[g]!;
  const blockRows = new Int32Array(n);
  const fill = start.slice(0, G);
  for (let k = 0; k < n; k++) blockRows[fill[codes[k]!]!++] = k;

  // the correlation's times or positions
  let time: Float64Array | null = null;
  let positions = 0;
  if (correlation) {
    time = new Float64Array(n);
    const cov = correlation.form.covariate;
    if (cov === null) {
      for (let g = 0; g < G; g++) for (let j = start[g]!; j < start[g + 1]!; j++) time[blockRows[j]!] = j - start[g]! + 1;
    } else {
      use(correlation, cov, "the correlation structure");
      const col = source.column(cov);
      if (col.kind !== "number") {
        const bad = source.firstNonNumber(col);
        throw new HlmError("DATA", `The correlation structure's covariate '${cov}' must be numeric, but row ${source.row(bad)} holds '${col.values[bad]}'.`, { column: cov, row: source.row(bad) });
      }
      for (let k = 0; k < n; k++) time[k] = col.values[rows[k]!]!;
      const integer = correlation.class === "corAR1" || correlation.class === "corSymm";
      for (let k = 0; k < n; k++) {
        if (integer && (!Number.isInteger(time[k]!) || time[k]! < (correlation.class === "corSymm" ? 1 : -Infinity))) {
          throw new HlmError(
            "DATA",
            correlation.class === "corSymm"
              ? `corSymm's covariate '${cov}' must hold positions 1, 2, 3, … within a group, but row ${source.row(rows[k]!)} holds ${time[k]}.`
              : `corAR1's covariate '${cov}' must hold whole numbers (positions in time), but row ${source.row(rows[k]!)} holds ${time[k]}; use corCAR1 for continuous times.`,
            { column: cov, row: source.row(rows[k]!) },
          );
        }
      }
      // sort each group by time (stable) and refuse ties
      for (let g = 0; g < G; g++) {
        const seg = Array.from(blockRows.subarray(start[g]!, start[g + 1]!)).sort((a, b) => time![a]! - time![b]! || a - b);
        for (let j = 1; j < seg.length; j++) {
          if (time[seg[j]!] === time[seg[j - 1]!]) {
            throw new HlmError(
              "DATA",
              `The correlation structure's time '${cov}' has the value ${time[seg[j]!]} twice within ${group} ${levels[g]} (rows ${source.row(rows[seg[j - 1]!]!)} and ${source.row(rows[seg[j]!]!)}); times must differ within a group.`,
              { column: cov, row: source.row(rows[seg[j]!]!) },
            );
          }
        }
        blockRows.set(seg, start[g]!);
      }
    }
    if (correlation.class === "corSymm") for (let k = 0; k < n; k++) positions = Math.max(positions, time[k]!);
    if (correlation.class === "corCompSymm" && correlation.value !== null) {
      // nlme's bound: the correlation matrix of the largest group is positive definite for Rho > -1/(P − 1)
      let largest = 0;
      for (let g = 1; g < G; g++) if (start[g + 1]! - start[g]! > start[largest + 1]! - start[largest]!) largest = g;
      const P = start[largest + 1]! - start[largest]!;
      if (P > 1 && correlation.value <= -1 / (P - 1)) {
        throw new HlmError(
          "OPTIONS",
          `corCompSymm's starting value ${correlation.value} in '${correlation.text}' must be above -1/(P - 1) = ${-Number((1 / (P - 1)).toPrecision(4))}, P = ${P} the rows of the largest group (${group} ${levels[largest]}); give a larger one.`,
        );
      }
    }
  }

  // the variance function's strata or covariate
  let stratum: Int32Array | null = null;
  let strata: string[] = [];
  let covariate: Float64Array | null = null;
  if (variance) {
    if (variance.class === "varIdent") {
      const s = variance.form.group[0];
      if (s === undefined) throw new HlmError("OPTIONS", `The variance function '${variance.text}' needs strata: varIdent(form = ~ 1 | column).`);
      use(variance, s, "the variance function");
      const f = makeFactor(source, s, [s], rows);
      // strata in order of appearance in nlme's order of the rows, the first the reference
      const rank = new Int32Array(f.levels.length).fill(-1);
      const order: number[] = [];
      for (const k of nlmeOrder(reTerms, n)) if (rank[f.codes[k]!] === -1) rank[f.codes[k]!] = order.push(f.codes[k]!) - 1;
      strata = order.map((c) => f.levels[c]!);
      stratum = new Int32Array(n);
      const count = new Int32Array(strata.length);
      const lastRow = new Int32Array(strata.length);
      for (let k = 0; k < n; k++) {
        stratum[k] = rank[f.codes[k]!]!;
        count[stratum[k]!]!++;
        lastRow[stratum[k]!] = k;
      }
      const single = strata.findIndex((_, i) => count[i] === 1);
      if (single >= 0) {
        const row = source.row(rows[lastRow[single]!]!);
        throw new HlmError("DATA", `The variance function '${variance.text}' has a stratum '${strata[single]}' of '${s}' with one row only (row ${row}); its variance cannot be estimated from one residual: merge it with another stratum or leave it out.`, { column: s, row });
      }
    } else {
      const v = variance.form.covariate;
      if (v === null) throw new HlmError("OPTIONS", `The variance function '${variance.text}' needs a covariate: ${variance.class}(form = ~ column) (nlme's default, the fitted values, is not supported).`);
      if (variance.form.group.length > 0) throw new HlmError("OPTIONS", `The variance function '${variance.text}': strata ('| ${variance.form.group[0]}') are supported by varIdent only.`);
      use(variance, v, "the variance function");
      const col = source.column(v);
      if (col.kind !== "number") {
        const bad = source.firstNonNumber(col);
        throw new HlmError("DATA", `The variance covariate '${v}' of '${variance.text}' must be numeric, but row ${source.row(bad)} holds '${col.values[bad]}'.`, { column: v, row: source.row(bad) });
      }
      covariate = new Float64Array(n);
      for (let k = 0; k < n; k++) {
        covariate[k] = col.values[rows[k]!]!;
        if (variance.class === "varPower" && covariate[k] === 0) {
          const row = source.row(rows[k]!);
          throw new HlmError("DATA", `The variance covariate '${v}' is 0 in row ${row}; varPower's standard deviation |${v}|^power would be 0 there.`, { column: v, row });
        }
      }
    }
  }
  return { correlation, variance, group, levels, start, rows: blockRows, time, positions, stratum, strata, covariate, columns };
}

/**
 * The rows in nlme's order: sorted by the random-effects groupings, outermost first, each by its
 * levels' order, and in the data's order within a group (lme's `order(grps)`, before the
 * structures see the rows). Not the structure's own order (sorted by time within a group), which
 * would make varIdent's reference stratum the earliest time's rather than the first row's.
 */
function nlmeOrder(reTerms: readonly ReTerm[], n: number): number[] {
  const terms = [...reTerms].sort((a, b) => a.nl - b.nl);
  return Array.from({ length: n }, (_, k) => k).sort((a, b) => {
    for (const t of terms) if (t.refs[a] !== t.refs[b]) return t.refs[a]! - t.refs[b]!;
    return a - b;
  });
}

/**
 * The innermost random-effects grouping: the term with the most levels such that every other term's
 * factor is constant within its groups. Refused for crossed factors (no grouping is innermost).
 */
function innermostTerm(reTerms: readonly ReTerm[]): ReTerm {
  const candidates = [...reTerms].sort((a, b) => b.nl - a.nl);
  for (const c of candidates) if (reTerms.every((t) => t === c || constantWithin(t.refs, c.refs, c.nl))) return c;
  throw new HlmError("OPTIONS", `A residual structure needs nested random effects (as nlme's lme), but ${reTerms.map((t) => `'${t.group}'`).join(" and ")} are crossed; fit the structure with nested groupings only, or the crossed model without it.`);
}

function constantWithin(values: Int32Array, groups: Int32Array, nl: number): boolean {
  const seen = new Int32Array(nl).fill(-1);
  for (let k = 0; k < groups.length; k++) {
    const g = groups[k]!;
    if (seen[g] === -1) seen[g] = values[k]!;
    else if (seen[g] !== values[k]) return false;
  }
  return true;
}
