/**
 * The reference kernel table: one entry per primitive op, over typed-array views. The compiler checks
 * it is complete. Exported so other CPU backends can fall back to it for ops without a fast kernel.
 */
import { fromKeys } from "../../core/index.js";
import { BINARY_OPS, REDUCE_OPS, UNARY_OPS, type BinaryOp, type OpAttrs, type PrimOp, type ReduceOp, type UnaryOp } from "../ops.js";
import { conv2dBackwardInput, conv2dBackwardWeight, conv2dForward, convGeom } from "./conv.js";
import { binary, copy, fill, fused, unary, where } from "./elementwise.js";
import { gemm } from "./gemm.js";
import { concat, gather, oneHot, pad, scatterAdd } from "./indexing.js";
import { batchNorm, batchNormBackward, batchNormGradSums, batchNormStats } from "./norm.js";
import { avgPool2d, avgPool2dBackward, maxPool2d, maxPool2dBackward } from "./pool.js";
import { argReduce, reduce } from "./reduce.js";
import { logSoftmax, softmax, softmaxCrossEntropy } from "./softmax.js";
import type { ArrView } from "./strided.js";

export type RefKernel<K extends PrimOp> = (ins: readonly ArrView[], out: ArrView, attrs: OpAttrs[K]) => void;
export type RefKernelTable = { readonly [K in PrimOp]: RefKernel<K> };

const unaryKernels: { [K in UnaryOp]: RefKernel<K> } = fromKeys(UNARY_OPS, (op) => (ins, out) => unary(op, ins[0], out));
const binaryKernels: { [K in BinaryOp]: RefKernel<K> } = fromKeys(BINARY_OPS, (op) => (ins, out) => binary(op, ins[0], ins[1], out));
const reduceKernels: { [K in ReduceOp]: RefKernel<K> } = fromKeys(REDUCE_OPS, (op) => (ins, out, a: OpAttrs[ReduceOp]) => reduce(op, ins[0], a.axes, out));

export const referenceKernels: RefKernelTable = {
  ...unaryKernels,
  ...binaryKernels,
  ...reduceKernels,
  where: ([c, a, b], out) => where(c, a, b, out),
  fused: (ins, out, a) => fused(ins, out, a.program),
  cast: ([x], out) => copy(x, out),
  copy: ([x], out) => copy(x, out),
  fill: (_ins, out, a) => fill(out, a.value),
  argmax: ([x], out, a) => argReduce("argmax", x, a.axis, out),
  argmin: ([x], out, a) => argReduce("argmin", x, a.axis, out),
  matmul: ([a, b], out, attrs) => {
    const [B, M, N] = out.shape;
    const K = attrs.transA ? a.shape[1] : a.shape[2];
    for (let i = 0; i < B; i++) {
      gemm(M, N, K, a.data, a.offset + i * M * K, attrs.transA, b.data, b.offset + i * K * N, attrs.transB, out.data, out.offset + i * M * N, false);
    }
  },
  conv2d: ([x, w], out, a) => conv2dForward(convGeom(x.shape, w.shape, out.shape, a), x.data, x.offset, w.data, w.offset, out.data, out.offset),
  conv2dBackwardInput: ([gy, w], out, a) =>
    conv2dBackwardInput(convGeom(a.inputShape, w.shape, gy.shape, a), gy.data, gy.offset, w.data, w.offset, out.data, out.offset),
  conv2dBackwardWeight: ([x, gy], out, a) =>
    conv2dBackwardWeight(convGeom(x.shape, a.weightShape, gy.shape, a), x.data, x.offset, gy.data, gy.offset, out.data, out.offset),
  maxPool2d: ([x], out, a) => maxPool2d(x.data, x.offset, x.shape, out.data, out.offset, out.shape, a),
  maxPool2dBackward: ([gy, x], out, a) => maxPool2dBackward(gy.data, gy.offset, x.data, x.offset, x.shape, out.data, out.offset, gy.shape, a),
  avgPool2d: ([x], out, a) => avgPool2d(x.data, x.offset, x.shape, out.data, out.offset, out.shape, a),
  avgPool2dBackward: ([gy], out, a) => avgPool2dBackward(gy.data, gy.offset, out.data, out.offset, a.inputShape, gy.shape, a),
  gather: ([x, idx], out, a) => gather(x, idx, out, a.axis),
  scatterAdd: ([base, idx, src], out, a) => scatterAdd(base, idx, src, out, a.axis),
  oneHot: ([idx], out, a) => oneHot(idx, out, a.numClasses),
  concat: (ins, out, a) => concat(ins, out, a.axis),
  pad: ([x], out, a) => pad(x, out, a.pads, a.value),
  softmax: ([x], out, a) => softmax(x, out, a.axis),
  logSoftmax: ([x], out, a) => logSoftmax(x, out, a.axis),
  softmaxCrossEntropy: ([z, y], out) => softmaxCrossEntropy(z, y, out),
  batchNormStats: ([x], out) => batchNormStats(x, out),
  batchNorm: ([x, stats, w, b], out, a) => batchNorm(x, stats, w, b, out, a.eps),
  batchNormGradSums: ([gy, x, stats], out, a) => batchNormGradSums(gy, x, stats, out, a.eps),
  batchNormBackward: ([gy, x, stats, w, sums], out, a) => batchNormBackward(gy, x, stats, w, sums, out, a.eps),
};
