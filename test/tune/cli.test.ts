/**
 * `ganglion tune` as real processes, on SQLite and on loopback PostgreSQL: three worker processes, one
 * killed with SIGKILL mid-trial — every trial ends accounted for and none completes twice; a study whose
 * workers were all killed resumes; a finished study takes more trials; bad storage and bad spaces give
 * clear errors. The benchmark job (Branin with a sleep per step) stands in for training, so this is fast.
 */
import { describe, it } from "node:test";
import type { TestContext } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../helpers.js";
import { openStorage } from "../../src/tune/storage/index.js";
import type { StudyStorage, TrialRecord } from "../../src/tune/storage/index.js";
import { branin } from "../../src/tune/benchmarks.js";
import { pgUrlOrSkip, sleep, tempDir, uniqueName } from "./backends.js";

const ENTRY = join(repoRoot(), "dist", "src", "cli", "tune.js");

interface Done { code: number | null; out: string; err: string }

/** Starts `tune.js args`; `done` resolves with its exit code and output. */
function start(args: string[], cwd: string): { pid: number; done: Promise<Done> } {
  const child = spawn(process.execPath, [ENTRY, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const done = new Promise<Done>((resolve) => child.on("close", (code) => resolve({ code, out, err })));
  return { pid: child.pid as number, done };
}

function runSync(args: string[], cwd: string): Done {
  const r = spawnSync(process.execPath, [ENTRY, ...args], { cwd, encoding: "utf8", timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const pidOf = (worker: string | null): number => Number((worker ?? "").split(":").at(-2));

/** Polls until `pred` holds for the study's trials (or fails after `ms`). */
async function until(s: StudyStorage, study: string, pred: (t: TrialRecord[]) => boolean, ms = 30_000): Promise<TrialRecord[]> {
  const end = Date.now() + ms;
  for (;;) {
    const rec = await s.getStudy(study);
    const trials = rec ? await s.trials(rec.id) : [];
    if (pred(trials)) return trials;
    if (Date.now() > end) throw new Error(`timed out waiting on study ${study}: ${JSON.stringify(trials.map((t) => [t.number, t.state, t.intermediate.length]))}`);
    await sleep(50);
  }
}

/** Each trial number once, every trial final, and exactly one "trial N: <final state>" line in the workers' output per number. */
function assertAccountedFor(trials: TrialRecord[], n: number, out: string): void {
  assert.deepEqual(trials.map((t) => t.number), Array.from({ length: n }, (_, i) => i), "one row per trial number");
  for (const t of trials) assert.ok(["complete", "failed"].includes(t.state), `trial ${t.number} is ${t.state}`);
  for (const t of trials) {
    if (t.state === "complete") assert.equal(t.value, branin.evaluate(t.config), `trial ${t.number}'s value is its configuration's`);
  }
  for (let i = 0; i < n; i++) {
    const finals = out.split("\n").filter((l) => new RegExp(`^\\[w\\d\\] trial ${i}: (complete|pruned|failed)`).test(l));
    assert.equal(finals.length, 1, `trial ${i} finished exactly once in the workers' output:\n${finals.join("\n")}`);
  }
}

const common = (url: string, study: string, out: string): string[] => [
  "--job", "branin", "--study", study, "--storage", url, "--steps", "8", "--step-ms", "80", "--heartbeat-timeout", "2", "--out", out, "--json",
];

function storageSuite(kind: string, urlFor: (t: TestContext) => string | undefined): void {
  describe(`ganglion tune on ${kind}`, () => {
    it("3 workers, one killed with SIGKILL mid-trial: the trial is retried, every trial accounted for, none completes twice", async (t) => {
      const url = urlFor(t);
      if (!url) return;
      const dir = tempDir();
      const study = uniqueName("kill");
      const s = await openStorage(url);
      try {
        const run = start([...common(url, study, join(dir, "out")), "--trials", "9", "--workers", "3", "--sampler", "random"], dir);
        const seen = await until(s, study, (ts) => ts.some((x) => x.state === "running" && x.intermediate.length >= 2));
        const victim = seen.find((x) => x.state === "running" && x.intermediate.length >= 2) as TrialRecord;
        process.kill(pidOf(victim.worker), "SIGKILL");
        const r = await run.done;
        assert.equal(r.code, 0, r.out + r.err);
        assert.match(r.out, /worker \d \(pid \d+\) was killed by SIGKILL/);
        assert.match(r.out, new RegExp(`trial ${victim.number}: worker .*:${pidOf(victim.worker)}:.* stopped heartbeating; will be retried`));
        const trials = await s.trials((await s.getStudy(study))!.id);
        assertAccountedFor(trials, 9, r.out);
        assert.deepEqual(trials.map((x) => x.state), Array(9).fill("complete"));
        const retried = trials[victim.number];
        assert.equal(retried.attempts, 2);
        assert.notEqual(retried.worker, victim.worker);
        assert.deepEqual(retried.config, victim.config, "the retry runs the same configuration");
        const summary = JSON.parse(r.out.trim().split("\n").at(-1) as string) as { complete: number; unfinished: number; best: { value: number } };
        assert.deepEqual([summary.complete, summary.unfinished], [9, 0]);
        assert.equal(summary.best.value, Math.min(...trials.map((x) => x.value as number)));
        const best = JSON.parse(readFileSync(join(dir, "out", "best-config.json"), "utf8")) as Record<string, unknown>;
        assert.deepEqual(Object.keys(best), ["job", "x1", "x2", "tuned"]);
        assert.ok(existsSync(join(dir, "out", "plots.json")));
      } finally {
        await s.close();
      }
    });

    it("resumes after every worker was killed, then takes more trials when asked", async (t) => {
      const url = urlFor(t);
      if (!url) return;
      const dir = tempDir();
      const study = uniqueName("resume");
      const s = await openStorage(url);
      try {
        const args = common(url, study, join(dir, "out"));
        const run = start([...args, "--trials", "6", "--workers", "2", "--sampler", "coarse-to-fine", "--seed", "4"], dir);
        const seen = await until(s, study, (ts) => ts.filter((x) => x.state === "complete").length >= 1 && ts.filter((x) => x.state === "running" && x.intermediate.length >= 1).length === 2);
        for (const x of seen.filter((y) => y.state === "running")) process.kill(pidOf(x.worker), "SIGKILL");
        process.kill(run.pid, "SIGKILL");
        await run.done;
        const id = (await s.getStudy(study))!.id;
        const afterKill = await s.trials(id);
        const killed = afterKill.filter((x) => x.state === "running").map((x) => x.number);
        const finishedBefore = afterKill.filter((x) => x.state === "complete").map((x) => x.number);
        assert.equal(killed.length, 2, "both workers died mid-trial");
        // Nothing runs now. A new command with no settings joins the study as stored, waits out the heartbeat
        // timeout of the dead trials, retries them, and runs the rest.
        const again = runSync(["--study", study, "--storage", url, "--workers", "1", "--out", join(dir, "out"), "--json"], dir);
        assert.equal(again.code, 0, again.out + again.err);
        assert.match(again.out, new RegExp(`study ${study} in .*: joined; ${afterKill.length} of 6 trials exist; job branin, sampler coarse-to-fine`));
        let trials = await s.trials(id);
        assert.deepEqual(trials.map((x) => [x.number, x.state]), Array.from({ length: 6 }, (_, i) => [i, "complete"]));
        for (const x of trials) assert.equal(x.attempts, killed.includes(x.number) ? 2 : 1, `trial ${x.number}'s attempts`);
        const completedNow = [...again.out.matchAll(/^\[w1\] trial (\d+): complete/gm)].map((m) => Number(m[1])).sort((p, q) => p - q);
        assert.deepEqual(completedNow, [0, 1, 2, 3, 4, 5].filter((n) => !finishedBefore.includes(n)), "each unfinished trial completed once, finished ones not again");
        const more = runSync(["--study", study, "--storage", url, "--trials", "8", "--workers", "2", "--out", join(dir, "out")], dir);
        assert.equal(more.code, 0, more.out + more.err);
        assert.match(more.out, /joined; 6 of 8 trials exist/);
        trials = await s.trials((await s.getStudy(study))!.id);
        assert.deepEqual(trials.map((x) => [x.number, x.state]), Array.from({ length: 8 }, (_, i) => [i, "complete"]));
        const clash = runSync(["--study", study, "--storage", url, "--sampler", "bayes", "--workers", "0"], dir);
        assert.equal(clash.code, 1);
        assert.match(clash.err, /already exists with different settings \(sampler: stored \{"type":"coarse-to-fine","seed":4\}, asked for \{"type":"bayes","seed":0\}\): leave those options out to join it/);
      } finally {
        await s.close();
      }
    });
  });
}

storageSuite("SQLite", () => `sqlite:${join(tempDir(), "studies.db")}`);
storageSuite("PostgreSQL", (t) => pgUrlOrSkip(t));

describe("ganglion tune errors", () => {
  const dir = tempDir();
  const fail = (args: string[], pattern: RegExp): void => {
    const r = runSync(args, dir);
    assert.equal(r.code, 1, r.out + r.err);
    assert.match(r.err, pattern);
  };

  it("bad storage URLs and unreachable servers, without the password", () => {
    const r = runSync(["--job", "branin", "--storage", "postgres://me:topsecret@127.0.0.1:1/studies"], dir);
    assert.equal(r.code, 1);
    assert.match(r.err, /^ganglion tune: cannot use PostgreSQL storage postgres:\/\/me@127\.0\.0\.1:1\/studies: connect ECONNREFUSED 127\.0\.0\.1:1 — nothing accepts connections on 127\.0\.0\.1:1: is the server running/);
    assert.ok(!r.err.includes("topsecret"));
    fail(["--storage", "mysql://me:pw@127.0.0.1/x"], /unsupported scheme 'mysql:' in mysql:\/\/me@127\.0\.0\.1\/x \(expected sqlite:<file>/);
    fail(["--storage", join(dir, "no", "such", "dir.db")], /cannot open SQLite storage sqlite:.*dir\.db: directory .* does not exist/);
    fail(["--sampler", "tpe"], /--sampler must be one of grid, random, coarse-to-fine, bayes, got 'tpe'/);
    fail(["--workers", "-1"], /--workers must be >= 0, got -1/);
  });

  it("bad search spaces name the parameter and what was expected", () => {
    const space = (name: string, json: string): string => {
      const p = join(dir, name);
      writeFileSync(p, json);
      return p;
    };
    const db = ["--storage", `sqlite:${join(dir, "errors.db")}`, "--workers", "0"];
    fail([...db, "--job", "cnn", "--space", space("a.json", '{"lr": {"type": "logUniform", "low": 0.1, "high": 0.01}}')], /space: parameter "lr": low must be < high, got low=0\.1 high=0\.01/);
    fail([...db, "--job", "cnn", "--space", space("b.json", '{"lr": {"type": "logUniform", "low": 0, "high": 0.1}}')], /parameter "lr": logUniform needs low > 0 \(a log range\), got low=0/);
    fail([...db, "--job", "cnn", "--space", space("c.json", '{"lr": {"type": "logUniform", "low": 1e-4, "high": 0.1}, "momentum": {"type": "uniform", "low": 0, "high": 1}}')],
      /--space .*c\.json: unknown parameter "momentum" for job cnn \(expected some of lr, weightDecay, width, dropout, batchSize\)/);
    fail([...db, "--job", "branin", "--space", space("d.json", '{"x1": {"type": "uniform", "low": 0, "high": 1}}')], /job branin needs parameter "x2"/);
    fail([...db, "--job", "cnn", "--space", space("e.json", '{"lr": {"type": "loguniform", "low": 1e-4, "high": 0.1}}')], /parameter "lr": unknown type "loguniform" \(expected uniform, logUniform, int, categorical\)/);
    fail([...db, "--job", "cnn", "--space", space("f.json", "{ lr: 1 }")], /--space .*f\.json is not valid JSON/);
    fail([...db, "--job", "cnn", "--space", join(dir, "missing.json")], /cannot read --space .*missing\.json: ENOENT/);
  });

  it("--workers 0 only reports; --help lists the flags", () => {
    const db = ["--storage", `sqlite:${join(dir, "report.db")}`];
    const r = runSync([...db, "--job", "branin", "--trials", "3", "--workers", "0", "--out", join(dir, "o")], dir);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /study branin in sqlite:.*: created; 0 of 3 trials exist/);
    assert.match(r.out, /no trial has completed yet\n3 trial\(s\) not finished: run the same command again to resume/);
    const h = runSync(["--help"], dir);
    assert.match(h.out, /Usage: ganglion tune \[options\][\s\S]*--storage <string>[\s\S]*--workers <int>/);
  });
});
