/**
 * lmerTest's type III contrasts (`extract_contrasts_type3`) for X in treatment coding: per term of
 * the fixed effects, the rows L (over β) whose hypothesis Lβ = 0 the term's F test tests.
 *
 * lmerTest writes each column of the over-parameterized design (every level of every factor of a
 * term, `model.matrix(~ 0 + term)`) in the basis of X's columns, then, for each term contained in
 * another (the other has its variables and more, the extra ones all factors), makes the term's
 * coordinates orthogonal to those of the terms containing it, highest order first; the rows of the
 * result at X's own columns are the contrasts. The coordinates depend only on the coding, not on the
 * data, so they are computed here on a small synthetic design with the model's variables and levels.
 */
import { Matrix, QrDecomposition, pseudoInverse } from "ml-matrix";
import { modelMatrix } from "../model/modelMatrix.js";
import { type Model } from "../model/Model.js";
import { basisColumnCount, matrixSuffixes } from "../model/basisCalls.js";
import type { Factor, MatrixVariable, Numeric, Variable } from "../model/Variable.js";

/** A term's label and the indices in X (kept columns) of its columns. */
export interface TermColumns {
  label: string;
  columns: number[];
}

/** Per term (in `terms`' order): its contrast rows, each of length p. */
export function typeIIIContrasts(model: Model, terms: readonly TermColumns[]): number[][][] {
  const lt = model.terms.fixed;
  const N = syntheticRows(model);
  const vars = syntheticVariables(model, N);
  const full = modelMatrix(lt, vars, N, true);
  // an ordered factor's contr.poly columns stand where its treatment columns stand: as lmerTest, the
  // contrasts are made in treatment coding and then mapped to the model's coding (below)
  const ordered = model.orderedFactors ?? [];
  const coded = ordered.length === 0 ? full : modelMatrix(lt, new Map([...vars].map(([k, v]) => [k, v.kind === "factor" && ordered.includes(k) ? { ...v, ordered: true } : v])), N, true);
  const kept = model.xNames.map((name) => coded.names.indexOf(name));
  const xNames = kept.map((j) => full.names[j]!);
  const X = new Matrix(N, kept.length);
  kept.forEach((j, c) => full.columns[j]!.forEach((v, t) => X.set(t, c, v)));
  const rd = overparameterized(model, vars, N);
  const R = new Matrix(N, rd.columns.length);
  rd.columns.forEach((col, c) => col.forEach((v, t) => R.set(t, c, v)));
  // L: r × p, row i the coordinates of over-parameterized column i in the basis of X's columns
  const L = new QrDecomposition(X).solve(R).transpose();

  const contains = containingTerms(model);
  const order = lt.terms.map((_, i) => i).sort((a, b) => lt.terms[b]!.length - lt.terms[a]!.length || a - b);
  for (const ti of order) {
    const within = contains[ti]!;
    if (within.length === 0) continue;
    const cols = terms[ti]!.columns;
    const other = within.flatMap((k) => terms[k]!.columns);
    if (cols.length === 0 || other.length === 0) continue;
    const Y = L.subMatrixColumn(cols);
    const Xc = L.subMatrixColumn(other);
    const resid = zapsmall(Y.sub(Xc.mmul(pseudoInverse(Xc).mmul(Y))));
    cols.forEach((j, c) => L.setColumn(j, resid.getColumn(c)));
  }
  // rows at X's own columns: a p × p matrix whose column j is the contrast of X's column j
  const atX = xNames.map((name) => rd.names.indexOf(name));
  const contrasts = terms.map((t) =>
    t.columns
      .map((j) => atX.map((i) => (i >= 0 ? L.get(i, j) : 0)))
      .filter((row) => row.reduce((s, v) => s + Math.abs(v), 0) > 1e-8),
  );
  if (ordered.length === 0) return contrasts;
  // lmerTest's map = zapsmall(ginv(X) %*% Xorig): X_model = X_treatment · map, so a contrast ℓ of the treatment coefficients is ℓ · map of the model's
  const Xmodel = new Matrix(N, kept.length);
  kept.forEach((j, c) => coded.columns[j]!.forEach((v, t) => Xmodel.set(t, c, v)));
  const map = zapsmall(new QrDecomposition(X).solve(Xmodel));
  return contrasts.map((rows) => rows.map((row) => map.getColumn(0).map((_, c) => row.reduce((s, v, i) => s + v * map.get(i, c), 0))));
}

