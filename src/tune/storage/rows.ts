/**
 * What the SQLite and PostgreSQL storages share: the schema (two tables, the same columns in both
 * dialects), conversions between rows and records, and the reaping rule.
 *
 * Timestamps are milliseconds since the epoch in float columns (SQLite: the worker's clock, which is the
 * one machine's clock; PostgreSQL: the server's clock, so workers on machines whose clocks disagree still
 * agree on which heartbeats are stale). JSON columns are text.
 */
import type { Config } from "../space.js";
import type { Direction } from "../samplers/types.js";
import { StorageError, TRIAL_STATES } from "./types.js";
import type { Json, Metrics, Reaped, StoredTrialState, StudyRecord, StudySpec, TrialRecord } from "./types.js";

/** Bumped when the tables change; a storage refuses a database written by a newer schema. */
export const SCHEMA_VERSION = 1;

/** CREATE statements; `serial` is the dialect's auto-increment primary key, `real` its float type. */
export function schema(serial: string, real: string): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ganglion_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS studies (
      id ${serial},
      name TEXT NOT NULL UNIQUE,
      space TEXT NOT NULL,
      direction TEXT NOT NULL CHECK (direction IN ('minimize', 'maximize')),
      sampler TEXT NOT NULL,
      pruner TEXT NOT NULL,
      job TEXT NOT NULL,
      n_trials INTEGER NOT NULL,
      max_attempts INTEGER NOT NULL,
      heartbeat_timeout_ms ${real} NOT NULL,
      created_at ${real} NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS trials (
      id ${serial},
      study_id INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
      number INTEGER NOT NULL,
      state TEXT NOT NULL CHECK (state IN (${TRIAL_STATES.map((s) => `'${s}'`).join(", ")})),
      config TEXT NOT NULL,
      value ${real},
      intermediate TEXT NOT NULL DEFAULT '[]',
      metrics TEXT NOT NULL DEFAULT '{}',
      message TEXT,
      worker TEXT,
      heartbeat ${real},
      attempts INTEGER NOT NULL DEFAULT 0,
      created_at ${real} NOT NULL,
      started_at ${real},
      finished_at ${real},
      UNIQUE (study_id, number))`,
    `CREATE INDEX IF NOT EXISTS trials_by_state ON trials (study_id, state)`,
  ];
}

/**
 * What opening a storage runs in one transaction (after `schema`): record the schema version unless one
 * is there. Then `SCHEMA_VERSION_QUERY` reads it back for `checkSchemaVersion`. Both dialects take this SQL.
 */
export function setupStatements(serial: string, real: string): string[] {
  return [...schema(serial, real), `INSERT INTO ganglion_meta (key, value) VALUES ('schema_version', '${SCHEMA_VERSION}') ON CONFLICT (key) DO NOTHING`];
}

export const SCHEMA_VERSION_QUERY = "SELECT value FROM ganglion_meta WHERE key = 'schema_version'";

/** Refuses a database written by a newer schema (`row` is SCHEMA_VERSION_QUERY's). */
export function checkSchemaVersion(url: string, row: Row | undefined): void {
  const v = Number(row?.value);
  if (v > SCHEMA_VERSION) throw new StorageError(`${url} was written by a newer ganglion (schema ${v}, this one reads ${SCHEMA_VERSION}): upgrade ganglion`);
}

/** The columns of a new study row, in the order of `studyValues` (created_at last, given by the caller's clock). */
export const STUDY_COLUMNS = "name, space, direction, sampler, pruner, job, n_trials, max_attempts, heartbeat_timeout_ms, created_at";

/** A study spec as the values of STUDY_COLUMNS but the last (JSON columns as text). */
export function studyValues(spec: StudySpec): (string | number)[] {
  return [spec.name, JSON.stringify(spec.space), spec.direction, JSON.stringify(spec.sampler), JSON.stringify(spec.pruner), JSON.stringify(spec.job),
    spec.nTrials, spec.maxAttempts, spec.heartbeatTimeoutMs];
}

/** A row as both drivers return it (PostgreSQL may return numbers of int8 columns as strings). */
export type Row = Record<string, unknown>;

function num(row: Row, key: string): number {
  const v = row[key];
  const n = typeof v === "string" ? Number(v) : v;
  if (typeof n !== "number") throw new StorageError(`storage: column ${key} holds ${JSON.stringify(v)}, expected a number`);
  return n;
}

function numOrNull(row: Row, key: string): number | null {
  return row[key] === null || row[key] === undefined ? null : num(row, key);
}

function str(row: Row, key: string): string {
  const v = row[key];
  if (typeof v !== "string") throw new StorageError(`storage: column ${key} holds ${JSON.stringify(v)}, expected text`);
  return v;
}

function json(row: Row, key: string): Json {
  const text = str(row, key);
  try {
    return JSON.parse(text) as Json;
  } catch (e) {
    throw new StorageError(`storage: column ${key} holds invalid JSON (${(e as Error).message}): ${text.slice(0, 80)}`);
  }
}

export function rowToStudy(row: Row): StudyRecord {
  return {
    id: num(row, "id"),
    name: str(row, "name"),
    space: json(row, "space"),
    direction: str(row, "direction") as Direction,
    sampler: json(row, "sampler"),
    pruner: json(row, "pruner"),
    job: json(row, "job"),
    nTrials: num(row, "n_trials"),
    maxAttempts: num(row, "max_attempts"),
    heartbeatTimeoutMs: num(row, "heartbeat_timeout_ms"),
    createdAt: num(row, "created_at"),
  };
}

export function rowToTrial(row: Row): TrialRecord {
  const state = str(row, "state") as StoredTrialState;
  // JSON has no NaN: a NaN intermediate value is stored as null and read back as NaN.
  const inter = json(row, "intermediate");
  return {
    id: num(row, "id"),
    studyId: num(row, "study_id"),
    number: num(row, "number"),
    state,
    config: json(row, "config") as Config,
    value: numOrNull(row, "value"),
    intermediate: Array.isArray(inter) ? inter.map((v) => (typeof v === "number" ? v : NaN)) : [],
    metrics: json(row, "metrics") as Metrics,
    message: row.message === null || row.message === undefined ? null : str(row, "message"),
    worker: row.worker === null || row.worker === undefined ? null : str(row, "worker"),
    heartbeat: numOrNull(row, "heartbeat"),
    attempts: num(row, "attempts"),
    createdAt: num(row, "created_at"),
    startedAt: numOrNull(row, "started_at"),
    finishedAt: numOrNull(row, "finished_at"),
  };
}

/** Stored value of a number column: non-finite numbers are stored as NULL (SQLite has no NaN). */
export function finiteOrNull(v: number | null): number | null {
  return v !== null && Number.isFinite(v) ? v : null;
}

/** Sets intermediate[step] = value; steps must come in order (reporting a step again replaces its value). */
export function withIntermediate(values: readonly number[], step: number, value: number): number[] {
  if (!(Number.isInteger(step) && step >= 0)) throw new StorageError(`report: step must be an integer >= 0, got ${step}`);
  if (step > values.length) {
    throw new StorageError(`report: steps must be reported in order 0, 1, 2, …: got step ${step} after ${values.length} value(s)`);
  }
  const out = values.slice();
  out[step] = value;
  return out;
}

/** The intermediate column after reporting `value` at `step` (the column as stored: JSON text, NaN as null). */
export function nextIntermediate(stored: unknown, step: number, value: number): string {
  const values = (JSON.parse(String(stored)) as (number | null)[]).map((v) => v ?? NaN);
  return JSON.stringify(withIntermediate(values, step, value));
}

/**
 * What a claim does with a running trial whose heartbeat is older than the study's timeout: back to
 * waiting (retried by the next claim), or failed once it has had `maxAttempts` attempts.
 */
export function reapStale(t: TrialRecord, maxAttempts: number, now: number): { readonly message: string; readonly finishedAt: number | null; readonly reaped: Reaped } {
  const failed = t.attempts >= maxAttempts;
  return {
    message: reapMessage(t.worker, now - (t.heartbeat ?? now), t.attempts, maxAttempts),
    finishedAt: failed ? now : null,
    reaped: { number: t.number, worker: t.worker, state: failed ? "failed" : "waiting" },
  };
}

/** The message a reaped trial carries. */
export function reapMessage(worker: string | null, heartbeatAgeMs: number, attempts: number, maxAttempts: number): string {
  const who = `worker ${worker ?? "?"} stopped heartbeating (last heartbeat ${(heartbeatAgeMs / 1000).toFixed(1)} s ago)`;
  return attempts >= maxAttempts
    ? `${who} on attempt ${attempts} of ${maxAttempts}: failed, no attempts left`
    : `${who} on attempt ${attempts} of ${maxAttempts}: will be retried`;
}

/** Checks a study spec before it is written. */
export function checkSpec(spec: { name: string; nTrials: number; maxAttempts: number; heartbeatTimeoutMs: number }): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(spec.name)) {
    throw new StorageError(`study: name must be 1–128 letters, digits, '.', '_' or '-' (not starting with a symbol), got ${JSON.stringify(spec.name)}`);
  }
  if (!(Number.isInteger(spec.nTrials) && spec.nTrials >= 1)) throw new StorageError(`study: nTrials must be an integer >= 1, got ${spec.nTrials}`);
  if (!(Number.isInteger(spec.maxAttempts) && spec.maxAttempts >= 1)) throw new StorageError(`study: maxAttempts must be an integer >= 1, got ${spec.maxAttempts}`);
  if (!(spec.heartbeatTimeoutMs > 0 && Number.isFinite(spec.heartbeatTimeoutMs))) {
    throw new StorageError(`study: heartbeatTimeoutMs must be a finite number > 0, got ${spec.heartbeatTimeoutMs}`);
  }
}
