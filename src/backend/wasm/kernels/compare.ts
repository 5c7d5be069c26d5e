/**
 * Comparisons (float32 -> bool), casts between float32, int32 and bool, and `where`: the ops autograd
 * rules lean on (ReLU's backward is `g * cast(out > 0)`, max's is a mask of `x == out`). Row kernels
 * like elementwise.ts: byte strides, four lanes a step when every stride is unit or 0 (broadcast).
 * Bool is one byte per element (0 or 1); a bool vector of four lanes is loaded as 32 bits and
 * widened, and four comparison results are narrowed to four bytes.
 *
 * All of these are exact: IEEE comparisons are what JS does (NaN compares false, except `ne`), an
 * int32 or bool becomes the nearest float32 in one rounding, and float32 -> int32 truncates. The one
 * place Wasm differs from the reference's `Math.trunc` + Int32Array store (ToInt32, modulo 2^32) is
 * |x| >= 2^31 (and ±Inf), where Wasm saturates: `cast_f32_i32` counts such elements and the backend
 * then runs the reference kernel instead.
 */
import { BOOL_RESULT_BINARY } from "../../elementwise.js";
import type { DType } from "../../../core/index.js";
import type { BinaryOp } from "../../ops.js";
import type { Fn, Local, ModuleBuilder } from "../asm.js";
import { runRow } from "../parallel.js";
import { eachRow, type Fast } from "../views.js";

export const CMP_OPS = ["eq", "ne", "lt", "le", "gt", "ge"] as const;
export type CmpOp = (typeof CMP_OPS)[number];
type CastKind = "f32_bool" | "bool_f32" | "i32_f32" | "f32_i32" | "bool_i32" | "i32_bool";
const CASTS: readonly CastKind[] = ["f32_bool", "bool_f32", "i32_f32", "f32_i32", "bool_i32", "i32_bool"];

type Row2 = (a: number, sa: number, b: number, sb: number, out: number, n: number) => void;
export type CompareExports = { [K in CmpOp as `cmp_${K}`]: Row2 } & { [K in CastKind as `cast_${K}`]: (x: number, sx: number, out: number, n: number) => number } & {
  /** out[i] = c[i*sc] ? a[i*sa] : b[i*sb] for 4-byte a, b, out and 1-byte c. */
  where32(c: number, sc: number, a: number, sa: number, b: number, sb: number, out: number, n: number): void;
};

/** Loop like elementwise.ts's `rows`: `vec` four at a time when `fast` (i32 on the stack), then scalar. */
function rows(f: Fn, n: Local, fast: () => void, vec: () => void, scalar: () => void): void {
  fast();
  f.if(() => f.while(() => f.i(n).i(4).op("i32.ge_s"), () => { vec(); f.inc(n, -4); }));
  f.while(() => f.i(n), () => { scalar(); f.inc(n, -1); });
}

/** Pushes "stride is 0 or `unit`" for each stride, and-ed together. */
function unitOrZero(f: Fn, strides: readonly Local[], units: readonly number[]): void {
  strides.forEach((s, k) => {
    f.i(s).op("i32.eqz").i(s).i(units[k]).op("i32.eq").op("i32.or");
    if (k > 0) f.op("i32.and");
  });
}

/** Loads four 4-byte lanes into `dst` (or one splatted when the stride is 0). */
function load4To(f: Fn, p: Local, s: Local, dst: Local): void {
  f.get(s).if(() => void f.get(p).mem("v128.load", 0, 0).set(dst), () => void f.get(p).mem("v128.load32_splat").set(dst));
}

/** Loads four bool bytes widened to i32 lanes (or one splatted). */
function loadBool4To(f: Fn, p: Local, s: Local, dst: Local): void {
  f.get(s).if(
    () => void f.get(p).mem("v128.load32_zero", 0, 0).op("i16x8.extend_low_i8x16_u").op("i32x4.extend_low_i16x8_u").set(dst),
    () => void f.get(p).mem("i32.load8_u").op("i32x4.splat").set(dst),
  );
}