/** For each term, the indices of the terms containing it in lmerTest's sense (more variables, the extra ones all factors). */
export function containingTerms(model: Model): number[][] {
  const lt = model.terms.fixed;
  const isFactor = (k: number): boolean => model.factorLevels[lt.variables[k]!.name] !== undefined;
  return lt.terms.map((t1) =>
    lt.terms.flatMap((t2, j) => (t2.length > t1.length && t1.every((k) => t2.includes(k)) && t2.every((k) => t1.includes(k) || isFactor(k)) ? [j] : [])),
  );
}

/** R's zapsmall(x): round to 7 significant digits of the largest absolute entry. */
function zapsmall(M: Matrix): Matrix {
  const mx = M.to1DArray().reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const digits = mx > 0 ? Math.max(0, 7 - Math.ceil(Math.log10(mx))) : 7;
  const f = 10 ** digits;
  return M.clone().apply(function (this: Matrix, i: number, j: number) {
    this.set(i, j, Math.round(this.get(i, j) * f) / f);
  });
}

/** Enough synthetic rows for a design of full column rank: several per over-parameterized column. */
function syntheticRows(model: Model): number {
  const lt = model.terms.fixed;
  const levels = (k: number): number => model.factorLevels[lt.variables[k]!.name]?.length ?? 1;
  const r = lt.terms.reduce((s, t) => s + t.reduce((m, k) => m * levels(k), 1), 1);
  return Math.max(64, 4 * r);
}

/** The model's fixed-effects variables on synthetic rows: factors with all their levels, numeric ones with generic values (a fixed pseudo-random sequence). */
function syntheticVariables(model: Model, N: number): Map<string, Variable> {
  let seed = 0x2f6b_a3c1;
      const random = (): number => {
        // mulberry32
        seed = (seed + 0x6d2b79f5) | 0;
        let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      };
      const vars = new Map<string, Variable>();
      model.terms.fixed.variables.forEach((v, k) => {
        if (k === 0) return; // the response
        const levels = model.factorLevels[v.name];
        const basis = model.bases[v.name];
        if (basis !== undefined && basis.fn !== "scale") {
          // a basis: as many generic columns as it has
          const k = basisColumnCount(basis);
          vars.set(v.name, { kind: "matrix", name: v.name, columns: Array.from({ length: k }, () => Float64Array.from({ length: N }, () => 0.5 + 2 * random())), suffixes: matrixSuffixes(k) } satisfies MatrixVariable);
        } else if (levels !== undefined) {
          const codes = Int32Array.from({ length: N }, (_, t) => (t < levels.length ? t : Math.floor(random() * levels.length)));
          vars.set(v.name, { kind: "factor", name: v.name, levels, codes } satisfies Factor);
        } else {
          vars.set(v.name, { kind: "numeric", name: v.name, values: Float64Array.from({ length: N }, () => 0.5 + 2 * random()) } satisfies Numeric);
        }
      });
  return vars;
}

/** lmerTest's `get_rdX`: the intercept, then per term `model.matrix(~ 0 + term)` (every level of each factor). */
function overparameterized(model: Model, vars: Map<string, Variable>, N: number): { columns: Float64Array[]; names: string[] } {
  const lt = model.terms.fixed;
  const columns: Float64Array[] = [];
  const names: string[] = [];
  if (lt.intercept) {
    columns.push(new Float64Array(N).fill(1));
    names.push("(Intercept)");
  }
  for (const term of lt.terms) {
    let acc: { cols: Float64Array[]; names: string[] } | null = null;
    for (const k of term) {
      const v = vars.get(lt.variables[k]!.name)!;
      const part =
        v.kind === "numeric"
          ? { cols: [v.values], names: [v.name] }
          : v.kind === "matrix"
          ? { cols: v.columns, names: v.suffixes.map((s) => `${v.name}${s}`) }
          : { cols: v.levels.map((_, l) => Float64Array.from(v.codes, (c) => (c === l ? 1 : 0))), names: v.levels.map((l) => `${v.name}${l}`) };
      if (acc === null) {
        acc = part;
        continue;
      }
      const next: { cols: Float64Array[]; names: string[] } = { cols: [], names: [] };
      for (let b = 0; b < part.cols.length; b++) {
        for (let a = 0; a < acc.cols.length; a++) {
          next.cols.push(Float64Array.from(acc.cols[a]!, (x, t) => x * part.cols[b]![t]!));
          next.names.push(`${acc.names[a]}:${part.names[b]}`);
        }
      }
      acc = next;
    }
    columns.push(...acc!.cols);
    names.push(...acc!.names);
  }
  return { columns, names };
}
