/**
 * Check 3 — learning-rate range test (Smith 2017, "Cyclical Learning Rates for Training Neural
 * Networks", https://arxiv.org/abs/1506.01186, §3.3): train for N steps while the learning rate grows
 * exponentially from `minLr` to `maxLr`, record the loss (exponentially smoothed, bias-corrected) against
 * the LR, and stop when it explodes. Where the loss falls fastest is a good LR; where it blows up is the
 * ceiling. CS231n's reading of the loss curve: "loss not going down: learning rate too low; loss
 * exploding / NaN: learning rate too high". The model's weights are restored afterwards.
 */
import { scope, type Tensor } from "../../tensor/index.js";
import { crossEntropy, type Module } from "../../nn/index.js";
import type { DataLoader } from "../../data/index.js";
import { onScratchModel } from "./state.js";
import { defaultCheckOptimizer } from "./overfit.js";
import { fmtNumber, type CheckResult, type CheckStatus, type LossFn, type MakeOptimizer } from "./types.js";

export interface LrRangeOptions {
  readonly minLr?: number;
  readonly maxLr?: number;
  readonly steps?: number;
  /** Default: Adam without weight decay; pass the optimizer you train with. */
  readonly makeOptimizer?: MakeOptimizer;
  readonly loss?: LossFn;
  /** Smoothing factor of the loss's moving average (default 1 − 4/steps, within [0.8, 0.98]). */
  readonly beta?: number;
  /** The loss "explodes" when the smoothed loss exceeds this multiple of its minimum (default 4). */
  readonly divergeFactor?: number;
  /** Loss of a model at chance (default ln C with the default cross-entropy): a sweep that never gets below it is inconclusive. */
  readonly chanceLoss?: number;
  /** The learning rate the user plans to train with: judged against the proposed range. */
  readonly currentLr?: number;
}

export interface LrCurve {
  readonly lr: number[];
  readonly loss: number[];
  readonly smoothed: number[];
}

export interface LrRangeResult extends CheckResult {
  /** Loss vs LR for the dashboard. */
  readonly curve: LrCurve;
  /** Proposed range; `suggested` is the LR of steepest descent clipped into it. */
  readonly proposed: { readonly low: number; readonly high: number; readonly suggested: number };
}

/**
 * The index in [from, to] where the smoothed loss falls fastest per decade of LR (centered differences
 * over ±k points, k ≈ half a decade, so batch-to-batch noise does not pass for descent).
 */
function steepestIndex(lr: readonly number[], s: readonly number[], from: number, to: number): number {
  const perDecade = (lr.length - 1) / Math.max(Math.log10(lr[lr.length - 1] / lr[0]), 1e-9);
  const k = Math.max(1, Math.round(perDecade / 2));
  let best = Math.max(from, 0), bestSlope = Infinity;
  for (let i = from; i <= to; i++) {
    const a = Math.max(i - k, 0), b = Math.min(i + k, s.length - 1);
    if (b <= a) continue;
    const slope = (s[b] - s[a]) / Math.log10(lr[b] / lr[a]);
    if (slope < bestSlope) {
      bestSlope = slope;
      best = i;
    }
  }
  return best;
}

/** Interpolated smoothed loss at `lr` (NaN outside the recorded range). */
function lossAt(c: LrCurve, lr: number): number {
  const i = c.lr.findIndex((v) => v >= lr);
  if (i <= 0) return i === 0 ? c.smoothed[0] : NaN;
  const t = Math.log(lr / c.lr[i - 1]) / Math.log(c.lr[i] / c.lr[i - 1]);
  return c.smoothed[i - 1] + t * (c.smoothed[i] - c.smoothed[i - 1]);
}

