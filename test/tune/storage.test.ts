/** Study storage conformance: the same checks on SQLite and PostgreSQL. */
import { describe, it } from "node:test";
import type { TestContext } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import Database from "better-sqlite3";
import { openStorage, StorageError, StudyExistsError, parseStorageUrl, redactUrl } from "../../src/tune/storage/index.js";
import type { StudySpec, StudyStorage, TrialRecord } from "../../src/tune/storage/index.js";
import { pgUrlOrSkip, sleep, tempDir, uniqueName } from "./backends.js";

const spec = (name: string, over: Partial<StudySpec> = {}): StudySpec => ({
  name, space: { x: { type: "uniform", low: 0, high: 1 } }, direction: "minimize", sampler: { type: "random" }, pruner: { type: "none" },
  job: { name: "test" }, nTrials: 3, maxAttempts: 2, heartbeatTimeoutMs: 60_000, ...over,
});

/** Claims the next trial as `worker`, creating it with config {x: number/10} when the study wants one. */
async function next(s: StudyStorage, studyId: number, worker: string): Promise<TrialRecord | string> {
  const c = await s.claim(studyId, worker);
  if (c.kind === "trial") return c.trial;
  if (c.kind !== "suggest") return c.kind;
  const t = await s.createTrial(studyId, c.history.length, { x: c.history.length / 10 }, worker);
  assert.ok(t, "createTrial with the current count succeeds");
  return t;
}

