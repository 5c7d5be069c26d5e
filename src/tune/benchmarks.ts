/**
 * Test functions with known optima for checking samplers (Surjanovic & Bingham, "Virtual Library of
 * Simulation Experiments", https://www.sfu.ca/~ssurjano/optimization.html), and a sequential search loop.
 * All are minimized.
 */
import { ValueError } from "../core/index.js";
import { SearchSpace, uniform } from "./space.js";
import type { Config } from "./space.js";
import type { Direction, Sampler, Trial } from "./samplers/types.js";

export interface Benchmark {
  readonly name: string;
  readonly space: SearchSpace;
  /** The global minimum value. */
  readonly optimum: number;
  /** Where it is attained. */
  readonly argmin: readonly Config[];
  evaluate(config: Config): number;
}

const num = (c: Config, k: string): number => c[k] as number;

/**
 * Branin–Hoo on x1 ∈ [−5, 10], x2 ∈ [0, 15] (Dixon & Szegő 1978; a standard BO benchmark in Snoek et al. 2012):
 * f = (x2 − 5.1x1²/(4π²) + 5x1/π − 6)² + 10(1 − 1/(8π)) cos x1 + 10, minimum 0.397887 at three points.
 */
export const branin: Benchmark = {
  name: "branin",
  space: new SearchSpace({ x1: uniform(-5, 10), x2: uniform(0, 15) }),
  optimum: 0.397887357729738,
  argmin: [{ x1: -Math.PI, x2: 12.275 }, { x1: Math.PI, x2: 2.275 }, { x1: 9.42477796, x2: 2.475 }],
  evaluate(c) {
    const x1 = num(c, "x1");
    const x2 = num(c, "x2");
    const b = 5.1 / (4 * Math.PI * Math.PI);
    return (x2 - b * x1 * x1 + (5 / Math.PI) * x1 - 6) ** 2 + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x1) + 10;
  },
};

const H6_ALPHA = [1.0, 1.2, 3.0, 3.2];
const H6_A = [
  [10, 3, 17, 3.5, 1.7, 8],
  [0.05, 10, 17, 0.1, 8, 14],
  [3, 3.5, 1.7, 10, 17, 8],
  [17, 8, 0.05, 10, 0.1, 14],
];
const H6_P = [
  [1312, 1696, 5569, 124, 8283, 5886],
  [2329, 4135, 8307, 3736, 1004, 9991],
  [2348, 1451, 3522, 2883, 3047, 6650],
  [4047, 8828, 8732, 5743, 1091, 381],
].map((row) => row.map((p) => p * 1e-4));
const H6_NAMES = ["x1", "x2", "x3", "x4", "x5", "x6"];

/**
 * Hartmann-6 on [0, 1]⁶: f = −Σ_i α_i exp(−Σ_j A_ij (x_j − P_ij)²), six local minima, global minimum
 * −3.32237 at (0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573).
 */
export const hartmann6: Benchmark = {
  name: "hartmann6",
  space: new SearchSpace(Object.fromEntries(H6_NAMES.map((n) => [n, uniform(0, 1)]))),
  optimum: -3.322368011391339,
  argmin: [{ x1: 0.20169, x2: 0.150011, x3: 0.476874, x4: 0.275332, x5: 0.311652, x6: 0.6573 }],
  evaluate(c) {
    let f = 0;
    for (let i = 0; i < 4; i++) {
      let s = 0;
      for (let j = 0; j < 6; j++) s += H6_A[i][j] * (num(c, H6_NAMES[j]) - H6_P[i][j]) ** 2;
      f -= H6_ALPHA[i] * Math.exp(-s);
    }
    return f;
  },
};

/**
 * A 2-D function where only x matters (Bergstra & Bengio 2012, figure 1):
 * f(x, y) = 1 − exp(−(x − x*)² / (2·0.05²)) + 0.01 (y − ½)², minimum 0 at (x*, ½).
 */
export function unimportantParam2d(xStar = 0.37): Benchmark {
  if (!(xStar >= 0 && xStar <= 1)) throw new ValueError(`unimportantParam2d: xStar must be in [0, 1], got ${xStar}`);
  return {
    name: `unimportantParam2d(x*=${xStar})`,
    space: new SearchSpace({ x: uniform(0, 1), y: uniform(0, 1) }),
    optimum: 0,
    argmin: [{ x: xStar, y: 0.5 }],
    evaluate(c) {
      return 1 - Math.exp(-((num(c, "x") - xStar) ** 2) / (2 * 0.05 ** 2)) + 0.01 * (num(c, "y") - 0.5) ** 2;
    },
  };
}

export interface SearchResult {
  trials: Trial[];
  best: number;
  bestConfig: Config;
  /** best[i] = best value among the first i + 1 trials. */
  trace: number[];
}

/** Runs `budget` trials one after another: suggest, evaluate, record as complete. */
export function runSearch(sampler: Sampler, objective: (c: Config) => number, budget: number, direction: Direction = "minimize"): SearchResult {
  if (!(Number.isInteger(budget) && budget >= 1)) throw new ValueError(`runSearch: budget must be an integer >= 1, got ${budget}`);
  const trials: Trial[] = [];
  const trace: number[] = [];
  let best = direction === "minimize" ? Infinity : -Infinity;
  let bestConfig: Config = {};
  for (let i = 0; i < budget; i++) {
    const config = sampler.suggest(trials);
    const value = objective(config);
    trials.push({ config, value, state: "complete" });
    if (direction === "minimize" ? value < best : value > best) {
      best = value;
      bestConfig = config;
    }
    trace.push(best);
  }
  return { trials, best, bestConfig, trace };
}
