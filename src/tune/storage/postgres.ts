/**
 * Study storage in PostgreSQL (node-postgres): for many workers on many machines. Claims take the oldest
 * waiting trial with `SELECT … FOR UPDATE SKIP LOCKED` (a worker never waits on, nor takes, a row that
 * another worker is claiming), new trials are numbered under a row lock on the study
 * (`SELECT … FOR NO KEY UPDATE`), and every timestamp comes from the server's clock, so workers whose
 * machines' clocks disagree still agree on which heartbeats are stale.
 */
import pg from "pg";
import type { PoolClient } from "pg";
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
import { redactUrl } from "./url.js";

export interface PostgresOptions {
  /** Connections in the pool (default 2: a worker's main loop plus one spare). */
  maxConnections?: number;
  /** Give up connecting after this long (default 5 s). */
  connectTimeoutMs?: number;
}

/** The server's clock in ms since the epoch. */
const NOW_MS = "(extract(epoch from clock_timestamp()) * 1000)::float8";
const LEASE = "id = $1 AND state = 'running' AND worker = $2 AND attempts = $3";
/** Key of the advisory lock that serializes schema creation by workers starting together. */
const SCHEMA_LOCK = 0x67616e67;

/** A sentence saying what failed when reaching the server and how to fix it. */
export function explainPgError(url: string, e: unknown): string {
  const err = e as { code?: string; message?: string };
  const where = redactUrl(url);
  const u = new URL(url);
  const hostPort = `${u.hostname}:${u.port || "5432"}`;
  const msg = err.message ?? String(e);
  let hint: string;
  switch (err.code) {
    case "ECONNREFUSED":
      hint = `nothing accepts connections on ${hostPort}: is the server running and listening there? (CI and tests: eval "$(bash .ci/postgres.sh start)")`;
      break;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      hint = `host ${u.hostname} is unknown: check the host name in --storage`;
      break;
    case "ETIMEDOUT":
      hint = `no answer from ${hostPort}: check the host, port and firewall`;
      break;
    case "28P01":
      hint = `wrong password for user "${decodeURIComponent(u.username)}": check the password in --storage or PGPASSWORD`;
      break;
    case "28000":
      hint = "the server refuses this user, host or database (pg_hba.conf): check the user and database names";
      break;
    case "3D000":
      hint = `database "${decodeURIComponent(u.pathname.slice(1))}" does not exist: create it (createdb) or fix the name in --storage`;
      break;
    default:
      hint = /timeout/i.test(msg) ? `no answer from ${hostPort} in time: is the server up and reachable?`
        : /password must be a string|SASL/i.test(msg) ? "the server wants a password: put it in the URL (postgres://user:password@host/db) or in PGPASSWORD"
        : "check --storage and that the server is up";
  }
  return `cannot use PostgreSQL storage ${where}: ${msg} — ${hint}`;
}

export class PostgresStorage implements StudyStorage {
  readonly kind = "postgres";
  readonly url: string;
  readonly #pool: pg.Pool;
  readonly #rawUrl: string;

  private constructor(url: string, pool: pg.Pool) {
    this.#rawUrl = url;
    this.url = redactUrl(url);
    this.#pool = pool;
  }

