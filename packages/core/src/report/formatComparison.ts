import type { ComparableFit, ModelComparison } from "../inference/compareModels.js";
import { formatPValues } from "./formatPValues.js";
import { formatCommon, signifStars } from "./formatSummary.js";

/** The comparison as R prints lme4's anova(m0, m1, ...); a model's residual structure, if any, follows its formula (`m1: y ~ x + (1 | g), correlation = corAR1()`). */
export function formatComparison(c: ModelComparison<ComparableFit>, options: { dataName?: string } = {}): string {
  const out: string[] = [];
  if (c.note) out.push(c.note);
  out.push(`Data: ${options.dataName ?? "data"}`);
  out.push("Models:");
  for (const r of c.rows) out.push(`${r.name}: ${r.formula}${r.structure ? `, ${r.structure}` : ""}`);
  // printCoefmat(digits = 5): the columns zapped first (R 4.2's zapsmall, log10 without ceiling), Chisq rounded to 4 decimals
  const col = (xs: (number | null)[], chisq = false): string[] => {
    const finite = xs.filter((x): x is number => x !== null && Number.isFinite(x));
    const mx = Math.max(0, ...finite.map(Math.abs));
    const dec = chisq ? 4 : mx > 0 ? Math.max(0, Math.round(5 - Math.log10(mx))) : 5;
    const f = formatCommon(xs.map((x) => (x === null ? NaN : Number(x.toFixed(dec)))), 5);
    return xs.map((x, i) => (x === null ? "" : f[i]!.trim()));
  };
  const aic = col(c.rows.map((r) => r.AIC));
  const bic = col(c.rows.map((r) => r.BIC));
  const ll = col(c.rows.map((r) => r.logLik));
  const dev = col(c.rows.map((r) => r.deviance));
  const chisq = col(c.rows.map((r) => r.Chisq), true);
  const p = formatPValues(c.rows.map((r) => r.pValue ?? NaN), 4); // anova tables: 4 digits, "< 2.2e-16"
  const rows: string[][] = [["", "npar", "AIC", "BIC", "logLik", "deviance", "Chisq", "Df", "Pr(>Chisq)", ""]];
  c.rows.forEach((r, i) => {
    rows.push([r.name, String(r.npar), aic[i]!, bic[i]!, ll[i]!, dev[i]!, chisq[i]!, r.Df === null ? "" : String(r.Df), r.pValue === null ? "" : p[i]!, signifStars(r.pValue)]);
  });
  const widths: number[] = [];
  for (const r of rows) r.forEach((cell, j) => (widths[j] = Math.max(widths[j] ?? 0, cell.length)));
  const anyStars = c.rows.some((r) => r.pValue !== null && r.pValue < 0.1);
  for (const r of rows) {
    const cells = r.map((cell, j) => (j === 0 || j === r.length - 1 ? cell.padEnd(widths[j]!) : cell.padStart(widths[j]!)));
    out.push((anyStars ? cells : cells.slice(0, -1)).join(" ").trimEnd());
  }
  if (anyStars) {
    out.push("---");
    out.push("Signif. codes:  0 '***' 0.001 '**' 0.01 '*' 0.05 '.' 0.1 ' ' 1");
  }
  return out.join("\n") + "\n";
}
