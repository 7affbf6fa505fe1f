/**
 * Checks of the values the model is made of: magnitudes that stay inside double precision when
 * squared and summed, a response that varies, fewer fixed effects than observations.
 */
import { HlmError } from "../HlmError.js";
import { wasmRowPasses } from "../kernels/wasmKernels.js";
import type { Factor, Variable } from "./Variable.js";

/** Values beyond this size overflow when squared and summed (or their variances do). */
const TOO_LARGE = 1e100;
/** A variable whose values are all below this size underflows when squared. */
const TOO_SMALL = 1e-100;

/** A number for a message: three significant digits. */
const short = (v: number): string => String(Number(v.toPrecision(3)));

/** Refuses a variable whose values are too large or (all of them) too small for the computations (`wasm: false`: the scan in TypeScript, for tests). */
export function checkMagnitude(name: string, values: Float64Array, rowOf: (k: number) => number, wasm = true): void {
  let max = 0;
  let at = -1;
  // in WebAssembly where it runs (fast from a session's first fit): the same first index of the largest
  const kernels = wasm ? wasmRowPasses(values.length) : null;
  if (kernels) {
    at = kernels.maxAbsAt(values);
    if (at >= 0) max = Math.abs(values[at]!);
  } else {
    for (let k = 0; k < values.length; k++) {
      const a = Math.abs(values[k]!);
      if (a > max) {
        max = a;
        at = k;
      }
    }
  }
  if (max <= TOO_LARGE && (max === 0 || max >= TOO_SMALL)) return;
  const power = `1e${Math.round(Math.log10(max))}`;
  const example = /^[\p{L}.][\p{L}\p{N}._]*$/u.test(name) || /^[\p{L}.][\p{L}\p{N}._]*\(.*\)$/u.test(name) ? `, e.g. I(${name} ${max > TOO_LARGE ? "/" : "*"} ${power.replace("-", "")})` : "";
  if (max > TOO_LARGE) {
    throw new HlmError("DATA", `'${name}' is too large to fit: it reaches ${short(values[at]!)} in row ${rowOf(at)}, and values beyond 1e100 overflow the computations; rescale it${example}.`, { column: name, row: rowOf(at) });
  }
  throw new HlmError("DATA", `'${name}' is too small to fit: its largest value is ${short(values[at]!)} (row ${rowOf(at)}), and values all below 1e-100 underflow the computations; rescale it${example}.`, { column: name, row: rowOf(at) });
}

/**
 * Refuses a response that is the same in every row used (after the offset): there is no variance to
 * model, and an intercept (fixed or random) reproduces it exactly (lme4 reports a residual SD of 0).
 */
export function checkConstantResponse(name: string, y: Float64Array, offset: Float64Array | null, rowOf: (k: number) => number): void {
  const first = y[0]! - (offset ? offset[0]! : 0);
  for (let k = 1; k < y.length; k++) if (y[k]! - (offset ? offset[k]! : 0) !== first) return;
  const value = offset ? "" : ` (${short(first)})`;
  throw new HlmError("DATA", `'${name}' has the same value${value} in all ${y.length} rows used${offset ? ", after the offset" : ""}; there is no variation to model.`, { column: name, row: rowOf(0) });
}

/** The error for as many fixed effects as observations (or more), naming a categorical predictor with many levels. */
export function tooManyFixedEffects(p: number, n: number, predictors: Variable[], isText: (name: string) => boolean): HlmError {
  const factors = predictors.filter((v): v is Factor => v.kind === "factor").sort((a, b) => b.levels.length - a.levels.length);
  const f = factors[0];
  const hint = f && f.levels.length > 2 ? `; '${f.name}' is categorical${isText(f.name) ? " (it holds text)" : ""}, with a coefficient for each of its ${f.levels.length} levels but the first` : "";
  return new HlmError("DATA", `The fixed effects have ${p} coefficients for ${n} observations, which leaves nothing to estimate the variances${hint}.`, f ? { column: f.name } : undefined);
}
