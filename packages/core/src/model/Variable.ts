/** The model frame's variables: numeric, or categorical with levels and codes. */
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

export type Variable = Factor | Numeric;
