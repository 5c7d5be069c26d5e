/**
 * `ganglion tune`: hyperparameter search over a study stored in SQLite (default) or PostgreSQL.
 *
 *   ganglion tune --job cnn --sampler bayes --trials 30 --pruner median --workers 2
 *   ganglion tune --study cnn --storage postgres://me@db.lan/studies --workers 8   # on another machine: joins
 *
 * Creates the study or joins it (settings given must match the stored ones; leave them out to join as
 * is; `--trials` raises or lowers the target), runs `--workers` worker processes, then prints the results
 * table (best first) and writes `<out>/best-config.json` (`ganglion train --config` trains it),
 * `<out>/plots.json` (the dashboard's plot data) and `<out>/results.json`. `--workers 0` only reports.
 * Also runnable directly (`node dist/src/cli/tune.js …`), which is how worker processes start.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ValueError } from "../core/index.js";
import { formatHelp, parseArgs, type FlagSpecs, type FlagValue } from "./args.js";
import { DEFAULT_STORAGE, openStorage } from "../tune/storage/index.js";
import type { Json, StudyRecord, StudyStorage } from "../tune/storage/index.js";
import { parseSearchSpace } from "../tune/space_json.js";
import type { SearchSpace } from "../tune/space.js";
import { Study } from "../tune/study.js";
import { PRUNER_TYPES, SAMPLER_TYPES } from "../tune/study_config.js";
import type { PrunerConfig, SamplerConfig } from "../tune/study_config.js";
import { bestTrial, countStates, formatResultsTable, plotData, rankTrials } from "../tune/study_results.js";
import { JOB_NAMES, checkSpaceForJob, defaultSpace, jobDirection, jobFromJson, jobToJson, trainConfig } from "./tune_jobs.js";
import type { Job } from "./tune_jobs.js";
import { runWorkerProcesses, workerMain } from "./tune_workers.js";
import type { WorkerArgs } from "./tune_workers.js";

export const TUNE_FLAGS: FlagSpecs = {
  study: { type: "string", help: "study name; an existing study is joined (default: the job's name)" },
  storage: { type: "string", default: DEFAULT_STORAGE, help: "where the study lives: sqlite:<file> or postgres://user[:password]@host:port/db" },
  job: { type: "string", choices: [...JOB_NAMES], help: "what a trial trains (new study default: cnn)" },
  space: { type: "string", help: "search space JSON file (default: the job's built-in space)" },
  sampler: { type: "string", choices: [...SAMPLER_TYPES], help: "how configurations are chosen (new study default: random)" },
  seed: { type: "int", help: "sampler seed (default 0)" },
  trials: { type: "int", help: "trials the study should have in total (new study default: 20)" },
  pruner: { type: "string", choices: [...PRUNER_TYPES], help: "early stopping of bad trials (new study default: none)" },
  workers: { type: "int", default: 1, help: "worker processes on this machine (0: only print the results)" },
  epochs: { type: "int", help: "cnn, spiral: epochs per trial (default 3, 20)" },
  dataset: { type: "string", choices: ["auto", "fashion-mnist", "mnist"], help: "cnn: data set (default auto)" },
  "batch-size": { type: "int", help: "cnn: batch size (default 64)" },
  limit: { type: "int", help: "cnn: use only the first N training images (default 5000; 0: all)" },
  steps: { type: "int", help: "benchmark jobs: intermediate values per trial (default 5)" },
  "step-ms": { type: "number", help: "benchmark jobs: milliseconds per step (default 0)" },
  "max-attempts": { type: "int", help: "attempts per trial when workers die (new study default: 3)" },
  "heartbeat-timeout": { type: "number", help: "seconds without a heartbeat before a trial's worker is taken for dead (new study default: 60)" },
  out: { type: "string", help: "folder for best-config.json, plots.json, results.json (default: tune-<study>)" },
  json: { type: "boolean", default: false, help: "print one JSON summary object as the last line" },
};

type Flags = Record<string, FlagValue>;

function positiveInt(flags: Flags, name: string, min: number): void {
  const v = flags[name];
  if (v !== undefined && (v as number) < min) throw new ValueError(`ganglion tune: --${name} must be >= ${min}, got ${String(v)}`);
}

/** The job from the flags, on top of the stored one when joining (so only flags given can conflict). */
function jobFromFlags(f: Flags, stored: Job | undefined): Job {
  const name = (f.job as string | undefined) ?? stored?.name ?? "cnn";
  const base: Record<string, Json> = stored && stored.name === name ? { ...(stored as unknown as Record<string, Json>) } : {};
  const set = (key: string, flag: string, fallback: Json): void => {
    if (f[flag] !== undefined) base[key] = f[flag] as Json;
    else if (!(key in base)) base[key] = fallback;
  };
  base.name = name;
  if (name === "cnn") {
    set("dataset", "dataset", "auto");
    set("epochs", "epochs", 3);
    set("batchSize", "batch-size", 64);
    set("limit", "limit", 5000);
    if (base.limit === 0) base.limit = null;
    set("valFraction", "-", 0.1);
    set("seed", "-", 0);
  } else if (name === "spiral") {
    set("epochs", "epochs", 20);
    set("seed", "-", 0);
  } else {
    set("steps", "steps", 5);
    set("stepMs", "step-ms", 0);
  }
  return jobFromJson(base);
}

