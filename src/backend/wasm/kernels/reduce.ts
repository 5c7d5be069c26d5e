/**
 * sum / max / min over any axes of a strided float32 view. The reduced and kept dims are collapsed
 * (reduced dims get output stride 0, so neighbours of the same kind merge), the innermost two dims go
 * to a Wasm kernel and the rest are walked in JS:
 *
 *   rows kernel (innermost dim reduced): acc[r*sa] op= reduce_j x[r*sxo + j*sxi]   (per-channel
 *     statistics of [N,C,H,W] over [0,2,3] become N calls over C rows of H*W: BatchNorm's shape)
 *   cols kernel (innermost dim kept):    acc[r*sa + j] op= x[r*sxo + j*sxi]        (bias gradients)
 *
 * Sums accumulate in float64 (an f64 scratch of the output's size, rounded once at the end), as the
 * reference does, so results match it except when the double sum lies within 1e-16 of a float32
 * rounding boundary; only the summation order differs (two f64 lanes per row). max/min use Wasm's
 * f32 max/min, which propagate NaN like the reference; they differ from it only in which of +0 and
 * -0 is returned on a tie.
 */
import { sizeOf } from "../../../core/index.js";
import type { ReduceOp } from "../../ops.js";
import type { Fn, Local, ModuleBuilder } from "../asm.js";
import { collapse, forRows, withTemp, type Fast } from "../views.js";

type Kind = "rows" | "cols";
type RedFn = (x: number, sxo: number, sxi: number, n: number, rows: number, acc: number, sa: number) => void;
export type ReduceExports = { [K in `red_${ReduceOp}_${Kind}`]: RedFn } & {
  /** out[i] = f32(acc[i]) for n doubles. */
  f64_to_f32(acc: number, out: number, n: number): void;
};

const IDENTITY: Record<ReduceOp, number> = { sum: 0, max: -Infinity, min: Infinity };

/** Combines the value on the stack into local `a` (f64 add for sum, f32 max/min otherwise). */
function combine(f: Fn, op: ReduceOp, vec: boolean, a: Local): void {
  if (op === "sum") f.get(a).op(vec ? "f64x2.add" : "f64.add").set(a);
  else f.get(a).op(vec ? (op === "max" ? "f32x4.max" : "f32x4.min") : op === "max" ? "f32.max" : "f32.min").set(a);
}

/** Pushes element x[p] converted to the accumulator type. */
function loadScalar(f: Fn, op: ReduceOp, p: Local): void {
  f.get(p).mem("f32.load");
  if (op === "sum") f.op("f64.promote_f32");
}

function emitRows(m: ModuleBuilder, op: ReduceOp): void {
  const sum = op === "sum";
  m.fn(`red_${op}_rows`, ["i32", "i32", "i32", "i32", "i32", "i32", "i32"], [], (f, x, sxo, sxi, n, rows, acc, sa) => {
    const [p, j] = f.locals(2);
    const v0 = f.local("v128"), v1 = f.local("v128");
    const s = f.local(sum ? "f64" : "f32");
    f.while(() => f.i(rows), () => {
      f.mov(p, x).mov(j, n);
      if (sum) f.f64(0).set(s);
      else f.f(IDENTITY[op]).set(s);
      f.i(sxi).i(4).op("i32.eq").if(() => {
        if (sum) {
          // Four floats a step into two f64x2 partial sums.
          f.v128zero().set(v0).v128zero().set(v1);
          f.while(() => f.i(j).i(4).op("i32.ge_s"), () => {
            f.get(p).mem("v128.load64_zero", 0, 0).op("f64x2.promote_low_f32x4"); combine(f, op, true, v0);
            f.get(p).mem("v128.load64_zero", 8, 0).op("f64x2.promote_low_f32x4"); combine(f, op, true, v1);
            f.inc(p, 16).inc(j, -4);
          });
          f.get(v0).get(v1).op("f64x2.add").set(v0);
          f.get(v0).laneOp("f64x2.extract_lane", 0).get(v0).laneOp("f64x2.extract_lane", 1).op("f64.add").set(s);
        } else {
          f.f32x4(IDENTITY[op]).set(v0);
          f.while(() => f.i(j).i(4).op("i32.ge_s"), () => {
            f.get(p).mem("v128.load", 0, 0); combine(f, op, true, v0);
            f.inc(p, 16).inc(j, -4);
          });
          for (let l = 0; l < 4; l++) { f.get(v0).lane("f32x4.extract_lane", l); combine(f, op, false, s); }
        }
      });
      f.while(() => f.i(j), () => { loadScalar(f, op, p); combine(f, op, false, s); f.inc(p, sxi).inc(j, -1); });
      // acc[r] op= s
      f.get(acc).get(acc).mem(sum ? "f64.load" : "f32.load").get(s);
      f.op(sum ? "f64.add" : op === "max" ? "f32.max" : "f32.min").mem(sum ? "f64.store" : "f32.store");
      f.inc(x, sxo).inc(acc, sa).inc(rows, -1);
    });
  });
}

