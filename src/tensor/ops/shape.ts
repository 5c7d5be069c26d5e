/**
 * Shape ops. reshape/permute/expand/slice are views: they share storage and record a graph node but run
 * no kernel. reshape of a non-contiguous tensor copies first (like PyTorch's reshape, unlike view).
 */
import { ShapeError, ValueError, contiguousStrides, fmt, isContiguous, normalizeAxis, promote, sizeOf, type Shape } from "../../core/index.js";
import type { Pair } from "../../backend/index.js";
import { makeView, runOp } from "../dispatch.js";
import type { Tensor } from "../tensor.js";
import { runComposite } from "./composite.js";
import { cast } from "./elementwise.js";

/** Resolves one -1 in `shape` against `size` elements. */
function resolveShape(op: string, from: Shape, shape: Shape): number[] {
  const size = sizeOf(from);
  const out = [...shape];
  const neg = out.indexOf(-1);
  if (neg !== out.lastIndexOf(-1)) throw new ShapeError(`${op}: only one dimension can be -1, got ${fmt(shape)}`);
  if (neg >= 0) {
    const rest = sizeOf(out.filter((_, i) => i !== neg));
    if (rest === 0 || size % rest !== 0) throw new ShapeError(`${op}: cannot reshape ${fmt(from)} (${size} elements) to ${fmt(shape)}`);
    out[neg] = size / rest;
  }
  if (out.some((d) => !Number.isInteger(d) || d < 0) || sizeOf(out) !== size) {
    throw new ShapeError(`${op}: cannot reshape ${fmt(from)} (${size} elements) to ${fmt(shape)} (${sizeOf(out)} elements)`);
  }
  return out;
}

/** Copies into a fresh contiguous tensor (a graph identity). */
export function contiguous(x: Tensor): Tensor {
  if (isContiguous(x.shape, x.strides)) return reshape(x, x.shape);
  return runOp("copy", [x], { attrs: {}, shape: x.shape, dtype: x.dtype, grad: { op: "copy", attrs: {} } });
}

export function reshape(x: Tensor, shape: Shape): Tensor {
  const s = resolveShape("reshape", x.shape, shape);
  if (isContiguous(x.shape, x.strides)) {
    return makeView(x, s, contiguousStrides(s), x.offset, { op: "reshape", attrs: { shape: s } });
  }
  return runComposite(() => reshape(contiguous(x), s));
}

export function permute(x: Tensor, dims: readonly number[]): Tensor {
  const r = x.rank;
  const d = dims.map((a) => normalizeAxis("permute", a, r, x.shape));
  if (d.length !== r || new Set(d).size !== r) {
    throw new ShapeError(`permute: dims ${fmt(dims)} are not a permutation of ${r} axes for tensor ${fmt(x.shape)}`);
  }
  return makeView(x, d.map((i) => x.shape[i]), d.map((i) => x.strides[i]), x.offset, { op: "permute", attrs: { dims: d } });
}

export function transpose(x: Tensor, dim0 = -2, dim1 = -1): Tensor {
  const r = x.rank;
  const a = normalizeAxis("transpose", dim0, r, x.shape);
  const b = normalizeAxis("transpose", dim1, r, x.shape);
  const dims = [...Array(r).keys()];
  [dims[a], dims[b]] = [dims[b], dims[a]];
  return permute(x, dims);
}

/** Broadcasts size-1 dimensions (and new leading ones) to `shape` without copying; -1 keeps a size. */
export function expand(x: Tensor, shape: Shape): Tensor {
  const lead = shape.length - x.rank;
  if (lead < 0) throw new ShapeError(`expand: target ${fmt(shape)} has fewer dimensions than tensor ${fmt(x.shape)}`);
  const out = shape.map((d, i) => (d === -1 && i >= lead ? x.shape[i - lead] : d));
  const strides = out.map((d, i) => {
    if (i < lead) return 0;
    const src = x.shape[i - lead];
    if (src === d) return x.strides[i - lead];
    if (src === 1) return 0;
    throw new ShapeError(`expand: cannot expand ${fmt(x.shape)} to ${fmt(shape)}: dimension ${i} is ${src} (must be 1 or ${d})`);
  });
  return makeView(x, out, strides, x.offset, { op: "expand", attrs: { shape: out } });
}

export function unsqueeze(x: Tensor, axis: number): Tensor {
  const a = normalizeAxis("unsqueeze", axis, x.rank + 1, x.shape);
  const s = [...x.shape];
  s.splice(a, 0, 1);
  return reshape(x, s);
}

