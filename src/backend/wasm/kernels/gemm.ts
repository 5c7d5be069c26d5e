/**
 * Packed, cache-blocked single-precision GEMM in the style of Goto & van de Geijn (2008), "Anatomy of
 * High-Performance Matrix Multiplication" (ACM TOMS 34(3)), with the loop order of BLIS (Van Zee &
 * van de Geijn 2015): for each NC-wide panel of B and KC-deep slice, B is packed into NR-column
 * micro-panels (kept in L3/L2); for each MC-tall block, A is packed into MR-row micro-panels (kept in
 * L2); the MR x NR micro-kernel keeps its C tile in SIMD registers and streams one B micro-panel from L1.
 *
 * Emitted here: the micro-kernel, the macro-kernel (jr/ir loops, edge tiles via a scratch tile),
 * and the packing routines. The jc/pc/ic loops live in JS (`gemmRange`): they run a few times per
 * call, so calling Wasm from there costs nothing measurable.
 * All addresses and strides passed to these functions are in bytes.
 */
import type { Fn, I32, Local, ModuleBuilder } from "../asm.js";

export interface GemmShape {
  /** Rows of the micro-kernel tile. */
  readonly MR: number;
  /** Columns of the micro-kernel tile, in 4-float vectors (NR = 4 * NV). */
  readonly NV: number;
  /** Use f32x4.relaxed_madd (FMA) instead of mul + add. */
  readonly relaxed: boolean;
}

/** Cache blocking (floats). KC*NR*4 = 12 KiB of B per micro-panel fits L1 (32 KiB on the dev
 * machine's Zen 3), MC*KC*4 = 144 KiB of packed A fits L2 (512 KiB). */
export const KC = 256;

/**
 * Depth of the k-blocks of a K-deep product: K split into equal blocks of at most KC (K = 288 runs as
 * 144 + 144, not 256 + 32: a short last block pays a whole extra load and store of every C tile).
 */
export function kStep(K: number): number {
  return Math.ceil(K / Math.max(1, Math.ceil(K / KC)));
}
export const MC = 144;
export const NC = 2040;
/** NOTE: no k-unrolling. TurboFan hoists every load of an unrolled step above the FMAs, and the extra
 * live registers spill accumulators to the stack (seen in --print-wasm-code); one step per iteration
 * with the stack-guard check is faster. */
const UNROLL = 1;

/** acc = a * b + acc, fused when relaxed SIMD is on. */
function madd(f: Fn, relaxed: boolean, a: Local, b: Local, acc: Local): void {
  if (relaxed) f.get(a).get(b).get(acc).op("f32x4.relaxed_madd").set(acc);
  else f.get(a).get(b).op("f32x4.mul").get(acc).op("f32x4.add").set(acc);
}

