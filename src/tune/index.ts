/** L8: tune — search spaces, samplers (grid, random, coarse-to-fine, GP Bayesian optimization), pruners, benchmarks. */
export * from "./space.js";
export * from "./space_json.js";
export * from "./samplers/index.js";
export * from "./pruners/index.js";
export * from "./benchmarks.js";
export * from "./storage/index.js";
export * from "./study.js";
export * from "./study_config.js";
export * from "./study_results.js";
export * from "./runner.js";
export * from "./runner_objectives.js";
