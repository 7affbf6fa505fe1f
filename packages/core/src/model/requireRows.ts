import { HlmError } from "../HlmError.js";
import type { Model } from "./Model.js";

/**
 * Refuses, in one sentence, what needs a model's rows when the model was given by its sums (a
 * database's, `Model.summed`): `what` is the result ("The shrinkage table"), `because` why the rows.
 */
export function requireRows(model: Model, what: string, because: string): void {
  if (!model.summed) return;
  throw new HlmError("OPTIONS", `${what} ${because}, and this model was fitted from the sums a database computed, without its rows; fit it from the rows (a CSV or Excel file, or a sample of the table).`);
}
