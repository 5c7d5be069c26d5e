/**
 * Study storage: one interface over two databases, an SQLite file (embedded, zero setup: the default)
 * and a PostgreSQL server (many workers on many machines).
 *
 * This is Optuna's storage pattern (Akiba et al. 2019, "Optuna: A Next-generation Hyperparameter
 * Optimization Framework", https://arxiv.org/abs/1907.10902, section 4): a study — its search space,
 * sampler and pruner settings, and every trial with its configuration, intermediate values and result —
 * lives in a database, and any number of stateless worker processes share it. A worker
 *
 *  1. claims a trial in a transaction: first it "reaps" running trials whose heartbeat is older than the
 *     study's timeout (their worker died: kill -9, a lost machine) — each goes back to "waiting" to be
 *     retried with the same number and configuration, or to "failed" once it has used `maxAttempts`
 *     attempts; then it takes the oldest waiting trial; else, if the study wants more trials, it asks the
 *     sampler for a new configuration and inserts trial number n = (trials so far), which a unique
 *     (study, number) key lets only one worker do;
 *  2. runs it, refreshing the trial's heartbeat and recording intermediate values;
 *  3. finishes it — but only if it still holds the lease (same worker, same attempt, still running).
 *
 * Every write of a running trial is conditional on the lease, so a worker that was declared dead but was
 * only slow cannot overwrite the retry's result: a trial number completes at most once, and a trial whose
 * worker dies is retried or marked failed, never lost.
 */
import { GanglionError } from "../../core/index.js";
import type { Config } from "../space.js";
import type { Direction } from "../samplers/types.js";

/** A JSON value (what the study's settings columns hold). */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** waiting: to be (re)claimed; running: held by a worker with a live heartbeat; the rest are final. */
export type StoredTrialState = "waiting" | "running" | "complete" | "pruned" | "failed";
export const TRIAL_STATES: readonly StoredTrialState[] = ["waiting", "running", "complete", "pruned", "failed"];

/** Everything that defines a study; stored once, read by every worker that joins. */
export interface StudySpec {
  readonly name: string;
  /** The search space in the JSON form of `searchSpaceFromJSON`. */
  readonly space: Json;
  readonly direction: Direction;
  /** Sampler settings (`SamplerConfig` in study_config.ts). */
  readonly sampler: Json;
  /** Pruner settings (`PrunerConfig`). */
  readonly pruner: Json;
  /** What a trial runs (the CLI's job and its fixed options); opaque to storage. */
  readonly job: Json;
  /** The study stops creating trials once it has this many. */
  readonly nTrials: number;
  /** A trial whose worker died is retried until it has been attempted this many times, then failed. */
  readonly maxAttempts: number;
  /** A running trial whose heartbeat is older than this is taken to have lost its worker. */
  readonly heartbeatTimeoutMs: number;
}

export interface StudyRecord extends StudySpec {
  readonly id: number;
  readonly createdAt: number;
}

/** Extra numbers and labels a trial reports besides its value (train loss, seconds, …). */
export type Metrics = Record<string, number | string | boolean | null>;

export interface TrialRecord {
  readonly id: number;
  readonly studyId: number;
  /** 0, 1, 2, … in creation order within the study; the sampler's history index. */
  readonly number: number;
  readonly state: StoredTrialState;
  readonly config: Config;
  /** The objective's final value (complete), or the last intermediate value (pruned). */
  readonly value: number | null;
  /** intermediate[t] = value reported at step t by the current attempt. */
  readonly intermediate: number[];
  readonly metrics: Metrics;
  /** Why it was pruned or failed, or why it was retried. */
  readonly message: string | null;
  readonly worker: string | null;
  /** Milliseconds since the epoch, on the storage's clock (the server's for PostgreSQL). */
  readonly heartbeat: number | null;
  readonly attempts: number;
  readonly createdAt: number;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
}

/** One attempt of one trial by one worker; every write to a running trial names its lease. */
export interface Lease {
  readonly trialId: number;
  readonly worker: string;
  readonly attempt: number;
}

export function leaseOf(t: TrialRecord): Lease {
  if (t.worker === null) throw new StorageError(`trial ${t.number} has no worker, so no lease`);
  return { trialId: t.id, worker: t.worker, attempt: t.attempts };
}

/** A running trial whose worker stopped heartbeating, and what became of it. */
export interface Reaped {
  readonly number: number;
  readonly worker: string | null;
  readonly state: "waiting" | "failed";
}

/** The outcome of `claim`. */
export type ClaimStep =
  /** A waiting trial (a retry) now held by the caller. */
  | { readonly kind: "trial"; readonly trial: TrialRecord; readonly reaped: readonly Reaped[] }
  /** The study wants another trial: suggest from `history` and call `createTrial(…, history.length, …)`. */
  | { readonly kind: "suggest"; readonly history: readonly TrialRecord[]; readonly reaped: readonly Reaped[] }
  /** No trial to take now, but `running` trials may still fail and come back: poll again later. */
  | { readonly kind: "wait"; readonly running: number; readonly reaped: readonly Reaped[] }
  /** Every trial the study wants exists and has finished. */
  | { readonly kind: "done"; readonly reaped: readonly Reaped[] };

export interface TrialOutcome {
  readonly state: "complete" | "pruned" | "failed";
  readonly value: number | null;
  readonly metrics?: Metrics;
  readonly message?: string | null;
}

export interface StudyStorage {
  readonly kind: "sqlite" | "postgres";
  /** The location for messages, without any password. */
  readonly url: string;
  /** Creates the study; throws StudyExistsError if the name is taken. */
  createStudy(spec: StudySpec): Promise<StudyRecord>;
  getStudy(name: string): Promise<StudyRecord | undefined>;
  listStudies(): Promise<StudyRecord[]>;
  /** Changes how many trials the study wants (a resumed study asked for more, or fewer). */
  setTrialTarget(studyId: number, nTrials: number): Promise<void>;
  /** Removes a study and its trials; false if there was none. */
  deleteStudy(name: string): Promise<boolean>;
  /** All trials of a study, by number. */
  trials(studyId: number): Promise<TrialRecord[]>;
  /** Reaps dead trials, then claims a waiting one or says what to do (see ClaimStep). One transaction. */
  claim(studyId: number, worker: string): Promise<ClaimStep>;
  /**
   * Inserts trial `number` as running under `worker`, if the study still has exactly `number` trials and
   * wants more; null otherwise (another worker got there first: claim again).
   */
  createTrial(studyId: number, number: number, config: Config, worker: string): Promise<TrialRecord | null>;
  /** Inserts a trial to be run later by any worker (`enqueue`); returns it. */
  enqueueTrial(studyId: number, config: Config): Promise<TrialRecord>;
  /** Refreshes the heartbeat; false if the lease is no longer held (the trial was reaped). */
  heartbeat(lease: Lease): Promise<boolean>;
  /** Records intermediate value `value` at `step` (and refreshes the heartbeat); false if the lease is lost. */
  report(lease: Lease, step: number, value: number): Promise<boolean>;
  /** Ends the attempt; false (and nothing written) if the lease is lost. */
  finish(lease: Lease, outcome: TrialOutcome): Promise<boolean>;
  close(): Promise<void>;
}

/** The storage could not be opened or used; the message says where (no password), what failed, how to fix. */
export class StorageError extends GanglionError {
  override name = "StorageError";
}

/** `createStudy` with a name that is taken. */
export class StudyExistsError extends StorageError {
  override name = "StudyExistsError";
}
