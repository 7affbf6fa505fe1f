/**
 * The add-in's sheet tables (`sheetTables.ts`), here the `HLM Diagnostics` sheet's data: fitted
 * values, residuals, R's qqnorm quantiles of the scaled residuals and of each random effect's BLUPs.
 * (Its plan is tested in `sheet/planSheet.test.ts`, its writing in `../excel/writeSheetTables.test.ts`.)
 */
import { describe, expect, it } from "vitest";
import { datasetRange } from "../../test/conformanceRange.js";
import { getFit } from "./modelCache.js";
import { diagnosticsTable } from "./sheetTables.js";

const sleepData = datasetRange("sleepstudy");
const formula = "Reaction ~ Days + (Days | Subject)";

/** The normal CDF by its power series, and R's qnorm by bisection on it: an independent check of core's quantiles. */
function pnorm(x: number): number {
  // Φ(x) = 1/2 + φ(x) Σ x^(2k+1)/(1·3·…·(2k+1)) (converges for every x; |x| < 6 here)
  let term = x;
  let sum = x;
  for (let k = 1; k < 200; k++) {
    term *= (x * x) / (2 * k + 1);
    sum += term;
    if (Math.abs(term) < 1e-17 * Math.abs(sum)) break;
  }
  return 0.5 + (sum * Math.exp(-0.5 * x * x)) / Math.sqrt(2 * Math.PI);
}
function qnorm(p: number): number {
  let lo = -10;
  let hi = 10;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (pnorm(mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
/** R's ppoints(n): (i − a)/(n + 1 − 2a), a = 3/8 for n ≤ 10, else 1/2. */
const ppoints = (n: number): number[] => {
  const a = n <= 10 ? 3 / 8 : 1 / 2;
  return Array.from({ length: n }, (_, i) => (i + 1 - a) / (n + 1 - 2 * a));
};

/** The quantile each value gets by its rank, as R's qqnorm (ties by position). */
function expectQqnorm(values: number[], quantiles: number[]): void {
  const order = values.map((_, i) => i).sort((i, j) => values[i]! - values[j]! || i - j);
  const p = ppoints(values.length);
  order.forEach((i, rank) => expect(Math.abs(quantiles[i]! - qnorm(p[rank]!))).toBeLessThan(1e-9));
}

describe("the HLM Diagnostics sheet's data", () => {
  it("has a row per observation: fitted, residual (y − fitted), and the normal quantile of the scaled residual", () => {
    const { fit } = getFit(sleepData, formula);
    const t = diagnosticsTable(fit);
    expect(t.sheetName).toBe("HLM Diagnostics");
    expect(t.arrangement).toBe("across");
    const res = t.sections[0]!;
    expect(res.title).toBe("Residuals");
    expect(res.header).toEqual(["Observation", "Fitted", "Residual", "Normal quantile", "Scaled residual"]);
    expect(res.rows).toHaveLength(180);
    res.rows.forEach((row, i) => {
      expect(row[0]).toBe(i + 1);
      const y = sleepData[i + 1]![0] as number;
      expect(Math.abs((row[1] as number) + (row[2] as number) - y)).toBeLessThan(1e-9);
      expect(Math.abs((row[4] as number) - (row[2] as number) / fit.sigma)).toBeLessThan(1e-9);
    });
    expectQqnorm(
      res.rows.map((r) => r[4] as number),
      res.rows.map((r) => r[3] as number),
    );
    // n = 180 > 10: the smallest of 180 gets qnorm(0.5/180)
    const smallest = res.rows.reduce((a, b) => ((b[4] as number) < (a[4] as number) ? b : a));
    expect(smallest[3] as number).toBeCloseTo(-2.77292, 4); // R: qnorm(0.5/180)
  });

  it("has, per grouping factor and random effect, the BLUPs of its levels with their normal quantiles", () => {
    const { fit } = getFit(sleepData, formula);
    const t = diagnosticsTable(fit);
    expect(t.sections.map((s) => s.title)).toEqual(["Residuals", "BLUPs: (Intercept) | Subject", "BLUPs: Days | Subject"]);
    const re = fit.ranef[0]!;
    t.sections.slice(1).forEach((s, c) => {
      expect(s.header).toEqual(["Subject", "Normal quantile", `BLUP ${re.columns[c]}`]);
      expect(s.rows.map((r) => r[0])).toEqual(re.levels);
      expect(s.rows.map((r) => r[2])).toEqual(re.values.map((v) => v[c]));
      expectQqnorm(
        s.rows.map((r) => r[2] as number),
        s.rows.map((r) => r[1] as number),
      );
    });
  });

  it("names each observation by its sheet row when the rows are known, skipping rows left out for missing values", () => {
    const values = sleepData.map((r) => [...r]);
    values[3]![0] = ""; // the response of the third data row (sheet row 4) missing
    const { model, fit } = getFit(values, formula);
    const t = diagnosticsTable(fit, { rows: model.rows, headerRow: 0 });
    const res = t.sections[0]!;
    expect(res.header[0]).toBe("Row");
    expect(res.rows).toHaveLength(179);
    expect(res.rows.slice(0, 4).map((r) => r[0])).toEqual([2, 3, 5, 6]);
    expect(res.rows.at(-1)![0]).toBe(181);
    // a header on sheet row 3 (0-based 2): the first data row is sheet row 4
    expect(diagnosticsTable(fit, { rows: model.rows, headerRow: 2 }).sections[0]!.rows[0]![0]).toBe(4);
    // each row's fitted + residual is that sheet row's response
    for (const row of res.rows) expect(Math.abs((row[1] as number) + (row[2] as number) - (values[(row[0] as number) - 1]![0] as number))).toBeLessThan(1e-9);
  });

  it("uses ppoints' 3/8 for ten or fewer levels (Dyestuff's 6 batches)", () => {
    const { fit } = getFit(datasetRange("Dyestuff"), "Yield ~ 1 + (1 | Batch)");
    const blups = diagnosticsTable(fit).sections[1]!;
    const q = blups.rows.map((r) => r[1] as number).sort((a, b) => a - b);
    expect(q[0]!).toBeCloseTo(-1.281552, 5); // qnorm((1 − 3/8)/(6 + 1 − 3/4)) = qnorm(0.1)
    expect(q[5]!).toBeCloseTo(1.281552, 5);
  });
});
