/**
 * Combinators: `compose` chains augmentations, `randomApply` gates one by a probability, and
 * `augmentBatch` runs one over an NCHW batch (the DataLoader's per-batch entry point).
 */
import { type Rng, ShapeError, fmt } from "../../core/index.js";
import { type Augmentation, type ChwImage, checkProbability } from "./types.js";

/** Applies `augs` left to right, all drawing from the same rng. */
export function compose(augs: readonly Augmentation[]): Augmentation {
  return (img, rng) => {
    let out = img;
    for (const a of augs) out = a(out, rng);
    return out;
  };
}

/** Applies `aug` with probability p. */
export function randomApply(aug: Augmentation, p: number): Augmentation {
  checkProbability("randomApply", "p", p);
  return (img, rng) => (rng.next() < p ? aug(img, rng) : img);
}

/**
 * Runs `aug` on each image of an NCHW batch (in order, drawing from `rng`) and returns the new batch.
 * Every output image must have the same shape (e.g. randomResizedCrop with a fixed size).
 */
export function augmentBatch(aug: Augmentation, data: Float32Array, shape: readonly number[], rng: Rng): { data: Float32Array; shape: [number, number, number, number] } {
  const [n, c, h, w] = shape;
  if (shape.length !== 4 || data.length !== n * c * h * w) {
    throw new ShapeError(`augmentBatch: expected an NCHW batch with n·c·h·w values, got shape ${fmt(shape)} with ${data.length} values`);
  }
  const size = c * h * w;
  let out: Float32Array | undefined;
  let outShape: readonly [number, number, number] = [c, h, w];
  for (let i = 0; i < n; i++) {
    const img: ChwImage = { data: data.subarray(i * size, (i + 1) * size), shape: [c, h, w] };
    const r = aug(img, rng);
    if (!out) {
      outShape = r.shape;
      out = new Float32Array(n * r.data.length);
    } else if (r.shape[0] !== outShape[0] || r.shape[1] !== outShape[1] || r.shape[2] !== outShape[2]) {
      throw new ShapeError(`augmentBatch: image ${i} came out ${fmt(r.shape)} but image 0 came out ${fmt(outShape)}; give size-changing augmentations a fixed size`);
    }
    out.set(r.data, i * r.data.length);
  }
  return { data: out ?? new Float32Array(0), shape: [n, outShape[0], outShape[1], outShape[2]] };
}

/**
 * Adapts an augmentation to the DataLoader's per-sample transform signature
 * `(img, shape, rng) => Float32Array`. The augmentation must keep the image shape (give crops a size
 * equal to the input); a shape change throws, since the loader's sample buffer has a fixed size.
 */
export function asSampleTransform(aug: Augmentation): (img: Float32Array, shape: readonly [number, number, number], rng: Rng) => Float32Array {
  return (img, shape, rng) => {
    const out = aug({ data: img, shape }, rng);
    if (out.shape[0] !== shape[0] || out.shape[1] !== shape[1] || out.shape[2] !== shape[2]) {
      throw new ShapeError(`asSampleTransform: the augmentation turned an image ${fmt(shape)} into ${fmt(out.shape)}; loader transforms must keep the shape`);
    }
    return out.data;
  };
}
