import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildModel } from "../src/model/buildModel.js";
import { fit, type FitOptions } from "../src/fit/fit.js";
import type { LmmFit } from "../src/fit/LmmFit.js";
import { readCsv } from "../src/io/readCsv.js";
import type { Column, Table } from "../src/io/Table.js";
import { makeObjective } from "../src/objective/makeObjective.js";
import { makeStructuredObjective } from "../src/objective/makeStructuredObjective.js";
import { nlmeDir } from "./compareNlmeReference.js";
import { nlmeMoreDir } from "./compareNlmeMore.js";

/**
 * Properties of the residual structures that hold exactly, so that a test of them cannot pass by
 * accident: structures that reduce to none, two spellings of one covariance, the invariance to the
 * rows' order, and the log-likelihood recomputed, outside the engine, from every group's marginal
 * covariance V_i = Z_i G Z_i' + σ² D_i C_i D_i by nlme's formula.
 */

const read = (dir: string, name: string): Table => readCsv(readFileSync(`${dir}${name}.csv`, "utf8"));
const orthodont = read(nlmeDir, "Orthodont");
const bodyWeight = read(nlmeDir, "BodyWeight");
const bodyWeightShuffled = read(nlmeMoreDir, "BodyWeight_shuffled");
const sleepGaps = read(nlmeMoreDir, "sleepstudy_gaps");
const nested = read(nlmeMoreDir, "nested");
const pixel = read(nlmeMoreDir, "Pixel");

const logit = (p: number): number => Math.log(p / (1 - p));
/** The table with one more column: numbers, or text. */
function withColumn(t: Table, name: string, values: number[] | string[]): Table {
  const column: Column = typeof values[0] === "number"
    ? { kind: "number", name, values: Float64Array.from(values as number[]), missing: new Uint8Array(t.nrow) }
    : { kind: "string", name, values: values as string[] };
  return { ...t, names: [...t.names, name], columns: [...t.columns, column] };
}
/** θ values to evaluate at: the plain fit's θ and some moved from it (none of them special). */
function thetas(plain: LmmFit): number[][] {
  const t = plain.theta;
  return [t, t.map((v, i) => v * (1.3 + 0.1 * i) + 0.05), t.map((v, i) => (i % 2 ? v - 0.2 : 0.5 * v + 0.3))];
}

