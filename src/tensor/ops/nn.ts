/**
 * Matmul, convolution, pooling, softmax family and index ops at the tensor level: shape checks with
 * errors that name the op and the shapes, output-size arithmetic, then one primitive each.
 */
import { DTypeError, ShapeError, ValueError, broadcastShapes, fmt, isContiguous, isFloat, normalizeAxis, sizeOf, type Shape } from "../../core/index.js";
import type { Conv2dAttrs, Pair, Pool2dAttrs } from "../../backend/index.js";
import { runOp } from "../dispatch.js";
import { fromArray } from "../creation.js";
import type { Tensor } from "../tensor.js";
import { runComposite } from "./composite.js";
import { cast } from "./elementwise.js";
import { contiguous, expand, reshape, squeeze, unsqueeze } from "./shape.js";

function checkFloat(op: string, ...ts: Tensor[]): void {
  for (const t of ts) if (!isFloat(t.dtype)) throw new DTypeError(`${op}: expected a float tensor, got ${t.dtype} tensor ${fmt(t.shape)}`);
  for (const t of ts) if (t.dtype !== ts[0].dtype) throw new DTypeError(`${op}: dtypes differ: ${ts[0].dtype} and ${t.dtype}`);
}

/** True when the last two axes of t are a transposed contiguous matrix (so the kernel reads it as-is). */
function isTransposedMatrix(t: Tensor): boolean {
  const r = t.rank;
  const [m, k] = [t.shape[r - 2], t.shape[r - 1]];
  return t.strides[r - 1] === m && t.strides[r - 2] === 1 && m > 1 && k > 1 && isContiguous(t.shape.slice(0, r - 2).concat([k, m]), t.strides.slice(0, r - 2).concat([m, 1]));
}

/**
 * Batched matrix product with NumPy semantics: [..., M, K] @ [..., K, N] -> [..., M, N], batch dims
 * broadcast; 1-D operands are promoted like NumPy (and the added axis removed).
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  checkFloat("matmul", a, b);
  if (a.rank === 0 || b.rank === 0) throw new ShapeError(`matmul: operands must have rank >= 1, got ${fmt(a.shape)} and ${fmt(b.shape)}`);
  if (a.rank === 1) return runComposite(() => squeeze(matmul(unsqueeze(a, 0), b), -2));
  if (b.rank === 1) return runComposite(() => squeeze(matmul(a, unsqueeze(b, 1)), -1));
  const [M, K] = a.shape.slice(-2);
  const [K2, N] = b.shape.slice(-2);
  if (K !== K2) throw new ShapeError(`matmul: ${fmt(a.shape)} x ${fmt(b.shape)}: inner dimensions ${K} and ${K2} differ`);
  const batch = broadcastShapes("matmul", a.shape.slice(0, -2), b.shape.slice(0, -2));
  const outShape = [...batch, M, N];
  return runComposite(() => {
    const B = sizeOf(batch);
    // Kernel operands are [B,M,K] and [B,K,N] (or their transposes as stored).
    const operand = (t: Tensor, rows: number, cols: number): { t: Tensor; trans: boolean } => {
      const full = t.rank - 2 === batch.length && t.shape.slice(0, -2).every((d, i) => d === batch[i]) ? t : expand(t, [...batch, rows, cols]);
      if (isContiguous(full.shape, full.strides)) return { t: reshape(full, [B, rows, cols]), trans: false };
      if (isTransposedMatrix(full)) return { t: full, trans: true };
      return { t: reshape(contiguous(full), [B, rows, cols]), trans: false };
    };
    const A = operand(a, M, K);
    const Bm = operand(b, K, N);
    const views = [A, Bm].map(({ t, trans }) => {
      const v = t.bufferView;
      if (!trans) return v;
      const [r, c] = v.shape.slice(-2);
      return { ...v, shape: [B, c, r], strides: [r * c, r, 1] };
    });
    const y = runOp("matmul", [a, b], {
      attrs: { transA: A.trans, transB: Bm.trans }, shape: [B, M, N], dtype: a.dtype, views,
      grad: { op: "matmul", attrs: {}, save: () => [a, b] },
    });
    return reshape(y, outShape);
  });
}

export interface Conv2dOptions {
  readonly stride?: number | Pair;
  readonly padding?: number | Pair;
  readonly dilation?: number | Pair;
  readonly groups?: number;
}

export const pair = (v: number | Pair): Pair => (typeof v === "number" ? [v, v] : v);

/** Output size of a conv/pool window: floor((W + 2P - D*(K-1) - 1) / S) + 1 (CS231n's (W-K+2P)/S+1 with dilation). */
export function convOutSize(w: number, k: number, s: number, p: number, d = 1): number {
  return Math.floor((w + 2 * p - d * (k - 1) - 1) / s) + 1;
}

