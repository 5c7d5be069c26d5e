/**
 * A DataLoader whose batches are assembled (read, normalized, augmented) by a worker thread ahead of
 * use, so the training step never waits for data work (DESIGN: per-sample work stays off the main
 * thread). The worker writes each batch into one of `depth` slots of a SharedArrayBuffer and flips the
 * slot's flag; the main thread waits on that flag with Atomics.wait, so the iterator stays synchronous
 * and `fit` needs no change. Results are identical to the plain DataLoader: batch b of epoch e is the
 * same pure function of (seed, e, b) in the worker.
 */
import { Worker } from "node:worker_threads";
import { GanglionError } from "../core/index.js";
import { fromArray } from "../tensor/index.js";
import type { ImageSet } from "./sources/index.js";
import { ImageDataset } from "./dataset.js";
import { DataLoader, type Batch, type LoaderOptions } from "./loader.js";
import { buildAugmentation, type AugmentSpec } from "./augment-spec.js";
import { asSampleTransform } from "./augment/index.js";

export interface PrefetchRecipe {
  readonly set: ImageSet;
  readonly scale?: number;
  readonly mean?: readonly number[];
  readonly std?: readonly number[];
  readonly augment?: AugmentSpec;
}

/** What the worker needs to rebuild the same loader. */
export interface WorkerInit {
  readonly recipe: PrefetchRecipe;
  readonly loader: Omit<LoaderOptions, "backend"> & { readonly indices?: Int32Array };
  readonly shared: SharedArrayBuffer;
  readonly depth: number;
  readonly slotFloats: number;
  readonly batchSize: number;
}

// Slot state, Int32 per slot at the start of the shared buffer: 0 = free/requested, 1 = ready, 2 = error.
export const READY = 1;
export const FAILED = 2;

export function buildDataset(r: PrefetchRecipe): ImageDataset {
  return new ImageDataset(r.set, { scale: r.scale, mean: r.mean, std: r.std, transform: r.augment?.length ? asSampleTransform(buildAugmentation(r.augment)) : undefined });
}

/** Byte layout of the shared buffer: [flags: depth int32][sizes: depth int32][x: depth*slotFloats f32][y: depth*batch i32]. */
export function layout(depth: number, slotFloats: number, batchSize: number, sab: SharedArrayBuffer): { flags: Int32Array; sizes: Int32Array; x: Float32Array; y: Int32Array } {
  const flags = new Int32Array(sab, 0, depth);
  const sizes = new Int32Array(sab, depth * 4, depth);
  const x = new Float32Array(sab, depth * 8, depth * slotFloats);
  const y = new Int32Array(sab, depth * 8 + depth * slotFloats * 4, depth * batchSize);
  return { flags, sizes, x, y };
}

export class PrefetchLoader extends DataLoader {
  readonly depth: number;
  /** Undefined when running from TypeScript sources (tsx): batches are then assembled in-thread. */
  readonly #worker: Worker | undefined;
  readonly #mem: ReturnType<typeof layout>;
  readonly #slotFloats: number;
  #error: string | undefined;

  constructor(recipe: PrefetchRecipe, opts: LoaderOptions, { depth = 4 }: { depth?: number } = {}) {
    super(buildDataset(recipe), opts);
    this.depth = depth;
    const per = this.dataset.sampleShape.reduce((a, b) => a * b, 1);
    this.#slotFloats = per * this.batchSize;
    const bytes = depth * 8 + depth * this.#slotFloats * 4 + depth * this.batchSize * 4;
    const shared = new SharedArrayBuffer(bytes);
    this.#mem = layout(depth, this.#slotFloats, this.batchSize, shared);
    const init: WorkerInit = {
      recipe, shared, depth, slotFloats: this.#slotFloats, batchSize: this.batchSize,
      loader: { batchSize: opts.batchSize, shuffle: opts.shuffle, dropLast: opts.dropLast, seed: opts.seed, indices: opts.indices ? Int32Array.from(opts.indices) : undefined },
    };
    // NOTE: Node 20 cannot start a worker from a .ts file (tsx's hooks do not reach workers).
    if (import.meta.url.endsWith(".ts")) return;
    const w = new Worker(new URL("./prefetch-worker.node.js", import.meta.url), { workerData: init });
    w.on("message", (m: { error?: string }) => {
      if (m.error) this.#error = m.error;
    });
    w.on("error", (e) => (this.#error = String(e)));
    w.on("exit", (code) => (this.#error ??= `worker exited (code ${code})`));
    w.unref();
    this.#worker = w;
  }

  /** True when a worker thread assembles the batches. */
  get threaded(): boolean {
    return this.#worker !== undefined;
  }

  #request(worker: Worker, epoch: number, b: number): void {
    const slot = b % this.depth;
    Atomics.store(this.#mem.flags, slot, 0);
    worker.postMessage({ epoch, batch: b, slot });
  }

  override *batches(epoch: number, startBatch = 0): Generator<Batch> {
    const worker = this.#worker;
    if (!worker) {
      yield* super.batches(epoch, startBatch);
      return;
    }
    const n = this.numBatches;
    for (let b = startBatch; b < Math.min(n, startBatch + this.depth); b++) this.#request(worker, epoch, b);
    const per = this.dataset.sampleShape;
    for (let b = startBatch; b < n; b++) {
      const slot = b % this.depth;
      // Wait (in 1 s slices, so a dead worker is noticed) until the worker marks the slot ready.
      while (Atomics.load(this.#mem.flags, slot) === 0) {
        Atomics.wait(this.#mem.flags, slot, 0, 1000);
        if (this.#error) throw new GanglionError(`PrefetchLoader: the loader worker failed: ${this.#error}`);
      }
      if (Atomics.load(this.#mem.flags, slot) === FAILED) throw new GanglionError(`PrefetchLoader: the loader worker failed on batch ${b} of epoch ${epoch}: ${this.#error ?? "unknown error"}`);
      const size = this.#mem.sizes[slot];
      const x = fromArray(this.#mem.x.subarray(slot * this.#slotFloats, slot * this.#slotFloats + size * (this.#slotFloats / this.batchSize)), [size, ...per], { backend: this.backend });
      const y = fromArray(this.#mem.y.subarray(slot * this.batchSize, slot * this.batchSize + size), [size], { backend: this.backend });
      if (b + this.depth < n) this.#request(worker, epoch, b + this.depth);
      yield { x, y, epoch, index: b };
    }
  }

  /** Stops the worker thread. */
  async dispose(): Promise<void> {
    await this.#worker?.terminate();
  }
}
