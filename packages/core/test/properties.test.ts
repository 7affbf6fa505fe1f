/**
 * Property-based tests (fast-check): the formula parser on arbitrary and mangled text, the
 * parse/deparse round trip, and invariances of the fit on small simulated data sets.
 *
 * The runs are seeded, so the suite is the same on every run; to look further, set FC_SEED to
 * another number and FC_RUNS to a multiplier of the run counts, e.g.
 * `FC_SEED=7 FC_RUNS=20 npx vitest run packages/core/test/properties.test.ts`.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildModel } from "../src/model/buildModel.js";
import { fit } from "../src/fit/fit.js";
import { modelTerms } from "../src/formula/modelTerms.js";
import { deparse, parseFormula, type Expr, type Formula } from "../src/formula/parseFormula.js";
import { HlmError } from "../src/HlmError.js";
import { makeFit } from "../src/fit/makeFit.js";
import { type LmmFit } from "../src/fit/LmmFit.js";
import { makeObjective } from "../src/objective/makeObjective.js";
import { tableFromRows } from "../src/io/tableFromRows.js";

const seed = Number(process.env.FC_SEED ?? 20250611);
const runs = (n: number): number => n * Number(process.env.FC_RUNS ?? 1);

// ---------------------------------------------------------------------------------------------
// Formula text

const ws = fc.constantFrom("", " ", "  ", "\t", "\u00a0");
const nameArb = fc.constantFrom("x", "z", "g", "h", "a.b", "x_1", ".v", "`my col`", "`1st`", "Größe", "y2");
const numberArb = fc.constantFrom("0", "1", "2", "0.5", ".5", "1e3", "1e-3", "2.50", "10", "3");

/** Syntactically valid formula text (not always a valid model), with random spacing, parentheses and R's operators. */
const { expr: exprArb } = fc.letrec<{ expr: string; call: string; paren: string; unary: string; binary: string }>((tie) => ({
  expr: fc.oneof({ depthSize: "small", maxDepth: 5, withCrossShrink: true }, nameArb, numberArb, tie("call"), tie("paren"), tie("unary"), tie("binary"), tie("binary")),
  call: fc
    .tuple(fc.constantFrom("log", "exp", "I", "scale", "offset", "foo", "sqrt"), fc.array(tie("expr"), { maxLength: 2 }), ws)
    .map(([f, args, w]) => `${f}(${w}${args.join(`,${w}`)})`),
  paren: fc.tuple(tie("expr"), ws).map(([e, w]) => `(${w}${e}${w})`),
  unary: fc.tuple(fc.constantFrom("-", "+"), tie("expr")).map(([op, e]) => `${op}${e}`),
  binary: fc
    .tuple(tie("expr"), fc.constantFrom("+", "-", "*", "/", ":", "^", "**", "|", "||", "+", "+"), tie("expr"), ws, ws)
    .map(([a, op, b, w1, w2]) => `${a}${w1}${op}${w2}${b}`),
}));
const formulaArb = fc.tuple(fc.option(exprArb, { nil: undefined }), ws, exprArb, ws).map(([lhs, w1, rhs, w2]) => `${lhs ?? ""}${w1}~${w2}${rhs}`);

/** Formulas that are also valid models, often: a response, fixed terms and one or two random terms. */
const termArb = fc.constantFrom("x", "z", "x:z", "x*z", "log(x)", "I(x^2)", "0", "1", "-1", "(x + z)^2", "x/z", "offset(w)", "`my col`");
const barArb = fc.tuple(fc.constantFrom("1", "x", "0 + x", "x + z", "1 + x"), fc.constantFrom("|", "||"), fc.constantFrom("g", "h", "g:h", "g/h", "(g)")).map(([e, bar, g]) => `(${e} ${bar} ${g})`);
const modelArb = fc
  .tuple(fc.constantFrom("y", "log(y)", "`the y`"), fc.array(termArb, { maxLength: 4 }), fc.array(barArb, { minLength: 1, maxLength: 2 }), fc.boolean())
  .map(([y, terms, bars, barsFirst]) => `${y} ~ ${(barsFirst ? [...bars, ...terms] : [...terms, ...bars]).join(" + ")}`);