function emitCols(m: ModuleBuilder, op: ReduceOp): void {
  const sum = op === "sum";
  const esz = sum ? 8 : 4;
  m.fn(`red_${op}_cols`, ["i32", "i32", "i32", "i32", "i32", "i32", "i32"], [], (f, x, sxo, sxi, n, rows, acc, sa) => {
    const [p, q, j] = f.locals(3);
    const a = f.local(sum ? "f64" : "f32");
    const step = sum ? 2 : 4;
    f.while(() => f.i(rows), () => {
      f.mov(p, x).mov(q, acc).mov(j, n);
      f.i(sxi).i(4).op("i32.eq").if(() => {
        f.while(() => f.i(j).i(step).op("i32.ge_s"), () => {
          f.get(q).get(q).mem("v128.load", 0, 0).get(p);
          if (sum) f.mem("v128.load64_zero", 0, 0).op("f64x2.promote_low_f32x4").op("f64x2.add");
          else f.mem("v128.load", 0, 0).op(op === "max" ? "f32x4.max" : "f32x4.min");
          f.mem("v128.store", 0, 0);
          f.inc(p, 4 * step).inc(q, esz * step).inc(j, -step);
        });
      });
      f.while(() => f.i(j), () => {
        f.get(q).mem(sum ? "f64.load" : "f32.load").set(a);
        loadScalar(f, op, p); combine(f, op, false, a);
        f.get(q).get(a).mem(sum ? "f64.store" : "f32.store");
        f.inc(p, sxi).inc(q, esz).inc(j, -1);
      });
      f.inc(x, sxo).inc(acc, sa).inc(rows, -1);
    });
  });
}

export function emitReduce(m: ModuleBuilder): void {
  for (const op of ["sum", "max", "min"] as const) {
    emitRows(m, op);
    emitCols(m, op);
  }
  m.fn("f64_to_f32", ["i32", "i32", "i32"], [], (f, acc, out, n) => {
    f.while(() => f.i(n), () => {
      f.get(out).get(acc).mem("f64.load").op("f32.demote_f64").mem("f32.store");
      f.inc(acc, 8).inc(out, 4).inc(n, -1);
    });
  });
}

/** The fast path of sum/max/min on float32 views. */
export function reduceFast(op: ReduceOp): Fast<ReduceOp> {
  return (c, [x], out, { axes }) => {
    if (x.dtype !== "float32" || out.dtype !== "float32") return false;
    const total = sizeOf(out.shape);
    const red = new Set(axes);
    // Output strides over x's dims: 0 on reduced dims, contiguous over the kept ones.
    const ost = new Array<number>(x.shape.length).fill(0);
    for (let d = x.shape.length - 1, s = 1; d >= 0; d--) {
      if (!red.has(d)) { ost[d] = s; s *= x.shape[d]; }
    }
    const sum = op === "sum";
    const esz = sum ? 8 : 4;
    const run = (acc: number): void => {
      if (sizeOf(x.shape) === 0) return;
      const { shape, strides: [xs, os] } = collapse(x.shape, [x.strides, ost]);
      const r = shape.length;
      const n = shape[r - 1], rows = r >= 2 ? shape[r - 2] : 1;
      const sxo = r >= 2 ? xs[r - 2] * 4 : 0, sao = r >= 2 ? os[r - 2] * esz : 0;
      const kind: Kind = os[r - 1] === 0 ? "rows" : "cols";
      const fn = c.ex[`red_${op}_${kind}`];
      forRows(shape, [xs, os], [x.offset, 0], ([xo, oo]) => fn(xo * 4, sxo, xs[r - 1] * 4, n, rows, acc + oo * esz, sao), Math.min(r, 2));
    };
    if (!sum) {
      c.view("float32").fill(IDENTITY[op], out.offset, out.offset + total);
      run(out.offset * 4);
      return true;
    }
    withTemp(c, total * 8 + 8, (acc0) => {
      const acc = Math.ceil(acc0 / 8) * 8;
      c.ex.fill_bytes(acc, 0, total * 8);
      run(acc);
      c.ex.f64_to_f32(acc, out.offset * 4, total);
    });
    return true;
  };
}
