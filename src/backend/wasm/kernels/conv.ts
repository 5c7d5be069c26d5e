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
 */
import type { Fn, Local, ModuleBuilder } from "../asm.js";
import { KC, gemmRange, prepackA, splitRange, type GemmExports } from "./gemm.js";

export interface ConvExports extends GemmExports {
  fill_bytes(dst: number, value: number, n: number): void;
  /** cols[kc, p] for kc in [kc0,kc1), p in [p0,p1); element (kc,p) at dst + (r/Rk)*Sk1 + (r%Rk)*Sk2 + (p-p0)*ps, r = kc-kc0. */
  im2col(dst: number, x: number, kc0: number, kc1: number, p0: number, p1: number, Rk: number, Sk1: number, Sk2: number, ps: number,
    H: number, W: number, KH: number, KW: number, WO: number, sh: number, sw: number, ph: number, pw: number, dh: number, dw: number): void;
  /** The adjoint: x[...] += cols[kc, p] over the same index map. */
  col2im(src: number, x: number, kc0: number, kc1: number, p0: number, p1: number, Rk: number, Sk1: number, Sk2: number, ps: number,
    H: number, W: number, KH: number, KW: number, WO: number, sh: number, sw: number, ph: number, pw: number, dh: number, dw: number): void;
}

const I32x21 = new Array<"i32">(21).fill("i32");

/** Emits im2col (mode "gather") or col2im (mode "scatter"): one loop nest, two inner bodies. */
function emitColumns(m: ModuleBuilder, name: string, scatter: boolean): void {
  m.fn(name, I32x21, [], (f, dst, x, kc0, kc1, p0, p1, Rk, Sk1, Sk2, ps, H, W, KH, KW, WO, sh, sw, ph, pw, dh, dw) => {
    const [kc, c, kh, kw, khw, rel, d, xc, oh, ow, p, L, ih, iw0, tlo, thi, s, n, sws] = f.locals(19);
    f.i(KH).i(KW).op("i32.mul").set(khw);
    f.i(sw).i(2).op("i32.shl").set(sws);
    f.for(kc, kc0, kc1, 1, () => {
      f.i(kc).i(khw).op("i32.div_u").set(c);
      f.i(kc).i(c).i(khw).op("i32.mul").op("i32.sub").i(KW).op("i32.div_u").set(kh);
      f.i(kc).i(c).i(khw).op("i32.mul").op("i32.sub").i(kh).i(KW).op("i32.mul").op("i32.sub").set(kw);
      f.i(kc).i(kc0).op("i32.sub").set(rel);
      f.i(rel).i(Rk).op("i32.div_u").i(Sk1).op("i32.mul").i(rel).i(Rk).op("i32.rem_u").i(Sk2).op("i32.mul").op("i32.add").i(dst).op("i32.add").set(d);
      f.i(c).i(H).op("i32.mul").i(W).op("i32.mul").i(2).op("i32.shl").i(x).op("i32.add").set(xc);
      f.i(p0).i(WO).op("i32.div_u").set(oh);
      f.i(p0).i(oh).i(WO).op("i32.mul").op("i32.sub").set(ow);
      f.for(p, p0, p1, L, () => {
        // L = min(WO - ow, p1 - p): the rest of this output row inside [p0, p1).
        f.i(WO).i(ow).op("i32.sub").set(L);
        f.i(p1).i(p).op("i32.sub").i(L).op("i32.lt_s").if(() => f.i(p1).i(p).op("i32.sub").set(L));
        f.i(oh).i(sh).op("i32.mul").i(ph).op("i32.sub").i(kh).i(dh).op("i32.mul").op("i32.add").set(ih);
        f.i(ih).i(H).op("i32.ge_u").if(
          () => skipOrZero(f, scatter, d, ps, 0, L),
          () => {
            f.i(ow).i(sw).op("i32.mul").i(pw).op("i32.sub").i(kw).i(dw).op("i32.mul").op("i32.add").set(iw0);
            clampedSpan(f, iw0, sw, W, L, tlo, thi);
            skipOrZero(f, scatter, d, ps, 0, tlo);
            // s = &x[c, ih, iw0 + tlo*sw]; copy (thi - tlo) elements.
            f.i(ih).i(W).op("i32.mul").i(iw0).op("i32.add").i(tlo).i(sw).op("i32.mul").op("i32.add").i(2).op("i32.shl").i(xc).op("i32.add").set(s);
            f.i(tlo).i(ps).op("i32.mul").i(d).op("i32.add").set(n); // n: reused as the column pointer
            copySpan(f, scatter, s, sws, n, ps, thi, tlo);
            skipOrZero(f, scatter, d, ps, thi, L);
          },
        );
        f.i(L).i(ps).op("i32.mul").i(d).op("i32.add").set(d);
        f.mov(ow, 0).inc(oh, 1);
      });
    });
  });
}

