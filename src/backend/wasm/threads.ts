/**
 * A pool of worker threads sharing the backend's WebAssembly.Memory. The API is synchronous: the main
 * thread writes a task into a control block in shared memory, wakes the workers with Atomics.notify,
 * does share 0 itself and blocks in Atomics.wait until the others are done (Node allows Atomics.wait on
 * the main thread). Workers are unref()'d, so they never keep a process alive; `dispose()` stops them.
 *
 * Control block (i32 words at `ctrl`): [GEN] task generation, [PENDING] workers still running,
 * [TASK] task id, [ERROR] set by a failing worker, [READY] workers started, [STOP] shutdown,
 * [NTHREADS] threads taking part;
 * task arguments from word ARGS on.
 */
import type { Worker as NodeWorker } from "node:worker_threads";
import { runTask, TASK_ARGS, TASK_IDS, type TaskName } from "./tasks.js";
import type { KernelExports } from "./module.js";

export const GEN = 0, PENDING = 1, TASK = 2, ERROR = 3, READY = 4, STOP = 5, NTHREADS = 6, ARGS = 16;
/** Bytes reserved for the control block. */
export const CTRL_BYTES = 256;
/** Spin iterations before sleeping in Atomics.wait: wake-ups cost tens of microseconds. */
export const SPIN = 20000;

export interface WorkerInit {
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  readonly ctrl: number;
  readonly tid: number;
}

interface NodeApi {
  Worker: typeof NodeWorker;
}

function nodeWorkerApi(): NodeApi | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return proc?.getBuiltinModule?.("node:worker_threads") as NodeApi | undefined;
}

/**
 * How to start the worker entry: worker.js next to this file after tsc; worker.ts when running from
 * source under tsx. NOTE: Node 20 does not apply tsx's ESM loader hooks (`--import`) inside workers,
 * so the .ts entry is started from a small CommonJS snippet that registers tsx's require hook first.
 */
function workerSource(): { src: string | URL; evalCode: boolean } | undefined {
  if (!import.meta.url.endsWith(".ts")) return { src: new URL("./worker.js", import.meta.url), evalCode: false };
  const argv = (globalThis as { process?: { execArgv?: string[] } }).process?.execArgv ?? [];
  const loader = argv.find((a) => /tsx[\\/]dist[\\/]loader\.mjs$/.test(a));
  if (!loader) return undefined;
  const api = new URL("./cjs/api/index.cjs", loader.startsWith("file:") ? loader : `file://${loader}`);
  const entry = new URL("./worker.ts", import.meta.url);
  const code = `require(${JSON.stringify(decodeURIComponent(api.pathname))}).register(); require(${JSON.stringify(decodeURIComponent(entry.pathname))});`;
  return { src: code, evalCode: true };
}

export class ThreadPool {
  #threads: number;
  readonly #ex: KernelExports;
  readonly #ctrl: Int32Array;
  readonly #args: Uint32Array;
  readonly #workers: NodeWorker[] = [];
  #ready = false;

  /** Starts `threads - 1` workers; falls back to one thread when workers cannot be created. */
  constructor(ex: KernelExports, module: WebAssembly.Module, memory: WebAssembly.Memory, ctrl: number, threads: number) {
    this.#ex = ex;
    this.#ctrl = new Int32Array(memory.buffer, ctrl, CTRL_BYTES / 4);
    this.#args = new Uint32Array(memory.buffer, ctrl + ARGS * 4, CTRL_BYTES / 4 - ARGS);
    const api = threads > 1 ? nodeWorkerApi() : undefined;
    const source = api ? workerSource() : undefined;
    if (!api || !source) {
      this.#threads = 1;
      return;
    }
    try {
      for (let tid = 1; tid < threads; tid++) {
        const init: WorkerInit = { module, memory, ctrl, tid };
        const w = new api.Worker(source.src, { workerData: init, eval: source.evalCode });
        w.unref();
        this.#workers.push(w);
      }
      this.#threads = threads;
    } catch {
      for (const w of this.#workers) void w.terminate();
      this.#workers.length = 0;
      this.#threads = 1;
    }
  }

  /** Threads taking part in a parallel task (1 after `dispose`). */
  get threads(): number {
    return this.#threads;
  }

  /** Waits (blocking, at most `timeoutMs`) until every worker has instantiated the module. */
  #awaitReady(timeoutMs = 30000): void {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = Atomics.load(this.#ctrl, READY);
      if (r >= this.threads - 1) break;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`wasm backend: ${this.threads - 1 - r} of ${this.threads - 1} worker threads did not start within ${timeoutMs} ms`);
      Atomics.wait(this.#ctrl, READY, r, Math.min(left, 50));
    }
    this.#ready = true;
  }

  /** Runs `task` with `args` on the pool (or on the main thread alone when `threads` is 1). */
  run<K extends TaskName>(task: K, args: Readonly<Record<string, number>>, threads = this.threads): void {
    const names = TASK_ARGS[task];
    const id = TASK_IDS.indexOf(task);
    if (this.threads === 1 || threads === 1) {
      // NOTE: not through the control block: without shared memory, a grow detaches its view.
      runTask(this.#ex, id, Uint32Array.from(names, (k) => args[k] >>> 0), 0, 1);
      return;
    }
    names.forEach((k, i) => { this.#args[i] = args[k] >>> 0; });
    if (!this.#ready) this.#awaitReady();
    const c = this.#ctrl;
    Atomics.store(c, TASK, id);
    Atomics.store(c, NTHREADS, this.threads);
    Atomics.store(c, ERROR, 0);
    Atomics.store(c, PENDING, this.threads - 1);
    Atomics.add(c, GEN, 1);
    Atomics.notify(c, GEN);
    let mainError: unknown;
    try {
      runTask(this.#ex, id, this.#args, 0, this.threads);
    } catch (e) {
      mainError = e;
    }
    for (let spins = 0; ; spins++) {
      const p = Atomics.load(c, PENDING);
      if (p === 0) break;
      if (spins > SPIN) Atomics.wait(c, PENDING, p, 1000);
    }
    if (mainError !== undefined) throw mainError;
    if (Atomics.load(c, ERROR) !== 0) throw new Error(`wasm backend: task '${task}' failed in a worker thread`);
  }

  dispose(): void {
    if (this.#workers.length === 0) return;
    Atomics.store(this.#ctrl, STOP, 1);
    Atomics.add(this.#ctrl, GEN, 1);
    Atomics.notify(this.#ctrl, GEN);
    for (const w of this.#workers) void w.terminate();
    this.#workers.length = 0;
    this.#threads = 1;
  }
}
