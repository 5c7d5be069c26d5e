/**
 * Gradient accumulation (the "batch-size trick"): run k micro-batches of b examples, one backward pass each
 * — gradients add up in `.grad` — then scale the sum by 1/k and take one optimizer step. With a loss that
 * is a mean over examples, this is the gradient of the mean over all k·b examples, so the update equals the
 * one a batch of k·b would give (up to float rounding), while only one micro-batch's activations are alive
 * at a time.
 *
 * NOTE: this equality fails for BatchNorm in training mode. BN normalizes each example with statistics
 * of *its* batch, so the loss of a micro-batch is not the restriction of the big batch's loss: the
 * normalized activations, hence the gradients, differ (more noise with small b), and the running
 * statistics receive k updates of micro-batch statistics instead of one. Use GroupNorm/LayerNorm, a
 * larger b, or accept the difference. Dropout likewise draws different masks (same distribution).
 *
 * ```ts
 * for (const batch of loader) {            // batch of k·b examples
 *   const loss = accumulateAndStep(opt, k, (i) => nn.crossEntropy(model.forward(xs[i]), ys[i]));
 * }
 * // or by hand: for each micro-batch { loss.backward() }; scaleGrads(params, 1 / k); opt.step(); opt.zeroGrad();
 * ```
 */
import { ValueError } from "../core/index.js";
import { noGrad, scope, type Tensor } from "../tensor/index.js";
import { fmtValue } from "./optimizer.js";

/** What accumulateAndStep needs of an optimizer (every Optimizer has it). */
export interface Steppable {
  readonly groups: ReadonlyArray<{ readonly params: readonly Tensor[] }>;
  step(): unknown;
  zeroGrad(): void;
}

/** Multiplies every existing gradient by `factor` in place. */
export function scaleGrads(params: Iterable<Tensor>, factor: number): void {
  if (!(typeof factor === "number" && Number.isFinite(factor))) throw new ValueError(`scaleGrads: invalid factor ${fmtValue(factor)}: must be a finite number`);
  noGrad(() =>
    scope(() => {
      for (const p of params) if (p.grad) p.grad.assign(p.grad.mul(factor));
    }),
  );
}

/**
 * One optimizer step over `k` micro-batches: for i = 0…k−1, `microBatchLoss(i)` builds the loss (a mean
 * over its micro-batch) and its backward pass adds into `.grad` (each micro-batch runs in its own scope, so
 * its activations are freed before the next); then grads ← grads/k, `opt.step()`, `opt.zeroGrad()`.
 * Gradients present on entry are included (normally there are none). Returns the mean micro-batch loss.
 */
export function accumulateAndStep(opt: Steppable, k: number, microBatchLoss: (i: number) => Tensor): number {
  if (!(Number.isInteger(k) && k >= 1)) throw new ValueError(`accumulateAndStep: invalid k ${fmtValue(k)}: must be an integer >= 1`);
  let total = 0;
  for (let i = 0; i < k; i++) {
    total += scope(() => {
      const l = microBatchLoss(i);
      l.backward();
      return l.item();
    });
  }
  scaleGrads(opt.groups.flatMap((g) => g.params), 1 / k);
  opt.step();
  opt.zeroGrad();
  return total / k;
}
