import { HlmError } from "@hlm/core";

/** The options every command takes: the model's (--ml/--reml, --factors, --weights), the data's (--sheet), --json and --help. */
export const MODEL_OPTIONS = {
  ml: { type: "boolean" },
  reml: { type: "boolean" },
  factors: { type: "string" },
  weights: { type: "string" },
  json: { type: "boolean" },
  sheet: { type: "string" },
  help: { type: "boolean" },
} as const;

/** Runs a command's parseArgs; a mistake in the arguments becomes one OPTIONS sentence. */
export function parseCommand<T>(parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    throw new HlmError("OPTIONS", `${(e as Error).message.split("\n")[0]}`);
  }
}

/** The fit options from the shared flags: REML unless --ml, --factors split on commas, --weights. */
export function modelOptions(values: { ml?: boolean; factors?: string; weights?: string }): { REML: boolean; factors: string[]; weights?: string } {
  const factors = values.factors ? values.factors.split(",").map((s) => s.trim()).filter((s) => s !== "") : [];
  return { REML: !values.ml, factors, ...(values.weights !== undefined ? { weights: values.weights } : {}) };
}
