import { CholeskyDecomposition, Matrix, solve } from "ml-matrix";
import type { Model } from "../src/model/Model.js";
import { templates, thetaLayout } from "../src/model/thetaLayout.js";

/**
 * ML deviance (REML criterion with `REML`) from the n × n marginal covariance V = ZΛΛ'Z' + R
 * (R = I, or a residual covariance up to σ²), profiled over β and σ (brute force).
 */
export function denseDeviance(model: Model, theta: number[], R?: Matrix, REML = false): number {
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
  const V = R ? R.clone() : Matrix.eye(n, n);
  for (const c of cols) for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) V.set(a, b, V.get(a, b) + c[a]! * c[b]!);
  const chol = new CholeskyDecomposition(V);
  const X = new Matrix(n, p);
  for (let j = 0; j < p; j++) for (let t = 0; t < n; t++) X.set(t, j, model.X[j * n + t]!);
  const y = Matrix.columnVector(Array.from(model.y, (v, t) => v - (model.offset ? model.offset[t]! : 0)));
  const ViX = chol.solve(X);
  const Viy = chol.solve(y);
  const beta = solve(X.transpose().mmul(ViX), X.transpose().mmul(Viy));
  const r = y.clone().sub(X.mmul(beta));
  const r2 = r.transpose().mmul(chol.solve(r)).get(0, 0);
  let logDetV = 0;
  const L = chol.lowerTriangularMatrix;
  for (let i = 0; i < n; i++) logDetV += 2 * Math.log(L.get(i, i));
  if (!REML) return logDetV + n * (1 + Math.log((2 * Math.PI * r2) / n));
  const XtViXraw = X.transpose().mmul(ViX);
  const XtViX = new CholeskyDecomposition(XtViXraw.add(XtViXraw.transpose()).mul(0.5)).lowerTriangularMatrix;
  let logDetX = 0;
  for (let j = 0; j < p; j++) logDetX += 2 * Math.log(XtViX.get(j, j));
  return logDetV + logDetX + (n - p) * (1 + Math.log((2 * Math.PI * r2) / (n - p)));
}

