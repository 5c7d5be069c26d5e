/**
 * Pruners decide, from the intermediate values a trial has reported so far (one per step or epoch) and
 * the other trials of the study, whether to stop it early. They are pure functions of their inputs.
 */
import type { Trial } from "../samplers/types.js";

export interface PruneDecision {
  readonly prune: boolean;
  /** Why, in words, for the trial log: "step 3: 0.91 is worse than the median 0.62 of 7 completed trials". */
  readonly reason: string;
}

export interface Pruner {
  readonly name: string;
  /**
   * `trial` is the running trial (its `intermediate` holds the values reported so far); `history` is the
   * study's trials, which may include `trial` itself (it is recognised by identity and skipped).
   */
  decide(trial: Trial, history: readonly Trial[]): PruneDecision;
}

export const keep = (reason: string): PruneDecision => ({ prune: false, reason });
export const stop = (reason: string): PruneDecision => ({ prune: true, reason });

/** Formats a value for a reason string. */
export function show(v: number): string {
  return Number.isFinite(v) ? String(Number(v.toPrecision(6))) : String(v);
}

/** Prunes when any of `pruners` does (the first one's reason is reported). */
export function anyPruner(...pruners: Pruner[]): Pruner {
  return {
    name: `any(${pruners.map((p) => p.name).join(", ")})`,
    decide(trial, history) {
      for (const p of pruners) {
        const d = p.decide(trial, history);
        if (d.prune) return stop(`${p.name}: ${d.reason}`);
      }
      return keep("no pruner fired");
    },
  };
}