export function lrRangeTest(model: Module, loader: DataLoader, o: LrRangeOptions = {}): LrRangeResult {
  const { minLr = 1e-6, maxLr = 10, steps = 100, beta = Math.min(0.98, Math.max(0.8, 1 - 4 / steps)), divergeFactor = 4, currentLr } = o;
  if (!(minLr > 0 && maxLr > minLr && steps >= 5)) throw new RangeError(`lrRangeTest: need 0 < minLr < maxLr and steps >= 5, got ${minLr}, ${maxLr}, ${steps}`);
  const lossFn = o.loss ?? ((z: Tensor, y: Tensor) => crossEntropy(z, y));
  const make = o.makeOptimizer ?? defaultCheckOptimizer;
  const curve: LrCurve = { lr: [], loss: [], smoothed: [] };
  let explodedAt = NaN;
  onScratchModel(model, () => {
    const opt = make(model.parameters(), minLr);
    let avg = 0, best = Infinity, baseline = 0, epoch = 0;
    let it = loader.batches(epoch);
    try {
      for (let i = 0; i < steps; i++) {
        let nx = it.next();
        if (nx.done) {
          it = loader.batches(++epoch);
          nx = it.next();
        }
        const { x, y } = nx.value;
        const lr = minLr * Math.pow(maxLr / minLr, i / (steps - 1));
        opt.setOption("lr", lr);
        const l = scope(() => {
          const lt = lossFn(model.forward(x), y);
          lt.backward();
          return lt.item();
        });
        x.dispose();
        y.dispose();
        if (Number.isFinite(l)) scope(() => opt.step());
        opt.zeroGrad();
        avg = beta * avg + (1 - beta) * l;
        const sm = avg / (1 - Math.pow(beta, i + 1));
        curve.lr.push(lr);
        curve.loss.push(l);
        curve.smoothed.push(sm);
        best = Math.min(best, sm);
        if (i < Math.max(1, Math.floor(steps / 10))) baseline = (baseline * i + l) / (i + 1);
        if (!Number.isFinite(sm) || sm > divergeFactor * best || (i >= steps / 10 && sm > 1.5 * baseline)) {
          explodedAt = lr;
          break;
        }
      }
    } finally {
      opt.zeroGrad();
      opt.dispose();
    }
  }, { noisyOff: false });
  // With the default cross-entropy, ln C is the loss of a model at chance.
  const chanceLoss = o.chanceLoss ?? (o.loss ? undefined : Math.log(loader.dataset.numClasses));
  return analyzeLrCurve(curve, explodedAt, { minLr, maxLr, currentLr, chanceLoss });
}

