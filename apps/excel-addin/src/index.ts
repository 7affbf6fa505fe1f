/** The Office-free layer of the HLM Excel add-in: range reading, the fit cache and the HLM.* worksheet functions. */
export { rangeToTable, rangeRows, columnLetter, type RangeOptions, type RangeRows } from "./rangeToTable.js";
export { ModelCache, modelCache, getFit, hashValues, parseMethod, checkFormula, type Method, type GetFitOptions, type CachedFit } from "./modelCache.js";
export * as worksheetFunctions from "./worksheetFunctions.js";
export type { Cell } from "./worksheetFunctions.js";