/** Narrows four i32 lanes holding 0/1 (on the stack) to four bytes and stores them at the address below. */
function storeBool4(f: Fn, t: Local): void {
  f.tee(t).get(t).op("i16x8.narrow_i32x4_u").tee(t).get(t).op("i8x16.narrow_i16x8_u").store32Lane(0);
}

function emitCmp(m: ModuleBuilder, op: CmpOp): void {
  m.fn(`cmp_${op}`, ["i32", "i32", "i32", "i32", "i32", "i32"], [], (f, a, sa, b, sb, out, n) => {
    const [va, vb, t] = f.locals(3, "v128");
    const sa4 = f.local(), sb4 = f.local();
    f.i(sa).i(2).op("i32.shl").set(sa4).i(sb).i(2).op("i32.shl").set(sb4);
    rows(f, n, () => unitOrZero(f, [sa, sb], [4, 4]), () => {
      load4To(f, a, sa, va); load4To(f, b, sb, vb);
      // mask (-1/0) & 1, narrowed i32 -> i16 -> i8; the low four bytes are the four results.
      f.get(out).get(va).get(vb).op(`f32x4.${op}`).i32x4(1).op("v128.and");
      storeBool4(f, t);
      f.inc(a, sa4).inc(b, sb4).inc(out, 4);
    }, () => {
      f.get(out).get(a).mem("f32.load").get(b).mem("f32.load").op(`f32.${op}`).mem("i32.store8");
      f.inc(a, sa).inc(b, sb).inc(out, 1);
    });
  });
}

function emitCast(m: ModuleBuilder, kind: CastKind): void {
  const [from, to] = kind.split("_") as ["f32" | "i32" | "bool", "f32" | "i32" | "bool"];
  const inSize = from === "bool" ? 1 : 4, outSize = to === "bool" ? 1 : 4;
  m.fn(`cast_${kind}`, ["i32", "i32", "i32", "i32"], ["i32"], (f, x, sx, out, n) => {
    const [v, bad, t] = f.locals(3, "v128");
    const sxv = f.local(), badS = f.local();
    f.v128zero().set(bad).mov(badS, 0);
    f.i(sx).i(2).op("i32.shl").set(sxv);
    rows(f, n, () => unitOrZero(f, [sx], [inSize]), () => {
      if (from === "bool") loadBool4To(f, x, sx, v);
      else load4To(f, x, sx, v);
      f.get(out);
      if (kind === "f32_bool") f.get(v).f32x4(0).op("f32x4.ne").get(v).get(v).op("f32x4.eq").op("v128.and");
      else if (kind === "i32_bool") f.get(v).i32x4(0).op("i32x4.ne");
      else if (kind === "bool_f32") f.get(v).op("f32x4.convert_i32x4_u");
      else if (kind === "i32_f32") f.get(v).op("f32x4.convert_i32x4_s");
      else if (kind === "bool_i32") f.get(v);
      else {
        f.get(bad).get(v).op("f32x4.abs").f32x4(2 ** 31).op("f32x4.ge").op("v128.or").set(bad);
        f.get(v).op("i32x4.trunc_sat_f32x4_s");
      }
      if (to === "bool") {
        f.i32x4(1).op("v128.and");
        storeBool4(f, t);
      } else f.mem("v128.store", 0, 0);
      f.inc(x, sxv).inc(out, 4 * outSize);
    }, () => {
      f.get(out).get(x).mem(from === "bool" ? "i32.load8_u" : from === "f32" ? "f32.load" : "i32.load");
      const s = f.local("f32");
      if (kind === "f32_bool") f.tee(s).f(0).op("f32.ne").get(s).get(s).op("f32.eq").op("i32.and");
      else if (kind === "i32_bool") f.i(0).op("i32.ne");
      else if (kind === "bool_f32" || kind === "i32_f32") f.op("f32.convert_i32_s");
      else if (kind === "f32_i32") {
        f.tee(s).op("f32.abs").f(2 ** 31).op("f32.ge").i(badS).op("i32.or").set(badS);
        f.get(s).op("i32.trunc_sat_f32_s");
      }
      f.mem(to === "bool" ? "i32.store8" : to === "f32" ? "f32.store" : "i32.store");
      f.inc(x, sx).inc(out, outSize);
    });
    f.get(bad).op("v128.any_true").i(badS).op("i32.or");
  });
}

