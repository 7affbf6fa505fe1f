import betainc from "@stdlib/math-base-special-betainc";
import { EigenvalueDecomposition, Matrix } from "ml-matrix";
import type { Model } from "../model/Model.js";
import { HlmError } from "../HlmError.js";
import type { LmmFit } from "../fit/LmmFit.js";
import { satterthwaiteDf, type SatterthwaiteModel } from "../fit/satterthwaite.js";
import { containingTerms, typeIIIContrasts, type TermColumns } from "./typeIIIContrasts.js";
import { basisColumnCount, matrixSuffixes } from "../model/basisCalls.js";
import { polySuffixes } from "../model/contrasts.js";

/** One row of lmerTest's `anova(model)`: the F test of a fixed-effects term. */
export interface AnovaRow {
  /** R's term label (`flp:ses`). */
  term: string;
  /** Columns of X (kept, by name) that the term tests. */
  columns: string[];
  sumSq: number;
  meanSq: number;
  numDf: number;
  /** Satterthwaite denominator degrees of freedom. */
  denDf: number;
  F: number;
  pValue: number;
}

/**
 * Type III F tests of the fixed-effects terms with Satterthwaite denominator df, as lmerTest's
 * `anova(model)` (type = 3, ddf = "Satterthwaite"), one row per term of the formula (the intercept
 * has none). `model` is the one `fit` was fitted to (`buildModel(table, formula, options)`).
 *
 * Each term is tested with lmerTest's type III contrasts L for treatment coding: its own columns of
 * X when no term is contained in another, else the orthogonalized ones of `typeIIIContrasts`;
 * F = (Lβ̂)'(L V L')⁻¹(Lβ̂)/q and the df as lmerTest's
 * `contestMD`: per eigen-direction of L V L' a Satterthwaite df ν_i, E = Σ ν_i/(ν_i − 2),
 * DenDF = 2E/(E − q) (2 when some ν_i ≤ 2). Sum Sq = F q σ², Mean Sq = F σ².
 */
export function anovaTypeIII(model: Model, fit: LmmFit): AnovaRow[] {
  const terms = termColumns(model);
  if (terms.every((t) => t.columns.length === 0)) return [];
  const contained = containingTerms(model).some((c) => c.length > 0);
  // without containment the contrasts are X's own columns; with it, lmerTest's orthogonalized ones
  const contrasts = contained ? typeIIIContrasts(model, terms) : terms.map((t) => t.columns.map((j) => unitRow(j, fit.fixef.length)));
  const sm = fit.satterthwaite;
  if (sm === null) throw new HlmError("OPTIONS", "Type III F tests need Satterthwaite's degrees of freedom: fit the model with satterthwaite left on.");
  return terms.flatMap((t, i) => (t.columns.length > 0 ? [testTerm(t.label, t.columns, contrasts[i]!, fit, sm)] : []));
}

const unitRow = (j: number, p: number): number[] => Array.from({ length: p }, (_, k) => (k === j ? 1 : 0));

/** The F test of Lβ = 0 for a term's contrast rows L. */
function testTerm(label: string, columns: number[], Lrows: number[][], fit: LmmFit, sm: SatterthwaiteModel): AnovaRow {
  const p = fit.fixef.length;
  const names = columns.map((j) => fit.fixefNames[j]!);
  // Var(Lβ̂) = L vcov L', eigen-decomposed; the directions of positive variance give the q t statistics
  const VL = Lrows.map((a) => Lrows.map((b) => quad(a, fit.vcov, b)));
  const eig = new EigenvalueDecomposition(new Matrix(VL), { assumeSymmetric: true });
  const values = eig.realEigenvalues;
  const order = values.map((_, i) => i).sort((a, b) => values[b]! - values[a]!);
  const tol = Math.max(Math.sqrt(2.220446049250313e-16) * values[order[0]!]!, 0);
  const t2: number[] = [];
  const nus: number[] = [];
  for (const e of order) {
    const d = values[e]!;
    if (!(d > tol)) continue;
    const contrast = new Array<number>(p).fill(0);
    Lrows.forEach((row, r) => row.forEach((v, k) => (contrast[k]! += eig.eigenvectorMatrix.get(r, e) * v)));
    let lb = 0;
    for (let k = 0; k < p; k++) lb += contrast[k]! * fit.fixef[k]!;
    t2.push((lb * lb) / d);
    nus.push(satterthwaiteDf(sm, contrast));
  }
  const q = t2.length;
  const s2 = fit.sigma * fit.sigma;
  if (q === 0) return { term: label, columns: names, sumSq: NaN, meanSq: NaN, numDf: 0, denDf: NaN, F: NaN, pValue: NaN };
  const F = t2.reduce((a, b) => a + b, 0) / q;
  const denDf = fStatisticDf(nus);
  return { term: label, columns: names, sumSq: F * q * s2, meanSq: F * s2, numDf: q, denDf, F, pValue: fTestPValue(F, q, denDf) };
}