export function conv2dAttrs(o: Conv2dOptions): Conv2dAttrs {
  const a = { stride: pair(o.stride ?? 1), padding: pair(o.padding ?? 0), dilation: pair(o.dilation ?? 1), groups: o.groups ?? 1 };
  for (const [k, v] of [["stride", a.stride], ["dilation", a.dilation]] as const) {
    if (!v.every((x) => Number.isInteger(x) && x >= 1)) throw new ValueError(`conv2d: ${k} must be integers >= 1, got ${fmt(v)}`);
  }
  if (!a.padding.every((x) => Number.isInteger(x) && x >= 0)) throw new ValueError(`conv2d: padding must be integers >= 0, got ${fmt(a.padding)}`);
  if (!(Number.isInteger(a.groups) && a.groups >= 1)) throw new ValueError(`conv2d: groups must be an integer >= 1, got ${a.groups}`);
  return a;
}

/** 2-D cross-correlation of x [N,C,H,W] with w [O,C/groups,KH,KW] -> [N,O,HO,WO]. */
export function conv2d(x: Tensor, w: Tensor, opts: Conv2dOptions = {}): Tensor {
  checkFloat("conv2d", x, w);
  const a = conv2dAttrs(opts);
  if (x.rank !== 4) throw new ShapeError(`conv2d: input must be [N,C,H,W], got ${fmt(x.shape)}`);
  if (w.rank !== 4) throw new ShapeError(`conv2d: weight must be [O,C/groups,KH,KW], got ${fmt(w.shape)}`);
  const [N, C, H, W] = x.shape;
  const [O, Cg, KH, KW] = w.shape;
  if (C !== Cg * a.groups) {
    throw new ShapeError(`conv2d: input ${fmt(x.shape)} has ${C} channels, weight ${fmt(w.shape)} with groups=${a.groups} expects ${Cg * a.groups}`);
  }
  if (O % a.groups !== 0) throw new ShapeError(`conv2d: ${O} output channels are not divisible by groups=${a.groups}`);
  const HO = convOutSize(H, KH, a.stride[0], a.padding[0], a.dilation[0]);
  const WO = convOutSize(W, KW, a.stride[1], a.padding[1], a.dilation[1]);
  if (HO < 1 || WO < 1) {
    throw new ShapeError(`conv2d: input ${fmt(x.shape)} is too small for kernel ${KH}x${KW} (dilation ${fmt(a.dilation)}, padding ${fmt(a.padding)}): output would be ${HO}x${WO}`);
  }
  return runOp("conv2d", [x, w], { attrs: a, shape: [N, O, HO, WO], dtype: x.dtype, grad: { op: "conv2d", attrs: a, save: () => [x, w] } });
}

/** Gradient of conv2d w.r.t. its input (a transposed convolution). Not differentiable itself. */
export function conv2dBackwardInput(gy: Tensor, w: Tensor, a: Conv2dAttrs, inputShape: Shape): Tensor {
  return runOp("conv2dBackwardInput", [gy, w], { attrs: { ...a, inputShape }, shape: inputShape, dtype: gy.dtype, grad: false });
}
/** Gradient of conv2d w.r.t. its weight. Not differentiable itself. */
export function conv2dBackwardWeight(x: Tensor, gy: Tensor, a: Conv2dAttrs, weightShape: Shape): Tensor {
  return runOp("conv2dBackwardWeight", [x, gy], { attrs: { ...a, weightShape }, shape: weightShape, dtype: gy.dtype, grad: false });
}