/** Turns a recorded curve into the proposed range, a status and advice. Exported for replaying curves. */
export function analyzeLrCurve(curve: LrCurve, stoppedAt: number, { minLr, maxLr, currentLr, chanceLoss }: { minLr: number; maxLr: number; currentLr?: number; chanceLoss?: number }): LrRangeResult {
  const n = curve.lr.length;
  let explodedAt = NaN;
  const finite = curve.smoothed.map((v, i) => (Number.isFinite(v) ? i : -1)).filter((i) => i >= 0);
  const end = finite.length ? finite[finite.length - 1] : 0;
  let iMin = 0;
  for (const i of finite) if (curve.smoothed[i] < curve.smoothed[iMin]) iMin = i;
  // Baseline: the mean raw loss of the first 10% of steps, where the LR is too small to change anything.
  const head = curve.loss.slice(0, Math.max(1, Math.floor(n / 10))).filter(Number.isFinite);
  const start = head.length ? head.reduce((a, b) => a + b, 0) / head.length : NaN;
  const lowest = curve.smoothed[iMin];
  const drop = Number.isFinite(start) && start > 0 ? (start - lowest) / start : 0;
  const lrAtMin = curve.lr[iMin] ?? minLr;
  // Steepest descent between where the loss has made 10% of its total drop and its minimum.
  let i10 = 0;
  while (i10 < iMin && !(curve.smoothed[i10] <= start - 0.1 * (start - lowest))) i10++;
  const iSteep = steepestIndex(curve.lr, curve.smoothed, i10, iMin);
  const lrSteep = curve.lr[iSteep] ?? minLr;
  // Where training starts to hurt: the first LR past the minimum at which the smoothed loss is back above
  // the baseline (or non-finite) — stricter than the loop's stopping rule, which must survive noise.
  for (let i = iMin + 1; i < n && !Number.isFinite(explodedAt); i++) {
    if (!(curve.smoothed[i] <= start)) explodedAt = curve.lr[i];
  }
  if (!Number.isFinite(explodedAt)) explodedAt = stoppedAt;
  // The ceiling: a tenth of where the loss explodes, never above the loss minimum.
  const high = Math.min(lrAtMin, Number.isFinite(explodedAt) ? explodedAt / 10 : lrAtMin);
  const low = Math.min(lrSteep, high / 10);
  const suggested = Math.min(Math.max(lrSteep, low), high);
  const numbers: Record<string, number> = { steps: n, minLr, maxLr, startLoss: start, minLoss: lowest, lossDrop: drop, lrAtMinLoss: lrAtMin, lrSteepest: lrSteep, proposedLow: low, proposedHigh: high, suggestedLr: suggested };
  if (Number.isFinite(explodedAt)) numbers.lrExplodes = explodedAt;
  let status: CheckStatus = "pass";
  let advice: string;
  const range = `${low.toExponential(1)} … ${high.toExponential(1)}`;
  if (n === 0 || end === 0 || drop < 0.05) {
    status = "fail";
    advice = `The loss did not go down at any learning rate from ${minLr} to ${fmtNumber(curve.lr[n - 1] ?? maxLr)} (drop ${(100 * drop).toFixed(1)}% in ${n} steps): either the model is not learning at all — check the gradients (gradient check), the initialization and the tiny-subset check — or the labels are too noisy to learn from; check the labels before tuning the learning rate.`;
  } else {
    // Inconclusive sweeps: no ceiling found (still falling at the largest LR), or even the best LR left
    // the loss above chance level (something else — usually the initialization — dominates).
    const noCeiling = !Number.isFinite(explodedAt) && iMin >= n - Math.max(2, Math.ceil(n / 10));
    const aboveChance = chanceLoss !== undefined && lowest > chanceLoss;
    if (chanceLoss !== undefined) numbers.chanceLoss = chanceLoss;
    advice = `The loss falls fastest at lr ≈ ${lrSteep.toExponential(1)}, is lowest at ${lrAtMin.toExponential(1)}`
      + (Number.isFinite(explodedAt) ? ` and explodes at ${explodedAt.toExponential(1)}` : "")
      + `: train with a learning rate in ${range} (suggested ${suggested.toExponential(1)}).`;
    if (noCeiling || aboveChance) {
      status = "warn";
      advice = (aboveChance
        ? `Even the best learning rate left the loss at ${lowest.toFixed(2)}, above the chance level ${chanceLoss.toFixed(2)}: the sweep is dominated by something else — usually weights initialized far too large (see the initial-loss check); fix that first. `
        : "")
        + (noCeiling ? `The loss was still falling at the largest LR tried (${fmtNumber(curve.lr[n - 1])}), so the sweep found no ceiling: unusually large steps are needed, which points at a bad initialization or input scale. ` : "")
        + `Read this range with care: ${advice}`;
    }
    if (currentLr !== undefined) {
      numbers.currentLr = currentLr;
      const atCurrent = lossAt(curve, currentLr);
      if (Number.isFinite(atCurrent)) numbers.lossAtCurrentLr = atCurrent;
      if ((Number.isFinite(explodedAt) && currentLr >= explodedAt) || currentLr > 10 * high) {
        status = "fail";
        advice = `Your learning rate ${currentLr} is too high: at that LR the loss explodes / becomes NaN. ` + advice;
      } else if (currentLr > 3 * high) {
        status = "warn";
        advice = `Your learning rate ${currentLr} is on the high side: the loss is past its minimum there. ` + advice;
      } else if (currentLr < low / 10) {
        status = "warn";
        advice = `Your learning rate ${currentLr} is too low: the loss is barely going down at that LR. ` + advice;
      } else if (status === "pass") {
        advice = `Your learning rate ${currentLr} is in a good range. ` + advice;
      }
    }
  }
  return { name: "lr-range", status, numbers, advice, curve, proposed: { low, high, suggested } };
}
