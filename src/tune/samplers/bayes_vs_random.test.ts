/**
 * Issue 8's criterion: at equal budget, Bayesian optimization's median best value over >= 10 seeds beats
 * random search's, on Branin and Hartmann-6. Seeded, so the figures are the same on every run.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { branin, hartmann6, runSearch } from "../benchmarks.js";
import type { Benchmark } from "../benchmarks.js";
import { BayesSampler } from "./bayes.js";
import { RandomSampler } from "./random.js";

const SEEDS = Array.from({ length: 10 }, (_, i) => i);
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2;
};

function compare(b: Benchmark, budget: number): { bayes: number[]; random: number[] } {
  const f = (c: Parameters<Benchmark["evaluate"]>[0]): number => b.evaluate(c);
  return {
    bayes: SEEDS.map((seed) => runSearch(new BayesSampler(b.space, { seed }), f, budget).best),
    random: SEEDS.map((seed) => runSearch(new RandomSampler(b.space, { seed }), f, budget).best),
  };
}

for (const [b, budget, gapFraction] of [[branin, 30, 0.5], [hartmann6, 30, 0.3]] as const) {
  test(`Bayesian optimization beats random search on ${b.name}: median of 10 seeds, ${budget} evaluations`, (t) => {
    const { bayes, random } = compare(b, budget);
    const wins = bayes.filter((v, i) => v < random[i]).length;
    t.diagnostic(`${b.name} (optimum ${b.optimum.toFixed(4)}): bayes median ${median(bayes).toFixed(4)}, random median ${median(random).toFixed(4)}, bayes better in ${wins}/10`);
    assert.ok(median(bayes) < median(random), `bayes ${median(bayes)} vs random ${median(random)}`);
    // Not a photo finish: BO closes more than `gapFraction` of random search's remaining gap to the optimum.
    const gapR = median(random) - b.optimum;
    assert.ok(median(bayes) - b.optimum < (1 - gapFraction) * gapR, `gap ${median(bayes) - b.optimum} vs ${gapR}`);
    assert.ok(wins >= 7, `bayes better in ${wins}/10 seeds`);
  });
}
