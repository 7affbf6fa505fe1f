/**
 * The fit from sums a database computes (DuckDB, PostgreSQL) against the fit from the rows in memory
 * and against lme4, on every model of the conformance set. PostgreSQL: the server HLM_TEST_POSTGRES
 * names (CI starts a throwaway one: scripts/start-postgres.sh); in CI its absence is a failure.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildModel, columnsOf, effectSizes, fitModel, predict, profileIntervals, shrinkageTable, sumsRows, crossProductsQuery, exactQuantiles, fitSummedModel, fitToJson, makeFit, makeObjective, modelFromSums, optimize, planCrossProducts, readCsv, residualsQuery, type Column, type LmmFit, type Model, type Table } from "@hlm/core";
import { readFileSync, writeFileSync } from "node:fs";
import { compareWithReference, conformanceDir, loadReferences, type Reference } from "../../core/test/compareReference.js";
import { run } from "../src/run.js";
import { openSqlData, type SqlData } from "../src/sqlData.js";

const references = loadReferences();
const datasets = [...new Set(references.map((r) => r.dataset))];
const dir = mkdtempSync(join(tmpdir(), "hlm-db-"));
const duckFile = join(dir, "conformance.duckdb");
const postgresUrl = process.env.HLM_TEST_POSTGRES;
const tableName = (dataset: string): string => dataset.toLowerCase();

async function capture(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await run(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

beforeAll(async () => {
  // the conformance data as a user's tables: DuckDB's reader of the CSV files, NA and empty cells missing
  const instance = await DuckDBInstance.create(duckFile);
  const con = await instance.connect();
  for (const d of datasets) await con.run(`CREATE TABLE ${tableName(d)} AS SELECT * FROM read_csv('${conformanceDir}${d}.csv', nullstr = ['NA', ''], auto_type_candidates = ['BIGINT', 'DOUBLE', 'VARCHAR'])`);
  if (postgresUrl) {
    const client = new pg.Client({ connectionString: postgresUrl });
    await client.connect();
    for (const d of datasets) {
      const described = (await con.runAndReadAll(`DESCRIBE ${tableName(d)}`)).getRowsJS();
      const types = described.map((r) => (/INT/.test(String(r[1])) ? "bigint" : /DOUBLE|FLOAT|DECIMAL/.test(String(r[1])) ? "double precision" : "text"));
      await client.query(`DROP TABLE IF EXISTS ${tableName(d)}`);
      await client.query(`CREATE TABLE ${tableName(d)} (${described.map((r, i) => `"${String(r[0])}" ${types[i]}`).join(", ")})`);
      const rows = (await con.runAndReadAll(`SELECT * FROM ${tableName(d)}`)).getRowsJS();
      for (let start = 0; start < rows.length; start += 1000) {
        const chunk = rows.slice(start, start + 1000);
        const width = described.length;
        const params = chunk.flatMap((r) => r.map((v) => (typeof v === "bigint" ? Number(v) : v)));
        await client.query(`INSERT INTO ${tableName(d)} VALUES ${chunk.map((_, i) => `(${Array.from({ length: width }, (__, j) => `$${i * width + j + 1}`).join(", ")})`).join(", ")}`, params);
      }
    }
    await client.end();
  }
  con.closeSync();
  instance.closeSync();
}, 120_000);

const engines: { name: string; open: (table: string) => Promise<SqlData> }[] = [{ name: "DuckDB", open: (table) => openSqlData(duckFile, { table }) }];
if (postgresUrl) engines.push({ name: "PostgreSQL", open: (table) => openSqlData(postgresUrl, { table }) });

it("has a PostgreSQL server to test against in CI", () => {
  if (process.env.CI) expect(postgresUrl, "CI starts PostgreSQL (scripts/start-postgres.sh) and sets HLM_TEST_POSTGRES").toMatch(/^postgres/);
  expect(engines.length).toBeGreaterThanOrEqual(1);
});

const rowsFits = new Map<string, { table: Table; model: Model; fit: LmmFit; opt: ReturnType<typeof optimize>; objective: ReturnType<typeof makeObjective> }>();
/** The fit from the CSV file in memory, its optimizer result and its objective. */
function fromRows(ref: Reference): { table: Table; model: Model; fit: LmmFit; opt: ReturnType<typeof optimize>; objective: ReturnType<typeof makeObjective> } {
  if (!rowsFits.has(ref.name)) {
    const table = readCsv(readFileSync(`${conformanceDir}${ref.dataset}.csv`, "utf8"));
    const model = buildModel(table, ref.formula, { REML: ref.REML, factors: ref.factors });
    const objective = makeObjective(model);
    const opt = optimize(objective);
    rowsFits.set(ref.name, { table, model, fit: makeFit(model, objective, opt), opt, objective });
  }
  return rowsFits.get(ref.name)!;
}


/**
 * The fit from sums at the rows' θ against the fit from rows: the objective, fixed effects, SEs,
 * variance components, BLUPs and their SDs to 1e-9, the same names and warnings; with the rows'
 * model, the ICC and R² to 1e-9 too (refused in one sentence for weighted sums).
 */
