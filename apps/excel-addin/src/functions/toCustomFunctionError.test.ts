import { HlmError } from "@hlm/core";
import { beforeAll, describe, expect, it } from "vitest";
import { datasetRange, loadReference } from "../../test/conformanceRange.js";
import { FakeCustomFunctionsError, installFakeCustomFunctions } from "./testing/fakeCustomFunctions.js";
import { icc, ranef } from "../common/worksheetFunctions.js";
import { toCustomFunctionError } from "./toCustomFunctionError.js";

beforeAll(() => {
  installFakeCustomFunctions();
});

const mapped = (e: unknown): { code: string; message?: string } => {
  const err = toCustomFunctionError(e) as unknown as FakeCustomFunctionsError;
  expect(err).toBeInstanceOf(FakeCustomFunctionsError);
  return { code: err.code, message: err.message };
};

const thrown = (f: () => unknown): unknown => {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error("expected an error");
};

describe("toCustomFunctionError", () => {
  it("makes problems with the formula, the data and the options #VALUE! with their message", () => {
    for (const code of ["FORMULA", "DATA", "OPTIONS"] as const) {
      expect(mapped(new HlmError(code, `bad ${code}`))).toEqual({ code: "#VALUE!", message: `bad ${code}` });
    }
    expect(mapped(new HlmError("FIT", "The optimizer did not converge."))).toEqual({ code: "#VALUE!", message: "The optimizer did not converge." });
    expect(mapped(new HlmError("INTERNAL", "oops"))).toEqual({ code: "#VALUE!", message: "oops" });
  });

  it("makes a grouping factor the model does not have #N/A (the real message of HLM.RANEF and HLM.ICC)", () => {
    const sleep = loadReference("sleepstudy_slopes_reml");
    const e = thrown(() => ranef(datasetRange("sleepstudy"), sleep.formula, "Patient"));
    expect(e).toBeInstanceOf(HlmError);
    expect(mapped(e)).toEqual({ code: "#N/A", message: (e as Error).message });
    expect((e as Error).message).toContain("'Patient' is not a grouping factor");
    const i = thrown(() => icc(datasetRange("sleepstudy"), sleep.formula, "Patient"));
    expect(mapped(i).code).toBe("#N/A");
  });

  it("makes a cancelled fit #N/A", () => {
    expect(mapped(new HlmError("CANCELLED", "The fit was cancelled."))).toEqual({ code: "#N/A", message: "The fit was cancelled." });
  });

  it("makes anything else #VALUE! marked as an internal error, and passes CustomFunctions errors through", () => {
    expect(mapped(new TypeError("x is undefined"))).toEqual({ code: "#VALUE!", message: "Internal error: x is undefined" });
    expect(mapped("plain")).toEqual({ code: "#VALUE!", message: "Internal error: plain" });
    expect(mapped(new RangeError("bad index\n    at f (functions.js:1:2)"))).toEqual({ code: "#VALUE!", message: "Internal error: bad index" });
    const own = new FakeCustomFunctionsError("#NUM!");
    expect(toCustomFunctionError(own)).toBe(own);
  });
});
