/**
 * compareSamplers on cheap synthetic objectives (seeded, no timing): Bayesian optimization against random
 * search on a surface shaped like a training run's validation loss over the space `ganglion tune`
 * searches (log learning rate, log weight decay, a log-scale integer width, a categorical optimizer);
 * the summary's medians and win counts; pruned trials.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { SearchSpace, categorical, int, logUniform } from "./space.js";
import type { Config } from "./space.js";
import { BayesSampler, RandomSampler } from "./samplers/index.js";
import { TrialPruned } from "./runner.js";
import { compareSamplers, formatComparison, runSearchAsync, summarizeComparison } from "./compare.js";
import type { SearchRun } from "./compare.js";

const space = new SearchSpace({
  lr: logUniform(1e-5, 1), weightDecay: logUniform(1e-7, 1e-1), hidden: int(8, 512, { log: true }), optimizer: categorical(["sgd", "adam"]),
});

/**
 * A validation loss: a valley in log10(lr) around 3e-3 (the optimizer shifts it: SGD wants 10x more),
 * a shallow one in log10(weight decay) around 1e-4, a weak preference for ~64 hidden units; minimum 0.05.
 */
function valLoss(c: Config): number {
  const best = c.optimizer === "adam" ? Math.log10(3e-3) : Math.log10(3e-2);
  const lr = Math.log10(c.lr as number) - best;
  const wd = Math.log10(c.weightDecay as number) + 4;
  const h = Math.log2(c.hidden as number) - 6;
  return 0.05 + 0.3 * lr * lr + 0.02 * wd * wd + 0.01 * h * h + (c.optimizer === "adam" ? 0 : 0.02);
}

const SEEDS = Array.from({ length: 10 }, (_, i) => i);
const samplers = {
  random: (s: SearchSpace, seed: number) => new RandomSampler(s, { seed }),
  bayes: (s: SearchSpace, seed: number, direction: "minimize" | "maximize") => new BayesSampler(s, { seed, direction, candidates: 300 }),
};

test("Bayesian optimization beats random search on a training-shaped loss surface (mixed log/int/categorical space, 10 seeds, 20 trials)", async (t) => {
  const runs = await compareSamplers({ space, direction: "minimize", objective: async (c) => valLoss(c), samplers, seeds: SEEDS, budget: 20 });
  const rows = summarizeComparison(runs, [5, 10, 20], "minimize");
  t.diagnostic(`\n${formatComparison(rows)}`);
  const row = (b: number, s: string) => rows.find((r) => r.budget === b && r.sampler === s)!;
  // The first trials of BO are its random initial design: the same configurations as random search's.
  assert.equal(row(5, "bayes").median, row(5, "random").median);
  assert.equal(row(5, "bayes").wins + row(5, "random").wins, 0, "identical first 5 trials: no seed won");
  for (const b of [10, 20]) {
    assert.ok(row(b, "bayes").median < row(b, "random").median, `${b} trials: bayes ${row(b, "bayes").median} vs random ${row(b, "random").median}`);
    assert.ok(row(b, "bayes").mean < row(b, "random").mean, `${b} trials: mean`);
  }
  assert.ok(row(20, "bayes").wins >= 7, `bayes won ${row(20, "bayes").wins}/10 seeds`);
  // Not a photo finish: after 20 trials BO is at least halfway closer to the optimum (0.05).
  assert.ok(row(20, "bayes").median - 0.05 < 0.5 * (row(20, "random").median - 0.05));
  // Reproducible: the same seeds give the same searches.
  const again = await compareSamplers({ space, direction: "minimize", objective: async (c) => valLoss(c), samplers, seeds: [3], budget: 20 });
  assert.deepEqual(again.map((r) => r.best), runs.filter((r) => r.seed === 3).map((r) => r.best));
});

test("maximize: best-so-far traces rise; BO finds a higher validation accuracy than random", async () => {
  const acc = async (c: Config): Promise<{ value: number; metrics: Record<string, number> }> => ({ value: 1 - valLoss(c), metrics: { valLoss: valLoss(c) } });
  const runs = await compareSamplers({ space, direction: "maximize", objective: acc, samplers, seeds: [0, 1, 2, 3, 4], budget: 15 });
  for (const r of runs) {
    for (let i = 1; i < r.best.length; i++) assert.ok(r.best[i] >= r.best[i - 1]);
    assert.equal(r.best.at(-1), Math.max(...r.trials.map((x) => x.value as number)));
    assert.equal(r.trials[0].metrics.valLoss, 1 - (r.trials[0].value as number));
  }
  const rows = summarizeComparison(runs, [15], "maximize");
  assert.ok(rows[1].median > rows[0].median, `bayes ${rows[1].median} vs random ${rows[0].median}`);
});

test("summary: medians, worst and best seeds, wins (ties win for nobody), missing runs left out", () => {
  const run = (sampler: string, seed: number, best: number[]): SearchRun => ({ sampler, seed, best, trials: [] });
  const runs = [
    run("a", 0, [5, 3, 1]), run("b", 0, [4, 3, 2]),
    run("a", 1, [6, 6, 6]), run("b", 1, [7, 2, 2]),
    run("a", 2, [NaN, 4, 4]), run("b", 2, [9, 4, 3]),
    run("a", 3, [0, 0, 0]), // no "b" run for seed 3: left out
  ];
  const rows = summarizeComparison(runs, [1, 2, 3], "minimize");
  const r = (b: number, s: string) => rows.find((x) => x.budget === b && x.sampler === s)!;
  assert.deepEqual([r(1, "a").median, r(1, "a").worst, r(1, "a").bestOfSeeds, r(1, "a").wins, r(1, "a").seeds], [6, Infinity, 5, 1, 3]);
  assert.deepEqual([r(1, "b").median, r(1, "b").wins], [7, 2], "a NaN (nothing completed yet) loses");
  assert.deepEqual([r(2, "a").wins, r(2, "b").wins], [0, 1], "seeds 0 and 2 tie at 2 trials");
  assert.deepEqual([r(3, "a").median, r(3, "b").median, r(3, "a").wins, r(3, "b").wins], [4, 2, 1, 2]);
  assert.match(formatComparison(rows, 1), /\| 3 \| b \| 2\.0 \| 2\.3 \| 3\.0 \| 2\.0 \| 2\/3 \|/);
});

test("runSearchAsync: TrialPruned records a pruned trial, other errors propagate, budget is checked", async () => {
  let n = 0;
  const objective = async (c: Config): Promise<number> => {
    if (n++ === 1) throw new TrialPruned("diverged");
    return valLoss(c);
  };
  const r = await runSearchAsync("random", 0, new RandomSampler(space, { seed: 0 }), objective, 3, "minimize");
  assert.deepEqual(r.trials.map((x) => x.state), ["complete", "pruned", "complete"]);
  assert.equal(r.best[1], r.best[0]);
  await assert.rejects(runSearchAsync("random", 0, new RandomSampler(space), async () => { throw new Error("boom"); }, 2, "minimize"), /boom/);
  await assert.rejects(runSearchAsync("random", 0, new RandomSampler(space), async () => 0, 0, "minimize"), /budget must be an integer >= 1, got 0/);
});