describe("structures that reduce to none give the plain objective", () => {
  it("corAR1 at Phi = 0 (u = 0) is the plain lme4 objective, at every θ (REML and ML)", () => {
    for (const REML of [true, false]) {
      const formula = "distance ~ age * Sex + (age | Subject)";
      const plain = makeObjective(buildModel(orthodont, formula, { REML }));
      const model = buildModel(orthodont, formula, { REML, correlation: "corAR1()" });
      const structured = makeStructuredObjective(model, model.residual!);
      for (const theta of thetas(fit(orthodont, formula, { REML }))) {
        expect(structured.evaluate([...theta, 0])).toBeCloseTo(plain.evaluate(theta), 8);
      }
    }
  });

  it("varIdent at ratios 1 (u = 0) and corCompSymm at Rho = 0 are the plain objective; corCAR1's Phi → 0 too", () => {
    const formula = "weight ~ Time * Diet + (Time | Rat)";
    const options = { factors: ["Rat", "Diet"], REML: false };
    const plain = makeObjective(buildModel(bodyWeight, formula, options));
    const ident = buildModel(bodyWeight, formula, { ...options, variance: "varIdent(form = ~ 1 | Diet)" });
    const cs = buildModel(bodyWeight, formula, { ...options, correlation: "corCompSymm()" });
    const car1 = buildModel(bodyWeight, formula, { ...options, correlation: "corCAR1(form = ~ Time)" });
    // corCompSymm's u for Rho = 0 is log(a), a = 1/(P − 1), P = 11 rows per rat
    const rho0 = Math.log(1 / 10);
    for (const theta of thetas(fit(bodyWeight, formula, options))) {
      const p = plain.evaluate(theta);
      expect(makeStructuredObjective(ident, ident.residual!).evaluate([...theta, 0, 0])).toBeCloseTo(p, 8);
      expect(makeStructuredObjective(cs, cs.residual!).evaluate([...theta, rho0])).toBeCloseTo(p, 8);
      expect(makeStructuredObjective(car1, car1.residual!).evaluate([...theta, logit(1e-300)])).toBeCloseTo(p, 8);
    }
  });

  it("varIdent with one stratum, and varPower of a covariate that is 1 everywhere, fit as the plain model", () => {
    const oneStratum = withColumn(orthodont, "one", new Array<string>(orthodont.nrow).fill("all"));
    const ones = withColumn(orthodont, "unit", new Array<number>(orthodont.nrow).fill(1));
    const formula = "distance ~ age * Sex + (1 | Subject)";
    const plain = fit(orthodont, formula);
    const a = fit(oneStratum, formula, { variance: "varIdent(form = ~ 1 | one)" });
    const b = fit(ones, formula, { variance: "varPower(form = ~ unit)" });
    expect(a.residual!.variance!.values).toEqual([]);
    for (const f of [a, b]) {
      expect(f.logLik).toBeCloseTo(plain.logLik, 7);
      f.fixef.forEach((v, i) => expect(v).toBeCloseTo(plain.fixef[i]!, 5));
      expect(f.sigma).toBeCloseTo(plain.sigma, 5);
    }
    // varPower's power is not identified there; its fit says nothing else changed
    expect(b.df).toBe(plain.df + 1);
  });

  it("compound symmetry within b, in place of b's random intercept, is the (1 | a/b) fit (Rho ≥ 0)", () => {
    const withCs = fit(nested, "y ~ t + x + (1 | a)", { correlation: "corCompSymm(form = ~ 1 | a/b)" });
    const plain = fit(nested, "y ~ t + x + (1 | a/b)");
    expect(withCs.logLik).toBeCloseTo(plain.logLik, 6);
    // σ²_b + σ² = the residual variance there, Rho = σ²_b / (σ²_b + σ²)
    const sb2 = plain.varcorr.find((v) => v.group === "b:a")!.covariance[0]![0]!;
    const total = sb2 + plain.sigma ** 2;
    expect(withCs.sigma ** 2).toBeCloseTo(total, 3);
    expect(withCs.residual!.correlation!.values[0]!).toBeCloseTo(sb2 / total, 4);
  });
});

