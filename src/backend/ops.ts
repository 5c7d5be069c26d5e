/**
 * The primitive-op table: the single source of truth for what a backend must implement.
 * Every backend's kernel table is typed `{ [K in PrimOp]: Kernel<K> }`, and the autograd rule table
 * `{ [K in DiffOp]: ... }`, so a missing entry is a compile error, not a runtime "not implemented".
 *
 * Contract: the tensor layer infers and checks shapes/dtypes, allocates the (contiguous) output and
 * calls `Backend.exec(op, inputs, out, attrs)`. Ops marked `strided: true` accept arbitrary strided
 * input views (broadcasting arrives as stride-0 views); the others get contiguous inputs.
 */
import { fromKeys, type DType, type Pair } from "../core/index.js";

export const UNARY_OPS = [
  "neg", "abs", "sign", "exp", "log", "sqrt", "rsqrt", "reciprocal", "square", "tanh", "sigmoid", "relu",
  "erf", "sin", "cos", "floor", "ceil", "round", "isFinite", "logicalNot",
] as const;
export type UnaryOp = (typeof UNARY_OPS)[number];

export const BINARY_OPS = [
  "add", "sub", "mul", "div", "pow", "maximum", "minimum", "eq", "ne", "lt", "le", "gt", "ge",
] as const;
export type BinaryOp = (typeof BINARY_OPS)[number];

export const REDUCE_OPS = ["sum", "max", "min"] as const;
export type ReduceOp = (typeof REDUCE_OPS)[number];

export type { Pair };

export interface Conv2dAttrs {
  readonly stride: Pair;
  readonly padding: Pair;
  readonly dilation: Pair;
  readonly groups: number;
}
export interface Pool2dAttrs {
  readonly kernel: Pair;
  readonly stride: Pair;
  readonly padding: Pair;
  /** avg pooling only: count zero padding in the divisor (PyTorch count_include_pad). */
  readonly countIncludePad: boolean;
}

type NoAttrs = Record<string, never>;

/**
 * An argument of a fused step: a value index (inputs 0..n-1, then the results of earlier steps) or a
 * constant, referenced by its position in `FusedProgram.consts` (so a program's structure, which
 * decides the GPU shader, does not change when a learning rate or bias correction does).
 */
export type FusedArg = number | { readonly c: number };
export interface FusedStep {
  readonly op: UnaryOp | BinaryOp;
  readonly args: readonly FusedArg[];
}
/** An elementwise program; its value is the last step's result. Built by `fusedMap` (tensor layer). */
export interface FusedProgram {
  readonly steps: readonly FusedStep[];
  readonly consts: readonly number[];
}