/** Emits gemm_ukernel, gemm_macro, gemm_pack_a, gemm_pack_b, copy2d. */
export function emitGemm(m: ModuleBuilder, s: GemmShape): void {
  const { MR, NV, relaxed } = s;
  const NR = 4 * NV;

  // ukernel(kc, a, b, c, ldc, accumulate, mr): C[mr,NR] (+)= Apanel[kc,MR]^T . Bpanel[kc,NR], mr <= MR
  // NOTE: rows past mr are computed (A is zero-padded) but not stored, so row edges need no scratch tile.
  const uk = m.fn("gemm_ukernel", ["i32", "i32", "i32", "i32", "i32", "i32", "i32"], [], (f, kc, a, b, c, ldc, accum, mr) => {
    const acc = Array.from({ length: MR }, () => f.locals(NV, "v128"));
    const bv = f.locals(NV, "v128");
    const av = f.local("v128");
    const row = f.local();
    for (const r of acc) for (const x of r) f.v128zero().set(x);
    // NOTE: unrolled by 2 with immediate offsets: halves the pointer updates and loop branches.
    const step = (koff: number): void => {
      for (let v = 0; v < NV; v++) f.get(b).mem("v128.load", koff * NR * 4 + 16 * v).set(bv[v]);
      for (let i = 0; i < MR; i++) {
        f.get(a).mem("v128.load32_splat", koff * MR * 4 + 4 * i).set(av);
        for (let v = 0; v < NV; v++) madd(f, relaxed, av, bv[v], acc[i][v]);
      }
    };
    const U = UNROLL;
    f.while(() => f.i(kc).i(U).op("i32.ge_s"), () => {
      for (let u = 0; u < U; u++) step(u);
      f.inc(a, U * MR * 4).inc(b, U * NR * 4).inc(kc, -U);
    });
    if (U > 1) {
      f.while(() => f.i(kc), () => {
        step(0);
        f.inc(a, MR * 4).inc(b, NR * 4).inc(kc, -1);
      });
    }
    f.mov(row, c);
    for (let i = 0; i < MR; i++) {
      const store = (): void => {
        f.get(accum).if(() => {
          for (let v = 0; v < NV; v++) f.get(row).mem("v128.load", 16 * v).get(acc[i][v]).op("f32x4.add").set(acc[i][v]);
        });
        for (let v = 0; v < NV; v++) f.get(row).get(acc[i][v]).mem("v128.store", 16 * v);
        f.inc(row, ldc);
      };
      if (i === 0) store();
      else f.i(mr).i(i).op("i32.gt_s").if(store);
    }
  });

  // copy2d(dst, ldd, src, lds, rows, rowBytes)
  const copy2d = m.fn("copy2d", ["i32", "i32", "i32", "i32", "i32", "i32"], [], (f, dst, ldd, src, lds, rows, nbytes) => {
    f.while(() => f.i(rows), () => {
      f.i(dst).i(src).i(nbytes).memcopy();
      f.inc(dst, ldd).inc(src, lds).inc(rows, -1);
    });
  });

  // macro(mc, nc, kc, ap, bp, c, ldc, accumulate, tile)
  m.fn("gemm_macro", ["i32", "i32", "i32", "i32", "i32", "i32", "i32", "i32", "i32"], [], (f, mc, nc, kc, ap, bp, c, ldc, accum, tile) => {
    const [jr, ir, mr, nr, bpj, cij] = f.locals(6);
    f.for(jr, 0, nc, NR, () => {
      f.i(nc).i(jr).op("i32.sub").set(nr);
      f.i(nr).i(NR).op("i32.gt_s").if(() => f.mov(nr, NR));
      f.i(jr).i(kc).op("i32.mul").i(2).op("i32.shl").i(bp).op("i32.add").set(bpj);
      f.for(ir, 0, mc, MR, () => {
        f.i(mc).i(ir).op("i32.sub").set(mr);
        f.i(mr).i(MR).op("i32.gt_s").if(() => f.mov(mr, MR));
        f.i(ir).i(ldc).op("i32.mul").i(c).op("i32.add").i(jr).i(2).op("i32.shl").op("i32.add").set(cij);
        const apAt = (): void => void f.i(ir).i(kc).op("i32.mul").i(2).op("i32.shl").i(ap).op("i32.add");
        f.i(nr).i(NR).op("i32.eq").if(
          () => {
            f.i(kc); apAt(); f.i(bpj).i(cij).i(ldc).i(accum).i(mr).call(uk);
          },
          () => {
            // Edge tile: compute into a zeroed MR x NR scratch tile, copy the valid part back.
            f.i(tile).i(0).i(MR * NR * 4).memfill();
            f.i(accum).if(() => f.i(tile).i(NR * 4).i(cij).i(ldc).i(mr).i(nr).i(2).op("i32.shl").call(copy2d));
            f.i(kc); apAt(); f.i(bpj).i(tile).i(NR * 4).i(1).i(MR).call(uk);
            f.i(cij).i(ldc).i(tile).i(NR * 4).i(mr).i(nr).i(2).op("i32.shl").call(copy2d);
          },
        );
      });
    });
  });

  // pack_a(dst, src, rs, cs, mc, kc): dst[ir/MR][k][i] = src[(ir+i)*rs + k*cs], zero-padded rows.
  m.fn("gemm_pack_a", ["i32", "i32", "i32", "i32", "i32", "i32"], [], (f, dst, src, rs, cs, mc, kc) => {
    const [ir, i, k, s, d, mr, k0] = f.locals(7);
    f.for(ir, 0, mc, MR, () => {
      f.i(mc).i(ir).op("i32.sub").set(mr);
      if (MR === 3) {
        // Row-major A (cs = 4), full panel: three row vectors of 4 k's become 12 interleaved floats
        // with five shuffles (measured: the scalar copy was 32% of lenet conv1's weight gradient,
        // which packs gy once per image and column block). The k tail goes on below.
        f.mov(k, 0);
        f.i(mr).i(MR).op("i32.ge_s").i(cs).i(4).op("i32.eq").op("i32.and").if(() => packA3(f, dst, src, rs, ir, kc, k));
      }
      f.mov(k0, MR === 3 ? k : 0);
      f.for(i, 0, MR, 1, () => {
        // From k0 (the first k the vector path left, 0 without it) to kc.
        f.i(ir).i(kc).op("i32.mul").i(k0).i(MR).op("i32.mul").op("i32.add").i(i).op("i32.add").i(2).op("i32.shl").i(dst).op("i32.add").set(d);
        f.i(i).i(mr).op("i32.lt_s").if(
          () => {
            f.i(ir).i(i).op("i32.add").i(rs).op("i32.mul").i(src).op("i32.add").i(k0).i(cs).op("i32.mul").op("i32.add").set(s);
            f.for(k, k0, kc, 1, () => {
              f.i(d).i(s).mem("f32.load").mem("f32.store");
              f.inc(s, cs).inc(d, MR * 4);
            });
          },
          () => f.for(k, k0, kc, 1, () => { f.i(d).f(0).mem("f32.store").inc(d, MR * 4); }),
        );
      });
    });
  });

  const tr = emitTranspose(m);

  // pack_b(dst, src, rs, cs, kc, nc): dst[jr/NR][k][j] = src[k*rs + (jr+j)*cs], zero-padded columns.
  m.fn("gemm_pack_b", ["i32", "i32", "i32", "i32", "i32", "i32"], [], (f, dst, src, rs, cs, kc, nc) => {
    const [jr, j, k, s, d, nr] = f.locals(6);
    f.for(jr, 0, nc, NR, () => {
      f.i(nc).i(jr).op("i32.sub").set(nr);
      f.i(jr).i(kc).op("i32.mul").i(2).op("i32.shl").i(dst).op("i32.add").set(d);
      f.i(nr).i(NR).op("i32.ge_s").i(cs).i(4).op("i32.eq").op("i32.and").if(
        () => {
          // Full panel of a row-major B: NV vector copies per k.
          f.i(jr).i(2).op("i32.shl").i(src).op("i32.add").set(s);
          f.for(k, 0, kc, 1, () => {
            for (let v = 0; v < NV; v++) f.i(d).i(s).mem("v128.load", 16 * v, 0).mem("v128.store", 16 * v, 0);
            f.inc(s, rs).inc(d, NR * 4);
          });
        },
        () => f.i(nr).i(NR).op("i32.ge_s").i(rs).i(4).op("i32.eq").op("i32.and").if(() => {
          // Full panel of a transposed B (B^T stored row-major, as for x @ W^T): 4x4 SIMD transposes.
          f.i(jr).i(cs).op("i32.mul").i(src).op("i32.add").i(4).i(cs).i(d).i(NR * 4).i(kc).i(NR).call(tr);
        }, () => {
          const dj = f.local();
          f.for(j, 0, NR, 1, () => {
            f.i(d).i(j).i(2).op("i32.shl").op("i32.add").set(dj);
            f.i(j).i(nr).op("i32.lt_s").if(
              () => {
                f.i(jr).i(j).op("i32.add").i(cs).op("i32.mul").i(src).op("i32.add").set(s);
                f.for(k, 0, kc, 1, () => {
                  f.i(dj).i(s).mem("f32.load").mem("f32.store");
                  f.inc(s, rs).inc(dj, NR * 4);
                });
              },
              () => f.for(k, 0, kc, 1, () => { f.i(dj).f(0).mem("f32.store").inc(dj, NR * 4); }),
            );
          });
        }),
      );
    });
  });
}