describe("two spellings of one covariance give one objective", () => {
  it("corExp(range) is corCAR1 at Phi = exp(-1/range): objective at every point, and the fits", () => {
    const formula = "weight ~ Time * Diet + (Time | Rat)";
    const options = { factors: ["Rat", "Diet"] };
    const e = buildModel(bodyWeight, formula, { ...options, correlation: "corExp(form = ~ Time)" });
    const c = buildModel(bodyWeight, formula, { ...options, correlation: "corCAR1(form = ~ Time)" });
    const oe = makeStructuredObjective(e, e.residual!);
    const oc = makeStructuredObjective(c, c.residual!);
    for (const theta of thetas(fit(bodyWeight, formula, options))) {
      for (const range of [0.3, 2, 7.5, 40]) expect(oe.evaluate([...theta, Math.log(range)])).toBeCloseTo(oc.evaluate([...theta, logit(Math.exp(-1 / range))]), 7);
    }
    const fe = fit(bodyWeight, formula, { ...options, correlation: "corExp(form = ~ Time)" });
    const fc = fit(bodyWeight, formula, { ...options, correlation: "corCAR1(form = ~ Time)" });
    expect(fe.logLik).toBeCloseTo(fc.logLik, 6);
    expect(Math.exp(-1 / fe.residual!.correlation!.values[0]!)).toBeCloseTo(fc.residual!.correlation!.values[0]!, 4);
  });

  it("corAR1 on integer times with gaps is corCAR1 on the same times (Phi > 0): objective and fits", () => {
    const formula = "Reaction ~ Days + (1 | Subject)";
    const a = buildModel(sleepGaps, formula, { correlation: "corAR1(form = ~ Days | Subject)" });
    const c = buildModel(sleepGaps, formula, { correlation: "corCAR1(form = ~ Days | Subject)" });
    const oa = makeStructuredObjective(a, a.residual!);
    const oc = makeStructuredObjective(c, c.residual!);
    for (const theta of thetas(fit(sleepGaps, formula))) {
      for (const phi of [0.05, 0.4, 0.8, 0.97]) expect(oa.evaluate([...theta, 2 * Math.atanh(phi)])).toBeCloseTo(oc.evaluate([...theta, logit(phi)]), 7);
    }
    const fa = fit(sleepGaps, formula, { correlation: "corAR1(form = ~ Days | Subject)" });
    const fc = fit(sleepGaps, formula, { correlation: "corCAR1(form = ~ Days | Subject)" });
    expect(fa.logLik).toBeCloseTo(fc.logLik, 6);
    expect(fa.residual!.correlation!.values[0]!).toBeCloseTo(fc.residual!.correlation!.values[0]!, 4);
    // and not corAR1() on the positions, which ignores the gaps
    expect(Math.abs(fit(sleepGaps, formula, { correlation: "corAR1()" }).logLik - fa.logLik)).toBeGreaterThan(0.1);
  });

  it("the rows' order does not matter to a structure with a time covariate: the objective at every point, file order or shuffled", () => {
    const formula = "weight ~ Time * Diet + (Time | Rat)";
    const options: FitOptions = { factors: ["Rat", "Diet"], correlation: "corCAR1(form = ~ Time)", variance: "varPower(form = ~ Time)" };
    const m1 = buildModel(bodyWeight, formula, options);
    const m2 = buildModel(bodyWeightShuffled, formula, options);
    const o1 = makeStructuredObjective(m1, m1.residual!);
    const o2 = makeStructuredObjective(m2, m2.residual!);
    for (const theta of thetas(fit(bodyWeight, formula, { factors: ["Rat", "Diet"] }))) {
      for (const [phi, power] of [[0.2, 0], [0.7, 0.3], [0.95, -0.4]] as const) {
        const x = [...theta, logit(phi), power];
        expect(o2.evaluate(x)).toBeCloseTo(o1.evaluate(x), 8);
      }
    }
  });
});

// ---- the log-likelihood from the V_i, outside the engine ----

/** Dense symmetric positive-definite matrix helpers (row-major number[][]). */
function cholesky(A: number[][]): number[][] {
  const n = A.length;
  const L = A.map(() => new Array<number>(n).fill(0));
  for (let j = 0; j < n; j++) {
    let d = A[j]![j]!;
    for (let k = 0; k < j; k++) d -= L[j]![k]! ** 2;
    if (!(d > 0)) throw new Error("not positive definite");
    L[j]![j] = Math.sqrt(d);
    for (let i = j + 1; i < n; i++) {
      let s = A[i]![j]!;
      for (let k = 0; k < j; k++) s -= L[i]![k]! * L[j]![k]!;
      L[i]![j] = s / L[j]![j]!;
    }
  }
  return L;
}
const logDet = (L: number[][]): number => 2 * L.reduce((s, row, i) => s + Math.log(row[i]!), 0);
/** A⁻¹B for A = LL' (B n × m). */
function solve(L: number[][], B: number[][]): number[][] {
  const n = L.length;
  const m = B[0]!.length;
  const X = B.map((r) => [...r]);
  for (let c = 0; c < m; c++) {
    for (let i = 0; i < n; i++) {
      let s = X[i]![c]!;
      for (let k = 0; k < i; k++) s -= L[i]![k]! * X[k]![c]!;
      X[i]![c] = s / L[i]![i]!;
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = X[i]![c]!;
      for (let k = i + 1; k < n; k++) s -= L[k]![i]! * X[k]![c]!;
      X[i]![c] = s / L[i]![i]!;
    }
  }
  return X;
}
const tr = (A: number[][]): number[][] => A[0]!.map((_, j) => A.map((r) => r[j]!));
const mul = (A: number[][], B: number[][]): number[][] => A.map((r) => B[0]!.map((_, j) => r.reduce((s, v, k) => s + v * B[k]![j]!, 0)));

interface Group {
  /** The rows' response, fixed-effects rows, and V_i. */
  y: number[];
  X: number[][];
  V: number[][];
}

