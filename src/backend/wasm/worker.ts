/** Node worker-thread entry of the Wasm backend's thread pool (threads.ts): runs the pool loop. */
import { workerData } from "node:worker_threads";
import type { WorkerInit } from "./threads.js";
import { workerLoop } from "./worker-loop.js";

workerLoop(workerData as WorkerInit);