export interface Pool2dOptions {
  readonly stride?: number | Pair;
  readonly padding?: number | Pair;
  readonly countIncludePad?: boolean;
}

function poolSetup(op: string, x: Tensor, kernel: number | Pair, o: Pool2dOptions): { a: Pool2dAttrs; shape: number[] } {
  checkFloat(op, x);
  if (x.rank !== 4) throw new ShapeError(`${op}: input must be [N,C,H,W], got ${fmt(x.shape)}`);
  const k = pair(kernel);
  const a: Pool2dAttrs = { kernel: k, stride: pair(o.stride ?? k), padding: pair(o.padding ?? 0), countIncludePad: o.countIncludePad ?? true };
  if (![...a.kernel, ...a.stride].every((v) => Number.isInteger(v) && v >= 1)) {
    throw new ValueError(`${op}: kernel and stride must be integers >= 1, got kernel ${fmt(a.kernel)} stride ${fmt(a.stride)}`);
  }
  if (!a.padding.every((p, i) => Number.isInteger(p) && p >= 0 && p * 2 <= a.kernel[i])) {
    throw new ValueError(`${op}: padding ${fmt(a.padding)} must be integers in [0, kernel/2] for kernel ${fmt(a.kernel)}`);
  }
  const [N, C, H, W] = x.shape;
  const HO = convOutSize(H, k[0], a.stride[0], a.padding[0]);
  const WO = convOutSize(W, k[1], a.stride[1], a.padding[1]);
  if (HO < 1 || WO < 1) throw new ShapeError(`${op}: input ${fmt(x.shape)} is smaller than the ${k[0]}x${k[1]} window`);
  return { a, shape: [N, C, HO, WO] };
}

export function maxPool2d(x: Tensor, kernel: number | Pair, o: Pool2dOptions = {}): Tensor {
  const { a, shape } = poolSetup("maxPool2d", x, kernel, o);
  return runOp("maxPool2d", [x], { attrs: a, shape, dtype: x.dtype, grad: { op: "maxPool2d", attrs: a, save: () => [x] } });
}
export function maxPool2dBackward(gy: Tensor, x: Tensor, a: Pool2dAttrs): Tensor {
  return runOp("maxPool2dBackward", [gy, x], { attrs: a, shape: x.shape, dtype: gy.dtype, grad: false });
}
export function avgPool2d(x: Tensor, kernel: number | Pair, o: Pool2dOptions = {}): Tensor {
  const { a, shape } = poolSetup("avgPool2d", x, kernel, o);
  return runOp("avgPool2d", [x], { attrs: a, shape, dtype: x.dtype, grad: { op: "avgPool2d", attrs: a } });
}
export function avgPool2dBackward(gy: Tensor, a: Pool2dAttrs, inputShape: Shape): Tensor {
  return runOp("avgPool2dBackward", [gy], { attrs: { ...a, inputShape }, shape: inputShape, dtype: gy.dtype, grad: false });
}

function softmaxLike(op: "softmax" | "logSoftmax", x: Tensor, axis: number): Tensor {
  checkFloat(op, x);
  const a = normalizeAxis(op, axis, x.rank, x.shape);
  return runOp(op, [x], { attrs: { axis: a }, shape: x.shape, dtype: x.dtype, grad: { op, attrs: { axis: a }, save: (o) => [o] } });
}
export const softmax = (x: Tensor, axis = -1): Tensor => softmaxLike("softmax", x, axis);
export const logSoftmax = (x: Tensor, axis = -1): Tensor => softmaxLike("logSoftmax", x, axis);

