/**
 * The parallel tasks of the Winograd convolutions (kernels/winograd.ts): the tile geometry, the
 * forward task (units: bands of tile rows, or groups of small images) and the two-phase backward-weight
 * task. Each output element is computed by one unit in a fixed order, so results are bit-identical on
 * any number of threads.
 */
import { forItems, type Scheduler } from "../schedule.js";
import { gemmRange } from "./gemm.js";
import { winoTile } from "./winograd-math.js";
import type { WinogradExports } from "./winograd.js";

/** Geometry and addresses of one Winograd convolution (all i32), as passed to the threads. */
export const WINO_ARGS = ["m", "N", "C", "H", "W", "O", "HO", "WO", "ph", "pw", "x", "y", "upack", "ustride", "th", "twp", "rowsPer", "imgsPer", "pair", "Hp", "Wp", "scratch", "stride"] as const;
export type WinoArgs = Record<(typeof WINO_ARGS)[number], number>;

/** Tiles per band: V and M of a band (36 x (C + O) x Tc floats) should stay in L2. */
const BAND_TILES = 32;

export interface WinoGeometry {
  readonly m: number; readonly th: number; readonly twp: number; readonly rowsPer: number; readonly Hp: number; readonly Wp: number;
  /** Images per band when a whole image has fewer tiles than a band (small maps: 7x7 has 2 x 2). */
  readonly imgsPer: number;
  /** 1: maps two tiles wide (m = 4) take the paired-rows kernels (groups of 2 x 2 tiles), 0 otherwise. */
  readonly pair: number;
}

/** Tile grid of an HO x WO output (tile rows th, tiles per row padded to a multiple of 4) and the padded input. */
export function winoGeometry(r: number, HO: number, WO: number): WinoGeometry {
  const m = winoTile(r);
  // NOTE: a row of 1-2 tiles padded to a group of 4 wasted half the work on 7x7 maps; those take
  // groups of 2 x 2 tiles over two tile rows (an even count of them) instead.
  const pair = m === 4 && Math.ceil(WO / m) <= 2 ? 1 : 0;
  const th = pair ? 2 * Math.ceil(HO / m / 2) : Math.ceil(HO / m);
  const twp = pair ? 2 : Math.ceil(Math.ceil(WO / m) / 4) * 4;
  let rowsPer = Math.max(1, Math.min(th, Math.floor(BAND_TILES / twp)));
  if (pair) rowsPer = Math.max(2, rowsPer - (rowsPer % 2));
  const imgsPer = rowsPer === th ? Math.max(1, Math.floor(BAND_TILES / (th * twp))) : 1;
  // Gathers read up to 4m + 2 floats past a group's start (m = 4: p[16], p[17]); +8 floats of slack.
  return { m, th, twp, rowsPer, imgsPer, pair, Hp: th * m + r - 1, Wp: twp * m + r - 1 + 8 };
}

/** Row stride (tiles) of a band's V and M: whole 12-column GEMM panels (edge tiles cost ~2x a full one). */
export const bandStride = (geo: WinoGeometry): number => Math.ceil((geo.imgsPer * geo.rowsPer * geo.twp) / 12) * 12;

/** Per-thread scratch bytes after the GEMM's: V, M, the padded image, transform scratch. */
export function winoScratchBytes(C: number, O: number, geo: WinoGeometry): { v: number; mm: number; xp: number; hs: number; total: number } {
  const Tcp = bandStride(geo);
  const r64 = (b: number): number => Math.ceil(b / 64) * 64;
  const v = r64(36 * C * Tcp * 4), mm = r64(36 * O * Tcp * 4), xp = r64(C * geo.Hp * geo.Wp * 4 + 64);
  const hs = 36 * 16 + 64;
  return { v, mm, xp, hs, total: v + mm + xp + hs };
}

