import { formatShrinkage, type ShrinkageTable } from "@hlm/core";

/** The shrinkage table as JSON: the grouping factor, its columns, and a row per level. */
export function shrinkageJson(s: ShrinkageTable): { group: string; columns: string[]; rows: { level: string; n: number; ols: Record<string, number | null>; blup: Record<string, number> }[] } {
  const byColumn = <T>(xs: T[]): Record<string, T> => Object.fromEntries(s.columns.map((c, j) => [c, xs[j]!]));
  return { group: s.group, columns: s.columns, rows: s.levels.map((level, i) => ({ level, n: s.n[i]!, ols: byColumn(s.ols[i]!), blup: byColumn(s.blup[i]!) })) };
}

/** The shrinkage table as hlm fit prints it after the summary. */
export const shrinkageText = (s: ShrinkageTable): string => `\nShrinkage by ${s.group}: each group's own OLS estimates beside its BLUP coefficients\n${formatShrinkage(s)}`;