/** Attributes of each primitive op. Keys of this interface are the primitive ops. */
export interface OpAttrs extends Record<UnaryOp, NoAttrs>, Record<BinaryOp, NoAttrs>, Record<ReduceOp, { readonly axes: readonly number[] }> {
  where: NoAttrs;
  /**
   * An elementwise program over float inputs broadcast to the output (DESIGN rule 2: one pass instead
   * of one kernel per op; on a GPU, one dispatch instead of ~25 for an Adam update). Not differentiable.
   */
  fused: { readonly program: FusedProgram };
  cast: { readonly dtype: DType };
  copy: NoAttrs;
  fill: { readonly value: number };
  argmax: { readonly axis: number };
  argmin: { readonly axis: number };
  /** [B,M,K] x [B,K,N] (or transposed operands as stored) -> [B,M,N]; contiguous inputs. */
  matmul: { readonly transA: boolean; readonly transB: boolean };
  conv2d: Conv2dAttrs;
  conv2dBackwardInput: Conv2dAttrs & { readonly inputShape: readonly number[] };
  conv2dBackwardWeight: Conv2dAttrs & { readonly weightShape: readonly number[] };
  maxPool2d: Pool2dAttrs;
  maxPool2dBackward: Pool2dAttrs;
  avgPool2d: Pool2dAttrs;
  avgPool2dBackward: Pool2dAttrs & { readonly inputShape: readonly number[] };
  /** out[..i..] = x[..index[..i..]..] along `axis` (torch.gather). */
  gather: { readonly axis: number };
  /** out = base; out[..index[..i..]..] += src[..i..] along `axis` (torch.scatter_add). */
  scatterAdd: { readonly axis: number };
  oneHot: { readonly numClasses: number };
  concat: { readonly axis: number };
  /** Constant padding; pads[d] = [before, after], both >= 0. */
  pad: { readonly pads: readonly Pair[]; readonly value: number };
  softmax: { readonly axis: number };
  logSoftmax: { readonly axis: number };
  /** logits [N,C], labels int32 [N] -> per-example loss [N]; fused and numerically stable. */
  softmaxCrossEntropy: NoAttrs;
  /**
   * Batch normalization, fused (DESIGN rule 2: the composition made ~20 passes over the activations
   * per layer and step). x [N,C,...] -> [2,C]: per-channel mean and biased variance over every axis
   * but 1.
   */
  batchNormStats: NoAttrs;
  /** (x [N,C,...], stats [2,C] = batchNormStats(x), weight [C], bias [C]) -> (x - mean)/sqrt(var + eps)*weight + bias. */
  batchNorm: { readonly eps: number };
  /** (gy, x, stats) -> [2,C]: per-channel sum(gy) and sum(gy * xhat), xhat = (x - mean)/sqrt(var + eps). */
  batchNormGradSums: { readonly eps: number };
  /**
   * (gy, x, stats, weight, sums = batchNormGradSums(gy, x, stats)) -> gx, the input gradient through
   * the batch statistics: weight/sqrt(var + eps) * (gy - sum(gy)/M - xhat * sum(gy*xhat)/M), M = N*H*W.
   */
  batchNormBackward: { readonly eps: number };
}

export type PrimOp = keyof OpAttrs;

export type OpFamily = "unary" | "binary" | "ternary" | "reduce" | "layout" | "matmul" | "conv" | "pool" | "index" | "softmax" | "norm";

interface OpInfo {
  readonly family: OpFamily;
  /** True when the kernel accepts arbitrary strided input views. */
  readonly strided: boolean;
}

const unaryInfo = fromKeys(UNARY_OPS, (): OpInfo => ({ family: "unary", strided: true }));
const binaryInfo = fromKeys(BINARY_OPS, (): OpInfo => ({ family: "binary", strided: true }));
const reduceInfo = fromKeys(REDUCE_OPS, (): OpInfo => ({ family: "reduce", strided: true }));

export const OP_INFO: { readonly [K in PrimOp]: OpInfo } = {
  ...unaryInfo,
  ...binaryInfo,
  ...reduceInfo,
  where: { family: "ternary", strided: true },
  fused: { family: "ternary", strided: true },
  cast: { family: "unary", strided: true },
  copy: { family: "layout", strided: true },
  fill: { family: "layout", strided: true },
  argmax: { family: "reduce", strided: false },
  argmin: { family: "reduce", strided: false },
  matmul: { family: "matmul", strided: false },
  conv2d: { family: "conv", strided: false },
  conv2dBackwardInput: { family: "conv", strided: false },
  conv2dBackwardWeight: { family: "conv", strided: false },
  maxPool2d: { family: "pool", strided: false },
  maxPool2dBackward: { family: "pool", strided: false },
  avgPool2d: { family: "pool", strided: false },
  avgPool2dBackward: { family: "pool", strided: false },
  gather: { family: "index", strided: false },
  scatterAdd: { family: "index", strided: false },
  oneHot: { family: "index", strided: false },
  concat: { family: "index", strided: false },
  pad: { family: "index", strided: false },
  softmax: { family: "softmax", strided: false },
  logSoftmax: { family: "softmax", strided: false },
  softmaxCrossEntropy: { family: "softmax", strided: false },
  batchNormStats: { family: "norm", strided: false },
  batchNorm: { family: "norm", strided: false },
  batchNormGradSums: { family: "norm", strided: false },
  batchNormBackward: { family: "norm", strided: false },
};

export const PRIM_OPS = Object.keys(OP_INFO) as PrimOp[];
