/**
 * The WebGPU kernel table: one entry per primitive op (the compiler checks it is complete), each a
 * WGSL generator from its family's file.
 */
import { fromKeys } from "../../../core/index.js";
import { BINARY_OPS, REDUCE_OPS, UNARY_OPS, type BinaryOp, type ReduceOp, type UnaryOp } from "../../ops.js";
import type { GpuKernel, GpuKernelTable } from "../types.js";
import { conv2dBackwardInputKernel, conv2dBackwardWeightKernel, conv2dKernel } from "./conv.js";
import { binaryKernel, castKernel, copyKernel, fillKernel, unaryKernel, whereKernel } from "./elementwise.js";
import { fusedKernel } from "./fused.js";
import { concatKernel, gatherKernel, oneHotKernel, padKernel, scatterAddKernel } from "./indexing.js";
import { matmulKernel } from "./matmul.js";
import { batchNormBackwardKernel, batchNormGradSumsKernel, batchNormKernel, batchNormStatsKernel } from "./norm.js";
import { avgPool2dBackwardKernel, avgPool2dKernel, maxPool2dBackwardKernel, maxPool2dKernel } from "./pool.js";
import { argReduceKernel, reduceKernel } from "./reduce.js";
import { logSoftmaxKernel, softmaxCrossEntropyKernel, softmaxKernel } from "./softmax.js";

const unary: { [K in UnaryOp]: GpuKernel<K> } = fromKeys(UNARY_OPS, (op) => unaryKernel(op));
const binary: { [K in BinaryOp]: GpuKernel<K> } = fromKeys(BINARY_OPS, (op) => binaryKernel(op));
const reduce: { [K in ReduceOp]: GpuKernel<K> } = fromKeys(REDUCE_OPS, (op) => reduceKernel(op));

export const webgpuKernels: GpuKernelTable = {
  ...unary,
  ...binary,
  ...reduce,
  where: whereKernel,
  fused: fusedKernel,
  cast: castKernel,
  copy: copyKernel,
  fill: (ctx, ins, out, a) => fillKernel(ctx, ins, out, a.value),
  argmax: argReduceKernel("argmax"),
  argmin: argReduceKernel("argmin"),
  matmul: matmulKernel,
  conv2d: conv2dKernel,
  conv2dBackwardInput: conv2dBackwardInputKernel,
  conv2dBackwardWeight: conv2dBackwardWeightKernel,
  maxPool2d: maxPool2dKernel,
  maxPool2dBackward: maxPool2dBackwardKernel,
  avgPool2d: avgPool2dKernel,
  avgPool2dBackward: avgPool2dBackwardKernel,
  gather: gatherKernel,
  scatterAdd: scatterAddKernel,
  oneHot: oneHotKernel,
  concat: concatKernel,
  pad: padKernel,
  softmax: softmaxKernel,
  logSoftmax: logSoftmaxKernel,
  softmaxCrossEntropy: softmaxCrossEntropyKernel,
  batchNormStats: batchNormStatsKernel,
  batchNorm: batchNormKernel,
  batchNormGradSums: batchNormGradSumsKernel,
  batchNormBackward: batchNormBackwardKernel,
};