/**
 * Packs k in [0, kc & ~3) of the three rows ir..ir+2 of a row-major A (element (r, k) at
 * src + r*rs + 4k) into dst[ir/3][k][0..3); leaves k at kc & ~3.
 */
function packA3(f: Fn, dst: Local, src: Local, rs: Local, ir: Local, kc: Local, k: Local): void {
  const [p0, p1, p2, o, k4] = f.locals(5);
  const [r0, r1, r2, t, u] = f.locals(5, "v128");
  f.i(ir).i(rs).op("i32.mul").i(src).op("i32.add").set(p0);
  f.i(p0).i(rs).op("i32.add").set(p1);
  f.i(p1).i(rs).op("i32.add").set(p2);
  f.i(ir).i(kc).op("i32.mul").i(2).op("i32.shl").i(dst).op("i32.add").set(o);
  f.i(kc).i(-4).op("i32.and").set(k4);
  f.for(k, 0, k4, 4, () => {
    f.get(p0).mem("v128.load", 0, 0).set(r0).get(p1).mem("v128.load", 0, 0).set(r1).get(p2).mem("v128.load", 0, 0).set(r2);
    f.get(r0).get(r1).shuffle32([0, 4, 1, 5]).set(t); // r0k0 r1k0 r0k1 r1k1
    f.get(r0).get(r1).shuffle32([2, 6, 3, 7]).set(u); // r0k2 r1k2 r0k3 r1k3
    f.get(o).get(t).get(r2).shuffle32([0, 1, 4, 2]).mem("v128.store", 0, 0);
    f.get(o).get(t).get(r2).shuffle32([3, 5, 3, 5]).get(u).shuffle32([0, 1, 4, 5]).mem("v128.store", 16, 0);
    f.get(o).get(r2).get(u).shuffle32([2, 6, 7, 3]).mem("v128.store", 32, 0);
    f.inc(p0, 16).inc(p1, 16).inc(p2, 16).inc(o, 48);
  });
}

