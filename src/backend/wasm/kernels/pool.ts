/**
 * 2-D pooling on [N,C,H,W] float32, bit-identical to the reference kernels (reference/pool.ts):
 *
 * - max pooling picks the first maximum in scan order (kh, then kw), a NaN winning at once, as
 *   PyTorch's CPU kernel; backward recomputes that argmax from the saved input and adds gy there
 *   (gx starts at +0, so a -0 gradient lands as +0, like the reference's `gx[i] += g`).
 * - avg pooling sums in float64 and multiplies by the float64 reciprocal of the count; backward
 *   adds gy * (1/count) into gx one window at a time, rounding to float32 after each add, in the
 *   reference's order, so overlapping windows round identically.
 *
 * The generic kernels are scalar with the window clipped per output row and column (no bounds tests
 * in the inner loops). The 2x2 / stride 2 / no padding max pool, the one every LeNet-style model uses,
 * has a SIMD kernel: four outputs per step, the even and odd columns of two input rows separated with
 * shuffles. It reproduces first-maximum semantics with equality masks: with m the NaN-propagating
 * max of the window, the winner is the first element that equals m or is NaN.
 */
import type { Pool2dAttrs } from "../../ops.js";
import type { Fn, Local, ModuleBuilder } from "../asm.js";
import { runSplit } from "../parallel.js";
import { addr, allF32, type Fast } from "../views.js";

type Geometry = [NC: number, H: number, W: number, HO: number, WO: number, KH: number, KW: number, sh: number, sw: number, ph: number, pw: number];
export interface PoolExports {
  maxpool_fwd(x: number, y: number, ...g: Geometry): void;
  /** gx must be zeroed by the caller. */
  maxpool_bwd(gy: number, x: number, gx: number, ...g: Geometry): void;
  maxpool2_fwd(x: number, y: number, NC: number, H: number, W: number, HO: number, WO: number): void;
  /** gx must be zeroed by the caller. */
  maxpool2_bwd(gy: number, x: number, gx: number, NC: number, H: number, W: number, HO: number, WO: number): void;
  avgpool_fwd(x: number, y: number, includePad: number, ...g: Geometry): void;
  /** gx must be zeroed by the caller. */
  avgpool_bwd(gy: number, gx: number, includePad: number, ...g: Geometry): void;
}

const I32 = (n: number): "i32"[] => new Array<"i32">(n).fill("i32");

interface Window { kh0: Local; kh1: Local; kw0: Local; kw1: Local; ih0: Local; iw0: Local }

/**
 * Loops p < NC, oh < HO, ow < WO with the clipped window of each output: kernel rows [kh0, kh1) at
 * input row ih0 + kh, columns [kw0, kw1) at iw0 + kw. `o` counts outputs, `xb` is the byte address of
 * input plane p.
 */
function scan(f: Fn, x: Local, g: Local[], body: (o: Local, xb: Local, w: Window) => void): void {
  const [NC, H, W, HO, WO, KH, KW, sh, sw, ph, pw] = g;
  const [p, oh, ow, o, xb] = f.locals(5);
  const w: Window = { kh0: f.local(), kh1: f.local(), kw0: f.local(), kw1: f.local(), ih0: f.local(), iw0: f.local() };
  // k range of a window starting at s = o*stride - pad: [max(0, -s), min(K, size - s)).
  const clip = (start: Local, o1: Local, stride: Local, pad: Local, K: Local, size: Local, k0: Local, k1: Local): void => {
    f.i(o1).i(stride).op("i32.mul").i(pad).op("i32.sub").set(start);
    f.i(0).i(start).op("i32.sub").set(k0);
    f.i(k0).i(0).op("i32.lt_s").if(() => f.mov(k0, 0));
    f.i(size).i(start).op("i32.sub").set(k1);
    f.i(k1).i(K).op("i32.gt_s").if(() => f.mov(k1, K));
  };
  f.mov(o, 0).mov(xb, x);
  f.for(p, 0, NC, 1, () => {
    f.for(oh, 0, HO, 1, () => {
      clip(w.ih0, oh, sh, ph, KH, H, w.kh0, w.kh1);
      f.for(ow, 0, WO, 1, () => {
        clip(w.iw0, ow, sw, pw, KW, W, w.kw0, w.kw1);
        body(o, xb, w);
        f.inc(o, 1);
      });
    });
    f.i(H).i(W).op("i32.mul").i(2).op("i32.shl").i(xb).op("i32.add").set(xb);
  });
}

