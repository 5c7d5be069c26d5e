/**
 * Bayesian optimization (GP + EI) against random search on small real training jobs, at equal trial
 * budgets, over several sampler seeds (issue 8). Each trial is a real training run of `ganglion tune`'s
 * job objective (src/cli/tune_jobs.ts); the training itself is seeded and fixed, so the objective is a
 * deterministic function of the configuration and the seeds vary only the samplers.
 *
 *   node dist/bench/tune-bo-vs-random.js --problem spiral --seeds 10 --budget 20 [--metric accuracy|loss] [--out f.json]
 *
 * Problems (data from the repository, nothing downloads):
 *  - spiral: the CS231n 3-class spiral (300 points, 20% held out), 2-layer ReLU net, 20 epochs of
 *    mini-batches; space lr, weightDecay (log), hidden (int, log), optimizer (sgd | adam).
 *  - cnn: the default CNN on 500 of the embedded MNIST digits (401 train / 99 validation), 2 epochs,
 *    AdamW + one-cycle; space lr, weightDecay (log), dropout, width (int 4–16, log).
 * Prints a Markdown table of the median best validation metric after 5, 10, … trials and writes every
 * trial to --out as JSON.
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "../src/cli/args.js";
import { defaultSpace, jobObjective } from "../src/cli/tune_jobs.js";
import type { Job } from "../src/cli/tune_jobs.js";
import { BayesSampler, RandomSampler, SearchSpace, int, logUniform, uniform } from "../src/tune/index.js";
import { compareSamplers, formatComparison, summarizeComparison } from "../src/tune/compare.js";
import type { CompareObjective } from "../src/tune/compare.js";

const PROBLEMS: Record<string, { job: Job; space?: SearchSpace; what: string }> = {
  spiral: { job: { name: "spiral", epochs: 20, seed: 0 }, what: "spiral 2-layer net (240 train / 60 val points, 20 epochs)" },
  cnn: {
    job: { name: "cnn", dataset: "mnist", epochs: 2, batchSize: 32, limit: 500, valFraction: 0.2, seed: 0 },
    space: new SearchSpace({ lr: logUniform(1e-4, 1e-1), weightDecay: logUniform(1e-6, 1e-2), dropout: uniform(0, 0.6), width: int(4, 16, { log: true }) }),
    what: "default CNN on 500 MNIST digits (401 train / 99 val, 2 epochs)",
  },
};

const flags = parseArgs("tune-bo-vs-random", process.argv.slice(2), {
  problem: { type: "string", default: "spiral", choices: Object.keys(PROBLEMS), help: "training job" },
  seeds: { type: "int", default: 10, help: "sampler seeds 0..N-1" },
  "first-seed": { type: "int", default: 0, help: "first sampler seed" },
  budget: { type: "int", default: 20, help: "trials per search" },
  metric: { type: "string", default: "accuracy", choices: ["accuracy", "loss"], help: "validation metric to optimize" },
  out: { type: "string", help: "JSON file for every trial" },
}).flags;

const problem = PROBLEMS[flags.problem as string];
const space = problem.space ?? defaultSpace(problem.job);
const budget = flags.budget as number;
const first = flags["first-seed"] as number;
const seeds = Array.from({ length: flags.seeds as number }, (_, i) => first + i);
const byLoss = flags.metric === "loss";
const direction = byLoss ? "minimize" : "maximize";
const train = await jobObjective(problem.job);
const ctx = { number: 0, attempt: 1, worker: "bench", log: (): void => undefined };
const objective: CompareObjective = async (config) => {
  const r = await train(config, async () => "continue", ctx);
  const res = typeof r === "number" ? { value: r, metrics: {} } : { value: r.value, metrics: r.metrics ?? {} };
  const valLoss = res.metrics.valLoss;
  return byLoss ? { value: typeof valLoss === "number" ? valLoss : NaN, metrics: { ...res.metrics, valAccuracy: res.value } } : res;
};

console.log(`${problem.what}; ${direction} validation ${flags.metric}; ${budget} trials per search; sampler seeds ${seeds.join(", ")}; space ${space.names.join(", ")}`);
const t0 = performance.now();
const runs = await compareSamplers({
  space, direction, objective, seeds, budget,
  samplers: {
    random: (s, seed) => new RandomSampler(s, { seed }),
    bayes: (s, seed, dir) => new BayesSampler(s, { seed, direction: dir }),
  },
  onTrial: (t) => {
    if (t.number === budget - 1) console.log(`seed ${t.seed} ${t.sampler.padEnd(6)} best after ${budget} trials: ${t.best.toFixed(4)}  (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  },
});
const budgets = [5, 10, 15, 20, 30, 40].filter((b) => b < budget).concat([budget]);
const rows = summarizeComparison(runs, budgets, direction);
console.log(`\n${formatComparison(rows)}\n\n${((performance.now() - t0) / 1000).toFixed(0)} s in all`);
if (flags.out !== undefined) {
  writeFileSync(flags.out as string, `${JSON.stringify({ problem: flags.problem, metric: flags.metric, direction, budget, seeds, job: problem.job, space: space.toJSON(), rows, runs }, null, 1)}\n`);
}
