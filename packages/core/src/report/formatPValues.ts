/**
 * P-values as R prints them, in text and in a workbook: R's `format.pval` for a column of p-values
 * (as `printCoefmat` calls it in lme4's summary and in anova tables), and the Excel number format
 * that shows the same column's numbers as the same text.
 */

/** R's .Machine$double.eps: the smallest p-value printed as a number. */
export const DOUBLE_EPS = 2.220446049250313e-16;

/** How R's format() writes a set of numbers: fixed with `decimals` decimals, or scientific with `decimals` in the mantissa. */
export interface RealFormat {
  scientific: boolean;
  decimals: number;
}

/**
 * R's choice of notation for `format(xs, digits)` (formatReal in R's format.c): each number to
 * `digits` significant digits, trailing zeros dropped; fixed notation when it is no wider than the
 * scientific one, with the decimals the most precise number needs; scientific otherwise, with the
 * mantissa digits the most precise number needs.
 */
export function formatReal(xs: readonly number[], digits: number): RealFormat {
  let neg = 0;
  let mxsl = 1; // widest part left of the point (with the sign)
  let rgt = 0; // most decimals needed in fixed notation
  let mxns = 1; // most significant digits
  let bigExponent = false;
  for (const x of xs) {
    if (!Number.isFinite(x)) continue;
    if (x < 0) neg = 1;
    if (x === 0) continue;
    const [mantissa, exp] = Math.abs(x).toExponential(Math.max(0, digits - 1)).split("e") as [string, string];
    const kp = Number(exp);
    const nsig = mantissa.replace(".", "").replace(/0+$/, "").length || 1;
    mxsl = Math.max(mxsl, kp + 1);
    rgt = Math.max(rgt, nsig - kp - 1);
    mxns = Math.max(mxns, nsig);
    if (Math.abs(kp) >= 100) bigExponent = true;
  }
  const fixedWidth = neg + mxsl + (rgt > 0 ? rgt + 1 : 0);
  const sciWidth = neg + (mxns > 1 ? mxns + 1 : mxns) + (bigExponent ? 5 : 4);
  return fixedWidth <= sciWidth ? { scientific: false, decimals: rgt } : { scientific: true, decimals: mxns - 1 };
}

/** A number in the given format, as R writes it (a two-digit exponent at least: 3.2e-06). */
export function formatRealWith(x: number, f: RealFormat): string {
  return f.scientific ? x.toExponential(f.decimals).replace(/e([+-])(\d)$/, "e$10$2") : x.toFixed(f.decimals);
}

/** Where format.pval's fixed group starts: R's floor(log10(p)) >= -3, or == -4 when digits > 1. */
const fixedFrom = (digits: number): number => (digits > 1 ? 1e-4 : 1e-3);

/** Which p-values R writes apart: below eps ("< 2e-16"), from `fixedFrom` up (fixed notation), and those between. */
function split(ps: readonly number[], digits: number, eps: number): { fixed: number[]; rest: number[] } {
  const finite = ps.filter((p) => Number.isFinite(p) && p >= eps);
  const from = fixedFrom(digits);
  return { fixed: finite.filter((p) => p >= from), rest: finite.filter((p) => p < from) };
}

/** The text of the p-values below eps: "<2e-16", "< 2e-16" or "< 2.2e-16", as format.pval chooses from the others' width. */
function belowEps(others: readonly string[], digits: number, eps: number): string {
  let d = Math.max(1, digits - 2);
  let sep: string;
  if (others.length > 0) {
    const nc = Math.max(...others.map((s) => s.length));
    if (d > 1 && d + 6 > nc) d = Math.max(1, nc - 7);
    sep = d === 1 && nc <= 6 ? "" : " ";
  } else sep = d === 1 ? "" : " ";
  return `<${sep}${formatRealWith(eps, formatReal([eps], d))}`;
}

/**
 * A column of p-values as R's `format.pval(ps, digits)` writes it: those from 1e-4 up (1e-3 for one
 * digit) in fixed notation with common decimals ("0.0267", "0.5000"), smaller ones together in R's notation for them
 * ("3.26e-06"), those below machine precision as "< 2e-16"; NaN and missing as "NA". lme4's summary
 * uses digits = 3, anova tables digits = 4.
 */
export function formatPValues(ps: readonly number[], digits: number, eps = DOUBLE_EPS): string[] {
  const { fixed, rest } = split(ps, digits, eps);
  const ff = formatReal(fixed, digits);
  const fr = formatReal(rest, digits);
  const text = (p: number): string => formatRealWith(p, p >= fixedFrom(digits) ? ff : fr);
  const others = ps.filter((p) => Number.isFinite(p) && p >= eps).map(text);
  const tiny = belowEps(others, digits, eps);
  return ps.map((p) => (!Number.isFinite(p) ? "NA" : p < eps ? tiny : text(p)));
}

/** An Excel number format writing numbers as `formatRealWith` does (`0.0000`, `0.00e-00`). */
function excelFormat(f: RealFormat): string {
  const decimals = f.decimals > 0 ? `.${"0".repeat(f.decimals)}` : "";
  return f.scientific ? `0${decimals}e-00` : `0${decimals}`;
}

/**
 * The Excel number format under which a column of p-values (numbers) reads as `formatPValues`
 * writes them: `[<eps]"< 2e-16";[<1e-4]<the small ones' format>;<the others' format>`. The cells
 * keep their full value; only their look is R's.
 */
export function pValueNumberFormat(ps: readonly number[], digits: number, eps = DOUBLE_EPS): string {
  const { fixed, rest } = split(ps, digits, eps);
  // a group with no values gets the format R would give a value of digits significant digits
  const ff = fixed.length > 0 ? formatReal(fixed, digits) : { scientific: false, decimals: digits };
  const fr = rest.length > 0 ? formatReal(rest, digits) : { scientific: true, decimals: digits - 1 };
  const others = formatPValues(
    ps.filter((p) => Number.isFinite(p) && p >= eps),
    digits,
    eps,
  );
  return `[<${eps.toExponential(14).toUpperCase()}]"${belowEps(others, digits, eps)}";[<${fixedFrom(digits)}]${excelFormat(fr)};${excelFormat(ff)}`;
}
