/**
 * conv2d forward and both backward passes as im2col + GEMM (Chellapilla, Puri & Simard 2006, "High
 * Performance Convolutional Neural Networks for Document Processing"), with the packed GEMM of
 * gemm.ts. Layouts as in the reference: x [N,C,H,W], w [O,C/G,KH,KW], y [N,O,HO,WO].
 *
 *   forward:        y_n,g [Og,P]  = W_g [Og,Kc] . cols_n,g [Kc,P]          (W_g packed once per call)
 *   backward input: cols  [Kc,P]  = W_g^T [Kc,Og] . gy_n,g [Og,P]; gx += col2im(cols)
 *   backward weight: gW_g [Og,Kc] += gy_n,g [Og,P] . cols_n,g^T [P,Kc]    (summed over n in order)
 *
 * with Kc = C/G*KH*KW and P = HO*WO. Columns are built per thread in P-chunks small enough to stay in
 * L2, so memory does not scale with the image size. Work is split across threads by images (or by
 * output columns / channels when the batch is smaller than the thread count); backward weight is split
 * by columns of gW so every element is summed in the same order whatever the thread count.
 *
 * NOTE (measured, not kept): an implicit GEMM for stride 1 that packs B straight from the padded image
 * as a shifted view (row (c,kh,kw) = xp[c*Hp*Wp + kh*Wp + kw + p'], p' = oh*Wp + ow, dropping the
 * ow >= WO columns) was 1-20% slower than im2col + pack on all six benchmark layers, one thread:
 * the extra Wp/WO - 1 flops and the un-shifting copy cost more than the im2col pass saves.
 */
import type { Fn, Local, ModuleBuilder } from "../asm.js";
import { forItems, forUnits, type Scheduler } from "../schedule.js";
import { KC, NC, gemmRange, prepackA, splitRange, type GemmExports } from "./gemm.js";

export interface ConvExports extends GemmExports {
  fill_bytes(dst: number, value: number, n: number): void;
  /**
   * cols[kc, p] from a zero-padded image xp [C, Hp, Wp], for kc in [kc0,kc1), p in [p0,p1); element
   * (kc,p) goes to dst + (r/Rk)*Sk1 + (r%Rk)*Sk2 + (p-p0)*ps with r = kc-kc0. May write up to three
   * floats past the end of a row-major span (ps = 4), so destinations need 16 bytes of slack.
   */
  im2col(dst: number, xp: number, kc0: number, kc1: number, p0: number, p1: number, Rk: number, Sk1: number, Sk2: number, ps: number,
    Hp: number, Wp: number, KH: number, KW: number, WO: number, sh: number, sw: number, dh: number, dw: number): void;
  /** The adjoint: xp[...] += cols[kc, p] over the same index map (no overshoot). */
  col2im(src: number, xp: number, kc0: number, kc1: number, p0: number, p1: number, Rk: number, Sk1: number, Sk2: number, ps: number,
    Hp: number, Wp: number, KH: number, KW: number, WO: number, sh: number, sw: number, dh: number, dw: number): void;
  /** Copies the C x H x W interior between x and its padded copy xp [C, H+2ph, W+2pw] (toPadded: x -> xp). */
  pad_copy(xp: number, x: number, C: number, H: number, W: number, ph: number, pw: number, toPadded: number): void;
}

const I32x19 = new Array<"i32">(19).fill("i32");

/**
 * Emits im2col (gather) or col2im (scatter-add). NOTE: both work on a zero-padded copy of the image,
 * so a span of one output row is a plain strided copy with no bounds checks; the clipping version
 * spent most of its time on the border arithmetic of 14-32-element spans.
 */