/** Pieces that mutations insert: formula tokens and stray characters. */
const pieceArb = fc.oneof(
  fc.constantFrom("(", ")", "~", "|", "||", "+", "-", "*", "/", ":", "^", ",", "`", "1", "0", ".", "e", "x", "g", " ", "(1 | g)", "log(", "**", "1e", "1e-", "--"),
  fc.string({ unit: "binary", minLength: 1, maxLength: 2 }),
);
interface Mutation {
  kind: "insert" | "delete" | "replace" | "duplicate" | "swap";
  at: number;
  len: number;
  piece: string;
}
const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom("insert", "delete", "replace", "duplicate", "swap"),
  at: fc.nat(),
  len: fc.integer({ min: 1, max: 4 }),
  piece: pieceArb,
});
function mutate(s: string, mutations: Mutation[]): string {
  for (const m of mutations) {
    const i = m.at % (s.length + 1);
    const j = Math.min(s.length, i + m.len);
    if (m.kind === "insert") s = s.slice(0, i) + m.piece + s.slice(i);
    else if (m.kind === "delete") s = s.slice(0, i) + s.slice(j);
    else if (m.kind === "replace") s = s.slice(0, i) + m.piece + s.slice(j);
    else if (m.kind === "duplicate") s = s.slice(0, j) + s.slice(i, j) + s.slice(j);
    else if (j < s.length) s = s.slice(0, i) + s[j] + s.slice(i + 1, j) + s[i] + s.slice(j + 1);
  }
  return s;
}

/** Token soup: formula tokens in random order. */
const soupArb = fc.array(pieceArb, { maxLength: 30 }).map((p) => p.join(""));

/**
 * Parses (and, when that works, expands the terms of and deparses) the text: it either works or
 * throws a FORMULA HlmError whose position lies within the text (or just past its end), quickly.
 */
function parsesOrExplains(text: string): void {
  const start = performance.now();
  try {
    const f = parseFormula(text);
    if (f.lhs) deparse(f.lhs);
    deparse(f.rhs);
    modelTerms(text);
  } catch (e) {
    if (!(e instanceof HlmError)) throw new Error(`not an HlmError for ${JSON.stringify(text)}: ${String(e)}`);
    expect(e.code).toBe("FORMULA");
    const position = e.details?.position;
    expect(Number.isInteger(position)).toBe(true);
    expect(position).toBeGreaterThanOrEqual(1);
    expect(position).toBeLessThanOrEqual(text.length + 1);
    expect(e.message).toMatch(/^Formula error at position \d+ of '[^]*': [^]+\.$/);
  }
  expect(performance.now() - start).toBeLessThan(1000);
}

describe("the formula parser on any text: a result or a FORMULA HlmError, never a crash or a hang", () => {
  it("on printable ASCII strings", () => {
    fc.assert(fc.property(fc.string({ maxLength: 80 }), parsesOrExplains), { seed, numRuns: runs(3000) });
  });
  it("on any Unicode strings", () => {
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 40 }), parsesOrExplains), { seed, numRuns: runs(2000) });
  });
  it("on strings of formula tokens", () => {
    fc.assert(fc.property(soupArb, parsesOrExplains), { seed, numRuns: runs(3000) });
  });
  it("on mutations of valid formulas", () => {
    fc.assert(
      fc.property(fc.oneof(formulaArb, modelArb), fc.array(mutationArb, { minLength: 1, maxLength: 3 }), (f, ms) => parsesOrExplains(mutate(f, ms))),
      { seed, numRuns: runs(3000) },
    );
  });
  it("on the valid formulas themselves", () => {
    fc.assert(fc.property(fc.oneof(formulaArb, modelArb), parsesOrExplains), { seed, numRuns: runs(1000) });
  });
  it("on deep nesting and long formulas", () => {
    const sum = (k: number, term: (i: number) => string): string => Array.from({ length: k }, (_, i) => term(i)).join(" + ");
    for (const text of ["y ~ " + "(".repeat(5000) + "x", "y ~ " + "-".repeat(5000) + "x", "y ~ x" + "^x".repeat(3000), `y ~ ${sum(5000, () => "x")} + (1 | g)`]) {
      parsesOrExplains(text);
    }
    // a long formula within the limit works; one past it is an error, not a stack overflow
    expect(modelTerms(`y ~ ${sum(998, (i) => `x${i}`)} + (1 | g)`).fixed.terms.length).toBe(998);
    expect(() => modelTerms(`y ~ ${sum(1001, (i) => `x${i}`)} + (1 | g)`)).toThrow("the formula is too long, with more than 1000 operators in a row");
  });
});

