/**
 * Elementwise float32 kernels over one row: `out[i] = op(a[i*sa], b[i*sb])` with strides in bytes.
 * Rows with unit strides (or a broadcast scalar operand, stride 0) run four lanes per step; other
 * strides take a scalar loop. The backend collapses a view's dims and calls a kernel per inner row.
 *
 * Every op here is bit-identical to the reference table in backend/elementwise.ts: f32 +, -, *, /,
 * sqrt equal the double result rounded once (double rounding is innocuous for these, Figueroa 1995),
 * and max/min/relu are written with pmax/pmin so NaN and signed-zero cases match the reference.
 */
import type { Fn, Local, ModuleBuilder } from "../asm.js";

export const EW_BINARY = ["add", "sub", "mul", "div", "maximum", "minimum"] as const;
export const EW_UNARY = ["neg", "abs", "sqrt", "square", "relu", "reciprocal"] as const;
export type EwBinary = (typeof EW_BINARY)[number];
export type EwUnary = (typeof EW_UNARY)[number];

type RowBinary = (a: number, sa: number, b: number, sb: number, out: number, n: number) => void;
type RowUnary = (x: number, sx: number, out: number, n: number) => void;

export type ElementwiseExports = { [K in EwBinary as `ew_${K}`]: RowBinary } & { [K in EwUnary as `ew_${K}`]: RowUnary } & {
  /** 4-byte strided copy of one row: out[i] = x[i*sx]. */
  copy32(x: number, sx: number, out: number, n: number): void;
  /** out[0..n) = value (as raw 32-bit pattern). */
  fill32(out: number, bits: number, n: number): void;
};

/** Emits `a op b` for two values on the stack (vector when `v`, scalar otherwise). */
function binOp(f: Fn, op: EwBinary, v: boolean, a: Local, b: Local): void {
  const T = v ? "f32x4" : "f32";
  const simple = { add: "add", sub: "sub", mul: "mul", div: "div" } as const;
  if (op in simple) {
    f.get(a).get(b).op(`${T}.${simple[op as keyof typeof simple]}`);
    return;
  }
  const isMax = op === "maximum";
  if (v) {
    // pmax(b, a) = b < a ? a : b, the reference's `a > b ? a : b`; then NaN lanes get a + b (NaN).
    f.get(b).get(a).op(isMax ? "f32x4.pmax" : "f32x4.pmin");
    f.get(a).get(b).op("f32x4.add");
    f.get(a).get(a).op("f32x4.ne").get(b).get(b).op("f32x4.ne").op("v128.or");
    // bitselect(v1, v2, mask) = mask ? v1 : v2; stack now: sel, nan, mask -> reorder via locals.
    const mask = f.local("v128"), nan = f.local("v128"), sel = f.local("v128");
    f.set(mask).set(nan).set(sel).get(nan).get(sel).get(mask).op("v128.bitselect");
    return;
  }
  // Scalar: a != a || b != b ? NaN : (a > b ? a : b)
  f.get(a).get(b).get(a).get(b).op(isMax ? "f32.gt" : "f32.lt").op("select");
  f.get(a).get(b).op("f32.add");
  f.get(a).get(a).op("f32.eq").get(b).get(b).op("f32.eq").op("i32.and").op("select");
}

function unOp(f: Fn, op: EwUnary, v: boolean, x: Local, zero: Local): void {
  const T = v ? "f32x4" : "f32";
  switch (op) {
    case "neg": f.get(x).op(`${T}.neg`); return;
    case "abs": f.get(x).op(`${T}.abs`); return;
    case "sqrt": f.get(x).op(`${T}.sqrt`); return;
    case "square": f.get(x).get(x).op(`${T}.mul`); return;
    case "reciprocal":
      if (v) f.f(1).op("f32x4.splat").get(x).op("f32x4.div");
      else f.f(1).get(x).op("f32.div");
      return;
    case "relu":
      // reference: x > 0 ? x : 0 (NaN -> 0, -0 -> 0)
      if (v) f.get(zero).get(x).op("f32x4.pmax");
      else f.get(x).f(0).get(x).f(0).op("f32.gt").op("select");
      return;
  }
}

