/**
 * What samplers and pruners share: trials, the direction of the objective, and the sampler interface.
 * Samplers and pruners are pure: a suggestion is a function of (options, seed, history) only, so any
 * worker that reads the same study history suggests the same next configuration.
 */
import { GanglionError, Rng, ValueError } from "../../core/index.js";
import type { Config, SearchSpace } from "../space.js";

export type Direction = "minimize" | "maximize";
export type TrialState = "complete" | "pruned" | "failed" | "running";

/** One evaluation of a configuration. `intermediate[t]` is the value reported after step (epoch) t. */
export interface Trial {
  readonly config: Config;
  readonly value?: number;
  readonly state: TrialState;
  readonly intermediate?: readonly number[];
}

/** Proposes the next configuration given every trial so far, in creation order (running ones included). */
export interface Sampler {
  readonly name: string;
  readonly space: SearchSpace;
  suggest(history: readonly Trial[]): Config;
}

export function checkSeed(sampler: string, seed: number): void {
  if (!(Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff)) {
    throw new ValueError(`${sampler}: seed must be an integer in [0, 2^32), got ${seed}`);
  }
}

export function checkDirection(who: string, direction: Direction): void {
  if (direction !== "minimize" && direction !== "maximize") {
    throw new ValueError(`${who}: direction must be "minimize" or "maximize", got ${JSON.stringify(direction)}`);
  }
}

/**
 * The random stream for trial number `index`: Philox stream `index` under `seed`. Keying on the trial
 * number (not on a stateful generator) keeps `suggest` a pure function of the history.
 */
export function trialRng(seed: number, index: number): Rng {
  return new Rng(seed, index);
}

/** A uniformly random point of the unit cube (as float64 numbers). */
export function randomUnit(rng: Rng, dim: number): number[] {
  return Array.from(rng.uniform(dim));
}

/** Sign that turns the objective into one to minimize: 1 for "minimize", −1 for "maximize". */
export function sign(direction: Direction): number {
  return direction === "minimize" ? 1 : -1;
}

/** Completed trials with a finite value, as (trial, loss) where loss is to be minimized. */
export function completedLosses(history: readonly Trial[], direction: Direction): { trial: Trial; loss: number }[] {
  const s = sign(direction);
  const out: { trial: Trial; loss: number }[] = [];
  for (const t of history) {
    if (t.state === "complete" && typeof t.value === "number" && Number.isFinite(t.value)) out.push({ trial: t, loss: s * t.value });
  }
  return out;
}

/** Whether value a is strictly better than b in `direction` (NaN is never better). */
export function isBetter(a: number, b: number, direction: Direction): boolean {
  return direction === "minimize" ? a < b : a > b;
}

/** A sampler with a finite set of configurations (grid search) has suggested all of them. */
export class ExhaustedError extends GanglionError {
  override name = "ExhaustedError";
}
