export { HlmError, type HlmErrorCode } from "./HlmError.js";
export { readCsv, tableFromRows, type Table, type Column, type ReadCsvOptions } from "./readCsv.js";
export { createCsvReader, type CsvReader } from "./createCsvReader.js";
export { parseFormula, deparse, type Formula, type Expr } from "./formula/parseFormula.js";
export { modelTerms, type ModelTerms, type LinearTerms, type RandomTerm } from "./formula/modelTerms.js";
export { buildModel, type Model, type ModelOptions, type ReTerm } from "./buildModel.js";
export { makeObjective, type Objective, type Factorization } from "./makeObjective.js";
export { optimize, type OptSummary, type OptimizeOptions, type OptimizerProgress } from "./optimize.js";
export { makeFit, type MakeFitOptions, type LmmFit, type VarCorrTerm, type RanefTable, type CoefTable, type FitWarning } from "./makeFit.js";
export { fit, fitModel, type FitOptions } from "./fit.js";
export { bobyqa, type BobyqaOptions, type BobyqaResult } from "./optim/bobyqa.js";

export { formatSummary, formatShrinkage, formatCommon, abbreviate, formatPValue } from "./formatSummary.js";
export { fitToJson, type FitJson } from "./fitToJson.js";
export { shrinkageTable, type ShrinkageTable } from "./shrinkageTable.js";
export { summaryTable, randomEffectsTable, shrinkageResultTable, type Cell, type ResultTable, type ResultSection, type ResultSheetName } from "./resultTables.js";
export { closestName, columnsOf, formatLabel, nameUses } from "./modelFrame.js";
export { effectSizes, waldIntervals, type EffectSizes, type WaldIntervals } from "./effectSizes.js";
export { compareModels, compareFits, formatComparison, chisqUpperTail, REFIT_NOTE, type ModelComparison, type ComparisonRow, type CompareOptions } from "./compareModels.js";