function conformance(kind: string, open: (t: TestContext) => Promise<StudyStorage | undefined>): void {
  describe(`${kind} storage`, () => {
    it("creates, finds, lists and deletes studies; a taken name is an error", async (t) => {
      const s = await open(t);
      if (!s) return;
      try {
        const name = uniqueName("crud");
        const rec = await s.createStudy(spec(name));
        assert.equal(rec.name, name);
        assert.deepEqual(rec.space, spec(name).space);
        assert.equal((await s.getStudy(name))?.id, rec.id);
        assert.ok((await s.listStudies()).some((x) => x.name === name));
        await assert.rejects(s.createStudy(spec(name)), (e: Error) => e instanceof StudyExistsError && e.message.includes(`study "${name}" already exists`));
        await assert.rejects(s.createStudy(spec("bad name!")), /name must be 1–128 letters/);
        await assert.rejects(s.createStudy(spec(uniqueName("n"), { nTrials: 0 })), /nTrials must be an integer >= 1, got 0/);
        assert.equal(await s.deleteStudy(name), true);
        assert.equal(await s.getStudy(name), undefined);
        assert.equal(await s.deleteStudy(name), false);
      } finally {
        await s.close();
      }
    });

    it("claims new trials in number order, then waits for running ones, then is done", async (t) => {
      const s = await open(t);
      if (!s) return;
      try {
        const { id } = await s.createStudy(spec(uniqueName("claim"), { nTrials: 2 }));
        const a = await next(s, id, "A");
        const b = await next(s, id, "B");
        assert.ok(typeof a === "object" && typeof b === "object");
        assert.deepEqual([a.number, b.number, a.state, a.attempts, a.worker], [0, 1, "running", 1, "A"]);
        assert.equal(await s.createTrial(id, 1, { x: 0.5 }, "C"), null, "a taken number is refused");
        assert.equal(await s.createTrial(id, 2, { x: 0.5 }, "C"), null, "the study is full");
        assert.deepEqual(await s.claim(id, "C"), { kind: "wait", running: 2, reaped: [] });
        assert.equal(await s.finish({ trialId: a.id, worker: "A", attempt: 1 }, { state: "complete", value: 0.25, metrics: { acc: 0.9 } }), true);
        assert.equal(await s.finish({ trialId: a.id, worker: "A", attempt: 1 }, { state: "complete", value: 0.5 }), false, "finishing twice is refused");
        assert.equal(await s.finish({ trialId: b.id, worker: "B", attempt: 1 }, { state: "pruned", value: NaN, message: "why" }), true);
        assert.equal((await s.claim(id, "C")).kind, "done");
        const trials = await s.trials(id);
        assert.deepEqual(trials.map((x) => [x.number, x.state, x.value, x.message]), [[0, "complete", 0.25, null], [1, "pruned", null, "why"]]);
        assert.deepEqual(trials[0].metrics, { acc: 0.9 });
        assert.deepEqual(trials[1].config, { x: 0.1 });
        await s.setTrialTarget(id, 3);
        const c = await s.claim(id, "C");
        assert.equal(c.kind, "suggest", "a raised target resumes the study");
        assert.equal(c.kind === "suggest" && c.history.length, 2);
      } finally {
        await s.close();
      }
    });

    it("records intermediate values under the lease, in step order, NaN included", async (t) => {
      const s = await open(t);
      if (!s) return;
      try {
        const { id } = await s.createStudy(spec(uniqueName("report")));
        const a = await next(s, id, "A");
        assert.ok(typeof a === "object");
        const lease = { trialId: a.id, worker: "A", attempt: 1 };
        assert.equal(await s.report(lease, 0, 1.5), true);
        assert.equal(await s.report(lease, 1, NaN), true);
        assert.equal(await s.report(lease, 1, 0.5), true, "a step may be reported again");
        assert.equal(await s.report(lease, 2, NaN), true);
        await assert.rejects(s.report(lease, 5, 1), /steps must be reported in order 0, 1, 2, …: got step 5 after 3 value\(s\)/);
        assert.equal(await s.report({ ...lease, worker: "B" }, 3, 1), false, "another worker's report is refused");
        assert.equal(await s.heartbeat(lease), true);
        assert.equal(await s.heartbeat({ ...lease, attempt: 2 }), false);
        const [tr] = await s.trials(id);
        assert.deepEqual(tr.intermediate, [1.5, 0.5, NaN]);
      } finally {
        await s.close();
      }
    });

    it("reaps a trial whose heartbeat stopped: retried with the same number and config, then failed after maxAttempts", async (t) => {
      const s = await open(t);
      if (!s) return;
      try {
        const { id } = await s.createStudy(spec(uniqueName("reap"), { nTrials: 1, maxAttempts: 2, heartbeatTimeoutMs: 300 }));
        const a = await next(s, id, "A");
        assert.ok(typeof a === "object");
        assert.equal((await s.claim(id, "B")).kind, "wait", "a fresh heartbeat is not reaped");
        await sleep(450);
        const c = await s.claim(id, "B");
        assert.equal(c.kind, "trial");
        if (c.kind !== "trial") return;
        assert.deepEqual(c.reaped, [{ number: 0, worker: "A", state: "waiting" }]);
        assert.deepEqual([c.trial.number, c.trial.attempts, c.trial.worker, c.trial.config], [0, 2, "B", a.config]);
        assert.match(c.trial.message ?? "", /worker A stopped heartbeating \(last heartbeat 0\.\d s ago\) on attempt 1 of 2: will be retried/);
        const leaseA = { trialId: a.id, worker: "A", attempt: 1 };
        assert.equal(await s.heartbeat(leaseA), false, "the dead worker's lease is gone");
        assert.equal(await s.report(leaseA, 0, 1), false);
        assert.equal(await s.finish(leaseA, { state: "complete", value: 1 }), false, "a late result of the dead attempt is refused");
        await sleep(450);
        const d = await s.claim(id, "C");
        assert.equal(d.kind, "done");
        assert.deepEqual(d.reaped, [{ number: 0, worker: "B", state: "failed" }]);
        const [tr] = await s.trials(id);
        assert.equal(tr.state, "failed");
        assert.match(tr.message ?? "", /on attempt 2 of 2: failed, no attempts left/);
      } finally {
        await s.close();
      }
    });

    it("runs enqueued trials first", async (t) => {
      const s = await open(t);
      if (!s) return;
      try {
        const { id } = await s.createStudy(spec(uniqueName("enqueue"), { nTrials: 2 }));
        const q = await s.enqueueTrial(id, { x: 0.75 });
        assert.deepEqual([q.number, q.state, q.attempts], [0, "waiting", 0]);
        const a = await next(s, id, "A");
        assert.ok(typeof a === "object");
        assert.deepEqual([a.number, a.config, a.attempts, a.worker], [0, { x: 0.75 }, 1, "A"]);
      } finally {
        await s.close();
      }
    });
  });
}

conformance("SQLite", async () => openStorage(`sqlite:${join(tempDir(), "studies.db")}`));
conformance("PostgreSQL", async (t) => {
  const url = pgUrlOrSkip(t);
  return url === undefined ? undefined : openStorage(url);
});

