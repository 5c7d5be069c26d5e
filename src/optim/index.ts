/** L6: optimizers (param groups, owned state) and, in ./schedules, learning-rate schedules. */
export { Optimizer, evalClosure, type Closure, type ParamGroup, type ParamGroupSpec, type ParamState, type OptimizerStateDict } from "./optimizer.js";
export { SGD, sgd, type SgdOptions } from "./sgd.js";
export { setFusedUpdates, type FusedUpdates } from "./fused.js";
export { Adam, AdamW, adam, adamw, type AdamOptions } from "./adam.js";
export { Adagrad, adagrad, type AdagradOptions } from "./adagrad.js";
export { RMSprop, rmsprop, type RmspropOptions } from "./rmsprop.js";
export { LBFGS, lbfgs, type LbfgsOptions, type LineSearch } from "./lbfgs.js";
export { cubicInterpolate, strongWolfe, type LineObjective, type LineSearchResult, type StrongWolfeOptions } from "./linesearch.js";
export { l1Penalty, elasticNet, paramGroupsNoDecay, clipGradNorm, clipGradValue, checkFiniteGrads, NonFiniteGradError } from "./regularize.js";
export { scaleGrads, accumulateAndStep, type Steppable } from "./accumulate.js";
export { AveragedModel, ema, polyak, recomputeBatchNormStats, type AverageMode, type AverageOptions } from "./average.js";
export * as schedules from "./schedules/index.js";
