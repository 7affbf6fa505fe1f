/** The package entry (`@hlm/excel-addin`): the Office-free layer in `common/`: range reading, the fit cache and the HLM.* worksheet functions. */
export { rangeToTable, rangeRows, columnLetter, type RangeOptions, type RangeRows } from "./common/rangeToTable.js";
export { ModelCache, modelCache, getFit, hashValues, parseMethod, checkFormula, type Method, type GetFitOptions, type CachedFit } from "./common/modelCache.js";
export * as worksheetFunctions from "./common/worksheetFunctions.js";
export type { Cell } from "./common/worksheetFunctions.js";
