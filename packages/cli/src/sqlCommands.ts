import { existsSync } from "node:fs";
import { extname } from "node:path";
import {
  coefficientTable,
  compareFits,
  REFIT_NOTE,
  type ModelComparison,
  crossProductsQuery,
  declaredColumns,
  exactQuantiles,
  fitSummedModel,
  fitToJson,
  formatSummary,
  HlmError,
  modelFromSums,
  parseDialect,
  planCrossProducts,
  randomEffectsTable,
  residualsQuery,
  shrinkageResultTable,
  shrinkageTable,
  summaryTable,
  sumsLayout,
  resultCategoricals,
  sumsRows,
  type CrossProductPlan,
  type LmmFit,
  type ResidualsOutput,
  type FitOptions,
  type Model,
  type SummedModel,
  type SumsOptions,
  type SqlColumn,
  type SumsRow,
} from "@hlm/core";
import { ddfMethod, modelOptions, oneFormula } from "./commandInputs.js";
import type { CommandLine } from "./parseCommandLine.js";
import { PROGRESS_DELAY_MS, withProgress, type Io } from "./progress.js";
import { isSqlData, openSqlData, type SqlData } from "./sqlData.js";
import { writeXlsx } from "./writeXlsx.js";
import { shrinkageJson, shrinkageText } from "./shrinkageOutput.js";

/** Whether `hlm fit` goes through a database (a Parquet, DuckDB or PostgreSQL source, --engine duckdb, or --cross-products). */
export function fitsInDatabase(cl: CommandLine): boolean {
  const v = cl.values;
  if (v["cross-products"] !== undefined) return true;
  for (const o of ["write-fitted", "where"]) if (v[o] !== undefined && cl.positionals.length === 1 && !isSqlData(cl.positionals[0]!, stringOptions(v))) throw new HlmError("OPTIONS", `--${o} is for data a database reads (Parquet, DuckDB, PostgreSQL, or --engine duckdb).`);
  return cl.positionals.length === 1 && isSqlData(cl.positionals[0]!, stringOptions(v));
}

const stringOptions = (v: CommandLine["values"]): { table?: string; where?: string; engine?: string } => ({
  ...(typeof v.table === "string" ? { table: v.table } : {}),
  ...(typeof v.where === "string" ? { where: v.where } : {}),
  ...(typeof v.engine === "string" ? { engine: v.engine } : {}),
});

/** Options of hlm fit that need the rows in memory, refused for a database's sums with the reason. */
function refuseRowOptions(values: CommandLine["values"]): void {
  const needRows: [string, boolean, string][] = [
    ["family", values.family !== undefined, "a generalized linear mixed model is fitted by repeated passes over the rows (PIRLS at every step)"],
    ["correlation", values.correlation !== undefined, "a residual correlation structure changes the rows' weights at every step"],
    ["variance", values.variance !== undefined, "a residual variance function changes the rows' weights at every step"],
    ["sheet", values.sheet !== undefined, "it names a sheet of an .xlsx file"],
    ["repeat", values.repeat !== undefined, "it times fits of data in memory"],
  ];
  const hit = needRows.find(([, given]) => given);
  if (hit) throw new HlmError("OPTIONS", `--${hit[0]} cannot be used when a database computes the sums: ${hit[2]}; fit from a CSV or Excel file (a sample, if the table is large).`);
  if (ddfMethod(values) === "containment") throw new HlmError("OPTIONS", "--ddf containment needs the rows (which columns vary within which groups); use --ddf satterthwaite (the default).");
}

/** The options of `declaredColumns` from the command line: --factors, --weights, --columns. */
function declaredOptions(values: CommandLine["values"]): { factors: string[]; weights?: string; kinds?: string } {
  const { factors, weights } = modelOptions(values);
  return { factors, ...(weights !== undefined ? { weights } : {}), ...(typeof values.columns === "string" ? { kinds: values.columns } : {}) };
}

/** The columns hlm sql assumes: grouping factors and --factors text, others numbers, unless --columns says otherwise. */
export function declaredColumnsOf(formula: string, values: CommandLine["values"]): SqlColumn[] {
  return declaredColumns(formula, declaredOptions(values));
}

