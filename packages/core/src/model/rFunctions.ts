import { HlmError } from "../HlmError.js";
import { closestName, editDistance } from "./closestName.js";

/** R's functions that make a factor from a column or an expression, by what they give. */
export const FACTOR_FUNCTIONS: ReadonlySet<string> = new Set(["factor", "as.factor", "ordered", "as.ordered", "relevel", "interaction"]);

/** The functions of one number per row, each as R computes it (log(x, base) is handled apart). */
export const ELEMENTWISE_FUNCTIONS: Readonly<Record<string, (x: number) => number>> = {
  log: Math.log,
  log10: Math.log10,
  log2: Math.log2,
  log1p: Math.log1p,
  exp: Math.exp,
  expm1: Math.expm1,
  sqrt: Math.sqrt,
  abs: Math.abs,
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
};

/** Every function a formula may call, in the groups the error for an unknown one lists them. */
const SUPPORTED: readonly string[][] = [
  [...Object.keys(ELEMENTWISE_FUNCTIONS), "round", "pmin", "pmax", "as.numeric", "I", "offset"],
  [...FACTOR_FUNCTIONS],
  ["poly", "ns", "bs", "scale"],
];

/** The error for a call of a function the formula language does not have: what is supported, and the closest name ('Factor' → 'factor'). */
export function unsupportedFunction(fn: string, pos: number, formulaText: string): HlmError {
  // a close name only: a wrong case or one slip ('Factor', 'as.Factor', 'factr'), two in a long name
  const suggestion = closestName(fn, SUPPORTED.flat());
  const close = suggestion !== undefined && suggestion !== fn && editDistance(fn.toLowerCase(), suggestion.toLowerCase()) <= (fn.length >= 6 ? 2 : 1);
  const didYouMean = close ? ` (did you mean '${suggestion}()'?)` : "";
  return new HlmError(
    "FORMULA",
    `Unsupported function '${fn}()' in formula '${formulaText}' (position ${pos + 1})${didYouMean}; supported: ${SUPPORTED.map((g) => g.join(", ")).join("; ")}.`,
    { position: pos + 1 },
  );
}

/** R's `R_pow_di`: x to an integer power by repeated squaring (a negative power as 1 / x^-n). */
function powDi(x: number, n: number): number {
  if (n < 0) return 1 / powDi(x, -n);
  let result = 1;
  let base = x;
  for (let k = n; k > 0; k >>= 1) {
    if (k & 1) result *= base;
    base *= base;
  }
  return result;
}

/** C's nearbyint in the default rounding mode: the nearest integer, halves to the even one (R's round(x)). */
function roundHalfEven(x: number): number {
  const r = Math.round(x); // halves up
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The binary exponent of x > 0 (C's logb). */
function binaryExponent(x: number): number {
  let e = Math.floor(Math.log2(x));
  if (2 ** e > x) e--;
  else if (2 ** (e + 1) <= x) e++;
  return e;
}

/**
 * R's `round(x, digits)` (R ≥ 4.0.0, src/nmath/fround.c): of the two numbers with `digits` decimals
 * next to x, the closer one in double precision, a tie to the even last digit; `round(2.5)` is 2,
 * `round(0.15, 1)` is 0.1 (0.15 is stored as 0.1499…), `round(2.675, 2)` is 2.67.
 */
export function rRound(x: number, digits = 0): number {
  const MAX_DIGITS = 308;
  if (Number.isNaN(x) || Number.isNaN(digits)) return x + digits;
  if (!Number.isFinite(x) || digits > MAX_DIGITS + 15 || x === 0) return x;
  if (digits < -MAX_DIGITS) return 0;
  if (digits === 0) return roundHalfEven(x);
  const dig = Math.floor(digits + 0.5);
  const sgn = x < 0 ? -1 : 1;
  const ax = Math.abs(x);
  // rounding to more digits than a double holds changes nothing
  if (Math.LOG10E * Math.LN2 * (0.5 + binaryExponent(ax)) + dig > 15) return x;
  let x10: number;
  let xd: number;
  let xu: number;
  if (dig <= MAX_DIGITS) {
    const pow10 = powDi(10, dig);
    x10 = pow10 * ax;
    xd = Math.floor(x10) / pow10;
    xu = Math.ceil(x10) / pow10;
  } else {
    const p10 = powDi(10, dig - MAX_DIGITS);
    const pow10 = powDi(10, MAX_DIGITS);
    x10 = ax * pow10 * p10;
    xd = Math.floor(x10) / pow10 / p10;
    xu = Math.ceil(x10) / pow10 / p10;
  }
  const i10 = Math.floor(x10);
  const du = xu - ax;
  const dd = ax - xd;
  return sgn * (du < dd || (du === dd && i10 % 2 === 1) ? xu : xd);
}
