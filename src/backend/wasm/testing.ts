/**
 * Test helpers for the Wasm backend: run one primitive op on the wasm and reference backends with the
 * same inputs (optionally strided or broadcast views) and compare. Used by the *.test.ts files here.
 */
import assert from "node:assert/strict";
import { contiguousStrides, fmt, hostArray, sizeOf, type DType, type Rng, type TypedArray } from "../../core/index.js";
import type { Backend, View } from "../backend.js";
import type { OpAttrs, PrimOp } from "../ops.js";

export interface Operand {
  readonly dtype: DType;
  /** Shape of the underlying buffer. */
  readonly shape: readonly number[];
  readonly data: TypedArray;
  /** A view over the buffer other than the contiguous one (permutation, broadcast, slice). */
  readonly view?: { readonly shape: readonly number[]; readonly strides: readonly number[]; readonly offset: number };
}

export function operand(dtype: DType, shape: readonly number[], data: TypedArray): Operand {
  return { dtype, shape, data };
}

/** A float32 operand with normal samples. */
export function randn(rng: Rng, shape: readonly number[], scale = 1): Operand {
  const d = rng.normal(sizeOf(shape));
  for (let i = 0; i < d.length; i++) d[i] *= scale;
  return operand("float32", shape, d);
}

/** The operand viewed with its dims permuted by `perm` (a strided, non-contiguous view). */
export function permuted(o: Operand, perm: readonly number[]): Operand {
  const st = contiguousStrides(o.shape);
  return { ...o, view: { shape: perm.map((p) => o.shape[p]), strides: perm.map((p) => st[p]), offset: 0 } };
}

/** The operand broadcast to `shape` (stride 0 along its size-1 or missing dims). */
export function broadcast(o: Operand, shape: readonly number[]): Operand {
  const st = contiguousStrides(o.shape);
  const k = shape.length - o.shape.length;
  const strides = shape.map((_, i) => (i < k || o.shape[i - k] === 1 ? 0 : st[i - k]));
  return { ...o, view: { shape, strides, offset: 0 } };
}

export function run<K extends PrimOp>(be: Backend, op: K, ins: readonly Operand[], outShape: readonly number[], outDtype: DType, attrs: OpAttrs[K]): TypedArray {
  const bufs = ins.map((o) => {
    const b = be.alloc(o.dtype, o.data.length);
    be.write(b, o.data);
    return b;
  });
  const views: View[] = ins.map((o, i) => ({
    buf: bufs[i], dtype: o.dtype, shape: o.view?.shape ?? o.shape, strides: o.view?.strides ?? contiguousStrides(o.shape), offset: o.view?.offset ?? 0,
  }));
  const ob = be.alloc(outDtype, sizeOf(outShape));
  const out: View = { buf: ob, dtype: outDtype, shape: outShape, strides: contiguousStrides(outShape), offset: 0 };
  try {
    be.exec(op, views, out, attrs);
    return be.readSync(out);
  } finally {
    for (const b of bufs) be.free(b);
    be.free(ob);
  }
}

/** Bit-exact equality (NaN == NaN, +0 != -0). */
export function assertExact(label: string, got: TypedArray, want: TypedArray): void {
  assert.equal(got.length, want.length, `${label}: length`);
  for (let i = 0; i < got.length; i++) {
    if (!Object.is(got[i], want[i])) assert.fail(`${label}: element ${i} is ${got[i]}, reference ${want[i]}`);
  }
}

/** |got - want| <= atol * scale + rtol * |want|, scale = max finite |want| (at least 1). */
export function assertClose(label: string, got: TypedArray, want: TypedArray, { atol = 1e-5, rtol = 1e-4 } = {}): void {
  assert.equal(got.length, want.length, `${label}: length`);
  let scale = 1;
  for (let i = 0; i < want.length; i++) if (Number.isFinite(want[i])) scale = Math.max(scale, Math.abs(want[i]));
  for (let i = 0; i < got.length; i++) {
    const g = got[i], w = want[i];
    // Equal values (infinities included) and NaN against NaN agree; the scale counts finite values only.
    if (g === w || (Number.isNaN(w) && Number.isNaN(g))) continue;
    if (!(Math.abs(g - w) <= atol * scale + rtol * Math.abs(w))) {
      assert.fail(`${label}: element ${i} is ${g}, reference ${w} (scale ${scale}, atol ${atol}, rtol ${rtol})`);
    }
  }
}

/** Runs `op` on both backends and compares (exact or within tolerance). */
export function compareOp<K extends PrimOp>(
  wasm: Backend, ref: Backend, op: K, ins: readonly Operand[], outShape: readonly number[], outDtype: DType, attrs: OpAttrs[K], exact: boolean,
  tol?: { atol?: number; rtol?: number },
): void {
  const label = `${op} ${ins.map((o) => fmt(o.view?.shape ?? o.shape)).join(" ")} -> ${fmt(outShape)} ${JSON.stringify(attrs)}`;
  const want = run(ref, op, ins, outShape, outDtype, attrs);
  const got = run(wasm, op, ins, outShape, outDtype, attrs);
  if (exact) assertExact(label, got, want);
  else assertClose(label, got, want, tol);
}

export { hostArray };
