/** L2: Tensor, creation, the dispatch chokepoint, graph nodes as data, memory scopes. */
import { getBackend, listBackends } from "../backend/index.js";
import { isTensor, noGrad, enableGrad, isGradEnabled } from "./dispatch.js";
import { keepTensor, liveTensorCount, runScope } from "./scope.js";
import type { Tensor } from "./tensor.js";

export { Tensor, installBackward, type BackwardFn, type BackwardOptions } from "./tensor.js";
export { GradNode, NON_DIFF_OPS, VIEW_OPS, type DiffOp, type DiffPrim, type NodeAttrs, type Edge, type NonDiffOp, type ViewOp } from "./graph.js";
export { isTensor, noGrad, enableGrad, isGradEnabled, maybeRecord, makeView, runOp } from "./dispatch.js";
export * from "./creation.js";
export { unary, binary, where, clamp, cast, broadcastView, toTensor, type TensorLike } from "./ops/elementwise.js";
export { sum, mean, max, min, variance, std, logsumexp, argmax, argmin, type Axes, type ReduceOptions, type VarOptions } from "./ops/reduce.js";
export { reshape, permute, transpose, expand, unsqueeze, squeeze, flatten, slice, narrow, concat, stack, pad, contiguous } from "./ops/shape.js";
export {
  matmul, conv2d, conv2dAttrs, conv2dBackwardInput, conv2dBackwardWeight, convOutSize, pair, maxPool2d, maxPool2dBackward,
  avgPool2d, avgPool2dBackward, softmax, logSoftmax, softmaxCrossEntropy, gather, flip, scatterAdd, oneHot,
  type Conv2dOptions, type Pool2dOptions,
} from "./ops/nn.js";
export { batchNormStats, batchNormTrain, batchNormGradSums, batchNormBackward } from "./ops/norm.js";
export { fusedMap, fusedAssign, traceFused, FusedValue } from "./ops/fused.js";

/**
 * Runs `fn` and disposes every tensor created inside it except those it returns (and `keep()`-ed ones).
 * Open exactly one per training step; synchronous only.
 */
export function scope<T>(fn: () => T): T {
  return runScope(fn, isTensor);
}

/** Marks tensors persistent (never freed by a scope) and returns the first. */
export function keep<T extends Tensor>(t: T, ...more: Tensor[]): T {
  t.keep();
  for (const m of more) m.keep();
  keepTensor(t);
  return t;
}

export interface MemoryInfo {
  /** Tensor handles not yet disposed (including saved-for-backward handles). */
  readonly liveTensors: number;
  readonly backend: string;
  readonly liveBytes: number;
  readonly peakBytes: number;
  readonly liveBuffers: number;
  readonly pooledBytes: number;
  readonly backends: readonly string[];
}

/** Live tensors and bytes of the current backend: the numbers a leak test watches. */
export function memory(): MemoryInfo {
  const b = getBackend();
  return { liveTensors: liveTensorCount(), backend: b.name, ...b.memory(), backends: listBackends() };
}

export const gradMode = { noGrad, enableGrad, isGradEnabled };
