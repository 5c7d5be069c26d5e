/**
 * Maps golden-case op names to ganglion calls. One entry per op the fixtures contain; the golden test
 * fails on a case whose op has no entry, so nothing is skipped silently.
 */
import * as g from "ganglion";
import type { Pair, Tensor } from "ganglion";

type Attrs = Record<string, unknown>;
export type OpFn = (inputs: Tensor[], attrs: Attrs) => Tensor;

const axesOf = (a: Attrs): number[] | undefined => (a.axes === null ? undefined : (a.axes as number[]));
const keep = (a: Attrs): { keepDims: boolean } => ({ keepDims: a.keepDims as boolean });

const UNARY = ["neg", "abs", "sign", "exp", "log", "sqrt", "rsqrt", "reciprocal", "square", "tanh", "sigmoid", "relu", "erf", "sin", "cos", "floor", "ceil", "round"] as const;
const BINARY = ["add", "sub", "mul", "div", "pow", "maximum", "minimum", "eq", "ne", "lt", "le", "gt", "ge"] as const;

/** Golden ops of layers and losses: the nn golden tests cover these, so the engine suites skip them. */
export const NN_OPS: ReadonlySet<string> = new Set(["gelu", "leakyRelu", "elu", "prelu", "adaptiveAvgPool2d", "crossEntropy", "nllLoss", "mseLoss", "bceWithLogits", "svmLoss", "batchNorm", "layerNorm"]);

/** The golden fixture groups every backend's engine suite runs. */
export const ENGINE_GROUPS = ["unary", "binary", "reduce", "matmul", "conv", "pool", "index", "softmax"] as const;

export const engineOps: Record<string, OpFn> = {
  ...Object.fromEntries(UNARY.map((op) => [op, ([x]: Tensor[]) => g.unary(op, x)])),
  ...Object.fromEntries(BINARY.map((op) => [op, ([a, b]: Tensor[]) => g.binary(op, a, b)])),
  where: ([c, a, b]) => g.where(c, a, b),
  sum: ([x], a) => g.sum(x, axesOf(a), keep(a)),
  mean: ([x], a) => g.mean(x, axesOf(a), keep(a)),
  max: ([x], a) => g.max(x, axesOf(a), keep(a)),
  min: ([x], a) => g.min(x, axesOf(a), keep(a)),
  logsumexp: ([x], a) => g.logsumexp(x, axesOf(a), keep(a)),
  var: ([x], a) => g.variance(x, axesOf(a), { ...keep(a), correction: a.correction as number }),
  argmax: ([x], a) => g.argmax(x, a.axis as number, keep(a)),
  argmin: ([x], a) => g.argmin(x, a.axis as number, keep(a)),
  matmul: ([a, b]) => g.matmul(a, b),
  conv2d: ([x, w, b], a) => {
    const y = g.conv2d(x, w, a as g.Conv2dOptions);
    return b ? y.add(b.reshape([1, -1, 1, 1])) : y;
  },
  maxPool2d: ([x], a) => g.maxPool2d(x, a.kernel as Pair, a as g.Pool2dOptions),
  avgPool2d: ([x], a) => g.avgPool2d(x, a.kernel as Pair, a as g.Pool2dOptions),
  gather: ([x, index], a) => g.gather(x, a.axis as number, index),
  scatterAdd: ([base, index, src], a) => g.scatterAdd(base, a.axis as number, index, src),
  oneHot: ([index], a) => g.oneHot(index, a.numClasses as number),
  concat: (xs, a) => g.concat(xs, a.axis as number),
  pad: ([x], a) => g.pad(x, a.pads as Pair[], a.value as number),
  slice: ([x], a) => g.slice(x, a.starts as number[], a.ends as number[]),
  reshape: ([x], a) => g.reshape(x, a.shape as number[]),
  permute: ([x], a) => g.permute(x, a.dims as number[]),
  transpose: ([x], a) => g.transpose(x, a.dim0 as number, a.dim1 as number),
  expand: ([x], a) => g.expand(x, a.shape as number[]),
  softmax: ([x], a) => g.softmax(x, a.axis as number),
  logSoftmax: ([x], a) => g.logSoftmax(x, a.axis as number),
};