/** Loop over n elements; `vec` handles 4 at a time when `fast` (an i32 on the stack) is true. */
function rows(f: Fn, n: Local, fast: () => void, vec: () => void, scalar: () => void): void {
  fast();
  f.if(() => f.while(() => f.i(n).i(4).op("i32.ge_s"), () => { vec(); f.inc(n, -4); }));
  f.while(() => f.i(n), () => { scalar(); f.inc(n, -1); });
}

function emitBinary(m: ModuleBuilder, op: EwBinary): void {
  m.fn(`ew_${op}`, ["i32", "i32", "i32", "i32", "i32", "i32"], [], (f, a, sa, b, sb, out, n) => {
    const va = f.local("v128"), vb = f.local("v128"), xa = f.local("f32"), xb = f.local("f32");
    const sa4 = f.local(), sb4 = f.local();
    f.i(sa).i(2).op("i32.shl").set(sa4);
    f.i(sb).i(2).op("i32.shl").set(sb4);
    // Fast when each stride is 0 (broadcast) or 4 (unit).
    const fast = (): void => void f.i(sa).i(-5).op("i32.and").op("i32.eqz").i(sb).i(-5).op("i32.and").op("i32.eqz").op("i32.and");
    const load = (p: Local, s: Local, dst: Local): void => {
      f.get(s).if(() => f.get(p).mem("v128.load", 0, 0).set(dst), () => f.get(p).mem("v128.load32_splat").set(dst));
    };
    rows(f, n, fast, () => {
      load(a, sa, va); load(b, sb, vb);
      f.get(out); binOp(f, op, true, va, vb); f.mem("v128.store", 0, 0);
      f.inc(a, sa4).inc(b, sb4).inc(out, 16);
    }, () => {
      f.get(a).mem("f32.load").set(xa).get(b).mem("f32.load").set(xb);
      f.get(out); binOp(f, op, false, xa, xb); f.mem("f32.store");
      f.inc(a, sa).inc(b, sb).inc(out, 4);
    });
  });
}

function emitUnary(m: ModuleBuilder, op: EwUnary): void {
  m.fn(`ew_${op}`, ["i32", "i32", "i32", "i32"], [], (f, x, sx, out, n) => {
    const vx = f.local("v128"), zero = f.local("v128"), s = f.local("f32");
    f.v128zero().set(zero);
    rows(f, n, () => void f.i(sx).i(4).op("i32.eq"), () => {
      f.get(x).mem("v128.load", 0, 0).set(vx);
      f.get(out); unOp(f, op, true, vx, zero); f.mem("v128.store", 0, 0);
      f.inc(x, 16).inc(out, 16);
    }, () => {
      f.get(x).mem("f32.load").set(s);
      f.get(out); unOp(f, op, false, s, zero); f.mem("f32.store");
      f.inc(x, sx).inc(out, 4);
    });
  });
}

export function emitElementwise(m: ModuleBuilder): void {
  for (const op of EW_BINARY) emitBinary(m, op);
  for (const op of EW_UNARY) emitUnary(m, op);
  m.fn("copy32", ["i32", "i32", "i32", "i32"], [], (f, x, sx, out, n) => {
    rows(f, n, () => void f.i(sx).i(4).op("i32.eq"), () => {
      f.get(out).get(x).mem("v128.load", 0, 0).mem("v128.store", 0, 0).inc(x, 16).inc(out, 16);
    }, () => {
      f.get(out).get(x).mem("i32.load").mem("i32.store").inc(x, sx).inc(out, 4);
    });
  });
  m.fn("fill32", ["i32", "i32", "i32"], [], (f, out, bits, n) => {
    f.while(() => f.i(n), () => { f.get(out).get(bits).mem("i32.store").inc(out, 4).inc(n, -1); });
  });
}