/**
 * transpose32(x, rs, cs, out, ldo, rows, cols): out[i*ldo + 4j] = x[i*rs + j*cs] (byte strides), for
 * x walked with unit stride down its columns (rs = 4): 4x4 blocks are four column loads, transposed
 * with eight shuffles, stored as four row pieces; edges are scalar. Used for `contiguous()` of
 * transposed views (gradients of x @ W^T) and to pack a transposed GEMM operand.
 */
function emitTranspose(m: ModuleBuilder): Fn {
  return m.fn("transpose32", ["i32", "i32", "i32", "i32", "i32", "i32", "i32"], [], (f, x, rs, cs, out, ldo, rows, cols) => {
    const [i, j, px, po, r4, c4, i0, i1] = f.locals(8);
    const v = f.locals(4, "v128"), t = f.locals(4, "v128");
    f.i(rows).i(-4).op("i32.and").set(r4).i(cols).i(-4).op("i32.and").set(c4);
    // Row tiles of 16: the four column loads of a block take 16 bytes of a 64-byte line of x, and
    // the tile's other three blocks use the rest of the line before it leaves the cache (measured:
    // without the tiling, transposing a 784x512 gradient re-read each line four times from memory).
    f.for(i0, 0, r4, 16, () => {
      f.i(i0).i(16).op("i32.add").set(i1);
      f.i(i1).i(r4).op("i32.gt_s").if(() => f.mov(i1, r4));
      f.for(j, 0, c4, 4, () => f.for(i, i0, i1, 4, () => {
        f.i(i).i(rs).op("i32.mul").i(j).i(cs).op("i32.mul").op("i32.add").i(x).op("i32.add").set(px);
        for (let q = 0; q < 4; q++) { f.get(px).mem("v128.load", 0, 0).set(v[q]); if (q < 3) f.inc(px, cs); }
        f.get(v[0]).get(v[1]).shuffle32([0, 4, 1, 5]).set(t[0]).get(v[0]).get(v[1]).shuffle32([2, 6, 3, 7]).set(t[1]);
        f.get(v[2]).get(v[3]).shuffle32([0, 4, 1, 5]).set(t[2]).get(v[2]).get(v[3]).shuffle32([2, 6, 3, 7]).set(t[3]);
        f.i(i).i(ldo).op("i32.mul").i(j).i(2).op("i32.shl").op("i32.add").i(out).op("i32.add").set(po);
        const row = (a: Local, b: Local, lanes: number[]): void => { f.get(po).get(a).get(b).shuffle32(lanes).mem("v128.store", 0, 0).inc(po, ldo); };
        row(t[0], t[2], [0, 1, 4, 5]); row(t[0], t[2], [2, 3, 6, 7]); row(t[1], t[3], [0, 1, 4, 5]); row(t[1], t[3], [2, 3, 6, 7]);
      }));
    });
    // Scalar edges: columns [c4, cols) of every row, then rows [r4, rows) of the first c4 columns.
    const scalar = (i0: I32, i1: I32, j0: I32, j1: I32): void => {
      f.for(i, i0, i1, 1, () => f.for(j, j0, j1, 1, () => {
        f.i(i).i(ldo).op("i32.mul").i(j).i(2).op("i32.shl").op("i32.add").i(out).op("i32.add");
        f.i(i).i(rs).op("i32.mul").i(j).i(cs).op("i32.mul").op("i32.add").i(x).op("i32.add").mem("i32.load").mem("i32.store");
      }));
    };
    scalar(0, rows, c4, cols);
    scalar(r4, rows, 0, c4);
  });
}

