/**
 * The dense Cholesky's second thread (src/kernels/choleskyHelper.ts) inside a fit: a crossed design
 * whose dense tail is large enough to share gives the same bits with the thread as without it.
 */
import { describe, expect, it } from "vitest";
import { choleskyHelperRunning, choleskyHelperShared } from "../src/kernels/choleskyHelper.js";
import { fit, prepareKernels, tableFromRows } from "../src/index.js";

/** 4,000 ratings: 900 raters crossed with 560 items in 12 groups, an irregular response. */
function crossed(): ReturnType<typeof tableFromRows> {
  const rows: (string | number)[][] = [];
  let s = 17;
  const r = (): number => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const rater = Array.from({ length: 900 }, () => r() - 0.5);
  const item = Array.from({ length: 560 }, () => r() - 0.5);
  for (let t = 0; t < 4000; t++) {
    const a = Math.floor(r() * 900);
    const b = Math.floor(r() * 560);
    const x = r();
    rows.push([2 + rater[a]! + 0.8 * item[b]! + 0.5 * x + (r() - 0.5), x, `R${a}`, `I${b}`, `G${b % 12}`]);
  }
  return tableFromRows(["y", "x", "rater", "item", "group"], rows);
}

describe("a fit with the dense Cholesky on two threads", () => {
  it("has the bits of the fit on one (objective, θ, β, standard errors, BLUPs)", async () => {
    const table = crossed();
    const formula = "y ~ x + (1 | rater) + (1 | item) + (1 | group)";
    const one = fit(table, formula, { REML: false });
    expect(choleskyHelperShared()).toBe(0);
    await prepareKernels();
    expect(choleskyHelperRunning()).toBe(true);
    const two = fit(table, formula, { REML: false });
    // every evaluation's tail (560 items, the groups, X and y) was factored on two threads
    expect(choleskyHelperShared()).toBeGreaterThanOrEqual(two.optSummary.evaluations);
    expect(two.objective).toBe(one.objective);
    expect(two.theta).toEqual(one.theta);
    expect(two.fixef).toEqual(one.fixef);
    expect(two.se).toEqual(one.se);
    expect(two.ranef.map((g) => g.values)).toEqual(one.ranef.map((g) => g.values));
    expect(one.optSummary.evaluations).toBeGreaterThan(10);
  }, 120_000);
});