export function squeeze(x: Tensor, axis?: number): Tensor {
  if (axis === undefined) return reshape(x, x.shape.filter((d) => d !== 1));
  const a = normalizeAxis("squeeze", axis, x.rank, x.shape);
  if (x.shape[a] !== 1) return reshape(x, x.shape);
  return reshape(x, x.shape.filter((_, i) => i !== a));
}

/** Flattens axes start..end (inclusive) into one. */
export function flatten(x: Tensor, start = 0, end = -1): Tensor {
  if (x.rank === 0) return reshape(x, [1]);
  const s = normalizeAxis("flatten", start, x.rank, x.shape);
  const e = normalizeAxis("flatten", end, x.rank, x.shape);
  const shape = [...x.shape.slice(0, s), sizeOf(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)];
  return reshape(x, shape);
}

/** x[starts[0]:ends[0], starts[1]:ends[1], ...] (step 1; negative indices count from the end; missing = full). */
export function slice(x: Tensor, starts: readonly number[], ends?: readonly number[]): Tensor {
  const st: number[] = [];
  const en: number[] = [];
  let offset = x.offset;
  for (let d = 0; d < x.rank; d++) {
    const n = x.shape[d];
    let s = starts[d] ?? 0;
    let e = ends?.[d] ?? n;
    if (s < 0) s += n;
    if (e < 0) e += n;
    s = Math.min(Math.max(s, 0), n);
    e = Math.min(Math.max(e, s), n);
    st.push(s);
    en.push(e);
    offset += s * x.strides[d];
  }
  return makeView(x, st.map((s, d) => en[d] - s), x.strides, offset, { op: "slice", attrs: { starts: st, ends: en } });
}

/** `length` elements of `axis` from `start`. */
export function narrow(x: Tensor, axis: number, start: number, length: number): Tensor {
  const a = normalizeAxis("narrow", axis, x.rank, x.shape);
  if (start < 0 || length < 0 || start + length > x.shape[a]) {
    throw new ShapeError(`narrow: [${start}, ${start + length}) is outside axis ${a} of size ${x.shape[a]} in ${fmt(x.shape)}`);
  }
  const starts = x.shape.map((_, i) => (i === a ? start : 0));
  const ends = x.shape.map((d, i) => (i === a ? start + length : d));
  return slice(x, starts, ends);
}

export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  if (xs.length === 0) throw new ValueError("concat: needs at least one tensor");
  const r = xs[0].rank;
  const a = normalizeAxis("concat", axis, r, xs[0].shape);
  for (const [i, t] of xs.entries()) {
    if (t.rank !== r || t.shape.some((d, j) => j !== a && d !== xs[0].shape[j])) {
      throw new ShapeError(`concat: tensor ${i} has shape ${fmt(t.shape)}, expected ${fmt(xs[0].shape.map((d, j) => (j === a ? -1 : d)))} (any size on axis ${a})`);
    }
  }
  if (xs.length === 1) return reshape(xs[0], xs[0].shape);
  const dtype = xs.map((t) => t.dtype).reduce(promote);
  return runComposite(() => {
    const ins = xs.map((t) => cast(t, dtype));
    const shape = xs[0].shape.map((d, j) => (j === a ? xs.reduce((s, t) => s + t.shape[a], 0) : d));
    return runOp("concat", ins, { attrs: { axis: a }, shape, dtype, grad: { op: "concat", attrs: { axis: a } } });
  });
}

export function stack(xs: readonly Tensor[], axis = 0): Tensor {
  if (xs.length === 0) throw new ValueError("stack: needs at least one tensor");
  const a = normalizeAxis("stack", axis, xs[0].rank + 1, xs[0].shape);
  return runComposite(() => concat(xs.map((t) => unsqueeze(t, a)), a));
}

/** Constant padding; `pads` has one [before, after] pair per dimension (NumPy's np.pad order). */
export function pad(x: Tensor, pads: readonly Pair[], value = 0): Tensor {
  if (pads.length !== x.rank || pads.some(([b, e]) => !(Number.isInteger(b) && Number.isInteger(e) && b >= 0 && e >= 0))) {
    throw new ShapeError(`pad: need ${x.rank} [before, after] pairs of integers >= 0 for tensor ${fmt(x.shape)}, got ${JSON.stringify(pads)}`);
  }
  const shape = x.shape.map((d, i) => d + pads[i][0] + pads[i][1]);
  return runOp("pad", [x], { attrs: { pads, value }, shape, dtype: x.dtype, grad: { op: "pad", attrs: { pads, value } } });
}
