/**
 * Memory-bound kernels on the thread pool: long elementwise rows cut into chunks, max pooling and
 * batch-norm passes cut along the batch. Measured on the default CNN's training step (2 threads):
 * these passes were ~14% of the main thread's time while the worker idled (only GEMM and convolution
 * ran in parallel). Each chunk writes its own slice of the output with the serial kernel, so results
 * are bit-identical to the one-thread path.
 */
import type { KernelExports } from "./module.js";
import { forItems, type Scheduler } from "./schedule.js";
import type { FastContext } from "./views.js";

/** Row kernels by arity: (x, sx, out, n), (a, sa, b, sb, out, n), (c, sc, a, sa, b, sb, out, n). */
export const ROW_KERNELS = [
  "ew_add", "ew_sub", "ew_mul", "ew_div", "ew_maximum", "ew_minimum",
  "ew_neg", "ew_abs", "ew_sqrt", "ew_square", "ew_relu", "ew_reciprocal",
  "ew_exp", "ew_log", "ew_tanh", "ew_sigmoid", "ew_erf",
  "cmp_eq", "cmp_ne", "cmp_lt", "cmp_le", "cmp_gt", "cmp_ge",
  "cast_f32_bool", "cast_bool_f32", "cast_i32_f32", "cast_bool_i32", "cast_i32_bool", "copy32", "where32",
] as const;
export type RowKernel = (typeof ROW_KERNELS)[number];

export const ROWS_ARGS = ["fn", "arity", "p0", "s0", "p1", "s1", "p2", "s2", "out", "osz", "n", "chunk"] as const;
export type RowsArgs = Record<(typeof ROWS_ARGS)[number], number>;

/** Elements below which a row runs on the calling thread (a dispatch costs ~10-20 µs). */
const PARALLEL_ELEMENTS = 1 << 16;
/** Elements per unit: big enough to amortize the claim, small enough to balance. */
const CHUNK = 1 << 14;

type AnyRow = (...args: number[]) => unknown;

function callRow(ex: KernelExports, fn: RowKernel, arity: number, p: readonly number[], s: readonly number[], out: number, n: number): void {
  const k = ex[fn] as unknown as AnyRow;
  if (arity === 1) k(p[0], s[0], out, n);
  else if (arity === 2) k(p[0], s[0], p[1], s[1], out, n);
  else k(p[0], s[0], p[1], s[1], p[2], s[2], out, n);
}

export function rowsTask(ex: KernelExports, a: RowsArgs, sched: Scheduler): number {
  const fn = ROW_KERNELS[a.fn];
  const units = Math.ceil(a.n / a.chunk);
  const ps = [a.p0, a.p1, a.p2], ss = [a.s0, a.s1, a.s2];
  return forItems(sched, units, (u) => {
    const i0 = u * a.chunk, len = Math.min(a.chunk, a.n - i0);
    callRow(ex, fn, a.arity, ps.map((p, q) => p + i0 * ss[q]), ss, a.out + i0 * a.osz, len);
  });
}

/**
 * Runs row kernel `fn` over n elements: inputs at byte addresses `at` with byte strides `st`, output
 * contiguous with `osz`-byte elements; on the pool when the row is long.
 */
export function runRow(c: FastContext, fn: RowKernel, at: readonly number[], st: readonly number[], out: number, osz: number, n: number): void {
  const arity = at.length;
  if (n < PARALLEL_ELEMENTS || c.pool.threads === 1) {
    callRow(c.ex, fn, arity, at, st, out, n);
    return;
  }
  c.pool.run("rows", {
    fn: ROW_KERNELS.indexOf(fn), arity, p0: at[0], s0: st[0], p1: at[1] ?? 0, s1: st[1] ?? 0, p2: at[2] ?? 0, s2: st[2] ?? 0,
    out, osz, n, chunk: CHUNK,
  });
}

/** Kernels cut along their leading dim: 2x2 max pooling (planes) and batch-norm passes (images). */
export const SPLIT_KERNELS = ["maxpool2_fwd", "maxpool2_bwd", "bn_apply", "bn_bwd"] as const;
export type SplitKernel = (typeof SPLIT_KERNELS)[number];
export const SPLIT_ARGS = ["fn", "a", "b", "c", "lead", "d1", "d2", "d3", "d4", "p", "unit"] as const;
export type SplitArgs = Record<(typeof SPLIT_ARGS)[number], number>;

/**
 * Leading-dim slice [i0, i1) of each kernel. maxpool2_*: lead = NC planes, (d1..d4) = (H, W, HO, WO);
 * bn_*: lead = N images, (d1, d2) = (C, S), p = the per-channel parameters.
 */
function splitSlice(ex: KernelExports, fn: SplitKernel, a: SplitArgs, i0: number, i1: number): void {
  const n = i1 - i0;
  switch (fn) {
    case "maxpool2_fwd": {
      const xPlane = a.d1 * a.d2 * 4, yPlane = a.d3 * a.d4 * 4;
      return ex.maxpool2_fwd(a.a + i0 * xPlane, a.b + i0 * yPlane, n, a.d1, a.d2, a.d3, a.d4);
    }
    case "maxpool2_bwd": {
      const xPlane = a.d1 * a.d2 * 4, yPlane = a.d3 * a.d4 * 4;
      return ex.maxpool2_bwd(a.a + i0 * yPlane, a.b + i0 * xPlane, a.c + i0 * xPlane, n, a.d1, a.d2, a.d3, a.d4);
    }
    case "bn_apply": {
      const img = a.d1 * a.d2 * 4;
      return ex.bn_apply(a.a + i0 * img, a.b + i0 * img, n, a.d1, a.d2, a.p);
    }
    case "bn_bwd": {
      const img = a.d1 * a.d2 * 4;
      return ex.bn_bwd(a.a + i0 * img, a.b + i0 * img, a.c + i0 * img, n, a.d1, a.d2, a.p);
    }
  }
}

export function splitTask(ex: KernelExports, a: SplitArgs, sched: Scheduler): number {
  const fn = SPLIT_KERNELS[a.fn];
  const units = Math.ceil(a.lead / a.unit);
  return forItems(sched, units, (u) => splitSlice(ex, fn, a, u * a.unit, Math.min(a.lead, (u + 1) * a.unit)));
}

/** Runs a split kernel; `elements` (the bytes it streams / 4) decides whether the pool is worth it. */
export function runSplit(c: FastContext, fn: SplitKernel, args: Omit<SplitArgs, "fn" | "unit">, elements: number): void {
  const a: SplitArgs = { ...args, fn: SPLIT_KERNELS.indexOf(fn), unit: args.lead };
  if (elements < PARALLEL_ELEMENTS || c.pool.threads === 1) {
    splitSlice(c.ex, fn, a, 0, a.lead);
    return;
  }
  // About CHUNK elements per unit, at least one slice of the leading dim.
  const unit = Math.max(1, Math.floor((a.lead * CHUNK) / elements));
  c.pool.run("split", { ...a, unit });
}