/** nlme's log-likelihood (REML: restricted) at β̂ = the GLS estimate from the V_i; also that β̂. */
function nlmeLogLik(groups: Group[], REML: boolean): { logLik: number; beta: number[] } {
  const p = groups[0]!.X[0]!.length;
  const N = groups.reduce((s, g) => s + g.y.length, 0);
  let XtVX = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  let XtVy = Array.from({ length: p }, () => [0]);
  let ld = 0;
  const Ls = groups.map((g) => cholesky(g.V));
  groups.forEach((g, i) => {
    ld += logDet(Ls[i]!);
    const VX = solve(Ls[i]!, g.X);
    const Vy = solve(Ls[i]!, g.y.map((v) => [v]));
    XtVX = XtVX.map((r, a) => r.map((v, b) => v + mul(tr(g.X), VX)[a]![b]!));
    XtVy = XtVy.map((r, a) => [r[0]! + mul(tr(g.X), Vy)[a]![0]!]);
  });
  const LX = cholesky(XtVX);
  const beta = solve(LX, XtVy).map((r) => r[0]!);
  let q = 0;
  groups.forEach((g, i) => {
    const r = g.y.map((v, k) => v - g.X[k]!.reduce((s, x, j) => s + x * beta[j]!, 0));
    const Vr = solve(Ls[i]!, r.map((v) => [v]));
    q += r.reduce((s, v, k) => s + v * Vr[k]![0]!, 0);
  });
  const logLik = REML ? -0.5 * ((N - p) * Math.log(2 * Math.PI) + ld + logDet(LX) + q) : -0.5 * (N * Math.log(2 * Math.PI) + ld + q);
  return { logLik, beta };
}

const col = (t: Table, name: string): (number | string)[] => Array.from(t.columns[t.names.indexOf(name)]!.values as ArrayLike<number | string>);
const num = (t: Table, name: string): number[] => col(t, name).map(Number);
const str = (t: Table, name: string): string[] => col(t, name).map(String);
/** Row indices by group label, each group's rows in the file's order, groups in order of first appearance. */
function groupsOf(labels: string[]): number[][] {
  const by = new Map<string, number[]>();
  labels.forEach((l, k) => (by.has(l) ? by.get(l)!.push(k) : by.set(l, [k])));
  return [...by.values()];
}
const G = (f: LmmFit, group: string): number[][] => f.varcorr.find((v) => v.group === group)!.covariance;
const param = (f: LmmFit, kind: "correlation" | "variance", name: string): number => {
  const s = f.residual![kind]!;
  return s.values[s.names.indexOf(name)]!;
};

