/**
 * Decimal numbers as CSV fields write them: the exact parser the CSV reader and tableFromRows use,
 * which also tells whether JavaScript prints the number back as the same text.
 */

/** 10^0 .. 10^22: the powers of ten that are exact doubles. */
const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

/** What readDecimal found: not a number; a number; a number that String() gives back as the same text. */
export const NOT_A_NUMBER = 0;
export const NUMBER = 1;
export const CANONICAL_NUMBER = 2;

/**
 * Parses t[s, e) as a finite decimal number: [+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?,
 * and stores it in out[at]. Returns NOT_A_NUMBER when the text is not such a number (out is not
 * written), else NUMBER, or CANONICAL_NUMBER when String(number) is exactly the text. (A result
 * status, not the number, so that no number is boxed on the way out.)
 *
 * Short mantissas with small exponents are computed exactly (one correctly rounded multiplication or
 * division of exact doubles); anything else goes to Number(), after the grammar has been checked.
 *
 * CANONICAL_NUMBER is a sufficient test, by syntax: JavaScript's own way of writing numbers (an
 * optional `-`, no leading zeros, no `+`, no exponent, no point without digits after it, no trailing
 * zeros after the point), at most 15 significant digits (so the number's shortest round-trip digits
 * are the text's own), and not below 1e-6 (where JavaScript switches to exponent notation). `-0` is
 * not canonical: it prints as `0`.
 */
export function readDecimal(t: string, s: number, e: number, out: Float64Array, at: number): number {
  let i = s;
  if (i >= e) return NOT_A_NUMBER;
  let c = t.charCodeAt(i);
  let neg = false;
  let canonical = true;
  if (c === 45) {
    neg = true;
    i++;
  } else if (c === 43) {
    canonical = false;
    i++;
  }
  let mant = 0;
  let sig = 0;
  let exp10 = 0;
  let digits = 0;
  let exact = true;
  const intStart = i;
  while (i < e) {
    const d = t.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    digits++;
    if (mant !== 0 || d !== 0) {
      if (sig < 15) {
        mant = mant * 10 + d;
        sig++;
      } else {
        exact = false;
      }
    }
    i++;
  }
  // No integer digits (".5"), or a leading zero before more digits ("007").
  if (digits === 0 || (digits > 1 && t.charCodeAt(intStart) === 48)) canonical = false;
  if (i < e && t.charCodeAt(i) === 46) {
    i++;
    const fracStart = i;
    while (i < e) {
      const d = t.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      digits++;
      if (mant !== 0 || d !== 0) {
        if (sig < 15) {
          mant = mant * 10 + d;
          sig++;
          exp10--;
        } else {
          exact = false;
        }
      } else {
        exp10--;
      }
      i++;
    }
    // "5." or "1.50"
    if (i === fracStart || t.charCodeAt(i - 1) === 48) canonical = false;
  }
  if (digits === 0) return NOT_A_NUMBER;
  if (i < e) {
    c = t.charCodeAt(i);
    if (c !== 101 && c !== 69) return NOT_A_NUMBER;
    canonical = false;
    i++;
    let eneg = false;
    if (i < e) {
      c = t.charCodeAt(i);
      if (c === 45) {
        eneg = true;
        i++;
      } else if (c === 43) {
        i++;
      }
    }
    let ev = 0;
    let ed = 0;
    while (i < e) {
      const d = t.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      if (ev < 100000) ev = ev * 10 + d;
      ed++;
      i++;
    }
    if (ed === 0 || i !== e) return NOT_A_NUMBER;
    exp10 += eneg ? -ev : ev;
  }
  if (exact) {
    if (mant === 0) {
      out[at] = neg ? -0 : 0;
      return canonical && !neg ? CANONICAL_NUMBER : NUMBER; // "0" (not "-0", "0.0" or "00")
    }
    if (exp10 >= 0 && exp10 <= 22) {
      const v = mant * POW10[exp10]!;
      out[at] = neg ? -v : v;
      return canonical ? CANONICAL_NUMBER : NUMBER;
    }
    if (exp10 < 0 && exp10 >= -22) {
      const v = mant / POW10[-exp10]!;
      out[at] = neg ? -v : v;
      return canonical && sig + exp10 >= -5 ? CANONICAL_NUMBER : NUMBER;
    }
  }
  const v = Number(t.slice(s, e));
  if (!Number.isFinite(v)) return NOT_A_NUMBER;
  out[at] = v;
  return NUMBER;
}

const scratch = new Float64Array(1);

/**
 * Parses t[s, e) as a finite decimal number (see readDecimal). Returns NaN when the text is not such
 * a number (NaN is never a valid result, so it is the "no" answer).
 */
export function parseDecimal(t: string, s: number, e: number): number {
  return readDecimal(t, s, e, scratch, 0) === NOT_A_NUMBER ? NaN : scratch[0]!;
}
