import { HlmError } from "../HlmError.js";

/** R's contr.poly refuses more levels than this ("cannot be represented accurately enough"). */
const MAX_POLY_LEVELS = 95;

/**
 * R's `contr.poly(k)`, the contrasts of an ordered factor: the orthonormal polynomials of degree
 * 1 … k − 1 over the level scores 1 … k, each with a positive leading coefficient, named as R names
 * them (`.L`, `.Q`, `.C`, `^4`, `^5`, …). Column j holds the value at each level. Computed by the
 * three-term recurrence of orthogonal polynomials (as R's poly()), which R's QR of the powers
 * matches to rounding.
 */
export function contrPoly(k: number, factorName: string): { columns: Float64Array[]; suffixes: string[] } {
  if (k > MAX_POLY_LEVELS) {
    throw new HlmError(
      "DATA",
      `The ordered factor '${factorName}' has ${k} levels; R's polynomial contrasts stop at ${MAX_POLY_LEVELS} (orthogonal polynomials of higher degree cannot be computed accurately), so use factor() for it.`,
      { column: factorName },
    );
  }
  const mean = (k + 1) / 2;
  const x = Float64Array.from({ length: k }, (_, i) => i + 1 - mean);
  const columns: Float64Array[] = [];
  let prev = new Float64Array(k).fill(1);
  let prevNorm2 = k;
  let prevPrev: Float64Array | null = null;
  let prevPrevNorm2 = 1;
  for (let d = 1; d < k; d++) {
    let alpha = 0;
    for (let i = 0; i < k; i++) alpha += x[i]! * prev[i]! ** 2;
    alpha /= prevNorm2;
    const beta = prevPrev ? prevNorm2 / prevPrevNorm2 : 0;
    const next = new Float64Array(k);
    for (let i = 0; i < k; i++) next[i] = (x[i]! - alpha) * prev[i]! - (prevPrev ? beta * prevPrev[i]! : 0);
    let norm2 = 0;
    for (let i = 0; i < k; i++) norm2 += next[i]! ** 2;
    const norm = Math.sqrt(norm2);
    columns.push(next.map((v) => v / norm));
    prevPrev = prev;
    prevPrevNorm2 = prevNorm2;
    prev = next;
    prevNorm2 = norm2;
  }
  return { columns, suffixes: polySuffixes(k) };
}

/** R's names of contr.poly(k)'s columns: `.L`, `.Q`, `.C`, `^4`, … (k − 1 of them). */
export function polySuffixes(k: number): string[] {
  return Array.from({ length: Math.max(0, k - 1) }, (_, j) => (j < 3 ? [".L", ".Q", ".C"][j]! : `^${j + 1}`));
}