  /** Connects, creates the tables if needed, and checks the schema version. */
  static async open(url: string, { maxConnections = 2, connectTimeoutMs = 5000 }: PostgresOptions = {}): Promise<PostgresStorage> {
    const pool = new pg.Pool({ connectionString: url, max: maxConnections, connectionTimeoutMillis: connectTimeoutMs, idleTimeoutMillis: 30_000 });
    // An idle connection that breaks (server restart) must not crash the process; the next query reports it.
    pool.on("error", () => undefined);
    const s = new PostgresStorage(url, pool);
    try {
      await s.#tx(async (c) => {
        await c.query("SELECT pg_advisory_xact_lock($1)", [SCHEMA_LOCK]);
        for (const sql of setupStatements("SERIAL PRIMARY KEY", "DOUBLE PRECISION")) await c.query(sql);
        checkSchemaVersion(s.url, (await c.query(SCHEMA_VERSION_QUERY)).rows[0] as Row | undefined);
      });
    } catch (e) {
      await pool.end().catch(() => undefined);
      if (e instanceof StorageError) throw e;
      throw new StorageError(explainPgError(url, e));
    }
    return s;
  }

  async #tx<T>(fn: (c: PoolClient) => Promise<T>): Promise<T> {
    let c: PoolClient;
    try {
      c = await this.#pool.connect();
    } catch (e) {
      throw this.#wrap(e);
    }
    try {
      await c.query("BEGIN");
      const r = await fn(c);
      await c.query("COMMIT");
      return r;
    } catch (e) {
      await c.query("ROLLBACK").catch(() => undefined);
      throw this.#wrap(e);
    } finally {
      c.release();
    }
  }

  async #query(sql: string, params: unknown[] = []): Promise<Row[]> {
    try {
      return (await this.#pool.query(sql, params)).rows as Row[];
    } catch (e) {
      throw this.#wrap(e);
    }
  }

  /** Connection failures become a StorageError that explains them; SQL errors pass through. */
  #wrap(e: unknown): unknown {
    if (e instanceof StorageError) return e;
    const code = (e as { code?: unknown }).code;
    const sqlState = typeof code === "string" && /^[0-9A-Z]{5}$/.test(code);
    const connection = !sqlState || /^(08|28|3D|57P)/.test(code);
    return connection ? new StorageError(explainPgError(this.#rawUrl, e)) : e;
  }

  async createStudy(spec: StudySpec): Promise<StudyRecord> {
    checkSpec(spec);
    try {
      const rows = await this.#query(`INSERT INTO studies (${STUDY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, ${NOW_MS}) RETURNING *`, studyValues(spec));
      return rowToStudy(rows[0]);
    } catch (e) {
      if ((e as { code?: string }).code === "23505") throw new StudyExistsError(`study "${spec.name}" already exists in ${this.url}`);
      throw e;
    }
  }

  async getStudy(name: string): Promise<StudyRecord | undefined> {
    const rows = await this.#query("SELECT * FROM studies WHERE name = $1", [name]);
    return rows.length ? rowToStudy(rows[0]) : undefined;
  }

  async listStudies(): Promise<StudyRecord[]> {
    return (await this.#query("SELECT * FROM studies ORDER BY id")).map(rowToStudy);
  }

  async setTrialTarget(studyId: number, nTrials: number): Promise<void> {
    if (!(Number.isInteger(nTrials) && nTrials >= 1)) throw new StorageError(`study: nTrials must be an integer >= 1, got ${nTrials}`);
    await this.#query("UPDATE studies SET n_trials = $1 WHERE id = $2", [nTrials, studyId]);
  }

  async deleteStudy(name: string): Promise<boolean> {
    return (await this.#query("DELETE FROM studies WHERE name = $1 RETURNING id", [name])).length > 0;
  }

  async trials(studyId: number): Promise<TrialRecord[]> {
    return (await this.#query("SELECT * FROM trials WHERE study_id = $1 ORDER BY number", [studyId])).map(rowToTrial);
  }

  async #study(c: PoolClient, studyId: number, lock: string): Promise<StudyRecord & { now: number }> {
    const rows = (await c.query(`SELECT *, ${NOW_MS} AS now FROM studies WHERE id = $1 ${lock}`, [studyId])).rows as Row[];
    if (!rows.length) throw new StorageError(`study id ${studyId} does not exist in ${this.url} (was it deleted?)`);
    return { ...rowToStudy(rows[0]), now: Number(rows[0].now) };
  }

  async claim(studyId: number, worker: string): Promise<ClaimStep> {
    return this.#tx(async (c): Promise<ClaimStep> => {
      const study = await this.#study(c, studyId, "");
      const now = study.now;
      const reaped: Reaped[] = [];
      const stale = (await c.query(`SELECT * FROM trials WHERE study_id = $1 AND state = 'running' AND heartbeat < $2
        ORDER BY number FOR UPDATE SKIP LOCKED`, [studyId, now - study.heartbeatTimeoutMs])).rows as Row[];
      for (const t of stale.map(rowToTrial)) {
        const r = reapStale(t, study.maxAttempts, now);
        await c.query("UPDATE trials SET state = $1, message = $2, finished_at = $3 WHERE id = $4 AND state = 'running'", [r.reaped.state, r.message, r.finishedAt, t.id]);
        reaped.push(r.reaped);
      }
      const waiting = (await c.query(`SELECT id FROM trials WHERE study_id = $1 AND state = 'waiting'
        ORDER BY number LIMIT 1 FOR UPDATE SKIP LOCKED`, [studyId])).rows as Row[];
      if (waiting.length) {
        const rows = (await c.query(`UPDATE trials SET state = 'running', worker = $1, heartbeat = $2, attempts = attempts + 1,
          started_at = $2, intermediate = '[]', value = NULL WHERE id = $3 RETURNING *`, [worker, now, waiting[0].id])).rows as Row[];
        return { kind: "trial", trial: rowToTrial(rows[0]), reaped };
      }
      const counts = (await c.query(`SELECT COUNT(*)::int AS n, (COUNT(*) FILTER (WHERE state IN ('running', 'waiting')))::int AS busy
        FROM trials WHERE study_id = $1`, [studyId])).rows[0] as Row;
      const n = Number(counts.n);
      const busy = Number(counts.busy);
      if (n < study.nTrials) {
        const history = ((await c.query("SELECT * FROM trials WHERE study_id = $1 ORDER BY number", [studyId])).rows as Row[]).map(rowToTrial);
        return { kind: "suggest", history, reaped };
      }
      return busy > 0 ? { kind: "wait", running: busy, reaped } : { kind: "done", reaped };
    });
  }

  async createTrial(studyId: number, number: number, config: Config, worker: string): Promise<TrialRecord | null> {
    return this.#tx(async (c): Promise<TrialRecord | null> => {
      const study = await this.#study(c, studyId, "FOR NO KEY UPDATE");
      const n = Number(((await c.query("SELECT COUNT(*)::int AS n FROM trials WHERE study_id = $1", [studyId])).rows[0] as Row).n);
      if (n !== number || n >= study.nTrials) return null;
      const rows = (await c.query(`INSERT INTO trials (study_id, number, state, config, worker, heartbeat, attempts, created_at, started_at)
        VALUES ($1, $2, 'running', $3, $4, $5, 1, $5, $5) RETURNING *`, [studyId, number, JSON.stringify(config), worker, study.now])).rows as Row[];
      return rowToTrial(rows[0]);
    });
  }

  async enqueueTrial(studyId: number, config: Config): Promise<TrialRecord> {
    return this.#tx(async (c): Promise<TrialRecord> => {
      const study = await this.#study(c, studyId, "FOR NO KEY UPDATE");
      const n = Number(((await c.query("SELECT COUNT(*)::int AS n FROM trials WHERE study_id = $1", [studyId])).rows[0] as Row).n);
      const rows = (await c.query(`INSERT INTO trials (study_id, number, state, config, created_at) VALUES ($1, $2, 'waiting', $3, $4) RETURNING *`,
        [studyId, n, JSON.stringify(config), study.now])).rows as Row[];
      return rowToTrial(rows[0]);
    });
  }

  async heartbeat(lease: Lease): Promise<boolean> {
    const rows = await this.#query(`UPDATE trials SET heartbeat = ${NOW_MS} WHERE ${LEASE} RETURNING id`, [lease.trialId, lease.worker, lease.attempt]);
    return rows.length === 1;
  }

  async report(lease: Lease, step: number, value: number): Promise<boolean> {
    return this.#tx(async (c): Promise<boolean> => {
      const rows = (await c.query(`SELECT intermediate FROM trials WHERE ${LEASE} FOR UPDATE`, [lease.trialId, lease.worker, lease.attempt])).rows as Row[];
      if (!rows.length) return false;
      const next = nextIntermediate(rows[0].intermediate, step, value);
      await c.query(`UPDATE trials SET intermediate = $4, heartbeat = ${NOW_MS} WHERE ${LEASE}`, [lease.trialId, lease.worker, lease.attempt, next]);
      return true;
    });
  }

  async finish(lease: Lease, outcome: TrialOutcome): Promise<boolean> {
    const rows = await this.#query(`UPDATE trials SET state = $4, value = $5, metrics = $6, message = $7, finished_at = ${NOW_MS}, heartbeat = ${NOW_MS}
      WHERE ${LEASE} RETURNING id`, [lease.trialId, lease.worker, lease.attempt, outcome.state, finiteOrNull(outcome.value),
      JSON.stringify(outcome.metrics ?? {}), outcome.message ?? null]);
    return rows.length === 1;
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}
