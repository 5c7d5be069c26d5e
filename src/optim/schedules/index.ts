/**
 * Learning-rate schedules: pure functions `(step) => lr` plus the stateful `ReduceOnPlateau`.
 * Imports nothing but `core` (see DESIGN.md §2).
 */
export type { Schedule, PolynomialOptions } from "./basic.js";
export { constant, stepDecay, multiStep, exponential, polynomial } from "./basic.js";
export { cosine, cosineWarmRestarts } from "./cosine.js";
export type { Anneal, OneCycleOptions, OneCycleMomentumOptions } from "./onecycle.js";
export { oneCycle, oneCycleMomentum } from "./onecycle.js";
export { linearRamp, linearWarmup, sequential, compose } from "./combine.js";
export type { PlateauMode, ThresholdMode, ReduceOnPlateauOptions, ReduceOnPlateauState } from "./plateau.js";
export { ReduceOnPlateau } from "./plateau.js";
