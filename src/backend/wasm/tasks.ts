/**
 * The parallel tasks: functions that run with the same arguments on every thread (main = thread 0),
 * each running the work units it claims (schedule.ts); `tid` only picks the thread's scratch. Arguments
 * travel as i32 words in the shared control block, so a task is just (task id, words); both the main
 * thread and the workers import this table.
 */
import { CONV_ARGS, convBackwardInputTask, convBackwardWeightTask, convForwardTask, type ConvArgs } from "./kernels/conv.js";
import { GEMM_SCRATCH_BYTES, MC, gemmRange, splitRange } from "./kernels/gemm.js";
import { MR, NR, type KernelExports } from "./module.js";
import { ROWS_ARGS, SPLIT_ARGS, rowsTask, splitTask, type RowsArgs, type SplitArgs } from "./parallel.js";
import { MAX_UNITS, forItems, forUnits, type Scheduler } from "./schedule.js";
import { WINO_ARGS, WINO_W_ARGS, winogradTask, winogradWeightTask, type WinoArgs, type WinoWArgs } from "./kernels/winograd-tasks.js";

export type { Scheduler } from "./schedule.js";

export const GEMM_ARGS = ["M", "N", "K", "A", "rsA", "csA", "B", "rsB", "csB", "C", "ldc", "accumulate", "batch", "sA", "sB", "sC", "scratch", "stride", "apre"] as const;
export type GemmTaskArgs = Record<(typeof GEMM_ARGS)[number], number>;

export type TaskName = "gemm" | "convForward" | "convBackwardInput" | "convBackwardWeight" | "rows" | "split" | "winograd" | "winogradWeight";

/** Word names of each task's arguments, in order. */
export const TASK_ARGS: { readonly [K in TaskName]: readonly string[] } = {
  gemm: GEMM_ARGS,
  convForward: CONV_ARGS,
  convBackwardInput: CONV_ARGS,
  convBackwardWeight: CONV_ARGS,
  rows: ROWS_ARGS,
  split: SPLIT_ARGS,
  winograd: WINO_ARGS,
  winogradWeight: WINO_W_ARGS,
};
export const TASK_IDS: readonly TaskName[] = ["gemm", "convForward", "convBackwardInput", "convBackwardWeight", "rows", "split", "winograd", "winogradWeight"];

/**
 * Batched GEMM. Units: groups of whole matrices when the batch covers the threads; otherwise each
 * matrix is cut into 2*T column (or row) blocks, so a descheduled thread's share can be taken over.
 */
function gemmTask(ex: KernelExports, a: GemmTaskArgs, tid: number, T: number, sched: Scheduler): number {
  const scratch = a.scratch + tid * a.stride;
  const one = (b: number, i0: number, i1: number, j0: number, j1: number): void => {
    gemmRange(ex, {
      M: a.M, N: a.N, K: a.K, A: a.A + b * a.sA, rsA: a.rsA, csA: a.csA, B: a.B + b * a.sB, rsB: a.rsB, csB: a.csB,
      C: a.C + b * a.sC, ldc: a.ldc, accumulate: a.accumulate !== 0, apre: a.apre,
    }, i0, i1, j0, j1, scratch, MR);
  };
  if (a.batch >= T) return forItems(sched, a.batch, (b) => one(b, 0, a.M, 0, a.N));
  // Split columns unless each part still gets a full MC block of rows: then each part packs only its
  // rows of A, and B's pack is a fast vector copy.
  const byCols = a.M < MC * T && a.N >= a.M;
  // With A pre-packed (apre, one matrix) a column block costs no extra packing of A: cut finer, so the
  // last block (which the main thread may wait for) is short.
  const want = byCols && a.apre ? 4 * T : 2 * T;
  const parts = Math.max(1, Math.min(want, Math.ceil((byCols ? a.N / NR : a.M / MR)), Math.floor(MAX_UNITS / Math.max(a.batch, 1))));
  return forUnits(sched, a.batch * parts, (u) => {
    const b = Math.floor(u / parts), p = u % parts;
    if (byCols) {
      const [j0, j1] = splitRange(a.N, parts, p, NR);
      if (j1 > j0) one(b, 0, a.M, j0, j1);
    } else {
      const [i0, i1] = splitRange(a.M, parts, p, MR);
      if (i1 > i0) one(b, i0, i1, 0, a.N);
    }
  });
}

/** Runs this thread's units of task `id`; returns the task's unit count. */
export function runTask(ex: KernelExports, id: number, words: Uint32Array, tid: number, T: number, sched: Scheduler): number {
  const name = TASK_IDS[id];
  const names = TASK_ARGS[name];
  const a: Record<string, number> = {};
  names.forEach((k, i) => { a[k] = words[i]; });
  switch (name) {
    case "gemm": return gemmTask(ex, a as GemmTaskArgs, tid, T, sched);
    case "convForward": return convForwardTask(ex, a as ConvArgs, tid, T, MR, NR, GEMM_SCRATCH_BYTES, sched);
    case "convBackwardInput": return convBackwardInputTask(ex, a as ConvArgs, tid, T, MR, NR, GEMM_SCRATCH_BYTES, sched);
    case "convBackwardWeight": return convBackwardWeightTask(ex, a as ConvArgs, tid, T, MR, NR, GEMM_SCRATCH_BYTES, sched);
    case "rows": return rowsTask(ex, a as RowsArgs, sched);
    case "split": return splitTask(ex, a as SplitArgs, sched);
    case "winograd": return winogradTask(ex, a as WinoArgs, tid, GEMM_SCRATCH_BYTES, MR, sched);
    case "winogradWeight": return winogradWeightTask(ex, a as WinoWArgs, tid, GEMM_SCRATCH_BYTES, MR, sched);
    default: throw new Error(`wasm backend: unknown task id ${id}`);
  }
}
