/** Classification metrics on host arrays: accuracy, top-k, confusion matrix, per-class accuracy. */
import { ShapeError } from "../core/index.js";

export class ConfusionMatrix {
  readonly numClasses: number;
  /** counts[true][predicted] */
  readonly counts: number[][];
  constructor(numClasses: number) {
    this.numClasses = numClasses;
    this.counts = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  }
  add(trueLabels: ArrayLike<number>, predicted: ArrayLike<number>): void {
    if (trueLabels.length !== predicted.length) throw new ShapeError(`ConfusionMatrix.add: ${trueLabels.length} labels vs ${predicted.length} predictions`);
    for (let i = 0; i < trueLabels.length; i++) this.counts[trueLabels[i]][predicted[i]]++;
  }
  get total(): number {
    return this.counts.reduce((s, r) => s + r.reduce((a, b) => a + b, 0), 0);
  }
  get accuracy(): number {
    const ok = this.counts.reduce((s, r, i) => s + r[i], 0);
    return this.total ? ok / this.total : 0;
  }
  perClassAccuracy(): number[] {
    return this.counts.map((r, i) => {
      const n = r.reduce((a, b) => a + b, 0);
      return n ? r[i] / n : 0;
    });
  }
}

/** Argmax per row of a [n, c] score array. */
export function argmaxRows(scores: ArrayLike<number>, n: number, c: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = -Infinity, bi = 0;
    for (let j = 0; j < c; j++) {
      const v = scores[i * c + j];
      if (v > best) { best = v; bi = j; }
    }
    out[i] = bi;
  }
  return out;
}

/** Number of rows whose true label is among the k highest scores. */
export function topKCorrect(scores: ArrayLike<number>, labels: ArrayLike<number>, c: number, k: number): number {
  let ok = 0;
  for (let i = 0; i < labels.length; i++) {
    const s = scores[i * c + labels[i]];
    let higher = 0;
    for (let j = 0; j < c; j++) if (scores[i * c + j] > s) higher++;
    if (higher < k) ok++;
  }
  return ok;
}
