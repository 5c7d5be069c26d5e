/**
 * Batch normalization (Ioffe & Szegedy 2015, https://arxiv.org/abs/1502.03167) and layer normalization
 * (Ba et al. 2016, https://arxiv.org/abs/1607.06450). Layer norm and eval-mode batch norm are composed
 * from primitives; training-mode batch norm uses the fused batchNorm primitives (tensor/ops/norm.ts).
 */
import { ShapeError, fmt } from "../../core/index.js";
import { batchNormStats, batchNormTrain, isGradEnabled, noGrad, ones, scope, stack, zeros, type Tensor } from "../../tensor/index.js";

export interface BatchNormOptions {
  readonly training: boolean;
  readonly momentum?: number;
  readonly eps?: number;
}

/** Shape [1,C,1,...] to broadcast a per-channel vector against x. */
function channelShape(x: Tensor): number[] {
  return x.shape.map((d, i) => (i === 1 ? d : 1));
}

/**
 * y = (x − μ)/√(σ² + ε)·γ + β over every axis but 1. Training uses batch statistics (biased variance)
 * and updates the running averages in place: r ← (1−m)·r + m·stat, with the unbiased variance, as PyTorch.
 * Eval uses the running averages.
 */
export function batchNorm(
  x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, weight: Tensor | null, bias: Tensor | null,
  { training, momentum = 0.1, eps = 1e-5 }: BatchNormOptions,
): Tensor {
  if (x.rank < 2) throw new ShapeError(`batchNorm: input must be [N,C,...], got ${fmt(x.shape)}`);
  const C = x.shape[1];
  for (const [n, t] of [["weight", weight], ["bias", bias], ["runningMean", runningMean], ["runningVar", runningVar]] as const) {
    if (t && t.size !== C) throw new ShapeError(`batchNorm: input ${fmt(x.shape)} has ${C} channels but ${n} has shape ${fmt(t.shape)}`);
  }
  return scope(() => {
    const cs = channelShape(x);
    if (training || !runningMean || !runningVar) {
      // Batch statistics: the fused primitives (one pass for the statistics, one to normalize; the
      // backward two more), measured ~4x fewer passes over the activations than the composition.
      const stats = batchNormStats(x);
      if (training && runningMean && runningVar) {
        const n = x.size / C;
        noGrad(() => {
          const mean = stats.narrow(0, 0, 1).reshape([C]), v = stats.narrow(0, 1, 1).reshape([C]);
          runningMean.assign(runningMean.mul(1 - momentum).add(mean.mul(momentum)));
          runningVar.assign(runningVar.mul(1 - momentum).add(v.mul((momentum * n) / Math.max(n - 1, 1))));
        });
      }
      const opts = { dtype: x.dtype, backend: x.backend };
      return batchNormTrain(x, stats, weight ?? ones([C], opts), bias ?? zeros([C], opts), eps);
    }
    const opts = { dtype: x.dtype, backend: x.backend };
    if (!isGradEnabled()) {
      // Inference: the fused kernel with the running statistics (one pass instead of four). Only
      // without autograd: batchNorm's backward rule differentiates through batch statistics.
      const stats = stack([runningMean, runningVar]);
      return batchNormTrain(x, stats, weight ?? ones([C], opts), bias ?? zeros([C], opts), eps);
    }
    const mean = runningMean.reshape(cs);
    const v = runningVar.reshape(cs);
    let y = x.sub(mean).mul(v.add(eps).rsqrt());
    if (weight) y = y.mul(weight.reshape(cs));
    if (bias) y = y.add(bias.reshape(cs));
    return y;
  });
}

/** Normalizes over the last normalizedShape.length axes of each example, then scales and shifts. */
export function layerNorm(x: Tensor, normalizedShape: readonly number[], weight: Tensor | null, bias: Tensor | null, eps = 1e-5): Tensor {
  const k = normalizedShape.length;
  if (x.shape.slice(-k).join(",") !== normalizedShape.join(",")) {
    throw new ShapeError(`layerNorm: input ${fmt(x.shape)} does not end with normalizedShape ${fmt(normalizedShape)}`);
  }
  return scope(() => {
    const axes = normalizedShape.map((_, i) => x.rank - k + i);
    const mean = x.mean(axes, { keepDims: true });
    const d = x.sub(mean);
    let y = d.mul(d.square().mean(axes, { keepDims: true }).add(eps).rsqrt());
    if (weight) y = y.mul(weight);
    if (bias) y = y.add(bias);
    return y;
  });
}
