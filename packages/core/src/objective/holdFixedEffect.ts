import type { CrossProducts } from "./crossProducts.js";

/**
 * A with fixed effect j held at b, without the rows (lme4's offset device for a profile: X_j·b moved
 * into the offset): y becomes y − b x_j in every block, A_{y·} − b A_{x_j·} and
 * y'y − 2b x_j'y + b² x_j'x_j, and x_j becomes a unit column orthogonal to the rest, so that its
 * coefficient is 0 and the ML deviance is that of the model without it. The layout is A's; the
 * values are new arrays (A itself is left as it was).
 */
export function holdFixedEffect(cross: CrossProducts, p: number, j: number, b: number): CrossProducts {
  const { m, qRest, tailStart, nNodes, colPtr, rowIdx, nodeP, valOff } = cross;
  const Anodes = Float64Array.from(cross.Anodes);
  const ARR = Float64Array.from(cross.ARR);
  const xt = qRest + j;
  const yt = qRest + p;
  // the nodes' columns: rows x_j and y are in every node's pattern (the dense rows below it)
  const position = (u: number, row: number): number => {
    let lo = colPtr[u]!;
    let hi = colPtr[u + 1]! - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (rowIdx[mid]! < row) lo = mid + 1;
      else hi = mid;
    }
    return rowIdx[lo] === row ? lo - colPtr[u]! : -1;
  };
  for (let u = 0; u < nNodes; u++) {
    const pu = nodeP[u]!;
    const ex = position(u, tailStart + xt);
    const ey = position(u, tailStart + yt);
    if (ex < 0 || ey < 0) continue;
    for (let k = 0; k < pu; k++) {
      const ix = valOff[u]! + ex * pu + k;
      Anodes[valOff[u]! + ey * pu + k]! -= b * Anodes[ix]!;
      Anodes[ix] = 0;
    }
  }
  // the dense tail, both triangles
  const xx = ARR[xt * m + xt]!;
  const xy = ARR[xt * m + yt]!;
  for (let c = 0; c < m; c++) {
    if (c === xt || c === yt) continue;
    const v = ARR[yt * m + c]! - b * ARR[xt * m + c]!;
    ARR[yt * m + c] = ARR[c * m + yt] = v;
    ARR[xt * m + c] = ARR[c * m + xt] = 0;
  }
  ARR[yt * m + yt] = ARR[yt * m + yt]! - 2 * b * xy + b * b * xx;
  ARR[xt * m + yt] = ARR[yt * m + xt] = 0;
  ARR[xt * m + xt] = 1;
  return { ...cross, Anodes, ARR };
}