function sameAtTheta(summed: ReturnType<typeof modelFromSums>, g: LmmFit, opt: ReturnType<typeof optimize>, options: Parameters<typeof fitSummedModel>[1] = {}, rowsObjective?: ReturnType<typeof makeObjective>, rows?: { table: Table; model: Model; profile?: boolean }): void {
  const at = fitSummedModel(summed, options, opt);
  if (rows?.profile) {
    // lme4's profile intervals from A alone (a fixed effect held by holdFixedEffect) against the rows' (the same start, θ̂);
    // on a singular fit only the fixed effects' (the variance parameters' profiles are ill-posed there: lme4's own
    // confint fails on them, and the inner optimum at a point moves with the objective's last bits)
    const which = g.warnings.some((w) => w.code === "singular") ? g.fixefNames : undefined;
    const want = profileIntervals(rows.model, g, which ? { which } : {});
    const got = profileIntervals(summed.model, at, { sums: summed, ...(which ? { which } : {}) });
    expect(got.rows.map((r) => r.parameter)).toEqual(want.rows.map((r) => r.parameter));
    expect(got.warnings).toEqual(want.warnings);
    got.rows.forEach((r, i) => {
      const w = want.rows[i]!;
      const width = Number.isFinite(w.upper - w.lower) ? w.upper - w.lower : 1;
      expect(Math.abs(r.lower - w.lower), `${r.parameter} lower`).toBeLessThan(1e-6 * width);
      expect(Math.abs(r.upper - w.upper), `${r.parameter} upper`).toBeLessThan(1e-6 * width);
    });
  }
  if (rows) {
    // the lecture's shrinkage table of every grouping factor: each level's own OLS from its sums (refused for weighted sums)
    for (const group of new Set(rows.model.reTerms.map((t) => t.group))) {
      if (options.weights) {
        expect(() => shrinkageTable(summed.model, at, group)).toThrow(/^The shrinkage table's own regressions are unweighted, as lm\(\) on each group's rows, and this model's sums were computed with prior weights/);
        continue;
      }
      const want = shrinkageTable(rows.model, g, group);
      const got = shrinkageTable(summed.model, at, group);
      expect([got.columns, got.levels, got.n]).toEqual([want.columns, want.levels, want.n]);
      want.columns.forEach((_, j) => {
        const scale = Math.max(...want.ols.map((r) => Math.abs(r[j] ?? 0))) || 1;
        want.ols.forEach((r, l) => {
          expect(got.ols[l]![j] === null, `${group} ${want.levels[l]} ${want.columns[j]}: NA`).toBe(r[j] === null);
          if (r[j] !== null) expect(Math.abs(got.ols[l]![j]! - r[j]!), `${group} ${want.levels[l]} ${want.columns[j]}`).toBeLessThan(1e-9 * scale);
        });
      });
    }
    const rowsModel = rows.model;
    // predictions for rows of the data, and for one whose groups are missing (the population's)
    const used = [...rowsModel.rows.slice(0, 40)];
    const terms = rowsModel.terms;
    const predictors = new Set<string>();
    for (const v of [...terms.fixed.variables.slice(1), ...terms.random.flatMap((r) => r.effects.variables)]) columnsOf(v.expr, predictors);
    const blank = (name: string): boolean => !predictors.has(name) && terms.random.some((r) => r.groupExprs.some((e) => columnsOf(e).has(name)));
    const newdata = takeRows(rows.table, [...used, used[0]!], blank);
    const want = predict(rows.table, rowsModel, g, newdata, options);
    const got = predict(null as unknown as Table, summed.model, at, newdata, options);
    expect(got.newLevels).toEqual(want.newLevels);
    if (rows.table.names.some(blank)) expect(want.newLevels.at(-1)!.length).toBeGreaterThan(0);
    for (const k of ["fit", "population", "se"] as const) {
      const scale = Math.max(...want[k].map(Math.abs));
      want[k].forEach((v, i) => expect(Math.abs(got[k][i]! - v), `${k}[${i}]`).toBeLessThan(1e-9 * scale));
    }
    if (options.weights) {
      expect(() => effectSizes(summed.model, at)).toThrow(/^The ICC and R² are unweighted variances over the rows, and this model's sums were computed with prior weights/);
    } else {
      const fromSums = effectSizes(summed.model, at);
      const fromRowsModel = effectSizes(rowsModel, g);
      for (const k of ["varFixed", "varRandom", "varResidual", "r2Marginal", "r2Conditional", "iccAdjusted", "iccUnadjusted"] as const) {
        // σ²_f of an intercept-only model is 0 from both (to rounding of the intercept's square)
        const tol = k === "varFixed" || k === "r2Marginal" ? Math.max(1e-9 * Math.abs(fromRowsModel[k]), 1e-12 * fromRowsModel.varResidual) : 1e-9 * Math.abs(fromRowsModel[k]);
        expect(Math.abs(fromSums[k] - fromRowsModel[k]), `${k}: ${fromSums[k]} vs ${fromRowsModel[k]}`).toBeLessThanOrEqual(tol);
      }
    }
  }
  // the whole objective, away from the optimum too (where a boundary can hide a misplaced entry of A)
  if (rowsObjective) {
    const fromSums = makeObjective(summed.model, summed.cross);
    for (const step of [0.1, 0.37]) {
      const theta = rowsObjective.layout.initial.map((v, i) => v + step * (i + 1));
      expect(rel(fromSums.evaluate(theta), rowsObjective.evaluate(theta)), `objective at θ = ${theta.join(", ")}`).toBeLessThan(1e-9);
    }
  }
  const worst: Record<string, number> = {};
  const note = (what: string, r: number): void => void (worst[what] = Math.max(worst[what] ?? 0, r));
  note("objective", rel(at.objective, g.objective));
  note("logLik", rel(at.logLik, g.logLik));
  note("sigma", rel(at.sigma, g.sigma));
  at.fixef.forEach((v, i) => note("fixef", Math.abs(v - g.fixef[i]!) / g.se[i]!));
  at.se.forEach((v, i) => note("se", rel(v, g.se[i]!)));
  at.varcorr.forEach((v, t) => v.covariance.forEach((row, i) => row.forEach((c, j) => note("varcorr", Math.abs(c - g.varcorr[t]!.covariance[i]![j]!) / Math.sqrt(g.varcorr[t]!.covariance[i]![i]! * g.varcorr[t]!.covariance[j]![j]! || 1)))));
  at.ranef.forEach((r, t) => {
    const gr = g.ranef[t]!;
    expect(r.levels).toEqual(gr.levels);
    r.values.forEach((row, l) =>
      row.forEach((v, j) => {
        const scale = Math.max(...gr.values.map((x) => Math.abs(x[j]!))) || 1;
        note("ranef", Math.abs(v - gr.values[l]![j]!) / scale);
        note("condsd", gr.condsd[l]![j]! === 0 ? Math.abs(r.condsd[l]![j]!) : rel(r.condsd[l]![j]!, gr.condsd[l]![j]!));
      }),
    );
  });
  for (const [what, r] of Object.entries(worst)) expect(r, `${what} at the same θ`).toBeLessThan(1e-9);
  expect(at.nobs).toBe(g.nobs);
  expect(at.fixefNames).toEqual(g.fixefNames);
  expect(at.droppedColumns).toEqual(g.droppedColumns);
  // the same warnings, in the same words (a gradient's digits past the fourth aside)
  const words = (ws: LmmFit["warnings"]): string[] => ws.map((w) => `${w.code}: ${w.message.replace(/(\d\.\d{3})\d+/g, "$1")}`);
  expect(words(at.warnings)).toEqual(words(g.warnings));
}

/** Rows `rows` of a table; in the last one, the columns `blank` picks are missing. */
function takeRows(table: Table, rows: number[], blank: (name: string) => boolean): Table {
  const last = rows.length - 1;
  const columns = table.columns.map((c): Column => {
    if (c.kind === "number") {
      const missing = Uint8Array.from(rows, (i, k) => (k === last && blank(c.name) ? 1 : c.missing[i]!));
      return { kind: "number", name: c.name, values: Float64Array.from(rows, (i) => c.values[i]!), missing };
    }
    return { kind: "string", name: c.name, values: rows.map((i, k) => (k === last && blank(c.name) ? null : (c.values[i] ?? null))) };
  });
  return { names: table.names, columns, nrow: rows.length };
}

/** |a − b| / |b| (0 when equal). */
const rel = (a: number, b: number): number => (a === b ? 0 : Math.abs(a - b) / Math.abs(b));

for (const engine of engines) {
  describe(`${engine.name}: the fit from sums agrees with the fit from rows and with lme4`, () => {
    let data: SqlData[] = [];
    afterAll(async () => {
      for (const d of data) await d.close();
    });
    for (const ref of references) {
      it(`${ref.name}: ${ref.formula}`, async () => {
        const db = await engine.open(tableName(ref.dataset));
        data.push(db);
        const plan = planCrossProducts(ref.formula, db.columns, { REML: ref.REML, factors: ref.factors });
        const result = await db.query(crossProductsQuery(plan, db.source, db.dialect));
        const names = ["block", ...plan.categorical.map((_, k) => `k${k}`), "n", ...Array.from({ length: result[0]!.length - plan.categorical.length - 2 }, (_, s) => `s${s}`)];
        const summed = modelFromSums(plan, sumsRows(plan, names, result));
        const rows = fromRows(ref);

        // at the same θ, the same fit to 1e-9: the objective, fixed effects, SEs, variance components, BLUPs and their SDs
        sameAtTheta(summed, rows.fit, rows.opt, {}, rows.objective, { ...rows, profile: engine.name === "DuckDB" });

        // its own optimizer run: lme4's numbers to the conformance tolerances, the scaled residuals' quantiles from the database
        const own = fitSummedModel(summed);
        own.scaledResidQuantiles = await exactQuantiles((output) => db.query(residualsQuery(plan, summed.design, own, db.source, db.dialect, output)), [0, 0.25, 0.5, 0.75, 1]);
        const json = fitToJson(own, { dataset: ref.dataset, factors: ref.factors });
        expect(compareWithReference(json, { ...ref, fitted_head: [] })).toEqual([]);
        // the optimizer's own stop: θ within its tolerance of the rows' (the objective agrees to rounding, ~1e-13)
        own.theta.forEach((t, i) => expect(Math.abs(t - rows.fit.theta[i]!)).toBeLessThan(1e-5 * Math.max(1, Math.abs(rows.fit.theta[i]!))));
      });
    }
  });
}

describe("hlm fit and hlm sql on a database", () => {
  const hsb = `${conformanceDir}hsb.csv`;
  const formula = "MathAch ~ SES * Sector + (SES | School)";

  it("fits a Parquet file, a DuckDB table and a CSV file through DuckDB as it fits the CSV file in memory", async () => {
    const parquet = join(dir, "hsb.parquet");
    const instance = await DuckDBInstance.create(":memory:");
    const con = await instance.connect();
    await con.run(`COPY (SELECT * FROM read_csv('${hsb}', auto_type_candidates = ['BIGINT', 'DOUBLE', 'VARCHAR'])) TO '${parquet}' (FORMAT parquet)`);
    con.closeSync();
    instance.closeSync();
    const memory = JSON.parse((await capture(["fit", hsb, "--formula", formula, "--json"])).out);
    for (const args of [[parquet], [duckFile, "--table", "hsb"], [hsb, "--engine", "duckdb"]]) {
      const { code, out, err } = await capture(["fit", ...args, "--formula", formula, "--json"]);
      expect(code, err).toBe(0);
      const json = JSON.parse(out);
      expect(Math.abs(json.objective - memory.objective)).toBeLessThan(1e-9 * memory.objective);
      expect(Object.keys(json.fixef)).toEqual(Object.keys(memory.fixef));
      // the memory path's keys, but fitted_head (no rows here), and the database's time beside the fit's
      expect(Object.keys(json).filter((k) => k !== "sums_seconds").sort()).toEqual(Object.keys(memory).sort());
      expect(json.fitted_head).toEqual([]);
      expect(json.sums_seconds).toBeGreaterThan(0);
      for (const k of Object.keys(memory.fixef)) expect(Math.abs(json.fixef[k] - memory.fixef[k])).toBeLessThan(1e-4 * memory.se[k]);
      json.scaled_resid_quantiles.forEach((v: number, i: number) => expect(Math.abs(v - memory.scaled_resid_quantiles[i])).toBeLessThan(1e-4));
      // the warnings the fit from rows gives (here lme4's convergence check, its gradient to 5 digits), on stderr beside the JSON
      const digits = (t: string): string => t.replace(/(\d\.\d{5})\d+/g, "$1");
      expect(digits(err)).toBe(digits((await capture(["fit", hsb, "--formula", formula, "--json"])).err));
      expect(err).toMatch(/Model failed to converge/);
    }
  });

  it("fits the rows a --where condition keeps, and writes every row's fitted value and residual as a new table", async () => {
    const { code, out, err } = await capture(["fit", duckFile, "--table", "hsb", "--where", "Sex = 'Female'", "--formula", "MathAch ~ SES + (1 | School)", "--json", "--write-fitted", "hsb_fitted"]);
    expect(code, err).toBe(0);
    expect(err).toContain("wrote the table hsb_fitted");
    const json = JSON.parse(out);
    const instance = await DuckDBInstance.create(duckFile);
    const con = await instance.connect();
    const rows = (await con.runAndReadAll("SELECT SES, School, MathAch, fitted, residual FROM hsb_fitted")).getRowsJS() as [number, bigint, number, number, number][];
    con.closeSync();
    instance.closeSync();
    const females = readFileSync(hsb, "utf8").split("\n").filter((l) => l.includes("Female")).length;
    expect(json.nobs).toBe(females);
    expect(rows).toHaveLength(females);
    const b = json.fixef;
    const blup = json.ranef[0];
    for (const [ses, school, y, fitted, residual] of rows.slice(0, 50)) {
      const u = blup.values[blup.levels.indexOf(String(school))][0];
      expect(fitted).toBeCloseTo(b["(Intercept)"] + b.SES * ses + u, 9);
      expect(residual).toBeCloseTo(y - fitted, 12);
    }
    // never over a table that is there
    const again = await capture(["fit", duckFile, "--table", "hsb", "--formula", "MathAch ~ SES + (1 | School)", "--write-fitted", "hsb_fitted"]);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/^hlm: The database refused the query: .*already exists/);
  });

  it("writes the fitted values of a Parquet file's rows as a new Parquet file, and of a PostgreSQL table as a new table", async () => {
    const parquet = join(dir, "sleep.parquet");
    const out = join(dir, "sleep-fitted.parquet");
    const instance = await DuckDBInstance.create(":memory:");
    const con = await instance.connect();
    await con.run(`COPY (SELECT * FROM read_csv('${conformanceDir}sleepstudy.csv')) TO '${parquet}' (FORMAT parquet)`);
    const f = "Reaction ~ Days + (Days | Subject)";
    const r = await capture(["fit", parquet, "--formula", f, "--write-fitted", out, "--json"]);
    expect(r.code, r.err).toBe(0);
    const fitted = (await con.runAndReadAll(`SELECT fitted FROM read_parquet('${out}')`)).getRowsJS().map((x) => x[0] as number);
    con.closeSync();
    instance.closeSync();
    // the fitted values of the fit from rows (lme4's fitted_head), row for row
    const ref = references.find((x) => x.name === "sleepstudy_slopes_reml")!;
    ref.fitted_head.forEach((v, i) => expect(Math.abs(fitted[i]! - v)).toBeLessThan(1e-6 * Math.abs(v)));
    expect(fitted).toHaveLength(180);
    const again = await capture(["fit", parquet, "--formula", f, "--write-fitted", out]);
    expect(again.err).toMatch(/exists already; --write-fitted writes a new file/);
    expect((await capture(["fit", parquet, "--formula", f, "--write-fitted", "t1"])).err).toMatch(/give --write-fitted a \.parquet or \.csv file name/);
    if (postgresUrl) {
      const drop = new pg.Client({ connectionString: postgresUrl });
      await drop.connect();
      await drop.query("DROP TABLE IF EXISTS sleep_fitted");
      await drop.end();
      const p = await capture(["fit", postgresUrl, "--table", "sleepstudy", "--formula", f, "--write-fitted", "sleep_fitted"]);
      expect(p.code, p.err).toBe(0);
      const client = new pg.Client({ connectionString: postgresUrl });
      await client.connect();
      const rows = (await client.query("SELECT fitted FROM sleep_fitted")).rows.map((x: { fitted: number }) => x.fitted);
      await client.end();
      expect(rows).toHaveLength(180);
      expect(Math.min(...rows.map((v: number) => Math.min(...fitted.map((w) => Math.abs(v - w)))))).toBeLessThan(1e-9);
    }
  });

  it("prints the query for a warehouse, and fits from its result (--cross-products)", async () => {
    const printed = await capture(["sql", "--dialect", "duckdb", "--table", "hsb", "--formula", formula, "--factors", "Sector", "--columns", "School:number"]);
    expect(printed.code, printed.err).toBe(0);
    for (const d of ["postgres", "spark", "bigquery"]) expect((await capture(["sql", "--dialect", d, "--table", "hsb", "--formula", formula, "--factors", "Sector"])).out).toMatch(/^WITH\n/);
    const result = join(dir, "cross.parquet");
    const instance = await DuckDBInstance.create(duckFile);
    const con = await instance.connect();
    await con.run(`COPY (${printed.out.replace(/;\s*$/, "")}) TO '${result}' (FORMAT parquet)`);
    con.closeSync();
    instance.closeSync();
    // the result names its categorical variables and writes School as numbers: no --factors or --columns needed to read it
    const { code, out, err } = await capture(["fit", "--cross-products", result, "--formula", formula, "--json"]);
    expect(code, err).toBe(0);
    const json = JSON.parse(out);
    const memory = JSON.parse((await capture(["fit", hsb, "--formula", formula, "--json"])).out);
    expect(Math.abs(json.objective - memory.objective)).toBeLessThan(1e-9 * memory.objective);
    expect(json.ranef[0].levels).toEqual(memory.ranef[0].levels);
    expect(json.scaled_resid_quantiles).toEqual([]);
    // the same result read with another formula is refused, not misread
    const other = await capture(["fit", "--cross-products", result, "--formula", "MathAch ~ SES + (SES | School)", "--json"]);
    expect(other.code).toBe(2);
    expect(other.err).toMatch(/computed for another formula/);
    // the commands after the fit take the result too, and print what they print from the rows
    for (const command of [["anova"], ["confint"], ["icc"], ["fit", "--shrinkage"]]) {
      const fromResult = await capture([...command, "--cross-products", result, "--formula", formula]);
      expect(fromResult.code, fromResult.err).toBe(0);
      const fromRows = await capture([...command, hsb, "--formula", formula]);
      // the data's name, the residuals' quantiles (none from a result), a gradient's digits past the fifth aside
      const shown = (t: string): string => t.replace(/\((cross|hsb)\)|Data: (cross|hsb)/g, "").replace(/Scaled residuals:[\s\S]*?\n\n/, "").replace(/(max\|grad\| = \d\.\d{5})\d+/, "$1");
      expect(shown(fromResult.out), command.join(" ")).toBe(shown(fromRows.out));
    }
    expect((await capture(["influence", "--cross-products", result, "--formula", formula])).err).toMatch(/\nhlm: Influence refits the model without each group's rows, and this model was fitted from the sums a database computed/);
  });

  it("compares models through a database (lme4's anova, refitted by ML) as from rows in memory", async () => {
    const args = ["--formula", "MathAch ~ SES + (1 | School)", "--formula", "MathAch ~ SES + (SES | School)"];
    const memory = await capture(["compare", hsb, ...args, "--json"]);
    const db = await capture(["compare", duckFile, "--table", "hsb", ...args, "--json"]);
    expect(db.code, db.err).toBe(0);
    const [a, b] = [JSON.parse(db.out), JSON.parse(memory.out)];
    expect(a.refitML).toBe(true);
    expect(a.models.map((m: { name: string; npar: number; Df: number | null }) => [m.name, m.npar, m.Df])).toEqual(b.models.map((m: { name: string; npar: number; Df: number | null }) => [m.name, m.npar, m.Df]));
    a.models.forEach((m: { logLik: number }, i: number) => expect(Math.abs(m.logLik - b.models[i].logLik)).toBeLessThan(1e-6));
    // the printed table, to its printed digits
    expect((await capture(["compare", duckFile, "--table", "hsb", ...args])).out.replace("Data: hsb\n", "")).toBe((await capture(["compare", hsb, ...args])).out.replace("Data: hsb\n", ""));
  });

  it("gives lme4's type III tests, Wald and profile intervals, the ICC and R² through a database as from rows in memory", async () => {
    for (const extra of [["anova"], ["confint", "--method", "wald"], ["confint"], ["confint", "--level", "0.9"], ["icc"], ["r2"]]) {
      const [command, ...rest] = extra;
      const db = await capture([command!, duckFile, "--table", "hsb", "--formula", formula, ...rest]);
      const memory = await capture([command!, hsb, "--formula", formula, ...rest]);
      expect(db.code, db.err).toBe(0);
      expect(db.out).toBe(memory.out);
    }
  });

  it("predicts new rows from a database's fit as from the rows in memory, a new school by the population's line", async () => {
    const lines = readFileSync(hsb, "utf8").trim().split("\n");
    const header = lines[0]!.split(",").map((h) => h.replace(/"/g, ""));
    const school = header.indexOf("School");
    const newRow = lines[1]!.split(",").map((v, i) => (i === school ? "99999" : v)).join(",");
    const newCsv = join(dir, "hsb_new.csv");
    writeFileSync(newCsv, [...lines.slice(0, 6), newRow].join("\n") + "\n");
    const db = await capture(["predict", duckFile, "--table", "hsb", "--formula", formula, "--newdata", newCsv, "--json"]);
    const memory = await capture(["predict", hsb, "--formula", formula, "--newdata", newCsv, "--json"]);
    expect(db.code, db.err).toBe(0);
    const [a, b] = [JSON.parse(db.out), JSON.parse(memory.out)] as { fit: number; population: number; se: number; new_levels: string[] }[][];
    expect(a).toHaveLength(6);
    a!.forEach((row, i) => {
      for (const k of ["fit", "population", "se"] as const) expect(Math.abs(row[k] - b![i]![k])).toBeLessThan(1e-6);
      expect(row.new_levels).toEqual(b![i]!.new_levels);
    });
    expect(a![5]!.new_levels).toEqual(["School"]);
    expect(a![5]!.fit).toBe(a![5]!.population);
    expect(a![0]!.fit).not.toBe(a![0]!.population);
    // a level of a fixed factor the fit has not seen: refused as from rows, naming the row
    writeFileSync(newCsv, [lines[0], lines[1]!.replace('"Public"', '"Private"')].join("\n") + "\n");
    const bad = await capture(["predict", duckFile, "--table", "hsb", "--formula", formula, "--newdata", newCsv]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/\nhlm: Row 2 of the new data has 'Private' in 'Sector', which is not a level of 'Sector' in the fitted data \(Catholic, Public\)\.\n$/);
    const lastLine = (t: string): string => t.trim().split("\n").at(-1)!;
    expect(lastLine(bad.err)).toBe(lastLine((await capture(["predict", hsb, "--formula", formula, "--newdata", newCsv])).err));
  });

  it("refuses what needs the rows, in one sentence", async () => {
    const cases: [string[], RegExp][] = [
      [["--family", "binomial"], /--family cannot be used when a database computes the sums: a generalized linear mixed model is fitted by repeated passes over the rows/],
      [["--correlation", "corAR1()"], /--correlation cannot be used when a database computes the sums/],
    ];
    for (const [extra, message] of cases) {
      const r = await capture(["fit", duckFile, "--table", "hsb", "--formula", formula, ...extra]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
    }
    const ns = await capture(["fit", duckFile, "--table", "hsb", "--formula", "MathAch ~ ns(SES, 2) + (1 | School)"]);
    expect(ns.err).toMatch(/^hlm: ns\(\) \(position 11 of .*\) cannot be computed in SQL; fit this model from a CSV or Excel file instead\.\n$/);
    const unknown = await capture(["fit", duckFile, "--table", "hsb", "--formula", "MathAch ~ SEX + (1 | School)"]);
    expect(unknown.err).toMatch(/Unknown column 'SEX' at position 11 .*did you mean 'Sex'/);
    const missing = await capture(["fit", duckFile, "--table", "nope", "--formula", formula]);
    expect(missing.err).toMatch(/^hlm: Cannot read .* table 'nope': /);
    expect((await capture(["fit", hsb, "--formula", formula, "--write-fitted", "t"])).err).toMatch(/--write-fitted is for data a database reads/);
    // what needs the rows, in the other commands
    for (const [command, message, extra] of [
      ["confint", /^hlm: Bootstrap intervals refit the model to responses simulated row by row, and this model was fitted from the sums a database computed, without its rows; fit it from the rows/m, ["--method", "boot"]],
      ["influence", /^hlm: Influence refits the model without each group's rows/m],
    ] as [string, RegExp, string[]?][]) {
      const r = await capture([command, duckFile, "--table", "hsb", "--formula", formula, ...(extra ?? [])]);
      expect(r.code, command).toBe(2);
      expect(r.err, command).toMatch(message);
    }
  });
});

describe("transforms, factors, weights, offsets and missing values through DuckDB and PostgreSQL", () => {
  // sleepstudy and hsb with a weights column and missing cells, as CSV for the rows and as tables for the databases
  const csv = join(dir, "extra.csv");
  const hsbCsv = join(dir, "hsbx.csv");
  const cases: { data: string; table: string; formula: string; options: { REML?: boolean; factors?: string[]; weights?: string } }[] = [
    { data: csv, table: "extra", formula: "log(Reaction) ~ scale(Days) + I(Days^2) + (Days | Subject)", options: {} },
    { data: csv, table: "extra", formula: "Reaction ~ Days + offset(0.5 * Days) + (1 | factor(Subject))", options: { REML: false } },
    { data: csv, table: "extra", formula: "Reaction ~ Days + (Days || Subject)", options: { weights: "w" } },
    { data: csv, table: "extra", formula: "sqrt(Reaction) ~ Days + (1 | Subject)", options: { factors: ["Days"] } },
    { data: hsbCsv, table: "hsbx", formula: "MathAch ~ SES * Sector + Sex + log10(MEANSES + 2) + exp(-abs(SES)) + (SES | School)", options: {} },
    { data: csv, table: "extra", formula: "Reaction ~ 0 + Days + (0 + Days | Subject) + (1 | Subject)", options: {} },
    // crossed factors with a random slope in the dense tail (its level's 2 × 2 blocks below the subjects' nodes)
    { data: csv, table: "extra", formula: "Reaction ~ Days + (1 | Subject) + (Days | cohort)", options: {} },
    { data: hsbCsv, table: "hsbx", formula: "MathAch ~ SES + (0 + Sector | School)", options: {} },
    { data: hsbCsv, table: "hsbx", formula: "MathAch ~ Minority:Sector + I(SES / 2) + (1 | School) + (1 | Sector:Sex)", options: { weights: "w" } },
    // R's comparisons: a logical variable (FALSE, TRUE), 1 and 0 in arithmetic, a text column against a quoted text
    { data: csv, table: "extra", formula: "Reaction ~ I(Days > 4) + I(Days * (Days <= 2)) + (1 | Subject)", options: {} },
    { data: hsbCsv, table: "hsbx", formula: 'MathAch ~ I(Sex == "Female") * SES + (SES | School)', options: {} },
    // R's poly(): the recurrence over every row (those a missing Sex drops too), in an interaction
    { data: hsbCsv, table: "hsbx", formula: "MathAch ~ poly(MEANSES, 3) * Sector + Sex + (1 | School)", options: {} },
  ];
  beforeAll(async () => {
    const instance = await DuckDBInstance.create(duckFile);
    const con = await instance.connect();
    // weights from 1 to 3, and a few missing cells (a response, a predictor, a group, a weight)
    await con.run(`CREATE TABLE extra AS SELECT Reaction, Days, Subject, 1 + (row_number() OVER () % 3) AS w, 'c' || CAST(Days % 3 AS VARCHAR) AS cohort FROM sleepstudy`);
    await con.run(`UPDATE extra SET Reaction = NULL WHERE Days = 3 AND Subject IN (308, 309)`);
    await con.run(`UPDATE extra SET Days = NULL WHERE Reaction > 450`);
    await con.run(`CREATE TABLE hsbx AS SELECT *, 0.5 + (row_number() OVER () % 4) / 2 AS w FROM hsb`);
    await con.run(`UPDATE hsbx SET SES = NULL WHERE MathAch < 0`);
    await con.run(`UPDATE hsbx SET Sex = NULL WHERE MathAch > 24.5`);
    await con.run(`COPY extra TO '${csv}' (FORMAT csv, HEADER)`);
    await con.run(`COPY hsbx TO '${hsbCsv}' (FORMAT csv, HEADER)`);
    if (postgresUrl) {
      const client = new pg.Client({ connectionString: postgresUrl });
      await client.connect();
      for (const t of ["extra", "hsbx"]) {
        const described = (await con.runAndReadAll(`DESCRIBE ${t}`)).getRowsJS();
        const types = described.map((r) => (/INT/.test(String(r[1])) ? "bigint" : /DOUBLE|FLOAT|DECIMAL/.test(String(r[1])) ? "double precision" : "text"));
        await client.query(`DROP TABLE IF EXISTS ${t}`);
        await client.query(`CREATE TABLE ${t} (${described.map((r, i) => `"${String(r[0])}" ${types[i]}`).join(", ")})`);
        const rows = (await con.runAndReadAll(`SELECT * FROM ${t}`)).getRowsJS();
        const arrays = described.map((_, j) => rows.map((r) => (typeof r[j] === "bigint" ? Number(r[j]) : r[j])));
        await client.query(`INSERT INTO ${t} SELECT * FROM unnest(${types.map((ty, j) => `$${j + 1}::${ty}[]`).join(", ")})`, arrays);
      }
      await client.end();
    }
    con.closeSync();
    instance.closeSync();
  });
  it("fits a response far from 0 as the rows' fit does (centred first), the shift back in the intercept and the groups' own regressions", async () => {
    // the rows' reference is fitModel's (which centres y too): makeObjective on y ~ 1e6 itself would lose digits
    const formula = "I(Reaction + 1e6) ~ Days + (Days | Subject)";
    const model = buildModel(readCsv(readFileSync(csv, "utf8")), formula);
    const want = fitModel(model);
    const db = await openSqlData(duckFile, { table: "extra" });
    try {
      const plan = planCrossProducts(formula, db.columns, {});
      const result = await db.query(crossProductsQuery(plan, db.source, db.dialect));
      const names = ["block", ...plan.categorical.map((_, k) => `k${k}`), "n", ...Array.from({ length: result[0]!.length - plan.categorical.length - 2 }, (_, s) => `s${s}`)];
      const summed = modelFromSums(plan, sumsRows(plan, names, result));
      expect(summed.shift).toBeGreaterThan(1e6);
      const got = fitSummedModel(summed);
      got.fixef.forEach((v, i) => expect(Math.abs(v - want.fixef[i]!)).toBeLessThan(1e-5 * want.se[i]!));
      expect(rel(got.sigma, want.sigma)).toBeLessThan(1e-7);
      const [a, b] = [shrinkageTable(summed.model, got), shrinkageTable(model, want)];
      expect(a.n).toEqual(b.n);
      a.ols.forEach((r, l) => r.forEach((v, j) => expect(Math.abs(v! - b.ols[l]![j]!), `${a.levels[l]} ${a.columns[j]}`).toBeLessThan(1e-9 * Math.abs(b.ols[l]![j]!))));
      expect(a.ols[0]![0]).toBeGreaterThan(1e6);
    } finally {
      await db.close();
    }
  });

  it("refuses poly() of a variable with missing values, as R's poly() does, counting the rows", async () => {
    const polyNa = await capture(["fit", duckFile, "--table", "hsbx", "--formula", "MathAch ~ poly(SES, 2) + (1 | School)"]);
    expect(polyNa.code).toBe(2);
    expect(polyNa.err).toMatch(/^hlm: 'poly\(SES, 2\)' \(formula position 16\) cannot be computed because 'SES' has no value in 212 rows and R's poly\(\) takes no missing values: leave out the rows without it \(--where\), or use poly\(…, raw = TRUE\)\.\n$/);
    // raw powers drop those rows as any variable's missing values
    const raw = await capture(["fit", duckFile, "--table", "hsbx", "--formula", "MathAch ~ poly(SES, 2, raw = TRUE) + (1 | School)", "--json"]);
    expect(raw.code, raw.err).toBe(0);
    expect(raw.err).toMatch(/212 rows with missing values dropped \('poly\(SES, 2, raw = TRUE\)' missing in 212\)/);
  });

  it("refuses the ICC and R² from weighted sums in one sentence (the moments they need are unweighted)", async () => {
    const weighted = await capture(["icc", duckFile, "--table", "hsbx", "--formula", "MathAch ~ SES + (1 | School)", "--weights", "w"]);
    expect(weighted.code).toBe(2);
    expect(weighted.err).toMatch(/\nhlm: The ICC and R² are unweighted variances over the rows, and this model's sums were computed with prior weights; fit it from the rows, or compute the sums without weights\.\n$/);
  });
  for (const engine of engines) {
    for (const c of cases) {
      it(`${engine.name}: ${c.formula}${c.options.weights ? " (weights)" : ""}${c.options.factors ? ` (factors ${c.options.factors})` : ""}`, async () => {
        const table = readCsv(readFileSync(c.data, "utf8"));
        const model = buildModel(table, c.formula, c.options);
        const objective = makeObjective(model);
        const opt = optimize(objective);
        const g = makeFit(model, objective, opt);
        expect(g.nobs).toBeLessThan(model.nDropped + g.nobs);
        const db = await engine.open(c.table);
        try {
          const plan = planCrossProducts(c.formula, db.columns, c.options);
          const result = await db.query(crossProductsQuery(plan, db.source, db.dialect));
          const names = ["block", ...plan.categorical.map((_, k) => `k${k}`), "n", ...Array.from({ length: result[0]!.length - plan.categorical.length - 2 }, (_, s) => `s${s}`)];
          const summed = modelFromSums(plan, sumsRows(plan, names, result));
          for (const [key, b] of Object.entries(model.bases)) {
            const got = summed.model.bases[key] as { center: number; scale: number };
            const want = b as { center: number; scale: number };
            expect(rel(got.center, want.center)).toBeLessThan(1e-12);
            expect(rel(got.scale, want.scale)).toBeLessThan(1e-12);
          }
          sameAtTheta(summed, g, opt, c.options, objective, { table, model, profile: engine.name === "DuckDB" });
        } finally {
          await db.close();
        }
      });
    }
  }
});

describe("the model frame's checks on a database's rows, as on rows in memory", () => {
  // small tables made for each check, in DuckDB; the same sentence (or the same fit) as from a CSV file of the same rows
  const cases: { name: string; create: string; csv?: string; formula: string; weights?: string; expect: RegExp | "same" }[] = [
    // a true/false column is R's logical: levels FALSE and TRUE (lme4's lateTRUE); in the CSV file written so
    { name: "a boolean column", create: "SELECT Reaction, Days, Subject, Days >= 5 AS late FROM sleepstudy", csv: "SELECT Reaction, Days, Subject, CASE WHEN late THEN 'TRUE' ELSE 'FALSE' END AS late FROM t", formula: "Reaction ~ late + (1 | Subject)", expect: "same" },
    { name: "a response in units far from 1 (divided by a power of 2 to fit)", create: "SELECT Reaction * 1e30 AS Reaction, Days, Subject FROM sleepstudy", formula: "Reaction ~ Days + (Days | Subject)", expect: "same" },
    { name: "a response far from 0 (its mean taken out to fit)", create: "SELECT Reaction + 1e9 AS Reaction, Days, Subject FROM sleepstudy", formula: "Reaction ~ Days + (Days | Subject)", expect: "same" },
    { name: "a rank-deficient X", create: "SELECT Reaction, Days, 2 * Days AS twice, Subject FROM sleepstudy", formula: "Reaction ~ Days + twice + (1 | Subject)", expect: "same" },
    { name: "no row left", create: "SELECT CAST(NULL AS DOUBLE) AS Reaction, Days, Subject FROM sleepstudy", formula: "Reaction ~ Days + (1 | Subject)", expect: /'Reaction' is missing \(empty or NA\) in all 180 rows of the data; no rows are left to fit/ },
    { name: "a response that does not vary", create: "SELECT 250.0 AS Reaction, Days, Subject FROM sleepstudy", formula: "Reaction ~ Days + (1 | Subject)", expect: /'Reaction' has the same value in all 180 rows used; there is no variation to model/ },
    { name: "one level", create: "SELECT Reaction, Days, 'S' AS Subject FROM sleepstudy", formula: "Reaction ~ Days + (1 | Subject)", expect: /The grouping factor 'Subject' has only 1 level in the rows used/ },
    { name: "a weight of 0", create: "SELECT Reaction, Days, Subject, CASE WHEN Days = 3 THEN 0 ELSE 1 END AS w FROM sleepstudy", formula: "Reaction ~ Days + (1 | Subject)", weights: "w", expect: /Weights must be positive: 'w' is 0 in a row used/ },
    { name: "a value too large", create: "SELECT Reaction * 1e200 AS Reaction, Days, Subject FROM sleepstudy", formula: "Reaction ~ Days + (1 | Subject)", expect: /'Reaction' is too large to fit: it reaches .*, and values beyond 1e100 overflow the computations; rescale it/ },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const file = join(dir, `check-${c.name.replace(/\W+/g, "-")}.duckdb`);
      const instance = await DuckDBInstance.create(file);
      const con = await instance.connect();
      await con.run(`CREATE TABLE sleepstudy AS SELECT * FROM read_csv('${conformanceDir}sleepstudy.csv')`);
      await con.run(`CREATE TABLE t AS ${c.create}`);
      const csv = join(dir, `check-${c.name.replace(/\W+/g, "-")}.csv`);
      await con.run(`COPY (${c.csv ?? "SELECT * FROM t"}) TO '${csv}' (FORMAT csv, HEADER)`);
      con.closeSync();
      instance.closeSync();
      const extra = c.weights ? ["--weights", c.weights] : [];
      const db = await capture(["fit", file, "--table", "t", "--formula", c.formula, "--json", ...extra]);
      if (c.expect === "same") {
        const memory = await capture(["fit", csv, "--formula", c.formula, "--json", ...extra]);
        expect(db.code, db.err).toBe(0);
        const [a, b] = [JSON.parse(db.out), JSON.parse(memory.out)];
        expect(Object.keys(a.fixef)).toEqual(Object.keys(b.fixef));
        if (c.csv) expect(Object.keys(a.fixef)).toEqual(["(Intercept)", "lateTRUE"]);
        expect(Math.abs(a.objective - b.objective)).toBeLessThan(1e-9 * b.objective);
        expect(db.err).toBe(memory.err);
      } else {
        expect(db.code).toBe(2);
        expect(db.err).toMatch(c.expect);
      }
    });
  }
});

describe("R's formula habits (the formula conformance set) through DuckDB", () => {
  // each reference of packages/core/test/conformance-formula: through DuckDB the same fit at the same θ and lme4's
  // numbers from its own optimizer run, or (ns(), bs(), interaction() need the rows) one sentence saying so
  const habitsDir = join(conformanceDir, "../conformance-formula/");
  const habits = loadReferences(habitsDir);
  let fitted = 0;
  afterAll(() => {
    // most habits go through SQL; the count keeps it so
    expect(fitted).toBe(32);
  });
  for (const ref of habits) {
    it(`${ref.name}: ${ref.formula}`, async () => {
      const db = await openSqlData(join(habitsDir, `${ref.dataset}.csv`), { engine: "duckdb" });
      try {
        let plan: ReturnType<typeof planCrossProducts>;
        try {
          plan = planCrossProducts(ref.formula, db.columns, { REML: ref.REML, factors: ref.factors });
        } catch (e) {
          expect(String((e as Error).message)).toMatch(/^(ns|bs|interaction)\(\) \(position \d+ of '.*'\) cannot be computed in SQL; fit this model from a CSV or Excel file instead\.$/);
          return;
        }
        const result = await db.query(crossProductsQuery(plan, db.source, db.dialect));
        const names = ["block", ...plan.categorical.map((_, k) => `k${k}`), "n", ...Array.from({ length: result[0]!.length - plan.categorical.length - 2 }, (_, s) => `s${s}`)];
        const summed = modelFromSums(plan, sumsRows(plan, names, result));
        const table = readCsv(readFileSync(join(habitsDir, `${ref.dataset}.csv`), "utf8"));
        const model = buildModel(table, ref.formula, { REML: ref.REML, factors: ref.factors });
        const objective = makeObjective(model);
        const opt = optimize(objective);
        sameAtTheta(summed, makeFit(model, objective, opt), opt, {}, objective, { table, model });
        const own = fitSummedModel(summed);
        expect(compareWithReference(fitToJson(own, { dataset: ref.dataset, factors: ref.factors }), { ...ref, fitted_head: [], scaled_resid_quantiles: [] })).toEqual([]);
        fitted++;
      } finally {
        await db.close();
      }
    });
  }
});

describe("model shapes through DuckDB: the objective from sums is the rows' at any θ", () => {
  // a made-up table: three nested levels, crossed factors, numeric and text predictors, weights, offsets, missing cells
  const file = join(dir, "shapes.duckdb");
  const csv = join(dir, "shapes.csv");
  beforeAll(async () => {
    const instance = await DuckDBInstance.create(file);
    const con = await instance.connect();
    await con.run(`CREATE TABLE t AS SELECT 'a' || CAST(i % 7 AS VARCHAR) AS a, 'b' || CAST(i % 13 AS VARCHAR) AS b, i % 40 AS cls, (i % 40) % 8 AS sch,
      CASE WHEN i % 3 = 0 THEN 'x' WHEN i % 3 = 1 THEN 'y' ELSE 'z' END AS f, ((hash(i) % 1000) / 100.0) - 5 AS x1, ((hash(i * 3) % 1000) / 250.0) AS x2,
      1 + (i % 4) / 2.0 AS w, ((hash(i * 7) % 1000) / 100.0) + (i % 40) * 0.3 + (i % 7) * 0.5 AS y FROM range(1200) r(i)`);
    await con.run("UPDATE t SET x1 = NULL WHERE (hash(x2) % 97) = 0");
    await con.run(`COPY t TO '${csv}' (FORMAT csv, HEADER)`);
    con.closeSync();
    instance.closeSync();
  });
  const shapes: [string, { REML?: boolean; factors?: string[]; weights?: string }][] = [
    ["y ~ x1 + (1 | sch/cls)", {}],
    ["y ~ x1 + (x1 | sch) + (1 | cls)", { factors: ["sch", "cls"] }],
    ["y ~ x1 * f + (x1 | a) + (x2 | b)", {}],
    ["y ~ x1 + (f | a)", {}],
    ["y ~ x1 + x2 + (1 | a) + (1 | b) + (1 | a:b)", {}],
    ["y ~ f + (0 + f | sch) + (1 | a)", {}],
    ["y ~ x1 + offset(x2) + (x1 || a) + (1 | b)", { weights: "w" }],
    ["log(y + 10) ~ scale(x1) * x2 + (1 + x2 | b) + (1 | a)", { REML: false }],
    ["y ~ 1 + (1 | a) + (x1 + x2 | b)", {}],
  ];
  for (const [formula, options] of shapes) {
    it(`${formula}${options.weights ? " (weights)" : ""}`, async () => {
      const db = await openSqlData(file, { table: "t" });
      try {
        const plan = planCrossProducts(formula, db.columns, options);
        const result = await db.query(crossProductsQuery(plan, db.source, db.dialect));
        const names = ["block", ...plan.categorical.map((_, k) => `k${k}`), "n", ...Array.from({ length: result[0]!.length - plan.categorical.length - 2 }, (_, s) => `s${s}`)];
        const summed = modelFromSums(plan, sumsRows(plan, names, result));
        const rows = makeObjective(buildModel(readCsv(readFileSync(csv, "utf8")), formula, options));
        const sums = makeObjective(summed.model, summed.cross);
        for (const step of [0.05, 0.3, 0.9]) {
          const theta = rows.layout.initial.map((v, i) => v + step * ((i % 3) + 1));
          expect(rel(sums.evaluate(theta), rows.evaluate(theta))).toBeLessThan(1e-10);
        }
      } finally {
        await db.close();
      }
    });
  }
});