/** tlo = first t in [0,L] with iw0 + t*sw >= 0; thi = first t in [tlo,L] with iw0 + t*sw >= W. */
function clampedSpan(f: Fn, iw0: Local, sw: Local, W: Local, L: Local, tlo: Local, thi: Local): void {
  f.mov(tlo, 0);
  f.i(iw0).i(0).op("i32.lt_s").if(() => f.i(0).i(iw0).op("i32.sub").i(sw).op("i32.add").i(1).op("i32.sub").i(sw).op("i32.div_s").set(tlo));
  f.i(tlo).i(L).op("i32.gt_s").if(() => f.mov(tlo, L));
  f.mov(thi, 0);
  f.i(W).i(iw0).op("i32.gt_s").if(() => f.i(W).i(iw0).op("i32.sub").i(sw).op("i32.add").i(1).op("i32.sub").i(sw).op("i32.div_s").set(thi));
  f.i(thi).i(L).op("i32.gt_s").if(() => f.mov(thi, L));
  f.i(thi).i(tlo).op("i32.lt_s").if(() => f.mov(thi, tlo));
}

/** Gather: writes zeros to columns t in [from, to). Scatter: nothing (padding receives no gradient). */
function skipOrZero(f: Fn, scatter: boolean, d: Local, ps: Local, from: Local | number, to: Local): void {
  if (scatter) return;
  const q = f.local();
  f.i(from).i(ps).op("i32.mul").i(d).op("i32.add").set(q);
  const end = f.local();
  f.i(to).i(ps).op("i32.mul").i(d).op("i32.add").set(end);
  f.while(() => f.i(q).i(end).op("i32.lt_u"), () => {
    f.i(q).f(0).mem("f32.store").inc(q, ps);
  });
}

/** Copies thi - tlo elements between x (stride sws bytes) and the columns (stride ps bytes). */
function copySpan(f: Fn, scatter: boolean, s: Local, sws: Local, col: Local, ps: Local, thi: Local, tlo: Local): void {
  const cnt = f.local();
  f.i(thi).i(tlo).op("i32.sub").set(cnt);
  // NOTE: the common case (stride 1, row-major columns) moves four floats per step.
  f.i(sws).i(4).op("i32.eq").i(ps).i(4).op("i32.eq").op("i32.and").if(() => {
    f.while(() => f.i(cnt).i(4).op("i32.ge_s"), () => {
      if (scatter) f.i(s).i(s).mem("v128.load", 0, 0).i(col).mem("v128.load", 0, 0).op("f32x4.add").mem("v128.store", 0, 0);
      else f.i(col).i(s).mem("v128.load", 0, 0).mem("v128.store", 0, 0);
      f.inc(s, 16).inc(col, 16).inc(cnt, -4);
    });
  });
  f.while(() => f.i(cnt), () => {
    if (scatter) f.i(s).i(s).mem("f32.load").i(col).mem("f32.load").op("f32.add").mem("f32.store");
    else f.i(col).i(s).mem("f32.load").mem("f32.store");
    f.inc(s, sws).inc(col, ps).inc(cnt, -1);
  });
}

export function emitConv(m: ModuleBuilder): void {
  emitColumns(m, "im2col", false);
  emitColumns(m, "col2im", true);
}

/** Geometry and addresses of one conv call, as passed to the threads (all i32). */
export const CONV_ARGS = ["N", "C", "H", "W", "O", "KH", "KW", "HO", "WO", "sh", "sw", "ph", "pw", "dh", "dw", "G", "x", "w", "y", "wpack", "scratch", "stride"] as const;
export type ConvArgs = Record<(typeof CONV_ARGS)[number], number>;

/** Floats of columns per thread: 256K floats (1 MiB) keeps a chunk in L2. */
const COLS_FLOATS = 1 << 18;

export function colsChunk(Kc: number, P: number, NR: number): number {
  return Math.min(P, Math.max(NR, Math.floor(COLS_FLOATS / Math.max(Kc, 1) / NR) * NR));
}

function geomArgs(a: ConvArgs): [number, number, number, number, number, number, number, number, number, number, number] {
  return [a.H, a.W, a.KH, a.KW, a.WO, a.sh, a.sw, a.ph, a.pw, a.dh, a.dw];
}

const BIG = 0x7fffffff;

