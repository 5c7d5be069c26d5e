/**
 * Combinators: warm-up, schedules run one after another, and multiplicative factors.
 */
import type { Schedule } from "./basic.js";
import { check, checkStep, closedInterval, integerAtLeast } from "./check.js";

/**
 * A multiplicative factor ramping linearly from `from` to `to` over `steps` steps, then held
 * (torch `LinearLR`'s closed form divided by the base lr):
 *
 *   f(t) = from + (to − from) · min(t, steps) / steps
 *
 * NOTE: torch's chainable LinearLR multiplies the previous lr by
 * 1 + (to − from) / (steps·from + (t − 1)(to − from)); with from = 0 the lr is 0 at t = 0 and the product
 * can never leave 0 (PyTorch 1.13 raises ZeroDivisionError there). The closed form used here is fine.
 */
export function linearRamp(from: number, to: number, steps: number): Schedule {
  check(Number.isFinite(from) && from >= 0, "linearRamp", "from", "a finite number >= 0", from);
  check(Number.isFinite(to) && to >= 0, "linearRamp", "to", "a finite number >= 0", to);
  integerAtLeast("linearRamp", "steps", steps, 1);
  return (t) => {
    checkStep("linearRamp", t);
    return from + ((to - from) * Math.min(t, steps)) / steps;
  };
}

/**
 * Linear warm-up in front of any schedule (Goyal et al. 2017, https://arxiv.org/abs/1706.02677):
 *
 *   lr(t) = schedule(0) · (startFactor + (1 − startFactor) · t / warmSteps)   for t < warmSteps
 *   lr(t) = schedule(t − warmSteps)                                           afterwards
 *
 * This is torch's `SequentialLR([LinearLR(startFactor, total_iters=warmSteps), S], milestones=[warmSteps])`:
 * the wrapped schedule starts its own clock when the warm-up ends. To overlay a warm-up on a schedule that
 * keeps the global clock, use `compose(schedule, linearRamp(startFactor, 1, warmSteps))` (a LambdaLR product).
 * `startFactor` defaults to torch LinearLR's 1/3.
 */
export function linearWarmup(warmSteps: number, schedule: Schedule, startFactor = 1 / 3): Schedule {
  integerAtLeast("linearWarmup", "warmSteps", warmSteps, 1);
  closedInterval("linearWarmup", "startFactor", startFactor, 0, 1);
  const base = schedule(0);
  return (t) => {
    checkStep("linearWarmup", t);
    if (t < warmSteps) return base * (startFactor + ((1 - startFactor) * t) / warmSteps);
    return schedule(t - warmSteps);
  };
}

/**
 * Schedules run one after another (torch `SequentialLR`): with milestones m_1 < m_2 < …,
 * lr(t) = `schedules[0](t)` for t < m_1, `schedules[k](t − m_k)` for m_k <= t < m_{k+1}.
 * Each schedule restarts its clock at its milestone.
 */
export function sequential(schedules: readonly Schedule[], milestones: readonly number[]): Schedule {
  check(schedules.length >= 1, "sequential", "schedules", "a non-empty list", `${schedules.length} schedules`);
  check(
    milestones.length === schedules.length - 1,
    "sequential",
    "milestones",
    `one fewer than the schedules (${schedules.length - 1})`,
    [...milestones],
  );
  const ok = milestones.every((m, i) => Number.isInteger(m) && m >= 1 && (i === 0 || m > milestones[i - 1]));
  check(ok, "sequential", "milestones", "increasing integers >= 1", [...milestones]);
  const ss = [...schedules];
  const ms = [0, ...milestones];
  return (t) => {
    checkStep("sequential", t);
    let k = ms.length - 1;
    while (ms[k] > t) k--;
    return ss[k](t - ms[k]);
  };
}

/**
 * A schedule times any number of multiplicative factors, all on the same clock:
 * lr(t) = schedule(t) · Π_i factor_i(t) — torch's `LambdaLR` with a product lambda, or `ChainedScheduler`
 * over multiplicative schedulers (whose chainable steps multiply the same lr).
 * @example compose(cosine(0.1, 100), linearRamp(0.01, 1, 5)) // warm-up overlaid on the first 5 steps
 */
export function compose(schedule: Schedule, ...factors: readonly Schedule[]): Schedule {
  const fs = [...factors];
  return (t) => {
    let lr = schedule(t);
    for (const f of fs) lr *= f(t);
    return lr;
  };
}
