/**
 * The training loop: epochs of batches, exactly one memory scope per step, an LR schedule applied per
 * step, gradient accumulation, evaluation after each epoch, early stopping, typed events, and a resume
 * position (epoch, batch, step) so a restored run continues the same sequence.
 */
import { ValueError, type TypedArray } from "../core/index.js";
import { noGrad, scope, type Tensor } from "../tensor/index.js";
import { crossEntropy, type Module } from "../nn/index.js";
import type { Optimizer } from "../optim/index.js";
import type { Schedule } from "../optim/schedules/index.js";
import type { DataLoader } from "../data/index.js";
import { evaluateSteps, type EvalResult } from "./evaluate.js";
import type { EpochEvent, TrainEvent } from "./events.js";
import { misclassifiedEvent } from "./misclassified.js";
import { drive, driveAsync, type ReadRequest } from "./reads.js";
import { babysitTraining, type BabysitTrainingOptions } from "./babysit/monitor.js";
import type { CheckResult } from "./babysit/types.js";

export type LossFn = (logits: Tensor, y: Tensor) => Tensor;

export interface FitPosition {
  readonly epoch: number;
  readonly batch: number;
  readonly step: number;
}

/**
 * Something that watches training and may read tensors (the babysitter's NaN guard and layer
 * statistics): `step` runs after every optimizer step, before `onStep`, as a generator whose reads the
 * loop's driver answers — `dataSync` under `fit`, `await t.data()` under `fitAsync` — so one monitor
 * works on CPU backends and on WebGPU. Returning "stop" ends training.
 */
export interface StepMonitor {
  step(pos: FitPosition, loss: number): Generator<ReadRequest, void | "stop", TypedArray[]>;
}

export interface FitOptions {
  readonly model: Module;
  readonly optimizer: Optimizer<{ lr: number }>;
  readonly train: DataLoader;
  readonly val?: DataLoader;
  readonly epochs: number;
  readonly loss?: LossFn;
  /** Learning rate as a function of the optimizer step (overrides the optimizer's lr). */
  readonly schedule?: Schedule;
  /** Accumulate gradients over this many batches before each optimizer step. */
  readonly accumulate?: number;
  /** Stop when validation accuracy has not improved for this many epochs. */
  readonly earlyStoppingPatience?: number;
  readonly onEvent?: (e: TrainEvent) => void;
  /** Called after every optimizer step; return "stop" to end training (e.g. a NaN guard, SIGINT). */
  readonly onStep?: (pos: FitPosition, loss: number) => void | "stop";
  /** Monitors that read tensors after every optimizer step (run before `onStep`; see StepMonitor). */
  readonly monitors?: readonly StepMonitor[];
  /** Called at the end of each epoch (checkpointing). */
  readonly onEpochEnd?: (pos: FitPosition, e: EpochEvent) => void;
  readonly logEvery?: number;
  /** After each validation pass, emit a MisclassifiedEvent with up to this many images (default 0: none). */
  readonly misclassified?: number;
  /** Where to start (resume). */
  readonly start?: FitPosition;
  /**
   * Babysit the run (CS231n lecture 6): the NaN/Inf guard stops training naming the first layer or
   * parameter that went non-finite, layer statistics (dead ReLUs, saturation, update/weight ratio) are
   * emitted as events every `every` steps (default 50), and the train/validation gap is diagnosed at
   * the end; the checks are in `FitResult.babysit`. Works on every backend (reads go through the loop).
   */
  readonly babysit?: boolean | BabysitTrainingOptions;
}

export interface FitResult {
  readonly epochs: EpochEvent[];
  readonly position: FitPosition;
  readonly stoppedEarly: boolean;
  readonly seconds: number;
  readonly imagesPerSecond: number;
  readonly lastVal?: EvalResult;
  /** With `babysit`: the NaN-guard, layer-statistics and train/validation-gap checks. */
  readonly babysit?: CheckResult[];
}

function currentLr(opt: Optimizer<{ lr: number }>): number {
  return opt.groups[0]?.options.lr ?? NaN;
}

/**
 * Runs training synchronously (CPU backends). Use `fitAsync` when signal handlers, timers or I/O must
 * run between steps (the CLI's SIGINT checkpoint, live dashboards), and on WebGPU.
 */
export function fit(o: FitOptions): FitResult {
  return drive("fit", fitSteps(o));
}

/**
 * Like `fit`, but yields to the event loop after every optimizer step and reads the loss with
 * `await t.data()`, so it also trains on asynchronous backends (WebGPU).
 */
export function fitAsync(o: FitOptions): Promise<FitResult> {
  return driveAsync(fitSteps(o), yieldToEventLoop);
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => (typeof setImmediate === "function" ? setImmediate(resolve) : setTimeout(resolve, 0)));
}

