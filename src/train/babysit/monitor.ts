/**
 * The during-training half of the babysitter in one object for `fit`: the NaN/Inf guard (check 4), the
 * per-layer statistics (check 5), and at the end the train/validation gap (check 6).
 *
 *   const sitter = babysitTraining(model, { every: 50, emit: log });
 *   const r = fit({ model, optimizer, train, val, epochs, onStep: sitter.onStep, onEvent: log });
 *   const results = sitter.finish({ trainAccuracy, valAccuracy, classes });
 */
import type { Module } from "../../nn/index.js";
import type { LayerStatsEvent } from "../events.js";
import type { FitPosition } from "../fit.js";
import { nanGuard, type NanGuard, type NanGuardOptions } from "./nan-guard.js";
import { layerStatsMonitor, type LayerStatsMonitor } from "./layer-stats.js";
import { diagnoseGap, type GapInput, type GapOptions } from "./gap.js";
import type { CheckResult } from "./types.js";

export type OnStep = (pos: FitPosition, loss: number) => void | "stop";

/** Calls every handler; "stop" if any of them says so. */
export function combineOnStep(...handlers: ReadonlyArray<OnStep | undefined>): OnStep {
  return (pos, loss) => {
    let stop = false;
    for (const h of handlers) if (h?.(pos, loss) === "stop") stop = true;
    return stop ? "stop" : undefined;
  };
}

export interface BabysitTrainingOptions {
  /** Layer statistics every this many steps (default 50). */
  readonly every?: number;
  readonly emit?: (e: LayerStatsEvent) => void;
  readonly nan?: NanGuardOptions;
  readonly gap?: GapOptions;
}

export interface TrainingBabysitter {
  readonly onStep: OnStep;
  readonly guard: NanGuard;
  readonly stats: LayerStatsMonitor;
  /** Removes the hooks and returns the NaN-guard, layer-statistics and (given accuracies) gap checks. */
  finish(gap?: GapInput): CheckResult[];
  dispose(): void;
}

export function babysitTraining(model: Module, o: BabysitTrainingOptions = {}): TrainingBabysitter {
  const stats = layerStatsMonitor(model, { every: o.every, emit: o.emit });
  const guard = nanGuard(model, o.nan);
  // NOTE: the guard runs last so the statistics of the step that went non-finite are still recorded.
  const onStep = combineOnStep(stats.onStep, guard.onStep);
  let disposed = false;
  const dispose = (): void => {
    if (disposed) return;
    disposed = true;
    guard.dispose();
    stats.dispose();
  };
  return {
    onStep, guard, stats, dispose,
    finish(gap?: GapInput): CheckResult[] {
      const out = [guard.result(), stats.result()];
      if (gap && !guard.finding) out.push(diagnoseGap(gap, o.gap));
      dispose();
      return out;
    },
  };
}
