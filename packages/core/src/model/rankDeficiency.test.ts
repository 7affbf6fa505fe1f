import { describe, expect, it } from "vitest";
import { wasmRowPasses } from "../kernels/wasmKernels.js";
import { dotProduct } from "./dotProduct.js";
import { dropRankDeficient, dropRankDeficientQR } from "./rankDeficiency.js";

const col = (f: (t: number) => number, n: number) => Float64Array.from({ length: n }, (_, t) => f(t));

describe("dropRankDeficient (dqrdc2's decisions)", () => {
  const n = 50;
  const one = col(() => 1, n);
  const x = col((t) => Math.sin(t) + t / 10, n);
  const z = col((t) => Math.cos(3 * t), n);
  it("keeps a full-rank matrix whole", () => {
    expect(dropRankDeficient([one, x, z], n)).toEqual({ keep: [0, 1, 2], dropped: [] });
  });
  it("drops the first column that is a combination of the ones before it, keeping the order", () => {
    const combo = col((t) => 2 * x[t]! - z[t]! + 3, n);
    // combo is not in the span of (1, x); z then is in the span of (1, x, combo)
    expect(dropRankDeficient([one, x, combo, z], n)).toEqual({ keep: [0, 1, 2], dropped: [3] });
    expect(dropRankDeficientQR([one, x, combo, z], n)).toEqual({ keep: [0, 1, 2], dropped: [3] });
    expect(dropRankDeficient([one, x, z, combo], n)).toEqual({ keep: [0, 1, 2], dropped: [3] });
  });
  it("drops an all-zero column (an empty factor level)", () => {
    expect(dropRankDeficient([one, col(() => 0, n), x], n)).toEqual({ keep: [0, 2], dropped: [1] });
  });
  it("agrees with the QR where the cross-product cannot decide (residual near the tolerance)", () => {
    const near = col((t) => x[t]! + 3e-8 * z[t]!, n);
    const clear = col((t) => x[t]! + 1e-6 * z[t]!, n);
    for (const c of [near, clear]) expect(dropRankDeficient([one, x, c], n)).toEqual(dropRankDeficientQR([one, x, c], n));
    expect(dropRankDeficient([one, x, clear], n).dropped).toEqual([]);
  });
  it("keeps at most n columns", () => {
    const m = 3;
    const cols = [col(() => 1, m), col((t) => t, m), col((t) => t * t, m), col((t) => t ** 3 + 1, m)];
    expect(dropRankDeficient(cols, m).keep).toHaveLength(3);
  });
});

describe("dropRankDeficient: X'X in WebAssembly (from 64 rows) has dotProduct's bits", () => {
  it("the same Gram matrix and the same decisions on full-rank, collinear and near-tolerance columns", () => {
    const kernels = wasmRowPasses();
    expect(kernels).not.toBeNull();
    for (const n of [64, 131, 1000]) {
      const one = col(() => 1, n);
      const x = col((t) => Math.sin(t) + t / 10, n);
      const z = col((t) => Math.cos(3 * t), n);
      const combo = col((t) => 2 * x[t]! - z[t]! + 3, n);
      const near = col((t) => x[t]! + 3e-8 * z[t]!, n);
      const sets = [[one, x, z], [one, x, combo, z], [one, col(() => 0, n), x], [one, x, near]];
      for (const cols of sets) {
        const G = kernels!.gram(cols, n);
        const p = cols.length;
        for (let i = 0; i < p; i++) for (let j = 0; j <= i; j++) expect(G[i * p + j]).toBe(dotProduct(cols[i]!, cols[j]!, n));
        expect(dropRankDeficient(cols, n)).toEqual(dropRankDeficient(cols, n, 1e-7, false));
      }
    }
  });
});
