/**
 * Transcendental float32 kernels (exp, log, tanh, sigmoid, erf) and the softmax family along the last
 * axis, four lanes at a time. The reference rounds the double-precision result once; these evaluate in
 * float32 and stay within a few ulp of it (tested in fastpaths.test.ts), so they are "within float32
 * tolerance", not bit-exact. Special values (±0, ±Inf, NaN, subnormals) follow the reference.
 *
 * - exp: Cody & Waite range reduction x = n ln2 + r, |r| <= ln2/2, with ln2 split in a short high part
 *   (exact n*ln2_hi) and a low part; e^r by its degree-7 Taylor polynomial (truncation < 6e-9); 2^n
 *   built in two halves so results down to subnormals and up to overflow come out right.
 * - log: x = m 2^e with m in [sqrt(1/2), sqrt(2)), log m = 2 atanh(s), s = (m-1)/(m+1), odd series in s
 *   (|s| <= 0.172, truncation < 1e-10).
 * - tanh: odd Taylor series below |x| = 0.5, else 1 - 2/(e^{2|x|} + 1) with the sign copied back.
 * - sigmoid: e = exp(-|x|); 1/(1+e) or e/(1+e), the reference's two branches.
 * - erf: below |x| = 1, x P(x^2) with P a least-squares fit of erf(x)/x (degree 7 in x^2); above,
 *   1 - e^{-x^2} u h(u), u = 1/|x|, h a degree-10 fit of erfc(x) e^{x^2} x in u over [1/3.95, 1];
 *   from |x| = 3.95 on erf rounds to ±1 in float32. Coefficients were fitted against mpmath.
 */
import { sizeOf } from "../../../core/index.js";
import type { UnaryOp } from "../../ops.js";
import type { Fn, Local, ModuleBuilder } from "../asm.js";
import { runRow } from "../parallel.js";
import { addr, allF32, eachRow, type Fast } from "../views.js";

export const MATH_UNARY = ["exp", "log", "tanh", "sigmoid", "erf"] as const;
export type MathUnary = (typeof MATH_UNARY)[number];

export type MathExports = { [K in MathUnary as `ew_${K}`]: (x: number, sx: number, out: number, n: number) => void } & {
  /** Rows of n contiguous floats: softmax (log = 0) or log-softmax (log = 1) of each. */
  softmax_rows(x: number, out: number, rows: number, n: number, log: number): void;
  /** loss[i] = logsumexp(z[i,:]) - z[i, labels[i]] for rows of n floats (labels already checked). */
  softmax_ce(z: number, labels: number, out: number, rows: number, n: number): void;
};

const LN2_HI = 0.693359375, LN2_LO = -2.12194440e-4;

/** Pushes the polynomial sum c[k] t^k (Horner) of f32x4 local t. */
function horner(f: Fn, t: Local, c: readonly number[]): void {
  f.f32x4(c[c.length - 1]);
  for (let k = c.length - 2; k >= 0; k--) f.get(t).op("f32x4.mul").f32x4(c[k]).op("f32x4.add");
}

/** Pushes exp(x) for the f32x4 local x. */
function expV(f: Fn, x: Local): void {
  const [xc, n, r, p] = f.locals(4, "v128");
  const ni = f.local("v128"), n1 = f.local("v128");
  f.get(x).f32x4(-104).op("f32x4.max").f32x4(89).op("f32x4.min").set(xc);
  f.get(xc).f32x4(Math.LOG2E).op("f32x4.mul").op("f32x4.nearest").set(n);
  f.get(xc).get(n).f32x4(LN2_HI).op("f32x4.mul").op("f32x4.sub").get(n).f32x4(LN2_LO).op("f32x4.mul").op("f32x4.sub").set(r);
  horner(f, r, [1, 1, 1 / 2, 1 / 6, 1 / 24, 1 / 120, 1 / 720, 1 / 5040]);
  f.set(p);
  // 2^n = 2^n1 * 2^(n - n1), n1 = n >> 1: each half stays a normal float32 for n in [-150, 128].
  f.get(n).op("i32x4.trunc_sat_f32x4_s").set(ni);
  f.get(ni).i(1).op("i32x4.shr_s").set(n1);
  f.get(p);
  f.get(n1).i32x4(127).op("i32x4.add").i(23).op("i32x4.shl").op("f32x4.mul");
  f.get(ni).get(n1).op("i32x4.sub").i32x4(127).op("i32x4.add").i(23).op("i32x4.shl").op("f32x4.mul");
}

