/** Reductions over axes: sum/max/min primitives; mean, var, std, logsumexp composed from them. */
import { DTypeError, isFloat, normalizeAxes, normalizeAxis, sizeOf, type DType } from "../../core/index.js";
import type { ReduceOp } from "../../backend/index.js";
import { runOp } from "../dispatch.js";
import type { Tensor } from "../tensor.js";
import { runComposite } from "./composite.js";
import { binary, cast, unary, where } from "./elementwise.js";
import { reshape } from "./shape.js";

export type Axes = number | readonly number[] | undefined;
export interface ReduceOptions {
  readonly keepDims?: boolean;
}

function reduceOp(op: ReduceOp, x: Tensor, axes: Axes, keepDims: boolean): Tensor {
  const ax = normalizeAxes(op, axes, x.rank, x.shape);
  if (op !== "sum" && ax.some((a) => x.shape[a] === 0)) {
    throw new DTypeError(`${op}: cannot reduce an empty axis of tensor [${x.shape.join(",")}]`);
  }
  const kshape = x.shape.map((d, i) => (ax.includes(i) ? 1 : d));
  const dtype: DType = x.dtype === "bool" ? "int32" : x.dtype;
  return runComposite(() => {
    const src = cast(x, dtype);
    const out = runOp(op, [src], {
      attrs: { axes: ax }, shape: kshape, dtype,
      grad: { op, attrs: { axes: ax }, save: op === "sum" ? undefined : (o: Tensor) => [src, o] },
    });
    return keepDims ? out : reshape(out, x.shape.filter((_, i) => !ax.includes(i)));
  });
}

export const sum = (x: Tensor, axes?: Axes, o: ReduceOptions = {}): Tensor => reduceOp("sum", x, axes, o.keepDims ?? false);
export const max = (x: Tensor, axes?: Axes, o: ReduceOptions = {}): Tensor => reduceOp("max", x, axes, o.keepDims ?? false);
export const min = (x: Tensor, axes?: Axes, o: ReduceOptions = {}): Tensor => reduceOp("min", x, axes, o.keepDims ?? false);

function countOf(x: Tensor, axes: Axes): number {
  return sizeOf(normalizeAxes("mean", axes, x.rank, x.shape).map((a) => x.shape[a]));
}

export function mean(x: Tensor, axes?: Axes, o: ReduceOptions = {}): Tensor {
  const n = countOf(x, axes);
  return runComposite(() => binary("mul", sum(isFloat(x.dtype) ? x : cast(x, "float32"), axes, o), 1 / n));
}

export interface VarOptions extends ReduceOptions {
  /** Bessel's correction: 1 = unbiased (PyTorch's default), 0 = biased (what BatchNorm normalizes with). */
  readonly correction?: number;
}

export function variance(x: Tensor, axes?: Axes, { correction = 1, keepDims = false }: VarOptions = {}): Tensor {
  const n = countOf(x, axes);
  return runComposite(() => {
    const d = binary("sub", x, mean(x, axes, { keepDims: true }));
    return binary("mul", sum(unary("square", d), axes, { keepDims }), 1 / Math.max(n - correction, 0));
  });
}

export function std(x: Tensor, axes?: Axes, o: VarOptions = {}): Tensor {
  return runComposite(() => unary("sqrt", variance(x, axes, o)));
}

/** log(sum(exp(x))) computed stably as m + log(sum(exp(x - m))), m = max (detached; d/dm cancels). */
export function logsumexp(x: Tensor, axes?: Axes, { keepDims = false }: ReduceOptions = {}): Tensor {
  return runComposite(() => {
    const m0 = max(x, axes, { keepDims: true }).detach();
    const m = where(unary("isFinite", m0), m0, 0);
    const s = unary("log", sum(unary("exp", binary("sub", x, m)), axes, { keepDims: true }));
    const r = binary("add", s, m);
    return keepDims ? r : reshape(r, x.shape.filter((_, i) => !normalizeAxes("logsumexp", axes, x.rank).includes(i)));
  });
}

function argOp(op: "argmax" | "argmin", x: Tensor, axis: number | undefined, keepDims: boolean): Tensor {
  if (axis === undefined) return runComposite(() => argOp(op, reshape(x, [-1]), 0, false));
  const a = normalizeAxis(op, axis, x.rank, x.shape);
  const kshape = x.shape.map((d, i) => (i === a ? 1 : d));
  return runComposite(() => {
    const out = runOp(op, [isFloat(x.dtype) ? x : cast(x, "float32")], { attrs: { axis: a }, shape: kshape, dtype: "int32", grad: false });
    return keepDims ? out : reshape(out, x.shape.filter((_, i) => i !== a));
  });
}
export const argmax = (x: Tensor, axis?: number, o: ReduceOptions = {}): Tensor => argOp("argmax", x, axis, o.keepDims ?? false);
export const argmin = (x: Tensor, axis?: number, o: ReduceOptions = {}): Tensor => argOp("argmin", x, axis, o.keepDims ?? false);
