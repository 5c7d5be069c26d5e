/**
 * A sample of misclassified images for the dashboard's grid: during evaluation, the `limit` mistakes
 * made with the highest confidence (the model's softmax probability of its wrong answer) are kept —
 * the most instructive ones, and a deterministic choice. Pixels are stored as 8-bit CHW planes: the
 * dataset's own bytes when it holds 8-bit images, else the evaluated input rescaled to its min…max.
 */
import { ImageDataset, type DataLoader } from "../data/index.js";
import type { MisclassifiedEvent } from "./events.js";

/** One misclassified sample. */
export interface MisclassifiedSample {
  /** Index of the sample in the loader's dataset. */
  readonly index: number;
  readonly label: number;
  readonly predicted: number;
  /** Softmax probability of the predicted class. */
  readonly confidence: number;
  /** 8-bit pixels, CHW. */
  readonly pixels: Uint8Array;
}

/** Keeps the `limit` most confident mistakes seen so far. */
export class MisclassifiedCollector {
  readonly samples: MisclassifiedSample[] = [];
  readonly shape: readonly [number, number, number] | undefined;
  readonly #raw: Uint8Array | undefined;

  constructor(readonly limit: number, loader: DataLoader) {
    const s = loader.dataset.sampleShape;
    this.shape = s.length === 3 ? [s[0], s[1], s[2]] : undefined;
    const ds = loader.dataset;
    this.#raw = ds instanceof ImageDataset && ds.set.images instanceof Uint8Array ? ds.set.images : undefined;
  }

  /**
   * Looks at one evaluated batch: `logits` [n, c] row-major, `x` the batch input [n, …sampleShape],
   * `indices` the dataset index of each row.
   */
  add(logits: ArrayLike<number>, labels: ArrayLike<number>, c: number, x: () => ArrayLike<number>, indices: ArrayLike<number>): void {
    if (this.limit <= 0 || !this.shape) return;
    const per = this.shape[0] * this.shape[1] * this.shape[2];
    let xs: ArrayLike<number> | undefined;
    for (let i = 0; i < labels.length; i++) {
      let best = 0, max = -Infinity;
      for (let j = 0; j < c; j++) if (logits[i * c + j] > max) { max = logits[i * c + j]; best = j; }
      if (best === labels[i]) continue;
      let z = 0;
      for (let j = 0; j < c; j++) z += Math.exp(logits[i * c + j] - max);
      const confidence = 1 / z;
      if (this.samples.length >= this.limit && confidence <= this.samples[this.samples.length - 1].confidence) continue;
      const index = indices[i];
      let pixels: Uint8Array;
      if (this.#raw) pixels = this.#raw.slice(index * per, (index + 1) * per);
      else {
        xs ??= x();
        pixels = toBytes(xs, i * per, per);
      }
      const s: MisclassifiedSample = { index, label: labels[i], predicted: best, confidence, pixels };
      let at = this.samples.findIndex((q) => q.confidence < confidence);
      if (at < 0) at = this.samples.length;
      this.samples.splice(at, 0, s);
      if (this.samples.length > this.limit) this.samples.pop();
    }
  }
}

/** `n` values from `offset` scaled to 0…255 over their own min…max. */
function toBytes(v: ArrayLike<number>, offset: number, n: number): Uint8Array {
  let lo = Infinity, hi = -Infinity;
  for (let k = 0; k < n; k++) {
    const a = v[offset + k];
    if (a < lo) lo = a;
    if (a > hi) hi = a;
  }
  const span = hi > lo ? hi - lo : 1;
  const out = new Uint8Array(n);
  for (let k = 0; k < n; k++) out[k] = Math.round((255 * (v[offset + k] - lo)) / span);
  return out;
}

/** Base64 of bytes (btoa exists in browsers and Node ≥ 16). */
export function bytesToBase64(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(s);
}

/** Bytes of a base64 string (the inverse of `bytesToBase64`). */
export function base64ToBytes(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The event the dashboard's grid reads. */
export function misclassifiedEvent(
  samples: readonly MisclassifiedSample[], shape: readonly [number, number, number],
  o: { readonly split: string; readonly step: number; readonly epoch?: number; readonly total: number; readonly classes?: readonly string[] },
): MisclassifiedEvent {
  return {
    type: "misclassified", split: o.split, step: o.step, ...(o.epoch !== undefined ? { epoch: o.epoch } : {}),
    shape: [shape[0], shape[1], shape[2]], total: o.total, ...(o.classes ? { classes: [...o.classes] } : {}),
    images: samples.map((s) => ({ index: s.index, label: s.label, predicted: s.predicted, confidence: s.confidence, pixels: bytesToBase64(s.pixels) })),
    time: Date.now(),
  };
}
