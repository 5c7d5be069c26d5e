/**
 * Cosine annealing, with and without warm restarts.
 */
import type { Schedule } from "./basic.js";
import { check, checkStep, integerAtLeast, nonNegative } from "./check.js";

/** ½ (1 + cos(π · x)): 1 at x = 0, 0 at x = 1. */
function halfCos(x: number): number {
  return 0.5 * (1 + Math.cos(Math.PI * x));
}

/**
 * Cosine annealing (torch `CosineAnnealingLR`, the closed form its documentation gives; Loshchilov &
 * Hutter 2017, https://arxiv.org/abs/1608.03983, without restarts):
 *
 *   lr(t) = floor + ½ (base − floor) (1 + cos(π · min(t, total) / total))
 *
 * NOTE: beyond `total` this holds `floor`, whereas PyTorch's formula (closed and chainable alike) keeps
 * following the cosine, which has period 2·total, so its lr climbs back to `base` by t = 2·total.
 * Use `cosineWarmRestarts` when restarts are wanted. PyTorch's chainable (recursive) form
 * lr_t = floor + (lr_{t−1} − floor) · (1 + cos(πt/T)) / (1 + cos(π(t−1)/T)) agrees with the closed form to
 * rounding (< 1e-12 relative over 100 steps, measured by tools/goldens/make_schedule_goldens.py) as
 * long as nothing else changes the lr in between.
 */
export function cosine(base: number, total: number, floor = 0): Schedule {
  nonNegative("cosine", "base", base);
  integerAtLeast("cosine", "total", total, 1);
  nonNegative("cosine", "floor", floor);
  check(floor <= base, "cosine", "floor", `<= base (${base})`, floor);
  return (t) => {
    checkStep("cosine", t);
    return floor + (base - floor) * halfCos(Math.min(t, total) / total);
  };
}

/**
 * Position inside the SGDR cycle containing step t: cycle lengths are t0, t0·tMult, t0·tMult², …
 * Returns [tCur, tI] (steps since the last restart, length of the current cycle).
 *
 * NOTE: computed by walking the cycles (exact in integers) rather than with the logarithm PyTorch's
 * `step(epoch)` uses, n = ⌊log_{tMult}(t/t0 · (tMult − 1) + 1)⌋, which lands one cycle early when the
 * logarithm of an exact power rounds down: with t0 = 3, tMult = 3, torch's `step(363)` computes
 * ⌊log(243, 3)⌋ = ⌊4.999999999999999⌋ = 4 and returns the floor instead of restarting at base (its
 * chainable `step()` restarts correctly, as this function does; see the golden case).
 */
function sgdrPosition(t: number, t0: number, tMult: number): [number, number] {
  if (tMult === 1) return [t % t0, t0];
  let tI = t0;
  let tCur = t;
  while (tCur >= tI) {
    tCur -= tI;
    tI *= tMult;
  }
  return [tCur, tI];
}

/**
 * Cosine annealing with warm restarts, SGDR (Loshchilov & Hutter 2017, https://arxiv.org/abs/1608.03983;
 * torch `CosineAnnealingWarmRestarts`):
 *
 *   lr(t) = floor + ½ (base − floor) (1 + cos(π · T_cur / T_i))
 *
 * where T_i = t0 · tMult^i is the length of the i-th cycle and T_cur the steps since its start. Fractional
 * steps (epoch + batch / batchesPerEpoch) are allowed, as in the paper. The lr at each restart (its minima
 * just before) is where snapshot ensembles (Huang et al. 2017) take their snapshots.
 */
export function cosineWarmRestarts(base: number, t0: number, tMult = 1, floor = 0): Schedule {
  nonNegative("cosineWarmRestarts", "base", base);
  integerAtLeast("cosineWarmRestarts", "t0", t0, 1);
  integerAtLeast("cosineWarmRestarts", "tMult", tMult, 1);
  nonNegative("cosineWarmRestarts", "floor", floor);
  check(floor <= base, "cosineWarmRestarts", "floor", `<= base (${base})`, floor);
  return (t) => {
    checkStep("cosineWarmRestarts", t);
    const [tCur, tI] = sgdrPosition(t, t0, tMult);
    return floor + (base - floor) * halfCos(tCur / tI);
  };
}
