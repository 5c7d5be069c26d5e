/**
 * The heartbeat thread (see runner_heartbeat.ts): opens its own connection to the study storage and
 * refreshes the heartbeat of the trial the main thread is running, every `intervalMs`.
 */
import { parentPort, workerData } from "node:worker_threads";
import { openStorage } from "./storage/index.js";
import { beatLoop } from "./runner_heartbeat.js";
import type { FromThread, ToThread } from "./runner_heartbeat.js";

const { storageUrl, intervalMs } = workerData as { storageUrl: string; intervalMs: number };
const port = parentPort;
if (!port) throw new Error("runner_heartbeat_thread: must run as a worker thread");
const post = (m: FromThread): void => port.postMessage(m);

try {
  const storage = await openStorage(storageUrl, { maxConnections: 1 });
  const loop = beatLoop(storage, intervalMs, (lease) => post({ type: "lost", trialId: lease.trialId, attempt: lease.attempt }),
    (e) => post({ type: "error", message: `heartbeat: ${e.message}` }));
  port.on("message", (m: ToThread) => {
    if (m.type === "beat") loop.beat(m.lease);
    else if (m.type === "idle") loop.idle();
    else {
      loop.stop();
      void storage.close().finally(() => {
        post({ type: "closed" });
        port.close();
      });
    }
  });
  post({ type: "ready" });
} catch (e) {
  post({ type: "error", message: (e as Error).message });
}