// ---------------------------------------------------------------------------------------------
// Round trip

/** The tree without positions and source text; numbers as R prints them (15 significant digits). */
function shape(e: Expr): unknown {
  switch (e.type) {
    case "name":
      return ["name", e.name];
    case "number":
      return ["number", Number(e.value.toPrecision(15))];
    case "call":
      return ["call", e.fn, e.args.map(shape)];
    case "binary":
      return [e.op, shape(e.left), shape(e.right)];
    case "unary":
      return [`unary${e.op}`, shape(e.arg)];
    case "paren":
      return ["paren", shape(e.expr)];
  }
}
const formulaShape = (f: Formula): unknown => [f.lhs ? shape(f.lhs) : null, shape(f.rhs)];
const deparseFormula = (f: Formula): string => `${f.lhs ? `${deparse(f.lhs)} ` : ""}~ ${deparse(f.rhs)}`;

function roundTrips(text: string): void {
  const first = parseFormula(text);
  const printed = deparseFormula(first);
  const again = parseFormula(printed);
  expect(formulaShape(again)).toEqual(formulaShape(first));
  expect(deparseFormula(again)).toBe(printed);
}

describe("parse ∘ deparse: the same tree, and deparse is stable", () => {
  it("on generated formulas", () => {
    fc.assert(fc.property(fc.oneof(formulaArb, modelArb), roundTrips), { seed, numRuns: runs(2000) });
  });
  it("on mutated formulas that still parse", () => {
    const parses = (s: string): boolean => {
      try {
        parseFormula(s);
        return true;
      } catch {
        return false;
      }
    };
    fc.assert(
      fc.property(
        fc
          .tuple(fc.oneof(formulaArb, modelArb), fc.array(mutationArb, { minLength: 1, maxLength: 2 }))
          .map(([f, ms]) => mutate(f, ms))
          .filter(parses),
        roundTrips,
      ),
      { seed, numRuns: runs(1000) },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// The fit on small simulated data

/** Mulberry32: a small seeded generator, for data that fast-check describes by its seed. */
function rng(s: number): () => number {
  let a = s >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function normal(u: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

interface SimSpec {
  seed: number;
  n: number;
  groups: number;
  covariates: 1 | 2;
  slope: boolean;
  REML: boolean;
}
const simSpecArb: fc.Arbitrary<SimSpec> = fc.record({
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  n: fc.integer({ min: 60, max: 200 }),
  groups: fc.integer({ min: 5, max: 15 }),
  covariates: fc.constantFrom(1 as const, 2 as const),
  slope: fc.boolean(),
  REML: fc.boolean(),
});

interface Sim {
  header: string[];
  /** Rows: y, x1, (x2,) group label. */
  rows: unknown[][];
  formula: string;
  labels: string[];
}

/** y = 1 + 0.5 x1 − 0.3 x2 + b0[g] + b1[g] x1 + e, every group with at least two rows. */
function simulate(spec: SimSpec): Sim {
  const u = rng(spec.seed);
  const z = normal(u);
  const labels = Array.from({ length: spec.groups }, (_, k) => `g${k + 1}`);
  const b0 = labels.map(() => z());
  const b1 = labels.map(() => 0.5 * z());
  const rows: unknown[][] = [];
  for (let i = 0; i < spec.n; i++) {
    const k = i < 2 * spec.groups ? i % spec.groups : Math.floor(u() * spec.groups);
    const x1 = z();
    const x2 = z();
    const y = 1 + 0.5 * x1 + b0[k]! + b1[k]! * x1 + (spec.covariates === 2 ? -0.3 * x2 : 0) + z();
    rows.push(spec.covariates === 2 ? [y, x1, x2, labels[k]] : [y, x1, labels[k]]);
  }
  const header = spec.covariates === 2 ? ["y", "x1", "x2", "g"] : ["y", "x1", "g"];
  const fixed = spec.covariates === 2 ? "x1 + x2" : "x1";
  return { header, rows, labels, formula: `y ~ ${fixed} + (${spec.slope ? "x1" : "1"} | g)` };
}

const fitOf = (sim: Sim, rows: unknown[][], REML: boolean): LmmFit => fit(tableFromRows(sim.header, rows), sim.formula, { REML, satterthwaite: false });

/** The fit of these rows at a given θ, without optimizing: what every estimate is, given θ. */
function fitAtTheta(sim: Sim, rows: unknown[][], REML: boolean, at: LmmFit): LmmFit {
  const model = buildModel(tableFromRows(sim.header, rows), sim.formula, { REML });
  const objective = makeObjective(model);
  return makeFit(model, objective, { ...at.optSummary, theta: [...at.theta], fmin: objective.evaluate(at.theta) }, { satterthwaite: false });
}

/** |a − b| ≤ tol · max(scale, |a|, |b|), element by element, with a message naming what differs. */
function expectClose(what: string, actual: readonly number[], expected: readonly number[], tol: number, scale = 1): void {
  expect(actual.length, what).toBe(expected.length);
  actual.forEach((a, i) => {
    const b = expected[i]!;
    const bound = tol * Math.max(scale, Math.abs(a), Math.abs(b));
    if (!(Math.abs(a - b) <= bound)) throw new Error(`${what}[${i}]: ${a} vs ${b} (difference ${Math.abs(a - b)}, allowed ${bound})`);
  });
}

const sds = (m: LmmFit): number[] => m.varcorr.flatMap((v) => v.sd);
const largest = (v: readonly number[]): number => Math.max(...v.map(Math.abs));

/** Given θ, the objective and the estimates are the same function of the data up to rounding. */
const EXACT = 1e-9;
/** The objective at the optimum, fitted anew: as tight as the brief of these tests asks. */
const OPTIMUM = 1e-6;
/**
 * θ̂ and what follows from it, fitted anew. BOBYQA stops within about xtol_rel = 1e-4 of the optimum,
 * and its path can turn on rounding-level (1e-13) differences of the objective: with the seed
 * below, relabelling the groups of {seed: 2147479536, n: 62, groups: 15, covariates: 1, slope: true,
 * REML: true} (permutation seed 0, text labels) moves θ̂₁ from 0.6319915 to 0.6319775 (2.2e-5
 * relative; the objective agrees to 1e-10, lme4 gives the same θ̂ to 10 digits on both); near a
 * boundary, where the objective is flat, θ̂ has been seen to move by 2.4e-4. So the estimates of two
 * optimizations are compared at this looser tolerance, and exactly at a common θ (above).
 */
const OPTIMIZER = 1e-3;

function expectSameAtTheta(a: LmmFit, b: LmmFit, c = 1, objectiveShift = 0): void {
  expectClose("objective at the same θ", [a.objective], [b.objective + objectiveShift], EXACT);
  expectClose("sigma at the same θ", [a.sigma], [b.sigma * c], EXACT);
  expectClose("fixef at the same θ", a.fixef, b.fixef.map((v) => v * c), EXACT, c * largest(b.fixef));
  expectClose("random-effect SDs at the same θ", sds(a), sds(b).map((s) => s * c), EXACT, c * b.sigma);
  expect(a.fixefNames).toEqual(b.fixefNames);
}

function expectSameOptimum(a: LmmFit, b: LmmFit, c = 1, objectiveShift = 0): void {
  expectClose("objective", [a.objective], [b.objective + objectiveShift], OPTIMUM);
  expectClose("theta", a.theta, b.theta, OPTIMIZER);
  expectClose("sigma", [a.sigma], [b.sigma * c], OPTIMIZER);
  expectClose("fixef", a.fixef, b.fixef.map((v) => v * c), OPTIMIZER, c * largest(b.fixef));
  expectClose("random-effect SDs", sds(a), sds(b).map((s) => s * c), OPTIMIZER, c * b.sigma);
}

describe("the fit on small simulated data", () => {
  const engineRuns = runs(25);

  it("does not depend on the order of the rows", () => {
    fc.assert(
      fc.property(simSpecArb, fc.integer(), (spec, shuffleSeed) => {
        const sim = simulate(spec);
        const u = rng(shuffleSeed);
        const shuffled = sim.rows.map((r) => [u(), r] as const).sort((p, q) => p[0] - q[0]).map((p) => p[1]);
        const b = fitOf(sim, sim.rows, spec.REML);
        expectSameAtTheta(fitAtTheta(sim, shuffled, spec.REML, b), b);
        expectSameOptimum(fitOf(sim, shuffled, spec.REML), b);
      }),
      { seed, numRuns: engineRuns },
    );
  });

  it("does not depend on the labels of the groups (renamed, in another sort order, or numbers)", () => {
    fc.assert(
      fc.property(simSpecArb, fc.integer(), fc.constantFrom("text", "number"), (spec, permSeed, kind) => {
        const sim = simulate(spec);
        const u = rng(permSeed);
        // a random permutation of the level order: level k gets the label of rank perm[k]
        const perm = sim.labels.map((_, k) => [u(), k] as const).sort((p, q) => p[0] - q[0]).map((p) => p[1]);
        const relabel = new Map(sim.labels.map((l, k) => [l, kind === "text" ? `L${String(perm[k]).padStart(2, "0")}x` : 1000 + 37 * perm[k]!] as const));
        const g = sim.header.length - 1;
        const rows = sim.rows.map((r) => r.map((v, j) => (j === g ? relabel.get(v as string) : v)));
        const b = fitOf(sim, sim.rows, spec.REML);
        const a = fitAtTheta(sim, rows, spec.REML, b);
        expectSameAtTheta(a, b);
        // the same random effects, under their new labels
        const ra = a.ranef[0]!;
        const rb = b.ranef[0]!;
        expect(ra.levels.length).toBe(rb.levels.length);
        rb.levels.forEach((level, i) => {
          const j = ra.levels.indexOf(String(relabel.get(level)));
          expectClose(`ranef of ${level}`, ra.values[j]!, rb.values[i]!, EXACT, largest(rb.values.flat()));
        });
        expectSameOptimum(fitOf(sim, rows, spec.REML), b);
      }),
      { seed, numRuns: engineRuns },
    );
  });

  it("scales with the response: y·c gives fixef, sigma and the random-effect SDs times c, the same theta, and the deviance + 2n·log c (ML) or + 2(n − p)·log c (REML)", () => {
    fc.assert(
      fc.property(simSpecArb, fc.double({ min: 0.01, max: 100, noNaN: true }), (spec, c) => {
        const sim = simulate(spec);
        const scaled = sim.rows.map((r) => [(r[0] as number) * c, ...r.slice(1)]);
        const b = fitOf(sim, sim.rows, spec.REML);
        const shift = 2 * (spec.REML ? b.nobs - b.fixef.length : b.nobs) * Math.log(c);
        expectSameAtTheta(fitAtTheta(sim, scaled, spec.REML, b), b, c, shift);
        expectSameOptimum(fitOf(sim, scaled, spec.REML), b, c, shift);
      }),
      { seed, numRuns: engineRuns },
    );
  });
});
