/**
 * bench/tune-bo-vs-random.js, the measurement of Bayesian optimization against random search on real
 * training jobs, kept from rotting: one seed, a few real spiral trainings per sampler. (The figures
 * themselves are in bench/TUNE.md; that BO wins is tested on synthetic objectives in src/tune.)
 */
import { it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../helpers.js";
import { tempDir } from "./backends.js";

interface Out {
  problem: string;
  direction: string;
  rows: { budget: number; sampler: string; median: number; seeds: number }[];
  runs: { sampler: string; seed: number; best: number[]; trials: { config: Record<string, unknown>; value: number; state: string; metrics: Record<string, number> }[] }[];
}

it("bench/tune-bo-vs-random: real spiral trainings, one seed, both samplers, summary and JSON", () => {
  const out = join(tempDir(), "bo.json");
  const r = spawnSync(process.execPath, [join(repoRoot(), "dist", "bench", "tune-bo-vs-random.js"), "--problem", "spiral", "--seeds", "1", "--first-seed", "3", "--budget", "6", "--metric", "loss", "--out", out],
    { encoding: "utf8", timeout: 120_000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /minimize validation loss; 6 trials per search; sampler seeds 3; space lr, weightDecay, hidden, optimizer/);
  assert.match(r.stdout, /\| 6 \| bayes \| \d+\.\d{4} \|/);
  const j = JSON.parse(readFileSync(out, "utf8")) as Out;
  assert.deepEqual([j.problem, j.direction], ["spiral", "minimize"]);
  assert.deepEqual(j.runs.map((x) => [x.sampler, x.seed, x.trials.length]), [["random", 3, 6], ["bayes", 3, 6]]);
  const [random, bayes] = j.runs;
  // BO's first max(5, dim + 1) trials are its random initial design: the same configurations and (deterministic training) values.
  assert.deepEqual(bayes.trials.slice(0, 5).map((t) => [t.config, t.value]), random.trials.slice(0, 5).map((t) => [t.config, t.value]));
  for (const run of j.runs) {
    // A configuration whose training diverges (NaN, or loss > 3× initial) is pruned, as in `ganglion tune`.
    const done = run.trials.filter((t) => t.state === "complete");
    assert.ok(done.length >= 3 && run.trials.every((t) => t.state === "complete" || t.state === "pruned"), JSON.stringify(run.trials.map((t) => t.state)));
    for (const t of done) {
      assert.ok(t.value > 0 && t.value < 5, `validation loss ${t.value}`);
      assert.ok(t.metrics.valAccuracy >= 0 && t.metrics.valAccuracy <= 1);
    }
    assert.equal(run.best.at(-1), Math.min(...done.map((t) => t.value)));
  }
  assert.deepEqual(j.rows.map((x) => [x.budget, x.sampler]), [[5, "random"], [5, "bayes"], [6, "random"], [6, "bayes"]]);
});