function readSpace(path: string): SearchSpace {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new ValueError(`ganglion tune: cannot read --space ${path}: ${(e as Error).message}`);
  }
  return parseSearchSpace(text, `--space ${path}`);
}

/** Creates or joins the study the flags describe. */
async function openStudy(storage: StudyStorage, f: Flags, log: (l: string) => void): Promise<{ study: Study; job: Job }> {
  const name = (f.study as string | undefined) ?? (f.job as string | undefined) ?? "cnn";
  const stored = await storage.getStudy(name);
  const storedJob = stored ? jobFromJson(stored.job) : undefined;
  const job = jobFromFlags(f, storedJob);
  const space = f.space !== undefined ? readSpace(f.space as string) : stored ? undefined : defaultSpace(job);
  if (space) checkSpaceForJob(space, job, f.space !== undefined ? `--space ${String(f.space)}` : "the default space");
  const sampler = f.sampler !== undefined || (!stored && f.seed !== undefined)
    ? ({ type: (f.sampler as SamplerConfig["type"] | undefined) ?? "random", seed: (f.seed as number | undefined) ?? 0 } as SamplerConfig)
    : undefined;
  const pruner = f.pruner !== undefined ? ({ type: f.pruner } as PrunerConfig) : undefined;
  const hbTimeout = f["heartbeat-timeout"] !== undefined ? Math.round((f["heartbeat-timeout"] as number) * 1000) : undefined;
  const { study, created } = await Study.open(storage, {
    name, space, direction: stored ? undefined : jobDirection(job), sampler, pruner, job: jobToJson(job),
    nTrials: (f.trials as number | undefined) ?? (stored ? undefined : 20), maxAttempts: f["max-attempts"] as number | undefined, heartbeatTimeoutMs: hbTimeout,
  });
  const n = (await study.trials()).length;
  log(`study ${study.name} in ${storage.url}: ${created ? "created" : "joined"}; ${n} of ${study.nTrials} trials exist; `
    + `job ${job.name}, sampler ${study.samplerConfig.type}, pruner ${study.prunerConfig.type}, ${study.direction} ${job.name === "cnn" || job.name === "spiral" ? "validation accuracy" : "value"}`);
  return { study, job };
}

