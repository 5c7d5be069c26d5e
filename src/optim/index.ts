/** L6: optimizers (param groups, owned state) and, in ./schedules, learning-rate schedules. */
export { Optimizer, type ParamGroup, type ParamGroupSpec, type ParamState, type OptimizerStateDict } from "./optimizer.js";
export { SGD, sgd, type SgdOptions } from "./sgd.js";
export { Adam, AdamW, adam, adamw, type AdamOptions } from "./adam.js";
