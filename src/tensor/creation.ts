/**
 * Tensor creation. Random tensors are drawn on the host from a seeded Philox stream and uploaded, so a
 * given seed gives the same values on every backend.
 */
import { DTypeError, ShapeError, ValueError, checkShape, contiguousStrides, defaultRng, dtypeOfArray, fmt, hostArray, sizeOf, type DType, type Rng, type Shape, type TypedArray } from "../core/index.js";
import { getBackend, type Backend } from "../backend/index.js";
import { allocStorage, makeTensor, runOp } from "./dispatch.js";
import type { Tensor } from "./tensor.js";

export interface CreateOptions {
  readonly dtype?: DType;
  readonly requiresGrad?: boolean;
  readonly backend?: Backend;
}

/** Wraps a host typed array (copied) as a tensor of `shape`. */
export function fromArray(data: TypedArray | readonly number[], shape?: Shape, opts: CreateOptions = {}): Tensor {
  const dtype = opts.dtype ?? (ArrayBuffer.isView(data) ? dtypeOfArray(data) : "float32");
  const s = shape ?? [data.length];
  checkShape("fromArray", s);
  if (sizeOf(s) !== data.length) {
    throw new ShapeError(`fromArray: ${data.length} values do not fill shape ${fmt(s)} (${sizeOf(s)} elements)`);
  }
  let host: TypedArray;
  if (ArrayBuffer.isView(data) && dtypeOfArray(data) === dtype) host = data;
  else {
    host = hostArray(dtype, data.length);
    for (let i = 0; i < data.length; i++) host[i] = dtype === "bool" ? (data[i] ? 1 : 0) : data[i];
  }
  const backend = opts.backend ?? getBackend();
  const storage = allocStorage(backend, dtype, host.length);
  backend.write(storage.buf, host);
  const t = makeTensor({ storage, shape: s, strides: contiguousStrides(s), offset: 0 });
  if (opts.requiresGrad) t.requiresGrad = true;
  return t;
}

type Nested = number | boolean | readonly Nested[];

function inferShape(x: Nested): number[] {
  const shape: number[] = [];
  let cur: Nested = x;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = cur[0] as Nested;
  }
  return shape;
}

/** Creates a tensor from a number, nested arrays or a typed array (PyTorch's `torch.tensor`). */
export function tensor(data: Nested | TypedArray, opts: CreateOptions = {}): Tensor {
  if (ArrayBuffer.isView(data)) return fromArray(data as TypedArray, undefined, opts);
  const shape = inferShape(data as Nested);
  const flat: number[] = [];
  const walk = (x: Nested, d: number): void => {
    if (Array.isArray(x)) {
      if (x.length !== shape[d]) throw new ShapeError(`tensor: ragged nested array: expected length ${shape[d]} at depth ${d}, got ${x.length}`);
      for (const v of x) walk(v, d + 1);
    } else {
      if (d !== shape.length) throw new ShapeError(`tensor: ragged nested array: a number at depth ${d}, expected depth ${shape.length}`);
      flat.push(typeof x === "boolean" ? Number(x) : (x as number));
    }
  };
  walk(data as Nested, 0);
  const dtype = opts.dtype ?? (typeof data === "boolean" ? "bool" : "float32");
  return fromArray(flat, shape, { ...opts, dtype });
}

/** A tensor of `shape` filled with `value`. */
export function full(shape: Shape, value: number, opts: CreateOptions = {}): Tensor {
  checkShape("full", shape);
  const dtype = opts.dtype ?? "float32";
  if (dtype === "int32" && !Number.isInteger(value)) throw new DTypeError(`full: value ${value} is not an integer but dtype is int32`);
  const t = runOp("fill", [], { attrs: { value }, shape, dtype, grad: false, backend: opts.backend ?? getBackend() });
  if (opts.requiresGrad) t.requiresGrad = true;
  return t;
}
export const zeros = (shape: Shape, opts: CreateOptions = {}): Tensor => full(shape, 0, opts);
/** A new tensor whose values will be overwritten (zero-filled, so never garbage). */
export const empty = (shape: Shape, opts: CreateOptions = {}): Tensor => full(shape, 0, opts);
export const ones = (shape: Shape, opts: CreateOptions = {}): Tensor => full(shape, 1, opts);
export const zerosLike = (t: Tensor, opts: CreateOptions = {}): Tensor => full(t.shape, 0, { dtype: t.dtype, backend: t.backend, ...opts });
export const onesLike = (t: Tensor, opts: CreateOptions = {}): Tensor => full(t.shape, 1, { dtype: t.dtype, backend: t.backend, ...opts });
export const fullLike = (t: Tensor, value: number, opts: CreateOptions = {}): Tensor => full(t.shape, value, { dtype: t.dtype, backend: t.backend, ...opts });

/** A 0-d tensor. */
export function scalar(value: number, opts: CreateOptions = {}): Tensor {
  return full([], value, opts);
}

/** Values start, start+step, ... < end (int32 when all arguments are integers, else float32). */
export function arange(start: number, end?: number, step = 1, opts: CreateOptions = {}): Tensor {
  if (end === undefined) [start, end] = [0, start];
  if (step === 0 || !Number.isFinite(step)) throw new ValueError(`arange: step must be finite and nonzero, got ${step}`);
  const n = Math.max(0, Math.ceil((end - start) / step));
  const dtype = opts.dtype ?? (Number.isInteger(start) && Number.isInteger(end) && Number.isInteger(step) ? "int32" : "float32");
  const host = hostArray(dtype, n);
  for (let i = 0; i < n; i++) host[i] = start + i * step;
  return fromArray(host, [n], { ...opts, dtype });
}

export interface RandomOptions extends CreateOptions {
  readonly rng?: Rng;
}

/** Uniform in [low, high). */
export function rand(shape: Shape, { low = 0, high = 1, rng = defaultRng(), ...opts }: RandomOptions & { low?: number; high?: number } = {}): Tensor {
  checkShape("rand", shape);
  return fromArray(rng.uniform(sizeOf(shape), low, high), shape, { ...opts, dtype: opts.dtype ?? "float32" });
}

/** Normal(mean, std). */
export function randn(shape: Shape, { mean = 0, std = 1, rng = defaultRng(), ...opts }: RandomOptions & { mean?: number; std?: number } = {}): Tensor {
  checkShape("randn", shape);
  return fromArray(rng.normal(sizeOf(shape), mean, std), shape, { ...opts, dtype: opts.dtype ?? "float32" });
}

/** Integers uniform in [low, high), int32. */
export function randint(low: number, high: number, shape: Shape, { rng = defaultRng(), ...opts }: RandomOptions = {}): Tensor {
  checkShape("randint", shape);
  return fromArray(rng.randint(sizeOf(shape), low, high), shape, { ...opts, dtype: "int32" });
}
