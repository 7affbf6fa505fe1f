/**
 * The references of `fixtures/glmmAfter/glmmAfter.json` (lme4 1.1-31 and performance 0.10.2 after a
 * glmer fit; made by `fixtures/glmmAfter/glmmAfter.R`) and the project's fits of their models, each
 * fitted once per test file.
 */
import { readFileSync } from "node:fs";
import { fitGlmmModel } from "../src/glmm/fitGlmm.js";
import type { GlmmFit } from "../src/glmm/GlmmFit.js";
import type { Table } from "../src/io/Table.js";
import { readCsv } from "../src/io/readCsv.js";
import { buildModel } from "../src/model/buildModel.js";
import type { Model } from "../src/model/Model.js";

export const glmmAfterDir = new URL("./fixtures/glmmAfter/", import.meta.url).pathname;
export const glmmDataDir = new URL("./conformance-glmm/", import.meta.url).pathname;

/** A model of the fixture, with lme4's predictions, Wald intervals, and insight's and performance's variances, ICC and R². */
export interface GlmmAfterModel {
  name: string;
  data: string;
  factors: string[];
  weights?: string;
  formula: string;
  family: "binomial" | "poisson";
  link: "logit" | "probit" | "cloglog" | "log";
  newdata: string;
  theta: number[];
  fixef: number[];
  fixefNames: string[];
  objective: number;
  /** VarCorr per grouping factor (lme4's names: `g`, `g.1` for a second term of g). */
  covariance: Record<string, number[][]>;
  /** The intercept of insight's null model. */
  nullIntercept: number;
  predict: { link: number[]; linkPopulation: number[]; response: number[]; responsePopulation: number[] };
  wald95: { names: string[]; lower: (number | null)[]; upper: (number | null)[] };
  wald90: { names: string[]; lower: (number | null)[]; upper: (number | null)[] };
  variance: { fixed: number; random: number | null; residual: number; distribution: number; dispersion: number };
  icc: { adjusted: number; unadjusted: number } | null;
  r2: { conditional: number | null; marginal: number } | null;
  warnings: string[];
}

/** anova(m0, m1, ...) of nested glmer fits, rows as R sorts them. */
export interface GlmmAfterComparison {
  name: string;
  data: string;
  factors: string[];
  link: "logit" | "probit" | "cloglog" | "log";
  formulas: string[];
  rows: string[];
  npar: number[];
  AIC: number[];
  BIC: number[];
  logLik: number[];
  deviance: number[];
  Chisq: (number | null)[];
  Df: (number | null)[];
  p: (number | null)[];
  printed: string[];
  fitWarnings: string[][];
}

/** glmer with nAGQ 25, 50 and 100. */
export interface GlmmAfterQuadrature {
  name: string;
  data: string;
  factors: string[];
  formula: string;
  link: "logit" | "probit" | "cloglog" | "log";
  nAGQ: number;
  theta: number[];
  fixef: number[];
  se: number[];
  objective: number;
  convergence: string[];
}

export interface GlmmAfter {
  models: GlmmAfterModel[];
  comparisons: GlmmAfterComparison[];
  quadrature: GlmmAfterQuadrature[];
  ghrule: { n: number; z: number[]; w: number[]; ldnorm: number[] }[];
}

export const glmmAfter = JSON.parse(readFileSync(`${glmmAfterDir}glmmAfter.json`, "utf8")) as GlmmAfter;

const tables = new Map<string, Table>();
/** A data set of conformance-glmm, read once. */
export function glmmTable(file: string, dir = glmmDataDir): Table {
  const key = dir + file;
  if (!tables.has(key)) tables.set(key, readCsv(readFileSync(key, "utf8")));
  return tables.get(key)!;
}

export const familyOf = (link: string): "binomial" | "poisson" => (link === "log" ? "poisson" : "binomial");

/** The model and its fit, as `hlm` makes them. */
export function fitFixtureModel(c: { data: string; factors: string[]; formula: string; link: GlmmAfterModel["link"]; weights?: string }, nAGQ = 1): { table: Table; model: Model; fit: GlmmFit } {
  const table = glmmTable(c.data);
  const options = { family: familyOf(c.link), link: c.link, factors: c.factors, nAGQ, ...(c.weights ? { weights: c.weights } : {}) };
  const model = buildModel(table, c.formula, { ...options, REML: false });
  return { table, model, fit: fitGlmmModel(model, options) };
}
