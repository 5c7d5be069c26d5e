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

/** out = base; out[o, index[o,j,i], i] += src[o, j, i]. */
export function scatterAdd(base: ArrView, index: ArrView, src: ArrView, out: ArrView, axis: number): void {
  const total = sizeOf(base.shape);
  out.data.set(base.data.subarray(base.offset, base.offset + total), out.offset);
  const [outer, J, inner] = split(index.shape, axis);
  const n = base.shape[axis];
  const oInner = sizeOf(base.shape.slice(axis + 1));
  const srcInner = sizeOf(src.shape.slice(axis + 1));
  const srcJ = src.shape[axis];
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < J; j++) {
      for (let i = 0; i < inner; i++) {
        const p = (o * J + j) * inner + i;
        const k = index.data[index.offset + p];
        checkIndex("scatterAdd", k, n, p, index.shape);
        out.data[out.offset + o * n * oInner + k * oInner + i] += src.data[src.offset + (o * srcJ + j) * srcInner + i];
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
