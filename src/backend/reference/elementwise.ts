/** Reference elementwise kernels: unary, binary (inputs pre-broadcast as stride-0 views), where, cast, copy, fill. */
import type { TypedArray } from "../../core/index.js";
import { BINARY_FNS, UNARY_FNS } from "../elementwise.js";
import type { BinaryOp, FusedProgram, UnaryOp } from "../ops.js";
import { forEachRow, lastStride, type ArrView } from "./strided.js";

/** Stores `x` into an array of the output dtype with the right conversion (bool: nonzero; int: truncate). */
function storeFn(out: ArrView): (arr: TypedArray, i: number, x: number) => void {
  if (out.dtype === "bool") return (arr, i, x) => { arr[i] = x !== 0 && x === x ? 1 : 0; };
  return (arr, i, x) => { arr[i] = x; };
}

export function unary(op: UnaryOp, x: ArrView, out: ArrView): void {
  const f = UNARY_FNS[op];
  const o = out.data;
  const xd = x.data;
  const s = lastStride(x);
  const base = out.offset;
  forEachRow(x.shape, [x.strides], [x.offset], (p, [i], len) => {
    for (let j = 0; j < len; j++) o[base + p + j] = f(xd[i + j * s]);
  });
}

export function binary(op: BinaryOp, a: ArrView, b: ArrView, out: ArrView): void {
  const f = BINARY_FNS[op];
  const o = out.data;
  const ad = a.data;
  const bd = b.data;
  const sa = lastStride(a);
  const sb = lastStride(b);
  const base = out.offset;
  const intOut = out.dtype === "int32";
  forEachRow(out.shape, [a.strides, b.strides], [a.offset, b.offset], (p, [ia, ib], len) => {
    if (intOut && (op === "div" || op === "pow")) {
      for (let j = 0; j < len; j++) o[base + p + j] = Math.trunc(f(ad[ia + j * sa], bd[ib + j * sb]));
    } else {
      for (let j = 0; j < len; j++) o[base + p + j] = f(ad[ia + j * sa], bd[ib + j * sb]);
    }
  });
}

export function where(c: ArrView, a: ArrView, b: ArrView, out: ArrView): void {
  const o = out.data;
  const [sc, sa, sb] = [lastStride(c), lastStride(a), lastStride(b)];
  const base = out.offset;
  forEachRow(out.shape, [c.strides, a.strides, b.strides], [c.offset, a.offset, b.offset], (p, [ic, ia, ib], len) => {
    for (let j = 0; j < len; j++) o[base + p + j] = c.data[ic + j * sc] !== 0 ? a.data[ia + j * sa] : b.data[ib + j * sb];
  });
}

/** Copies a strided view into `out` (contiguous), converting dtype if they differ. */
export function copy(x: ArrView, out: ArrView): void {
  const o = out.data;
  const s = lastStride(x);
  const store = storeFn(out);
  const base = out.offset;
  const toInt = out.dtype === "int32" && x.dtype === "float32";
  forEachRow(x.shape, [x.strides], [x.offset], (p, [i], len) => {
    if (toInt) for (let j = 0; j < len; j++) o[base + p + j] = Math.trunc(x.data[i + j * s]);
    else for (let j = 0; j < len; j++) store(o, base + p + j, x.data[i + j * s]);
  });
}

export function fill(out: ArrView, value: number): void {
  const n = out.shape.reduce((a, b) => a * b, 1);
  const v = out.dtype === "bool" ? (value !== 0 ? 1 : 0) : value;
  out.data.fill(v, out.offset, out.offset + n);
}

/** Evaluates a fused elementwise program per element, in double precision (stored as the output dtype). */
export function fused(ins: readonly ArrView[], out: ArrView, program: FusedProgram): void {
  const n = ins.length;
  const { steps, consts } = program;
  const vals = new Float64Array(n + steps.length);
  const fns = steps.map((st) => (st.args.length === 1 ? UNARY_FNS[st.op as UnaryOp] : BINARY_FNS[st.op as BinaryOp]) as (a: number, b?: number) => number);
  const argOf = steps.map((st) => st.args.map((a) => (typeof a === "number" ? a : -1 - a.c)));
  const at = (k: number): number => (k >= 0 ? vals[k] : consts[-1 - k]);
  const ls = ins.map(lastStride);
  const o = out.data;
  const base = out.offset;
  forEachRow(out.shape, ins.map((v) => v.strides), ins.map((v) => v.offset), (p, offs, len) => {
    for (let j = 0; j < len; j++) {
      for (let k = 0; k < n; k++) vals[k] = ins[k].data[offs[k] + j * ls[k]];
      for (let s = 0; s < steps.length; s++) {
        const a = argOf[s];
        vals[n + s] = a.length === 1 ? fns[s](at(a[0])) : fns[s](at(a[0]), at(a[1]));
      }
      o[base + p + j] = vals[n + steps.length - 1];
    }
  });
}
