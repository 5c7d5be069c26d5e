/** Samplers: grid, random, coarse-to-fine, Bayesian optimization (GP + expected improvement). All seeded and pure. */
export type { Direction, Sampler, Trial, TrialState } from "./types.js";
export { ExhaustedError } from "./types.js";
export type { GridSamplerOptions } from "./grid.js";
export { GridSampler, gridSampler } from "./grid.js";
export type { RandomSamplerOptions } from "./random.js";
export { RandomSampler, randomSampler } from "./random.js";
export type { CoarseToFineOptions } from "./coarse.js";
export { CoarseToFineSampler, coarseToFineSampler } from "./coarse.js";
export type { BayesOptions } from "./bayes.js";
export { BayesSampler, bayesSampler, expectedImprovement } from "./bayes.js";
export type { FitOptions } from "./gp.js";
export { GaussianProcess } from "./gp.js";
