import { describe, expect, it } from "vitest";
import { buildModel } from "./buildModel.js";
import { crossProducts } from "./crossProducts.js";
import { makeObjective } from "./makeObjective.js";
import { CholeskyDecomposition, Matrix, solve } from "ml-matrix";
import type { Model } from "./buildModel.js";
import { templates, thetaLayout } from "./lambda.js";
import { readCsv } from "./readCsv.js";

/** ML deviance from the n × n marginal covariance V = ZΛΛ'Z' + I, profiled over β and σ (brute force). */
function denseDeviance(model: Model, theta: number[]): number {
  const { n, p } = model;
  const T = templates(thetaLayout(model.reTerms), theta);
  // columns of ZΛ
  const cols: Float64Array[] = [];
  model.reTerms.forEach((term, i) => {
    for (let l = 0; l < term.nl; l++) {
      for (let c = 0; c < term.p; c++) {
        const col = new Float64Array(n);
        for (let t = 0; t < n; t++) {
          if (term.refs[t] !== l) continue;
          let v = 0;
          for (let r = c; r < term.p; r++) v += term.z[t * term.p + r]! * T[i]![r * term.p + c]!;
          col[t] = v;
        }
        cols.push(col);
      }
    }
  });
  const V = Matrix.eye(n, n);
  for (const c of cols) for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) V.set(a, b, V.get(a, b) + c[a]! * c[b]!);
  const chol = new CholeskyDecomposition(V);
  const X = new Matrix(n, p);
  for (let j = 0; j < p; j++) for (let t = 0; t < n; t++) X.set(t, j, model.X[j * n + t]!);
  const y = Matrix.columnVector(Array.from(model.y));
  const ViX = chol.solve(X);
  const Viy = chol.solve(y);
  const beta = solve(X.transpose().mmul(ViX), X.transpose().mmul(Viy));
  const r = y.clone().sub(X.mmul(beta));
  const r2 = r.transpose().mmul(chol.solve(r)).get(0, 0);
  let logDetV = 0;
  const L = chol.lowerTriangularMatrix;
  for (let i = 0; i < n; i++) logDetV += 2 * Math.log(L.get(i, i));
  return logDetV + n * (1 + Math.log((2 * Math.PI * r2) / n));
}

/** 3 schools × 2 classes × 3 pupils, crossed with 4 raters. */
function data(): string {
  const lines = ["y,x,school,class,rater"];
  let t = 0;
  for (let s = 0; s < 3; s++)
    for (let c = 0; c < 2; c++)
      for (let i = 0; i < 3; i++, t++) lines.push(`${(Math.sin(t) * 3 + s + c).toFixed(3)},${(t % 5) / 2},S${s},C${c},R${t % 4}`);
  return lines.join("\n");
}

describe("crossProducts: which terms stay block diagonal", () => {
  const table = readCsv(data());
  it.each([
    ["y ~ x + (1 | school)", 1, 3],
    ["y ~ x + (1 | school/class)", 2, 3],
    ["y ~ x + (x | school/class)", 2, 3],
    ["y ~ x + (1 | school) + (0 + x | school)", 2, 3],
    ["y ~ x + (1 | school) + (1 | rater)", 1, 3 + 3],
    ["y ~ x + (1 | school/class) + (1 | rater)", 1, 3 + 4 + 3],
  ])("%s: %i terms eliminated level by level, a dense tail of %i rows", (formula, s, m) => {
    const cross = crossProducts(buildModel(table, formula));
    expect(cross.s).toBe(s);
    expect(cross.m).toBe(m);
  });

  it.each([
    "y ~ x + (1 | school)",
    "y ~ x + (x | school/class)",
    "y ~ x + (1 | school) + (0 + x | school)",
    "y ~ x + (1 | school/class) + (1 | rater)",
  ])("%s: the blocked objective equals the dense marginal likelihood", (formula) => {
    const model = buildModel(table, formula, { REML: false });
    const objective = makeObjective(model);
    for (const scale of [1, 0.4, 1.7]) {
      const theta = Array.from(objective.layout.initial, (v, i) => (v === 1 ? scale * (1 + 0.1 * i) : 0.2 * scale));
      expect(objective.evaluate(theta)).toBeCloseTo(denseDeviance(model, theta), 8);
    }
  });
});