function emitColumns(m: ModuleBuilder, name: string, scatter: boolean): void {
  m.fn(name, I32x19, [], (f, dst, xp, kc0, kc1, p0, p1, Rk, Sk1, Sk2, ps, Hp, Wp, KH, KW, WO, sh, sw, dh, dw) => {
    const [kc, c, kh, kw, khw, rk, blk, d, xc, oh0, ow0, oh, ow, p, L, s, col, sws] = f.locals(18);
    f.i(KH).i(KW).op("i32.mul").set(khw);
    f.i(sw).i(2).op("i32.shl").set(sws);
    f.i(p0).i(WO).op("i32.div_u").set(oh0);
    f.i(p0).i(oh0).i(WO).op("i32.mul").op("i32.sub").set(ow0);
    // (c, kh, kw) and the destination row (blk, rk) advance as counters: divisions per row cost more
    // than a short row.
    f.i(kc0).i(khw).op("i32.div_u").set(c);
    f.i(kc0).i(c).i(khw).op("i32.mul").op("i32.sub").i(KW).op("i32.div_u").set(kh);
    f.i(kc0).i(c).i(khw).op("i32.mul").op("i32.sub").i(kh).i(KW).op("i32.mul").op("i32.sub").set(kw);
    f.mov(rk, 0).mov(blk, 0);
    f.for(kc, kc0, kc1, 1, () => {
      f.i(blk).i(Sk1).op("i32.mul").i(rk).i(Sk2).op("i32.mul").op("i32.add").i(dst).op("i32.add").set(d);
      // xc = &xp[c, kh*dh, kw*dw]
      f.i(c).i(Hp).op("i32.mul").i(kh).i(dh).op("i32.mul").op("i32.add").i(Wp).op("i32.mul").i(kw).i(dw).op("i32.mul").op("i32.add").i(2).op("i32.shl").i(xp).op("i32.add").set(xc);
      f.mov(oh, oh0).mov(ow, ow0);
      f.for(p, p0, p1, L, () => {
        // L = min(WO - ow, p1 - p): the rest of this output row inside [p0, p1).
        f.i(WO).i(ow).op("i32.sub").set(L);
        f.i(p1).i(p).op("i32.sub").i(L).op("i32.lt_s").if(() => f.i(p1).i(p).op("i32.sub").set(L));
        f.i(oh).i(sh).op("i32.mul").i(Wp).op("i32.mul").i(ow).i(sw).op("i32.mul").op("i32.add").i(2).op("i32.shl").i(xc).op("i32.add").set(s);
        f.mov(col, d);
        copySpan(f, scatter, s, sws, col, ps, L);
        f.i(L).i(ps).op("i32.mul").i(d).op("i32.add").set(d);
        f.mov(ow, 0).inc(oh, 1);
      });
      f.inc(kw, 1).inc(rk, 1);
      f.i(kw).i(KW).op("i32.eq").if(() => {
        f.mov(kw, 0).inc(kh, 1);
        f.i(kh).i(KH).op("i32.eq").if(() => void f.mov(kh, 0).inc(c, 1));
      });
      f.i(rk).i(Rk).op("i32.eq").if(() => void f.mov(rk, 0).inc(blk, 1));
    });
  });
}

/** Vectors of a gathered span copied without a loop. */
const SPAN_UNROLL = 8;