/** Pushes log(x) for the f32x4 local x. */
function logV(f: Fn, x: Local): void {
  const [xs, small, e, m, big, fm, s, z, ef, res] = f.locals(10, "v128");
  // Subnormals: scale by 2^23 first.
  f.get(x).f32x4(1.1754943508222875e-38).op("f32x4.lt").set(small);
  f.get(x).f32x4(8388608).op("f32x4.mul").get(x).get(small).op("v128.bitselect").set(xs);
  f.get(xs).i(23).op("i32x4.shr_u").i32x4(127).op("i32x4.sub").get(small).i32x4(23).op("v128.and").op("i32x4.sub").set(e);
  f.get(xs).i32x4(0x7fffff).op("v128.and").i32x4(0x3f800000).op("v128.or").set(m);
  f.get(m).f32x4(Math.SQRT2).op("f32x4.gt").set(big);
  f.get(m).f32x4(0.5).op("f32x4.mul").get(m).get(big).op("v128.bitselect").set(m);
  f.get(e).get(big).op("i32x4.sub").set(e);
  f.get(m).f32x4(1).op("f32x4.sub").set(fm);
  f.get(fm).get(fm).f32x4(2).op("f32x4.add").op("f32x4.div").set(s);
  f.get(s).get(s).op("f32x4.mul").set(z);
  f.get(e).op("f32x4.convert_i32x4_s").set(ef);
  // log = e ln2_hi + (s * P(z) + e ln2_lo), P(z) = 2 + 2z/3 + 2z^2/5 + ...
  f.get(ef).f32x4(LN2_HI).op("f32x4.mul");
  f.get(s); horner(f, z, [2, 2 / 3, 2 / 5, 2 / 7, 2 / 9, 2 / 11]); f.op("f32x4.mul");
  f.get(ef).f32x4(LN2_LO).op("f32x4.mul").op("f32x4.add").op("f32x4.add").set(res);
  // Specials: 0 -> -Inf, negative or NaN -> NaN, +Inf -> +Inf.
  f.f32x4(-Infinity).get(res).get(x).f32x4(0).op("f32x4.eq").op("v128.bitselect").set(res);
  f.f32x4(NaN).get(res).get(x).f32x4(0).op("f32x4.lt").get(x).get(x).op("f32x4.ne").op("v128.or").op("v128.bitselect").set(res);
  f.f32x4(Infinity).get(res).get(x).f32x4(Infinity).op("f32x4.eq").op("v128.bitselect");
}

/** Pushes `value` with the sign bit of `like` (both f32x4 locals). */
function copySign(f: Fn, value: Local, like: Local): void {
  f.get(like).get(value).i32x4(-0x80000000).op("v128.bitselect");
}

function tanhV(f: Fn, x: Local): void {
  const [z, ser, ax, e2, big] = f.locals(5, "v128");
  f.get(x).get(x).op("f32x4.mul").set(z);
  f.get(x); horner(f, z, [1, -1 / 3, 2 / 15, -17 / 315, 62 / 2835, -1382 / 155925, 21844 / 6081075, -929569 / 638512875]); f.op("f32x4.mul").set(ser);
  f.get(x).op("f32x4.abs").set(ax);
  f.get(ax).get(ax).op("f32x4.add").set(e2);
  expV(f, e2); f.set(e2);
  f.f32x4(1).f32x4(2).get(e2).f32x4(1).op("f32x4.add").op("f32x4.div").op("f32x4.sub").set(big);
  copySign(f, big, x); f.set(big);
  f.get(ser).get(big).get(ax).f32x4(0.5).op("f32x4.lt").op("v128.bitselect");
}

function sigmoidV(f: Fn, x: Local): void {
  const [e, r] = f.locals(2, "v128");
  f.get(x).op("f32x4.abs").op("f32x4.neg").set(e);
  expV(f, e); f.set(e);
  f.f32x4(1).f32x4(1).get(e).op("f32x4.add").op("f32x4.div").set(r);
  f.get(r).get(e).get(r).op("f32x4.mul").get(x).f32x4(0).op("f32x4.ge").op("v128.bitselect");
}

const ERF_SMALL = [1.128379167062736, -0.37612638477235605, 0.11283782633431816, -0.02686543875341735, 0.005221054254380952,
  -0.0008484404418716715, 0.00011268285332353875, -9.673618604673032e-06];
const ERFC_MID = 0.6265822784810127, ERFC_HALF = 0.37341772151898733;
const ERFC_H = [0.4892532885427329, -0.06407444926179633, -0.00013296068608969902, 0.0037286469965006896, -0.0015096167415142052,
  0.00035958956728893973, -2.8563499329703637e-05, -2.443095091175185e-05, 1.75553666160788e-05, -6.648817156224586e-06, 1.1655343316023016e-06];

