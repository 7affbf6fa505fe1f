import type { ModelTerms } from "../formula/modelTerms.js";
import type { Bases } from "./Basis.js";
import type { CorrelationClass, StructureSpec, VarianceClass } from "../formula/parseStructure.js";

/**
 * Options of a fit that shape the model: the estimation criterion, factors, prior weights, and a
 * residual correlation structure and variance function in nlme's language (`correlation`, `variance`).
 */
export interface ModelOptions extends StructureOptions {
  /** REML (default) or maximum likelihood (false). */
  REML?: boolean;
  /** Numeric columns to treat as categorical. */
  factors?: readonly string[];
  /** Column of prior weights (lme4's `weights`). */
  weights?: string;
  /**
   * A generalized linear mixed model's family (lme4's `glmer`); absent for a linear mixed model.
   * With "binomial" the response may be `cbind(s, f)` or a two-level categorical column.
   */
  family?: "binomial" | "poisson";
  /** The family's link (binomial: "logit" (default), "probit", "cloglog"; poisson: "log"). */
  link?: "logit" | "probit" | "cloglog" | "log";
  /**
   * The training data's bases (a fitted model's `bases`): poly(), ns(), bs() and scale() evaluated
   * with these parameters instead of ones computed on the rows (R's predvars; for predictions).
   */
  bases?: Bases;
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
  /** The within-group residual structure (nlme's corStruct and varFunc), when the model has one. */
  residual?: ResidualStructure | null;
  /** Fixed-effects factor levels, per variable (for prediction on new data). */
  factorLevels: Record<string, string[]>;
  /** The fixed and random effects' ordered factors (`ordered(x)`), coded by R's contr.poly. */
  orderedFactors?: string[];
  /** The parameters of the formula's poly(), ns(), bs() and scale() calls on the training rows, by deparsed call (R's makepredictcall). */
  bases: Bases;
  /** R's warnings about a basis (bs() evaluated beyond its boundary knots), each naming a row. */
  basisWarnings: string[];
  /** R's warnings about a GLMM's response (counts or successes that are not whole numbers), each naming a row. */
  responseWarnings?: string[];
  /**
   * A model given by its sums (computed in a database), not by its rows: y, X, rows and each term's
   * refs and z are then empty, and what the passes over the rows would give is here.
   */
  summed?: SummedRows;
}

/** What a model given by its sums carries in place of its rows. */
export interface SummedRows {
  /** Mean and sum of squared deviations of y − offset. */
  mean: number;
  ss: number;
  /** lme4's checkScaleX on the kept columns of X. */
  scalesDiffer: boolean;
  /** The rows' unweighted moments of X and the Z_i, for the ICC and R²; null when the sums are weighted (prior weights). */
  moments: SummedMoments | null;
}

/** Unweighted sums over the rows used that the variance decomposition of the ICC and R² needs. */
export interface SummedMoments {
  /** Σ_t x_t: the column sums of X (kept columns). */
  xSums: Float64Array;
  /** X'X, p × p, row-major. */
  xtx: Float64Array;
  /** Per grouping factor, per level: Z_l'Z_l and Z_l'(y − offset) (the group's own regression; summed over levels, a term's Σ_t z_t z_t'). */
  groups: GroupMoments[];
}

/** One grouping factor's per-level sums over its rows: the lecture's per-group OLS from sums. */
export interface GroupMoments {
  /** lme4's name of the grouping factor, its levels (as its terms'), and the union of its terms' columns. */
  group: string;
  levels: string[];
  columns: string[];
  /** Per level: its number of rows. */
  n: Float64Array;
  /** Per level l: Z_l'Z_l at l·q², q × q row-major (q the number of columns). */
  zz: Float64Array;
  /** Per level l: Z_l'(y − offset) at l·q. */
  zy: Float64Array;
}

/**
 * The within-group residual structure of a model, resolved on its rows: e_i ~ N(0, σ² D_i C_i D_i)
 * for each group i of `group`, C_i from the correlation structure, D_i from the variance function.
 */
export interface ResidualStructure {
  correlation: StructureSpec<CorrelationClass> | null;
  variance: StructureSpec<VarianceClass> | null;
  /** The grouping the residuals correlate within (a column, `a/b`, or the innermost random-effects grouping). */
  group: string;
  /** The grouping's levels, in its factor order (the first is the "first group" of nlme's getVarCov). */
  levels: string[];
  /** Rows of group g are `rows[start[g] .. start[g+1])`: model row indices, in the structure's order. */
  start: Int32Array;
  rows: Int32Array;
  /**
   * Per model row, the correlation's position or time: the covariate's value, or the row's position
   * 1, 2, … within its group in the data's order when the structure has none. Null without a correlation.
   */
  time: Float64Array | null;
  /** corSymm: the size of the general correlation matrix (the largest position). */
  positions: number;
  /** varIdent: each row's stratum (0 the reference) and the strata's labels, reference first. */
  stratum: Int32Array | null;
  strata: string[];
  /** varPower, varExp: the variance covariate per row. */
  covariate: Float64Array | null;
  /** The columns the structure reads (for messages and for new data). */
  columns: string[];
}

/** Options of a model with a residual structure, as nlme's texts. */
export interface StructureOptions {
  correlation?: string;
  variance?: string;
}

