/**
 * The fits behind the worksheet functions, computed once: `=HLM.FIXEF(A1:D200, F)`,
 * `=HLM.SIGMA(A1:D200, F)` and `=HLM.RANEF(A1:D200, F)` on the same data and formula share one
 * fit. A small least-recently-used cache keyed by a hash of the range values, the formula, the
 * method (REML/ML), the categorical columns, the weights column, and the residual correlation
 * structure and variance function (nlme's texts); a generalized linear mixed model's fit (`getGlmm`,
 * lme4's glmer) is held in the same cache, keyed by its family, link and points of quadrature too.
 *
 * Failures that come from the user's input (an unknown column, a formula error, data that cannot be
 * fitted) are remembered too, so a dozen cells on a broken formula do not rebuild the model a dozen
 * times.
 */
import { buildModel, declaredColumnsOfTable, fitGlmmModel, fitModel, fitSummedModel, HlmError, isSumsHeader, modelFromSums, planCrossProducts, sumsRowsOfTable, type GlmmFit, type LmmFit, type Model, type SummedModel } from "@hlm/core";
import { formulaColumns, locateError, structureColumns } from "./locateError.js";
import { checkErrorCells, rangeToLocatedTable, type RangeOptions, type SheetLayout } from "./rangeToTable.js";

/** Estimation method of the worksheet functions. */
export type Method = "REML" | "ML";

/** Options of a cached fit. */
export interface GetFitOptions {
  /** "REML" (default) or "ML", any case; null, undefined and "" mean REML. */
  method?: unknown;
  /** Numeric columns to treat as categorical. */
  factors?: readonly string[];
  /** Column of prior weights. */
  weights?: string;
  /** A residual correlation structure in nlme's language (`corAR1(form = ~ Time | Rat)`); blank for none. */
  correlation?: string;
  /** A variance function in nlme's language (`varIdent(form = ~ 1 | Sex)`); blank for none. */
  variance?: string;
  /** Where the data range sits, for cell addresses and sheet rows in messages (part of the key: a remembered error names cells). */
  range?: RangeOptions;
  /** With a warehouse's sums for data: the kinds of columns given to their query (`school:number`). */
  columns?: string;
}

/** A fitted model: the model matrices (for shrinkage and prediction), the fit, and where the data's header and columns are on the sheet. */
export interface CachedFit {
  model: Model;
  fit: LmmFit;
  layout: SheetLayout;
  /** With a warehouse's sums for data: the model from them with its cross-products (the profiles' A). */
  sums?: SummedModel;
}

/** Options of a cached GLMM fit (lme4's glmer): the family, its link, the points of quadrature, and the model's options. */
export interface GetGlmmOptions {
  family: "binomial" | "poisson";
  link?: "logit" | "probit" | "cloglog" | "log";
  nAGQ?: number;
  factors?: readonly string[];
  weights?: string;
  range?: RangeOptions;
}

/** A fitted generalized linear mixed model, as `CachedFit`. */
export interface CachedGlmm {
  model: Model;
  fit: GlmmFit;
  layout: SheetLayout;
}

/**
 * "REML" or "ML" from a worksheet argument (case-insensitive, surrounding spaces ignored; missing
 * means REML). Anything else is an HlmError("OPTIONS").
 */
export function parseMethod(method: unknown): Method {
  if (method === null || method === undefined) return "REML";
  if (typeof method === "string") {
    const m = method.trim().toUpperCase();
    if (m === "" || m === "REML") return "REML";
    if (m === "ML") return "ML";
  }
  const shown = typeof method === "string" ? `"${method}"` : String(method);
  throw new HlmError("OPTIONS", `The method must be "REML" or "ML" (maximum likelihood), not ${shown}.`);
}