/** Writes the results files and returns their paths. */
function writeResults(out: string, rec: StudyRecord, space: SearchSpace, job: Job, trials: Awaited<ReturnType<Study["trials"]>>): { best?: string; plots: string; results: string } {
  mkdirSync(out, { recursive: true });
  const plots = join(out, "plots.json");
  const results = join(out, "results.json");
  writeFileSync(plots, `${JSON.stringify(plotData(rec, space, trials), null, 1)}\n`);
  writeFileSync(results, `${JSON.stringify({ study: rec, trials: rankTrials(trials, rec.direction) }, null, 1)}\n`);
  const best = bestTrial(trials, rec.direction);
  if (!best) return { plots, results };
  const path = join(out, "best-config.json");
  const cfg = { ...trainConfig(job, best.config), tuned: { study: rec.name, trial: best.number, value: best.value, direction: rec.direction } };
  writeFileSync(path, `${JSON.stringify(cfg, null, 2)}\n`);
  return { best: path, plots, results };
}

/** `ganglion tune [options]`; returns the exit code. */
export async function tune(argv: string[]): Promise<number> {
  if (argv[0] === "__worker") return workerMain(JSON.parse(argv[1] ?? "{}") as WorkerArgs);
  if (argv.includes("--help")) {
    console.log(formatHelp("Usage: ganglion tune [options]\n\nHyperparameter search: a study in SQLite or PostgreSQL (resumable, shareable between machines), trials run by N worker processes, then the results table and the best configuration (best-config.json, for ganglion train --config).", TUNE_FLAGS));
    return 0;
  }
  const f = parseArgs("ganglion tune", argv, TUNE_FLAGS).flags;
  for (const [k, min] of [["trials", 1], ["workers", 0], ["epochs", 1], ["batch-size", 1], ["limit", 0], ["steps", 1], ["step-ms", 0], ["max-attempts", 1]] as const) positiveInt(f, k, min);
  if (f["heartbeat-timeout"] !== undefined && !((f["heartbeat-timeout"] as number) > 0)) throw new ValueError(`ganglion tune: --heartbeat-timeout must be > 0 seconds, got ${String(f["heartbeat-timeout"])}`);
  const log = (l: string): void => console.log(l);
  const url = f.storage as string;
  const storage = await openStorage(url);
  try {
    const { study, job } = await openStudy(storage, f, log);
    const workers = f.workers as number;
    let failed = 0;
    if (workers === 1) {
      await workerMain({ storage: url, study: study.name, index: 1 }, (l) => log(`[w1] ${l}`));
    } else if (workers > 1) {
      const exits = await runWorkerProcesses(workers, { storage: url, study: study.name }, log);
      for (const e of exits) {
        if (e.signal) log(`worker ${e.index} (pid ${e.pid}) was killed by ${e.signal}; a trial it was running is retried by another worker after the heartbeat timeout`);
        else if (e.code !== 0) {
          log(`worker ${e.index} (pid ${e.pid}) failed with exit code ${e.code}`);
          failed++;
        }
      }
    }
    const rec = (await study.refresh()).record;
    const trials = await study.trials();
    log(formatResultsTable(rec, study.space, trials, { limit: f.json ? 10 : 20 }));
    const out = (f.out as string | undefined) ?? `tune-${study.name}`;
    const files = writeResults(out, rec, study.space, job, trials);
    const best = bestTrial(trials, rec.direction);
    const counts = countStates(trials);
    if (best) {
      log(`best: trial ${best.number}, value ${best.value}: ${JSON.stringify(best.config)}`);
      log(`train it: ganglion train --config ${files.best}`);
    } else log("no trial has completed yet");
    const open = counts.running + counts.waiting + Math.max(0, rec.nTrials - trials.length);
    if (open > 0) log(`${open} trial(s) not finished: run the same command again to resume (a trial whose worker died is retried ${rec.heartbeatTimeoutMs / 1000} s after its last heartbeat)`);
    log(`wrote ${[files.best, files.plots, files.results].filter(Boolean).join(", ")}`);
    if (f.json) {
      console.log(JSON.stringify({
        study: rec.name, storage: storage.url, nTrials: rec.nTrials, trials: trials.length, ...counts, unfinished: open, workerFailures: failed,
        best: best ? { number: best.number, value: best.value, config: best.config } : null, files,
      }));
    }
    return failed > 0 ? 1 : 0;
  } finally {
    await storage.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  tune(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(`ganglion tune: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(1);
    },
  );
}
