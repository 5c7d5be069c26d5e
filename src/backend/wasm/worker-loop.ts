/**
 * The loop every pool thread runs (Node worker_threads and browser Web Workers alike; see threads.ts):
 * instantiate the posted module over the shared memory, then wait for a new task generation, then
 * claim and run units of that task until none are left (the main thread counts finished units).
 * Returns when the pool is disposed.
 */
import { instantiate } from "./module.js";
import { runTask } from "./tasks.js";
import { ARGS, CTRL_BYTES, ERROR, GEN, NTHREADS, READY, SPIN, STOP, TASK, sharedScheduler, type WorkerInit } from "./threads.js";

export function workerLoop(init: WorkerInit): void {
  const ex = instantiate(init.module, init.memory);
  const ctrl = new Int32Array(init.memory.buffer, init.ctrl, CTRL_BYTES / 4);
  const args = new Uint32Array(init.memory.buffer, init.ctrl + ARGS * 4, CTRL_BYTES / 4 - ARGS);
  const words = new Uint32Array(args.length);
  // NOTE: the generation seen is 0, not the current value: a task posted before this worker started
  // must still be looked at (its units may all be taken by then, which is fine).
  let seen = 0;
  Atomics.add(ctrl, READY, 1);
  Atomics.notify(ctrl, READY);

  for (;;) {
    let g = Atomics.load(ctrl, GEN);
    for (let spins = 0; g === seen; spins++) {
      if (spins > SPIN) Atomics.wait(ctrl, GEN, seen);
      g = Atomics.load(ctrl, GEN);
    }
    seen = g;
    if (Atomics.load(ctrl, STOP) !== 0) break;
    // A private copy of the arguments: if they change under us, the claims below fail (threads.ts).
    words.set(args);
    try {
      runTask(ex, Atomics.load(ctrl, TASK), words, init.tid, Atomics.load(ctrl, NTHREADS), sharedScheduler(ctrl, g));
    } catch (e) {
      Atomics.store(ctrl, ERROR, 1);
      console.error(`ganglion wasm worker ${init.tid}:`, e);
    }
  }
}
