/**
 * The in-browser training demo's worker (bundled as dist/browser/demo-worker.js, which imports the
 * library bundle ./ganglion.js). Training runs here, not on the page: the Wasm backend's thread pool
 * blocks in Atomics.wait between kernels, which a page's main thread may not do.
 *
 * On "start": fetch the digits, train the default CNN (AdamW, one-cycle) with fitAsync, and post every
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

/** Starts the Wasm backend (with `threads` when given) and waits for its workers. */
async function startBackend(threads: number | undefined): Promise<{ name: string; threads: number; sharedMemory: boolean; relaxedSimd: boolean }> {
  if (!g.listBackends().includes("wasm")) return { name: g.getBackend().name, threads: 1, sharedMemory: false, relaxedSimd: false };
  if (threads !== undefined) g.registerBackend("wasm", () => new g.WasmBackend({ threads }), 10);
  g.setBackend("wasm");
  const b = g.getBackendByName("wasm") as g.WasmBackend;
  return { name: "wasm", threads: await b.whenReady(), sharedMemory: b.sharedMemory, relaxedSimd: b.relaxedSimd };
}

function filters(model: g.nn.Module): DemoFilters | undefined {
  const [name, w] = Object.entries(model.stateDict()).find(([, t]) => t.shape.length === 4) ?? [];
  if (!name || !w) return undefined;
  const [o, c, kh, kw] = w.shape;
  return { tensor: name, dtype: w.dtype, shape: [o, c, kh, kw], values: Array.from(w.dataSync()) };
}

async function train(cfg: DemoConfig, dataUrl: string): Promise<void> {
  const res = await fetch(dataUrl);
  if (!res.ok) throw new Error(`cannot load ${dataUrl}: HTTP ${res.status}`);
  const data = decodeDigits(await res.arrayBuffer());
  const backend = await startBackend(cfg.threads);
  const { mean, std } = g.data.channelStats(data.train);
  const trainLoader = new g.data.DataLoader(new g.data.ImageDataset(data.train, { mean, std }), {
    batchSize: cfg.batchSize, shuffle: true, seed: cfg.seed, indices: subset(data.train.shape[0], cfg.trainSize, cfg.seed),
  });
  const testLoader = new g.data.DataLoader(new g.data.ImageDataset(data.test, { mean, std }), {
    batchSize: 250, shuffle: false, indices: subset(data.test.shape[0], cfg.testSize, cfg.seed + 1),
  });
  const rng = new g.Rng(cfg.seed);
  const model = g.models.defaultCnn({ inChannels: 1, classes: 10, width: cfg.width, imageSize: data.train.shape[2], rng });
  const opt = g.optim.adamw(model.parameters(), { lr: cfg.lr, weightDecay: 5e-4 });
  const info: DemoInfo = {
    backend: backend.name, threads: backend.threads, crossOriginIsolated: scope.crossOriginIsolated === true,
    sharedMemory: backend.sharedMemory, relaxedSimd: backend.relaxedSimd,
    parameters: model.parameters().reduce((a, p) => a + p.size, 0), trainSize: trainLoader.length, testSize: testLoader.length,
  };
  post({ type: "info", info });
  const first = filters(model);
  if (first) post({ type: "filters", filters: first });
  const emit = (e: g.train.TrainEvent): void => post({ type: "events", events: [e] });
  const stats = g.train.babysit.layerStatsMonitor(model, { every: cfg.statsEvery, emit });
  try {
    const r = await g.train.fitAsync({
      model, optimizer: opt, train: trainLoader, val: testLoader, epochs: cfg.epochs, logEvery: 1, misclassified: 24,
      schedule: g.schedules.oneCycle(cfg.lr, Math.max(1, cfg.epochs * trainLoader.numBatches)),
      onEvent: emit,
      onStep: (pos, loss) => {
        stats.onStep(pos, loss);
        return stopRequested ? "stop" : undefined;
      },
      onEpochEnd: () => {
        const f = filters(model);
        if (f) post({ type: "filters", filters: f });
      },
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
