/**
 * Heartbeats for running trials: while a worker runs a trial it refreshes the trial's heartbeat every
 * `intervalMs`; a trial whose heartbeat is older than the study's timeout is taken to have lost its
 * worker and is retried elsewhere (storage/types.ts). Optuna does the same from a background thread.
 *
 * Two ways to beat:
 *  - "thread": a worker_threads thread with its own database connection. It keeps beating while the main
 *    thread is busy in synchronous code (a `fit` epoch runs for many seconds without yielding), and dies
 *    with the process, which is exactly when the beats must stop.
 *  - "timer": a timer on the main thread; enough for objectives that await often, and for in-memory
 *    SQLite, which another thread cannot open.
 */
import type { Lease, StudyStorage } from "./storage/types.js";

export interface Heartbeat {
  /** Start beating for `lease` (beats once at once). */
  beat(lease: Lease): void;
  /** Stop beating (the trial is over). */
  idle(): void;
  /** Whether a beat found that `lease` is no longer held (the trial was reaped and retried elsewhere). */
  lost(lease: Lease): boolean;
  close(): Promise<void>;
}

/** Messages between the main thread and the heartbeat thread. */
export type ToThread = { readonly type: "beat"; readonly lease: Lease } | { readonly type: "idle" } | { readonly type: "close" };
export type FromThread =
  | { readonly type: "ready" }
  | { readonly type: "lost"; readonly trialId: number; readonly attempt: number }
  | { readonly type: "error"; readonly message: string }
  | { readonly type: "closed" };

const key = (l: Pick<Lease, "trialId" | "attempt">): string => `${l.trialId}/${l.attempt}`;

/**
 * The beating both kinds share: every `intervalMs`, refresh the heartbeat of the lease set by `beat`
 * (one request at a time), reporting a lease no longer held to `onLost` and storage errors to `onError`.
 */
export function beatLoop(
  storage: StudyStorage, intervalMs: number, onLost: (lease: Lease) => void, onError: (e: Error) => void, { unref = false }: { unref?: boolean } = {},
): { beat(lease: Lease): void; idle(): void; stop(): void } {
  let current: Lease | null = null;
  let pending = false;
  const tick = (): void => {
    const lease = current;
    if (!lease || pending) return;
    pending = true;
    storage.heartbeat(lease).then(
      (ok) => {
        if (!ok) onLost(lease);
      },
      (e: Error) => onError(e),
    ).finally(() => (pending = false));
  };
  const timer = setInterval(tick, intervalMs);
  if (unref) timer.unref();
  return {
    beat(lease) {
      current = lease;
      tick();
    },
    idle() {
      current = null;
    },
    stop() {
      clearInterval(timer);
      current = null;
    },
  };
}

/** Beats from a timer on this thread. */
export function timerHeartbeat(storage: StudyStorage, intervalMs: number, onError: (e: Error) => void): Heartbeat {
  const lostSet = new Set<string>();
  const loop = beatLoop(storage, intervalMs, (lease) => lostSet.add(key(lease)), onError, { unref: true });
  return {
    beat: (lease) => loop.beat(lease),
    idle: () => loop.idle(),
    lost: (lease) => lostSet.has(key(lease)),
    async close() {
      loop.stop();
    },
  };
}

/** Beats from a worker thread that opens `storageUrl` itself; resolves once the thread is connected. */
export async function threadHeartbeat(storageUrl: string, intervalMs: number, onError: (e: Error) => void): Promise<Heartbeat> {
  // Loaded here, not at the top, so that importing ganglion's tune module does not need Node.
  const { Worker } = await import("node:worker_threads");
  const worker = new Worker(new URL("./runner_heartbeat_thread.js", import.meta.url), { workerData: { storageUrl, intervalMs } });
  const lostSet = new Set<string>();
  let closed: (() => void) | null = null;
  await new Promise<void>((resolve, reject) => {
    const onExit = (code: number): void => reject(new Error(`heartbeat thread exited with code ${code} before it was ready`));
    worker.once("exit", onExit);
    worker.on("message", (m: FromThread) => {
      if (m.type === "ready") {
        worker.off("exit", onExit);
        resolve();
      } else if (m.type === "lost") lostSet.add(key({ trialId: m.trialId, attempt: m.attempt }));
      else if (m.type === "error") {
        const e = new Error(m.message);
        onError(e);
        reject(e);
      } else if (m.type === "closed") closed?.();
    });
    worker.once("error", reject);
  });
  worker.unref();
  const send = (m: ToThread): void => worker.postMessage(m);
  return {
    beat: (lease) => send({ type: "beat", lease }),
    idle: () => send({ type: "idle" }),
    lost: (lease) => lostSet.has(key(lease)),
    async close() {
      worker.ref(); // keep the process alive until the thread has closed its connection
      const done = new Promise<void>((resolve) => {
        closed = resolve;
        worker.once("exit", () => resolve());
      });
      send({ type: "close" });
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, 5000)));
      await Promise.race([done, timeout]);
      clearTimeout(timer);
      await worker.terminate();
    },
  };
}
