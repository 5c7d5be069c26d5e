/**
 * Deterministic stratified splitting: each class is split in the same proportion, so a 20 % test
 * split of a 10-class set holds ~20 % of every class (no class can be missing by bad luck).
 */
import { Rng, ValueError } from "../../core/index.js";

export interface StratifiedSplit {
  train: Int32Array;
  test: Int32Array;
}

/**
 * Splits sample indices 0..n-1 by label: from each class, round(count * testFraction) indices go to
 * `test`, the rest to `train`. Both lists come back in a seeded shuffled order (classes interleaved),
 * so a prefix of either is a fair subset. Same `rng` state → same split.
 */
export function stratifiedSplit(labels: Int32Array, testFraction: number, rng: Rng): StratifiedSplit {
  if (!(testFraction >= 0 && testFraction <= 1)) {
    throw new ValueError(`stratifiedSplit: testFraction must be in [0, 1], got ${testFraction}`);
  }
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const list = byClass.get(labels[i]);
    if (list) list.push(i);
    else byClass.set(labels[i], [i]);
  }
  const train: number[] = [];
  const test: number[] = [];
  for (const k of [...byClass.keys()].sort((a, b) => a - b)) {
    const idx = byClass.get(k) as number[];
    const perm = rng.permutation(idx.length);
    const nTest = Math.round(idx.length * testFraction);
    for (let j = 0; j < idx.length; j++) (j < nTest ? test : train).push(idx[perm[j]]);
  }
  return { train: shuffled(train, rng), test: shuffled(test, rng) };
}

function shuffled(list: number[], rng: Rng): Int32Array {
  const perm = rng.permutation(list.length);
  const out = new Int32Array(list.length);
  for (let i = 0; i < list.length; i++) out[i] = list[perm[i]];
  return out;
}

/** Copies the samples `indices` of an NCHW (or [n, d]) array into a new array of the same type. */
export function gatherSamples<T extends Uint8Array | Float32Array>(data: T, sampleSize: number, indices: Int32Array): T {
  const out = new (data.constructor as new (n: number) => T)(indices.length * sampleSize);
  for (let i = 0; i < indices.length; i++) {
    const s = indices[i] * sampleSize;
    out.set(data.subarray(s, s + sampleSize), i * sampleSize);
  }
  return out;
}
