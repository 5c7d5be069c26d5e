/**
 * Study storage in an SQLite file (better-sqlite3): embedded, zero setup, safe for many worker processes
 * on one machine. The file is opened in WAL mode (readers never block the writer) with a busy timeout,
 * and every read-modify-write runs in a `BEGIN IMMEDIATE` transaction, which takes the database's write
 * lock at BEGIN: two workers claiming at once are serialized, so they never take the same trial.
 * Not for several machines: SQLite's locking needs one machine's file system (use PostgreSQL).
 */
import { existsSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";
import type { Config } from "../space.js";
import {
  SCHEMA_VERSION_QUERY, STUDY_COLUMNS, checkSchemaVersion, checkSpec, finiteOrNull, nextIntermediate, reapStale, rowToStudy, rowToTrial,
  setupStatements, studyValues,
} from "./rows.js";
import type { Row } from "./rows.js";
import { StorageError, StudyExistsError } from "./types.js";
import type {
  ClaimStep, Lease, Reaped, StudyRecord, StudySpec, StudyStorage, TrialOutcome, TrialRecord,
} from "./types.js";

export interface SqliteOptions {
  /** How long a statement waits for another process's write lock before failing (default 30 s). */
  busyTimeoutMs?: number;
  /** The clock (ms since the epoch); tests pass a fake one. */
  now?: () => number;
}

const LEASE = "id = ? AND state = 'running' AND worker = ? AND attempts = ?";

export class SqliteStorage implements StudyStorage {
  readonly kind = "sqlite";
  readonly url: string;
  readonly path: string;
  readonly #db: Database.Database;
  readonly #now: () => number;

  /** Opens (creating if needed) the file at `path`, or an in-memory database for ":memory:". */
  constructor(path: string, { busyTimeoutMs = 30_000, now = Date.now }: SqliteOptions = {}) {
    this.path = path === ":memory:" ? path : resolve(path);
    this.url = `sqlite:${this.path}`;
    this.#now = now;
    if (path !== ":memory:") {
      const dir = dirname(this.path);
      if (!existsSync(dir)) throw new StorageError(`cannot open SQLite storage ${this.url}: directory ${dir} does not exist (create it, or pass another --storage)`);
      if (existsSync(this.path) && statSync(this.path).isDirectory()) {
        throw new StorageError(`cannot open SQLite storage ${this.url}: it is a directory (pass a file path, e.g. sqlite:${this.path}/studies.db)`);
      }
    }
    try {
      this.#db = new Database(path);
    } catch (e) {
      throw new StorageError(`cannot open SQLite storage ${this.url}: ${(e as Error).message} (is the directory writable?)`);
    }
    try {
      this.#db.pragma(`busy_timeout = ${Math.round(busyTimeoutMs)}`);
      if (path !== ":memory:") this.#db.pragma("journal_mode = WAL");
      this.#db.pragma("synchronous = NORMAL");
      this.#db.pragma("foreign_keys = ON");
      this.#db.transaction(() => {
        for (const sql of setupStatements("INTEGER PRIMARY KEY AUTOINCREMENT", "REAL")) this.#db.exec(sql);
      }).immediate();
      checkSchemaVersion(this.url, this.#db.prepare(SCHEMA_VERSION_QUERY).get() as Row | undefined);
    } catch (e) {
      this.#db.close();
      if (e instanceof StorageError) throw e;
      const msg = (e as Error).message;
      const hint = /not a database/i.test(msg) ? "the file is not an SQLite database: pass another file to --storage" : "check the file and its permissions";
      throw new StorageError(`cannot open SQLite storage ${this.url}: ${msg} (${hint})`);
    }
  }

  async createStudy(spec: StudySpec): Promise<StudyRecord> {
    checkSpec(spec);
    const now = this.#now();
    return this.#db.transaction((): StudyRecord => {
      if (this.#db.prepare("SELECT 1 FROM studies WHERE name = ?").get(spec.name)) {
        throw new StudyExistsError(`study "${spec.name}" already exists in ${this.url}`);
      }
      const r = this.#db.prepare(`INSERT INTO studies (${STUDY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(...studyValues(spec), now);
      return rowToStudy(this.#db.prepare("SELECT * FROM studies WHERE id = ?").get(r.lastInsertRowid) as Row);
    }).immediate();
  }

  async getStudy(name: string): Promise<StudyRecord | undefined> {
    const row = this.#db.prepare("SELECT * FROM studies WHERE name = ?").get(name) as Row | undefined;
    return row ? rowToStudy(row) : undefined;
  }

  async listStudies(): Promise<StudyRecord[]> {
    return (this.#db.prepare("SELECT * FROM studies ORDER BY id").all() as Row[]).map(rowToStudy);
  }

  async setTrialTarget(studyId: number, nTrials: number): Promise<void> {
    if (!(Number.isInteger(nTrials) && nTrials >= 1)) throw new StorageError(`study: nTrials must be an integer >= 1, got ${nTrials}`);
    this.#db.prepare("UPDATE studies SET n_trials = ? WHERE id = ?").run(nTrials, studyId);
  }

  async deleteStudy(name: string): Promise<boolean> {
    return this.#db.prepare("DELETE FROM studies WHERE name = ?").run(name).changes > 0;
  }

  async trials(studyId: number): Promise<TrialRecord[]> {
    return this.#trials(studyId);
  }

  #trials(studyId: number): TrialRecord[] {
    return (this.#db.prepare("SELECT * FROM trials WHERE study_id = ? ORDER BY number").all(studyId) as Row[]).map(rowToTrial);
  }

  #study(studyId: number): StudyRecord {
    const row = this.#db.prepare("SELECT * FROM studies WHERE id = ?").get(studyId) as Row | undefined;
    if (!row) throw new StorageError(`study id ${studyId} does not exist in ${this.url} (was it deleted?)`);
    return rowToStudy(row);
  }

  async claim(studyId: number, worker: string): Promise<ClaimStep> {
    return this.#db.transaction((): ClaimStep => {
      const now = this.#now();
      const study = this.#study(studyId);
      const reaped: Reaped[] = [];
      const stale = this.#db.prepare("SELECT * FROM trials WHERE study_id = ? AND state = 'running' AND heartbeat < ?")
        .all(studyId, now - study.heartbeatTimeoutMs) as Row[];
      for (const t of stale.map(rowToTrial)) {
        const r = reapStale(t, study.maxAttempts, now);
        this.#db.prepare("UPDATE trials SET state = ?, message = ?, finished_at = ? WHERE id = ? AND state = 'running'").run(r.reaped.state, r.message, r.finishedAt, t.id);
        reaped.push(r.reaped);
      }
      const waiting = this.#db.prepare("SELECT id FROM trials WHERE study_id = ? AND state = 'waiting' ORDER BY number LIMIT 1").get(studyId) as Row | undefined;
      if (waiting) {
        this.#db.prepare(`UPDATE trials SET state = 'running', worker = ?, heartbeat = ?, attempts = attempts + 1, started_at = ?,
          intermediate = '[]', value = NULL WHERE id = ?`).run(worker, now, now, waiting.id);
        const trial = rowToTrial(this.#db.prepare("SELECT * FROM trials WHERE id = ?").get(waiting.id) as Row);
        return { kind: "trial", trial, reaped };
      }
      const counts = this.#db.prepare("SELECT COUNT(*) AS n, COALESCE(SUM(state = 'running'), 0) AS running FROM trials WHERE study_id = ?").get(studyId) as Row;
      const n = Number(counts.n);
      const running = Number(counts.running);
      if (n < study.nTrials) return { kind: "suggest", history: this.#trials(studyId), reaped };
      return running > 0 ? { kind: "wait", running, reaped } : { kind: "done", reaped };
    }).immediate();
  }

  async createTrial(studyId: number, number: number, config: Config, worker: string): Promise<TrialRecord | null> {
    return this.#db.transaction((): TrialRecord | null => {
      const now = this.#now();
      const study = this.#study(studyId);
      const n = Number((this.#db.prepare("SELECT COUNT(*) AS n FROM trials WHERE study_id = ?").get(studyId) as Row).n);
      if (n !== number || n >= study.nTrials) return null;
      const r = this.#db.prepare(`INSERT INTO trials (study_id, number, state, config, worker, heartbeat, attempts, created_at, started_at)
        VALUES (?, ?, 'running', ?, ?, ?, 1, ?, ?)`).run(studyId, number, JSON.stringify(config), worker, now, now, now);
      return rowToTrial(this.#db.prepare("SELECT * FROM trials WHERE id = ?").get(r.lastInsertRowid) as Row);
    }).immediate();
  }

  async enqueueTrial(studyId: number, config: Config): Promise<TrialRecord> {
    return this.#db.transaction((): TrialRecord => {
      this.#study(studyId);
      const n = Number((this.#db.prepare("SELECT COUNT(*) AS n FROM trials WHERE study_id = ?").get(studyId) as Row).n);
      const r = this.#db.prepare("INSERT INTO trials (study_id, number, state, config, created_at) VALUES (?, ?, 'waiting', ?, ?)")
        .run(studyId, n, JSON.stringify(config), this.#now());
      return rowToTrial(this.#db.prepare("SELECT * FROM trials WHERE id = ?").get(r.lastInsertRowid) as Row);
    }).immediate();
  }

  async heartbeat(lease: Lease): Promise<boolean> {
    return this.#db.prepare(`UPDATE trials SET heartbeat = ? WHERE ${LEASE}`).run(this.#now(), lease.trialId, lease.worker, lease.attempt).changes === 1;
  }

  async report(lease: Lease, step: number, value: number): Promise<boolean> {
    return this.#db.transaction((): boolean => {
      const row = this.#db.prepare(`SELECT intermediate FROM trials WHERE ${LEASE}`).get(lease.trialId, lease.worker, lease.attempt) as Row | undefined;
      if (!row) return false;
      const next = nextIntermediate(row.intermediate, step, value);
      this.#db.prepare(`UPDATE trials SET intermediate = ?, heartbeat = ? WHERE ${LEASE}`).run(next, this.#now(), lease.trialId, lease.worker, lease.attempt);
      return true;
    }).immediate();
  }

  async finish(lease: Lease, outcome: TrialOutcome): Promise<boolean> {
    const now = this.#now();
    return this.#db.prepare(`UPDATE trials SET state = ?, value = ?, metrics = ?, message = ?, finished_at = ?, heartbeat = ? WHERE ${LEASE}`)
      .run(outcome.state, finiteOrNull(outcome.value), JSON.stringify(outcome.metrics ?? {}), outcome.message ?? null, now, now,
        lease.trialId, lease.worker, lease.attempt).changes === 1;
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }
}
