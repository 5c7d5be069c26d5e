/**
 * DataLoader: batching, seeded shuffling (reproducible, different every epoch), drop-last, subsets
 * (the "overfit a tiny subset" check), and deterministic resume from any (epoch, batch): the order and
 * the augmentation randomness of batch b of epoch e are pure functions of (seed, e, b).
 */
import { Rng, ValueError } from "../core/index.js";
import type { Backend } from "../backend/index.js";
import { fromArray, type Tensor } from "../tensor/index.js";
import type { Dataset } from "./dataset.js";

export interface LoaderOptions {
  readonly batchSize: number;
  readonly shuffle?: boolean;
  readonly dropLast?: boolean;
  readonly seed?: number;
  /** Restrict to these sample indices (a subset sampler). */
  readonly indices?: ArrayLike<number>;
  readonly backend?: Backend;
}

export interface HostBatch {
  readonly x: Float32Array;
  readonly y: Int32Array;
  readonly size: number;
}

export interface Batch {
  readonly x: Tensor;
  readonly y: Tensor;
  readonly epoch: number;
  readonly index: number;
}

export class DataLoader {
  readonly dataset: Dataset;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly seed: number;
  readonly #indices: Int32Array;
  readonly backend?: Backend;

  constructor(dataset: Dataset, { batchSize, shuffle = true, dropLast = false, seed = 0, indices, backend }: LoaderOptions) {
    if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new ValueError(`DataLoader: batchSize must be an integer >= 1, got ${batchSize}`);
    this.dataset = dataset;
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.dropLast = dropLast;
    this.seed = seed;
    this.backend = backend;
    this.#indices = indices ? Int32Array.from(indices) : Int32Array.from({ length: dataset.length }, (_, i) => i);
    for (const i of this.#indices) {
      if (!(i >= 0 && i < dataset.length)) throw new ValueError(`DataLoader: index ${i} is outside the dataset [0, ${dataset.length})`);
    }
  }

  get length(): number {
    return this.#indices.length;
  }
  /** Batches per epoch. */
  get numBatches(): number {
    const n = this.#indices.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** The sample order of `epoch` (a fresh seeded permutation per epoch when shuffling). */
  order(epoch: number): Int32Array {
    if (!this.shuffle) return this.#indices;
    const p = new Rng(this.seed, 0x5eed0000 + epoch).permutation(this.#indices.length);
    return p.map((j) => this.#indices[j]);
  }

  /** Assembles batch `b` of `epoch` on the host (what a worker thread would run). */
  hostBatch(epoch: number, b: number, order = this.order(epoch)): HostBatch {
    const start = b * this.batchSize;
    const size = Math.min(this.batchSize, order.length - start);
    if (!(b >= 0 && b < this.numBatches)) throw new ValueError(`DataLoader: batch ${b} is outside [0, ${this.numBatches}) of epoch ${epoch}`);
    const per = this.dataset.sampleShape.reduce((a, c) => a * c, 1);
    const x = new Float32Array(size * per);
    const y = new Int32Array(size);
    const rng = new Rng(this.seed, 0x0a000000 + ((epoch * 65537 + b) >>> 0) % 0x40000000);
    for (let k = 0; k < size; k++) {
      const i = order[start + k];
      this.dataset.read(i, x, k * per, rng);
      y[k] = this.dataset.label(i);
    }
    return { x, y, size };
  }

  /** Batch tensors of `epoch`, from `startBatch` (resume). The caller disposes x and y. */
  *batches(epoch: number, startBatch = 0): Generator<Batch> {
    const order = this.order(epoch);
    for (let b = startBatch; b < this.numBatches; b++) {
      const h = this.hostBatch(epoch, b, order);
      const x = fromArray(h.x, [h.size, ...this.dataset.sampleShape], { backend: this.backend });
      const y = fromArray(h.y, [h.size], { backend: this.backend });
      yield { x, y, epoch, index: b };
    }
  }
}

/** Splits indices 0..n-1 into train/validation, optionally stratified by label, seeded. */
export function trainValSplit(labels: ArrayLike<number>, valFraction: number, { seed = 0, stratified = true }: { seed?: number; stratified?: boolean } = {}): { train: Int32Array; val: Int32Array } {
  if (!(valFraction > 0 && valFraction < 1)) throw new ValueError(`trainValSplit: valFraction must be in (0, 1), got ${valFraction}`);
  const rng = new Rng(seed, 0x5917);
  const n = labels.length;
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const k = stratified ? labels[i] : 0;
    const list = groups.get(k);
    if (list) list.push(i);
    else groups.set(k, [i]);
  }
  const train: number[] = [];
  const val: number[] = [];
  for (const list of groups.values()) {
    const p = rng.permutation(list.length);
    const nv = Math.round(list.length * valFraction);
    p.forEach((j, r) => (r < nv ? val : train).push(list[j]));
  }
  return { train: Int32Array.from(train.sort((a, b) => a - b)), val: Int32Array.from(val.sort((a, b) => a - b)) };
}
