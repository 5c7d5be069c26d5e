/**
 * The augmentation contract: an `Augmentation` maps one CHW float image to a new one, drawing every
 * random choice from the `rng` it is given (so a seed fixes the output, and a loader worker can own
 * its stream). Augmentations never modify their input and keep the label (they only see pixels).
 * They run on training batches only; evaluation uses the plain (preprocessed) images.
 */
import { type Rng, ShapeError, ValueError, fmt } from "../../core/index.js";

/** One image, channels-first: `data[(ch * h + y) * w + x]`. */
export interface ChwImage {
  data: Float32Array;
  shape: readonly [c: number, h: number, w: number];
}

export type Augmentation = (img: ChwImage, rng: Rng) => ChwImage;

export function checkImage(op: string, img: ChwImage): [number, number, number] {
  const [c, h, w] = img.shape;
  if (img.shape.length !== 3 || img.data.length !== c * h * w) {
    throw new ShapeError(`${op}: expected a CHW image whose data holds c·h·w values, got shape ${fmt(img.shape)} with ${img.data.length} values`);
  }
  return [c, h, w];
}

export function checkProbability(op: string, name: string, p: number): number {
  if (!(p >= 0 && p <= 1)) throw new ValueError(`${op}: ${name} must be a probability in [0, 1], got ${p}`);
  return p;
}

/** A [lo, hi] interval with lo <= hi inside [min, max]. */
export function checkInterval(op: string, name: string, v: readonly [number, number], min = -Infinity, max = Infinity): [number, number] {
  if (!Array.isArray(v) || v.length !== 2 || !(v[0] <= v[1]) || !(v[0] >= min) || !(v[1] <= max)) {
    throw new ValueError(`${op}: ${name} must be [lo, hi] with ${min} <= lo <= hi <= ${max}, got ${JSON.stringify(v)}`);
  }
  return [v[0], v[1]];
}

export function checkNonNegative(op: string, name: string, v: number): number {
  if (!(Number.isFinite(v) && v >= 0)) throw new ValueError(`${op}: ${name} must be a finite number >= 0, got ${v}`);
  return v;
}

/** A size option: one positive integer (square) or [height, width]. */
export function checkSize(op: string, size: number | readonly [number, number]): [number, number] {
  const [h, w] = typeof size === "number" ? [size, size] : size;
  if (!(Number.isInteger(h) && h > 0 && Number.isInteger(w) && w > 0)) {
    throw new ValueError(`${op}: size must be a positive integer or [height, width], got ${JSON.stringify(size)}`);
  }
  return [h, w];
}

/** A uniform float in [lo, hi). */
export function uniform(rng: Rng, lo: number, hi: number): number {
  return lo === hi ? lo : lo + rng.next() * (hi - lo);
}

/** A uniform integer in [lo, hi] (inclusive). */
export function randInt(rng: Rng, lo: number, hi: number): number {
  return hi <= lo ? lo : rng.randint(1, lo, hi + 1)[0];
}