/** Forward: x = input, w = weight (unused: wpack holds W_g pre-packed, group g at g * packed size). */
export function convForwardTask(ex: ConvExports, a: ConvArgs, tid: number, T: number, MR: number, NR: number, gemmScratch: number): void {
  const Cg = a.C / a.G, Og = a.O / a.G, P = a.HO * a.WO, Kc = Cg * a.KH * a.KW;
  const chunk = colsChunk(Kc, P, NR);
  const splitP = a.N < T ? Math.ceil(T / a.N) : 1;
  const items = a.N * splitP;
  const [it0, it1] = splitRange(items, T, tid, 1);
  const cols = a.scratch + tid * a.stride + gemmScratch;
  const gpack = (Math.ceil(Og / MR) * MR * Kc + 64) * 4;
  for (let it = it0; it < it1; it++) {
    const n = Math.floor(it / splitP);
    const [q0, q1] = splitRange(P, splitP, it % splitP, NR);
    for (let g = 0; g < a.G; g++) {
      const xg = a.x + (n * a.C + g * Cg) * a.H * a.W * 4;
      for (let p0 = q0; p0 < q1; p0 += chunk) {
        const np = Math.min(chunk, q1 - p0);
        ex.im2col(cols, xg, 0, Kc, p0, p0 + np, BIG, 0, np * 4, 4, ...geomArgs(a));
        gemmRange(ex, {
          M: Og, N: np, K: Kc, A: 0, rsA: 0, csA: 0, B: cols, rsB: np * 4, csB: 4,
          C: a.y + ((n * a.O + g * Og) * P + p0) * 4, ldc: P * 4, accumulate: false, apre: a.wpack + g * gpack,
        }, 0, Og, 0, np, a.scratch + tid * a.stride, MR);
      }
    }
  }
}

/** Backward input: x = gx (output), w = weight, y = gy; wpack holds W_g^T pre-packed. */
export function convBackwardInputTask(ex: ConvExports, a: ConvArgs, tid: number, T: number, MR: number, NR: number, gemmScratch: number): void {
  const Cg = a.C / a.G, Og = a.O / a.G, P = a.HO * a.WO, khw = a.KH * a.KW, Kc = Cg * khw;
  const chunk = colsChunk(Kc, P, NR);
  const splitC = a.N < T ? Math.min(Cg, Math.ceil(T / a.N)) : 1;
  const [it0, it1] = splitRange(a.N * splitC, T, tid, 1);
  const cols = a.scratch + tid * a.stride + gemmScratch;
  const gpack = (Math.ceil(Kc / MR) * MR * Og + 64) * 4;
  for (let it = it0; it < it1; it++) {
    const n = Math.floor(it / splitC);
    const [c0, c1] = splitRange(Cg, splitC, it % splitC, 1);
    const kc0 = c0 * khw, kc1 = c1 * khw;
    for (let g = 0; g < a.G; g++) {
      const xg = a.x + (n * a.C + g * Cg) * a.H * a.W * 4;
      ex.fill_bytes(xg + c0 * a.H * a.W * 4, 0, (c1 - c0) * a.H * a.W * 4);
      // Pre-packed A rows start at multiples of MR only; a channel slice packs its own A.
      const whole = kc0 === 0 && kc1 === Kc;
      const wg = a.w + g * Og * Kc * 4;
      for (let p0 = 0; p0 < P; p0 += chunk) {
        const np = Math.min(chunk, P - p0);
        gemmRange(ex, {
          M: kc1 - kc0, N: np, K: Og, A: wg + kc0 * 4, rsA: 4, csA: Kc * 4,
          B: a.y + ((n * a.O + g * Og) * P + p0) * 4, rsB: P * 4, csB: 4,
          C: cols, ldc: np * 4, accumulate: false, apre: whole ? a.wpack + g * gpack : 0,
        }, 0, kc1 - kc0, 0, np, a.scratch + tid * a.stride, MR);
        ex.col2im(cols, xg, kc0, kc1, p0, p0 + np, BIG, 0, np * 4, 4, ...geomArgs(a));
      }
    }
  }
}

/** Backward weight: x = input, y = gy, w = gw (output, zeroed by the caller). */
export function convBackwardWeightTask(ex: ConvExports, a: ConvArgs, tid: number, T: number, MR: number, NR: number, gemmScratch: number): void {
  const Cg = a.C / a.G, Og = a.O / a.G, P = a.HO * a.WO, Kc = Cg * a.KH * a.KW;
  const [j0, j1] = splitRange(Kc, T, tid, NR);
  if (j1 <= j0) return;
  const nj = j1 - j0;
  // NOTE: P-chunks are multiples of KC so the GEMM's k-blocking is the same for every chunking.
  const chunk = Math.min(P, Math.max(KC, Math.floor(COLS_FLOATS / nj / KC) * KC));
  const cols = a.scratch + tid * a.stride + gemmScratch;
  for (let g = 0; g < a.G; g++) {
    for (let n = 0; n < a.N; n++) {
      const xg = a.x + (n * a.C + g * Cg) * a.H * a.W * 4;
      for (let p0 = 0; p0 < P; p0 += chunk) {
        const np = Math.min(chunk, P - p0);
        ex.im2col(cols, xg, j0, j1, p0, p0 + np, BIG, 0, np * 4, 4, ...geomArgs(a));
        gemmRange(ex, {
          M: Og, N: nj, K: np, A: a.y + ((n * a.O + g * Og) * P + p0) * 4, rsA: P * 4, csA: 4,
          B: cols, rsB: 4, csB: np * 4, C: a.w + (g * Og * Kc + j0) * 4, ldc: Kc * 4, accumulate: true, apre: 0,
        }, 0, Og, 0, nj, a.scratch + tid * a.stride, MR);
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