/** Moves n elements between xp (stride sws bytes) and the columns (stride ps bytes). */
function copySpan(f: Fn, scatter: boolean, s: Local, sws: Local, col: Local, ps: Local, n: Local): void {
  const cnt = f.local();
  f.mov(cnt, n);
  f.i(sws).i(4).op("i32.eq").i(ps).i(4).op("i32.eq").op("i32.and").if(() => {
    if (scatter) {
      // Whole vectors (the first SPAN_UNROLL without a loop, as in the gather), then the scalar tail.
      const q = f.local();
      f.i(cnt).i(-4).op("i32.and").set(q);
      const add = (off: number): void => void f.i(s).i(s).mem("v128.load", off, 0).i(col).mem("v128.load", off, 0).op("f32x4.add").mem("v128.store", off, 0);
      const nest = (v: number): void => {
        add(16 * v);
        if (v + 1 < SPAN_UNROLL) f.i(q).i(4 * (v + 1)).op("i32.gt_s").if(() => nest(v + 1));
      };
      f.i(q).if(() => nest(0));
      f.i(q).i(4 * SPAN_UNROLL).op("i32.gt_s").if(() => {
        f.i(q).i(4 * SPAN_UNROLL).op("i32.sub").set(q).inc(s, 16 * SPAN_UNROLL).inc(col, 16 * SPAN_UNROLL).inc(cnt, -4 * SPAN_UNROLL);
        f.while(() => f.i(q), () => {
          add(0);
          f.inc(s, 16).inc(col, 16).inc(cnt, -4).inc(q, -4);
        });
      }, () => {
        f.i(q).i(2).op("i32.shl").set(q);
        f.i(s).i(q).op("i32.add").set(s).i(col).i(q).op("i32.add").set(col).i(cnt).i(cnt).i(-4).op("i32.and").op("i32.sub").set(cnt);
      });
    } else {
      // NOTE: rounds the span up to whole vectors; the overshoot lands where the next span (or the
      // slack) will be written, which is cheaper than a scalar tail.
      // The first UNROLLED vectors as a chain of ifs with immediate offsets (a span is one output row,
      // 14-32 floats in the benchmark models: the loop's pointer updates and branches cost more than
      // the copies); a loop for the rest.
      const nest = (v: number): void => {
        f.i(col).i(s).mem("v128.load", 16 * v, 0).mem("v128.store", 16 * v, 0);
        if (v + 1 < SPAN_UNROLL) f.i(cnt).i(4 * (v + 1)).op("i32.gt_s").if(() => nest(v + 1));
      };
      nest(0);
      f.i(cnt).i(4 * SPAN_UNROLL).op("i32.gt_s").if(() => {
        f.inc(s, 16 * SPAN_UNROLL).inc(col, 16 * SPAN_UNROLL).inc(cnt, -4 * SPAN_UNROLL);
        f.while(() => f.i(cnt).i(0).op("i32.gt_s"), () => {
          f.i(col).i(s).mem("v128.load", 0, 0).mem("v128.store", 0, 0);
          f.inc(s, 16).inc(col, 16).inc(cnt, -4);
        });
      });
      f.mov(cnt, 0);
    }
  });
  f.while(() => f.i(cnt).i(0).op("i32.gt_s"), () => {
    if (scatter) f.i(s).i(s).mem("f32.load").i(col).mem("f32.load").op("f32.add").mem("f32.store");
    else f.i(col).i(s).mem("f32.load").mem("f32.store");
    f.inc(s, sws).inc(col, ps).inc(cnt, -1);
  });
}

function emitPadCopy(m: ModuleBuilder): void {
  m.fn("pad_copy", ["i32", "i32", "i32", "i32", "i32", "i32", "i32", "i32"], [], (f, xp, x, C, H, W, ph, pw, toPadded) => {
    const [rows, r, h, a, b, n, Wp] = f.locals(7);
    f.i(W).i(pw).i(1).op("i32.shl").op("i32.add").set(Wp);
    f.i(C).i(H).op("i32.mul").set(rows);
    f.mov(h, 0);
    f.i(ph).i(Wp).op("i32.mul").i(pw).op("i32.add").i(2).op("i32.shl").i(xp).op("i32.add").set(b);
    f.for(r, 0, rows, 1, () => {
      f.mov(a, x).mov(n, W);
      const t = f.local();
      f.mov(t, b);
      f.while(() => f.i(n).i(4).op("i32.ge_s"), () => {
        f.get(toPadded).if(
          () => void f.i(t).i(a).mem("v128.load", 0, 0).mem("v128.store", 0, 0),
          () => void f.i(a).i(t).mem("v128.load", 0, 0).mem("v128.store", 0, 0),
        );
        f.inc(a, 16).inc(t, 16).inc(n, -4);
      });
      f.while(() => f.i(n), () => {
        f.get(toPadded).if(
          () => void f.i(t).i(a).mem("f32.load").mem("f32.store"),
          () => void f.i(a).i(t).mem("f32.load").mem("f32.store"),
        );
        f.inc(a, 4).inc(t, 4).inc(n, -1);
      });
      f.i(W).i(2).op("i32.shl").i(x).op("i32.add").set(x);
      f.i(Wp).i(2).op("i32.shl").i(b).op("i32.add").set(b);
      // Next channel: skip the 2*ph padding rows.
      f.inc(h, 1);
      f.i(h).i(H).op("i32.eq").if(() => {
        f.mov(h, 0);
        f.i(ph).i(Wp).op("i32.mul").i(3).op("i32.shl").i(b).op("i32.add").set(b);
      });
    });
  });
}

