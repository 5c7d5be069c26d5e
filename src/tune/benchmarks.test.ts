import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../core/index.js";
import { branin, hartmann6, runSearch, unimportantParam2d } from "./benchmarks.js";
import { GridSampler } from "./samplers/grid.js";
import { RandomSampler } from "./samplers/random.js";

const SEEDS = Array.from({ length: 10 }, (_, i) => i);
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2;
};

test("benchmarks attain their documented optimum at their argmin, and nowhere lower on a fine grid", () => {
  for (const b of [branin, hartmann6, unimportantParam2d(0.37)]) {
    for (const x of b.argmin) assert.ok(Math.abs(b.evaluate(x) - b.optimum) < 1e-5, `${b.name} at ${JSON.stringify(x)}: ${b.evaluate(x)}`);
  }
  let min = Infinity;
  for (const c of new GridSampler(branin.space, { points: 301 }).points()) min = Math.min(min, branin.evaluate(c));
  assert.ok(min >= branin.optimum - 1e-9 && min < branin.optimum + 1e-3, `branin grid min ${min}`);
  const rng = new Rng(5);
  for (let i = 0; i < 20000; i++) assert.ok(hartmann6.evaluate(hartmann6.space.fromUnit(rng.uniform(6))) >= hartmann6.optimum);
});

// Bergstra & Bengio 2012, figure 1: with 25 trials, a 5×5 grid tries 5 values of the parameter that
// matters, random search tries 25.
test("random search beats grid search when one of two parameters is unimportant (25 trials, 10 seeds)", (t) => {
  const f = unimportantParam2d(0.37);
  const grid = runSearch(new GridSampler(f.space, { points: 5 }), (c) => f.evaluate(c), 25).best;
  const random = SEEDS.map((seed) => runSearch(new RandomSampler(f.space, { seed }), (c) => f.evaluate(c), 25).best);
  t.diagnostic(`x* = 0.37: grid ${grid.toFixed(4)}, random median ${median(random).toFixed(4)}, random better in ${random.filter((r) => r < grid).length}/10`);
  assert.ok(median(random) < grid / 4, `random median ${median(random)} vs grid ${grid}`);
  assert.ok(random.filter((r) => r < grid).length >= 8);
});

test("… also when the optimum's position is drawn at random for each seed (16 and 25 trials)", (t) => {
  for (const n of [4, 5]) {
    const grid: number[] = [];
    const random: number[] = [];
    for (const seed of SEEDS) {
      const f = unimportantParam2d(new Rng(1000 + seed).next());
      grid.push(runSearch(new GridSampler(f.space, { points: n }), (c) => f.evaluate(c), n * n).best);
      random.push(runSearch(new RandomSampler(f.space, { seed }), (c) => f.evaluate(c), n * n).best);
    }
    const wins = random.filter((r, i) => r < grid[i]).length;
    t.diagnostic(`${n}×${n}: grid median ${median(grid).toFixed(4)}, random median ${median(random).toFixed(4)}, random better in ${wins}/10`);
    assert.ok(median(random) < median(grid) / 4, `${n}×${n}: random ${median(random)} vs grid ${median(grid)}`);
    assert.ok(wins >= 7);
  }
});
