/**
 * Map-style datasets: per-sample work on typed arrays (DESIGN: tensors are made once per batch, at
 * collation). A dataset writes sample i, already scaled and transformed, into a float32 batch buffer.
 */
import { ShapeError, ValueError, fmt, type Rng } from "../core/index.js";
import type { ImageSet, PointSet } from "./sources/index.js";

export interface Dataset {
  readonly length: number;
  /** Shape of one sample, e.g. [1, 28, 28]. */
  readonly sampleShape: readonly number[];
  readonly numClasses: number;
  readonly classes: readonly string[];
  label(i: number): number;
  /** Writes sample i (float32) into `out` at `offset`; `rng` drives any random augmentation. */
  read(i: number, out: Float32Array, offset: number, rng: Rng): void;
}

/** A per-sample transform on one CHW float image (augmentation); returns the new image. */
export type SampleTransform = (img: Float32Array, shape: readonly [number, number, number], rng: Rng) => Float32Array;

export interface ImageDatasetOptions {
  /** Multiplies raw pixel values first (1/255 maps bytes to [0, 1]). */
  readonly scale?: number;
  /** Per-channel mean and std subtracted/divided after scaling (VGG-style normalization). */
  readonly mean?: readonly number[];
  readonly std?: readonly number[];
  /** Training-time augmentation applied after normalization. */
  readonly transform?: SampleTransform;
}

/** An ImageSet (NCHW bytes or floats) as a Dataset with scaling, normalization and augmentation. */
export class ImageDataset implements Dataset {
  readonly set: ImageSet;
  readonly sampleShape: readonly [number, number, number];
  readonly #scale: number;
  readonly #mean: Float32Array;
  readonly #invStd: Float32Array;
  readonly #transform?: SampleTransform;

  constructor(set: ImageSet, { scale = set.images instanceof Uint8Array ? 1 / 255 : 1, mean, std, transform }: ImageDatasetOptions = {}) {
    const [, c, h, w] = set.shape;
    for (const [name, v] of [["mean", mean], ["std", std]] as const) {
      if (v && v.length !== c) throw new ShapeError(`ImageDataset: ${name} has ${v.length} values for ${c} channels`);
    }
    if (std?.some((s) => !(s > 0))) throw new ValueError(`ImageDataset: std values must be > 0, got ${fmt(std)}`);
    this.set = set;
    this.sampleShape = [c, h, w];
    this.#scale = scale;
    this.#mean = Float32Array.from(mean ?? new Array<number>(c).fill(0));
    this.#invStd = Float32Array.from((std ?? new Array<number>(c).fill(1)).map((s) => 1 / s));
    this.#transform = transform;
  }
  get length(): number { return this.set.shape[0]; }
  get numClasses(): number { return this.set.classes.length; }
  get classes(): readonly string[] { return this.set.classes; }
  label(i: number): number { return this.set.labels[i]; }
  read(i: number, out: Float32Array, offset: number, rng: Rng): void {
    const [c, h, w] = this.sampleShape;
    const hw = h * w;
    const src = this.set.images;
    const base = i * c * hw;
    for (let ch = 0; ch < c; ch++) {
      const m = this.#mean[ch], s = this.#invStd[ch] * this.#scale, ms = m * this.#invStd[ch];
      const o = offset + ch * hw, b = base + ch * hw;
      for (let p = 0; p < hw; p++) out[o + p] = src[b + p] * s - ms;
    }
    if (this.#transform) {
      const img = out.subarray(offset, offset + c * hw);
      const res = this.#transform(img, this.sampleShape, rng);
      if (res !== img) out.set(res, offset);
    }
  }
}

/** Feature vectors (e.g. the spiral) as a Dataset. */
export class PointDataset implements Dataset {
  readonly set: PointSet;
  constructor(set: PointSet) { this.set = set; }
  get length(): number { return this.set.shape[0]; }
  get sampleShape(): readonly number[] { return [this.set.shape[1]]; }
  get numClasses(): number { return this.set.classes.length; }
  get classes(): readonly string[] { return this.set.classes; }
  label(i: number): number { return this.set.labels[i]; }
  read(i: number, out: Float32Array, offset: number): void {
    const d = this.set.shape[1];
    out.set(this.set.points.subarray(i * d, (i + 1) * d), offset);
  }
}

/** Per-channel mean and std of an ImageSet (after `scale`), for normalization fitted on the training split. */
export function channelStats(set: ImageSet, scale = set.images instanceof Uint8Array ? 1 / 255 : 1): { mean: number[]; std: number[] } {
  const [n, c, h, w] = set.shape;
  const hw = h * w;
  const mean: number[] = [];
  const std: number[] = [];
  for (let ch = 0; ch < c; ch++) {
    let s = 0, s2 = 0;
    for (let i = 0; i < n; i++) {
      const b = (i * c + ch) * hw;
      for (let p = 0; p < hw; p++) {
        const v = set.images[b + p] * scale;
        s += v;
        s2 += v * v;
      }
    }
    const m = s / (n * hw);
    mean.push(m);
    std.push(Math.sqrt(Math.max(s2 / (n * hw) - m * m, 1e-12)));
  }
  return { mean, std };
}