export function emitConv(m: ModuleBuilder): void {
  emitColumns(m, "im2col", false);
  emitColumns(m, "col2im", true);
  emitPadCopy(m);
}

/** Geometry and addresses of one conv call, as passed to the threads (all i32). */
export const CONV_ARGS = ["N", "C", "H", "W", "O", "KH", "KW", "HO", "WO", "sh", "sw", "ph", "pw", "dh", "dw", "G", "x", "w", "y", "wpack", "scratch", "stride", "xpoff"] as const;
export type ConvArgs = Record<(typeof CONV_ARGS)[number], number>;

/**
 * Floats of columns per thread and chunk: 48K floats (192 KiB) leave room in a 512 KiB L2 for the
 * packed weights, so columns written by im2col (or by the backward-input GEMM) are still in L2 when
 * read back. Measured: 1 MiB chunks made backward-input twice as slow (cols spilled to L3).
 */
export const COLS_FLOATS = 48 * 1024;

export function colsChunk(Kc: number, P: number, NR: number): number {
  return Math.min(P, Math.max(NR, Math.floor(COLS_FLOATS / Math.max(Kc, 1) / NR) * NR));
}

/** Rows of columns im2col'd per step of backward weight before they are packed (48 x KC floats: 48 KiB). */
const BW_SUB = 48;

/** Floats of backward weight's packed panels; the columns' staging area follows them. */
function bwTempFloats(Kc: number, NR: number): number {
  return KC * (Math.min(Kc, NC) + NR) + 16;
}

/** Per-thread scratch bytes after the GEMM's: columns (or packed panels), then the padded image. */
export function convScratchBytes(kind: "forward" | "backwardInput" | "backwardWeight", C: number, H: number, W: number, ph: number, pw: number, G: number, Kc: number, P: number, NR: number): { cols: number; total: number } {
  const colsFloats = kind === "backwardWeight" ? bwTempFloats(Kc, NR) + BW_SUB * KC : Kc * colsChunk(Kc, P, NR);
  const cols = Math.ceil((colsFloats * 4 + 256) / 64) * 64;
  return { cols, total: cols + ((C / G) * (H + 2 * ph) * (W + 2 * pw) + 64) * 4 };
}

/** The padded image of group g of image n (copied when there is padding), and its dims. */
function source(ex: ConvExports, a: ConvArgs, xp: number, n: number, g: number): [number, number, number] {
  const Cg = a.C / a.G;
  const xg = a.x + (n * a.C + g * Cg) * a.H * a.W * 4;
  if (a.ph === 0 && a.pw === 0) return [xg, a.H, a.W];
  ex.pad_copy(xp, xg, Cg, a.H, a.W, a.ph, a.pw, 1);
  return [xp, a.H + 2 * a.ph, a.W + 2 * a.pw];
}

function zeroPadded(ex: ConvExports, a: ConvArgs, xp: number): void {
  if (a.ph !== 0 || a.pw !== 0) ex.fill_bytes(xp, 0, (a.C / a.G) * (a.H + 2 * a.ph) * (a.W + 2 * a.pw) * 4);
}

const BIG = 0x7fffffff;

/** Forward: x = input, w = weight (unused: wpack holds W_g pre-packed, group g at g * packed size). */
export function convForwardTask(ex: ConvExports, a: ConvArgs, tid: number, T: number, MR: number, NR: number, gemmScratch: number, sched: Scheduler): number {
  const Cg = a.C / a.G, Og = a.O / a.G, P = a.HO * a.WO, Kc = Cg * a.KH * a.KW;
  const chunk = colsChunk(Kc, P, NR);
  const splitP = a.N < T ? Math.ceil(T / a.N) : 1;
  const scratch = a.scratch + tid * a.stride, cols = scratch + gemmScratch, xp = cols + a.xpoff;
  const gpack = (Math.ceil(Og / MR) * MR * Kc + 64) * 4;
  let first = true;
  // Units: one image (or a slice of its output pixels when there are fewer images than threads).
  return forItems(sched, a.N * splitP, (it) => {
    if (first) zeroPadded(ex, a, xp);
    first = false;
    const n = Math.floor(it / splitP);
    const [q0, q1] = splitRange(P, splitP, it % splitP, NR);
    for (let g = 0; g < a.G; g++) {
      const [src, Hp, Wp] = source(ex, a, xp, n, g);
      for (let p0 = q0; p0 < q1; p0 += chunk) {
        const np = Math.min(chunk, q1 - p0);
        ex.im2col(cols, src, 0, Kc, p0, p0 + np, BIG, 0, np * 4, 4, Hp, Wp, a.KH, a.KW, a.WO, a.sh, a.sw, a.dh, a.dw);
        gemmRange(ex, {
          M: Og, N: np, K: Kc, A: 0, rsA: 0, csA: 0, B: cols, rsB: np * 4, csB: 4,
          C: a.y + ((n * a.O + g * Og) * P + p0) * 4, ldc: P * 4, accumulate: false, apre: a.wpack + g * gpack,
        }, 0, Og, 0, np, scratch, MR);
      }
    }
  });
}

