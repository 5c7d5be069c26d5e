/** L3: backward rules (one table), the reverse-mode engine, gradcheck. */
export { backwardRules, unbroadcast, type BackwardRule } from "./rules.js";
export { backward, setBackwardHooks, type BackwardHooks } from "./engine.js";
export { gradcheck, type GradcheckOptions, type GradcheckReport, type GradcheckWorst } from "./gradcheck.js";
