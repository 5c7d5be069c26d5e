/**
 * A pool of worker threads sharing the backend's WebAssembly.Memory. The API is synchronous: the main
 * thread writes a task into a control block in shared memory, wakes the workers with Atomics.notify,
 * and then every thread, the main one included, claims work units of the task from a shared counter
 * until none are left; the main thread returns once every unit is done (Node allows Atomics.wait on
 * the main thread). Workers are unref()'d, so they never keep a process alive; `dispose()` stops them.
 *
 * Node: worker_threads running worker.ts; the first task waits (blocking) until they have started.
 * Browsers: module Web Workers running worker.web.ts, started from a thread that may block (a worker;
 * the backend uses one thread on a page's main thread, where Atomics.wait throws). A Web Worker only
 * starts once its creator returns to the event loop, so tasks run on the calling thread alone until
 * every worker has reported ready (results are bit-identical either way); `whenReady()` awaits that.
 *
 * NOTE (dynamic, not static, shares): with a fixed half per thread, the main thread waited for a
 * worker that the OS had descheduled (measured on the shared 2-core machine at load ~5: 35% of the
 * main thread's time in that wait during MLP training). With claimed units a late worker just finds
 * nothing left, and the main thread never waits for a thread that has not started a unit.
 *
 * Claims: NEXT holds (generation & 0xffff) << 16 | next unit. A thread claims with compare-exchange
 * only while the generation is the one it read the task for and the unit is below the task's count;
 * the main thread closes a finished task (unit field 0xffff) before it writes the next task's
 * arguments, so a worker that read arguments half-way through an update can never claim with them.
 *
 * Control block (i32 words at `ctrl`): [GEN] task generation, [DONE] units finished, [TASK] task id,
 * [ERROR] set by a failing worker, [READY] workers started, [STOP] shutdown, [NTHREADS] threads
 * taking part, [NEXT] the claim word; task arguments from word ARGS on.
 */
import type { Worker as NodeWorker } from "node:worker_threads";
import { runTask, TASK_ARGS, TASK_IDS, type Scheduler, type TaskName } from "./tasks.js";
import type { KernelExports } from "./module.js";

export const GEN = 0, DONE = 1, TASK = 2, ERROR = 3, READY = 4, STOP = 5, NTHREADS = 6, NEXT = 7, ARGS = 16;
/** Unit field of a closed task's claim word. */
const CLOSED = 0xffff;
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

/** What the pool uses of a worker, Node's or the browser's. */
interface PoolWorker {
  terminate(): unknown;
}

interface WebWorker extends PoolWorker {
  postMessage(message: unknown): void;
  addEventListener(type: "error", listener: (e: Event) => void): void;
}
type WebWorkerCtor = new (url: string | URL, options: { type: "module"; name: string }) => WebWorker;

function webWorkerCtor(): WebWorkerCtor | undefined {
  const w = (globalThis as { Worker?: unknown }).Worker;
  return typeof w === "function" ? (w as WebWorkerCtor) : undefined;
}

