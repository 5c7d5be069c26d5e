/**
 * The in-browser training demo's worker (bundled as dist/browser/demo-worker.js, which imports the
 * library bundle ./ganglion.js). Training runs here, not on the page: the Wasm backend's thread pool
 * blocks in Atomics.wait between kernels, which a page's main thread may not do.
 *
 * On "start": fetch the digits, train the default CNN (AdamW, one-cycle) with fitAsync — on the Wasm
 * backend, or on WebGPU when asked for (?backend=webgpu) and the browser has an adapter — and post every
 * training event (steps, epochs with validation accuracy, misclassified samples, layer statistics),
 * the first conv layer's filters after each epoch, and the result. "stop" ends training after the step
 * in progress.
 */
import * as g from "../index.js";
import { decodeDigits } from "./data.js";
import type { DemoConfig, DemoFilters, DemoInfo, FromWorker, ToWorker } from "./protocol.js";

interface WorkerScope {
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
  postMessage(m: FromWorker): void;
  readonly crossOriginIsolated?: boolean;
}
const scope = globalThis as unknown as WorkerScope;
const post = (m: FromWorker): void => scope.postMessage(m);

let stopRequested = false;
let running = false;

scope.onmessage = (e) => {
  const m = e.data;
  if (m.type === "stop") stopRequested = true;
  else if (m.type === "start" && !running) {
    running = true;
    stopRequested = false;
    train(m.config, m.dataUrl)
      .catch((err: unknown) => post({ type: "error", message: err instanceof Error ? `${err.message}\n${err.stack ?? ""}` : String(err) }))
      .finally(() => { running = false; });
  }
};

/** A seeded random subset of `n` of `count` indices. */
function subset(count: number, n: number, seed: number): Int32Array {
  const p = new g.Rng(seed).permutation(count);
  return Int32Array.from(p.subarray(0, Math.min(n, count)));
}

interface BackendInfo {
  readonly name: string;
  readonly threads: number;
  readonly sharedMemory: boolean;
  readonly relaxedSimd: boolean;
  readonly note?: string;
}

/** WebGPU when asked for and available; else the Wasm backend (with `threads` when given), once its workers started. */
async function startBackend(cfg: DemoConfig): Promise<BackendInfo> {
  let note: string | undefined;
  if (cfg.backend === "webgpu") {
    try {
      if (await g.initWebGPU()) {
        g.setBackend("webgpu");
        return { name: "webgpu", threads: 1, sharedMemory: false, relaxedSimd: false };
      }
      note = "no WebGPU adapter in this browser: training on Wasm";
    } catch (e) {
      note = `WebGPU failed to start (${e instanceof Error ? e.message : String(e)}): training on Wasm`;
    }
  }
  if (!g.listBackends().includes("wasm")) return { name: g.getBackend().name, threads: 1, sharedMemory: false, relaxedSimd: false, note };
  if (cfg.threads !== undefined) g.registerBackend("wasm", () => new g.WasmBackend({ threads: cfg.threads }), 10);
  g.setBackend("wasm");
  const b = g.getBackendByName("wasm") as g.WasmBackend;
  return { name: "wasm", threads: await b.whenReady(), sharedMemory: b.sharedMemory, relaxedSimd: b.relaxedSimd, note };
}

/** Posts the first conv layer's weight (read with `await data()`, which every backend answers). */
async function postFilters(model: g.nn.Module): Promise<void> {
  const [name, w] = Object.entries(model.stateDict()).find(([, t]) => t.shape.length === 4) ?? [];
  if (!name || !w) return;
  const [o, c, kh, kw] = w.shape;
  const filters: DemoFilters = { tensor: name, dtype: w.dtype, shape: [o, c, kh, kw], values: Array.from(await w.data()) };
  post({ type: "filters", filters });
}

async function train(cfg: DemoConfig, dataUrl: string): Promise<void> {
  const res = await fetch(dataUrl);
  if (!res.ok) throw new Error(`cannot load ${dataUrl}: HTTP ${res.status}`);
  const data = decodeDigits(await res.arrayBuffer());
  const backend = await startBackend(cfg);
  const { mean, std } = g.data.channelStats(data.train);
  const trainLoader = new g.data.DataLoader(new g.data.ImageDataset(data.train, { mean, std }), {
    batchSize: cfg.batchSize, shuffle: true, dropLast: true, seed: cfg.seed, indices: subset(data.train.shape[0], cfg.trainSize, cfg.seed),
  });
  const testLoader = new g.data.DataLoader(new g.data.ImageDataset(data.test, { mean, std }), {
    batchSize: 250, shuffle: false, indices: subset(data.test.shape[0], cfg.testSize, cfg.seed + 1),
  });
  const rng = new g.Rng(cfg.seed);
  const model = g.models.defaultCnn({ inChannels: 1, classes: 10, width: cfg.width, imageSize: data.train.shape[2], rng });
  const opt = g.optim.adamw(model.parameters(), { lr: cfg.lr, weightDecay: 5e-4 });
  const info: DemoInfo = {
    backend: backend.name, ...(backend.note ? { note: backend.note } : {}), threads: backend.threads, crossOriginIsolated: scope.crossOriginIsolated === true,
    sharedMemory: backend.sharedMemory, relaxedSimd: backend.relaxedSimd,
    parameters: model.parameters().reduce((a, p) => a + p.size, 0), trainSize: trainLoader.length, testSize: testLoader.length,
  };
  post({ type: "info", info });
  await postFilters(model);
  const emit = (e: g.train.TrainEvent): void => post({ type: "events", events: [e] });
  // A monitor: its reads go through fitAsync, so the histograms come on WebGPU too.
  const stats = g.train.babysit.layerStatsMonitor(model, { every: cfg.statsEvery, emit });
  try {
    const r = await g.train.fitAsync({
      model, optimizer: opt, train: trainLoader, val: testLoader, epochs: cfg.epochs, logEvery: 1, misclassified: 24,
      schedule: g.schedules.oneCycle(cfg.lr, Math.max(1, cfg.epochs * trainLoader.numBatches)),
      onEvent: emit,
      monitors: [stats],
      onStep: () => (stopRequested ? "stop" : undefined),
      onEpochEnd: () => void postFilters(model),
    });
    post({
      type: "done",
      result: { testAccuracy: r.lastVal?.accuracy ?? NaN, steps: r.position.step, seconds: r.seconds, imagesPerSecond: r.imagesPerSecond, stopped: stopRequested },
    });
  } finally {
    stats.dispose();
    opt.dispose();
    model.dispose();
  }
}
