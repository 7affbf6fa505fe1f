import type { ModelTerms } from "../formula/modelTerms.js";

/** Options of a fit that shape the model: the estimation criterion, factors and prior weights. */
export interface ModelOptions {
  /** REML (default) or maximum likelihood (false). */
  REML?: boolean;
  /** Numeric columns to treat as categorical. */
  factors?: readonly string[];
  /** Column of prior weights (lme4's `weights`). */
  weights?: string;
}

/**
 * One random-effects term `(effects | group)`: Z_i is n × (p·ℓ) with, in row t, the p values
 * `z[t*p .. t*p+p-1]` in the columns of level `refs[t]`.
 */
export interface ReTerm {
  /** lme4's name of the grouping factor (`School`, `cask:batch`). */
  group: string;
  /** Column names of the term's model matrix (`(Intercept)`, `SES`). */
  columnNames: string[];
  /** Level labels of the grouping factor, in lme4's order. */
  levels: string[];
  /** Level index of each observation. */
  refs: Int32Array;
  /** The term's model matrix, n × p, row-major. */
  z: Float64Array;
  /** Number of columns p_i. */
  p: number;
  /** Number of levels ℓ_i. */
  nl: number;
}

/** The model as data: response, fixed-effects matrix X, random-effects terms, weights and offset. */
export interface Model {
  formula: string;
  terms: ModelTerms;
  REML: boolean;
  /** Number of observations used. */
  n: number;
  /** Number of fixed-effects columns kept. */
  p: number;
  responseName: string;
  /** Response y (without the offset subtracted). */
  y: Float64Array;
  /** X, n × p, column-major: column j is `X[j*n .. j*n+n-1]`. */
  X: Float64Array;
  xNames: string[];
  /** Columns of the full fixed-effects matrix dropped for rank deficiency. */
  droppedColumns: string[];
  offset: Float64Array | null;
  weights: Float64Array | null;
  /** Random-effects terms in lme4's order (decreasing number of levels). */
  reTerms: ReTerm[];
  /** Index in the input table of each observation used. */
  rows: Int32Array;
  /** Rows of the table left out for missing values. */
  nDropped: number;
  /**
   * Per variable of the formula with missing values in the table: in how many rows it is missing
   * (or is missing in an input of its expression), and in how many its expression is not a number
   * although its inputs are there (`log(x)` of a negative x: R's NaN, dropped as lme4 drops it).
   */
  droppedBy?: { variable: string; missing: number; notANumber: number }[];
  /** Fixed-effects factor levels, per variable (for prediction on new data). */
  factorLevels: Record<string, string[]>;
}
