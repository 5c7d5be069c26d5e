/**
 * All the babysitter's checks in the order CS231n runs them before committing to a long run: initial
 * loss, gradient check, overfitting a tiny subset, the learning-rate range test, then a short monitored
 * training run (NaN guard, layer statistics, train/validation gap). The model is restored afterwards.
 */
import type { Module } from "../../nn/index.js";
import { DataLoader } from "../../data/index.js";
import type { LayerStatsEvent, TrainEvent } from "../events.js";
import { fit } from "../fit.js";
import { evaluate } from "../evaluate.js";
import { checkInitialLoss, type InitialLossOptions } from "./initial-loss.js";
import { checkOverfitTinySubset, defaultCheckOptimizer, type OverfitOptions } from "./overfit.js";
import { lrRangeTest, type LrCurve, type LrRangeOptions } from "./lr-range.js";
import { gradcheckModel, type ModelGradcheckOptions } from "./gradcheck-model.js";
import { babysitTraining } from "./monitor.js";
import type { GapOptions } from "./gap.js";
import { onScratchModel } from "./state.js";
import { worstStatus, type CheckResult, type CheckStatus, type LossFn, type MakeOptimizer } from "./types.js";

export interface BabysitOptions {
  readonly model: Module;
  readonly train: DataLoader;
  readonly val?: DataLoader;
  /** The learning rate you plan to train with. */
  readonly lr: number;
  /** Your optimizer, regularization included (LR range test, training run); default Adam. */
  readonly makeOptimizer?: MakeOptimizer;
  /** The optimizer with regularization off (overfit check); default Adam without weight decay. */
  readonly makeUnregularizedOptimizer?: MakeOptimizer;
  readonly loss?: LossFn;
  readonly initialLoss?: InitialLossOptions | false;
  readonly gradcheck?: ModelGradcheckOptions | false;
  readonly overfit?: OverfitOptions | false;
  readonly lrRange?: LrRangeOptions | false;
  /** Optimizer steps of the short monitored training run (default 100; 0 skips it). */
  readonly trainSteps?: number;
  /** Layer statistics every this many steps of the run (default trainSteps / 4). */
  readonly statsEvery?: number;
  /**
   * Gap thresholds for the short run. Default `{ goodAccuracy: 0.5 }`: a run of ~100 steps is not expected
   * to reach the 90% that `diagnoseGap` asks of a finished run, only to have clearly learned something.
   */
  readonly gap?: GapOptions;
  /** Examples of the training set evaluated (eval mode) for the gap check (default 1000). */
  readonly gapExamples?: number;
  /** Progress lines ("running the LR range test…"). */
  readonly log?: (line: string) => void;
  readonly onEvent?: (e: TrainEvent) => void;
}

export interface BabysitReport {
  readonly status: CheckStatus;
  readonly checks: CheckResult[];
  /** Loss vs LR of the range test (for the dashboard). */
  readonly lrCurve?: LrCurve;
  readonly layerStats: LayerStatsEvent[];
}

/** Runs the checks on `model` and restores it. */
export function babysit(o: BabysitOptions): BabysitReport {
  const { model, train, lr, loss, trainSteps = 100, gapExamples = 1000 } = o;
  const make = o.makeOptimizer ?? defaultCheckOptimizer;
  const log = o.log ?? (() => undefined);
  const checks: CheckResult[] = [];
  let lrCurve: LrCurve | undefined;
  const layerStats: LayerStatsEvent[] = [];
  if (o.initialLoss !== false) {
    log("initial loss vs ln C…");
    checks.push(checkInitialLoss(model, train, { loss, ...o.initialLoss }));
  }
  if (o.gradcheck !== false) {
    log("gradient check…");
    checks.push(gradcheckModel(model, train, { loss, ...o.gradcheck }));
  }
  if (o.overfit !== false) {
    log("overfitting a tiny subset…");
    checks.push(checkOverfitTinySubset(model, train, { lr, loss, makeOptimizer: o.makeUnregularizedOptimizer, ...o.overfit }));
  }
  if (o.lrRange !== false) {
    log("learning-rate range test…");
    const r = lrRangeTest(model, train, { currentLr: lr, loss, makeOptimizer: make, ...o.lrRange });
    lrCurve = r.curve;
    checks.push({ name: r.name, status: r.status, numbers: r.numbers, advice: r.advice });
  }
  if (trainSteps > 0) {
    log(`short training run (${trainSteps} steps)…`);
    checks.push(...onScratchModel(model, () => {
      const every = o.statsEvery ?? Math.max(1, Math.floor(trainSteps / 4));
      const sitter = babysitTraining(model, { every, gap: o.gap ?? { goodAccuracy: 0.5 }, emit: (e) => { layerStats.push(e); o.onEvent?.(e); } });
      const opt = make(model.parameters(), lr);
      try {
        const epochs = Math.ceil(trainSteps / Math.max(train.numBatches, 1));
        const onStep = (pos: { epoch: number; batch: number; step: number }, l: number): void | "stop" =>
          sitter.onStep(pos, l) === "stop" || pos.step >= trainSteps ? "stop" : undefined;
        const run = fit({ model, optimizer: opt, train, epochs, loss, onStep, onEvent: o.onEvent, logEvery: 10 });
        if (sitter.guard.finding) return sitter.finish();
        const order = train.order(0);
        const sub = new DataLoader(train.dataset, { batchSize: 256, shuffle: false, indices: order.subarray(0, Math.min(gapExamples, order.length)) });
        const tr = evaluate(model, sub);
        const va = o.val ? evaluate(model, o.val) : undefined;
        return sitter.finish(va ? { trainAccuracy: tr.accuracy, valAccuracy: va.accuracy, trainLoss: tr.loss, valLoss: va.loss, classes: train.dataset.numClasses, steps: run.position.step } : undefined);
      } finally {
        sitter.dispose();
        opt.zeroGrad();
        opt.dispose();
      }
    }, { noisyOff: false }));
  }
  return { status: worstStatus(checks), checks, lrCurve, layerStats };
}
