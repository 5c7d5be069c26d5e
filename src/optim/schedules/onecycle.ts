/**
 * The 1cycle policy (Smith 2018, "A disciplined approach to neural network hyper-parameters",
 * https://arxiv.org/abs/1803.09820; Smith & Topin 2019 "Super-convergence"), identical to torch `OneCycleLR`.
 */
import type { Schedule } from "./basic.js";
import { check, checkStep, integerAtLeast, openInterval, positive } from "./check.js";

export type Anneal = "cos" | "linear";

export interface OneCycleOptions {
  /** Fraction of the steps spent increasing the lr (default 0.3). */
  pctStart?: number;
  /** initialLr = maxLr / divFactor (default 25). */
  divFactor?: number;
  /** minLr = initialLr / finalDivFactor (default 1e4). */
  finalDivFactor?: number;
  /** Interpolation inside each phase (default "cos"). */
  anneal?: Anneal;
  /**
   * Three phases (up, back down to initialLr symmetrically, then down to minLr) as in Smith's paper,
   * instead of fast.ai's two (up, then straight down to minLr). Default false.
   */
  threePhase?: boolean;
}

interface Phase {
  end: number;
  from: number;
  to: number;
}

/** cos: to + ½ (from − to)(1 + cos(π·p)); linear: from + (to − from)·p, p ∈ [0, 1]. */
function interpolate(anneal: Anneal, from: number, to: number, p: number): number {
  switch (anneal) {
    case "cos":
      return to + 0.5 * (from - to) * (1 + Math.cos(Math.PI * p));
    case "linear":
      return from + (to - from) * p;
    default:
      throw new Error(`oneCycle: unknown anneal ${anneal satisfies never}`);
  }
}

/** Evaluates piecewise phases the way torch does: phase i spans (end_{i−1}, end_i], the first starts at 0. */
function phased(fn: string, phases: readonly Phase[], anneal: Anneal, totalSteps: number): Schedule {
  return (t) => {
    checkStep(fn, t);
    // NOTE: torch raises past total_steps and extrapolates the last phase at exactly total_steps;
    // we hold the final value from step total_steps − 1 on, so an extra step never hurts.
    const s = Math.min(t, totalSteps - 1);
    let start = 0;
    for (let i = 0; i < phases.length; i++) {
      const ph = phases[i];
      if (s <= ph.end || i === phases.length - 1) {
        return interpolate(anneal, ph.from, ph.to, (s - start) / (ph.end - start));
      }
      start = ph.end;
    }
    throw new Error(`${fn}: unreachable`);
  };
}

/** Phase end steps, after validating that every phase has positive length. */
function phaseEnds(fn: string, totalSteps: number, pctStart: number, threePhase: boolean): number[] {
  integerAtLeast(fn, "totalSteps", totalSteps, 2);
  openInterval(fn, "pctStart", pctStart, 0, 1);
  const up = pctStart * totalSteps - 1;
  check(up > 0, fn, "pctStart", `> 1/totalSteps (${1 / totalSteps}) so the warm-up phase has a step`, pctStart);
  if (!threePhase) return [up, totalSteps - 1];
  const down = 2 * pctStart * totalSteps - 2;
  check(down < totalSteps - 1, fn, "pctStart", `< (totalSteps + 1) / (2 totalSteps) with threePhase`, pctStart);
  return [up, down, totalSteps - 1];
}

/**
 * One-cycle learning rate over `totalSteps` optimizer steps: from maxLr/divFactor up to maxLr during the
 * first pctStart of the steps, then down to maxLr/(divFactor·finalDivFactor) (two-phase), or back to
 * maxLr/divFactor and then down (threePhase). Phase boundaries are at pctStart·N − 1 (and 2·pctStart·N − 2)
 * and N − 1, exactly as torch computes them.
 * @example oneCycle(0.1, 1000, { pctStart: 0.25 })
 */
export function oneCycle(maxLr: number, totalSteps: number, opts: OneCycleOptions = {}): Schedule {
  const { pctStart = 0.3, divFactor = 25, finalDivFactor = 1e4, anneal = "cos", threePhase = false } = opts;
  positive("oneCycle", "maxLr", maxLr);
  positive("oneCycle", "divFactor", divFactor);
  positive("oneCycle", "finalDivFactor", finalDivFactor);
  check(anneal === "cos" || anneal === "linear", "oneCycle", "anneal", `"cos" or "linear"`, anneal);
  const ends = phaseEnds("oneCycle", totalSteps, pctStart, threePhase);
  const initial = maxLr / divFactor;
  const min = initial / finalDivFactor;
  const levels = threePhase ? [initial, maxLr, initial, min] : [initial, maxLr, min];
  const phases = ends.map((end, i) => ({ end, from: levels[i], to: levels[i + 1] }));
  return phased("oneCycle", phases, anneal, totalSteps);
}

export interface OneCycleMomentumOptions {
  pctStart?: number;
  /** Momentum (or Adam's beta1) at the lr peak (default 0.85). */
  baseMomentum?: number;
  /** Momentum at the start and end (default 0.95). */
  maxMomentum?: number;
  anneal?: Anneal;
  threePhase?: boolean;
}

/**
 * The momentum that accompanies `oneCycle` (torch `cycle_momentum`): it moves opposite to the lr,
 * maxMomentum → baseMomentum while the lr rises and back while it falls (Smith 2018, section 4.2).
 */
export function oneCycleMomentum(totalSteps: number, opts: OneCycleMomentumOptions = {}): Schedule {
  const { pctStart = 0.3, baseMomentum = 0.85, maxMomentum = 0.95, anneal = "cos", threePhase = false } = opts;
  check(baseMomentum >= 0 && baseMomentum <= maxMomentum, "oneCycleMomentum", "baseMomentum", `in [0, maxMomentum (${maxMomentum})]`, baseMomentum);
  check(maxMomentum < 1, "oneCycleMomentum", "maxMomentum", "< 1", maxMomentum);
  check(anneal === "cos" || anneal === "linear", "oneCycleMomentum", "anneal", `"cos" or "linear"`, anneal);
  const ends = phaseEnds("oneCycleMomentum", totalSteps, pctStart, threePhase);
  const levels = threePhase
    ? [maxMomentum, baseMomentum, maxMomentum, maxMomentum]
    : [maxMomentum, baseMomentum, maxMomentum];
  const phases = ends.map((end, i) => ({ end, from: levels[i], to: levels[i + 1] }));
  return phased("oneCycleMomentum", phases, anneal, totalSteps);
}