function quad(a: readonly number[], M: readonly (readonly number[])[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === 0) continue;
    for (let j = 0; j < b.length; j++) s += a[i]! * M[i]![j]! * b[j]!;
  }
  return s;
}

/** lmerTest's `get_Fstat_ddf`: the denominator df of an F statistic from the df of its q t statistics. */
export function fStatisticDf(nu: readonly number[]): number {
  if (nu.some((v) => !(v > 0) || !Number.isFinite(v))) return NaN;
  if (nu.length === 1) return nu[0]!;
  if (nu.every((v) => Math.abs(v - nu[0]!) < 1e-8)) return nu.reduce((a, b) => a + b, 0) / nu.length;
  if (nu.some((v) => v <= 2)) return 2;
  const E = nu.reduce((a, v) => a + v / (v - 2), 0);
  return (2 * E) / (E - nu.length);
}

/** P(F(q, ν) > F): the regularized incomplete beta I_x(ν/2, q/2) at x = ν/(ν + qF). */
export function fTestPValue(F: number, q: number, nu: number): number {
  if (!Number.isFinite(F) || !(q > 0) || !(nu > 0)) return NaN;
  if (F <= 0) return 1;
  return betainc(nu / (nu + q * F), nu / 2, q / 2, true, false); // I_x(ν/2, q/2), the upper tail of F
}

/**
 * R's term labels of the fixed effects and, per term, the indices in X (kept columns) of its columns,
 * named as `modelMatrix` names them (the same coding rules, without the data).
 */
function termColumns(model: Model): TermColumns[] {
  const lt = model.terms.fixed;
  const isFactor = (k: number): boolean => model.factorLevels[lt.variables[k]!.name] !== undefined;
  let firstFactorFixed = lt.intercept;
  return lt.terms.map((term, ti) => {
    const parts = term.map((k) => {
      const name = lt.variables[k]!.name;
      const basis = model.bases[name];
      if (basis !== undefined && basis.fn !== "scale") return matrixSuffixes(basisColumnCount(basis)).map((s) => `${name}${s}`); // poly(), ns(), bs()
      if (!isFactor(k)) return [name];
      const rest = term.filter((x) => x !== k);
      let contrasts = rest.length === 0 || lt.terms.slice(0, ti).some((prev) => rest.every((x) => prev.includes(x)));
      if (!firstFactorFixed) {
        firstFactorFixed = true;
        contrasts = false;
      }
      const levels = model.factorLevels[name]!;
      if (contrasts && model.orderedFactors?.includes(name)) return polySuffixes(levels.length).map((s) => `${name}${s}`); // ordered(): contr.poly
      return levels.slice(contrasts ? 1 : 0).map((l) => `${name}${l}`);
    });
    let acc = parts[0]!;
    for (const part of parts.slice(1)) acc = part.flatMap((b) => acc.map((a) => `${a}:${b}`));
    const columns = acc.map((n) => model.xNames.indexOf(n)).filter((j) => j >= 0);
    return { label: term.map((k) => lt.variables[k]!.name).join(":"), columns };
  });
}
