/**
 * Median stopping rule (Golovin et al. 2017, "Google Vizier", https://doi.org/10.1145/3097983.3098043,
 * section 3.2.2; Optuna's MedianPruner): stop a trial whose value at step t is worse than the median of
 * the values that completed trials reported at the same step t.
 */
import { ValueError } from "../../core/index.js";
import { checkDirection } from "../samplers/types.js";
import type { Direction, Trial } from "../samplers/types.js";
import { keep, show, stop } from "./types.js";
import type { PruneDecision, Pruner } from "./types.js";

export interface MedianPrunerOptions {
  direction?: Direction;
  /** Never prune before this many steps have been reported (default 0: from the first step). */
  warmupSteps?: number;
  /** Need at least this many completed trials with a value at step t (default 5). */
  minTrials?: number;
}

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}

export class MedianPruner implements Pruner {
  readonly name = "median";
  readonly direction: Direction;
  readonly warmupSteps: number;
  readonly minTrials: number;

  constructor({ direction = "minimize", warmupSteps = 0, minTrials = 5 }: MedianPrunerOptions = {}) {
    checkDirection("medianPruner", direction);
    if (!(Number.isInteger(warmupSteps) && warmupSteps >= 0)) throw new ValueError(`medianPruner: warmupSteps must be an integer >= 0, got ${warmupSteps}`);
    if (!(Number.isInteger(minTrials) && minTrials >= 1)) throw new ValueError(`medianPruner: minTrials must be an integer >= 1, got ${minTrials}`);
    this.direction = direction;
    this.warmupSteps = warmupSteps;
    this.minTrials = minTrials;
  }

  /** Decides at the trial's latest step t = intermediate.length − 1. A NaN value is pruned at once. */
  decide(trial: Trial, history: readonly Trial[]): PruneDecision {
    const values = trial.intermediate ?? [];
    const t = values.length - 1;
    if (t < 0) return keep("no intermediate value yet");
    const v = values[t];
    if (Number.isNaN(v)) return stop(`step ${t}: value is NaN`);
    if (t < this.warmupSteps) return keep(`step ${t}: in warm-up (${this.warmupSteps} steps)`);
    const others: number[] = [];
    for (const h of history) {
      if (h === trial || h.state !== "complete") continue;
      const x = h.intermediate?.[t];
      if (typeof x === "number" && !Number.isNaN(x)) others.push(x);
    }
    if (others.length < this.minTrials) return keep(`step ${t}: only ${others.length} completed trials reached this step (need ${this.minTrials})`);
    const m = median(others);
    const worse = this.direction === "minimize" ? v > m : v < m;
    const text = `step ${t}: ${show(v)} is ${worse ? "worse than" : "no worse than"} the median ${show(m)} of ${others.length} completed trials`;
    return worse ? stop(text) : keep(text);
  }
}

export function medianPruner(opts: MedianPrunerOptions = {}): MedianPruner {
  return new MedianPruner(opts);
}
