/** What kind of problem: a user mistake in the formula, in the data, in the options, or a failure of the fit itself. */
export type HlmErrorCode = "FORMULA" | "DATA" | "OPTIONS" | "FIT" | "CANCELLED" | "INTERNAL";
/** The one error class of the project: a message a person can act on, and a code for programs. */
export class HlmError extends Error {
  override readonly name = "HlmError";
  constructor(readonly code: HlmErrorCode, message: string, readonly details?: { position?: number; column?: string; row?: number }) {
    super(message);
  }
}