/** `hlm sql`: the query of a model's sums, in a dialect. */
export function runSql(cl: CommandLine, io: Io): number {
  const { values } = cl;
  if (cl.positionals.length > 0) throw new HlmError("OPTIONS", `hlm sql reads no data file (got ${cl.positionals.join(", ")}): name the table with --table.`);
  if (typeof values.dialect !== "string") throw new HlmError("OPTIONS", "Give the SQL dialect: --dialect duckdb, postgres, spark or bigquery.");
  const dialect = parseDialect(values.dialect);
  if (typeof values.table !== "string") throw new HlmError("OPTIONS", "Name the table the rows are in: --table T (or schema.table).");
  const formula = oneFormula(values);
  const { factors, weights } = modelOptions(values);
  const plan = planCrossProducts(formula, declaredColumnsOf(formula, values), { factors, ...(weights !== undefined ? { weights } : {}) });
  io.stdout(`${crossProductsQuery(plan, { table: values.table, ...(typeof values.where === "string" ? { where: values.where } : {}) }, dialect)};\n`);
  return 0;
}

/** `hlm fit` where a database computes the sums: a Parquet, DuckDB or PostgreSQL source, a CSV file with --engine duckdb, or --cross-products. */
export async function runFitSql(cl: CommandLine, io: Io): Promise<number> {
  const { values } = cl;
  refuseRowOptions(values);
  const formula = oneFormula(values);
  const options = modelOptions(values);
  const ddf = ddfMethod(values);
  const xlsx = typeof values.xlsx === "string" ? values.xlsx : undefined;
  const crossFile = typeof values["cross-products"] === "string" ? values["cross-products"] : undefined;
  let data: SqlData | null = null;
  try {
    const seconds = { sums: 0, fit: 0 };
    const { fit, name, model } = await withProgress(io, PROGRESS_DELAY_MS, async (progress) => {
      let plan: CrossProductPlan;
      let rows: SumsRow[];
      let name: string;
      if (crossFile !== undefined) {
        progress.update(`reading ${crossFile}`);
        ({ plan, rows, name } = await readCrossProducts(cl, crossFile, formula, options));
      } else {
        if (cl.positionals.length !== 1) throw new HlmError("OPTIONS", "Name the data: a Parquet or DuckDB file, a postgresql:// URL, or a CSV file with --engine duckdb.");
        data = await openSqlData(cl.positionals[0]!, { ...stringOptions(values), write: typeof values["write-fitted"] === "string" });
        plan = planCrossProducts(formula, data.columns, options);
        progress.update(`computing the sums in ${data.dialect === "duckdb" ? "DuckDB" : "PostgreSQL"}`);
        const layout = sumsLayout(plan);
        const names = ["block", ...Array.from({ length: layout.keys }, (_, k) => `k${k}`), "n", ...Array.from({ length: layout.sums }, (_, s) => `s${s}`)];
        const t0 = performance.now();
        rows = sumsRows(plan, names, await data.query(crossProductsQuery(plan, data.source, data.dialect)));
        seconds.sums = (performance.now() - t0) / 1000;
        name = data.name;
      }
      progress.update("building the model");
      const t1 = performance.now();
      const summed = modelFromSums(plan, rows);
      const criterion = options.REML === false ? "deviance" : "REML criterion";
      const fit: LmmFit = fitSummedModel(summed, { ...options, onProgress: (p) => void progress.update(`fitting: ${p.evaluations} evaluations, ${criterion} ${p.bestObjective.toFixed(2)}`) });
      seconds.fit = (performance.now() - t1) / 1000;
      if (data) {
        progress.update("the scaled residuals' quantiles");
        const db: SqlData = data;
        // each cell's coefficients as a temporary table, which the passes over the rows join
        const coef = coefficientTable(plan, summed.design, fit);
        const coefName = `hlm_coef_${process.pid}`;
        await db.loadTemporary(coefName, coef.columns, coef.rows);
        fit.scaledResidQuantiles = await exactQuantiles((output) => db.query(residualsQuery(plan, summed.design, fit, db.source, db.dialect, output, coefName)), [0, 0.25, 0.5, 0.75, 1]);
        if (typeof values["write-fitted"] === "string") {
          const target = values["write-fitted"];
          progress.update(`writing ${target}`);
          const columns = db.columns.map((c) => c.name);
          const format = /\.(parquet|csv)$/i.exec(target)?.[1]?.toLowerCase() as "parquet" | "csv" | undefined;
          let output: ResidualsOutput;
          if (format !== undefined) {
            // never over a file that is there
            if (existsSync(target)) throw new HlmError("OPTIONS", `'${target}' exists already; --write-fitted writes a new file (remove it, or name another).`);
            output = { file: target, format, columns };
          } else {
            const table = db.tableName(target);
            if (table === null) throw new HlmError("OPTIONS", `Rows read from a file have no database to hold the table '${target}': give --write-fitted a .parquet or .csv file name.`);
            output = { table, columns };
          }
          await db.execute(residualsQuery(plan, summed.design, fit, db.source, db.dialect, output, coefName));
        }
      }
      return { fit, name, model: summed.model };
    });
    // the shrinkage table from each level's sums (unweighted, as lm() on the group's rows: not from weighted sums)
    const shrinkage = values.shrinkage || (xlsx !== undefined && model.summed?.moments) ? shrinkageTable(model, fit) : null;
    const sheets = xlsx === undefined ? [] : [summaryTable(fit, name, { ddf }), randomEffectsTable(fit), ...(shrinkage ? [shrinkageResultTable(shrinkage)] : [])];
    if (xlsx !== undefined) await writeXlsx(xlsx, sheets);
    if (values.json) {
      // fit_seconds: the fit from the sums (as hlm fit's on rows in memory, the data already read); sums_seconds: the database's query
      const json = {
        ...fitToJson(fit, { dataset: name, factors: options.factors, ddf, ...(options.weights !== undefined ? { weights: options.weights } : {}) }),
        fit_seconds: seconds.fit,
        sums_seconds: seconds.sums,
        ...(values.shrinkage && shrinkage ? { shrinkage: shrinkageJson(shrinkage) } : {}),
      };
      io.stdout(JSON.stringify(json, null, 2) + "\n");
      for (const w of fit.warnings) io.stderr(`hlm: warning: ${w.message}\n`);
    } else {
      io.stdout(formatSummary(fit, { dataName: name, ddf }));
      if (values.shrinkage && shrinkage) io.stdout(shrinkageText(shrinkage));
    }
    if (typeof values["write-fitted"] === "string") io.stderr(`hlm: wrote ${/\.(parquet|csv)$/i.test(values["write-fitted"]) ? "" : "the table "}${values["write-fitted"]} (the rows used, with fitted and residual)\n`);
    if (xlsx !== undefined) io.stderr(`hlm: wrote ${xlsx} (sheets ${sheets.map((t) => t.sheetName).join(", ")})\n`);
    return 0;
  } finally {
    if (data) await (data as SqlData).close();
  }
}

