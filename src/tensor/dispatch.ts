/**
 * The single chokepoint every op goes through (tinygrad's Function.apply, tfjs's runKernel): it checks
 * backends, makes inputs contiguous for kernels that need it, allocates the output, runs the kernel and
 * records the autograd node. A later lazy/fusion layer slots in here without touching nn/ or optim/.
 */
import { GanglionError, ShapeError, contiguousStrides, fmt, isContiguous, sizeOf, type DType, type Shape } from "../core/index.js";
import { OP_INFO, Storage, getBackend, type Backend, type OpAttrs, type PrimOp, type View } from "../backend/index.js";
import { GradNode, type DiffOp, type Edge, type NodeAttrs } from "./graph.js";
import type { Tensor } from "./tensor.js";

export interface TensorInit {
  readonly storage: Storage;
  readonly shape: Shape;
  readonly strides: readonly number[];
  readonly offset: number;
}
export type TensorClass = new (init: TensorInit) => Tensor;

// NOTE: the Tensor class registers itself here (tensor.ts, at load) so that op modules can create
// tensors without importing tensor.ts, which imports them: this keeps the module graph acyclic.
let TensorCtor: TensorClass | undefined;
export function setTensorClass(c: TensorClass): void {
  TensorCtor = c;
}
export function makeTensor(init: TensorInit): Tensor {
  if (!TensorCtor) throw new GanglionError("tensor class not registered (import ganglion through its index)");
  return new TensorCtor(init);
}
export function isTensor(x: unknown): x is Tensor {
  return TensorCtor !== undefined && x instanceof TensorCtor;
}

let gradEnabled = true;
/** Runs `fn` without recording autograd nodes (evaluation, optimizer updates). */
export function noGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}
/** Re-enables recording inside a noGrad region. */
export function enableGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = true;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Allocates storage, flushing the backend's pool and retrying once before failing with live bytes. */
export function allocStorage(backend: Backend, dtype: DType, size: number): Storage {
  try {
    return new Storage(backend, dtype, size);
  } catch (e) {
    backend.flushPool();
    try {
      return new Storage(backend, dtype, size);
    } catch {
      const m = backend.memory();
      throw new GanglionError(
        `out of memory on backend '${backend.name}' allocating ${size} x ${dtype}: ${m.liveBytes} bytes live in ${m.liveBuffers} buffers (${String(e)})`,
      );
    }
  }
}

export interface GradSpec<K extends DiffOp> {
  readonly op: K;
  readonly attrs: NodeAttrs[K];
  /** Tensors the backward rule needs; called with the output. */
  readonly save?: (out: Tensor) => Tensor[];
}

export interface RunOpOptions<K extends PrimOp, G extends DiffOp> {
  readonly attrs: OpAttrs[K];
  readonly shape: Shape;
  readonly dtype: DType;
  /** Kernel views to use instead of the inputs' own (e.g. broadcast stride-0 views). */
  readonly views?: readonly View[];
  /** Graph node to record when grad mode is on and an input requires grad; false for non-differentiable ops. */
  readonly grad: GradSpec<G> | false;
  readonly backend?: Backend;
}

function backendOf(op: string, inputs: readonly Tensor[]): Backend {
  const b = inputs[0]?.backend ?? getBackend();
  for (const t of inputs) {
    if (t.backend !== b) {
      throw new GanglionError(`${op}: inputs live on different backends ('${b.name}' and '${t.backend.name}'); move one with .to(name)`);
    }
  }
  return b;
}

/** Runs primitive `op` on `inputs`, returning a new contiguous tensor (see module comment). */
export function runOp<K extends PrimOp, G extends DiffOp = never>(op: K, inputs: readonly Tensor[], o: RunOpOptions<K, G>): Tensor {
  for (const t of inputs) t.assertAlive(op);
  const backend = o.backend ?? backendOf(op, inputs);
  let views = o.views ?? inputs.map((t) => t.bufferView);
  const temps: Storage[] = [];
  if (!OP_INFO[op].strided) {
    views = views.map((v) => {
      if (isContiguous(v.shape, v.strides)) return v;
      const s = allocStorage(backend, v.dtype, sizeOf(v.shape));
      temps.push(s);
      const cv: View = { buf: s.buf, dtype: v.dtype, shape: v.shape, strides: contiguousStrides(v.shape), offset: 0 };
      backend.exec("copy", [v], cv, {});
      return cv;
    });
  }
  const storage = allocStorage(backend, o.dtype, sizeOf(o.shape));
  const outView: View = { buf: storage.buf, dtype: o.dtype, shape: o.shape, strides: contiguousStrides(o.shape), offset: 0 };
  try {
    backend.exec(op, views, outView, o.attrs);
  } catch (e) {
    storage.release();
    throw e;
  } finally {
    for (const s of temps) s.release();
  }
  const out = makeTensor({ storage, shape: o.shape, strides: outView.strides, offset: 0 });
  if (o.grad) maybeRecord(out, inputs, o.grad);
  return out;
}

/** Records `spec` as out's gradFn if grad mode is on and any float input requires grad. */
export function maybeRecord<G extends DiffOp>(out: Tensor, inputs: readonly Tensor[], spec: GradSpec<G>): void {
  if (!gradEnabled || !inputs.some((t) => t.requiresGrad)) return;
  const edges: Edge[] = inputs.map((t) => (!t.requiresGrad ? null : t.gradFn ? { node: t.gradFn } : { leaf: t }));
  const saved = (spec.save?.(out) ?? []).map((t) => t.savedHandle());
  const node = new GradNode(spec.op, spec.attrs, edges, inputs.map((t) => ({ shape: t.shape, dtype: t.dtype })), out.shape, saved);
  out.setGradFn(node);
}

/** A new tensor sharing `src`'s storage with another shape/strides/offset (no copy, no kernel). */
export function makeView<G extends DiffOp>(src: Tensor, shape: Shape, strides: readonly number[], offset: number, grad: GradSpec<G>): Tensor {
  src.assertAlive(grad.op);
  const out = makeTensor({ storage: src.storage.retain(), shape, strides, offset });
  maybeRecord(out, [src], grad);
  return out;
}

export function assertSameShape(op: string, a: Shape, b: Shape): void {
  if (a.length !== b.length || a.some((d, i) => d !== b[i])) throw new ShapeError(`${op}: shapes ${fmt(a)} and ${fmt(b)} differ`);
}
