/** Study and trial runner, in one process: budgets, pruning, failures, lost leases, heartbeats, results. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { SearchSpace, logUniform, uniform, int, categorical } from "../../src/tune/space.js";
import { branin } from "../../src/tune/benchmarks.js";
import { openStorage } from "../../src/tune/storage/index.js";
import { Study } from "../../src/tune/study.js";
import { runWorker, TrialPruned } from "../../src/tune/runner.js";
import type { Objective } from "../../src/tune/runner.js";
import { benchmarkObjective } from "../../src/tune/runner_objectives.js";
import { bestConfig, formatResultsTable, plotData, rankTrials } from "../../src/tune/study_results.js";
import { tempDir, uniqueName } from "./backends.js";

const dbUrl = (): string => `sqlite:${join(tempDir(), "studies.db")}`;

function busyWait(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) { /* a synchronous training epoch */ }
}

describe("Study.open", () => {
  it("creates, joins with the same settings, updates the trial target, and names conflicting settings", async () => {
    const s = await openStorage(dbUrl());
    try {
      const space = new SearchSpace({ lr: logUniform(1e-4, 1e-1), width: int(8, 64, { log: true }) });
      const opts = { name: "s1", space, nTrials: 4, sampler: { type: "bayes", seed: 3 } as const, direction: "maximize" as const, job: { name: "x" } };
      const a = await Study.open(s, opts);
      assert.equal(a.created, true);
      const b = await Study.open(s, { ...opts, nTrials: 6 });
      assert.equal(b.created, false);
      assert.equal(b.study.nTrials, 6);
      assert.equal((await Study.open(s, { name: "s1" })).study.sampler.name, "bayes", "joining with no settings uses the stored ones");
      await assert.rejects(Study.open(s, { ...opts, sampler: { type: "random", seed: 3 }, direction: "minimize" }),
        /study "s1" in sqlite:.* already exists with different settings \(direction: stored "maximize", asked for "minimize"; sampler: stored \{"type":"bayes","seed":3\}, asked for \{"type":"random","seed":3\}\): leave those options out to join it/);
      await assert.rejects(Study.load(s, "nope"), /no study "nope" in sqlite:.* \(studies there: s1\)/);
      await assert.rejects(Study.open(s, { name: "s2", nTrials: 3 }), /a new study needs a search space/);
      await assert.rejects(Study.open(s, { name: "s2", space, nTrials: 3, sampler: { type: "tpe" } as never }), /sampler: expected \{"type": "grid" \| "random" \| "coarse-to-fine" \| "bayes", …\}, got \{"type":"tpe"\}/);
      await assert.rejects(Study.open(s, { name: "s2", space, nTrials: 3, pruner: { type: "asha", reductionFactor: 1 } }), /asha: reductionFactor must be an integer >= 2, got 1/);
      const g = await Study.open(s, { name: "grid", space, nTrials: 100, sampler: { type: "grid", points: 3 } });
      assert.equal(g.study.nTrials, 9, "a grid study wants no more trials than the grid has points");
    } finally {
      await s.close();
    }
  });
});

