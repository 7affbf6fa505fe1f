/// <reference types="custom-functions-runtime" />
/**
 * The one place where an error of a worksheet function becomes what Excel shows in the cell:
 * `#VALUE!` with the message for problems with the data, the formula or the options (and for fits
 * that fail), `#N/A` with the message where the thing asked for is not there (a grouping factor the
 * model does not have, a cancelled fit).
 */
import { HlmError } from "@hlm/core";

/** Messages of HlmErrors that say "the thing asked for is not there" (#N/A rather than #VALUE!). */
const NOT_AVAILABLE = [/is not a grouping factor of the model/, /has no random intercept, so it has no intraclass correlation/, /has no fixed-effects term besides the intercept/, /^The model has no (residual correlation structure|variance function)/];

/**
 * The `CustomFunctions.Error` for anything a worksheet function threw:
 * - HlmError FORMULA, DATA, OPTIONS: `#VALUE!` with its message, except an unknown grouping factor
 *   (or one without a random intercept, for ICC) and a residual structure asked of a model without
 *   one (CORSTRUCT, VARFUNC, VARCOV), which are `#N/A`;
 * - HlmError FIT (the fit failed) and INTERNAL: `#VALUE!` with the message;
 * - HlmError CANCELLED: `#N/A` with the message;
 * - anything else: `#VALUE!` with "Internal error: " and the first line of its message.
 */
export function toCustomFunctionError(e: unknown): CustomFunctions.Error {
  const { ErrorCode } = CustomFunctions;
  if (e instanceof CustomFunctions.Error) return e;
  if (e instanceof HlmError) {
    const notAvailable = e.code === "CANCELLED" || (e.code === "OPTIONS" && NOT_AVAILABLE.some((re) => re.test(e.message)));
    return new CustomFunctions.Error(notAvailable ? ErrorCode.notAvailable : ErrorCode.invalidValue, e.message);
  }
  const message = (e instanceof Error ? e.message : String(e)).split("\n")[0]!.trim(); // one line: never a stack
  return new CustomFunctions.Error(ErrorCode.invalidValue, `Internal error: ${message}`);
}