/** Byte address of x[ih0 + kh, iw0 + kw] in the plane at xb. */
function at(f: Fn, xb: Local, W: Local, w: Window, kh: Local, kw: Local): void {
  f.i(w.ih0).i(kh).op("i32.add").i(W).op("i32.mul").i(w.iw0).op("i32.add").i(kw).op("i32.add").i(2).op("i32.shl").i(xb).op("i32.add");
}

/** Sets best / bi (byte address) to the window's first maximum (bi = -1 when the window is empty). */
function argmax(f: Fn, xb: Local, W: Local, w: Window, best: Local, bi: Local): void {
  const [kh, kw, a] = f.locals(3);
  const v = f.local("f32");
  f.f(-Infinity).set(best).mov(bi, -1);
  f.for(kh, w.kh0, w.kh1, 1, () => {
    f.for(kw, w.kw0, w.kw1, 1, () => {
      at(f, xb, W, w, kh, kw); f.tee(a).mem("f32.load").set(v);
      f.get(v).get(best).op("f32.gt").get(v).get(v).op("f32.ne").op("i32.or").get(bi).i(0).op("i32.lt_s").op("i32.or").if(() => {
        f.get(v).set(best).mov(bi, a);
        // A NaN wins at once: leave both loops (labels out from here: if, kw loop, kw block, kh loop, kh block).
        f.get(v).get(v).op("f32.ne").brIf(4);
      });
    });
  });
}

function emitMax(m: ModuleBuilder): void {
  m.fn("maxpool_fwd", I32(13), [], (f, x, y, ...g) => {
    const best = f.local("f32"), bi = f.local();
    scan(f, x, g, (o, xb, w) => {
      argmax(f, xb, g[2], w, best, bi);
      f.i(o).i(2).op("i32.shl").i(y).op("i32.add").get(best).mem("f32.store");
    });
  });
  m.fn("maxpool_bwd", I32(14), [], (f, gy, x, gx, ...g) => {
    const best = f.local("f32"), bi = f.local();
    scan(f, x, g, (o, xb, w) => {
      argmax(f, xb, g[2], w, best, bi);
      f.i(bi).i(0).op("i32.ge_s").if(() => {
        // gx address = gx + (bi - x)
        f.i(bi).i(x).op("i32.sub").i(gx).op("i32.add").tee(bi);
        f.get(bi).mem("f32.load").i(o).i(2).op("i32.shl").i(gy).op("i32.add").mem("f32.load").op("f32.add").mem("f32.store");
      });
    });
  });
}

