/**
 * Closed-form decay schedules. A schedule is a pure function of the step count:
 * `lr = schedule(t)`, t = optimizer steps (or epochs) taken so far, starting at 0.
 *
 * Each matches the closed form of the torch.optim.lr_scheduler class named in its doc comment
 * (`_get_closed_form_lr`); the golden test in `golden.test.ts` checks them against PyTorch 1.13.
 */
import { check, checkStep, integerAtLeast, nonNegative, positive } from "./check.js";

/** A learning-rate schedule: step (>= 0) → learning rate. */
export type Schedule = (step: number) => number;

/** lr(t) = base. */
export function constant(base: number): Schedule {
  nonNegative("constant", "base", base);
  return (t) => {
    checkStep("constant", t);
    return base;
  };
}

/**
 * Step decay (torch `StepLR`): lr(t) = base · gamma^⌊t / stepSize⌋.
 * @example stepDecay(0.1, 30, 0.1) // 0.1 for epochs 0–29, 0.01 for 30–59, …
 */
export function stepDecay(base: number, stepSize: number, gamma = 0.1): Schedule {
  nonNegative("stepDecay", "base", base);
  integerAtLeast("stepDecay", "stepSize", stepSize, 1);
  positive("stepDecay", "gamma", gamma);
  return (t) => {
    checkStep("stepDecay", t);
    return base * gamma ** Math.floor(t / stepSize);
  };
}

/**
 * Multi-step decay (torch `MultiStepLR`): lr(t) = base · gamma^(number of milestones m with m <= t).
 * Milestones must be non-decreasing integers; as in PyTorch (a `Counter`), a repeated milestone
 * applies gamma once per repetition.
 */
export function multiStep(base: number, milestones: readonly number[], gamma = 0.1): Schedule {
  nonNegative("multiStep", "base", base);
  positive("multiStep", "gamma", gamma);
  const ms = [...milestones];
  const sorted = ms.every((m, i) => Number.isInteger(m) && m >= 0 && (i === 0 || m >= ms[i - 1]));
  check(sorted, "multiStep", "milestones", "non-decreasing integers >= 0", ms);
  return (t) => {
    checkStep("multiStep", t);
    let k = 0;
    while (k < ms.length && ms[k] <= t) k++;
    return base * gamma ** k;
  };
}

/**
 * Exponential decay (torch `ExponentialLR`): lr(t) = base · gamma^t. gamma > 1 gives the exponential
 * growth of an LR range test (Smith 2017, https://arxiv.org/abs/1506.01186).
 */
export function exponential(base: number, gamma: number): Schedule {
  nonNegative("exponential", "base", base);
  positive("exponential", "gamma", gamma);
  return (t) => {
    checkStep("exponential", t);
    return base * gamma ** t;
  };
}

export interface PolynomialOptions {
  /** Exponent p of the decay (default 1: linear). */
  power?: number;
  /** Learning rate reached at `total` and held afterwards (default 0, as in torch `PolynomialLR`). */
  floor?: number;
}

/**
 * Polynomial decay (torch `PolynomialLR` when floor = 0; TensorFlow's `PolynomialDecay` otherwise):
 * lr(t) = floor + (base − floor) · (1 − min(t, total) / total)^power.
 */
export function polynomial(base: number, total: number, { power = 1, floor = 0 }: PolynomialOptions = {}): Schedule {
  nonNegative("polynomial", "base", base);
  integerAtLeast("polynomial", "total", total, 1);
  positive("polynomial", "power", power);
  nonNegative("polynomial", "floor", floor);
  check(floor <= base, "polynomial", "floor", `<= base (${base})`, floor);
  return (t) => {
    checkStep("polynomial", t);
    return floor + (base - floor) * (1 - Math.min(t, total) / total) ** power;
  };
}
