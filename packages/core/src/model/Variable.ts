/** The model frame's variables: numeric, categorical with levels and codes, or matrix-valued (a basis). */
/** A categorical variable over the rows kept: level labels (sorted as strings) and a code per row. */
export interface Factor {
  kind: "factor";
  name: string;
  levels: string[];
  codes: Int32Array;
  /** An ordered factor (R's `ordered(x)`): coded by R's polynomial contrasts (contr.poly) instead of treatment contrasts. */
  ordered?: boolean;
}

/** A numeric variable over the rows kept. */
export interface Numeric {
  kind: "numeric";
  name: string;
  values: Float64Array;
}

/**
 * A matrix-valued variable over the rows kept (R's `poly(x, 2)`, `ns(x, 3)`, `bs(x, df = 5)`): the
 * basis functions evaluated at the rows, one column each; R names the model-matrix columns
 * `${name}${suffix}` (`poly(Days, 2)1`), the name alone when there is one column.
 */
export interface MatrixVariable {
  kind: "matrix";
  name: string;
  columns: Float64Array[];
  suffixes: string[];
}

export type Variable = Factor | Numeric | MatrixVariable;