/** The exports of the GEMM family. */
export interface GemmExports {
  gemm_macro(mc: number, nc: number, kc: number, ap: number, bp: number, c: number, ldc: number, accumulate: number, tile: number): void;
  gemm_pack_a(dst: number, src: number, rs: number, cs: number, mc: number, kc: number): void;
  gemm_pack_b(dst: number, src: number, rs: number, cs: number, kc: number, nc: number): void;
  copy2d(dst: number, ldd: number, src: number, lds: number, rows: number, rowBytes: number): void;
  transpose32(x: number, rs: number, cs: number, out: number, ldo: number, rows: number, cols: number): void;
}

/** C = op(A) op(B) with element (i,k) of A at A + i*rsA + k*csA bytes (likewise B); C row stride ldc bytes. */
export interface GemmOperands {
  readonly M: number; readonly N: number; readonly K: number;
  readonly A: number; readonly rsA: number; readonly csA: number;
  readonly B: number; readonly rsB: number; readonly csB: number;
  readonly C: number; readonly ldc: number;
  readonly accumulate: boolean;
  /** Address of A pre-packed by `prepackA` (0: pack A on the fly). */
  readonly apre: number;
  /** Address of B already in packed panel layout (0: pack B here); then K <= KC and N <= NC. */
  readonly bpre?: number;
}

/** Per-thread scratch of a GEMM: packed A block, packed B panel, edge tile. */
export const GEMM_SCRATCH_BYTES = (MC * KC + KC * NC + 64 * 16) * 4;

/** Bytes of a pre-packed M x K operand A (MR-row panels for every KC slice). */
export function prepackedBytes(M: number, K: number, MR: number): number {
  return (Math.ceil(M / MR) * MR * K + 64) * 4;
}

/** Packs all of A once, for operands reused across many GEMM calls (conv weights). */
export function prepackA(ex: GemmExports, dst: number, A: number, rsA: number, csA: number, M: number, K: number, MR: number): void {
  const Mpad = Math.ceil(M / MR) * MR;
  const step = kStep(K);
  for (let pc = 0; pc < K; pc += step) ex.gemm_pack_a(dst + pc * Mpad * 4, A + pc * csA, rsA, csA, M, Math.min(step, K - pc));
}

/**
 * Computes rows [i0, i1) x columns [j0, j1) of C (i0 a multiple of MR when A is pre-packed). The
 * arithmetic of each element is independent of the split, so any partition across threads gives
 * bit-identical results.
 */
export function gemmRange(ex: GemmExports, g: GemmOperands, i0: number, i1: number, j0: number, j1: number, scratch: number, MR: number): void {
  const packA = scratch, packB = scratch + MC * KC * 4, tile = packB + KC * NC * 4;
  const Mpad = Math.ceil(g.M / MR) * MR;
  for (let jc = j0; jc < j1; jc += NC) {
    const nc = Math.min(NC, j1 - jc);
    const step = kStep(g.K);
    for (let pc = 0; pc < g.K; pc += step) {
      const kc = Math.min(step, g.K - pc);
      if (!g.bpre) ex.gemm_pack_b(packB, g.B + pc * g.rsB + jc * g.csB, g.rsB, g.csB, kc, nc);
      const acc = g.accumulate || pc > 0 ? 1 : 0;
      for (let ic = i0; ic < i1; ic += MC) {
        const mc = Math.min(MC, i1 - ic);
        let ap: number;
        if (g.apre) ap = g.apre + (pc * Mpad + ic * kc) * 4;
        else {
          ex.gemm_pack_a(packA, g.A + ic * g.rsA + pc * g.csA, g.rsA, g.csA, mc, kc);
          ap = packA;
        }
        ex.gemm_macro(mc, nc, kc, ap, g.bpre || packB, g.C + ic * g.ldc + jc * 4, g.ldc, acc, tile);
      }
    }
  }
}

/** Splits [0, n) into `parts` ranges whose starts are multiples of `align`; returns part `t`. */
export function splitRange(n: number, parts: number, t: number, align: number): [number, number] {
  const units = Math.ceil(n / align);
  const lo = Math.floor((units * t) / parts) * align;
  const hi = Math.min(n, Math.floor((units * (t + 1)) / parts) * align);
  return [Math.min(lo, n), hi];
}
