import { EigenvalueDecomposition, Matrix } from "ml-matrix";

/**
 * The n-point Gauss–Hermite rule for the standard normal density (lme4's `GHrule`): nodes z_k,
 * weights w_k with Σ w_k f(z_k) ≈ ∫ f(z) φ(z) dz, and log φ(z_k). By Golub–Welsch: the nodes are the
 * eigenvalues of the Jacobi matrix of the probabilists' Hermite polynomials (off-diagonal √k), the
 * weights the squared first components of its unit eigenvectors.
 */
export function ghRule(n: number): { z: number[]; w: number[]; ldnorm: number[] } {
  const J = Matrix.zeros(n, n);
  for (let k = 1; k < n; k++) {
    J.set(k - 1, k, Math.sqrt(k));
    J.set(k, k - 1, Math.sqrt(k));
  }
  const eig = new EigenvalueDecomposition(J, { assumeSymmetric: true });
  const V = eig.eigenvectorMatrix;
  const order = eig.realEigenvalues.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const z = order.map(([v]) => v);
  const w = order.map(([, i]) => V.get(0, i) ** 2);
  return { z, w, ldnorm: z.map((v) => -0.5 * v * v - 0.5 * Math.log(2 * Math.PI)) };
}
