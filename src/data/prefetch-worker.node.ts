/** The PrefetchLoader's worker: rebuilds the same DataLoader and fills requested batch slots. */
import { parentPort, workerData } from "node:worker_threads";
import { DataLoader } from "./loader.js";
import { FAILED, READY, buildDataset, layout, type WorkerInit } from "./prefetch.node.js";

const init = workerData as WorkerInit;
const loader = new DataLoader(buildDataset(init.recipe), init.loader);
const mem = layout(init.depth, init.slotFloats, init.batchSize, init.shared);
let orderEpoch = -1;
let order: Int32Array | undefined;

parentPort?.on("message", ({ epoch, batch, slot }: { epoch: number; batch: number; slot: number }) => {
  try {
    if (epoch !== orderEpoch) {
      order = loader.order(epoch);
      orderEpoch = epoch;
    }
    const h = loader.hostBatch(epoch, batch, order);
    mem.x.set(h.x, slot * init.slotFloats);
    mem.y.set(h.y, slot * init.batchSize);
    mem.sizes[slot] = h.size;
    Atomics.store(mem.flags, slot, READY);
  } catch (e) {
    parentPort?.postMessage({ error: e instanceof Error ? e.message : String(e) });
    Atomics.store(mem.flags, slot, FAILED);
  }
  Atomics.notify(mem.flags, slot);
});