/** The browser worker entry: `worker.web.js` beside this module (or beside the bundle that contains it). */
export function defaultWebWorkerUrl(): URL {
  return new URL("./worker.web.js", import.meta.url);
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
  #threads = 1;
  readonly #ex: KernelExports;
  readonly #ctrl: Int32Array;
  readonly #args: Uint32Array;
  readonly #workers: PoolWorker[] = [];
  #ready = false;
  /** Web Workers: readiness is observed between tasks, never waited for. */
  #async = false;

  /**
   * Starts `threads - 1` workers; falls back to one thread when workers cannot be created.
   * `webWorkerUrl` is where browsers load the worker entry from (default `defaultWebWorkerUrl()`).
   */
  constructor(ex: KernelExports, module: WebAssembly.Module, memory: WebAssembly.Memory, ctrl: number, threads: number, webWorkerUrl?: string | URL) {
    this.#ex = ex;
    this.#ctrl = new Int32Array(memory.buffer, ctrl, CTRL_BYTES / 4);
    this.#args = new Uint32Array(memory.buffer, ctrl + ARGS * 4, CTRL_BYTES / 4 - ARGS);
    const api = threads > 1 ? nodeWorkerApi() : undefined;
    const web = threads > 1 && !api ? webWorkerCtor() : undefined;
    if (web) {
      this.#startWebWorkers(web, { module, memory, ctrl }, threads, webWorkerUrl ?? defaultWebWorkerUrl());
      return;
    }
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
      this.#singleThreaded();
    }
  }

  /** A worker failed to start: stop the ones that did and run every task on this thread. */
  #singleThreaded(): void {
    for (const w of this.#workers) void w.terminate();
    this.#workers.length = 0;
    this.#threads = 1;
  }

  #startWebWorkers(Ctor: WebWorkerCtor, init: Omit<WorkerInit, "tid">, threads: number, url: string | URL): void {
    this.#async = true;
    try {
      for (let tid = 1; tid < threads; tid++) {
        const w = new Ctor(url, { type: "module", name: `ganglion-wasm-${tid}` });
        // A worker that cannot load never reports ready: give up on threads (tasks keep running here).
        w.addEventListener("error", () => this.dispose());
        w.postMessage({ ...init, tid } satisfies WorkerInit);
        this.#workers.push(w);
      }
      this.#threads = threads;
    } catch {
      this.#singleThreaded();
    }
  }

  /** True once every worker has started (Web Workers: checked without blocking). */
  #started(): boolean {
    if (this.#ready) return true;
    if (!this.#async) {
      this.#awaitReady();
      return true;
    }
    this.#ready = Atomics.load(this.#ctrl, READY) >= this.threads - 1;
    return this.#ready;
  }

  /**
   * Resolves with the number of threads once every worker has started (at most `timeoutMs`; after
   * that, or when workers could not start, with the threads in use so far). Never blocks.
   */
  async whenReady(timeoutMs = 10000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (this.threads > 1 && !this.#ready && Date.now() < deadline) {
      if (Atomics.load(this.#ctrl, READY) >= this.threads - 1) this.#ready = true;
      else await new Promise((r) => setTimeout(r, 5));
    }
    return this.threads > 1 && this.#ready ? this.threads : 1;
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
    if (this.threads === 1 || threads === 1 || !this.#started()) {
      // NOTE: not through the control block: without shared memory, a grow detaches its view.
      runTask(this.#ex, id, Uint32Array.from(names, (k) => args[k] >>> 0), 0, 1, localScheduler());
      return;
    }
    const c = this.#ctrl;
    names.forEach((k, i) => { this.#args[i] = args[k] >>> 0; });
    const gen = (Atomics.load(c, GEN) + 1) | 0;
    Atomics.store(c, TASK, id);
    Atomics.store(c, NTHREADS, this.threads);
    Atomics.store(c, ERROR, 0);
    Atomics.store(c, DONE, 0);
    Atomics.store(c, NEXT, (gen & 0xffff) << 16);
    Atomics.store(c, GEN, gen);
    Atomics.notify(c, GEN);
    const sched = sharedScheduler(c, gen);
    let mainError: unknown;
    let units = 0;
    try {
      units = runTask(this.#ex, id, this.#args, 0, this.threads, sched);
    } catch (e) {
      mainError = e;
    }
    // Close the task: from here on no thread can claim a unit. Then wait for every unit that was
    // claimed (all `units` of them unless the main thread failed): they use the arguments and scratch.
    const claimed = Atomics.exchange(c, NEXT, ((gen & 0xffff) << 16) | CLOSED) & 0xffff;
    const target = mainError === undefined ? Math.max(units, claimed) : claimed;
    for (let spins = 0; ; spins++) {
      const d = Atomics.load(c, DONE);
      if (d >= target) break;
      if (spins > SPIN) Atomics.wait(c, DONE, d, 1000);
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

/** Claims for the single-threaded path: a plain counter. */
export function localScheduler(): Scheduler {
  let next = 0;
  return { units: 0, claim: (n) => (next < n ? next++ : -1), done: () => undefined };
}

/** Claims units of generation `gen` from the control block (see the module comment). */
export function sharedScheduler(c: Int32Array, gen: number): Scheduler & { units: number } {
  const tag = gen & 0xffff;
  const sched = {
    units: 0,
    claim(n: number): number {
      sched.units = n;
      for (;;) {
        const v = Atomics.load(c, NEXT);
        if (v >>> 16 !== tag) return -1;
        const u = v & 0xffff;
        if (u >= n || u === CLOSED) return -1;
        if (Atomics.compareExchange(c, NEXT, v, v + 1) === v) return u;
      }
    },
    done(n: number): void {
      if (Atomics.add(c, DONE, 1) + 1 >= n) Atomics.notify(c, DONE);
    },
  };
  return sched;
}
