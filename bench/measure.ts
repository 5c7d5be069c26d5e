/**
 * Timing for the benchmark runners: warm up, then run timed repetitions until a time budget is spent,
 * and report the median (robust on a shared, noisy machine). A measurement whose single repetition
 * would not fit the budget is skipped with an estimate instead of stalling the suite for minutes
 * (tfjs-cpu convolutions take ~100 s per training step).
 */
export interface Timing {
  /** Median seconds per repetition. */
  readonly seconds: number;
  readonly reps: number;
}

export interface Budget {
  /** Seconds of timed repetitions to aim for. */
  readonly seconds: number;
  readonly warmup: number;
  readonly minReps: number;
  readonly maxReps: number;
}

export const DEFAULT_BUDGET: Budget = { seconds: 6, warmup: 3, minReps: 3, maxReps: 200 };

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function time(fn: () => void, budget: Budget = DEFAULT_BUDGET): Timing {
  for (let i = 0; i < budget.warmup; i++) fn();
  const ts: number[] = [];
  const start = performance.now();
  while (ts.length < budget.maxReps && (ts.length < budget.minReps || performance.now() - start < budget.seconds * 1000)) {
    const t0 = performance.now();
    fn();
    ts.push((performance.now() - t0) / 1000);
  }
  return { seconds: median(ts), reps: ts.length };
}

/**
 * Times `fn` only if one call is expected to take at most `maxSeconds` (estimated with `probe`, which
 * returns seconds); returns the timing or a note with the estimate.
 */
export function timeIfAffordable(fn: () => void, estimate: number, maxSeconds: number, budget: Budget = DEFAULT_BUDGET): Timing | string {
  if (estimate > maxSeconds) return `skipped: ~${estimate.toFixed(0)} s per step (over the ${maxSeconds} s cap)`;
  // Slow frameworks: fewer warm-up steps and repetitions (one cold step when a step is longer than
  // the whole budget: JIT warm-up is noise against a step of minutes).
  if (estimate > budget.seconds) return time(fn, { ...budget, warmup: 0, minReps: 1, maxReps: 1 });
  return time(fn, estimate > budget.seconds / 4 ? { ...budget, warmup: 1, minReps: 2, maxReps: 2 } : budget);
}

/** Seconds one call takes (no warm-up): for the affordability estimate. */
export function once(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return (performance.now() - t0) / 1000;
}

export function peakRssMb(): number {
  // maxRSS is in kilobytes (getrusage ru_maxrss on Linux).
  return process.resourceUsage().maxRSS / 1024;
}
