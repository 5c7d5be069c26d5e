/**
 * Check 2 — overfit a tiny subset (CS231n, "Overfit a tiny subset of data",
 * https://cs231n.github.io/neural-networks-3/#sanitycheck): with regularization off, a working model and
 * training loop drive the loss on ~20 examples towards zero and reach 100% training accuracy. If it
 * cannot, nothing else is worth tuning yet. Runs on the user's model and restores its state afterwards.
 */
import { noGrad, scope, type Tensor } from "../../tensor/index.js";
import { crossEntropy, type Module } from "../../nn/index.js";
import { adam } from "../../optim/index.js";
import type { DataLoader } from "../../data/index.js";
import { onScratchModel, takeBatch } from "./state.js";
import type { CheckResult, CheckStatus, LossFn, MakeOptimizer } from "./types.js";

export interface OverfitOptions {
  /** Size of the tiny subset (default 20). */
  readonly examples?: number;
  /** Maximum optimizer steps (full batch); stops early at 100% accuracy with a small loss. */
  readonly steps?: number;
  readonly lr?: number;
  /** Default: Adam without weight decay. */
  readonly makeOptimizer?: MakeOptimizer;
  readonly loss?: LossFn;
  /** Stop once accuracy is 100% and the loss is below this (default 0.05). */
  readonly targetLoss?: number;
}

/** The checks' default optimizer: Adam with regularization (weight decay) off. */
export const defaultCheckOptimizer: MakeOptimizer = (params, lr) => adam(params, { lr, weightDecay: 0 });

/** Trains a scratch copy of the model's state on `examples` fixed examples and reports the final accuracy. */
export function checkOverfitTinySubset(model: Module, loader: DataLoader, o: OverfitOptions = {}): CheckResult {
  const { examples = 20, steps = 200, lr = 1e-3, targetLoss = 0.05 } = o;
  const lossFn = o.loss ?? ((z: Tensor, y: Tensor) => crossEntropy(z, y));
  const make = o.makeOptimizer ?? defaultCheckOptimizer;
  const { x, y } = takeBatch(loader, examples);
  const n = y.shape[0];
  const r = onScratchModel(model, () => {
    const opt = make(model.parameters(), lr);
    let first = NaN, loss = NaN, acc = 0, best = Infinity, peak = -Infinity, ups = 0, prev = NaN, taken = 0;
    try {
      for (let s = 0; s < steps; s++) {
        const [l, hits] = scope(() => {
          const logits = model.forward(x);
          const lt = lossFn(logits, y);
          lt.backward();
          const h = noGrad(() => logits.argmax(1).eq(y).cast("int32").sum().item());
          return [lt.item(), h] as const;
        });
        if (s === 0) first = l;
        loss = l;
        acc = hits / n;
        best = Math.min(best, l);
        peak = Math.max(peak, l);
        if (l > prev) ups++;
        prev = l;
        if (!Number.isFinite(l) || (acc === 1 && l < targetLoss)) break;
        scope(() => opt.step());
        opt.zeroGrad();
        taken++;
      }
      // Accuracy and loss after the last update, on the same batch.
      if (Number.isFinite(loss) && !(acc === 1 && loss < targetLoss)) {
        [loss, acc] = noGrad(() => scope(() => {
          const logits = model.forward(x);
          return [lossFn(logits, y).item(), logits.argmax(1).eq(y).cast("int32").sum().item() / n] as const;
        }));
      }
    } finally {
      opt.zeroGrad();
      opt.dispose();
    }
    return { first, loss, acc, best, peak, ups, taken };
  });
  x.dispose();
  y.dispose();
  // Full-batch training on a fixed batch should go down almost every step; a loss that keeps going up
  // (or peaks well above where it started) is the signature of a too-high learning rate.
  const upFraction = r.taken > 0 ? r.ups / r.taken : 0;
  const jumpy = r.peak > 1.2 * r.first || upFraction > 0.3;
  const numbers = { examples: n, steps: r.taken, lr, initialLoss: r.first, finalLoss: r.loss, peakLoss: r.peak, lossUpFraction: upFraction, trainAccuracy: r.acc };
  let status: CheckStatus;
  let advice: string;
  if (!Number.isFinite(r.loss)) {
    status = "fail";
    advice = `The loss became ${r.loss} while memorizing ${n} examples (lr ${lr}): the learning rate is far too high, or something in the model overflows. Lower the learning rate by 10× and retry.`;
  } else if (r.acc === 1) {
    status = r.loss < 0.5 ? "pass" : "warn";
    advice = status === "pass"
      ? `Memorized ${n} examples in ${r.taken} steps (loss ${r.first.toFixed(3)} → ${r.loss.toFixed(4)}): the model and training loop can learn.`
      : `All ${n} examples are classified right but the loss is still ${r.loss.toFixed(3)} after ${r.taken} steps: learning works but slowly — more steps or a higher learning rate.`;
  } else {
    status = r.acc >= 0.9 ? "warn" : "fail";
    const barely = r.loss > 0.9 * r.first;
    advice = `The model or the training loop is broken: it cannot even memorize ${n} examples (accuracy ${(100 * r.acc).toFixed(0)}%, loss ${r.first.toFixed(3)} → ${r.loss.toFixed(3)} in ${r.taken} steps, lr ${lr}). `
      + (jumpy
        ? `The loss jumps around (it went up in ${(100 * upFraction).toFixed(0)}% of the steps and peaked at ${r.peak.toFixed(2)}): the learning rate is too high — lower it 10×.`
        : barely
          ? "The loss barely moved: check that gradients reach the weights (no zero init, nothing detached), that the optimizer steps the model's parameters, or raise the learning rate."
          : "The loss is going down but not far enough: more steps, a higher learning rate, or a bigger model.");
  }
  return { name: "overfit-tiny-subset", status, numbers, advice };
}
