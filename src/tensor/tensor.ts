/**
 * Tensor = a view (shape, strides, offset) of refcounted backend storage, plus autograd state.
 * Methods are thin delegates to the functions in ./ops (the functional API is the source of truth).
 *
 * Memory: every tensor is tracked by the innermost open `scope`; `keep()` makes it persistent;
 * `dispose()` (or `using`) releases its storage reference and its graph node reference.
 */
import { DTypeError, DisposedError, GanglionError, ShapeError, ValueError, fmt, isFloat, sizeOf, type DType, type Pair, type Shape, type TypedArray } from "../core/index.js";
import type { Backend, Storage, View } from "../backend/index.js";
import { makeTensor, runOp, setTensorClass, type TensorInit } from "./dispatch.js";
import type { GradNode } from "./graph.js";
import { keepTensor, trackTensor, untrackTensor } from "./scope.js";
import * as E from "./ops/elementwise.js";
import * as N from "./ops/nn.js";
import * as R from "./ops/reduce.js";
import * as S from "./ops/shape.js";

type TensorLike = E.TensorLike;

export interface BackwardOptions {
  /** Keep saved tensors so backward can run through this graph again. */
  readonly retainGraph?: boolean;
}
export type BackwardFn = (root: Tensor, grad: Tensor | undefined, opts: BackwardOptions) => void;
let backwardImpl: BackwardFn | undefined;
/** Installed once by src/index.ts: the tensor layer cannot import autograd (it sits above). */
export function installBackward(fn: BackwardFn): void {
  backwardImpl = fn;
}

let nextId = 0;

export class Tensor {
  readonly id = nextId++;
  readonly shape: Shape;
  readonly strides: readonly number[];
  readonly offset: number;
  /** Optional name (parameters get their dotted path) used in error messages. */
  name: string | undefined;
  /** Accumulated gradient of a leaf after backward(); persistent, owned by this tensor. */
  grad: Tensor | null = null;
  #storage: Storage;
  #requiresGrad = false;
  #gradFn: GradNode | null = null;
  #disposed = false;
  #persistent = false;

  constructor(init: TensorInit) {
    this.#storage = init.storage;
    this.shape = init.shape;
    this.strides = init.strides;
    this.offset = init.offset;
    trackTensor(this);
  }

