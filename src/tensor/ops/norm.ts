/**
 * Fused batch normalization at the tensor level (training-mode statistics). `nn/functional/norm.ts`
 * composes these; the primitives exist because the elementwise composition was measured too slow
 * (DESIGN rule 2), and test/engine checks them against that composition.
 */
import { DTypeError, ShapeError, fmt, isFloat } from "../../core/index.js";
import { runOp } from "../dispatch.js";
import type { Tensor } from "../tensor.js";

function checkInput(op: string, x: Tensor): number {
  if (x.rank < 2) throw new ShapeError(`${op}: input must be [N,C,...], got ${fmt(x.shape)}`);
  if (!isFloat(x.dtype)) throw new DTypeError(`${op}: expected a float tensor, got ${x.dtype}`);
  return x.shape[1];
}

function checkChannels(op: string, C: number, dtype: string, named: Record<string, Tensor>, shape: readonly number[]): void {
  for (const [name, t] of Object.entries(named)) {
    if (t.dtype !== dtype) throw new DTypeError(`${op}: ${name} is ${t.dtype}, input is ${dtype}`);
    if (t.rank !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new ShapeError(`${op}: ${name} must be ${fmt(shape)} for an input with ${C} channels, got ${fmt(t.shape)}`);
    }
  }
}

/** Per-channel mean and biased variance of x [N,C,...] over every axis but 1, as rows of a [2,C] tensor. */
export function batchNormStats(x: Tensor): Tensor {
  const C = checkInput("batchNormStats", x);
  return runOp("batchNormStats", [x], { attrs: {}, shape: [2, C], dtype: x.dtype, grad: false });
}

/**
 * (x - mean)/sqrt(var + eps) * weight + bias with `stats` = batchNormStats(x). Differentiable in x,
 * weight and bias; the gradient w.r.t. x includes the path through the batch statistics, so `stats`
 * must be the statistics of this very x (its own gradient is not taken).
 */
export function batchNormTrain(x: Tensor, stats: Tensor, weight: Tensor, bias: Tensor, eps: number): Tensor {
  const C = checkInput("batchNorm", x);
  checkChannels("batchNorm", C, x.dtype, { weight, bias }, [C]);
  checkChannels("batchNorm", C, x.dtype, { stats }, [2, C]);
  const attrs = { eps };
  return runOp("batchNorm", [x, stats, weight, bias], {
    attrs, shape: x.shape, dtype: x.dtype, grad: { op: "batchNorm", attrs, save: () => [x, stats, weight] },
  });
}

/** Returns `[2, C]`: per-channel sum(gy) and sum(gy * xhat): the bias and weight gradients of batchNorm. */
export function batchNormGradSums(gy: Tensor, x: Tensor, stats: Tensor, eps: number): Tensor {
  const C = checkInput("batchNormGradSums", x);
  return runOp("batchNormGradSums", [gy, x, stats], { attrs: { eps }, shape: [2, C], dtype: x.dtype, grad: false });
}

/** The input gradient of batchNorm through the batch statistics (sums = batchNormGradSums(gy, x, stats)). */
export function batchNormBackward(gy: Tensor, x: Tensor, stats: Tensor, weight: Tensor, sums: Tensor, eps: number): Tensor {
  checkInput("batchNormBackward", x);
  return runOp("batchNormBackward", [gy, x, stats, weight, sums], { attrs: { eps }, shape: x.shape, dtype: x.dtype, grad: false });
}
