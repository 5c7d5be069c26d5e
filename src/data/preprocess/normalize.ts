/**
 * Elementwise normalizations fitted on a training set:
 * - `scale`: x·a + b (e.g. bytes → [0, 1] with a = 1/255), nothing to fit.
 * - `meanImage`: subtract the mean training image, one value per pixel and channel (AlexNet:
 *   Krizhevsky, Sutskever & Hinton 2012, "ImageNet Classification with Deep Convolutional Neural
 *   Networks", §2: "subtracting the mean activity over the training set from each pixel").
 * - `channelMean`: subtract one mean per channel (VGG: Simonyan & Zisserman 2014,
 *   https://arxiv.org/abs/1409.1556, §2.1), so it applies to any image size or crop.
 * - `channelNormalize`: (x - mean_c) / std_c per channel (the torchvision `Normalize` convention).
 */
import { ShapeError, ValueError, fmt } from "../../core/index.js";
import { channelMoments, featureMean } from "./stats.js";
import { type FeatureBatch, type Preprocessor, type Samples, checkEpsilon, checkSampleShape, checkSamples, numberArray, positiveIntArray } from "./types.js";

export interface ScaleState { kind: "scale"; scale: number; offset: number }
export interface MeanImageState { kind: "meanImage"; sampleShape: number[]; mean: number[] }
export interface ChannelMeanState { kind: "channelMean"; mean: number[] }
export interface ChannelNormalizeState { kind: "channelNormalize"; mean: number[]; std: number[] }

/** y = x · scale + offset. `scale(1 / 255)` maps bytes to [0, 1]. */
export class Scale implements Preprocessor<ScaleState> {
  readonly kind = "scale";
  constructor(readonly scale: number, readonly offset = 0) {
    if (!Number.isFinite(scale) || !Number.isFinite(offset)) throw new ValueError(`scale: scale and offset must be finite, got ${scale}, ${offset}`);
  }
  apply(data: Samples, shape: readonly number[]): FeatureBatch {
    checkSamples("scale.apply", data, shape);
    const out = new Float32Array(data.length);
    for (let i = 0; i < data.length; i++) out[i] = data[i] * this.scale + this.offset;
    return { data: out, shape: [...shape] };
  }
  invert(data: Float32Array, shape: readonly number[]): FeatureBatch {
    if (this.scale === 0) throw new ValueError("scale.invert: scale 0 is not invertible");
    return new Scale(1 / this.scale, -this.offset / this.scale).apply(data, shape);
  }
  toJSON(): ScaleState {
    return { kind: "scale", scale: this.scale, offset: this.offset };
  }
  static fromJSON(s: ScaleState): Scale {
    return new Scale(s.scale, s.offset);
  }
}

/** Subtracts a fixed per-feature mean (one value per pixel and channel). */
export class MeanImage implements Preprocessor<MeanImageState> {
  readonly kind = "meanImage";
  constructor(readonly sampleShape: readonly number[], readonly mean: Float64Array) {
    const d = sampleShape.reduce((a, b) => a * b, 1);
    if (mean.length !== d) throw new ShapeError(`meanImage: mean has ${mean.length} values, sample shape ${fmt(sampleShape)} needs ${d}`);
  }
  apply(data: Samples, shape: readonly number[]): FeatureBatch {
    const [n, d] = checkSamples("meanImage.apply", data, shape);
    checkSampleShape("meanImage.apply", shape, this.sampleShape);
    const out = new Float32Array(n * d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) out[i * d + j] = data[i * d + j] - this.mean[j];
    return { data: out, shape: [...shape] };
  }
  invert(data: Float32Array, shape: readonly number[]): FeatureBatch {
    const [n, d] = checkSamples("meanImage.invert", data, shape);
    const out = new Float32Array(n * d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) out[i * d + j] = data[i * d + j] + this.mean[j];
    return { data: out, shape: [...shape] };
  }
  toJSON(): MeanImageState {
    return { kind: "meanImage", sampleShape: [...this.sampleShape], mean: Array.from(this.mean) };
  }
  static fromJSON(s: MeanImageState): MeanImage {
    const sampleShape = positiveIntArray("meanImage.fromJSON", "sampleShape", s.sampleShape);
    return new MeanImage(sampleShape, numberArray("meanImage.fromJSON", "mean", s.mean));
  }
}

