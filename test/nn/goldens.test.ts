/** nn.functional against PyTorch goldens: activations, losses, normalization, adaptive pooling. */
import * as g from "ganglion";
import type { Pair } from "ganglion";
import { goldenSuite } from "../conformance/suite.js";
import type { OpFn } from "../conformance/ops.js";

const F = g.nn.functional;
type R = g.nn.Reduction;

const nnOps: Record<string, OpFn> = {
  gelu: ([x], a) => F.gelu(x, a.approximate as "none" | "tanh"),
  leakyRelu: ([x], a) => F.leakyRelu(x, a.slope as number),
  elu: ([x], a) => F.elu(x, a.alpha as number),
  prelu: ([x, w]) => F.prelu(x, w),
  adaptiveAvgPool2d: ([x], a) => F.adaptiveAvgPool2d(x, a.outputSize as Pair),
  crossEntropy: ([z, t], a) => F.crossEntropy(z, t, { reduction: a.reduction as R, labelSmoothing: a.labelSmoothing as number }),
  nllLoss: ([lp, t], a) => F.nllLoss(lp, t, { reduction: a.reduction as R }),
  mseLoss: ([x, t], a) => F.mseLoss(x, t, { reduction: a.reduction as R }),
  bceWithLogits: ([x, t], a) => F.bceWithLogits(x, t, { reduction: a.reduction as R }),
  svmLoss: ([s, t], a) => F.svmLoss(s, t, { margin: a.margin as number, reduction: a.reduction as R }),
  batchNorm: ([x, w, b], a) => F.batchNorm(x, null, null, w, b, { training: a.training as boolean, eps: a.eps as number }),
  layerNorm: ([x, w, b], a) => F.layerNorm(x, a.normalizedShape as number[], w, b, a.eps as number),
};
const engineOnly = new Set(["neg", "abs", "sign", "exp", "log", "sqrt", "rsqrt", "reciprocal", "square", "tanh", "sigmoid", "relu", "erf", "sin", "cos", "floor", "ceil", "round",
  "maxPool2d", "avgPool2d", "softmax", "logSoftmax"]);

for (const backend of g.listBackends()) goldenSuite(backend, ["unary", "pool", "softmax", "norm"], nnOps, engineOnly);
