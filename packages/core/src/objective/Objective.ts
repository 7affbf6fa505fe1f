/**
 * The seam between a model and the optimizer: what is minimized, over which parameters. The profiled
 * Gaussian deviance (`makeObjective`) is one implementation; a GLMM's Laplace approximation or a
 * model with a residual correlation structure is another, and the optimizer (`optim/optimize`)
 * minimizes any of them unchanged.
 */

/** The parameters an objective is minimized over, as the optimizer sees them. */
export interface ParameterLayout {
  /** Number of parameters. */
  size: number;
  /** Lower bounds (0 for the diagonal of a relative covariance factor, -Infinity where there is none). */
  lower: Float64Array;
  /** The starting point. */
  initial: Float64Array;
  /** A name per parameter, for messages and results. */
  names: string[];
}

/** A criterion to minimize (lme4's `devfun`): a pure function of the parameters alone. */
export interface Objective {
  readonly layout: ParameterLayout;
  /** The criterion at x; the same x always gives the same value; Infinity where it is not defined. */
  evaluate(x: ArrayLike<number>): number;
}