/** Checks that the formula is non-empty text. */
export function checkFormula(formula: unknown): string {
  if (typeof formula !== "string" || formula.trim() === "") {
    throw new HlmError("FORMULA", `The formula must be text such as "score ~ ses + (ses | school)"; it is ${typeof formula === "string" ? "empty" : String(formula)}.`);
  }
  return formula.trim();
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/**
 * A 64-bit hash (two independent 32-bit lanes, FNV-1a and a multiply-xorshift) of range values:
 * every cell's type and value (numbers by their bits, text by its characters) and the shape. Fast
 * enough to run on every worksheet-function call (a few milliseconds for 100,000 cells).
 */
export function hashValues(values: unknown): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x9747b28c;
  const mix = (x: number): void => {
    h1 = Math.imul(h1 ^ x, 16777619);
    h2 = Math.imul(h2 ^ x, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  };
  if (!Array.isArray(values)) {
    mix(0xdead);
  } else {
    mix(values.length);
    for (const row of values as unknown[]) {
      if (!Array.isArray(row)) {
        mix(0xbeef);
        continue;
      }
      mix(row.length | 0x40000000);
      for (const v of row as unknown[]) {
        switch (typeof v) {
          case "number":
            f64[0] = v;
            mix(1);
            mix(u32[0]!);
            mix(u32[1]!);
            break;
          case "string":
            mix(2);
            mix(v.length);
            for (let i = 0; i < v.length; i++) mix(v.charCodeAt(i));
            break;
          case "boolean":
            mix(v ? 3 : 4);
            break;
          default:
            mix(v === null || v === undefined ? 5 : 6);
            if (v !== null && v !== undefined) {
              const s = String(v);
              for (let i = 0; i < s.length; i++) mix(s.charCodeAt(i));
            }
        }
      }
    }
  }
  return (h1 >>> 0).toString(16).padStart(8, "0") + (h2 >>> 0).toString(16).padStart(8, "0");
}

/** Errors from the user's input are worth remembering; cancellations and internal failures are not. */
const remembered = (e: unknown): e is HlmError => e instanceof HlmError && e.code !== "CANCELLED" && e.code !== "INTERNAL";

type Entry = { ok: true; value: CachedFit | CachedGlmm } | { ok: false; error: HlmError };

/** An LRU cache of fits (default capacity 20), keyed by data, formula, method, factors, weights and the residual structure. */
export class ModelCache {
  private readonly entries = new Map<string, Entry>();
  /** Calls answered from the cache, models built, and fits computed. */
  readonly stats = { hits: 0, misses: 0, fits: 0 };

  constructor(
    readonly capacity = 20,
    private readonly fitter: (model: Model) => LmmFit = (model) => fitModel(model),
  ) {}

  /** Number of fits (and remembered failures) held. */
  get size(): number {
    return this.entries.size;
  }

  /** Forgets every fit and resets the counts. */
  clear(): void {
    this.entries.clear();
    this.stats.hits = this.stats.misses = this.stats.fits = 0;
  }

  /** The cache key of a request: the data's hash, the formula, method, factors (sorted), weights, the residual structure's texts and where the range is. */
  key(values: unknown, formula: string, options: GetFitOptions = {}): string {
    const factors = [...new Set(options.factors ?? [])].sort().join("\u0000");
    const at = `${options.range?.firstRow ?? 0},${options.range?.firstColumn ?? 0}`;
    const structure = `${options.correlation?.trim() ?? ""}\u0000${options.variance?.trim() ?? ""}`;
    return [hashValues(values), formula.trim(), parseMethod(options.method), factors, options.weights ?? "", structure, at, options.columns ?? ""].join("\u0001");
  }

  /**
   * The fit of `formula` on the range values (first row the header): from the cache when the same
   * data, formula and options were fitted before, otherwise built, fitted and remembered.
   */
  get(values: unknown, formula: unknown, options: GetFitOptions = {}): CachedFit {
    const f = checkFormula(formula);
    const method = parseMethod(options.method);
    return this.remember(this.key(values, f, options), (): CachedFit => {
      const { table, layout } = rangeToLocatedTable(values, options.range);
      const correlation = options.correlation?.trim();
      const variance = options.variance?.trim();
      if (isSumsHeader(table.names)) {
        // a warehouse's sums (the result of hlm sql / HLM.SQL): the fit from them, without the rows
        if (correlation || variance) throw new HlmError("OPTIONS", "A residual structure needs the rows, and these data are a warehouse's sums (the result of HLM.SQL's query); leave the correlation and variance options out.");
        const plan = planCrossProducts(f, declaredColumnsOfTable(f, table, { ...(options.factors ? { factors: options.factors } : {}), ...(options.weights !== undefined ? { weights: options.weights } : {}), ...(options.columns !== undefined ? { kinds: options.columns } : {}) }), {
          REML: method === "REML",
          ...(options.factors ? { factors: options.factors } : {}),
          ...(options.weights !== undefined ? { weights: options.weights } : {}),
        });
        const summed = modelFromSums(plan, sumsRowsOfTable(plan, table));
        this.stats.fits++;
        return { model: summed.model, fit: fitSummedModel(summed), layout, sums: summed };
      }
      // Excel errors in the columns the model uses
      checkErrorCells(layout, [...formulaColumns(f), ...(options.weights !== undefined ? [options.weights] : []), ...structureColumns({ correlation, variance })]);
      let model: Model;
      try {
        model = buildModel(table, f, {
          REML: method === "REML",
          ...(options.factors ? { factors: options.factors } : {}),
          ...(options.weights !== undefined ? { weights: options.weights } : {}),
          ...(correlation ? { correlation } : {}),
          ...(variance ? { variance } : {}),
        });
      } catch (e) {
        throw locateError(e, table, layout, f); // the engine's data rows as the sheet's rows
      }
      this.stats.fits++;
      return { model, fit: this.fitter(model), layout };
    }) as CachedFit;
  }

  /**
   * The generalized linear mixed model (lme4's glmer) of `formula` on the range values: from the
   * cache when the same data, formula, family, link, points of quadrature and options were fitted
   * before, otherwise built (with the family's response checks), fitted and remembered.
   */
  getGlmm(values: unknown, formula: unknown, options: GetGlmmOptions): CachedGlmm {
    const f = checkFormula(formula);
    const glm = `glmer\u0000${options.family}\u0000${options.link ?? ""}\u0000${options.nAGQ ?? 1}`;
    const key = [this.key(values, f, { ...options, method: "ML" }), glm].join("\u0001");
    return this.remember(key, (): CachedGlmm => {
      const { table, layout } = rangeToLocatedTable(values, options.range);
      if (isSumsHeader(table.names)) throw new HlmError("OPTIONS", `A ${options.family} model (family=${options.family}) is fitted by repeated passes over the rows (PIRLS), and these data are a warehouse's sums (the result of HLM.SQL's query); fit it from the rows.`);
      checkErrorCells(layout, [...formulaColumns(f), ...(options.weights !== undefined ? [options.weights] : [])]);
      const glmOptions = {
        family: options.family,
        ...(options.link !== undefined ? { link: options.link } : {}),
        ...(options.factors ? { factors: options.factors } : {}),
        ...(options.weights !== undefined ? { weights: options.weights } : {}),
      };
      try {
        const model = buildModel(table, f, { ...glmOptions, REML: false });
        this.stats.fits++;
        return { model, fit: fitGlmmModel(model, { ...glmOptions, nAGQ: options.nAGQ ?? 1 }), layout };
      } catch (e) {
        throw locateError(e, table, layout, f); // the engine's data rows (a response the family cannot take) as the sheet's rows
      }
    }) as CachedGlmm;
  }

  /** The cached value of `key`, or `compute`'s, remembered (with the errors from the user's input) in least-recently-used order. */
  private remember(key: string, compute: () => CachedFit | CachedGlmm): CachedFit | CachedGlmm {
    const hit = this.entries.get(key);
    if (hit) {
      this.stats.hits++;
      this.entries.delete(key);
      this.entries.set(key, hit);
      if (!hit.ok) throw hit.error;
      return hit.value;
    }
    this.stats.misses++;
    let entry: Entry;
    try {
      entry = { ok: true, value: compute() };
    } catch (e) {
      if (!remembered(e)) throw e;
      entry = { ok: false, error: e };
    }
    this.entries.set(key, entry);
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    if (!entry.ok) throw entry.error;
    return entry.value;
  }
}

/** The cache shared by the worksheet functions (and the task pane) of one runtime. */
export const modelCache = new ModelCache(20);

/** The fit of `formula` on the range values, from the shared cache: `{ model, fit }`. */
export function getFit(values: unknown, formula: unknown, options: GetFitOptions = {}): CachedFit {
  return modelCache.get(values, formula, options);
}

/** The GLMM fit (lme4's glmer) of `formula` on the range values, from the shared cache. */
export function getGlmm(values: unknown, formula: unknown, options: GetGlmmOptions): CachedGlmm {
  return modelCache.getGlmm(values, formula, options);
}
