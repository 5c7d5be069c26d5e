/**
 * What `ganglion tune` can tune: the CNN main job (the default CNN with AdamW and a one-cycle LR on
 * Fashion-MNIST or the MNIST digits, a validation split held out of the training set), the CS231n spiral
 * 2-layer net (real training in milliseconds), and benchmark functions with a known optimum dressed as
 * training runs (tests, demos). A job is stored in the study as JSON, so every worker that joins runs the
 * same job; its hyperparameters come from the trial's configuration.
 */
import { ValueError } from "../core/index.js";
import type { Json } from "../tune/storage/index.js";
import { SearchSpace, categorical, int, logUniform, uniform } from "../tune/space.js";
import type { Config } from "../tune/space.js";
import type { Direction } from "../tune/samplers/index.js";
import { checkDivergence } from "../tune/pruners/index.js";
import { TrialPruned } from "../tune/runner.js";
import type { Objective, ReportFn } from "../tune/runner.js";
import type { FitOptions, FitResult } from "../train/index.js";
import { BENCHMARKS, benchmarkByName, benchmarkObjective } from "../tune/runner_objectives.js";

export const JOB_NAMES = ["cnn", "spiral", ...Object.keys(BENCHMARKS)] as const;

export interface CnnJob { readonly name: "cnn"; readonly dataset: "auto" | "fashion-mnist" | "mnist"; readonly epochs: number; readonly batchSize: number; readonly limit: number | null; readonly valFraction: number; readonly seed: number }
export interface SpiralJob { readonly name: "spiral"; readonly epochs: number; readonly seed: number }
export interface BenchmarkJob { readonly name: string; readonly steps: number; readonly stepMs: number }
export type Job = CnnJob | SpiralJob | BenchmarkJob;

const isCnn = (j: Job): j is CnnJob => j.name === "cnn";
const isSpiral = (j: Job): j is SpiralJob => j.name === "spiral";

/** The job as stored in the study. */
export function jobToJson(job: Job): Json {
  return { ...job } as Json;
}

/** Reads a stored job back, checking its name. */
export function jobFromJson(json: Json): Job {
  if (json === null || typeof json !== "object" || Array.isArray(json) || typeof json.name !== "string" || !(JOB_NAMES as readonly string[]).includes(json.name)) {
    throw new ValueError(`tune: the study's job ${JSON.stringify(json)} is not one this ganglion runs (${JOB_NAMES.join(", ")})`);
  }
  return json as unknown as Job;
}

/** The built-in search space of each job (the lecture's: LR and regularization on log scales). */
export function defaultSpace(job: Job): SearchSpace {
  if (isCnn(job)) {
    return new SearchSpace({ lr: logUniform(1e-4, 1e-1), weightDecay: logUniform(1e-6, 1e-2), width: int(8, 48, { log: true }), dropout: uniform(0, 0.6) });
  }
  if (isSpiral(job)) return new SearchSpace({ lr: logUniform(1e-3, 1), weightDecay: logUniform(1e-6, 1e-1), hidden: int(8, 256, { log: true }), optimizer: categorical(["sgd", "adam"]) });
  return benchmarkByName(job.name).space;
}

/** The hyperparameters a job reads from a configuration; a space may use only these (all of them, for a benchmark). */
export function jobParams(job: Job): { readonly names: readonly string[]; readonly all: boolean } {
  if (isCnn(job)) return { names: ["lr", "weightDecay", "width", "dropout", "batchSize"], all: false };
  if (isSpiral(job)) return { names: ["lr", "weightDecay", "hidden", "optimizer"], all: false };
  return { names: benchmarkByName(job.name).space.names, all: true };
}

/** Throws a ValueError naming a parameter of `space` that `job` does not read (or a missing one, for benchmarks). */
export function checkSpaceForJob(space: SearchSpace, job: Job, source: string): void {
  const { names, all } = jobParams(job);
  for (const n of space.names) {
    if (!names.includes(n)) throw new ValueError(`tune: ${source}: unknown parameter "${n}" for job ${job.name} (expected ${all ? "" : "some of "}${names.join(", ")})`);
  }
  if (all) {
    for (const n of names) if (!space.names.includes(n)) throw new ValueError(`tune: ${source}: job ${job.name} needs parameter "${n}" (expected ${names.join(", ")})`);
  }
}