/**
 * A warehouse's result (`--cross-products`, the query hlm sql prints, run elsewhere and saved as
 * Parquet or CSV) read back for a formula: its plan (the result names its categorical variables),
 * its rows, and its name for the summaries.
 */
async function readCrossProducts(cl: CommandLine, crossFile: string, formula: string, options: SumsOptions): Promise<{ plan: CrossProductPlan; rows: SumsRow[]; name: string }> {
  const { values } = cl;
  if (cl.positionals.length > 0) throw new HlmError("OPTIONS", `With --cross-products the sums are the data: give no DATA (got ${cl.positionals.join(", ")}).`);
  if (values["write-fitted"] !== undefined || values.where !== undefined) throw new HlmError("OPTIONS", "--write-fitted and --where need the rows; with --cross-products there are only their sums.");
  const file = await openSqlData(crossFile, extname(crossFile).toLowerCase() === ".parquet" ? {} : { engine: "duckdb" });
  let result: unknown[][];
  try {
    result = await file.query(`SELECT * FROM ${file.source.from!}`);
  } finally {
    await file.close();
  }
  const names = file.columns.map((c) => c.name);
  const blockAt = names.findIndex((n) => n.toLowerCase() === "block");
  // the result names its categorical variables: the plan takes them as such
  const categorical = resultCategoricals(result.map((r) => r[blockAt]));
  const plan = planCrossProducts(formula, declaredColumns(formula, { ...declaredOptions(values), categorical }), options);
  return { plan, rows: sumsRows(plan, names, result), name: crossFile.replace(/^.*[\\/]/, "").replace(/\.[^.]*$/, "") };
}

