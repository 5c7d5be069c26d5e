/**
 * The babysitter: CS231n's "babysitting the learning process" checks as software
 * (https://cs231n.github.io/neural-networks-3/#baby). Each check returns pass/warn/fail, the numbers it
 * measured and plain-language advice; `babysit()` runs them all and `ganglion check` prints the report.
 */
export { worstStatus, fmtNumber, type CheckResult, type CheckStatus, type LossFn, type MakeOptimizer } from "./types.js";
export { snapshotState, restoreState, onScratchModel, takeBatch, l2Penalty, type FixedBatch } from "./state.js";
export { checkInitialLoss, type InitialLossOptions } from "./initial-loss.js";
export { checkOverfitTinySubset, defaultCheckOptimizer, type OverfitOptions } from "./overfit.js";
export { lrRangeTest, analyzeLrCurve, type LrRangeOptions, type LrRangeResult, type LrCurve } from "./lr-range.js";
export { nanGuard, nanGuardResult, type NanGuard, type NanGuardOptions, type NanFinding, type NanWhere } from "./nan-guard.js";
export { layerStatsMonitor, activationStat, deadFraction, saturatedFraction, DEFAULT_EDGES, GRAD_EDGES, type LayerStatsMonitor, type LayerStatsOptions, type LayerStat } from "./layer-stats.js";
export { diagnoseLayerStats, type LayerDiagnosisOptions } from "./layer-diagnosis.js";
export { diagnoseGap, type GapInput, type GapOptions } from "./gap.js";
export { gradcheckModel, type ModelGradcheckOptions, type ModelGradcheckResult, type ParamGradcheck } from "./gradcheck-model.js";
export { babysitTraining, combineOnStep, type BabysitTrainingOptions, type TrainingBabysitter, type OnStep } from "./monitor.js";
export { babysit, type BabysitOptions, type BabysitReport } from "./suite.js";
export { formatReport, formatNumbers } from "./report.js";