/** Networks maximize validation accuracy; benchmark functions are minimized. */
export function jobDirection(job: Job): Direction {
  return isCnn(job) || isSpiral(job) ? "maximize" : "minimize";
}

/** The spiral trials' data: 300 points, 20% held out, mini-batches of 60 (4 steps an epoch). */
const SPIRAL = { pointsPerClass: 100, valFraction: 0.2, batchSize: 60 } as const;

/**
 * The best configuration as a ready `ganglion train --config` file (train_config.ts: camelCase keys of
 * train's flags): the trial's recipe — the job's fixed options with the tuned hyperparameters on top —
 * trained on the whole training set. CNN trials train without augmentation and label smoothing, so the
 * config says so (flags given to train override it); a spiral trial's epochs become optimizer steps.
 */
export function trainConfig(job: Job, config: Config): Record<string, Json> {
  if (isCnn(job)) {
    return {
      job: "cnn", dataset: job.dataset, epochs: job.epochs, batchSize: job.batchSize, ...(job.limit ? { limit: job.limit } : {}), seed: job.seed,
      augment: false, labelSmoothing: 0, ...config,
    };
  }
  if (isSpiral(job)) {
    const train = 3 * SPIRAL.pointsPerClass * (1 - SPIRAL.valFraction);
    return { job: "spiral", steps: job.epochs * Math.floor(train / SPIRAL.batchSize), batchSize: SPIRAL.batchSize, seed: job.seed, ...config };
  }
  return { job: job.name, ...config };
}

function numberOf(config: Config, key: string, fallback: number): number {
  const v = config[key];
  if (v === undefined) return fallback;
  if (typeof v !== "number" || !Number.isFinite(v)) throw new ValueError(`tune: hyperparameter ${key} must be a number, got ${JSON.stringify(v)}`);
  return v;
}

/** The objective that runs `job` (loading data once per process). */
export async function jobObjective(job: Job): Promise<Objective> {
  if (isCnn(job)) return cnnObjective(job);
  if (isSpiral(job)) return spiralObjective(job);
  return benchmarkObjective(benchmarkByName(job.name), { steps: (job as BenchmarkJob).steps, stepMs: (job as BenchmarkJob).stepMs });
}

/**
 * Trains `epochs` epochs one at a time (fit's resume position), reporting validation accuracy after each;
 * stops when the pruner says so, and prunes on the lecture's divergence rule (NaN, or loss > 3× initial).
 * Disposes the model and the optimizer at the end.
 */
async function trainByEpochs(
  fit: (o: FitOptions) => FitResult, o: Omit<FitOptions, "epochs" | "start" | "onStep" | "logEvery">, epochs: number, report: ReportFn,
): Promise<{ value: number; metrics: Record<string, number> }> {
  const t0 = performance.now();
  let first = NaN;
  let steps = 0;
  let diverged: string | null = null;
  let last = { valAccuracy: NaN, valLoss: NaN, trainLoss: NaN, trainAccuracy: NaN };
  let start = { epoch: 0, batch: 0, step: 0 };
  const onStep = (_: unknown, loss: number): "stop" | undefined => {
    steps++;
    if (Number.isNaN(first)) first = loss;
    const d = checkDivergence([first, loss]);
    if (!d.prune) return undefined;
    diverged = d.reason.replace(/^step \d+/, `optimizer step ${steps}`);
    return "stop";
  };
  let e = 0;
  try {
    for (; e < epochs; e++) {
      const r = fit({ ...o, epochs: e + 1, start, logEvery: 1e9, onStep });
      start = r.position;
      const ev = r.epochs.at(-1);
      last = { valAccuracy: ev?.valAccuracy ?? NaN, valLoss: ev?.valLoss ?? NaN, trainLoss: ev?.trainLoss ?? NaN, trainAccuracy: ev?.trainAccuracy ?? NaN };
      if (diverged !== null) throw new TrialPruned(`training diverged: ${diverged}`);
      if ((await report(e, last.valAccuracy)) === "prune") {
        e++;
        break;
      }
    }
  } finally {
    o.model.dispose();
    o.optimizer.dispose();
  }
  const seconds = (performance.now() - t0) / 1000;
  return { value: last.valAccuracy, metrics: { valLoss: last.valLoss, trainLoss: last.trainLoss, trainAccuracy: last.trainAccuracy, epochs: Math.min(e, epochs), seconds } };
}