/** Backward input: x = gx (output), w = weight, y = gy; wpack holds W_g^T pre-packed. */
export function convBackwardInputTask(ex: ConvExports, a: ConvArgs, tid: number, T: number, MR: number, NR: number, gemmScratch: number, sched: Scheduler): number {
  const Cg = a.C / a.G, Og = a.O / a.G, P = a.HO * a.WO, khw = a.KH * a.KW, Kc = Cg * khw;
  const chunk = colsChunk(Kc, P, NR);
  const splitC = a.N < T ? Math.min(Cg, Math.ceil(T / a.N)) : 1;
  const scratch = a.scratch + tid * a.stride, cols = scratch + gemmScratch, xp = cols + a.xpoff;
  const gpack = (Math.ceil(Kc / MR) * MR * Og + 64) * 4;
  const padded = a.ph !== 0 || a.pw !== 0;
  const Hp = a.H + 2 * a.ph, Wp = a.W + 2 * a.pw;
  // Units: one image (or a slice of its input channels when there are fewer images than threads).
  return forItems(sched, a.N * splitC, (it) => {
    const n = Math.floor(it / splitC);
    const [c0, c1] = splitRange(Cg, splitC, it % splitC, 1);
    const kc0 = c0 * khw, kc1 = c1 * khw;
    for (let g = 0; g < a.G; g++) {
      const xg = a.x + (n * a.C + g * Cg) * a.H * a.W * 4;
      const dst = padded ? xp : xg;
      ex.fill_bytes(dst + c0 * Hp * Wp * 4, 0, (c1 - c0) * Hp * Wp * 4);
      // Pre-packed A rows start at multiples of MR only; a channel slice packs its own A.
      const whole = kc0 === 0 && kc1 === Kc;
      const wg = a.w + g * Og * Kc * 4;
      for (let p0 = 0; p0 < P; p0 += chunk) {
        const np = Math.min(chunk, P - p0);
        gemmRange(ex, {
          M: kc1 - kc0, N: np, K: Og, A: wg + kc0 * 4, rsA: 4, csA: Kc * 4,
          B: a.y + ((n * a.O + g * Og) * P + p0) * 4, rsB: P * 4, csB: 4,
          C: cols, ldc: np * 4, accumulate: false, apre: whole ? a.wpack + g * gpack : 0,
        }, 0, kc1 - kc0, 0, np, scratch, MR);
        ex.col2im(cols, dst, kc0, kc1, p0, p0 + np, BIG, 0, np * 4, 4, Hp, Wp, a.KH, a.KW, a.WO, a.sh, a.sw, a.dh, a.dw);
      }
      if (padded) ex.pad_copy(xp + c0 * Hp * Wp * 4, xg + c0 * a.H * a.W * 4, c1 - c0, a.H, a.W, a.ph, a.pw, 0);
    }
  });
}

/**
 * Backward weight: x = input, y = gy, w = gw (output, zeroed by the caller). Columns of gW are split
 * across threads; im2col writes straight into the GEMM's packed-B panel layout (B[p, kc] = cols[kc, p]
 * in NR-wide panels), so the transposing pack is skipped. P-chunks are exactly KC deep, which keeps
 * the k-blocking (and so the summation order) independent of the thread count.
 */
