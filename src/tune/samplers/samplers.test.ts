import { test } from "node:test";
import assert from "node:assert/strict";
import { ValueError } from "../../core/index.js";
import { SearchSpace, categorical, int, logUniform, uniform } from "../space.js";
import type { Config } from "../space.js";
import { runSearch } from "../benchmarks.js";
import { CoarseToFineSampler, ExhaustedError, GridSampler, RandomSampler } from "./index.js";
import type { Trial } from "./index.js";

const space = new SearchSpace({
  lr: logUniform(1e-4, 1),
  optimizer: categorical(["sgd", "adam"]),
  momentum: uniform(0.5, 0.9, { when: { optimizer: "sgd" } }),
  layers: int(1, 3),
});
const complete = (config: Config, value: number): Trial => ({ config, value, state: "complete" });

test("random: seeded, reproducible, a pure function of the history length", () => {
  const a = runSearch(new RandomSampler(space, { seed: 3 }), () => 0, 20).trials.map((t) => t.config);
  const b = runSearch(new RandomSampler(space, { seed: 3 }), () => 1, 20).trials.map((t) => t.config);
  const c = runSearch(new RandomSampler(space, { seed: 4 }), () => 0, 20).trials.map((t) => t.config);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  for (const cfg of a) space.validate(cfg);
  const s = new RandomSampler(space, { seed: 3 });
  assert.deepEqual(s.suggest(a.slice(0, 5).map((cfg) => complete(cfg, 0))), a[5]);
  assert.throws(() => new RandomSampler(space, { seed: -1 }), /randomSampler: seed must be an integer in \[0, 2\^32\), got -1/);
});

test("grid: log-spaced points, distinct integers, every choice, conditional branches", () => {
  const g = new GridSampler(space, { points: { lr: 5, momentum: 3, layers: 10 } });
  // sgd: 5 lr × 3 momentum × 3 layers, adam: 5 × 3.
  assert.equal(g.size, 45 + 15);
  const lrs = [...new Set(g.points().map((c) => c.lr))];
  assert.deepEqual(lrs.map((x) => Number((x as number).toPrecision(12))), [1e-4, 1e-3, 1e-2, 1e-1, 1]);
  assert.deepEqual([...new Set(g.points().map((c) => c.layers))], [1, 2, 3]);
  assert.deepEqual([...new Set(g.points().map((c) => c.momentum))], [0.5, 0.7, 0.9, undefined]);
  for (const c of g.points()) space.validate(c);
  assert.equal(new Set(g.points().map((c) => JSON.stringify(c))).size, g.size, "no duplicates");
  const history: Trial[] = [];
  for (let i = 0; i < g.size; i++) history.push(complete(g.suggest(history), 0));
  assert.throws(() => g.suggest(history), (e: unknown) => e instanceof ExhaustedError && e.message === "gridSampler: all 60 grid points have been suggested");
  const shuffled = new GridSampler(space, { points: { lr: 5, momentum: 3, layers: 10 }, shuffle: true, seed: 1 });
  assert.notDeepEqual(shuffled.points(), g.points());
  assert.deepEqual(new Set(shuffled.points().map((c) => JSON.stringify(c))), new Set(g.points().map((c) => JSON.stringify(c))));
  assert.deepEqual(new GridSampler(new SearchSpace({ x: uniform(0, 1) }), { points: 1 }).points(), [{ x: 0.5 }]);
  assert.throws(() => new GridSampler(space, { points: { lrr: 3 } }), (e: unknown) => e instanceof ValueError && /unknown parameter "lrr"/.test(e.message));
  assert.throws(() => new GridSampler(space, { points: 1000 }), /gridSampler: the grid has up to 6000000 points, more than maxPoints/);
});

test("coarse-to-fine: stage 0 is the whole space, then ranges narrow around the best trials (log scale)", () => {
  const s2 = new SearchSpace({ lr: logUniform(1e-6, 1), reg: uniform(0, 1), act: categorical(["relu", "tanh", "elu"]) });
  const c2f = new CoarseToFineSampler(s2, { stageSize: 4, topK: 2, pad: 0.25 });
  const stage0: Trial[] = [
    complete({ lr: 1e-3, reg: 0.5, act: "relu" }, 0.2),
    complete({ lr: 1e-4, reg: 0.4, act: "tanh" }, 0.3),
    complete({ lr: 1e-1, reg: 0.9, act: "relu" }, 0.9),
    { config: { lr: 1e-5, reg: 0.1, act: "elu" }, state: "failed" },
  ];
  assert.deepEqual(c2f.ranges(stage0.slice(0, 3)), { lr: [1e-6, 1], reg: [0, 1], act: ["relu", "tanh", "elu"] });
  const r = c2f.ranges(stage0);
  // lr: the top 2 at log10 = −3, −4 are unit 1/2, 1/3 (six decades); width 1/6 + 2·0.25 = 2/3 centred on 5/12
  // → unit [1/12, 3/4] → log10 lr in [−5.5, −1.5].
  const [lo, hi] = r.lr as [number, number];
  assert.ok(Math.abs(Math.log10(lo) + 5.5) < 1e-9 && Math.abs(Math.log10(hi) + 1.5) < 1e-9, `lr range ${lo}..${hi}`);
  assert.deepEqual((r.reg as number[]).map((x) => Number(x.toFixed(12))), [0.15, 0.75], "0.1 + 2·0.25 around 0.45");
  assert.deepEqual(r.act, ["relu", "tanh"]);
  for (let i = 0; i < 30; i++) {
    const c = c2f.suggest([...stage0, ...Array.from({ length: i % 4 }, () => stage0[0])]);
    assert.ok((c.lr as number) >= lo && (c.lr as number) <= hi && c.act !== "elu", JSON.stringify(c));
  }
  assert.throws(() => new CoarseToFineSampler(s2, { topK: 0 }), /coarseToFine: topK must be an integer >= 1, got 0/);
});

test("coarse-to-fine beats random search on a lecture-style (lr, reg) landscape: median over 10 seeds, 40 trials", () => {
  // Validation loss over log10 lr and log10 reg with one tilted basin, like the lecture's scatter plot.
  const s = new SearchSpace({ lr: logUniform(1e-6, 1), reg: logUniform(1e-5, 10) });
  const loss = (c: Config): number => {
    const a = Math.log10(c.lr as number) + 3.3;
    const b = Math.log10(c.reg as number) + 2.6;
    return 1 - 0.9 * Math.exp(-(a * a) / 0.5 - (b * b) / 4 - 0.3 * a * b);
  };
  const med = (xs: number[]): number => [...xs].sort((x, y) => x - y).slice(4, 6).reduce((x, y) => x + y) / 2;
  const rnd = Array.from({ length: 10 }, (_, seed) => runSearch(new RandomSampler(s, { seed }), loss, 40).best);
  const c2f = Array.from({ length: 10 }, (_, seed) => runSearch(new CoarseToFineSampler(s, { seed }), loss, 40).best);
  assert.ok(med(c2f) < med(rnd), `coarse-to-fine median ${med(c2f)} vs random ${med(rnd)}`);
});