export function winogradTask(ex: WinogradExports, a: WinoArgs, tid: number, gemmScratch: number, MR: number, sched: Scheduler): number {
  const geo: WinoGeometry = { m: a.m, th: a.th, twp: a.twp, rowsPer: a.rowsPer, imgsPer: a.imgsPer, pair: a.pair, Hp: a.Hp, Wp: a.Wp };
  const sz = winoScratchBytes(a.C, a.O, geo);
  const scratch = a.scratch + tid * a.stride;
  const V = scratch + gemmScratch, Mb = V + sz.v, xp = Mb + sz.mm, hs = xp + sz.xp;
  const bands = Math.ceil(a.th / a.rowsPer), tpi = a.th * a.twp;
  const Tcp = bandStride(geo);
  const input = a.m === 2 ? ex.wino_in_2 : a.pair ? ex.wino_in_4p : ex.wino_in_4;
  const output = a.m === 2 ? ex.wino_out_2 : a.pair ? ex.wino_out_4p : ex.wino_out_4;
  let padded = -1;
  // One unit: a band of tile rows of one image, or (small maps) all tiles of imgsPer images.
  const units = a.imgsPer > 1 ? Math.ceil(a.N / a.imgsPer) : a.N * bands;
  return forItems(sched, units, (it) => {
    if (padded < 0) {
      // The GEMMs run on whole panels: V's columns past a band's tiles must hold finite numbers
      // (stale ones from an earlier band are; fresh scratch might hold NaNs or slow denormals).
      ex.fill_bytes(V, 0, sz.v);
    }
    const n0 = a.imgsPer > 1 ? it * a.imgsPer : Math.floor(it / bands), k = a.imgsPer > 1 ? 0 : it % bands;
    const imgs = a.imgsPer > 1 ? Math.min(a.imgsPer, a.N - n0) : 1;
    const i0 = k * a.rowsPer, i1 = Math.min(a.th, i0 + a.rowsPer), rows = i1 - i0;
    for (let b = 0; b < imgs; b++) {
      const n = n0 + b;
      if (n !== padded) {
        ex.wino_pad(xp, a.x + n * a.C * a.H * a.W * 4, a.C, a.H, a.W, a.ph, a.pw, a.Hp, a.Wp);
        padded = n;
      }
      input(V + b * tpi * 4, xp, a.C, a.Hp, a.Wp, i0, i1, a.twp, Tcp, hs);
    }
    const Nc = Math.ceil((imgs * rows * a.twp) / 12) * 12;
    // V is [c][ξ][t] and M [o][ξ][t]: the transforms of one channel stay within a few KiB.
    for (let xi = 0; xi < 36; xi++) {
      gemmRange(ex, {
        M: a.O, N: Nc, K: a.C, A: 0, rsA: 0, csA: 0, B: V + xi * Tcp * 4, rsB: 36 * Tcp * 4, csB: 4,
        C: Mb + xi * Tcp * 4, ldc: 36 * Tcp * 4, accumulate: false, apre: a.upack + xi * a.ustride,
      }, 0, a.O, 0, Nc, scratch, MR);
    }
    const r0 = i0 * a.m;
    for (let b = 0; b < imgs; b++) {
      output(a.y + ((n0 + b) * a.O * a.HO + r0) * a.WO * 4, a.WO * 4, a.HO * a.WO * 4, Mb + b * tpi * 4, a.O, Tcp, rows, a.twp, hs, a.HO - r0, a.WO);
    }
  });
}

/** Arguments of the backward-weight task: the forward geometry plus dy, the accumulator and the image batch. */
export const WINO_W_ARGS = [...WINO_ARGS, "gy", "mw", "phase", "n0", "nb", "vw"] as const;
export type WinoWArgs = Record<(typeof WINO_W_ARGS)[number], number>;

/** Bytes of V [C][36][Tb] and W [O][36][Tb] for a batch of nb images (Tb = nb * th * twp tiles). */
export function winoWeightBatchBytes(C: number, O: number, geo: WinoGeometry, nb: number): { v: number; total: number } {
  const Tb = nb * geo.th * geo.twp, r64 = (b: number): number => Math.ceil(b / 64) * 64;
  const v = r64(36 * C * Tb * 4);
  return { v, total: v + r64(36 * O * Tb * 4) };
}

