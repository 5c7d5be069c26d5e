/**
 * The engine's first job (README's main command until the CNN job lands): a 2-layer ReLU net with a
 * softmax loss on the CS231n spiral, trained with SGD + momentum (or AdamW) and L2 weight decay —
 * full-batch by default, or on shuffled mini-batches of `batchSize` points (the recipe `ganglion tune
 * --job spiral` searches, so its best-config.json trains here).
 */
import { Rng, scope, nn, optim, fromArray, noGrad, argmax, type Tensor } from "../index.js";
import { makeSpiral } from "../data/index.js";

export interface SpiralJobOptions {
  readonly steps: number;
  readonly hidden: number;
  readonly lr: number;
  readonly seed: number;
  /** L2 weight decay (default 1e-3). */
  readonly weightDecay?: number;
  /** "sgd" (momentum 0.9, the default) or "adam" (AdamW). */
  readonly optimizer?: "sgd" | "adam";
  /** Points per step; the default (or >= 300) is the full batch. Mini-batches walk a seeded shuffle per epoch. */
  readonly batchSize?: number;
}
export interface SpiralJobResult {
  readonly train_accuracy: number;
  readonly train_loss: number;
  readonly initial_loss: number;
  readonly steps: number;
  readonly seconds: number;
}

export function trainSpiral(o: SpiralJobOptions, log: (line: string) => void): SpiralJobResult {
  const rng = new Rng(o.seed);
  const data = makeSpiral({ pointsPerClass: 100, classes: 3, noise: 0.2, rng });
  const n = data.labels.length;
  const x = fromArray(data.points, [n, 2]).keep();
  const y = fromArray(data.labels, [n]).keep();
  const model = nn.sequential(nn.linear(2, o.hidden, { rng }), nn.relu(), nn.linear(o.hidden, 3, { rng }));
  const weightDecay = o.weightDecay ?? 1e-3;
  const opt = o.optimizer === "adam"
    ? optim.adamw(model.parameters(), { lr: o.lr, weightDecay })
    : optim.sgd(model.parameters(), { lr: o.lr, momentum: 0.9, weightDecay });
  const batch = Math.min(o.batchSize ?? n, n);
  const nextBatch = miniBatches(data.points, data.labels, batch, o.seed);
  const t0 = performance.now();
  let loss = NaN;
  let initial = NaN;
  for (let step = 1; step <= o.steps; step++) {
    loss = scope(() => {
      const b = batch < n ? nextBatch() : undefined;
      const l = nn.crossEntropy(model.forward(b ? fromArray(b.points, [batch, 2]) : x), b ? fromArray(b.labels, [batch]) : y);
      l.backward();
      opt.step();
      opt.zeroGrad();
      return l.item();
    });
    if (step === 1) initial = loss;
    if (step === 1 || step % Math.max(1, Math.floor(o.steps / 10)) === 0) log(`step ${String(step).padStart(5)}/${o.steps}  loss ${loss.toFixed(4)}`);
  }
  const acc = noGrad(() =>
    scope(() => {
      const pred = argmax(model.forward(x), 1).dataSync();
      let ok = 0;
      pred.forEach((p, i) => (ok += p === data.labels[i] ? 1 : 0));
      return ok / pred.length;
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  for (const t of [x, y] as Tensor[]) t.dispose();
  model.dispose();
  opt.dispose();
  return { train_accuracy: acc, train_loss: loss, initial_loss: initial, steps: o.steps, seconds };
}

/** Successive mini-batches of `size` points: each epoch a new seeded permutation, the last short batch dropped. */
function miniBatches(points: Float32Array, labels: Int32Array, size: number, seed: number): () => { points: Float32Array; labels: Int32Array } {
  const n = labels.length;
  const rng = new Rng(seed, 2);
  let order: Int32Array = new Int32Array(0);
  let at = n;
  return () => {
    if (at + size > n) {
      order = rng.permutation(n);
      at = 0;
    }
    const p = new Float32Array(2 * size);
    const l = new Int32Array(size);
    for (let i = 0; i < size; i++) {
      const k = order[at + i];
      p[2 * i] = points[2 * k];
      p[2 * i + 1] = points[2 * k + 1];
      l[i] = labels[k];
    }
    at += size;
    return { points: p, labels: l };
  };
}
