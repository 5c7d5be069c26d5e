/**
 * The trial runner: one worker's loop over a shared study. Claim a trial (a retry, or a new configuration
 * from the sampler), run the objective while heartbeating, record intermediate values and let the pruner
 * stop bad trials early (median rule; ASHA, Li et al. 2018, https://arxiv.org/abs/1810.05934), then store
 * the outcome — only if this worker still holds the trial. Run this loop in any number of processes, on
 * any number of machines that reach the same storage.
 *
 * An objective is `(config, report, ctx) => Promise<number | { value, metrics }>`. It calls
 * `await report(step, value)` after each step (epoch) with the validation metric; when that returns
 * "prune" it should stop and return (the trial ends pruned, whatever it returns). It may also throw
 * `TrialPruned` (e.g. the loss diverged). Any other exception, or a non-finite value, fails the trial;
 * failures from exceptions are not retried (they would recur), lost workers are.
 */
import { GanglionError, ValueError } from "../core/index.js";
import type { Config } from "./space.js";
import { ExhaustedError } from "./samplers/index.js";
import type { Study } from "./study.js";
import { toSamplerTrial } from "./study.js";
import { leaseOf } from "./storage/types.js";
import type { Metrics, Reaped, TrialOutcome, TrialRecord } from "./storage/types.js";
import { threadHeartbeat, timerHeartbeat } from "./runner_heartbeat.js";
import type { Heartbeat } from "./runner_heartbeat.js";

export type ReportFn = (step: number, value: number) => Promise<"continue" | "prune">;

export interface TrialContext {
  readonly number: number;
  /** 1 for the first attempt, 2 for the first retry, … */
  readonly attempt: number;
  readonly worker: string;
  readonly log: (line: string) => void;
}

export interface ObjectiveResult {
  readonly value: number;
  readonly metrics?: Metrics;
}

export type Objective = (config: Config, report: ReportFn, ctx: TrialContext) => Promise<number | ObjectiveResult>;

/** Thrown by an objective to end its trial as pruned (e.g. "loss > 3 × initial loss"). */
export class TrialPruned extends GanglionError {
  override name = "TrialPruned";
}

/** Thrown by `report` when this worker no longer holds the trial (it was declared dead and retried elsewhere). */
export class TrialLost extends GanglionError {
  override name = "TrialLost";
}

export interface WorkerOptions {
  /** Names this worker in the database (default host:pid:random). */
  readonly workerId?: string;
  /**
   * How to heartbeat (runner_heartbeat.ts): "thread" needs `storageUrl`; "auto" (default) uses a thread
   * when `storageUrl` names a file or server, else a timer.
   */
  readonly heartbeat?: "thread" | "timer" | "auto";
  /** The storage URL, with password, for the heartbeat thread's own connection. */
  readonly storageUrl?: string;
  /** Default: a quarter of the study's heartbeat timeout, at most 10 s. */
  readonly heartbeatIntervalMs?: number;
  /** How long to wait before claiming again when every trial is taken but some may come back (default: the heartbeat interval, at most 1 s). */
  readonly pollMs?: number;
  /** Stop after running this many trials (default: until the study is done). */
  readonly maxTrials?: number;
  /** Stop claiming new trials once aborted (the running trial finishes). */
  readonly signal?: AbortSignal;
  readonly log?: (line: string) => void;
}

export interface WorkerSummary {
  readonly worker: string;
  /** Trials this worker ran, with how each ended here ("lost": another worker took it over). */
  readonly ran: { readonly number: number; readonly outcome: TrialOutcome["state"] | "lost" }[];
  readonly reaped: Reaped[];
}

