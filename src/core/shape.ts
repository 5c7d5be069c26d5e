/** Shape and stride math: pure functions over `readonly number[]`. */
import { ShapeError, fmt } from "./errors.js";

export type Shape = readonly number[];
/** A (height, width)-style pair: kernel sizes, strides, paddings, [before, after] pads. */
export type Pair = readonly [number, number];

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major (C-contiguous) strides, in elements. */
export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

export function isContiguous(shape: Shape, strides: readonly number[]): boolean {
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && strides[i] !== s) return false;
    s *= shape[i];
  }
  return true;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** NumPy broadcasting of two shapes; `op` names the caller in the error. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(
        `${op}: shapes ${fmt(a)} and ${fmt(b)} cannot be broadcast: dimension ${i - n} is ${da} vs ${db} (each must be equal or 1)`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Normalizes a possibly negative axis; throws naming the op and the shape. */
export function normalizeAxis(op: string, axis: number, rank: number, shape?: Shape): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    const where = shape ? `tensor of shape ${fmt(shape)}` : `rank ${rank}`;
    throw new ShapeError(`${op}: axis ${axis} is out of range for ${where} (expected an integer in [${-rank}, ${rank - 1}])`);
  }
  return axis < 0 ? axis + rank : axis;
}

/** Normalizes an axis list (undefined = all axes), sorted and deduplicated. */
export function normalizeAxes(op: string, axes: number | readonly number[] | undefined, rank: number, shape?: Shape): number[] {
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axes === "number" ? [axes] : axes;
  const out = [...new Set(list.map((a) => normalizeAxis(op, a, rank, shape)))].sort((x, y) => x - y);
  return out;
}

export function checkShape(op: string, shape: Shape): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new ShapeError(`${op}: invalid shape ${fmt(shape)} (dimensions must be integers >= 0)`);
  }
}

/** Builds a record with one entry per key (typed, so the result is complete by construction). */
export function fromKeys<K extends string, V>(keys: readonly K[], f: (k: K) => V): Record<K, V> {
  const out = {} as Record<K, V>;
  for (const k of keys) out[k] = f(k);
  return out;
}

/**
 * Drops size-1 dims and merges adjacent dims that every operand walks as one (stride[d] =
 * stride[d+1] * shape[d+1]), so a strided walk over `shape` becomes few long rows: a bias broadcast
 * over [N,C,H,W] becomes [N,C,H*W]. `strides` has one stride list per operand; returns the merged shape
 * (empty for a single element) and each operand's strides over it. Used by the Wasm backend's row
 * kernels and the WebGPU elementwise kernels.
 */
export function collapseDims(shape: Shape, strides: readonly (readonly number[])[]): { shape: number[]; strides: number[][] } {
  const sh: number[] = [];
  const st: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = sh.length - 1;
    if (last >= 0 && strides.every((s, k) => st[k][last] === s[d] * shape[d])) {
      sh[last] *= shape[d];
      strides.forEach((s, k) => { st[k][last] = s[d]; });
    } else {
      sh.push(shape[d]);
      strides.forEach((s, k) => st[k].push(s[d]));
    }
  }
  return { shape: sh, strides: st };
}