/** 2x2 / stride 2 max pooling, forward (`gy` = 0) or backward; four outputs a step, scalar tail. */
function emitMax2(m: ModuleBuilder, backward: boolean): void {
  const params = backward ? I32(8) : I32(7);
  m.fn(backward ? "maxpool2_bwd" : "maxpool2_fwd", params, [], (f, ...ps) => {
    // Forward: (x, y, ...); backward: (gy, x, gx, ...). `gy` doubles as the output-row base.
    const [gy, x, out, NC, H, W, HO, WO] = backward ? ps : [ps[1], ...ps];
    const [p, oh, ow, r0, r1, o, g0, g1, rowB] = f.locals(9);
    const [a, b, c, d, mx, isA, isB, isC, t, zero] = f.locals(10, "v128");
    f.v128zero().set(zero);
    f.i(W).i(2).op("i32.shl").set(rowB);
    f.for(p, 0, NC, 1, () => {
      f.for(oh, 0, HO, 1, () => {
        // r0, r1: the two input rows; o: the output (forward) or gy (backward) row; g0, g1: gx rows.
        f.i(p).i(H).op("i32.mul").i(oh).i(1).op("i32.shl").op("i32.add").i(rowB).op("i32.mul").i(x).op("i32.add").set(r0);
        f.i(r0).i(rowB).op("i32.add").set(r1);
        f.i(p).i(HO).op("i32.mul").i(oh).op("i32.add").i(WO).op("i32.mul").i(2).op("i32.shl").i(backward ? gy : out).op("i32.add").set(o);
        if (backward) {
          f.i(r0).i(x).op("i32.sub").i(out).op("i32.add").set(g0);
          f.i(g0).i(rowB).op("i32.add").set(g1);
        }
        const window = (vec: boolean): void => {
          // Column parity `odd` of the window: vectors of four windows, or one window splatted.
          const ld = (row: Local, odd: number, dst: Local): void => {
            if (vec) f.get(row).mem("v128.load", 0, 0).get(row).mem("v128.load", 16, 0).shuffle32(odd ? [1, 3, 5, 7] : [0, 2, 4, 6]);
            else f.get(row).mem("f32.load", 4 * odd).op("f32x4.splat");
            f.set(dst);
          };
          ld(r0, 0, a); ld(r0, 1, b); ld(r1, 0, c); ld(r1, 1, d);
          f.get(a).get(b).op("f32x4.max").get(c).get(d).op("f32x4.max").op("f32x4.max").set(mx);
          const first = (v: Local, dst: Local): void => void f.get(v).get(mx).op("f32x4.eq").get(v).get(v).op("f32x4.ne").op("v128.or").set(dst);
          first(a, isA); first(b, isB); first(c, isC);
        };
        const step = (vec: boolean): void => {
          window(vec);
          if (!backward) {
            // value = isA ? a : isB ? b : isC ? c : d
            f.get(o).get(a).get(b).get(c).get(d).get(isC).op("v128.bitselect").get(isB).op("v128.bitselect").get(isA).op("v128.bitselect");
            if (vec) f.mem("v128.store", 0, 0); else f.lane("f32x4.extract_lane", 0).mem("f32.store");
            return;
          }
          // Exclusive winner masks, then gy routed to the winner (+0 elsewhere; adding +0 turns -0 into +0).
          f.get(isB).get(isA).op("v128.andnot").set(isB);
          f.get(isC).get(isA).get(isB).op("v128.or").op("v128.andnot").set(isC);
          f.get(o).mem(vec ? "v128.load" : "v128.load32_splat", 0, 0).set(t);
          const part = (mask: Local, dst: Local): void => void f.get(t).get(mask).op("v128.and").get(zero).op("f32x4.add").set(dst);
          // d's share: gy where no earlier element won.
          f.get(t).get(isA).get(isB).op("v128.or").get(isC).op("v128.or").op("v128.andnot").get(zero).op("f32x4.add").set(d);
          part(isA, a); part(isB, b); part(isC, c);
          if (vec) {
            f.get(g0).get(a).get(b).shuffle32([0, 4, 1, 5]).mem("v128.store", 0, 0);
            f.get(g0).get(a).get(b).shuffle32([2, 6, 3, 7]).mem("v128.store", 16, 0);
            f.get(g1).get(c).get(d).shuffle32([0, 4, 1, 5]).mem("v128.store", 0, 0);
            f.get(g1).get(c).get(d).shuffle32([2, 6, 3, 7]).mem("v128.store", 16, 0);
          } else {
            f.get(g0).get(a).lane("f32x4.extract_lane", 0).mem("f32.store");
            f.get(g0).get(b).lane("f32x4.extract_lane", 0).mem("f32.store", 4);
            f.get(g1).get(c).lane("f32x4.extract_lane", 0).mem("f32.store");
            f.get(g1).get(d).lane("f32x4.extract_lane", 0).mem("f32.store", 4);
          }
        };
        const advance = (k: number): void => {
          f.inc(r0, 8 * k).inc(r1, 8 * k).inc(o, 4 * k);
          if (backward) f.inc(g0, 8 * k).inc(g1, 8 * k);
        };
        f.mov(ow, 0);
        f.while(() => f.i(ow).i(4).op("i32.add").i(WO).op("i32.le_s"), () => { step(true); advance(4); f.inc(ow, 4); });
        f.while(() => f.i(ow).i(WO).op("i32.lt_s"), () => { step(false); advance(1); f.inc(ow, 1); });
      });
    });
  });
}