describe("the log-likelihood recomputed from every group's V_i by nlme's formula", () => {
  it("BodyWeight: (Time | Rat), corCAR1 in Time, varIdent by Diet, REML", () => {
    const f = fit(bodyWeight, "weight ~ Time * Diet + (Time | Rat)", { factors: ["Rat", "Diet"], correlation: "corCAR1(form = ~ Time)", variance: "varIdent(form = ~ 1 | Diet)" });
    const [y, time, rat, diet] = [num(bodyWeight, "weight"), num(bodyWeight, "Time"), str(bodyWeight, "Rat"), str(bodyWeight, "Diet")];
    const phi = param(f, "correlation", "Phi");
    const ratio = (d: string): number => (d === f.residual!.variance!.strata[0] ? 1 : param(f, "variance", d));
    const g = G(f, "Rat");
    const groups = groupsOf(rat).map((rows) => ({
      y: rows.map((k) => y[k]!),
      X: rows.map((k) => [1, time[k]!, +(diet[k] === "2"), +(diet[k] === "3"), time[k]! * +(diet[k] === "2"), time[k]! * +(diet[k] === "3")]),
      V: rows.map((i) =>
        rows.map((j) => {
          const zGz = g[0]![0]! + (time[i]! + time[j]!) * g[0]![1]! + time[i]! * time[j]! * g[1]![1]!;
          return zGz + f.sigma ** 2 * ratio(diet[i]!) * ratio(diet[j]!) * phi ** Math.abs(time[i]! - time[j]!);
        }),
      ),
    }));
    const r = nlmeLogLik(groups, true);
    expect(Math.abs(r.logLik - f.logLik)).toBeLessThan(1e-7);
    r.beta.forEach((b, j) => expect(Math.abs(b - f.fixef[j]!)).toBeLessThan(1e-6 * f.se[j]!));
  });

  it("Orthodont: (1 | Subject), corSymm by position, varExp in age, ML", () => {
    const f = fit(orthodont, "distance ~ age * Sex + (1 | Subject)", { REML: false, correlation: "corSymm(form = ~ 1 | Subject)", variance: "varExp(form = ~ age)" });
    const [y, age, subject, sex] = [num(orthodont, "distance"), num(orthodont, "age"), str(orthodont, "Subject"), str(orthodont, "Sex")];
    const expon = param(f, "variance", "expon");
    const g = G(f, "Subject")[0]![0]!;
    const groups = groupsOf(subject).map((rows) => ({
      y: rows.map((k) => y[k]!),
      X: rows.map((k) => [1, age[k]!, +(sex[k] === "Male"), age[k]! * +(sex[k] === "Male")]),
      V: rows.map((i, a) =>
        rows.map((j, b) => {
          const c = a === b ? 1 : param(f, "correlation", `cor(${Math.min(a, b) + 1},${Math.max(a, b) + 1})`);
          return g + f.sigma ** 2 * Math.exp(expon * (age[i]! + age[j]!)) * c;
        }),
      ),
    }));
    expect(Math.abs(nlmeLogLik(groups, false).logLik - f.logLik)).toBeLessThan(1e-7);
  });

  it("nested: (1 | a/b), corAR1 in t within b, REML (V_i over all of a's rows)", () => {
    const f = fit(nested, "y ~ t + x + (1 | a/b)", { correlation: "corAR1(form = ~ t | a/b)" });
    const [y, t, x, a, b] = [num(nested, "y"), num(nested, "t"), num(nested, "x"), str(nested, "a"), str(nested, "b")];
    const phi = param(f, "correlation", "Phi");
    const [ga, gb] = [G(f, "a")[0]![0]!, G(f, "b:a")[0]![0]!];
    const groups = groupsOf(a).map((rows) => ({
      y: rows.map((k) => y[k]!),
      X: rows.map((k) => [1, t[k]!, x[k]!]),
      V: rows.map((i) => rows.map((j) => ga + (b[i] === b[j] ? gb + f.sigma ** 2 * phi ** Math.abs(t[i]! - t[j]!) : 0))),
    }));
    expect(Math.abs(nlmeLogLik(groups, true).logLik - f.logLik)).toBeLessThan(1e-7);
  });

  it("Pixel: (day | Dog) + (1 | Dog:Side), corExp in day within Dog/Side, varPower in day + 1, ML", () => {
    const dayPlus = withColumn(pixel, "day1", num(pixel, "day").map((d) => d + 1));
    const f = fit(dayPlus, "pixel ~ day + day2 + (day | Dog) + (1 | Dog:Side)", { REML: false, factors: ["Dog"], correlation: "corExp(form = ~ day | Dog/Side)", variance: "varPower(form = ~ day1)" });
    const [y, day, day2, dog, side] = [num(pixel, "pixel"), num(pixel, "day"), num(pixel, "day2"), str(pixel, "Dog"), str(pixel, "Side")];
    const range = param(f, "correlation", "range");
    const power = param(f, "variance", "power");
    const [gd, gs] = [G(f, "Dog"), G(f, "Dog:Side")[0]![0]!];
    const groups = groupsOf(dog).map((rows) => ({
      y: rows.map((k) => y[k]!),
      X: rows.map((k) => [1, day[k]!, day2[k]!]),
      V: rows.map((i) =>
        rows.map((j) => {
          const zGz = gd[0]![0]! + (day[i]! + day[j]!) * gd[0]![1]! + day[i]! * day[j]! * gd[1]![1]!;
          return zGz + (side[i] === side[j] ? gs + f.sigma ** 2 * ((day[i]! + 1) * (day[j]! + 1)) ** power * Math.exp(-Math.abs(day[i]! - day[j]!) / range) : 0);
        }),
      ),
    }));
    expect(Math.abs(nlmeLogLik(groups, false).logLik - f.logLik)).toBeLessThan(1e-7);
  });
});
