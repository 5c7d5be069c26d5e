/**
 * What every fast path of the Wasm backend shares: the context it runs in, and the walk over strided
 * views (collapse adjacent dims that all operands traverse contiguously, then call a Wasm row kernel
 * per innermost row). Views arrive as ArrViews over linear memory: `offset * bytesPerElement` is the
 * byte address.
 */
import { bytesPerElement, collapseDims, sizeOf, type DType, type TypedArray } from "../../core/index.js";
import type { OpAttrs, PrimOp } from "../ops.js";
import type { ArrView } from "../reference/index.js";
import type { KernelExports } from "./module.js";
import type { ThreadPool } from "./threads.js";

export interface FastContext {
  /** Route eligible convolutions through Winograd (WasmBackendOptions.winograd; WasmBackend.winograd). */
  winograd: boolean;
  readonly ex: KernelExports;
  readonly pool: ThreadPool;
  /** Allocates uncounted scratch; returns its address. */
  readonly scratch: (bytes: number) => number;
  readonly release: (ptr: number, bytes: number) => void;
  readonly view: (dtype: DType) => TypedArray;
}

/** A fast path: returns false when the case is not covered (dtype, layout), and the reference kernel runs. */
export type Fast<K extends PrimOp> = (c: FastContext, ins: readonly ArrView[], out: ArrView, attrs: OpAttrs[K]) => boolean;

/** Byte address of a view's first element. */
export const addr = (v: ArrView): number => v.offset * bytesPerElement(v.dtype);
export const allF32 = (vs: readonly ArrView[]): boolean => vs.every((v) => v.dtype === "float32");

/** Runs `fn(ptr)` with `bytes` of scratch, released afterwards. */
export function withTemp<T>(c: FastContext, bytes: number, fn: (ptr: number) => T): T {
  const p = c.scratch(bytes);
  try {
    return fn(p);
  } finally {
    c.release(p, bytes);
  }
}

/** collapseDims (core), with a single element as one row of length 1 (the row kernels need a row). */
export function collapse(shape: readonly number[], strides: readonly (readonly number[])[]): { shape: number[]; strides: number[][] } {
  const c = collapseDims(shape, strides);
  if (c.shape.length === 0) { c.shape.push(1); c.strides.forEach((s) => s.push(1)); }
  return c;
}

/**
 * Calls `row(offsets, n)` for each innermost row of the collapsed shape; offsets are element offsets
 * per operand. `keep` innermost dims are left to the callee (default 1: the row).
 */
export function forRows(shape: readonly number[], strides: readonly (readonly number[])[], offsets: readonly number[],
  row: (offs: readonly number[]) => void, keep = 1): void {
  const rank = shape.length - keep;
  if (sizeOf(shape) === 0) return;
  const outer = sizeOf(shape.slice(0, Math.max(rank, 0)));
  const idx = new Array<number>(Math.max(rank, 0)).fill(0);
  const offs = offsets.slice();
  for (let r = 0; r < outer; r++) {
    row(offs);
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]++;
      for (let q = 0; q < offs.length; q++) offs[q] += strides[q][d];
      if (idx[d] < shape[d]) break;
      for (let q = 0; q < offs.length; q++) offs[q] -= strides[q][d] * shape[d];
      idx[d] = 0;
    }
  }
}

/** Collapses the operands' common shape and calls `row(byteAddrs, byteStrides, n)` per innermost row. */
export function eachRow(shape: readonly number[], views: readonly ArrView[], row: (at: readonly number[], st: readonly number[], n: number) => void): void {
  const { shape: sh, strides } = collapse(shape, views.map((v) => v.strides));
  const sizes = views.map((v) => bytesPerElement(v.dtype));
  const inner = strides.map((s, q) => s[s.length - 1] * sizes[q]);
  const n = sh[sh.length - 1];
  const at = new Array<number>(views.length);
  forRows(sh, strides, views.map((v) => v.offset), (offs) => {
    for (let q = 0; q < offs.length; q++) at[q] = offs[q] * sizes[q];
    row(at, inner, n);
  });
}
