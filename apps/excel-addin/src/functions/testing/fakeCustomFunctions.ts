/**
 * A stand-in for the `CustomFunctions` global of Excel's custom-functions runtime, for tests: the
 * error codes as Excel has them, an Error class that keeps code and message, and `associate`
 * recording what was registered.
 */
export class FakeCustomFunctionsError {
  constructor(
    readonly code: string,
    readonly message?: string,
  ) {}
}

export const ErrorCode = {
  invalidValue: "#VALUE!",
  notAvailable: "#N/A",
  divisionByZero: "#DIV/0!",
  invalidNumber: "#NUM!",
  nullReference: "#NULL!",
  invalidName: "#NAME?",
  invalidReference: "#REF!",
} as const;

/** Installs the fake as `globalThis.CustomFunctions` (once) and returns the registry of associated functions. */
export function installFakeCustomFunctions(): Map<string, Function> {
  const g = globalThis as unknown as { CustomFunctions?: { associated: Map<string, Function> } };
  if (!g.CustomFunctions) {
    const associated = new Map<string, Function>();
    g.CustomFunctions = {
      associated,
      Error: FakeCustomFunctionsError,
      ErrorCode,
      associate(id: string | Record<string, Function>, f?: Function): void {
        if (typeof id === "string") associated.set(id, f!);
        else for (const [k, v] of Object.entries(id)) associated.set(k, v);
      },
    } as never;
  }
  return g.CustomFunctions!.associated;
}
