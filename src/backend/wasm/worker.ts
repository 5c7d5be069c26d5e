/**
 * Worker-thread entry of the Wasm backend's thread pool (see threads.ts): instantiates the posted
 * module over the shared memory, then loops: wait for a new task generation, run share `tid`, count
 * down PENDING and wake the main thread when the last one finishes.
 */
import { workerData } from "node:worker_threads";
import { instantiate } from "./module.js";
import { runTask } from "./tasks.js";
import { ARGS, CTRL_BYTES, ERROR, GEN, NTHREADS, PENDING, READY, SPIN, STOP, TASK, type WorkerInit } from "./threads.js";

const init = workerData as WorkerInit;
const ex = instantiate(init.module, init.memory);
const ctrl = new Int32Array(init.memory.buffer, init.ctrl, CTRL_BYTES / 4);
const args = new Uint32Array(init.memory.buffer, init.ctrl + ARGS * 4, CTRL_BYTES / 4 - ARGS);
// NOTE: the generation seen is 0, not the current value: a task posted before this worker started
// must still run here, or the main thread would wait for it forever.
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
  try {
    runTask(ex, Atomics.load(ctrl, TASK), args, init.tid, Atomics.load(ctrl, NTHREADS));
  } catch (e) {
    Atomics.store(ctrl, ERROR, 1);
    console.error(`ganglion wasm worker ${init.tid}:`, e);
  }
  if (Atomics.sub(ctrl, PENDING, 1) === 1) Atomics.notify(ctrl, PENDING);
}

