/**
 * Strided iteration for reference kernels. Kernels work on typed arrays plus (shape, strides, offset),
 * so the same code runs over plain host arrays (reference) and over views of Wasm linear memory
 * (the Wasm backend's fallback path).
 */
import type { DType, Shape, TypedArray } from "../../core/index.js";
import { sizeOf } from "../../core/index.js";

export interface ArrView {
  readonly data: TypedArray;
  readonly dtype: DType;
  readonly shape: Shape;
  readonly strides: readonly number[];
  readonly offset: number;
}

/**
 * Calls `body(outPos, offs, len)` once per innermost row of `shape`, where `offs[k]` is the element
 * offset of the row's first element in operand k; within the row operand k advances by its last stride.
 */
export function forEachRow(
  shape: Shape,
  strides: readonly (readonly number[])[],
  offsets: readonly number[],
  body: (outPos: number, offs: readonly number[], len: number) => void,
): void {
  const rank = shape.length;
  const total = sizeOf(shape);
  if (total === 0) return;
  if (rank === 0) {
    body(0, offsets, 1);
    return;
  }
  const len = shape[rank - 1];
  const outer = total / len;
  const idx = new Array<number>(rank - 1).fill(0);
  const offs = offsets.slice();
  const k = strides.length;
  for (let r = 0; r < outer; r++) {
    body(r * len, offs, len);
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]++;
      for (let q = 0; q < k; q++) offs[q] += strides[q][d];
      if (idx[d] < shape[d]) break;
      for (let q = 0; q < k; q++) offs[q] -= strides[q][d] * shape[d];
      idx[d] = 0;
    }
  }
}

export function lastStride(v: { strides: readonly number[] }): number {
  return v.strides.length ? v.strides[v.strides.length - 1] : 1;
}

/** Copies a strided view into a new contiguous array of the same dtype. */
export function toContiguous(v: ArrView): TypedArray {
  const out = new (v.data.constructor as { new (n: number): TypedArray })(sizeOf(v.shape));
  const s = lastStride(v);
  forEachRow(v.shape, [v.strides], [v.offset], (o, [i], len) => {
    for (let j = 0; j < len; j++) out[o + j] = v.data[i + j * s];
  });
  return out;
}

/** Returns the view's data as a contiguous array starting at 0, copying only when needed. */
export function contiguousData(v: ArrView): TypedArray {
  let expected = 1;
  let contiguous = true;
  for (let i = v.shape.length - 1; i >= 0; i--) {
    if (v.shape[i] !== 1 && v.strides[i] !== expected) contiguous = false;
    expected *= v.shape[i];
  }
  if (contiguous) return v.data.subarray(v.offset, v.offset + sizeOf(v.shape));
  return toContiguous(v);
}
