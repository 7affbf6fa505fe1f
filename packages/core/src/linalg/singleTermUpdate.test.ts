import { describe, expect, it } from "vitest";
import type { Table } from "../io/Table.js";
import { buildModel } from "../model/buildModel.js";
import { crossProducts } from "../objective/crossProducts.js";
import { singleTermUpdate } from "./singleTermUpdate.js";
import { wasmTermUpdate } from "../kernels/wasmKernels.js";

/** y, x, z over nl groups of uneven sizes (a fixed generator), as a table. */
function table(nl: number): Table {
  let s = 7;
  const u = (): number => ((s = (s * 16807) % 2147483647) / 2147483647);
  const g: string[] = [];
  const x: number[] = [];
  const z: number[] = [];
  const y: number[] = [];
  for (let l = 0; l < nl; l++) {
    const size = 2 + Math.floor(u() * 9);
    for (let k = 0; k < size; k++) {
      g.push(`g${l}`);
      x.push(u() * 10);
      z.push(u() < 0.5 ? 1 : 0);
      y.push(3 + 2 * u() + x[x.length - 1]! * (1 + u()));
    }
  }
  const num = (name: string, v: number[]) => ({ kind: "number" as const, name, values: Float64Array.from(v), missing: new Uint8Array(v.length) });
  return { names: ["g", "x", "z", "y"], columns: [{ kind: "string", name: "g", values: g }, num("x", x), num("z", z), num("y", y)], nrow: g.length };
}

/** ARR − Σ_c a_c S_c a_c' (lower triangle) and Σ_c log det(T'D_cT + I), level by level with S_c = T(T'D_cT + I)⁻¹T'. */
function reference(formula: string, T: Float64Array, nl: number): { M: Float64Array; ld: number; m: number } {
  const cross = crossProducts(buildModel(table(nl), formula, { REML: false }));
  const { m, nodeP, diagOff, valOff, Anodes: A, ARR } = cross;
  const p = nodeP[0]!;
  const M = Float64Array.from(ARR);
  let ld = 0;
  for (let c = 0; c < cross.nNodes; c++) {
    const d = diagOff[c]!;
    const v = valOff[c]!;
    // S = T C⁻¹ T', C = T'DT + I (p = 1 or 2)
    const S = new Float64Array(p * p);
    if (p === 1) {
      const C = T[0]! * A[d]! * T[0]! + 1;
      ld += Math.log(C);
      S[0] = (T[0]! * T[0]!) / C;
    } else {
      const Tm = [[T[0]!, 0], [T[2]!, T[3]!]];
      const D = [[A[d]!, A[d + 1]!], [A[d + 2]!, A[d + 3]!]];
      const C = [[0, 0], [0, 0]];
      for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) for (let u = 0; u < 2; u++) for (let w = 0; w < 2; w++) C[i]![j]! += Tm[u]![i]! * D[u]![w]! * Tm[w]![j]!;
      C[0]![0]! += 1;
      C[1]![1]! += 1;
      const det = C[0]![0]! * C[1]![1]! - C[0]![1]! * C[1]![0]!;
      ld += Math.log(det);
      const Ci = [[C[1]![1]! / det, -C[0]![1]! / det], [-C[1]![0]! / det, C[0]![0]! / det]];
      for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) for (let u = 0; u < 2; u++) for (let w = 0; w < 2; w++) S[i * 2 + j]! += Tm[i]![u]! * Ci[u]![w]! * Tm[j]![w]!;
    }
    for (let r = 0; r < m; r++) {
      for (let s2 = 0; s2 <= r; s2++) {
        let acc = 0;
        for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) acc += A[v + r * p + i]! * S[i * p + j]! * A[v + s2 * p + j]!;
        M[r * m + s2]! -= acc;
      }
    }
  }
  return { M, ld, m };
}

describe("singleTermUpdate: one term's rank update of the tail over all its levels", () => {
  it.each([
    ["y ~ x + z + (1 | g)", Float64Array.of(0.8), 40],
    ["y ~ x + z + (1 | g)", Float64Array.of(0.8), 41],
    ["y ~ x * z + (x | g)", Float64Array.of(0.9, 0, -0.2, 0.35), 37],
    ["y ~ x + (x | g)", Float64Array.of(1.3, 0, 0.4, 0.05), 64],
  ])("%s: the tail and log-determinant of the level-by-level formula, in TypeScript and WebAssembly alike (θ %j, %i levels)", (formula, T, nl) => {
    const ref = reference(formula, T, nl);
    const cross = crossProducts(buildModel(table(nl), formula, { REML: false }));
    const run = (kernel: ReturnType<typeof wasmTermUpdate>) => {
      const M = Float64Array.from(cross.ARR);
      const ld = singleTermUpdate(cross, cross.Anodes, kernel).update(T, M);
      return { M, ld };
    };
    const ts = run(null);
    expect(ts.ld).toBeCloseTo(ref.ld, 10);
    for (let r = 0; r < ref.m; r++) {
      for (let s2 = 0; s2 <= r; s2++) {
        const scale = Math.abs(cross.ARR[r * ref.m + s2]!) + 1;
        expect(Math.abs(ts.M[r * ref.m + s2]! - ref.M[r * ref.m + s2]!) / scale).toBeLessThan(1e-12);
      }
    }
    const kernel = wasmTermUpdate();
    expect(kernel).not.toBeNull(); // Node has WebAssembly SIMD
    const wasm = run(kernel);
    // the same sums in the same order: the same bits
    expect(wasm.ld).toBe(ts.ld);
    expect(Array.from(wasm.M)).toEqual(Array.from(ts.M));
  });

  it("refuses a level whose 2 × 2 block is not positive definite (NaN), in both", () => {
    const cross = crossProducts(buildModel(table(20), "y ~ x + (x | g)", { REML: false }));
    const bad = Float64Array.of(NaN, 0, 0, 1);
    for (const kernel of [null, wasmTermUpdate()]) expect(singleTermUpdate(cross, cross.Anodes, kernel).update(bad, Float64Array.from(cross.ARR))).toBeNaN();
  });

  it("reads A again at each update when A changes between them (a residual structure's whitened rows)", () => {
    const cross = crossProducts(buildModel(table(30), "y ~ x + (x | g)", { REML: false }));
    const T = Float64Array.of(0.7, 0, 0.1, 0.2);
    for (const kernel of [null, wasmTermUpdate()]) {
      const A = Float64Array.from(cross.Anodes);
      const live = singleTermUpdate(cross, A, kernel, true);
      live.update(T, Float64Array.from(cross.ARR));
      for (let i = 0; i < A.length; i++) A[i]! *= 1.5;
      const M = Float64Array.from(cross.ARR);
      const ld = live.update(T, M);
      const fresh = Float64Array.from(cross.ARR);
      expect(ld).toBe(singleTermUpdate(cross, Float64Array.from(A), kernel).update(T, fresh));
      expect(Array.from(M)).toEqual(Array.from(fresh));
    }
  });
});