async function cnnObjective(job: CnnJob): Promise<Objective> {
  const [{ Rng }, { optim }, schedules, data, sources, { defaultCnn }, { fit }] = await Promise.all([
    import("../core/index.js"), import("../index.js"), import("../optim/schedules/index.js"), import("../data/index.js"),
    import("../data/sources/index.node.js"), import("../models/index.js"), import("../train/index.js"),
  ]);
  const fs = await import("node:fs");
  const installed = (): boolean => fs.existsSync(sources.FASHION_MNIST_DEFAULT_DIR) && fs.readdirSync(sources.FASHION_MNIST_DEFAULT_DIR).some((f) => f.includes("idx"));
  const fashion = job.dataset === "fashion-mnist" || (job.dataset === "auto" && installed());
  const train = fashion ? sources.loadFashionMnist({ split: "train" }) : sources.loadMnistDigits({ split: "train" });
  const n = job.limit ? Math.min(job.limit, train.shape[0]) : train.shape[0];
  const split = data.trainValSplit(train.labels.subarray(0, n), job.valFraction, { seed: job.seed });
  const { mean, std } = data.channelStats(train);
  const dataset = new data.ImageDataset(train, { mean, std });
  return async (config, report) => {
    const lr = numberOf(config, "lr", 3e-3);
    const batchSize = numberOf(config, "batchSize", job.batchSize);
    const rng = new Rng(job.seed);
    const model = defaultCnn({ inChannels: train.shape[1], classes: train.classes.length, imageSize: train.shape[2], rng,
      width: numberOf(config, "width", 32), dropout: numberOf(config, "dropout", 0.25) });
    const opt = optim.adamw(model.parameters(), { lr, weightDecay: numberOf(config, "weightDecay", 5e-4) });
    const trainLoader = new data.DataLoader(dataset, { batchSize, shuffle: true, seed: job.seed, indices: split.train });
    const valLoader = new data.DataLoader(dataset, { batchSize: 256, shuffle: false, indices: split.val });
    const schedule = schedules.oneCycle(lr, Math.max(1, job.epochs * trainLoader.numBatches));
    return trainByEpochs(fit, { model, optimizer: opt, train: trainLoader, val: valLoader, schedule }, job.epochs, report);
  };
}

async function spiralObjective(job: SpiralJob): Promise<Objective> {
  const [{ Rng }, { nn, optim }, data, { fit }] = await Promise.all([import("../core/index.js"), import("../index.js"), import("../data/index.js"), import("../train/index.js")]);
  const set = data.makeSpiral({ pointsPerClass: SPIRAL.pointsPerClass, classes: 3, noise: 0.2, rng: new Rng(job.seed) });
  const split = data.trainValSplit(set.labels, SPIRAL.valFraction, { seed: job.seed });
  const dataset = new data.PointDataset(set);
  return async (config, report) => {
    const rng = new Rng(job.seed, 1);
    const hidden = numberOf(config, "hidden", 100);
    const model = nn.sequential(nn.linear(2, hidden, { rng }), nn.relu(), nn.linear(hidden, 3, { rng }));
    const lr = numberOf(config, "lr", 0.5);
    const weightDecay = numberOf(config, "weightDecay", 1e-3);
    const opt = config.optimizer === "adam"
      ? optim.adamw(model.parameters(), { lr, weightDecay })
      : optim.sgd(model.parameters(), { lr, momentum: 0.9, weightDecay });
    const trainLoader = new data.DataLoader(dataset, { batchSize: SPIRAL.batchSize, shuffle: true, seed: job.seed, indices: split.train });
    const valLoader = new data.DataLoader(dataset, { batchSize: SPIRAL.batchSize, shuffle: false, indices: split.val });
    return trainByEpochs(fit, { model, optimizer: opt, train: trainLoader, val: valLoader }, job.epochs, report);
  };
}
