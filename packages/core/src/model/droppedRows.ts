import { HlmError } from "../HlmError.js";

/** Per variable of the formula: in how many rows it is missing, and in how many its expression is not a number. */
export interface DroppedBy {
  variable: string;
  missing: number;
  notANumber: number;
}

/** The error when no row is complete: the data are empty, or a variable is missing everywhere, or the missing values together leave nothing. */
export function noRowsLeft(nAll: number, droppedBy: readonly DroppedBy[]): HlmError {
  if (nAll === 0) return new HlmError("DATA", "The data have no rows: below the header there is nothing to fit.");
  const everywhere = droppedBy.find((d) => d.missing + d.notANumber === nAll);
  if (everywhere) {
    const what = everywhere.notANumber === 0 ? "missing (empty or NA)" : everywhere.missing === 0 ? "not a number (NaN)" : "missing or not a number";
    const where = nAll === 1 ? "the only row" : `all ${nAll} rows`;
    return new HlmError("DATA", `'${everywhere.variable}' is ${what} in ${where} of the data; no rows are left to fit.`, { column: everywhere.variable });
  }
  return new HlmError("DATA", `Every row has a missing value in a variable of the formula (${describeDropped(droppedBy)}); no rows are left to fit.`);
}

/** `'y' missing in 3, 'log(x)' not a number in 1`: what dropped the rows. */
export function describeDropped(droppedBy: readonly DroppedBy[]): string {
  const parts: string[] = [];
  for (const d of droppedBy) {
    if (d.missing > 0) parts.push(`'${d.variable}' missing in ${d.missing}`);
    if (d.notANumber > 0) parts.push(`'${d.variable}' not a number in ${d.notANumber}`);
  }
  return parts.join(", ");
}