/** Images per batch: V and W of a batch about 3 MiB (L3), at least one image. */
export function winoWeightBatch(C: number, O: number, geo: WinoGeometry, N: number): number {
  return Math.max(1, Math.min(N, Math.floor((3 << 20) / (36 * (C + O) * geo.th * geo.twp * 4))));
}

/** Per-thread scratch bytes of the backward-weight transforms after the GEMM's: xp, gyp, hs. */
export function winoWeightScratchBytes(C: number, O: number, geo: WinoGeometry): number {
  const r64 = (b: number): number => Math.ceil(b / 64) * 64;
  return r64(C * geo.Hp * geo.Wp * 4 + 64) + r64(O * geo.th * geo.m * geo.twp * geo.m * 4 + 64) + 36 * 16 + 64;
}

/**
 * Backward weight, one batch of images [n0, n0+nb) in two phases (two dispatches):
 *   phase 0, units = images: V[c][ξ][t] and W[o][ξ][t] of every tile of the batch (t = image-major);
 *   phase 1, units = ξ: Mw[ξ][c][o] += V[·][ξ][·] · W[·][ξ][·]^T, a GEMM with K = the batch's tiles.
 * Each element of Mw is summed over batches in order and over a batch's tiles by one GEMM whose
 * k-blocking depends only on the batch size, so results are bit-identical on any thread count.
 */
export function winogradWeightTask(ex: WinogradExports, a: WinoWArgs, tid: number, gemmScratch: number, MR: number, sched: Scheduler): number {
  const tpi = a.th * a.twp, Tb = a.nb * tpi;
  const geo: WinoGeometry = { m: a.m, th: a.th, twp: a.twp, rowsPer: a.rowsPer, imgsPer: a.imgsPer, pair: a.pair, Hp: a.Hp, Wp: a.Wp };
  const V = a.vw, W = a.vw + winoWeightBatchBytes(a.C, a.O, geo, a.nb).v;
  const scratch = a.scratch + tid * a.stride;
  if (a.phase === 1) {
    return forItems(sched, 36, (xi) => {
      gemmRange(ex, {
        M: a.C, N: a.O, K: Tb, A: V + xi * Tb * 4, rsA: 36 * Tb * 4, csA: 4, B: W + xi * Tb * 4, rsB: 4, csB: 36 * Tb * 4,
        C: a.mw + xi * a.C * a.O * 4, ldc: a.O * 4, accumulate: true, apre: 0,
      }, 0, a.C, 0, a.O, scratch, MR);
    });
  }
  const r64 = (b: number): number => Math.ceil(b / 64) * 64;
  const xp = scratch + gemmScratch, gyp = xp + r64(a.C * a.Hp * a.Wp * 4 + 64), hs = gyp + r64(a.O * a.th * a.m * a.twp * a.m * 4 + 64);
  const Hq = a.th * a.m, Wq = a.twp * a.m;
  const input = a.m === 2 ? ex.wino_in_2 : a.pair ? ex.wino_in_4p : ex.wino_in_4;
  const gyt = a.m === 2 ? ex.wino_gy_2 : a.pair ? ex.wino_gy_4p : ex.wino_gy_4;
  return forItems(sched, a.nb, (b) => {
    const n = a.n0 + b;
    ex.wino_pad(xp, a.x + n * a.C * a.H * a.W * 4, a.C, a.H, a.W, a.ph, a.pw, a.Hp, a.Wp);
    ex.wino_pad(gyp, a.gy + n * a.O * a.HO * a.WO * 4, a.O, a.HO, a.WO, 0, 0, Hq, Wq);
    input(V + b * tpi * 4, xp, a.C, a.Hp, a.Wp, 0, a.th, a.twp, Tb, hs);
    gyt(W + b * tpi * 4, gyp, a.O, Hq, Wq, 0, a.th, a.twp, Tb, hs);
  });
}
