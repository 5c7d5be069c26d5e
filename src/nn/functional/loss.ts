/**
 * Losses. `reduction` is "mean" (default), "sum" or "none" (per example), as in PyTorch.
 * Cross-entropy uses the fused, numerically stable softmax-cross-entropy primitive.
 */
import { DTypeError, ShapeError, ValueError, fmt } from "../../core/index.js";
import { fromArray, logSoftmax, scope, softmaxCrossEntropy, where, type Tensor } from "../../tensor/index.js";

export type Reduction = "mean" | "sum" | "none";

function reduce(per: Tensor, reduction: Reduction, op: string): Tensor {
  switch (reduction) {
    case "mean":
      return per.mean();
    case "sum":
      return per.sum();
    case "none":
      return per;
    default:
      throw new ValueError(`${op}: reduction must be "mean", "sum" or "none", got ${String(reduction satisfies never)}`);
  }
}

export interface CrossEntropyOptions {
  readonly reduction?: Reduction;
  /** Label smoothing ε (Szegedy et al. 2016): target = (1−ε)·onehot + ε/C. */
  readonly labelSmoothing?: number;
  /** Examples with this label contribute nothing (and are not counted in the mean). */
  readonly ignoreIndex?: number;
}

/**
 * Softmax cross-entropy of logits [N,C] against int32 class indices [N] — L_i = −log softmax(z_i)[y_i] —
 * or against class probabilities [N,C] (soft labels) — L_i = −Σ_c t_ic·log softmax(z_i)_c.
 * At initialization with small weights the loss is ≈ ln(C) (the CS231n sanity check), since every class
 * gets probability ≈ 1/C.
 */
export function crossEntropy(logits: Tensor, target: Tensor, { reduction = "mean", labelSmoothing = 0, ignoreIndex }: CrossEntropyOptions = {}): Tensor {
  if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) throw new ValueError(`crossEntropy: labelSmoothing must be in [0, 1], got ${labelSmoothing}`);
  if (target.dtype !== "int32") {
    if (target.shape.join(",") !== logits.shape.join(",") || logits.rank !== 2) {
      throw new DTypeError(`crossEntropy: target must be int32 class indices [N] or probabilities shaped like the logits ${fmt(logits.shape)}, got ${target.dtype} ${fmt(target.shape)}`);
    }
    if (ignoreIndex !== undefined) throw new ValueError("crossEntropy: ignoreIndex applies to class-index targets only");
    return scope(() => {
      const c = logits.shape[1];
      const t = labelSmoothing > 0 ? target.mul(1 - labelSmoothing).add(labelSmoothing / c) : target;
      return reduce(t.mul(logSoftmax(logits, 1)).sum(1).neg(), reduction, "crossEntropy");
    });
  }
  return scope(() => {
    let t = target;
    let keepMask: Tensor | undefined;
    if (ignoreIndex !== undefined) {
      keepMask = target.ne(ignoreIndex);
      t = where(keepMask, target, 0);
    }
    let per = softmaxCrossEntropy(logits, t);
    if (labelSmoothing > 0) {
      const smooth = logSoftmax(logits, 1).mean(1).neg();
      per = per.mul(1 - labelSmoothing).add(smooth.mul(labelSmoothing));
    }
    if (!keepMask) return reduce(per, reduction, "crossEntropy");
    const m = keepMask.cast(per.dtype);
    per = per.mul(m);
    if (reduction === "mean") return per.sum().div(m.sum().maximum(1));
    return reduce(per, reduction, "crossEntropy");
  });
}

/** Negative log-likelihood of log-probabilities [N,C] at int32 targets [N]. */
export function nllLoss(logProbs: Tensor, target: Tensor, { reduction = "mean" }: { reduction?: Reduction } = {}): Tensor {
  if (logProbs.rank !== 2 || target.rank !== 1 || target.shape[0] !== logProbs.shape[0]) {
    throw new ShapeError(`nllLoss: expected logProbs [N,C] and target [N], got ${fmt(logProbs.shape)} and ${fmt(target.shape)}`);
  }
  return scope(() => reduce(logProbs.gather(1, target.reshape([-1, 1])).reshape([-1]).neg(), reduction, "nllLoss"));
}

/** Mean squared error. */
export function mseLoss(input: Tensor, target: Tensor, { reduction = "mean" }: { reduction?: Reduction } = {}): Tensor {
  return scope(() => reduce(input.sub(target).square(), reduction, "mseLoss"));
}

/** Binary cross-entropy on logits, stable form max(x,0) − x·t + log(1 + e^−|x|). */
export function bceWithLogits(input: Tensor, target: Tensor, { reduction = "mean" }: { reduction?: Reduction } = {}): Tensor {
  return scope(() => {
    const per = input.relu().sub(input.mul(target)).add(input.abs().neg().exp().add(1).log());
    return reduce(per, reduction, "bceWithLogits");
  });
}

/**
 * Multiclass SVM (hinge) loss, the CS231n formulation: L_i = Σ_{j≠y_i} max(0, s_j − s_{y_i} + margin).
 * Unlike torch's multi_margin_loss it does not divide by C.
 */
export function svmLoss(scores: Tensor, target: Tensor, { margin = 1, reduction = "mean" }: { margin?: number; reduction?: Reduction } = {}): Tensor {
  if (scores.rank !== 2 || target.rank !== 1 || target.dtype !== "int32" || target.shape[0] !== scores.shape[0]) {
    throw new ShapeError(`svmLoss: expected scores [N,C] and int32 target [N], got ${fmt(scores.shape)} and ${target.dtype} ${fmt(target.shape)}`);
  }
  return scope(() => {
    const correct = scores.gather(1, target.reshape([-1, 1]));
    const margins = scores.sub(correct).add(margin).relu();
    const notTarget = fromArray(new Float32Array(scores.size).fill(1), scores.shape, { backend: scores.backend }).sub(
      target.reshape([-1, 1]).eq(rangeRow(scores.shape[1], scores)).cast(scores.dtype),
    );
    return reduce(margins.mul(notTarget).sum(1), reduction, "svmLoss");
  });
}

function rangeRow(n: number, like: Tensor): Tensor {
  return fromArray(Int32Array.from({ length: n }, (_, i) => i), [1, n], { backend: like.backend });
}
