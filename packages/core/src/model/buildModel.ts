import { checkGlmmResponse } from "./checkGlmmResponse.js";
import { HlmError } from "../HlmError.js";
import { modelTerms } from "../formula/modelTerms.js";
import { variableName } from "../formula/nameUses.js";
import type { Table } from "../io/Table.js";
import { checkConstantResponse, checkMagnitude, tooManyFixedEffects } from "./checkValues.js";
import { completeCases } from "./completeCases.js";
import { evaluateVariables } from "./evaluateVariables.js";
import { factorOnRows } from "./factorExpressions.js";
import { makeFactor } from "./makeFactor.js";
import type { Model, ModelOptions } from "./Model.js";
import { ModelFrameSource } from "./ModelFrameSource.js";
import { modelMatrix } from "./modelMatrix.js";
import { randomEffectsTerms } from "./randomEffectsTerms.js";
import { dropRankDeficient } from "./rankDeficiency.js";
import { requireColumn } from "./requireColumn.js";
import { residualStructure } from "./residualStructure.js";
import type { Factor, Variable } from "./Variable.js";

/**
 * Builds the model frame and matrices (lme4's `lFormula`) from a formula and a table: the formula's
 * terms, its variables evaluated on the table, the complete cases, X (rank-deficient columns
 * dropped) and the random-effects terms, each refused with a message that names what is wrong.
 */
export function buildModel(table: Table, formula: string, options: ModelOptions = {}): Model {
  const terms = modelTerms(formula);
  // a column named as a grouping factor is categorical everywhere in the formula (an expression such as factor(g) makes its own factor)
  const groupNames = new Set(terms.random.flatMap((r) => r.groupExprs.flatMap((g) => (g.type === "name" ? [g.name] : []))));
  const source = new ModelFrameSource(table, new Set([...(options.factors ?? []), ...groupNames]), formula, options.bases);
  for (const f of options.factors ?? []) requireColumn(table, f, "factor");
  if (terms.random.length === 0) {
    throw new HlmError("FORMULA", `The formula '${formula}' has no random-effects term such as (1 | group); a mixed model needs at least one.`);
  }
  const ev = evaluateVariables(source, terms, options);
  const { rows, droppedBy } = completeCases(source, terms, ev, options);
  const responseWarnings = checkGlmmResponse(source, ev, rows, options);
  const n = rows.length;
  // every row kept (the common case): a copy, which the engine makes natively, even in a process's first fit
  const allRows = n === table.nrow;
  const subset = (a: Float64Array): Float64Array => {
    if (allRows) return a.slice(0, n);
    const out = new Float64Array(n);
    for (let k = 0; k < n; k++) out[k] = a[rows[k]!]!;
    return out;
  };

  // variables over the rows used; factor levels are those present (drop.unused.levels)
  const vars = new Map<string, Variable>();
  for (const v of ev.raw.values()) {
    if (v.kind === "numeric") vars.set(v.name, { kind: "numeric", name: v.name, values: subset(v.values) });
    else if (v.kind === "matrix") vars.set(v.name, { kind: "matrix", name: v.name, columns: v.columns.map(subset), suffixes: v.suffixes });
    else vars.set(v.name, v.values ? factorOnRows(v.values, v.name, rows) : makeFactor(source, v.name, [v.name], rows));
  }
  const y = subset(ev.yAll);
  let offset: Float64Array | null = null;
  if (ev.offsetsAll.length > 0) {
    offset = new Float64Array(n);
    for (const o of ev.offsetsAll) {
      const s = subset(o);
      for (let k = 0; k < n; k++) offset[k]! += s[k]!;
    }
  }
  const weights = ev.weightsAll ? subset(ev.weightsAll) : null;

  // fixed effects: full column rank, fewer coefficients than observations
  const fullX = modelMatrix(terms.fixed, vars, n, true);
  const { keep: keptCols, dropped } = dropRankDeficient(fullX.columns, n);
  const p = keptCols.length;
  const X = new Float64Array(n * p);
  keptCols.forEach((j, k) => X.set(fullX.columns[j]!, k * n));
  const factorLevels: Record<string, string[]> = {};
  for (const v of vars.values()) if (v.kind === "factor") factorLevels[v.name] = v.levels;
  if (p >= n) {
    const predictors = terms.fixed.variables.slice(1).map((v) => vars.get(v.name)!);
    throw tooManyFixedEffects(p, n, predictors, (name) => table.names.includes(name) && source.column(name).kind === "string");
  }

  // magnitudes: the response, offsets, weights and every column of the model matrices must stay
  // well inside double precision when squared and summed
  const rowOf = (k: number): number => source.row(rows[k]!);
  checkMagnitude(ev.responseName, y, rowOf);
  terms.offsets.forEach((e, k) => checkMagnitude(variableName(e), subset(ev.offsetsAll[k]!), rowOf));
  if (weights) checkMagnitude(options.weights ?? ev.responseName, weights, rowOf);
  fullX.columns.forEach((c, j) => checkMagnitude(fullX.names[j]!, c, rowOf));
  checkConstantResponse(ev.responseName, y, offset, rowOf);
  const groupFactors = new Map<string, Factor>();
  for (const g of ev.groups.values()) groupFactors.set(g.name, g.values ? factorOnRows(g.values, g.name, rows) : makeFactor(source, g.name, [g.name], rows));
  const reTerms = randomEffectsTerms(groupFactors, terms, vars, rows, rowOf);

  return {
    formula,
    terms,
    REML: options.REML ?? true,
    n,
    p,
    responseName: ev.responseName,
    y,
    X,
    xNames: keptCols.map((j) => fullX.names[j]!),
    droppedColumns: dropped.map((j) => fullX.names[j]!),
    offset,
    weights,
    reTerms,
    residual: residualStructure(source, options, reTerms, rows),
    rows,
    nDropped: table.nrow - n,
    droppedBy,
    factorLevels,
    orderedFactors: [...vars.values()].flatMap((v) => (v.kind === "factor" && v.ordered ? [v.name] : [])),
    bases: Object.fromEntries(source.bases),
    basisWarnings: source.basisWarnings,
    ...(responseWarnings.length > 0 ? { responseWarnings } : {}),
  };
}
