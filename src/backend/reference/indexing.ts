/** Reference index kernels: gather, scatterAdd, oneHot, concat, pad. All operands contiguous. */
import { ValueError, fmt, sizeOf, type TypedArray } from "../../core/index.js";
import type { Pair } from "../ops.js";
import type { ArrView } from "./strided.js";

/** Splits `shape` around `axis` into [outer, n, inner]. */
function split(shape: readonly number[], axis: number): [number, number, number] {
  return [sizeOf(shape.slice(0, axis)), shape[axis], sizeOf(shape.slice(axis + 1))];
}

function checkIndex(op: string, v: number, n: number, pos: number, shape: readonly number[]): void {
  if (!(v >= 0 && v < n)) {
    throw new ValueError(`${op}: index ${v} at flat position ${pos} of index tensor ${fmt(shape)} is out of range [0, ${n})`);
  }
}

/** out[o, j, i] = x[o, index[o, j, i], i] where index/out have shape [.., J, ..] and x [.., n, ..]. */
export function gather(x: ArrView, index: ArrView, out: ArrView, axis: number): void {
  const [outer, J, inner] = split(index.shape, axis);
  const n = x.shape[axis];
  const xInner = sizeOf(x.shape.slice(axis + 1));
  const xOuterStride = n * xInner;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < J; j++) {
      for (let i = 0; i < inner; i++) {
        const p = (o * J + j) * inner + i;
        const k = index.data[index.offset + p];
        checkIndex("gather", k, n, p, index.shape);
        out.data[out.offset + p] = x.data[x.offset + o * xOuterStride + k * xInner + i];
      }
    }
  }
}

/**
 * For each position of `dims` in row-major order, the offset of the same multi-index in a contiguous
 * array of shape `full` (which is at least `dims` on every axis).
 */
function subOffsets(dims: readonly number[], full: readonly number[]): Int32Array {
  const out = new Int32Array(sizeOf(dims));
  let n = 1, stride = 1;
  // Build from the last axis: each axis repeats the offsets so far at multiples of its stride in `full`.
  for (let d = dims.length - 1; d >= 0; d--) {
    for (let c = dims[d] - 1; c >= 0; c--) {
      for (let q = 0; q < n; q++) out[c * n + q] = out[q] + c * stride;
    }
    n *= dims[d];
    stride *= full[d];
  }
  return out;
}

/**
 * out = base; out[.., index[p], ..] += src[p] for every position p of index (torch.scatter_add). The
 * index may be smaller than base off `axis` and src at least as large as index on every axis, so p is
 * mapped to base's and src's own layouts axis by axis, not through a flat offset.
 */
export function scatterAdd(base: ArrView, index: ArrView, src: ArrView, out: ArrView, axis: number): void {
  const total = sizeOf(base.shape);
  out.data.set(base.data.subarray(base.offset, base.offset + total), out.offset);
  const [outer, J, inner] = split(index.shape, axis);
  if (outer * J * inner === 0) return;
  const n = base.shape[axis];
  const baseInner = sizeOf(base.shape.slice(axis + 1));
  const srcInner = sizeOf(src.shape.slice(axis + 1));
  const before = index.shape.slice(0, axis), after = index.shape.slice(axis + 1);
  const baseOuter = subOffsets(before, base.shape.slice(0, axis)), srcOuter = subOffsets(before, src.shape.slice(0, axis));
  const baseIn = subOffsets(after, base.shape.slice(axis + 1)), srcIn = subOffsets(after, src.shape.slice(axis + 1));
  const baseRow = n * baseInner, srcRow = src.shape[axis] * srcInner;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < J; j++) {
      for (let i = 0; i < inner; i++) {
        const p = (o * J + j) * inner + i;
        const k = index.data[index.offset + p];
        checkIndex("scatterAdd", k, n, p, index.shape);
        out.data[out.offset + baseOuter[o] * baseRow + k * baseInner + baseIn[i]] += src.data[src.offset + srcOuter[o] * srcRow + j * srcInner + srcIn[i]];
      }
    }
  }
}

export function oneHot(idx: ArrView, out: ArrView, numClasses: number): void {
  const n = sizeOf(idx.shape);
  out.data.fill(0, out.offset, out.offset + n * numClasses);
  for (let p = 0; p < n; p++) {
    const k = idx.data[idx.offset + p];
    checkIndex("oneHot", k, numClasses, p, idx.shape);
    out.data[out.offset + p * numClasses + k] = 1;
  }
}

export function concat(inputs: readonly ArrView[], out: ArrView, axis: number): void {
  const [outer, , inner] = split(out.shape, axis);
  const outRow = out.shape[axis] * inner;
  let at = 0;
  for (const x of inputs) {
    const len = x.shape[axis] * inner;
    for (let o = 0; o < outer; o++) {
      const src = x.data.subarray(x.offset + o * len, x.offset + (o + 1) * len);
      out.data.set(src, out.offset + o * outRow + at);
    }
    at += len;
  }
}

/** Constant padding: out has shape x.shape[d] + before + after. */
export function pad(x: ArrView, out: ArrView, pads: readonly Pair[], value: number): void {
  const total = sizeOf(out.shape);
  out.data.fill(value, out.offset, out.offset + total);
  const rank = x.shape.length;
  const xs = x.shape;
  const os = out.shape;
  const oStrides = new Array<number>(rank);
  let s = 1;
  for (let d = rank - 1; d >= 0; d--) { oStrides[d] = s; s *= os[d]; }
  const n = sizeOf(xs);
  if (n === 0) return;
  const last = rank ? xs[rank - 1] : 1;
  const idx = new Array<number>(rank).fill(0);
  for (let p = 0; p < n; p += last) {
    let o = out.offset;
    for (let d = 0; d < rank; d++) o += (idx[d] + pads[d][0]) * oStrides[d];
    out.data.set(x.data.subarray(x.offset + p, x.offset + p + last), o);
    for (let d = rank - 2; d >= 0; d--) {
      if (++idx[d] < xs[d]) break;
      idx[d] = 0;
    }
  }
}

export type { TypedArray };