describe("storage locations and errors", () => {
  it("parses sqlite and postgres URLs, and redacts passwords", () => {
    assert.deepEqual(parseStorageUrl("sqlite:a.db"), { kind: "sqlite", path: "a.db" });
    assert.deepEqual(parseStorageUrl("sqlite:///tmp/a.db"), { kind: "sqlite", path: "/tmp/a.db" });
    assert.deepEqual(parseStorageUrl("runs/x.sqlite"), { kind: "sqlite", path: "runs/x.sqlite" });
    assert.equal(parseStorageUrl("postgresql://u@h/db").kind, "postgres");
    assert.throws(() => parseStorageUrl("mysql://u:pw@h/db"), /unsupported scheme 'mysql:' in mysql:\/\/u@h\/db \(expected sqlite:<file>/);
    assert.throws(() => parseStorageUrl("postgres://u:pw@h"), /postgres:\/\/u@h names no database/);
    assert.equal(redactUrl("postgres://me:s3cr@t@127.0.0.1:5432/db"), "postgres://me@127.0.0.1:5432/db");
    assert.equal(redactUrl("postgres://127.0.0.1/db?password=x&ssl=1"), "postgres://127.0.0.1/db?password=***&ssl=1");
  });

  it("SQLite: a missing directory, a directory, and a file that is not a database", async () => {
    const dir = tempDir();
    await assert.rejects(openStorage(`sqlite:${dir}/nope/x.db`), (e: Error) => e instanceof StorageError && /directory .*nope does not exist \(create it, or pass another --storage\)/.test(e.message));
    await assert.rejects(openStorage(dir), /it is a directory \(pass a file path/);
    writeFileSync(join(dir, "junk.db"), "this is not an SQLite file, just some text that is long enough to have a header");
    await assert.rejects(openStorage(join(dir, "junk.db")), /file is not a database .*pass another file to --storage/);
  });

  it("SQLite: reopening keeps the schema version; a database of a newer schema is refused", async () => {
    const path = join(tempDir(), "v.db");
    const s = await openStorage(`sqlite:${path}`);
    await s.createStudy(spec("kept"));
    await s.close();
    const again = await openStorage(`sqlite:${path}`);
    assert.equal((await again.getStudy("kept"))?.name, "kept", "setup is idempotent: tables and rows survive");
    await again.close();
    const db = new Database(path);
    assert.deepEqual(db.prepare("SELECT value FROM ganglion_meta").all(), [{ value: "1" }]);
    db.prepare("UPDATE ganglion_meta SET value = '99' WHERE key = 'schema_version'").run();
    db.close();
    await assert.rejects(openStorage(`sqlite:${path}`), (e: Error) => e instanceof StorageError && /v\.db was written by a newer ganglion \(schema 99, this one reads 1\): upgrade ganglion$/.test(e.message));
  });

  it("PostgreSQL: unreachable server, wrong password, unknown database — without printing the password", async (t) => {
    const url = pgUrlOrSkip(t);
    if (!url) return;
    const u = new URL(url);
    await assert.rejects(openStorage("postgres://someone:hunter2@127.0.0.1:1/db", { connectTimeoutMs: 2000 }), (e: Error) => {
      assert.ok(e instanceof StorageError);
      assert.match(e.message, /^cannot use PostgreSQL storage postgres:\/\/someone@127\.0\.0\.1:1\/db: .*ECONNREFUSED.* nothing accepts connections on 127\.0\.0\.1:1: is the server running/);
      assert.ok(!e.message.includes("hunter2"));
      return true;
    });
    const wrong = new URL(url);
    wrong.password = "definitely-wrong";
    await assert.rejects(openStorage(wrong.href), (e: Error) => !e.message.includes("definitely-wrong") && /password authentication failed .* wrong password for user "ganglion|check the password/.test(e.message));
    const nodb = new URL(url);
    nodb.pathname = "/no_such_database_here";
    await assert.rejects(openStorage(nodb.href), new RegExp(`database "no_such_database_here" does not exist: create it \\(createdb\\)`));
    assert.ok(u.hostname === "127.0.0.1" || u.hostname === "localhost", "tests use a loopback server only");
  });
});
