/**
 * Successive halving (Jamieson & Talwalkar 2016, https://arxiv.org/abs/1502.07943) and its asynchronous
 * form ASHA (Li et al. 2020, "A System for Massively Parallel Hyperparameter Tuning",
 * https://arxiv.org/abs/1810.05934), as pure decisions.
 *
 * Rung k sits at resource r_k = minResource · η^(s + k) steps (η = reductionFactor, s = minEarlyStoppingRate).
 * When a trial has reported exactly r_k values, it is compared with every other trial that has reached
 * rung k so far (running, pruned or complete): it continues only if it ranks among the best
 * max(1, ⌊n/η⌋) of the n values recorded at that rung, itself included. This is the "stopping" variant of
 * ASHA (as in Optuna's SuccessiveHalvingPruner and Ray Tune's ASHA): no trial waits for a promotion, so
 * workers never idle; early trials, which have few competitors, are judged leniently.
 */
import { ValueError } from "../../core/index.js";
import { checkDirection } from "../samplers/types.js";
import type { Direction, Trial } from "../samplers/types.js";
import { keep, show, stop } from "./types.js";
import type { PruneDecision, Pruner } from "./types.js";

export interface AshaOptions {
  direction?: Direction;
  /** Steps before the first rung, r (default 1). */
  minResource?: number;
  /** η: keep the best 1/η at each rung (default 3). */
  reductionFactor?: number;
  /** s: the first rung is at r·η^s (default 0). */
  minEarlyStoppingRate?: number;
  /** Trials that reach this many steps are never stopped (default: no limit). */
  maxResource?: number;
}

function checkInt(name: string, v: number, min: number): void {
  if (!(Number.isInteger(v) && v >= min)) throw new ValueError(`asha: ${name} must be an integer >= ${min}, got ${v}`);
}

export class AshaPruner implements Pruner {
  readonly name = "asha";
  readonly direction: Direction;
  readonly minResource: number;
  readonly reductionFactor: number;
  readonly minEarlyStoppingRate: number;
  readonly maxResource: number;

  constructor(opts: AshaOptions = {}) {
    const { direction = "minimize", minResource = 1, reductionFactor = 3, minEarlyStoppingRate = 0, maxResource = Infinity } = opts;
    checkDirection("asha", direction);
    checkInt("minResource", minResource, 1);
    checkInt("reductionFactor", reductionFactor, 2);
    checkInt("minEarlyStoppingRate", minEarlyStoppingRate, 0);
    if (maxResource !== Infinity) checkInt("maxResource", maxResource, 1);
    this.direction = direction;
    this.minResource = minResource;
    this.reductionFactor = reductionFactor;
    this.minEarlyStoppingRate = minEarlyStoppingRate;
    this.maxResource = maxResource;
  }

  /** Resources (steps) of the rungs below maxResource, at most `limit` of them. */
  rungs(limit = 64): number[] {
    const out: number[] = [];
    for (let k = 0; k < limit; k++) {
      const r = this.minResource * this.reductionFactor ** (this.minEarlyStoppingRate + k);
      if (r >= this.maxResource || !Number.isSafeInteger(r)) break;
      out.push(r);
    }
    return out;
  }

  decide(trial: Trial, history: readonly Trial[]): PruneDecision {
    const values = trial.intermediate ?? [];
    const steps = values.length;
    if (steps === 0) return keep("no intermediate value yet");
    const v = values[steps - 1];
    if (Number.isNaN(v)) return stop(`step ${steps - 1}: value is NaN`);
    const rung = this.rungs().indexOf(steps);
    if (rung < 0) return keep(`${steps} steps: not at a rung`);
    const sign = this.direction === "minimize" ? 1 : -1;
    const loss = (x: number): number => (Number.isNaN(x) ? Infinity : sign * x);
    let n = 1;
    let better = 0;
    for (const h of history) {
      if (h === trial || (h.intermediate?.length ?? 0) < steps) continue;
      n++;
      if (loss(h.intermediate![steps - 1]) < loss(v)) better++;
    }
    const kept = Math.max(1, Math.floor(n / this.reductionFactor));
    const text = `rung ${rung} (${steps} steps): ${show(v)} ranks ${better + 1} of ${n}, the best ${kept} continue`;
    return better < kept ? keep(text) : stop(text);
  }
}

export function ashaPruner(opts: AshaOptions = {}): AshaPruner {
  return new AshaPruner(opts);
}

/**
 * The synchronous successive-halving plan for n configurations: rung i runs ⌊n/η^i⌋ of them for
 * minResource·η^i steps, until one configuration is left or maxResource is reached.
 * @example successiveHalvingPlan(27, { minResource: 1, reductionFactor: 3 })
 * // [{ trials: 27, steps: 1 }, { trials: 9, steps: 3 }, { trials: 3, steps: 9 }, { trials: 1, steps: 27 }]
 */
export function successiveHalvingPlan(
  n: number,
  { minResource = 1, reductionFactor = 3, maxResource = Infinity }: Omit<AshaOptions, "direction" | "minEarlyStoppingRate"> = {},
): { trials: number; steps: number }[] {
  checkInt("n", n, 1);
  checkInt("minResource", minResource, 1);
  checkInt("reductionFactor", reductionFactor, 2);
  const plan: { trials: number; steps: number }[] = [];
  for (let i = 0; ; i++) {
    const trials = Math.floor(n / reductionFactor ** i);
    const steps = Math.min(minResource * reductionFactor ** i, maxResource);
    if (trials < 1) break;
    plan.push({ trials, steps });
    if (trials === 1 || steps >= maxResource) break;
  }
  return plan;
}