function emitWhere(m: ModuleBuilder): void {
  m.fn("where32", ["i32", "i32", "i32", "i32", "i32", "i32", "i32", "i32"], [], (f, c, sc, a, sa, b, sb, out, n) => {
    const [vc, va, vb] = f.locals(3, "v128");
    const sc4 = f.local(), sa4 = f.local(), sb4 = f.local();
    f.i(sc).i(2).op("i32.shl").set(sc4).i(sa).i(2).op("i32.shl").set(sa4).i(sb).i(2).op("i32.shl").set(sb4);
    rows(f, n, () => unitOrZero(f, [sc, sa, sb], [1, 4, 4]), () => {
      loadBool4To(f, c, sc, vc); load4To(f, a, sa, va); load4To(f, b, sb, vb);
      f.get(out).get(va).get(vb).get(vc).i32x4(0).op("i32x4.ne").op("v128.bitselect").mem("v128.store", 0, 0);
      f.inc(c, sc4).inc(a, sa4).inc(b, sb4).inc(out, 16);
    }, () => {
      f.get(out).get(a).mem("i32.load").get(b).mem("i32.load").get(c).mem("i32.load8_u").op("select").mem("i32.store");
      f.inc(c, sc).inc(a, sa).inc(b, sb).inc(out, 4);
    });
  });
}

export function emitCompare(m: ModuleBuilder): void {
  for (const op of CMP_OPS) emitCmp(m, op);
  for (const k of CASTS) emitCast(m, k);
  emitWhere(m);
}

const SHORT: Partial<Record<DType, "f32" | "i32" | "bool">> = { float32: "f32", int32: "i32", bool: "bool" };

export function compareFast(op: BinaryOp): Fast<BinaryOp> | undefined {
  if (!BOOL_RESULT_BINARY.has(op)) return undefined;
  return (c, [a, b], out) => {
    if (a.dtype !== "float32" || b.dtype !== "float32" || out.dtype !== "bool") return false;
    eachRow(out.shape, [out, a, b], ([o, ia, ib], [, sa, sb], n) => runRow(c, `cmp_${op as CmpOp}`, [ia, ib], [sa, sb], o, 1, n));
    return true;
  };
}

export const cast: Fast<"cast"> = (c, [x], out) => {
  const from = SHORT[x.dtype], to = SHORT[out.dtype];
  if (!from || !to || from === to) return false;
  const kind = `${from}_${to}` as CastKind;
  let bad = 0;
  if (kind !== "f32_i32") {
    const osz = to === "bool" ? 1 : 4;
    eachRow(out.shape, [out, x], ([o, ix], [, sx], n) => runRow(c, `cast_${kind}`, [ix], [sx], o, osz, n));
    return true;
  }
  // float32 -> int32 reports out-of-range elements, so it stays on this thread.
  eachRow(out.shape, [out, x], ([o, ix], [, sx], n) => { bad |= c.ex.cast_f32_i32(ix, sx, o, n); });
  // Out-of-range float -> int32: the reference's wrap-around (ToInt32) decides.
  return bad === 0;
};

export const where: Fast<"where"> = (c, [cond, a, b], out) => {
  if (cond.dtype !== "bool" || a.dtype !== out.dtype || b.dtype !== out.dtype || (out.dtype !== "float32" && out.dtype !== "int32")) return false;
  eachRow(out.shape, [out, cond, a, b], ([o, ic, ia, ib], [, sc, sa, sb], n) => runRow(c, "where32", [ic, ia, ib], [sc, sa, sb], o, 4, n));
  return true;
};
