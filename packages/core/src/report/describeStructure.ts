import type { ResidualFit } from "../fit/LmmFit.js";

/** nlme's name of each correlation structure and variance function, as its summary prints them. */
export const STRUCTURE_LABELS: Record<string, string> = {
  corAR1: "AR(1)",
  corCAR1: "Continuous AR(1)",
  corExp: "Exponential spatial correlation",
  corCompSymm: "Compound symmetry",
  corSymm: "General correlation",
  varIdent: "Different standard deviations per stratum",
  varPower: "Power of variance covariate",
  varExp: "Exponential of variance covariate",
};

/** The structure's form as nlme prints it: `~1 | Mare`, `~Time | Rat`, `~1 | Sex`, `~v`. */
export function structureFormula(r: ResidualFit, which: "correlation" | "variance"): string {
  if (which === "correlation") {
    const cov = r.correlation?.covariate ?? "1";
    return `~${cov} | ${r.group}`;
  }
  const v = r.variance!;
  if (v.class === "varIdent") return `~1 | ${v.column}`;
  return `~${v.column}`;
}

/**
 * The parameters of a fitted variance function as nlme lists them: varIdent's SD ratios with the
 * reference stratum's 1 first; varPower's power, varExp's expon.
 */
export function varianceParameters(r: ResidualFit): { names: string[]; values: number[] } {
  const v = r.variance!;
  if (v.class === "varIdent") return { names: v.strata, values: [1, ...v.values] };
  return { names: v.names, values: v.values };
}
