/**
 * The lecture's rule for babysitting a run (CS231n lecture 6): "if the loss is NaN, or goes above
 * 3 × the initial loss, stop early" — the learning rate is too high, the run will not recover.
 * Apply it to a training loss (lower is better), not to an accuracy.
 */
import { ValueError } from "../../core/index.js";
import type { Trial } from "../samplers/types.js";
import { keep, show, stop } from "./types.js";
import type { PruneDecision, Pruner } from "./types.js";

export interface DivergenceOptions {
  /** Stop when loss > factor × the first loss (default 3). */
  factor?: number;
}

/**
 * Whether a loss curve has diverged: some value is NaN or ±Infinity, or the latest value exceeds
 * factor × losses[0]. (The ratio test needs a positive initial loss; with losses[0] <= 0 only the
 * NaN/Infinity test applies.)
 */
export function checkDivergence(losses: readonly number[], { factor = 3 }: DivergenceOptions = {}): PruneDecision {
  if (!(factor > 1 && Number.isFinite(factor))) throw new ValueError(`divergence: factor must be a finite number > 1, got ${factor}`);
  const bad = losses.findIndex((l) => !Number.isFinite(l));
  if (bad >= 0) return stop(`step ${bad}: loss is ${losses[bad]}`);
  if (losses.length < 2 || !(losses[0] > 0)) return keep("no divergence");
  const t = losses.length - 1;
  if (losses[t] > factor * losses[0]) {
    return stop(`step ${t}: loss ${show(losses[t])} > ${factor} × initial loss ${show(losses[0])}`);
  }
  return keep("no divergence");
}

export class DivergencePruner implements Pruner {
  readonly name = "divergence";
  readonly factor: number;

  constructor({ factor = 3 }: DivergenceOptions = {}) {
    checkDivergence([], { factor });
    this.factor = factor;
  }

  decide(trial: Trial): PruneDecision {
    return checkDivergence(trial.intermediate ?? [], { factor: this.factor });
  }
}

export function divergencePruner(opts: DivergenceOptions = {}): DivergencePruner {
  return new DivergencePruner(opts);
}