function erfV(f: Fn, x: Local): void {
  const [z, small, ax, u, t, e, big] = f.locals(7, "v128");
  f.get(x).get(x).op("f32x4.mul").set(z);
  f.get(x); horner(f, z, ERF_SMALL); f.op("f32x4.mul").set(small);
  f.get(x).op("f32x4.abs").f32x4(3.95).op("f32x4.min").set(ax);
  f.f32x4(1).get(ax).op("f32x4.div").set(u);
  f.get(u).f32x4(ERFC_MID).op("f32x4.sub").f32x4(1 / ERFC_HALF).op("f32x4.mul").set(t);
  f.get(ax).get(ax).op("f32x4.mul").op("f32x4.neg").set(e);
  expV(f, e); f.set(e);
  f.f32x4(1).get(e).get(u).op("f32x4.mul"); horner(f, t, ERFC_H); f.op("f32x4.mul").op("f32x4.sub").set(big);
  copySign(f, big, x); f.set(big);
  f.get(small).get(big).get(x).op("f32x4.abs").f32x4(1).op("f32x4.lt").op("v128.bitselect");
}

const VEC: Record<MathUnary, (f: Fn, x: Local) => void> = { exp: expV, log: logV, tanh: tanhV, sigmoid: sigmoidV, erf: erfV };

function emitUnary(m: ModuleBuilder, op: MathUnary): void {
  m.fn(`ew_${op}`, ["i32", "i32", "i32", "i32"], [], (f, x, sx, out, n) => {
    const v = f.local("v128"), r = f.local("v128");
    const body = (vec: boolean): void => {
      if (vec) f.get(x).mem("v128.load", 0, 0).set(v);
      else f.get(x).mem("v128.load32_splat").set(v);
      VEC[op](f, v);
      f.set(r).get(out).get(r);
      if (vec) f.mem("v128.store", 0, 0); else f.lane("f32x4.extract_lane", 0).mem("f32.store");
    };
    // The math is emitted twice (vector and one-lane loops), not called: inlining keeps it in registers.
    f.i(sx).i(4).op("i32.eq").if(() => f.while(() => f.i(n).i(4).op("i32.ge_s"), () => { body(true); f.inc(x, 16).inc(out, 16).inc(n, -4); }));
    f.while(() => f.i(n), () => { body(false); f.inc(x, sx).inc(out, 4).inc(n, -1); });
  });
}

/** Row maximum (NaN-propagating) of n floats at p into f32 local `mx`. */
function rowMax(f: Fn, p: Local, n: Local, mx: Local): void {
  const [q, j] = f.locals(2);
  const acc = f.local("v128");
  f.mov(q, p).mov(j, n).f32x4(-Infinity).set(acc);
  f.while(() => f.i(j).i(4).op("i32.ge_s"), () => { f.get(acc).get(q).mem("v128.load", 0, 0).op("f32x4.max").set(acc).inc(q, 16).inc(j, -4); });
  f.while(() => f.i(j), () => { f.get(acc).get(q).mem("v128.load32_splat").op("f32x4.max").set(acc).inc(q, 4).inc(j, -1); });
  f.get(acc).lane("f32x4.extract_lane", 0);
  for (let l = 1; l < 4; l++) f.get(acc).lane("f32x4.extract_lane", l).op("f32.max");
  f.set(mx);
}

/**
 * For one row: s = sum exp(x - mx) (f32 lanes, then f64 across lanes), and when `store` is given,
 * exp(x - mx) written there.
 */
function rowExpSum(f: Fn, p: Local, n: Local, mx: Local, s: Local, store?: Local): void {
  const [q, o, j] = f.locals(3);
  const [mv, v, acc, tail] = f.locals(4, "v128");
  f.mov(q, p).mov(j, n).get(mx).op("f32x4.splat").set(mv).v128zero().set(acc).v128zero().set(tail);
  if (store) f.mov(o, store);
  const one = (vec: boolean): void => {
    f.get(q).mem(vec ? "v128.load" : "v128.load32_splat", 0, 0).get(mv).op("f32x4.sub").set(v);
    expV(f, v); f.set(v);
    if (vec) f.get(acc).get(v).op("f32x4.add").set(acc);
    else f.get(tail).get(v).i32x4(-1, 0, 0, 0).op("v128.and").op("f32x4.add").set(tail);
    if (store) { f.get(o).get(v); if (vec) f.mem("v128.store", 0, 0); else f.lane("f32x4.extract_lane", 0).mem("f32.store"); }
  };
  f.while(() => f.i(j).i(4).op("i32.ge_s"), () => { one(true); f.inc(q, 16).inc(j, -4); if (store) f.inc(o, 16); });
  f.while(() => f.i(j), () => { one(false); f.inc(q, 4).inc(j, -1); if (store) f.inc(o, 4); });
  f.get(acc).get(tail).op("f32x4.add").set(acc);
  f.f64(0);
  for (let l = 0; l < 4; l++) f.get(acc).lane("f32x4.extract_lane", l).op("f64.promote_f32").op("f64.add");
  f.set(s);
}