function emitAvg(m: ModuleBuilder): void {
  /** dst = 1 / (includePad ? KH*KW : clipped window size), as a double. */
  const inv = (f: Fn, dst: Local, incl: Local, g: Local[], w: Window): void => {
    const cnt = f.local();
    f.i(w.kh1).i(w.kh0).op("i32.sub").i(w.kw1).i(w.kw0).op("i32.sub").op("i32.mul").set(cnt);
    f.get(incl).if(() => void f.i(g[5]).i(g[6]).op("i32.mul").set(cnt));
    f.f64(1).i(cnt).op("f64.convert_i32_s").op("f64.div").set(dst);
  };
  m.fn("avgpool_fwd", I32(14), [], (f, x, y, incl, ...g) => {
    const [kh, kw] = f.locals(2);
    const acc = f.local("f64"), r = f.local("f64");
    scan(f, x, g, (o, xb, w) => {
      f.f64(0).set(acc);
      f.for(kh, w.kh0, w.kh1, 1, () => f.for(kw, w.kw0, w.kw1, 1, () => {
        at(f, xb, g[2], w, kh, kw); f.mem("f32.load").op("f64.promote_f32").get(acc).op("f64.add").set(acc);
      }));
      inv(f, r, incl, g, w);
      f.i(o).i(2).op("i32.shl").i(y).op("i32.add").get(acc).get(r).op("f64.mul").op("f32.demote_f64").mem("f32.store");
    });
  });
  m.fn("avgpool_bwd", I32(14), [], (f, gy, gx, incl, ...g) => {
    const [kh, kw, a] = f.locals(3);
    const v = f.local("f64"), r = f.local("f64");
    scan(f, gx, g, (o, xb, w) => {
      inv(f, r, incl, g, w);
      f.i(o).i(2).op("i32.shl").i(gy).op("i32.add").mem("f32.load").op("f64.promote_f32").get(r).op("f64.mul").set(v);
      f.for(kh, w.kh0, w.kh1, 1, () => f.for(kw, w.kw0, w.kw1, 1, () => {
        at(f, xb, g[2], w, kh, kw); f.tee(a).get(a).mem("f32.load").op("f64.promote_f32").get(v).op("f64.add").op("f32.demote_f64").mem("f32.store");
      }));
    });
  });
}

export function emitPool(m: ModuleBuilder): void {
  emitMax(m);
  emitMax2(m, false);
  emitMax2(m, true);
  emitAvg(m);
}

function geometry(xShape: readonly number[], yShape: readonly number[], a: Pool2dAttrs): Geometry {
  return [xShape[0] * xShape[1], xShape[2], xShape[3], yShape[2], yShape[3], a.kernel[0], a.kernel[1], a.stride[0], a.stride[1], a.padding[0], a.padding[1]];
}

const isMax2 = (a: Pool2dAttrs): boolean =>
  a.kernel[0] === 2 && a.kernel[1] === 2 && a.stride[0] === 2 && a.stride[1] === 2 && a.padding[0] === 0 && a.padding[1] === 0;

export const maxPool2d: Fast<"maxPool2d"> = (c, [x], y, a) => {
  if (!allF32([x, y])) return false;
  const g = geometry(x.shape, y.shape, a);
  if (isMax2(a)) runSplit(c, "maxpool2_fwd", { a: addr(x), b: addr(y), c: 0, lead: g[0], d1: g[1], d2: g[2], d3: g[3], d4: g[4], p: 0 }, g[0] * g[1] * g[2]);
  else c.ex.maxpool_fwd(addr(x), addr(y), ...g);
  return true;
};

export const maxPool2dBackward: Fast<"maxPool2dBackward"> = (c, [gy, x], gx, a) => {
  if (!allF32([gy, x, gx])) return false;
  const g = geometry(x.shape, gy.shape, a);
  c.ex.fill_bytes(addr(gx), 0, g[0] * g[1] * g[2] * 4);
  if (isMax2(a)) runSplit(c, "maxpool2_bwd", { a: addr(gy), b: addr(x), c: addr(gx), lead: g[0], d1: g[1], d2: g[2], d3: g[3], d4: g[4], p: 0 }, 2 * g[0] * g[1] * g[2]);
  else c.ex.maxpool_bwd(addr(gy), addr(x), addr(gx), ...g);
  return true;
};

export const avgPool2d: Fast<"avgPool2d"> = (c, [x], y, a) => {
  if (!allF32([x, y])) return false;
  c.ex.avgpool_fwd(addr(x), addr(y), a.countIncludePad ? 1 : 0, ...geometry(x.shape, y.shape, a));
  return true;
};

export const avgPool2dBackward: Fast<"avgPool2dBackward"> = (c, [gy], gx, a) => {
  if (!allF32([gy, gx])) return false;
  const g = geometry(a.inputShape, gy.shape, a);
  c.ex.fill_bytes(addr(gx), 0, g[0] * g[1] * g[2] * 4);
  c.ex.avgpool_bwd(addr(gy), addr(gx), a.countIncludePad ? 1 : 0, ...g);
  return true;
};
