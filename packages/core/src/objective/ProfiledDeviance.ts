import type { ThetaLayout } from "../model/thetaLayout.js";
import type { CrossProducts } from "./crossProducts.js";
import type { Objective } from "./Objective.js";

/**
 * The blocked lower Cholesky factor L of Λθ'AΛθ + I (I on the random-effects rows only), in the
 * layout of `CrossProducts`, at one θ.
 */
export interface Factorization {
  theta: Float64Array;
  /** Templates T_i of Λθ, row-major p_i × p_i. */
  T: Float64Array[];
  /** The eliminated nodes' blocks of L: each node's lower-triangular diagonal block and its column below. */
  Lnodes: Float64Array;
  /** L_RR: lower factor of the dense tail, m × m row-major. */
  LRR: Float64Array;
  /** log |L_θ|², over the random-effects rows. */
  ldL2: number;
  /** log |R_X|², over the fixed-effects rows. */
  ldRX2: number;
  /** Penalized weighted residual sum of squares r²(θ): the square of L's last diagonal entry. */
  pwrss: number;
  /** The profiled objective (deviance for ML, REML criterion for REML); Infinity if not positive definite. */
  objective: number;
  /** log |W|: the weights' (Σ log w_i), or, with a residual structure, −Σ_i log det(D_i C_i D_i); it enters the objective as −log |W|. */
  logDetW: number;
  /** The cross-products L was factored from (with a residual structure, those of the rows whitened at these parameters). */
  cross: CrossProducts;
}

/**
 * The profiled deviance or REML criterion of a linear mixed model as a function of θ alone (lme4's
 * `mkLmerDevfun`), with the pieces of L the fit reads at the optimum.
 */
export interface ProfiledDeviance extends Objective {
  readonly layout: ThetaLayout;
  /** A's layout and, for a model without a residual structure, its values (with one, the values at the structure's initial parameters: read `Factorization.cross`). */
  readonly cross: CrossProducts;
  readonly n: number;
  readonly p: number;
  readonly REML: boolean;
  /** The objective at θ; the same θ always gives the same value. */
  evaluate(theta: ArrayLike<number>): number;
  /**
   * The scalar pieces of the objective at θ (log-determinants, r², objective) without keeping L;
   * with `V` given (p × p), also fills V = (R_X'R_X)⁻¹ = vcov(β̂)/σ².
   */
  pieces(theta: ArrayLike<number>, V?: Float64Array): Pick<Factorization, "ldL2" | "ldRX2" | "pwrss" | "objective" | "logDetW">;
  /** The objective at θ for the given criterion, with every piece of L kept (a fresh object). */
  factorize(theta: ArrayLike<number>, REML?: boolean): Factorization;
  /**
   * `factorize` into the objective's workspace, allocating nothing: its Lnodes and LRR are valid only
   * until the next call on this objective (for an iteration that reads L at once, as PIRLS does).
   */
  factorizeTransient(theta: ArrayLike<number>, REML?: boolean): Factorization;
}
