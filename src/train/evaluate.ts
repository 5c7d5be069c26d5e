/** Evaluation over a loader in eval mode under noGrad: loss, accuracy, top-5, confusion matrix. */
import { noGrad, scope, type Tensor } from "../tensor/index.js";
import { crossEntropy, type Module } from "../nn/index.js";
import type { DataLoader } from "../data/index.js";
import { ConfusionMatrix, argmaxRows, topKCorrect } from "./metrics.js";

export interface EvalResult {
  readonly loss: number;
  readonly accuracy: number;
  readonly top5: number;
  readonly confusion: ConfusionMatrix;
  readonly count: number;
}

export type Predictor = (x: Tensor) => Tensor;

/** Evaluates `model` (or any predictor returning logits) on every batch of `loader` (epoch 0 order). */
export function evaluate(model: Module | Predictor, loader: DataLoader): EvalResult {
  const predict: Predictor = typeof model === "function" ? model : (x) => model.forward(x);
  const wasTraining = typeof model === "function" ? false : model.training;
  if (typeof model !== "function") model.eval();
  const c = loader.dataset.numClasses;
  const cm = new ConfusionMatrix(c);
  let lossSum = 0, top5 = 0, n = 0;
  try {
    for (const { x, y } of loader.batches(0)) {
      noGrad(() =>
        scope(() => {
          const logits = predict(x);
          lossSum += crossEntropy(logits, y, { reduction: "sum" }).item();
          const s = logits.dataSync();
          const labels = y.dataSync();
          cm.add(labels, argmaxRows(s, labels.length, c));
          top5 += topKCorrect(s, labels, c, Math.min(5, c));
          n += labels.length;
        }),
      );
      x.dispose();
      y.dispose();
    }
  } finally {
    if (typeof model !== "function") model.train(wasTraining);
  }
  return { loss: n ? lossSum / n : NaN, accuracy: cm.accuracy, top5: n ? top5 / n : NaN, confusion: cm, count: n };
}
