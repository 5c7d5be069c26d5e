/** Evaluation over a loader in eval mode under noGrad: loss, accuracy, top-5, confusion matrix. */
import type { TypedArray } from "../core/index.js";
import { flip, noGrad, scope, type Tensor } from "../tensor/index.js";
import { crossEntropy, type Module } from "../nn/index.js";
import type { DataLoader } from "../data/index.js";
import { ConfusionMatrix, argmaxRows, topKCorrect } from "./metrics.js";
import { MisclassifiedCollector, type MisclassifiedSample } from "./misclassified.js";
import { drive, driveAsync, type ReadRequest } from "./reads.js";

export interface EvalResult {
  readonly loss: number;
  readonly accuracy: number;
  readonly top5: number;
  readonly confusion: ConfusionMatrix;
  readonly count: number;
  /** With `misclassified: n`: the n most confident mistakes and the image shape [c, h, w]. */
  readonly misclassified?: { readonly samples: readonly MisclassifiedSample[]; readonly shape: readonly [number, number, number] };
}

export interface EvaluateOptions {
  /** Keep up to this many misclassified samples (the most confident mistakes); default 0. */
  readonly misclassified?: number;
  /**
   * Test-time augmentation: "flip" averages the logits of each image and its left-right mirror (NCHW
   * inputs; for data whose classes are mirror-symmetric, like clothes — not digits). Default "none".
   */
  readonly tta?: "none" | "flip";
}

export type Predictor = (x: Tensor) => Tensor;

/** Evaluates `model` (or any predictor returning logits) on every batch of `loader` (epoch 0 order). */
export function evaluate(model: Module | Predictor, loader: DataLoader, o: EvaluateOptions = {}): EvalResult {
  return drive("evaluate", evaluateSteps(model, loader, o));
}

/** `evaluate` for any backend, reading results with `await t.data()` (required on WebGPU). */
export function evaluateAsync(model: Module | Predictor, loader: DataLoader, o: EvaluateOptions = {}): Promise<EvalResult> {
  return driveAsync(evaluateSteps(model, loader, o));
}

/** The evaluation loop; yields a read request per batch (see reads.ts). */
export function* evaluateSteps(model: Module | Predictor, loader: DataLoader, o: EvaluateOptions = {}): Generator<ReadRequest, EvalResult, TypedArray[]> {
  const base: Predictor = typeof model === "function" ? model : (x) => model.forward(x);
  if (o.tta !== undefined && o.tta !== "none" && o.tta !== "flip") throw new RangeError(`evaluate: tta must be "none" or "flip", got ${JSON.stringify(o.tta)}`);
  const predict: Predictor = o.tta === "flip" ? (x) => {
    if (x.rank !== 4) throw new RangeError(`evaluate: tta "flip" mirrors NCHW images, got input of shape [${x.shape.join(", ")}]`);
    return base(x).add(base(flip(x, 3))).mul(0.5);
  } : base;
  const wasTraining = typeof model === "function" ? false : model.training;
  if (typeof model !== "function") model.eval();
  const c = loader.dataset.numClasses;
  const cm = new ConfusionMatrix(c);
  const wrong = o.misclassified ? new MisclassifiedCollector(o.misclassified, loader) : undefined;
  const order = wrong ? loader.order(0) : undefined;
  let lossSum = 0, top5 = 0, n = 0;
  try {
    for (const { x, y, index } of loader.batches(0)) {
      const [lossT, logits] = noGrad(() => scope(() => {
        const logits = predict(x);
        return [crossEntropy(logits, y, { reduction: "sum" }), logits];
      }));
      // Pixels are read eagerly only where a read is a GPU round trip; on the CPU only when needed.
      const eager = wrong !== undefined && !x.backend.synchronous;
      let got: TypedArray[];
      try {
        got = yield { read: eager ? [lossT, logits, y, x] : [lossT, logits, y] };
      } finally {
        lossT.dispose();
        logits.dispose();
      }
      const [ls, s, labels] = got;
      lossSum += ls[0];
      cm.add(labels, argmaxRows(s, labels.length, c));
      top5 += topKCorrect(s, labels, c, Math.min(5, c));
      if (wrong && order) {
        const start = index * loader.batchSize;
        wrong.add(s, labels, c, () => (eager ? got[3] : x.dataSync()), order.subarray(start, start + labels.length));
      }
      n += labels.length;
      x.dispose();
      y.dispose();
    }
  } finally {
    if (typeof model !== "function") model.train(wasTraining);
  }
  return {
    loss: n ? lossSum / n : NaN, accuracy: cm.accuracy, top5: n ? top5 / n : NaN, confusion: cm, count: n,
    ...(wrong?.shape ? { misclassified: { samples: wrong.samples, shape: wrong.shape } } : {}),
  };
}
