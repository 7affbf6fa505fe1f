/**
 * @hlm/core: linear mixed models with lme4's formulation and numbers. The folders follow the
 * pipeline `readCsv → parseFormula → buildModel → makeObjective → optimize → makeFit`, then the
 * questions asked of a fit and the ways of printing it; imports run one way, down this list.
 */
export { HlmError, type HlmErrorCode } from "./HlmError.js";

// io/: text and cells to a Table of typed columns
export { type Table, type Column } from "./io/Table.js";
export { readCsv } from "./io/readCsv.js";
export { createCsvReader, type CsvReader, type ReadCsvOptions } from "./io/createCsvReader.js";
export { tableFromRows } from "./io/tableFromRows.js";
export { selectRows } from "./io/selectRows.js";

// formula/: lme4's formula language, expanded by R's terms() rules
export { parseFormula, deparse, type Formula, type Expr } from "./formula/parseFormula.js";
export { modelTerms, type ModelTerms, type LinearTerms, type RandomTerm } from "./formula/modelTerms.js";
export { columnsOf, nameUses } from "./formula/nameUses.js";
export { parseStructure, type StructureSpec, type StructureForm, type CorrelationClass, type VarianceClass } from "./formula/parseStructure.js";

// model/: the model frame, X, the random-effects terms and θ's layout
export { buildModel } from "./model/buildModel.js";
export { type Model, type ModelOptions, type ReTerm, type ResidualStructure, type StructureOptions } from "./model/Model.js";
export { closestName } from "./model/closestName.js";
export { columnLabel, formatLabel } from "./model/levelLabels.js";

// objective/: what the optimizer minimizes; the profiled Gaussian deviance
export type { Objective, ParameterLayout } from "./objective/Objective.js";
export type { ProfiledDeviance, Factorization } from "./objective/ProfiledDeviance.js";
export { makeObjective } from "./objective/makeObjective.js";
export { makeStructuredObjective } from "./objective/makeStructuredObjective.js";

// structure/: residual correlation structures and variance functions (nlme's)
export { structureParameters, naturalParameters, type StructureParameters } from "./structure/structureParameters.js";

// optim/: BOBYQA and the optimizer stage
export { bobyqa, type BobyqaOptions, type BobyqaResult } from "./optim/bobyqa.js";
export { optimize, type OptimizeOptions, type OptimizerProgress } from "./optim/optimize.js";
export { prepareKernels, type PrepareKernelsOptions } from "./optim/prepareKernels.js";
export { type OptSummary } from "./optim/OptSummary.js";

// fit/: the fit at the optimum, and fit() the composition of the stages
export { type LmmFit, type VarCorrTerm, type RanefTable, type CoefTable, type FitWarning, type ResidualFit, type ContainmentTable } from "./fit/LmmFit.js";
export { containmentDf } from "./fit/containmentDf.js";
export { makeFit, type MakeFitOptions } from "./fit/makeFit.js";
export { fit, fitModel, type FitOptions } from "./fit/fit.js";
export { SQL_DIALECTS, parseDialect, type SqlDialect } from "./sql/SqlDialect.js";
export { planCrossProducts, type CrossProductPlan, type SqlColumn, type SumsOptions } from "./sql/planCrossProducts.js";
export { crossProductsQuery, sumsLayout, type SqlSource, type SumsLayout } from "./sql/crossProductsQuery.js";
export { modelFromSums, type SumsRow, type SummedModel, type CellDesign } from "./sql/modelFromSums.js";
export { residualsQuery, cellCoefficients, coefficientTable, exactQuantiles, type ResidualsOutput, type ResidualBins } from "./sql/residualsQuery.js";
export { fitFromSums, fitSummedModel } from "./sql/fitFromSums.js";
export { sumsRows, sumsRowsOfTable, isSumsHeader, declaredColumns, declaredColumnsOfTable, resultCategoricals } from "./sql/sumsRows.js";

// glmm: generalized linear mixed models (lme4's glmer, Laplace)
export { fitGlmm, fitGlmmModel, type GlmmOptions } from "./glmm/fitGlmm.js";
export { type GlmmFit } from "./glmm/GlmmFit.js";
export { glmFamily, type Family } from "./glmm/families.js";
export { LINKS, type Link } from "./glmm/links.js";

// inference/: tests and intervals
export { compareModels, compareFits, compareGlmmFits, compareGlmmModels, chisqUpperTail, REFIT_NOTE, REML_NOTE, type ModelComparison, type ComparisonRow, type CompareOptions, type ComparableFit } from "./inference/compareModels.js";
export { anovaTypeIII, fStatisticDf, fTestPValue, type AnovaRow } from "./inference/anovaTypeIII.js";
export { modelParameters, waldIntervals, glmmWaldIntervals, varianceParameterNames, thetaToSdCor, sdCorToTheta, type ModelParameter, type ParameterKind, type IntervalRow, type ParameterIntervals } from "./inference/parameterIntervals.js";
export { profileIntervals, type ProfileOptions } from "./inference/profileIntervals.js";
export { glmmProfileIntervals } from "./inference/glmmProfileIntervals.js";
export * from "./inference/bootstrapIntervals.js";

// results/: what else a fit gives
export { predict, type PredictOptions, type Predictions, type PredictableFit } from "./results/predict.js";
export { predictGlmm, type GlmmPredictOptions, type GlmmPredictions } from "./results/predictGlmm.js";
export { effectSizes, type EffectSizes } from "./results/effectSizes.js";
export { glmmEffectSizes, nullModel, type GlmmEffectSizes, type GlmmEffectSizesOptions } from "./results/glmmEffectSizes.js";
export { groupInfluence, type GroupInfluence, type GroupInfluenceOptions } from "./results/groupInfluence.js";
export { diagnostics, qqnorm, ppoints, type Diagnostics, type RanefQQ } from "./results/diagnostics.js";
export { shrinkageTable, type ShrinkageTable } from "./results/shrinkageTable.js";
export { residualAcf, type AcfLag } from "./results/residualAcf.js";

// report/: as R prints it, as tables for sheets, as JSON
export { formatSummary, formatShrinkage, formatCommon, abbreviate } from "./report/formatSummary.js";
export { formatPValues, pValueNumberFormat, formatReal, formatRealWith, DOUBLE_EPS, type RealFormat } from "./report/formatPValues.js";
export { formatComparison } from "./report/formatComparison.js";
export { formatAnova, formatIntervals, formatInfluence } from "./report/formatInference.js";
export { summaryTable, randomEffectsTable, shrinkageResultTable, NUMBER_FORMATS, type Cell, type ResultTable, type ResultSection, type ResultSheetName } from "./report/resultTables.js";
export { fitToJson, type FitJson, type DdfMethod } from "./report/fitToJson.js";
export { formatGlmmSummary, glmmWarnings } from "./report/formatGlmmSummary.js";
export { glmmToJson, type GlmmJson } from "./report/glmmToJson.js";
export { glmmSummaryTable, glmmRandomEffectsTable, glmmMethod, ratioName } from "./report/glmmResultTables.js";
export { STRUCTURE_LABELS, structureFormula, varianceParameters } from "./report/describeStructure.js";