/** (x - mean_c) / std_c on an [n, c, ...] batch; std = 1 gives the VGG per-channel mean subtraction. */
export class ChannelNormalize implements Preprocessor<ChannelMeanState | ChannelNormalizeState> {
  readonly kind: "channelMean" | "channelNormalize";
  constructor(readonly mean: Float64Array, readonly std?: Float64Array) {
    this.kind = std ? "channelNormalize" : "channelMean";
    if (std && std.length !== mean.length) throw new ShapeError(`channelNormalize: ${mean.length} means but ${std.length} stds`);
    if (std?.some((s) => !(s > 0))) throw new ValueError(`channelNormalize: every std must be > 0, got [${Array.from(std).join(", ")}]`);
  }
  #map(op: string, data: Samples, shape: readonly number[], f: (x: number, m: number, s: number) => number): FeatureBatch {
    const [n, d] = checkSamples(op, data, shape);
    const c = this.mean.length;
    if (shape[1] !== c) throw new ShapeError(`${op}: fitted on ${c} channels, got batch ${fmt(shape)} with ${shape[1]} (axis 1)`);
    const spatial = d / c;
    const out = new Float32Array(n * d);
    for (let i = 0; i < n; i++) {
      for (let ch = 0; ch < c; ch++) {
        const m = this.mean[ch], s = this.std ? this.std[ch] : 1;
        const o = (i * c + ch) * spatial;
        for (let k = 0; k < spatial; k++) out[o + k] = f(data[o + k], m, s);
      }
    }
    return { data: out, shape: [...shape] };
  }
  apply(data: Samples, shape: readonly number[]): FeatureBatch {
    return this.#map(`${this.kind}.apply`, data, shape, (x, m, s) => (x - m) / s);
  }
  invert(data: Float32Array, shape: readonly number[]): FeatureBatch {
    return this.#map(`${this.kind}.invert`, data, shape, (x, m, s) => x * s + m);
  }
  toJSON(): ChannelMeanState | ChannelNormalizeState {
    const mean = Array.from(this.mean);
    return this.std ? { kind: "channelNormalize", mean, std: Array.from(this.std) } : { kind: "channelMean", mean };
  }
  static fromJSON(s: ChannelMeanState | ChannelNormalizeState): ChannelNormalize {
    const mean = numberArray(`${s.kind}.fromJSON`, "mean", s.mean);
    return new ChannelNormalize(mean, s.kind === "channelNormalize" ? numberArray(`${s.kind}.fromJSON`, "std", s.std, mean.length) : undefined);
  }
}

/** y = x · scale + offset (not fitted). */
export function scale(factor: number, offset = 0): Scale {
  return new Scale(factor, offset);
}

/** Fits the mean image (AlexNet) on training samples of any shape [n, ...]. */
export function fitMeanImage(data: Samples, shape: readonly number[]): MeanImage {
  const [n, d] = checkSamples("fitMeanImage", data, shape);
  if (n === 0) throw new ValueError("fitMeanImage: no samples to fit on (shape[0] = 0)");
  return new MeanImage(shape.slice(1), featureMean(data, n, d));
}

function channelFit(op: string, data: Samples, shape: readonly number[]): { mean: Float64Array; variance: Float64Array } {
  const [n, d] = checkSamples(op, data, shape);
  if (n === 0) throw new ValueError(`${op}: no samples to fit on (shape[0] = 0)`);
  const c = shape[1];
  return channelMoments(data, n, c, d / c);
}

/** Fits one mean per channel (axis 1), VGG-style. */
export function fitChannelMean(data: Samples, shape: readonly number[]): ChannelNormalize {
  return new ChannelNormalize(channelFit("fitChannelMean", data, shape).mean);
}

export interface ChannelNormalizeOptions {
  /** Added to the variance before the square root, so a constant channel maps to 0 (default 1e-8). */
  epsilon?: number;
}

/** Fits per-channel mean and std: std_c = sqrt(var_c + epsilon), population variance. */
export function fitChannelNormalize(data: Samples, shape: readonly number[], { epsilon = 1e-8 }: ChannelNormalizeOptions = {}): ChannelNormalize {
  checkEpsilon("fitChannelNormalize", epsilon);
  const { mean, variance } = channelFit("fitChannelNormalize", data, shape);
  const std = variance.map((v) => Math.sqrt(v + epsilon));
  if (std.some((s) => !(s > 0))) throw new ValueError(`fitChannelNormalize: a channel has zero variance and epsilon = 0; std = [${Array.from(std).join(", ")}]`);
  return new ChannelNormalize(mean, std);
}
