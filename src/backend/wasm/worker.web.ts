/**
 * Browser Web Worker entry of the Wasm backend's thread pool (threads.ts): the first message carries
 * the compiled module and the shared memory; then the pool loop runs (blocking in Atomics.wait, which
 * workers may do) until the pool is disposed.
 */
import type { WorkerInit } from "./threads.js";
import { workerLoop } from "./worker-loop.js";

const scope = globalThis as unknown as { onmessage: ((e: MessageEvent<WorkerInit>) => void) | null; close(): void };
scope.onmessage = (e) => {
  scope.onmessage = null;
  workerLoop(e.data);
  scope.close();
};