  get dtype(): DType { return this.#storage.dtype; }
  get backend(): Backend { return this.#storage.backend; }
  /** Internal: the refcounted storage behind this view. */
  get storage(): Storage { return this.#storage; }
  get bufferView(): View { return { buf: this.#storage.buf, dtype: this.dtype, shape: this.shape, strides: this.strides, offset: this.offset }; }
  get rank(): number { return this.shape.length; }
  get size(): number { return sizeOf(this.shape); }
  get disposed(): boolean { return this.#disposed; }
  get persistent(): boolean { return this.#persistent; }
  get gradFn(): GradNode | null { return this.#gradFn; }
  /** A leaf is a tensor not produced by a recorded op (parameters, inputs). */
  get isLeaf(): boolean { return this.#gradFn === null; }
  get requiresGrad(): boolean { return this.#requiresGrad; }
  set requiresGrad(v: boolean) {
    if (v && !isFloat(this.dtype)) throw new DTypeError(`requiresGrad: only float tensors can require gradients, got ${this.dtype} ${fmt(this.shape)}`);
    if (!v && this.#gradFn) throw new GanglionError("requiresGrad: cannot turn off gradients of a non-leaf tensor; use detach()");
    this.#requiresGrad = v;
  }

  /** Internal (dispatch): makes this tensor the output of `node`. */
  setGradFn(node: GradNode): void {
    this.#gradFn = node;
    this.#requiresGrad = true;
  }

  assertAlive(op: string): void {
    if (this.#disposed) throw new DisposedError(`${op}: tensor ${this.name ?? `#${this.id}`} ${fmt(this.shape)} was used after dispose()`);
  }

  /** Internal: a persistent handle on the same storage, owned by a graph node. */
  savedHandle(): Tensor {
    this.assertAlive("save for backward");
    const t = makeTensor({ storage: this.#storage.retain(), shape: this.shape, strides: this.strides, offset: this.offset });
    return t.keep();
  }

  /** Marks this tensor persistent: no scope frees it (parameters, optimizer state). */
  keep(): this {
    this.#persistent = true;
    keepTensor(this);
    return this;
  }

  /** Releases the storage reference and the graph node. Idempotent. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    untrackTensor(this);
    this.#storage.release();
    const node = this.#gradFn;
    this.#gradFn = null;
    node?.release();
    this.grad?.dispose();
    this.grad = null;
  }
  [Symbol.dispose](): void {
    this.dispose();
  }

  /** Contiguous host copy of the values (works on every backend). */
  async data(): Promise<TypedArray> {
    this.assertAlive("data");
    return this.backend.read(this.bufferView);
  }
  /** Synchronous host copy; only on synchronous backends (reference, wasm). */
  dataSync(): TypedArray {
    this.assertAlive("dataSync");
    if (!this.backend.synchronous) throw new GanglionError(`dataSync: backend '${this.backend.name}' is asynchronous; use await t.data()`);
    return this.backend.readSync(this.bufferView);
  }
  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new ShapeError(`item: tensor ${fmt(this.shape)} has ${this.size} elements, expected 1`);
    return this.dataSync()[0];
  }
  /** Nested JS arrays (for printing and tests). */
  toArray(): number | unknown[] {
    const d = this.dataSync();
    const build = (dim: number, off: number): number | unknown[] => {
      if (dim === this.rank) return d[off];
      const step = sizeOf(this.shape.slice(dim + 1));
      return Array.from({ length: this.shape[dim] }, (_, i) => build(dim + 1, off + i * step));
    };
    return build(0, 0);
  }
  toString(): string {
    return `Tensor(${fmt(this.shape)}, ${this.dtype}${this.#requiresGrad ? ", requiresGrad" : ""})`;
  }

  /** Reverse-mode autodiff from this tensor (a scalar unless `grad` is given). */
  backward(grad?: Tensor, opts: BackwardOptions = {}): void {
    if (!backwardImpl) throw new GanglionError("backward: no autograd engine installed (import ganglion through its index)");
    backwardImpl(this, grad, opts);
  }
  /** A view sharing storage with no gradient history. */
  detach(): Tensor {
    this.assertAlive("detach");
    return makeTensor({ storage: this.#storage.retain(), shape: this.shape, strides: this.strides, offset: this.offset });
  }
  /** A copy with its own storage (a graph identity). */
  clone(): Tensor {
    return runOp("copy", [this], { attrs: {}, shape: this.shape, dtype: this.dtype, grad: { op: "copy", attrs: {} } });
  }
  /** Overwrites this tensor's values with `src` (broadcast), in place, outside autograd (optimizer updates). */
  assign(src: Tensor): this {
    this.assertAlive("assign");
    src.assertAlive("assign");
    if (this.offset !== 0 || !this.isContiguousLayout()) throw new ValueError(`assign: target ${fmt(this.shape)} must be a contiguous tensor`);
    this.backend.exec("copy", [E.broadcastView(src, this.shape)], this.bufferView, {});
    return this;
  }
  private isContiguousLayout(): boolean {
    let s = 1;
    for (let i = this.rank - 1; i >= 0; i--) {
      if (this.shape[i] !== 1 && this.strides[i] !== s) return false;
      s *= this.shape[i];
    }
    return true;
  }

  // ---- elementwise ----
  neg(): Tensor { return E.unary("neg", this); }
  abs(): Tensor { return E.unary("abs", this); }
  sign(): Tensor { return E.unary("sign", this); }
  exp(): Tensor { return E.unary("exp", this); }
  log(): Tensor { return E.unary("log", this); }
  sqrt(): Tensor { return E.unary("sqrt", this); }
  rsqrt(): Tensor { return E.unary("rsqrt", this); }
  reciprocal(): Tensor { return E.unary("reciprocal", this); }
  square(): Tensor { return E.unary("square", this); }
  tanh(): Tensor { return E.unary("tanh", this); }
  sigmoid(): Tensor { return E.unary("sigmoid", this); }
  relu(): Tensor { return E.unary("relu", this); }
  erf(): Tensor { return E.unary("erf", this); }
  sin(): Tensor { return E.unary("sin", this); }
  cos(): Tensor { return E.unary("cos", this); }
  floor(): Tensor { return E.unary("floor", this); }
  ceil(): Tensor { return E.unary("ceil", this); }
  round(): Tensor { return E.unary("round", this); }
  isFinite(): Tensor { return E.unary("isFinite", this); }
  logicalNot(): Tensor { return E.unary("logicalNot", this); }
  add(b: TensorLike): Tensor { return E.binary("add", this, b); }
  sub(b: TensorLike): Tensor { return E.binary("sub", this, b); }
  mul(b: TensorLike): Tensor { return E.binary("mul", this, b); }
  div(b: TensorLike): Tensor { return E.binary("div", this, b); }
  pow(b: TensorLike): Tensor { return E.binary("pow", this, b); }
  maximum(b: TensorLike): Tensor { return E.binary("maximum", this, b); }
  minimum(b: TensorLike): Tensor { return E.binary("minimum", this, b); }
  eq(b: TensorLike): Tensor { return E.binary("eq", this, b); }
  ne(b: TensorLike): Tensor { return E.binary("ne", this, b); }
  lt(b: TensorLike): Tensor { return E.binary("lt", this, b); }
  le(b: TensorLike): Tensor { return E.binary("le", this, b); }
  gt(b: TensorLike): Tensor { return E.binary("gt", this, b); }
  ge(b: TensorLike): Tensor { return E.binary("ge", this, b); }
  clamp(min?: number, max?: number): Tensor { return E.clamp(this, min, max); }
  cast(dtype: DType): Tensor { return E.cast(this, dtype); }

  // ---- reductions ----
  sum(axes?: R.Axes, o?: R.ReduceOptions): Tensor { return R.sum(this, axes, o); }
  mean(axes?: R.Axes, o?: R.ReduceOptions): Tensor { return R.mean(this, axes, o); }
  max(axes?: R.Axes, o?: R.ReduceOptions): Tensor { return R.max(this, axes, o); }
  min(axes?: R.Axes, o?: R.ReduceOptions): Tensor { return R.min(this, axes, o); }
  var(axes?: R.Axes, o?: R.VarOptions): Tensor { return R.variance(this, axes, o); }
  std(axes?: R.Axes, o?: R.VarOptions): Tensor { return R.std(this, axes, o); }
  logsumexp(axes?: R.Axes, o?: R.ReduceOptions): Tensor { return R.logsumexp(this, axes, o); }
  argmax(axis?: number, o?: R.ReduceOptions): Tensor { return R.argmax(this, axis, o); }
  argmin(axis?: number, o?: R.ReduceOptions): Tensor { return R.argmin(this, axis, o); }

  // ---- shape ----
  reshape(shape: Shape): Tensor { return S.reshape(this, shape); }
  permute(dims: readonly number[]): Tensor { return S.permute(this, dims); }
  transpose(dim0 = -2, dim1 = -1): Tensor { return S.transpose(this, dim0, dim1); }
  get T(): Tensor { return S.transpose(this, -2, -1); }
  expand(shape: Shape): Tensor { return S.expand(this, shape); }
  unsqueeze(axis: number): Tensor { return S.unsqueeze(this, axis); }
  squeeze(axis?: number): Tensor { return S.squeeze(this, axis); }
  flatten(start = 0, end = -1): Tensor { return S.flatten(this, start, end); }
  slice(starts: readonly number[], ends?: readonly number[]): Tensor { return S.slice(this, starts, ends); }
  narrow(axis: number, start: number, length: number): Tensor { return S.narrow(this, axis, start, length); }
  contiguous(): Tensor { return S.contiguous(this); }
  pad(pads: readonly Pair[], value = 0): Tensor { return S.pad(this, pads, value); }

  // ---- nn primitives ----
  matmul(b: Tensor): Tensor { return N.matmul(this, b); }
  softmax(axis = -1): Tensor { return N.softmax(this, axis); }
  logSoftmax(axis = -1): Tensor { return N.logSoftmax(this, axis); }
  gather(axis: number, index: Tensor): Tensor { return N.gather(this, axis, index); }
}

setTensorClass(Tensor);