/** Adds the babysitter around the loop when asked (see FitOptions.babysit). */
function* fitSteps(o: FitOptions): Generator<FitPosition | ReadRequest, FitResult, TypedArray[]> {
  if (!o.babysit) return yield* fitLoop(o);
  const bo: BabysitTrainingOptions = o.babysit === true ? {} : o.babysit;
  const sitter = babysitTraining(o.model, { ...bo, emit: bo.emit ?? ((e) => o.onEvent?.(e)) });
  try {
    const r = yield* fitLoop({ ...o, monitors: [sitter, ...(o.monitors ?? [])] });
    const last = r.epochs.at(-1);
    const gap = r.lastVal && last
      ? { trainAccuracy: last.trainAccuracy, valAccuracy: r.lastVal.accuracy, trainLoss: last.trainLoss, valLoss: r.lastVal.loss, classes: o.train.dataset.numClasses, steps: r.position.step, history: r.epochs }
      : undefined;
    return { ...r, babysit: sitter.finish(gap) };
  } finally {
    sitter.dispose();
  }
}

/** The loop itself, as a generator that yields after each optimizer step. */
function* fitLoop(o: FitOptions): Generator<FitPosition | ReadRequest, FitResult, TypedArray[]> {
  const { model, optimizer, train, epochs, accumulate = 1, logEvery = 50 } = o;
  const lossFn = o.loss ?? ((z: Tensor, y: Tensor) => crossEntropy(z, y));
  if (!(Number.isInteger(epochs) && epochs >= 0)) throw new ValueError(`fit: epochs must be an integer >= 0, got ${epochs}`);
  if (!(Number.isInteger(accumulate) && accumulate >= 1)) throw new ValueError(`fit: accumulate must be an integer >= 1, got ${accumulate}`);
  let { epoch, batch: startBatch, step } = o.start ?? { epoch: 0, batch: 0, step: 0 };
  const history: EpochEvent[] = [];
  const t0 = performance.now();
  let images = 0;
  let best = -Infinity, sinceBest = 0, stoppedEarly = false, stop = false;
  let lastVal: EvalResult | undefined;
  model.train();
  for (; epoch < epochs && !stop; epoch++, startBatch = 0) {
    const te = performance.now();
    let lossSum = 0, correct = 0, seen = 0, micro = 0;
    let tWindow = performance.now(), imgWindow = 0;
    for (const { x, y, index } of train.batches(epoch, startBatch)) {
      if (o.schedule && micro === 0) optimizer.setOption("lr", o.schedule(step));
      const n = y.shape[0];
      const [lossT, hitsT] = scope(() => {
        const logits = model.forward(x);
        const loss = lossFn(logits, y);
        (accumulate > 1 ? loss.div(accumulate) : loss).backward();
        return [loss.detach(), noGrad(() => logits.argmax(1).eq(y).cast("int32").sum())];
      });
      x.dispose();
      y.dispose();
      let got: TypedArray[];
      try {
        got = yield { read: [lossT, hitsT] };
      } finally {
        lossT.dispose();
        hitsT.dispose();
      }
      const l = got[0][0], ok = got[1][0];
      micro++;
      if (micro === accumulate || index === train.numBatches - 1) {
        scope(() => optimizer.step());
        optimizer.zeroGrad();
        micro = 0;
        step++;
        const pos = { epoch, batch: index + 1, step };
        for (const m of o.monitors ?? []) if ((yield* m.step(pos, l)) === "stop") stop = true;
        if (o.onStep?.(pos, l) === "stop") stop = true;
        yield pos;
      }
      lossSum += l * n;
      correct += ok;
      seen += n;
      images += n;
      imgWindow += n;
      if (step % logEvery === 0 || stop) {
        const now = performance.now();
        o.onEvent?.({ type: "step", step, epoch, batch: index, loss: l, lr: currentLr(optimizer), imagesPerSecond: (imgWindow * 1000) / Math.max(now - tWindow, 1e-3), time: Date.now() });
        tWindow = now;
        imgWindow = 0;
      }
      if (stop) break;
    }
    if (stop) break;
    lastVal = o.val ? yield* evaluateSteps(model, o.val, { misclassified: o.misclassified }) : undefined;
    const ev: EpochEvent = {
      type: "epoch", epoch, step, trainLoss: seen ? lossSum / seen : NaN, trainAccuracy: seen ? correct / seen : NaN,
      valLoss: lastVal?.loss, valAccuracy: lastVal?.accuracy, seconds: (performance.now() - te) / 1000, lr: currentLr(optimizer), time: Date.now(),
    };
    history.push(ev);
    o.onEvent?.(ev);
    if (o.val && lastVal?.misclassified) {
      const { samples, shape } = lastVal.misclassified;
      o.onEvent?.(misclassifiedEvent(samples, shape, { split: "val", step, epoch, total: lastVal.count - Math.round(lastVal.accuracy * lastVal.count), classes: o.val.dataset.classes }));
    }
    o.onEpochEnd?.({ epoch: epoch + 1, batch: 0, step }, ev);
    if (o.earlyStoppingPatience !== undefined && lastVal) {
      if (lastVal.accuracy > best) {
        best = lastVal.accuracy;
        sinceBest = 0;
      } else if (++sinceBest >= o.earlyStoppingPatience) {
        stoppedEarly = true;
        epoch++;
        break;
      }
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  return { epochs: history, position: { epoch, batch: 0, step }, stoppedEarly, seconds, imagesPerSecond: images / Math.max(seconds, 1e-9), lastVal };
}
