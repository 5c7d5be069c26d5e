/** L7: train — the fit loop, evaluation, metrics, typed events. */
export * from "./events.js";
export * from "./metrics.js";
export * from "./evaluate.js";
export * from "./misclassified.js";
export * from "./fit.js";
export * as babysit from "./babysit/index.js";