describe("runWorker", () => {
  it("runs a study to its budget with a heartbeat thread; results table, best config and plot data", async () => {
    const url = dbUrl();
    const s = await openStorage(url);
    try {
      const { study } = await Study.open(s, { name: uniqueName("run"), space: branin.space, nTrials: 8, sampler: { type: "random", seed: 1 }, job: { name: "branin", steps: 3 } });
      const lines: string[] = [];
      const sum = await runWorker(study, benchmarkObjective(branin, { steps: 3 }), { storageUrl: url, heartbeat: "thread", log: (l) => lines.push(l) });
      assert.equal(sum.ran.length, 8);
      assert.ok(sum.ran.every((r) => r.outcome === "complete"));
      const trials = await study.trials();
      assert.deepEqual(trials.map((t) => t.number), [0, 1, 2, 3, 4, 5, 6, 7]);
      for (const t of trials) {
        assert.equal(t.value, branin.evaluate(t.config));
        assert.equal(t.intermediate.length, 3);
        assert.equal(t.intermediate[2], t.value);
      }
      const ranked = rankTrials(trials, "minimize");
      assert.ok(ranked.every((t, i) => i === 0 || (ranked[i - 1].value as number) <= (t.value as number)));
      const table = formatResultsTable(study.record, study.space, trials);
      assert.match(table, /^study run-.*: 8 of 8 trials \(8 complete, 0 pruned, 0 failed\), minimize value\nrank +trial +state +value +x1 +x2 +steps +attempts +wall_s\n/);
      assert.equal(table.split("\n").length, 11);
      const best = bestConfig(study.record, trials);
      assert.deepEqual(best && { x1: best.x1, x2: best.x2, name: best.name }, { ...ranked[0].config, name: "branin" });
      const plots = plotData(study.record, study.space, trials);
      assert.deepEqual(plots.scatter && [plots.scatter.x, plots.scatter.y, plots.scatter.points.length], [{ param: "x1", log: false }, { param: "x2", log: false }, 8]);
      assert.equal(plots.bestSoFar.at(-1)?.best, ranked[0].value);
      assert.ok(plots.bestSoFar.every((b, i) => i === 0 || (b.best as number) <= (plots.bestSoFar[i - 1].best as number)));
      assert.ok(lines.some((l) => /^trial 7: complete value /.test(l)));
    } finally {
      await s.close();
    }
  });

  it("two workers on one file share the study: every number once, all complete", async () => {
    const url = dbUrl();
    const [s1, s2] = [await openStorage(url), await openStorage(url)];
    try {
      const name = uniqueName("two");
      const space = new SearchSpace({ lr: logUniform(1e-4, 1e-1), reg: logUniform(1e-6, 1e-2) });
      const { study: a } = await Study.open(s1, { name, space, nTrials: 12, sampler: { type: "bayes", seed: 2, nInitial: 4, candidates: 200 } });
      const b = await Study.load(s2, name);
      const obj: Objective = async (c, report) => {
        const v = (Math.log10(c.lr as number) + 2.5) ** 2 + 0.1 * (Math.log10(c.reg as number) + 4) ** 2;
        await report(0, v + 1);
        await new Promise((r) => setTimeout(r, 5));
        return v;
      };
      const [ra, rb] = await Promise.all([runWorker(a, obj, { heartbeat: "timer", workerId: "A" }), runWorker(b, obj, { heartbeat: "timer", workerId: "B" })]);
      assert.equal(ra.ran.length + rb.ran.length, 12);
      const trials = await a.trials();
      assert.deepEqual(trials.map((t) => [t.number, t.state, t.attempts]), Array.from({ length: 12 }, (_, i) => [i, "complete", 1]));
      assert.ok(ra.ran.length > 0 && rb.ran.length > 0, "both workers ran trials");
      const plots = plotData(a.record, a.space, trials);
      assert.deepEqual([plots.scatter?.x, plots.scatter?.y], [{ param: "lr", log: true }, { param: "reg", log: true }]);
    } finally {
      await s1.close();
      await s2.close();
    }
  });

  it("prunes with the median rule; TrialPruned, exceptions and NaN end trials as pruned / failed with the reason", async () => {
    const s = await openStorage(dbUrl());
    try {
      const space = new SearchSpace({ x: uniform(0, 1), mode: categorical(["ok", "prune", "throw", "nan"]) });
      const { study } = await Study.open(s, { name: "prune", space, nTrials: 14, sampler: { type: "random", seed: 5 }, pruner: { type: "median", minTrials: 2 } });
      for (const mode of ["ok", "ok", "ok", "prune", "throw", "nan"]) await study.enqueue({ x: mode === "ok" ? 0.5 : 0.2, mode });
      await assert.rejects(study.enqueue({ x: 2, mode: "ok" }), /parameter "x": value 2 is outside the space \(uniform in \[0, 1\]\)/);
      const obj: Objective = async (c, report) => {
        if (c.mode === "prune") throw new TrialPruned("loss 9 > 3 × initial loss 2");
        if (c.mode === "throw") throw new RangeError("out of memory (pretend)");
        if (c.mode === "nan") return NaN;
        const x = c.x as number;
        for (let t = 0; t < 4; t++) if ((await report(t, x + (3 - t))) === "prune") return x + (3 - t);
        return { value: x, metrics: { trainLoss: x * 2 } };
      };
      await runWorker(study, obj, { heartbeat: "timer" });
      const trials = await study.trials();
      assert.equal(trials.length, 14);
      const by = (n: number): (typeof trials)[number] => trials[n];
      assert.deepEqual([by(3).state, by(3).message], ["pruned", "loss 9 > 3 × initial loss 2"]);
      assert.deepEqual([by(4).state, by(4).message], ["failed", "RangeError: out of memory (pretend)"]);
      assert.deepEqual([by(5).state, by(5).message], ["failed", "the objective returned NaN, expected a finite number"]);
      assert.deepEqual(by(0).metrics, { trainLoss: 1 });
      const pruned = trials.filter((t) => t.state === "pruned" && t.config.mode === "ok");
      assert.ok(pruned.length > 0, "random trials worse than the median were pruned");
      for (const t of pruned) {
        assert.match(t.message ?? "", /^step \d: [\d.]+ is worse than the median [\d.]+ of \d+ completed trials$/);
        assert.equal(t.value, t.intermediate.at(-1));
        assert.ok(t.intermediate.length < 4);
      }
    } finally {
      await s.close();
    }
  });

  it("a worker that stalled past the timeout loses its trial: its late report and result are refused, the retry's counts", async () => {
    const url = dbUrl();
    const [s1, s2] = [await openStorage(url), await openStorage(url)];
    try {
      const name = uniqueName("stall");
      const { study } = await Study.open(s1, { name, space: branin.space, nTrials: 1, heartbeatTimeoutMs: 200 });
      const other = await Study.load(s2, name);
      let retry: Promise<unknown> | undefined;
      const stalling: Objective = async (c, report) => {
        busyWait(350); // no timer heartbeat can run meanwhile
        retry = runWorker(other, benchmarkObjective(branin, { steps: 2 }), { heartbeat: "timer", workerId: "B", heartbeatIntervalMs: 40 });
        await new Promise((r) => setTimeout(r, 100));
        await report(0, 1); // throws TrialLost: B holds the trial now
        return 1;
      };
      const a = await runWorker(study, stalling, { heartbeat: "timer", workerId: "A", heartbeatIntervalMs: 40 });
      assert.deepEqual(a.ran, [{ number: 0, outcome: "lost" }]);
      await retry;
      const [t] = await study.trials();
      assert.deepEqual([t.state, t.attempts, t.worker, t.value], ["complete", 2, "B", branin.evaluate(t.config)]);
    } finally {
      await s1.close();
      await s2.close();
    }
  });

  it("the heartbeat thread keeps a trial alive through a long synchronous step", async () => {
    const url = dbUrl();
    const [s1, s2] = [await openStorage(url), await openStorage(url)];
    try {
      const name = uniqueName("sync");
      const { study } = await Study.open(s1, { name, space: branin.space, nTrials: 1, heartbeatTimeoutMs: 300 });
      const other = await Study.load(s2, name);
      let seen = "";
      const sync: Objective = async () => {
        busyWait(900); // three timeouts long
        seen = (await other.storage.claim(other.id, "B")).kind;
        return 0.5;
      };
      const a = await runWorker(study, sync, { storageUrl: url, heartbeat: "thread", heartbeatIntervalMs: 50 });
      assert.equal(seen, "wait", "the trial was not reaped");
      assert.deepEqual(a.ran, [{ number: 0, outcome: "complete" }]);
    } finally {
      await s1.close();
      await s2.close();
    }
  });
});
