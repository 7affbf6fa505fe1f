/** Assertions the add-in's tests share: a cell's number, the sentence of a refusal. */
import { HlmError } from "@hlm/core";
import { expect } from "vitest";
import type { Cell } from "../src/common/worksheetFunctions.js";

/** The cell holds a number within `tol` of `want` (`what` names it in a failure). */
export function expectClose(got: Cell | undefined, want: number, tol: number, what = ""): void {
  expect(typeof got, what).toBe("number");
  expect(Math.abs((got as number) - want), `${what}: ${String(got)} vs ${want}`).toBeLessThanOrEqual(tol);
}

/** The message of the HlmError a call throws; with `code`, checked to be of that code (OPTIONS: the cell's #VALUE!). */
export function messageOf(f: () => unknown, code?: HlmError["code"]): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(HlmError);
    if (code !== undefined) expect((e as HlmError).code).toBe(code);
    return (e as HlmError).message;
  }
  throw new Error("expected an error");
}
