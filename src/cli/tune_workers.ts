/**
 * `ganglion tune --workers N`: N worker processes on this machine (child_process), each running the
 * trial loop against the shared storage; their output is passed through with a `[wK]` prefix. A worker
 * that dies (even by SIGKILL) loses nothing: its trial's heartbeat stops and another worker retries it.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import { openStorage } from "../tune/storage/index.js";
import { Study } from "../tune/study.js";
import { runWorker } from "../tune/runner.js";
import { jobFromJson, jobObjective } from "./tune_jobs.js";

/** What a worker process is told on its command line. */
export interface WorkerArgs {
  readonly storage: string;
  readonly study: string;
  readonly index: number;
}

export interface WorkerExit {
  readonly index: number;
  readonly pid: number | undefined;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Runs one worker in this process until the study is done; returns the exit code. */
export async function workerMain(args: WorkerArgs, log: (line: string) => void = (l) => console.log(l)): Promise<number> {
  const storage = await openStorage(args.storage);
  const stop = new AbortController();
  let interrupts = 0;
  const onSignal = (): void => {
    if (++interrupts > 1) process.exit(130);
    log("stopping after the current trial (interrupt again to stop now; the trial is then retried by another worker)");
    stop.abort();
  };
  process.on("SIGINT", onSignal);
  try {
    const study = await Study.load(storage, args.study);
    const objective = await jobObjective(jobFromJson(study.record.job));
    const s = await runWorker(study, objective, { storageUrl: args.storage, log, signal: stop.signal });
    log(`worker ${s.worker} done: ran ${s.ran.length} trial(s)`);
    return 0;
  } finally {
    process.off("SIGINT", onSignal);
    await storage.close();
  }
}

/** Starts `n` worker processes and resolves when all have exited. */
export async function runWorkerProcesses(n: number, args: Omit<WorkerArgs, "index">, log: (line: string) => void): Promise<WorkerExit[]> {
  const entry = fileURLToPath(new URL("./tune.js", import.meta.url));
  const procs = Array.from({ length: n }, (_, i) => {
    const index = i + 1;
    const child = spawn(process.execPath, [entry, "__worker", JSON.stringify({ ...args, index } satisfies WorkerArgs)], { stdio: ["ignore", "pipe", "pipe"] });
    const lines = [child.stdout, child.stderr].map((input) => {
      const rl = createInterface({ input });
      rl.on("line", (l) => log(`[w${index}] ${l}`));
      return new Promise<void>((resolve) => rl.once("close", resolve));
    });
    log(`worker ${index}: pid ${child.pid}`);
    const exited = new Promise<WorkerExit>((resolve) => {
      child.once("error", (e) => {
        log(`worker ${index}: could not start: ${e.message}`);
        resolve({ index, pid: child.pid, code: 1, signal: null });
      });
      child.once("exit", (code, signal) => resolve({ index, pid: child.pid, code, signal }));
    });
    return { child, done: Promise.all([exited, ...lines]).then(([e]) => e) };
  });
  // Ctrl-C reaches the workers from the terminal (same process group): each finishes its trial. A SIGTERM
  // sent to this process alone is passed on; the workers then stop at once and their trials are retried later.
  const onInt = (): void => log("interrupted: the workers stop after their current trials");
  const onTerm = (): void => {
    log("SIGTERM: stopping the workers");
    for (const p of procs) p.child.kill("SIGTERM");
  };
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  try {
    return await Promise.all(procs.map((p) => p.done));
  } finally {
    process.off("SIGINT", onInt);
    process.off("SIGTERM", onTerm);
  }
}
