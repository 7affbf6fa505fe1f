/** What the optimizer did (MixedModels.jl's `OptSummary`). */
export interface OptSummary {
  /** BOBYQA, or (a GLMM's second stage) Newton steps on finite-difference derivatives. */
  optimizer: "bobyqa" | "newton";
  thetaInitial: number[];
  theta: number[];
  /** Objective at the optimum. */
  fmin: number;
  evaluations: number;
  status: string;
  /** Parameters moved onto their bound of 0 after the optimizer stopped within 1e-5 of it. */
  movedToBoundary: boolean;
  /** Problems of the optimizer itself (stopped at the evaluation limit or by rounding). */
  warnings: string[];
}
