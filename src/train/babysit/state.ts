/**
 * Shared plumbing for the checks: run a check on the user's model and put everything back afterwards
 * (parameters, BatchNorm running statistics, train/eval flags, pending gradients), switch off the
 * regularizing layers (dropout and friends), take a fixed batch from a loader, and the L2 penalty.
 */
import { keep, noGrad, scalar, type Tensor } from "../../tensor/index.js";
import type { Module } from "../../nn/index.js";
import { DataLoader } from "../../data/index.js";

/** Layers that regularize by injecting noise in training mode (switched off by the sanity checks). */
const NOISY_LAYERS = new Set(["Dropout", "Dropout2d", "DropConnect", "StochasticDepth"]);

export function isNoisyLayer(m: Module): boolean {
  return NOISY_LAYERS.has(m.typeName);
}

/** Persistent copies of every parameter and buffer, keyed by dotted name. */
export function snapshotState(model: Module): Record<string, Tensor> {
  return noGrad(() => {
    const out: Record<string, Tensor> = {};
    for (const [k, t] of Object.entries(model.stateDict())) out[k] = keep(t.clone());
    return out;
  });
}

/** Copies a snapshot back into the model and releases it. */
export function restoreState(model: Module, snap: Record<string, Tensor>): void {
  try {
    model.loadStateDict(snap);
  } finally {
    for (const t of Object.values(snap)) t.dispose();
  }
}

/**
 * Runs `fn` on the model in training mode with dropout-like layers off (CS231n: "turn off
 * regularization" for sanity checks), then restores parameters, buffers, mode flags and any gradients
 * the caller had accumulated. Gradients produced inside `fn` are dropped.
 */
export function onScratchModel<T>(model: Module, fn: () => T, { noisyOff = true }: { noisyOff?: boolean } = {}): T {
  const modes = [...model.namedModules()].map(([, m]) => [m, m.training] as const);
  const params = model.parameters();
  const grads = params.map((p) => p.grad);
  for (const p of params) p.grad = null;
  const snap = snapshotState(model);
  try {
    model.train();
    if (noisyOff) for (const [, m] of model.namedModules()) if (isNoisyLayer(m)) m.training = false;
    return fn();
  } finally {
    params.forEach((p, i) => {
      if (p.grad !== grads[i]) p.grad?.dispose();
      p.grad = grads[i];
    });
    restoreState(model, snap);
    for (const [m, t] of modes) m.training = t;
  }
}

export interface FixedBatch {
  readonly x: Tensor;
  readonly y: Tensor;
}

/**
 * The first `n` examples of the loader's epoch-0 order as one batch (any augmentation is drawn once, so
 * the batch is identical every time it is used). The caller disposes x and y.
 */
export function takeBatch(loader: DataLoader, n: number, offset = 0): FixedBatch {
  const order = loader.order(0);
  const start = Math.min(offset, Math.max(order.length - 1, 0));
  const idx = order.subarray(start, Math.min(start + n, order.length));
  const one = new DataLoader(loader.dataset, { batchSize: Math.max(idx.length, 1), shuffle: false, indices: idx, seed: loader.seed });
  const first = one.batches(0).next();
  if (first.done) throw new Error(`takeBatch: the loader has no examples`);
  return { x: first.value.x, y: first.value.y };
}

/** Dotted names of the model's parameters, looked up by tensor. */
export function parameterNames(model: Module): Map<Tensor, string> {
  return new Map([...model.namedParameters()].map(([n, p]) => [p, n] as [Tensor, string]));
}

/** True for weights that L2 regularization usually covers (matrices and filters, not biases or BN scales). */
export function isWeightMatrix(p: Tensor): boolean {
  return p.rank >= 2;
}

/** Σ‖W‖² over the weight matrices/filters (the L2 penalty's sum), as a tensor on the graph. */
export function l2Penalty(model: Module): Tensor {
  const ws = model.parameters().filter(isWeightMatrix);
  let s: Tensor | undefined;
  for (const w of ws) s = s ? s.add(w.square().sum()) : w.square().sum();
  return s ?? scalar(0);
}

/** The number of classes a loader's dataset declares. */
export function numClassesOf(loader: DataLoader): number {
  return loader.dataset.numClasses;
}

/** Index of the first non-finite value of a float host array, or -1. */
export function firstNonFinite(a: ArrayLike<number>): number {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return i;
  return -1;
}
