import type { BlockedLayout } from "../linalg/BlockedLayout.js";
import { invertLower } from "../linalg/triangular.js";

/** vcov(β̂) = σ² (L_XX L_XX')⁻¹, from the X block of the tail of L (rows qRest .. qRest+p−1 of L_RR). */
export function fixefCovariance(LRR: Float64Array, layout: Pick<BlockedLayout, "m" | "qRest">, p: number, sigma2: number): number[][] {
  const { m, qRest } = layout;
  const LXX = new Float64Array(p * p);
  for (let i = 0; i < p; i++) for (let j = 0; j <= i; j++) LXX[i * p + j] = LRR[(qRest + i) * m + qRest + j]!;
  const LXXinv = invertLower(LXX, p);
  const vcov: number[][] = [];
  for (let i = 0; i < p; i++) {
    const row: number[] = [];
    for (let j = 0; j < p; j++) {
      let s = 0;
      for (let k = Math.max(i, j); k < p; k++) s += LXXinv[k * p + i]! * LXXinv[k * p + j]!;
      row.push(sigma2 * s);
    }
    vcov.push(row);
  }
  return vcov;
}