/** log of the f64 local s, through the f32 vector log (s > 0 here: it includes exp(0) = 1). */
function logScalar(f: Fn, s: Local, dst: Local): void {
  const v = f.local("v128");
  f.get(s).op("f32.demote_f64").op("f32x4.splat").set(v);
  logV(f, v);
  f.lane("f32x4.extract_lane", 0).set(dst);
}

export function emitMath(m: ModuleBuilder): void {
  for (const op of MATH_UNARY) emitUnary(m, op);
  m.fn("softmax_rows", ["i32", "i32", "i32", "i32", "i32"], [], (f, x, out, rows, n, log) => {
    const mx = f.local("f32"), ls = f.local("f32"), s = f.local("f64");
    const [q, o, j] = f.locals(3);
    f.while(() => f.i(rows), () => {
      rowMax(f, x, n, mx);
      rowExpSum(f, x, n, mx, s, out);
      f.get(log).if(() => {
        // out = x - mx - log(s)
        logScalar(f, s, ls);
        f.get(mx).get(ls).op("f32.add").set(ls);
        f.mov(q, x).mov(o, out).mov(j, n);
        f.while(() => f.i(j), () => { f.get(o).get(q).mem("f32.load").get(ls).op("f32.sub").mem("f32.store").inc(q, 4).inc(o, 4).inc(j, -1); });
      }, () => {
        f.mov(o, out).mov(j, n);
        f.while(() => f.i(j), () => { f.get(o).get(o).mem("f32.load").get(s).op("f32.demote_f64").op("f32.div").mem("f32.store").inc(o, 4).inc(j, -1); });
      });
      f.i(n).i(2).op("i32.shl").set(q);
      f.inc(x, q).inc(out, q).inc(rows, -1);
    });
  });
  m.fn("softmax_ce", ["i32", "i32", "i32", "i32", "i32"], [], (f, z, labels, out, rows, n) => {
    const mx = f.local("f32"), ls = f.local("f32"), s = f.local("f64");
    f.while(() => f.i(rows), () => {
      rowMax(f, z, n, mx);
      rowExpSum(f, z, n, mx, s);
      logScalar(f, s, ls);
      // loss = log(s) + mx - z[label]
      f.get(out).get(ls).get(mx).op("f32.add").get(labels).mem("i32.load").i(2).op("i32.shl").i(z).op("i32.add").mem("f32.load").op("f32.sub").mem("f32.store");
      f.i(n).i(2).op("i32.shl").i(z).op("i32.add").set(z);
      f.inc(labels, 4).inc(out, 4).inc(rows, -1);
    });
  });
}

/** Unary fast path of exp, log, tanh, sigmoid, erf on float32 views. */
export function mathFast(op: MathUnary): Fast<UnaryOp> {
  return (c, [x], out) => {
    if (!allF32([x, out])) return false;
    eachRow(out.shape, [out, x], ([o, ix], [, sx], n) => runRow(c, `ew_${op}`, [ix], [sx], o, 4, n));
    return true;
  };
}

function softmaxLike(log: boolean): Fast<"softmax" | "logSoftmax"> {
  return (c, [x], out, { axis }) => {
    if (!allF32([x, out]) || axis !== x.shape.length - 1) return false;
    const n = x.shape[axis], total = sizeOf(x.shape);
    if (n > 0) c.ex.softmax_rows(addr(x), addr(out), total / n, n, log ? 1 : 0);
    return true;
  };
}
export const softmax = softmaxLike(false);
export const logSoftmax = softmaxLike(true);

export const softmaxCrossEntropy: Fast<"softmaxCrossEntropy"> = (c, [z, y], out) => {
  if (!allF32([z, out]) || y.dtype !== "int32") return false;
  const [N, C] = z.shape;
  const labels = c.view("int32");
  // Out-of-range labels: the reference kernel raises the error that names the example.
  for (let i = 0; i < N; i++) {
    const l = labels[y.offset + i];
    if (!(l >= 0 && l < C)) return false;
  }
  c.ex.softmax_ce(addr(z), addr(y), addr(out), N, C);
  return true;
};
