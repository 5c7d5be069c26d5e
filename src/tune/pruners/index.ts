/** Early stopping of bad trials: median rule, ASHA / successive halving, divergence (NaN or loss > 3× initial). */
export type { PruneDecision, Pruner } from "./types.js";
export { anyPruner } from "./types.js";
export type { MedianPrunerOptions } from "./median.js";
export { MedianPruner, medianPruner, median } from "./median.js";
export type { AshaOptions } from "./asha.js";
export { AshaPruner, ashaPruner, successiveHalvingPlan } from "./asha.js";
export type { DivergenceOptions } from "./divergence.js";
export { DivergencePruner, divergencePruner, checkDivergence } from "./divergence.js";
