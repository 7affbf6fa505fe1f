/**
 * A data-dependent function of the formula with the parameters it took from the training rows: what
 * R's `makepredictcall` writes into the terms' `predvars`, so that new rows are evaluated on the
 * training data's basis (poly()'s recurrence coefficients, ns()'s and bs()'s knots, scale()'s centre
 * and scale) rather than on a basis of their own.
 */
export type Basis =
  /** `poly(x, d, raw = TRUE)`: x, x², …, x^d. */
  | { fn: "poly"; degree: number; raw: true }
  /** `poly(x, d)`: the orthogonal polynomials of the three-term recurrence (R's `coefs = list(alpha, norm2)`). */
  | { fn: "poly"; degree: number; raw: false; alpha: number[]; norm2: number[] }
  /** `ns(x, …)`: natural cubic splines on these knots. */
  | { fn: "ns"; knots: number[]; boundary: [number, number]; intercept: boolean }
  /** `bs(x, …)`: B-splines of this degree on these knots. */
  | { fn: "bs"; degree: number; knots: number[]; boundary: [number, number]; intercept: boolean }
  /** `scale(x, …)`: (x − center) / scale; null where the call did not centre or did not scale. */
  | { fn: "scale"; center: number | null; scale: number | null };

/** The recorded bases of a model, by the call as R deparses it (`poly(Days, 2)`, `scale(x)`). */
export type Bases = Record<string, Basis>;