/** host:pid:random — unique across the machines sharing a study, and says where a trial ran. */
export async function defaultWorkerId(): Promise<string> {
  const { hostname } = await import("node:os");
  return `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function lastFinite(values: readonly number[]): number | null {
  for (let i = values.length - 1; i >= 0; i--) if (Number.isFinite(values[i])) return values[i];
  return null;
}

function errorText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** Runs trials of `study` until it is done (or `maxTrials`, or `signal`). */
export async function runWorker(study: Study, objective: Objective, opts: WorkerOptions = {}): Promise<WorkerSummary> {
  const worker = opts.workerId ?? (await defaultWorkerId());
  const log = opts.log ?? ((): void => undefined);
  const interval = opts.heartbeatIntervalMs ?? Math.min(10_000, study.record.heartbeatTimeoutMs / 4);
  if (!(interval > 0)) throw new ValueError(`runWorker: heartbeatIntervalMs must be > 0, got ${interval}`);
  if (interval >= study.record.heartbeatTimeoutMs) {
    throw new ValueError(`runWorker: heartbeat interval ${interval} ms must be shorter than the study's heartbeat timeout ${study.record.heartbeatTimeoutMs} ms`);
  }
  const maxTrials = opts.maxTrials ?? Infinity;
  const mode = opts.heartbeat ?? "auto";
  const useThread = mode === "thread" || (mode === "auto" && opts.storageUrl !== undefined && !/:memory:$/.test(opts.storageUrl));
  if (useThread && opts.storageUrl === undefined) throw new ValueError("runWorker: heartbeat \"thread\" needs storageUrl (the thread opens its own connection)");
  const onHbError = (e: Error): void => log(`heartbeat error: ${e.message}`);
  const hb = useThread ? await threadHeartbeat(opts.storageUrl as string, interval, onHbError) : timerHeartbeat(study.storage, interval, onHbError);
  const summary: WorkerSummary = { worker, ran: [], reaped: [] };
  try {
    while (summary.ran.length < maxTrials && !opts.signal?.aborted) {
      const step = await study.storage.claim(study.id, worker);
      for (const r of step.reaped) {
        log(`trial ${r.number}: worker ${r.worker ?? "?"} stopped heartbeating; ${r.state === "waiting" ? "will be retried" : "failed (no attempts left)"}`);
        summary.reaped.push(r);
      }
      if (step.kind === "done") break;
      if (step.kind === "wait") {
        await sleep(opts.pollMs ?? Math.min(interval, 1000));
        continue;
      }
      let trial: TrialRecord | null;
      if (step.kind === "trial") trial = step.trial;
      else {
        let config: Config;
        try {
          config = study.sampler.suggest(step.history.map(toSamplerTrial));
        } catch (e) {
          if (!(e instanceof ExhaustedError)) throw e;
          log(`${e.message}: the study ends at ${step.history.length} trials`);
          await study.storage.setTrialTarget(study.id, step.history.length);
          continue;
        }
        trial = await study.storage.createTrial(study.id, step.history.length, config, worker);
        if (!trial) continue; // another worker took this number first
      }
      const outcome = await runTrial(study, objective, trial, hb, worker, log);
      summary.ran.push({ number: trial.number, outcome });
    }
  } finally {
    await hb.close();
  }
  return summary;
}

/** Runs one claimed trial to its end and stores the outcome; returns how it ended. */
async function runTrial(study: Study, objective: Objective, trial: TrialRecord, hb: Heartbeat, worker: string, log: (l: string) => void): Promise<TrialOutcome["state"] | "lost"> {
  const lease = leaseOf(trial);
  const n = trial.number;
  const values: number[] = [];
  let pruneReason: string | null = null;
  let lost = false;
  const lostError = (): TrialLost => new TrialLost(`trial ${n}: this worker no longer holds it (its heartbeat timed out and the trial was reaped); stopping`);
  const report: ReportFn = async (step, value) => {
    if (lost || hb.lost(lease)) throw lostError();
    if (typeof value !== "number") throw new ValueError(`report: value must be a number, got ${JSON.stringify(value)}`);
    if (!(await study.storage.report(lease, step, value))) {
      lost = true;
      throw lostError();
    }
    values[step] = value;
    if (!study.pruner || pruneReason !== null) return pruneReason === null ? "continue" : "prune";
    const history = (await study.storage.trials(study.id)).map(toSamplerTrial);
    const me = { config: trial.config, state: "running" as const, intermediate: values.slice() };
    if (n < history.length) history[n] = me; // history is by number: 0, 1, 2, …
    const d = study.pruner.decide(me, history);
    if (d.prune) pruneReason = d.reason;
    return d.prune ? "prune" : "continue";
  };
  log(`trial ${n}${trial.attempts > 1 ? ` (attempt ${trial.attempts})` : ""}: ${JSON.stringify(trial.config)}`);
  hb.beat(lease);
  let outcome: TrialOutcome;
  try {
    const r = await objective(trial.config, report, { number: n, attempt: trial.attempts, worker, log });
    const { value, metrics } = typeof r === "number" ? { value: r, metrics: undefined } : r;
    if (pruneReason !== null) outcome = { state: "pruned", value: lastFinite(values), metrics, message: pruneReason };
    else if (typeof value === "number" && Number.isFinite(value)) outcome = { state: "complete", value, metrics };
    else outcome = { state: "failed", value: null, metrics, message: `the objective returned ${String(value)}, expected a finite number` };
  } catch (e) {
    if (e instanceof TrialLost) {
      log(e.message);
      hb.idle();
      return "lost";
    }
    outcome = e instanceof TrialPruned
      ? { state: "pruned", value: lastFinite(values), message: e.message }
      : { state: "failed", value: null, message: errorText(e) };
  }
  hb.idle();
  if (!(await study.storage.finish(lease, outcome))) {
    log(`trial ${n}: result ${outcome.state} discarded: this worker no longer holds the trial (it was reaped and retried)`);
    return "lost";
  }
  const v = outcome.value === null ? "" : ` value ${outcome.value}`;
  log(`trial ${n}: ${outcome.state}${v}${outcome.message ? ` (${outcome.message})` : ""}`);
  return outcome.state;
}
