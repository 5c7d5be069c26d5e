/** Elementwise ops: unary, binary with NumPy broadcasting and dtype promotion, where, cast, clamp. */
import { DTypeError, broadcastShapes, isFloat, promote, shapesEqual, type DType, type Shape } from "../../core/index.js";
import { BOOL_RESULT_BINARY, BOOL_RESULT_UNARY, FLOAT_ONLY_UNARY, type BinaryOp, type UnaryOp, type View } from "../../backend/index.js";
import { scalar } from "../creation.js";
import { isTensor, runOp } from "../dispatch.js";
import type { DiffOp } from "../graph.js";
import type { Tensor } from "../tensor.js";
import { runComposite } from "./composite.js";

export type TensorLike = Tensor | number;

/** What each differentiable unary op saves for its backward rule. */
const UNARY_SAVES: Partial<Record<UnaryOp, "x" | "out">> = {
  abs: "x", exp: "out", log: "x", sqrt: "out", rsqrt: "out", reciprocal: "out", square: "x", tanh: "out",
  sigmoid: "out", relu: "out", erf: "x", sin: "x", cos: "x",
};
const DIFF_UNARY: ReadonlySet<UnaryOp> = new Set([...Object.keys(UNARY_SAVES), "neg"] as UnaryOp[]);

/** Turns a number into a 0-d tensor next to `like` (float32 unless both are integral). */
export function toTensor(x: TensorLike, like?: Tensor): Tensor {
  if (isTensor(x)) return x;
  const dtype: DType = like?.dtype === "float64" ? "float64" : like && !isFloat(like.dtype) && Number.isInteger(x) ? "int32" : "float32";
  return scalar(x, { dtype, backend: like?.backend });
}

/** A kernel view of `t` broadcast to `shape` (stride 0 on broadcast dimensions). */
export function broadcastView(t: Tensor, shape: Shape): View {
  const v = t.bufferView;
  if (shapesEqual(v.shape, shape)) return v;
  const lead = shape.length - v.shape.length;
  const strides = shape.map((d, i) => (i < lead || v.shape[i - lead] === 1 ? 0 : v.strides[i - lead]));
  return { ...v, shape, strides };
}

export function cast(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return x;
  return runOp("cast", [x], { attrs: { dtype }, shape: x.shape, dtype, grad: false });
}

export function unary(op: UnaryOp, x: Tensor): Tensor {
  const floatOnly = FLOAT_ONLY_UNARY.has(op) && !isFloat(x.dtype);
  return runComposite(() => {
    const src = floatOnly ? cast(x, "float32") : x.dtype === "bool" && !BOOL_RESULT_UNARY.has(op) ? cast(x, "int32") : x;
    const dtype: DType = BOOL_RESULT_UNARY.has(op) ? "bool" : src.dtype;
    const saves = UNARY_SAVES[op];
    const grad = DIFF_UNARY.has(op)
      ? { op: op as DiffOp & UnaryOp, attrs: {}, save: saves === "x" ? () => [src] : saves === "out" ? (o: Tensor) => [o] : undefined }
      : false;
    return runOp(op, [src], { attrs: {}, shape: x.shape, dtype, grad });
  });
}

const BINARY_SAVES: Partial<Record<BinaryOp, "ab" | "abo">> = { mul: "ab", div: "ab", pow: "abo", maximum: "ab", minimum: "ab" };
const DIFF_BINARY: ReadonlySet<BinaryOp> = new Set(["add", "sub", "mul", "div", "pow", "maximum", "minimum"]);

export function binary(op: BinaryOp, a: TensorLike, b: TensorLike): Tensor {
  return runComposite(() => {
    const A0 = isTensor(a) ? a : toTensor(a, isTensor(b) ? b : undefined);
    const B0 = isTensor(b) ? b : toTensor(b, A0);
    const shape = broadcastShapes(op, A0.shape, B0.shape);
    let dtype = promote(A0.dtype, B0.dtype);
    if (op === "div" && !isFloat(dtype)) dtype = "float32";
    else if (dtype === "bool" && !BOOL_RESULT_BINARY.has(op)) dtype = "int32";
    const A = cast(A0, dtype);
    const B = cast(B0, dtype);
    const outDtype: DType = BOOL_RESULT_BINARY.has(op) ? "bool" : dtype;
    const saves = BINARY_SAVES[op];
    const grad = DIFF_BINARY.has(op)
      ? { op: op as DiffOp & BinaryOp, attrs: {}, save: saves === "ab" ? () => [A, B] : saves === "abo" ? (o: Tensor) => [A, B, o] : undefined }
      : false;
    return runOp(op, [A, B], { attrs: {}, shape, dtype: outDtype, views: [broadcastView(A, shape), broadcastView(B, shape)], grad });
  });
}

/** where(cond, a, b): a where cond is nonzero, else b; all three broadcast. */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  return runComposite(() => {
    const A0 = isTensor(a) ? a : toTensor(a, isTensor(b) ? b : undefined);
    const B0 = isTensor(b) ? b : toTensor(b, A0);
    const shape = broadcastShapes("where", broadcastShapes("where", cond.shape, A0.shape), B0.shape);
    const dtype = promote(A0.dtype, B0.dtype);
    const A = cast(A0, dtype);
    const B = cast(B0, dtype);
    return runOp("where", [cond, A, B], {
      attrs: {}, shape, dtype,
      views: [broadcastView(cond, shape), broadcastView(A, shape), broadcastView(B, shape)],
      grad: { op: "where", attrs: {}, save: () => [cond] },
    });
  });
}

/** Clamps into [min, max] (either bound optional); composed from maximum/minimum. */
export function clamp(x: Tensor, min?: number, max?: number): Tensor {
  if (min !== undefined && max !== undefined && min > max) throw new DTypeError(`clamp: min ${min} > max ${max}`);
  return runComposite(() => {
    let y = x;
    if (min !== undefined) y = binary("maximum", y, min);
    if (max !== undefined) y = binary("minimum", y, max);
    return y === x ? binary("add", x, 0) : y;
  });
}