/** One formula's model from an open database's sums (one query), fitted: lme4's fit as from rows, without the rows. */
export async function fitFromDatabase(data: SqlData, formula: string, options: SumsOptions, fitOptions: FitOptions = {}): Promise<{ model: Model; fit: LmmFit; sums: SummedModel }> {
  const plan = planCrossProducts(formula, data.columns, options);
  const layout = sumsLayout(plan);
  const names = ["block", ...Array.from({ length: layout.keys }, (_, k) => `k${k}`), "n", ...Array.from({ length: layout.sums }, (_, s) => `s${s}`)];
  const summed = modelFromSums(plan, sumsRows(plan, names, await data.query(crossProductsQuery(plan, data.source, data.dialect))));
  return { model: summed.model, fit: fitSummedModel(summed, fitOptions), sums: summed };
}

/**
 * An inference command's model and fit where a database computes the sums (hlm anova, confint,
 * predict, icc, r2, influence on a Parquet, DuckDB or PostgreSQL source), and the sums themselves
 * (the profiles' A): what needs the rows then says so (`requireRows`).
 */
export async function inferenceInDatabase(cl: CommandLine, io: Io, formula: string, options: SumsOptions & FitOptions): Promise<{ model: Model; fit: LmmFit; name: string; sums: SummedModel }> {
  refuseRowOptions(cl.values);
  const crossFile = cl.values["cross-products"];
  if (typeof crossFile === "string") {
    // a warehouse's result: the model from its sums, as hlm fit --cross-products has it
    return withProgress(io, PROGRESS_DELAY_MS, async (progress) => {
      progress.update(`reading ${crossFile}`);
      const { plan, rows, name } = await readCrossProducts(cl, crossFile, formula, options);
      const summed = modelFromSums(plan, rows);
      return { model: summed.model, fit: fitSummedModel(summed, options), name, sums: summed };
    });
  }
  const data = await openSqlData(cl.positionals[0]!, stringOptions(cl.values));
  try {
    const fitted = await withProgress(io, PROGRESS_DELAY_MS, async (progress) => {
      progress.update(`computing the sums in ${data.dialect === "duckdb" ? "DuckDB" : "PostgreSQL"}`);
      return fitFromDatabase(data, formula, options, options);
    });
    return { ...fitted, name: data.name };
  } finally {
    await data.close();
  }
}

/**
 * `hlm compare` where a database computes the sums: each --formula fitted by maximum likelihood from
 * its own query's sums (REML fits are refitted so, as lme4's anova does), then the likelihood-ratio
 * tests as from rows in memory.
 */
export async function compareInDatabase(cl: CommandLine, io: Io): Promise<{ comparison: ModelComparison; dataset: string }> {
  const { values } = cl;
  refuseRowOptions(values);
  if (values["cross-products"] !== undefined || values["write-fitted"] !== undefined) throw new HlmError("OPTIONS", "hlm compare takes no --cross-products or --write-fitted.");
  const formulas = Array.isArray(values.formula) ? values.formula : [];
  if (formulas.length < 2) throw new HlmError("OPTIONS", `Give at least two models to compare, each with --formula; got ${formulas.length}.`);
  const options = modelOptions(values);
  const data = await openSqlData(cl.positionals[0]!, stringOptions(values));
  try {
    const fits = await withProgress(io, PROGRESS_DELAY_MS, async (progress) => {
      const out: LmmFit[] = [];
      for (const [i, formula] of formulas.entries()) {
        progress.update(`model ${i + 1} of ${formulas.length}: computing the sums in ${data.dialect === "duckdb" ? "DuckDB" : "PostgreSQL"}`);
        out.push((await fitFromDatabase(data, formula, { ...options, REML: false }, { satterthwaite: false })).fit);
      }
      return out;
    });
    const c = compareFits(fits, formulas.map((_, i) => `m${i}`));
    const refitML = options.REML !== false;
    return { comparison: { ...c, refitML, note: refitML ? REFIT_NOTE : null }, dataset: data.name };
  } finally {
    await data.close();
  }
}
