/**
 * Reduce the learning rate when a metric stops improving (torch `ReduceLROnPlateau`), the one schedule
 * that depends on training results and therefore carries state. Its state is a plain JSON object, so a
 * checkpoint can store it and a resumed run continues the same sequence.
 */
import { ValueError } from "../../core/index.js";
import { check, closedInterval, integerAtLeast, nonNegative, openInterval, positive } from "./check.js";

export type PlateauMode = "min" | "max";
export type ThresholdMode = "rel" | "abs";

export interface ReduceOnPlateauOptions {
  /** "min": the metric should go down (a loss); "max": up (an accuracy). Default "min". */
  mode?: PlateauMode;
  /** new lr = max(lr · factor, minLr); in (0, 1). Default 0.1. */
  factor?: number;
  /** Number of bad steps tolerated; the lr drops on the (patience + 1)-th. Default 10. */
  patience?: number;
  /** Minimum improvement that counts (default 1e-4). */
  threshold?: number;
  /**
   * "rel": better means below best·(1 − threshold) (min) or above best·(1 + threshold) (max);
   * "abs": below best − threshold or above best + threshold. Default "rel".
   */
  thresholdMode?: ThresholdMode;
  /** Steps to wait after a reduction before counting bad steps again (default 0). */
  cooldown?: number;
  /** Lower bound on the lr (default 0). */
  minLr?: number;
  /** A reduction smaller than eps is skipped (default 1e-8). */
  eps?: number;
}

/** Everything needed to resume; JSON-safe (`best` is null before the first finite improvement). */
export interface ReduceOnPlateauState {
  lr: number;
  best: number | null;
  numBadSteps: number;
  cooldownCounter: number;
  lastStep: number;
}

/**
 * ReduceLROnPlateau, step for step the same as PyTorch's:
 *
 *   better(a) = a < best·(1 − threshold)      (mode min, rel)       a < best − threshold  (min, abs)
 *             = a > best·(1 + threshold)      (mode max, rel)       a > best + threshold  (max, abs)
 *   bad += better ? reset to 0 : 1;  in cooldown: cooldown −= 1, bad = 0;
 *   if bad > patience: lr = max(lr·factor, minLr) (if that changes lr by more than eps), cooldown = cooldown₀, bad = 0
 *
 * NOTE: as in PyTorch, "rel" mode on a metric that is negative moves the bar the wrong way
 * (best·(1 − threshold) is above a negative best); use "abs" for metrics that can be negative.
 * A NaN metric is never better, so it counts as a bad step.
 */
export class ReduceOnPlateau {
  readonly mode: PlateauMode;
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: ThresholdMode;
  readonly cooldown: number;
  readonly minLr: number;
  readonly eps: number;
  #lr: number;
  #best: number;
  #bad = 0;
  #cooldownCounter = 0;
  #lastStep = 0;

  constructor(initialLr: number, opts: ReduceOnPlateauOptions = {}) {
    const { mode = "min", factor = 0.1, patience = 10, threshold = 1e-4, thresholdMode = "rel" } = opts;
    const { cooldown = 0, minLr = 0, eps = 1e-8 } = opts;
    positive("ReduceOnPlateau", "initialLr", initialLr);
    check(mode === "min" || mode === "max", "ReduceOnPlateau", "mode", `"min" or "max"`, mode);
    openInterval("ReduceOnPlateau", "factor", factor, 0, 1);
    integerAtLeast("ReduceOnPlateau", "patience", patience, 0);
    nonNegative("ReduceOnPlateau", "threshold", threshold);
    check(thresholdMode === "rel" || thresholdMode === "abs", "ReduceOnPlateau", "thresholdMode", `"rel" or "abs"`, thresholdMode);
    if (thresholdMode === "rel") closedInterval("ReduceOnPlateau", "threshold", threshold, 0, 1);
    integerAtLeast("ReduceOnPlateau", "cooldown", cooldown, 0);
    nonNegative("ReduceOnPlateau", "minLr", minLr);
    nonNegative("ReduceOnPlateau", "eps", eps);
    this.mode = mode;
    this.factor = factor;
    this.patience = patience;
    this.threshold = threshold;
    this.thresholdMode = thresholdMode;
    this.cooldown = cooldown;
    this.minLr = minLr;
    this.eps = eps;
    this.#lr = initialLr;
    this.#best = mode === "min" ? Infinity : -Infinity;
  }

  /** The current learning rate. */
  get lr(): number {
    return this.#lr;
  }

  /** Best metric seen so far (±Infinity before the first step). */
  get best(): number {
    return this.#best;
  }

  /** Whether `a` improves on `best` by more than the threshold. */
  isBetter(a: number, best = this.#best): boolean {
    const th = this.threshold;
    if (this.mode === "min") return this.thresholdMode === "rel" ? a < best * (1 - th) : a < best - th;
    return this.thresholdMode === "rel" ? a > best * (1 + th) : a > best + th;
  }

  /** Records one evaluation of the metric (once per epoch, typically) and returns the lr to use next. */
  step(metric: number): number {
    this.#lastStep += 1;
    if (this.isBetter(metric)) {
      this.#best = metric;
      this.#bad = 0;
    } else {
      this.#bad += 1;
    }
    if (this.#cooldownCounter > 0) {
      this.#cooldownCounter -= 1;
      this.#bad = 0; // bad steps during cooldown are ignored
    }
    if (this.#bad > this.patience) {
      const next = Math.max(this.#lr * this.factor, this.minLr);
      if (this.#lr - next > this.eps) this.#lr = next;
      this.#cooldownCounter = this.cooldown;
      this.#bad = 0;
    }
    return this.#lr;
  }

  stateDict(): ReduceOnPlateauState {
    return {
      lr: this.#lr,
      best: Number.isFinite(this.#best) ? this.#best : null,
      numBadSteps: this.#bad,
      cooldownCounter: this.#cooldownCounter,
      lastStep: this.#lastStep,
    };
  }

  /** Restores a state from `stateDict()`; throws naming the field when it is missing or malformed. */
  loadStateDict(s: ReduceOnPlateauState): void {
    const fields: (keyof ReduceOnPlateauState)[] = ["lr", "best", "numBadSteps", "cooldownCounter", "lastStep"];
    for (const f of fields) {
      const v: unknown = (s as unknown as Record<string, unknown>)[f];
      if (f === "best" && v === null) continue;
      if (typeof v !== "number" || Number.isNaN(v)) {
        throw new ValueError(`ReduceOnPlateau.loadStateDict: ${f} must be a number, got ${String(v)}`);
      }
    }
    if (!(s.lr > 0 && Number.isFinite(s.lr))) throw new ValueError(`ReduceOnPlateau.loadStateDict: lr must be > 0, got ${s.lr}`);
    for (const f of ["numBadSteps", "cooldownCounter", "lastStep"] as const) {
      if (!(Number.isInteger(s[f]) && s[f] >= 0)) {
        throw new ValueError(`ReduceOnPlateau.loadStateDict: ${f} must be an integer >= 0, got ${s[f]}`);
      }
    }
    this.#lr = s.lr;
    this.#best = s.best ?? (this.mode === "min" ? Infinity : -Infinity);
    this.#bad = s.numBadSteps;
    this.#cooldownCounter = s.cooldownCounter;
    this.#lastStep = s.lastStep;
  }
}