export function convBackwardWeightTask(ex: ConvExports, a: ConvArgs, tid: number, T: number, MR: number, NR: number, gemmScratch: number, sched: Scheduler): number {
  const Cg = a.C / a.G, Og = a.O / a.G, P = a.HO * a.WO, Kc = Cg * a.KH * a.KW;
  const scratch = a.scratch + tid * a.stride, panels = scratch + gemmScratch, xp = panels + a.xpoff;
  // Units: 2*T blocks of gW's columns, each summed over every image in order. Each block packs gy
  // again, so few columns (C = 1: Kc = 25, three panels) get only T blocks: measured lenet conv1,
  // one thread, 16.4-17.0 -> 19.7-20.8 GFLOP/s (best of 60).
  const nPanels = Math.ceil(Kc / NR);
  const parts = Math.min(nPanels <= 4 * T ? T : 2 * T, nPanels);
  let first = true;
  return forUnits(sched, parts, (u) => {
    const [j0, j1] = splitRange(Kc, parts, u, NR);
    if (j1 <= j0) return;
    if (first) zeroPadded(ex, a, xp);
    first = false;
    unitBackwardWeight(ex, a, j0, j1, scratch, panels, xp, MR, NR);
  });
}

function unitBackwardWeight(ex: ConvExports, a: ConvArgs, j0: number, j1: number, scratch: number, panels: number, xp: number, MR: number, NR: number): void {
  const Cg = a.C / a.G, Og = a.O / a.G, P = a.HO * a.WO, Kc = Cg * a.KH * a.KW;
  const tmp = panels + bwTempFloats(Kc, NR) * 4;
  for (let g = 0; g < a.G; g++) {
    for (let n = 0; n < a.N; n++) {
      const [src, Hp, Wp] = source(ex, a, xp, n, g);
      for (let p0 = 0; p0 < P; p0 += KC) {
        const np = Math.min(KC, P - p0);
        for (let jb = j0; jb < j1; jb += NC) {
          const nb = Math.min(NC, j1 - jb);
          // Columns cols[kc, p] of BW_SUB rows at a time (vector copies, in L1), then transposed into
          // NR-wide panels by the pack's 4x4 SIMD path. Measured: writing the panels straight from
          // im2col is a scalar scatter (stride NR floats), ~2x slower than the two vector passes.
          for (let js = jb; js < jb + nb; js += BW_SUB) {
            const ns = Math.min(BW_SUB, jb + nb - js);
            ex.im2col(tmp, src, js, js + ns, p0, p0 + np, BIG, 0, np * 4, 4, Hp, Wp, a.KH, a.KW, a.WO, a.sh, a.sw, a.dh, a.dw);
            ex.gemm_pack_b(panels + (js - jb) * np * 4, tmp, 4, np * 4, np, ns);
          }
          gemmRange(ex, {
            M: Og, N: nb, K: np, A: a.y + ((n * a.O + g * Og) * P + p0) * 4, rsA: P * 4, csA: 4,
            B: 0, rsB: 0, csB: 0, C: a.w + (g * Og * Kc + jb) * 4, ldc: Kc * 4, accumulate: true, apre: 0, bpre: panels,
          }, 0, Og, 0, nb, scratch, MR);
        }
      }
    }
  }
}

/** Pre-packs the A operand of every group (W_g, or W_g^T when `transposed`) into `dst`. */
export function prepackWeights(ex: GemmExports, dst: number, w: number, O: number, Kc: number, G: number, transposed: boolean, MR: number): void {
  const Og = O / G;
  const M = transposed ? Kc : Og, K = transposed ? Og : Kc;
  const gpack = (Math.ceil(M / MR) * MR * K + 64) * 4;
  for (let g = 0; g < G; g++) {
    const wg = w + g * Og * Kc * 4;
    if (transposed) prepackA(ex, dst + g * gpack, wg, 4, Kc * 4, M, K, MR);
    else prepackA(ex, dst + g * gpack, wg, Kc * 4, 4, M, K, MR);
  }
}

/** Bytes `prepackWeights` needs. */
export function prepackWeightsBytes(O: number, Kc: number, G: number, transposed: boolean, MR: number): number {
  const Og = O / G;
  const M = transposed ? Kc : Og, K = transposed ? Og : Kc;
  return G * (Math.ceil(M / MR) * MR * K + 64) * 4;
}