/** Per-example softmax cross-entropy, fused: logits [N,C], int32 labels [N] -> losses [N]. */
export function softmaxCrossEntropy(logits: Tensor, labels: Tensor): Tensor {
  checkFloat("softmaxCrossEntropy", logits);
  if (logits.rank !== 2) throw new ShapeError(`softmaxCrossEntropy: logits must be [N,C], got ${fmt(logits.shape)}`);
  if (labels.dtype !== "int32") throw new DTypeError(`softmaxCrossEntropy: labels must be int32 class indices, got ${labels.dtype}`);
  if (labels.rank !== 1 || labels.shape[0] !== logits.shape[0]) {
    throw new ShapeError(`softmaxCrossEntropy: labels ${fmt(labels.shape)} do not match logits ${fmt(logits.shape)} (expected [${logits.shape[0]}])`);
  }
  return runOp("softmaxCrossEntropy", [logits, labels], {
    attrs: {}, shape: [logits.shape[0]], dtype: logits.dtype,
    grad: { op: "softmaxCrossEntropy", attrs: {}, save: () => [logits, labels] },
  });
}

function checkIndexTensor(op: string, x: Tensor, index: Tensor, axis: number): void {
  if (index.dtype !== "int32") throw new DTypeError(`${op}: index must be int32, got ${index.dtype}`);
  if (index.rank !== x.rank || index.shape.some((d, i) => i !== axis && d > x.shape[i])) {
    throw new ShapeError(`${op}: index ${fmt(index.shape)} must have the rank of ${fmt(x.shape)} and no larger size off axis ${axis}`);
  }
}

/** out[..i..] = x[..index[..i..]..] along `axis` (torch.gather). */
export function gather(x: Tensor, axis: number, index: Tensor): Tensor {
  const a = normalizeAxis("gather", axis, x.rank, x.shape);
  checkIndexTensor("gather", x, index, a);
  if (index.shape.some((d, i) => i !== a && d !== x.shape[i])) {
    throw new ShapeError(`gather: index ${fmt(index.shape)} must match input ${fmt(x.shape)} on every axis but ${a}`);
  }
  return runOp("gather", [x, index], { attrs: { axis: a }, shape: index.shape, dtype: x.dtype, grad: { op: "gather", attrs: { axis: a }, save: () => [index] } });
}

/**
 * Reverses `x` along each of `axes` (torch.flip), e.g. `flip(images, 3)` mirrors NCHW images left to
 * right (test-time augmentation). A gather with a reversed index, so gradients flow back through it.
 */
export function flip(x: Tensor, axes: number | readonly number[]): Tensor {
  const list = (typeof axes === "number" ? [axes] : [...axes]).map((a) => normalizeAxis("flip", a, x.rank, x.shape));
  return runComposite(() => {
    let y = x;
    for (const a of new Set(list)) {
      const n = x.shape[a];
      const rev = Int32Array.from({ length: n }, (_, i) => n - 1 - i);
      const idx = expand(reshape(fromArray(rev, [n], { dtype: "int32", backend: x.backend }), x.shape.map((d, i) => (i === a ? n : 1))), x.shape);
      y = gather(y, a, idx);
    }
    return y === x ? contiguous(x) : y;
  });
}

/** out = base, then out[..index[..i..]..] += src[..i..] along `axis` (torch.scatter_add). */
export function scatterAdd(base: Tensor, axis: number, index: Tensor, src: Tensor): Tensor {
  const a = normalizeAxis("scatterAdd", axis, base.rank, base.shape);
  checkIndexTensor("scatterAdd", base, index, a);
  if (src.rank !== index.rank || src.shape.some((d, i) => d < index.shape[i])) {
    throw new ShapeError(`scatterAdd: src ${fmt(src.shape)} must be at least as large as index ${fmt(index.shape)}`);
  }
  return runComposite(() => {
    const s = cast(src, base.dtype);
    return runOp("scatterAdd", [base, index, s], { attrs: { axis: a }, shape: base.shape, dtype: base.dtype, grad: { op: "scatterAdd", attrs: { axis: a }, save: () => [index] } });
  });
}

export function oneHot(index: Tensor, numClasses: number): Tensor {
  if (index.dtype !== "int32") throw new DTypeError(`oneHot: indices must be int32, got ${index.dtype}`);
  if (!(Number.isInteger(numClasses) && numClasses >= 1)) throw new ValueError(`oneHot: numClasses must be an integer >= 1, got ${numClasses}`);
  return runOp("oneHot", [index], { attrs: { numClasses }, shape: [...index.shape, numClasses], dtype: "float32", grad: false });
}
